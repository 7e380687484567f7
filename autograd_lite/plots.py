"""Pictures of a training run (matplotlib): the loss curve and, for two features, the decision
boundary  w1*x1 + w2*x2 + b = 0,  where a = sigmoid(z) crosses 0.5.

Figures are drawn on matplotlib's Agg canvas directly, not through pyplot, so that saving a
picture never changes the caller's plotting backend or opens a window. Called without a path,
each returns the Figure, which Jupyter shows inline (it has a PNG repr of its own, so this
holds with or without pyplot's inline backend).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .logistic import History, check_data, probabilities


@functools.cache
def _figure_class():
    """matplotlib's Figure with a PNG repr, made on first use (matplotlib is slow to import)."""
    from matplotlib.figure import Figure

    class NotebookFigure(Figure):
        """A Figure that shows itself in Jupyter as a PNG, with no pyplot involved."""

        def _repr_png_(self) -> bytes:
            buffer = io.BytesIO()
            self.savefig(buffer, format="png")
            return buffer.getvalue()

    return NotebookFigure


def _new_figure(width: float = 7.0, height: float = 4.5):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = _figure_class()(figsize=(width, height), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _save(figure, path: str | Path | None):
    """``figure`` written to ``path`` (returns the path), or the figure itself if no path."""
    if path is None:
        return figure
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path)
    except OSError as err:
        raise OSError(f"cannot write {path}: {err.strerror or err}") from None
    return path


def linear_form(w1: float, w2: float, b: float, names: tuple[str, str]) -> str:
    """'2.19*x1 + 2.1*x2 - 0.91 = 0', signs folded into the operators."""
    text = f"{w1:.3g}*{names[0]}"
    for coefficient, name in ((w2, f"*{names[1]}"), (b, "")):
        text += f" {'-' if coefficient < 0 else '+'} {abs(coefficient):.3g}{name}"
    return text + " = 0"


def loss_curve(
    history: History,
    path: str | Path | None = None,
    data_name: str = "the data",
    reference: tuple[str, float] | None = None,
):
    """The loss at every iteration; ``reference`` = (label, loss) draws another fit's loss.
    Returns the path written, or the matplotlib Figure when ``path`` is None."""
    figure = _new_figure()
    ax = figure.add_subplot()
    iterations = np.arange(1, history.iterations + 1)
    ax.plot(iterations, history.losses, color="tab:blue", linewidth=2, label="autograd_lite")
    if reference is not None:
        label, value = reference
        ax.axhline(value, color="tab:gray", linestyle="--", label=f"{label}: {value:.4f}")
    first, last = history.losses[0], history.losses[-1]
    ax.annotate(
        f"start {first:.4f}", (1, first), textcoords="offset points", xytext=(8, -4), va="top"
    )
    ax.annotate(
        f"end {last:.4f}",
        (history.iterations, last),
        textcoords="offset points",
        xytext=(-4, 8),
        ha="right",
    )
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss L: mean of -(y log a + (1-y) log(1-a))")
    ax.set_title(
        f"Gradient descent on {data_name}: alpha = {history.alpha:g}, "
        f"{history.iterations} iterations ({history.loss_kind} loss)"
    )
    ax.set_ylim(bottom=0)
    ax.set_xlim(1, max(history.iterations, 2))
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right")
    return _save(figure, path)


def decision_boundary(
    X: np.ndarray,
    Y: np.ndarray,
    w: np.ndarray,
    b: float,
    path: str | Path | None = None,
    feature_names: tuple[str, str] = ("x1", "x2"),
    title: str = "Decision boundary",
    *,
    probability: Callable[[np.ndarray], np.ndarray] | None = None,
    boundary_label: str | None = None,
):
    """The examples of two features coloured by label, shaded by a = sigmoid(w1 x1 + w2 x2 + b),
    with the boundary a = 0.5 (z = 0) drawn as a line. Returns the path written, or the
    matplotlib Figure when ``path`` is None.

    Another model: ``probability(points)`` gives its predicted probability for each row of a
    (k, 2) array (w and b are then not used), and ``boundary_label`` names its boundary."""
    X, Y = check_data(X, Y)
    if X.shape[1] != 2:
        raise ValueError(f"decision_boundary: needs exactly 2 features, X has shape {X.shape}")
    from matplotlib.lines import Line2D

    figure = _new_figure(6.5, 6.2)
    ax = figure.add_subplot()
    pad = 0.1 * (X.max(axis=0) - X.min(axis=0)) + 1e-9
    low, high = X.min(axis=0) - pad, X.max(axis=0) + pad
    grid1, grid2 = np.meshgrid(np.linspace(low[0], high[0], 300), np.linspace(low[1], high[1], 300))
    points = np.c_[grid1.ravel(), grid2.ravel()]
    a = (probabilities(points, w, b) if probability is None else probability(points))
    a = np.reshape(a, grid1.shape)
    shading = ax.contourf(grid1, grid2, a, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.3)
    colorbar = figure.colorbar(shading, ax=ax)
    colorbar.set_label(
        "predicted probability that y = 1"
        if probability is not None
        else "a = sigmoid(z): predicted probability that y = 1"
    )
    ax.contour(grid1, grid2, a, levels=[0.5], colors="black", linewidths=2)

    labels = Y.ravel()
    ax.scatter(
        *X[labels == 0].T,
        c="tab:blue",
        marker="o",
        edgecolors="white",
        linewidths=0.5,
        label="y = 0",
    )
    ax.scatter(
        *X[labels == 1].T,
        c="tab:red",
        marker="^",
        edgecolors="white",
        linewidths=0.5,
        label="y = 1",
    )
    if probability is None:
        w1, w2 = np.ravel(w)
        label = "decision boundary a = 0.5, that is z = 0:\n" + linear_form(
            w1, w2, b, feature_names
        )
    else:
        label = boundary_label or "decision boundary: probability 0.5"
    boundary = Line2D([], [], color="black", linewidth=2, label=label)
    handles, _ = ax.get_legend_handles_labels()
    # beneath the plot, so that it hides no example
    ax.legend(
        handles=[*handles, boundary], loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=3
    )
    ax.set_xlabel(feature_names[0])
    ax.set_ylabel(feature_names[1])
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    ax.set_title(title)
    return _save(figure, path)
