"""The training page of the course's next model, one hidden layer (``shallow.train(...,
record=True)``), as render_training draws logistic regression's.

At each shown iteration: the loss curve with a marker there; W1, b1, W2, b2 with their gradients
and the step; one example's graph (X, W1, b1 into Z1, A1 = tanh(Z1), Z2, A2 = sigmoid(Z2), L) at
that iteration's parameters, back-propagated by the engine; and, for two features, the decision
boundary A2 = 0.5, which bends where logistic regression's is a straight line. Every number comes
from the run's recording and the graphs the engine builds from it.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .. import shallow
from ..logistic import percent
from .page import stepper_controls
from .training import (
    BLUE,
    ONE_FILL,
    PLAY_MS,
    ZERO_FILL,
    ScatterPlot,
    _loss_chart,
    _num,
    fused_loss_note,
    graph_frames,
    shown_iterations,
    write_page,
)

GRID = 40  # cells a side of the boundary chart's shading (A2 > 0.5 or not at each cell's centre)
SHOWN_ROWS, SHOWN_COLUMNS = 6, 4  # of a larger parameter, its first rows and columns are shown


def render_shallow_training(
    history: shallow.History,
    path: str | os.PathLike[str],
    *,
    example: int,
    feature_names: Sequence[str],
    title: str | None,
    max_frames: int,
    renderer: str | os.PathLike[str] | None,
) -> Path:
    """Write the page replaying ``history`` to ``path`` (see render_training); returns the path."""
    rec = history.recording
    n_x, m = rec.X.shape
    # the recorded iterations, or about max_frames of them evenly spaced
    rows = shown_iterations(len(rec.iterations), max_frames) - 1
    shown = rec.iterations[rows]
    names = tuple(feature_names)
    boundary = _boundary_chart(rec, rows, names[:2]) if n_x == 2 else ""
    graph = _example_graphs(rec, example, rows, renderer)
    n_h = rec.parameters[0].W1.shape[0]
    parts = {
        "title": html.escape(title or f"Training replayed: {history.iterations} iterations"),
        "summary": html.escape(_summary(history, m, n_x, n_h)),
        "controls": stepper_controls(len(shown), "iteration", play=True, interval_ms=PLAY_MS),
        "loss": _loss_chart(history, shown),
        "numbers": "\n".join(_numbers(history, k, row) for k, row in enumerate(rows)),
        "boundary": boundary,
        "graph": _graph_section(graph, history, example),
    }
    return write_page(path, parts, graph)


def _summary(history: shallow.History, m: int, n_x: int, n_h: int) -> str:
    return (
        f"Gradient descent on {m} examples with {n_x} feature{'s' if n_x != 1 else ''} and one "
        f"hidden layer of {n_h} tanh unit{'s' if n_h != 1 else ''}: alpha = {history.alpha:g}, "
        f"{history.loss_kind} loss. Each iteration computes the mean loss L and its gradients "
        "dW1, db1, dW2, db2 by backward(), then steps W1 := W1 - alpha*dW1, and so on for each. "
        "Use play, the slider, the buttons or the arrow keys."
    )


# -- the parameters and their gradients ----------------------------------------------------------
def _numbers(history: shallow.History, k: int, row: int) -> str:
    """Frame k's table: the loss, and each parameter with its gradient beneath it, one line per
    row of the matrix (narrow enough for a phone)."""
    rec, alpha = history.recording, history.alpha
    iteration = int(rec.iterations[row])
    label = f"iteration {iteration} of {history.iterations}"
    lines = [
        f'<tr><th>loss L</th><td class="wrap">{_num(history.losses[iteration - 1])} '
        f"(the mean over the examples, before this iteration's step)</td></tr>",
    ]
    for name in shallow.PARAMETERS:
        value, grad = getattr(rec.parameters[row], name), getattr(rec.gradients[row], name)
        shape = " x ".join(map(str, value.shape))
        lines.append(f"<tr><th>{name}<br><small>{shape}</small></th><td>{_values(value)}</td></tr>"
                     f'<tr style="color: {BLUE}"><th>d{name}</th><td>{_values(grad)}</td></tr>')
    step = ", ".join(f"{p} := {p} - {alpha:g} * d{p}" for p in shallow.PARAMETERS)
    return (
        f'<div class="numbers" data-frame="{k}" data-label="{label}">'
        f"<h2>Iteration {iteration} of {history.iterations}</h2>"
        f'<table>{"".join(lines)}</table><p>The step: {step}.</p></div>'
    )


def _values(array: np.ndarray) -> str:
    """A parameter's values, one line per row of the matrix; of a large one, the first
    SHOWN_ROWS rows and SHOWN_COLUMNS columns and how many values there are in all."""
    rows = array.reshape(array.shape[0], -1)
    lines = []
    for r in rows[:SHOWN_ROWS]:
        numbers = ", ".join(format(float(v), ".3g") for v in r[:SHOWN_COLUMNS])
        lines.append(numbers + (", ..." if len(r) > SHOWN_COLUMNS else ""))
    if len(rows) > SHOWN_ROWS:
        lines.append("...")
    cut = len(rows) > SHOWN_ROWS or rows.shape[1] > SHOWN_COLUMNS
    more = f" ({array.size} values)" if cut else ""
    return "<br>".join(html.escape(line) for line in lines) + more


# -- the decision boundary -----------------------------------------------------------------------
def _boundary_chart(rec: shallow.Recording, rows: np.ndarray, names: Sequence[str]) -> str:
    """The examples drawn once; each frame shades where A2 > 0.5 (red) and A2 < 0.5 (blue) at
    that iteration's parameters, on a grid of GRID x GRID cells."""
    plot = ScatterPlot(rec.X.T, rec.Y.reshape(-1))
    (low, high), px = plot.box, plot.px
    edges = [np.linspace(low[i], high[i], GRID + 1) for i in (0, 1)]
    centres = [(e[:-1] + e[1:]) / 2 for e in edges]
    u0, v0 = px(np.array([low[0], low[1]]))
    u1, v1 = px(np.array([high[0], high[1]]))
    background = (f'<rect x="{u0:.1f}" y="{v1:.1f}" width="{u1 - u0:.1f}" '
                  f'height="{v0 - v1:.1f}" fill="{ZERO_FILL}"/>')
    gx, gy = np.meshgrid(*centres)  # gy[j, i] is row j's height, from the bottom up
    points = np.vstack([gx.ravel(), gy.ravel()])
    us = [px(np.array([x, low[1]]))[0] for x in edges[0]]
    vs = [px(np.array([low[0], y]))[1] for y in edges[1]]
    frames, captions = [], []
    for row in rows:
        params = rec.parameters[row]
        ones = shallow.probabilities(points, *params).reshape(GRID, GRID) > 0.5
        runs = []
        for j in range(GRID):  # one rectangle per run of cells where A2 > 0.5 along a row
            changes = np.flatnonzero(np.diff(np.concatenate([[0], ones[j], [0]]).astype(int)))
            for start, stop in zip(changes[::2], changes[1::2], strict=True):
                runs.append(f"M{us[start]:.1f},{vs[j + 1]:.1f}H{us[stop]:.1f}"
                            f"V{vs[j]:.1f}H{us[start]:.1f}z")
        frames.append(background + (f'<path d="{"".join(runs)}" fill="{ONE_FILL}"/>'
                                    if runs else ""))
        accuracy = shallow.accuracy(rec.X, rec.Y, *params)
        iteration = int(rec.iterations[row])
        captions.append(f"iteration {iteration}: training accuracy {percent(accuracy, 1)}")
    return plot.svg(frames, captions, "decision boundary A2 = 0.5", names)


# -- the one-example graph -----------------------------------------------------------------------
def _example_graphs(rec: shallow.Recording, example: int, rows: np.ndarray,
                    renderer: str | os.PathLike[str] | None) -> str:
    """Example ``example``'s graph (one column of X) at each shown iteration's parameters."""
    x, y = rec.X[:, [example]], rec.Y[:, [example]]
    roots = []
    for row in rows:
        L = shallow.graph(x, y, *rec.parameters[row])["L"]
        L.backward()
        roots.append(L)
    return graph_frames(roots, renderer)


def _graph_section(graph: str, history: shallow.History, example: int) -> str:
    rec = history.recording
    x = ", ".join(format(v, ".4g") for v in rec.X[:, example])
    note = fused_loss_note(history)
    return (
        f"<h2>Example {example} alone: x = ({html.escape(x)}), y = {rec.Y[0, example]:g}</h2>"
        f"<p>Its own graph at this iteration's W1, b1, W2 and b2, with its values and its "
        f"gradients from backward(){note}. The update uses the mean of such gradients over all "
        f"{rec.X.shape[1]} examples, as the course writes them: dZ2 = A2 - Y, "
        "dW2 = dZ2 A1<sup>T</sup> / m, dZ1 = W2<sup>T</sup> dZ2 * (1 - A1<sup>2</sup>), "
        "dW1 = dZ1 X<sup>T</sup> / m.</p>"
        f'<div class="scroll graph">{graph}</div>'
    )
