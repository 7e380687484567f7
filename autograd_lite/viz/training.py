"""render_training(): a training run replayed in one self-contained page.

At each shown iteration: the loss curve with a marker there; w and b with their gradients dw
and db; the lesson's one-example graph for one example at that iteration's w and b; and, for
two features, the decision boundary w1 x1 + w2 x2 + b = 0. Every number comes from the engine:
the run's own recording (``logistic.train(..., record=True)``) and the graph that
``logistic.lesson_graph`` builds and back-propagates. The page's script only shows and hides
frames: each frame's parts carry ``data-frame="k"``; what every frame shares is drawn once.
"""

from __future__ import annotations

import html
import os
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .. import logistic, shallow
from ..plots import linear_form
from . import renderer as _renderer
from .noise import is_rounding_noise, without_noise
from .output import write
from .page import (
    STEPPER_SCRIPT,
    VIEWPORT,
    smallest_font_px,
    stepper_controls,
    stepper_style,
    svg_width_px,
)
from .steps import PINNED, one_layout

MAX_FRAMES = 200  # a longer run shows this many iterations, evenly spaced
MAX_GRAPH_FEATURES = 8  # the one-example graph has two leaves per feature: wider gets unreadable
MAX_ROWS = 10  # parameters listed per frame; the rest are summarised
PLAY_MS = 60  # between frames while playing: 200 frames in 12 s
SVG_NS = "{http://www.w3.org/2000/svg}"
PREFIXES = {"{http://www.w3.org/1999/xlink}": "xlink:",
            "{http://www.w3.org/XML/1998/namespace}": "xml:"}
BLUE, RED = "#1565c0", "#c62828"


def shown_iterations(iterations: int, count: int = MAX_FRAMES) -> np.ndarray:
    """Every iteration (1-based) of a short run; about ``count`` evenly spaced ones of a long
    run, always the first and the last."""
    if iterations <= count:
        return np.arange(1, iterations + 1)
    return np.unique(np.round(np.linspace(1, iterations, count)).astype(int))


def render_training(
    history: logistic.History | shallow.History,
    path: str | os.PathLike[str],
    *,
    example: int = 0,
    feature_names: Sequence[str] | None = None,
    title: str | None = None,
    max_frames: int = MAX_FRAMES,
    renderer: str | os.PathLike[str] | None = None,
) -> Path:
    """Write the page replaying ``history`` (from ``logistic.train(..., record=True)`` or
    ``shallow.train(..., record=True)``) to ``path``.

    ``example`` (0 <= example < m) picks the example whose one-example graph is drawn;
    ``feature_names`` name the features (default x1, x2, ...). Returns the path. A shallow
    run's frames are at most the iterations it recorded (200 of a long run).
    """
    recording = history.recording
    model = "shallow" if isinstance(history, shallow.History) else "logistic"
    if recording is None:
        raise ValueError(
            "render_training: this History has no recording of its iterations; "
            f"train with {model}.train(..., record=True)"
        )
    # (the course's model keeps one example per column, logistic regression one per row)
    n, m = recording.X.shape if model == "shallow" else recording.X.shape[::-1]
    if isinstance(example, bool) or not isinstance(example, (int, np.integer)):
        raise TypeError(f"render_training: example must be an integer, got {example!r}")
    if not 0 <= example < m:
        raise ValueError(
            f"render_training: example {example} is not a "
            f"{'column' if model == 'shallow' else 'row'} of X: the data has {m} "
            f"examples, so example must be 0 to {m - 1}"
        )
    if isinstance(max_frames, bool) or not isinstance(max_frames, int) or max_frames < 2:
        raise ValueError(f"render_training: max_frames must be an integer >= 2, got {max_frames}")
    names = tuple(feature_names) if feature_names is not None else ()
    if len(names) < n:
        names = tuple(f"x{i}" for i in range(1, n + 1))
    if model == "shallow":
        from .training_shallow import render_shallow_training  # (it imports this module)

        return render_shallow_training(history, path, example=example, feature_names=names,
                                       title=title, max_frames=max_frames, renderer=renderer)
    shown = shown_iterations(history.iterations, max_frames)

    run = Run(history)
    graph = _example_graphs(run, example, shown, renderer) if n <= MAX_GRAPH_FEATURES else None
    boundary = _boundary_chart(run, shown, names[:2]) if n == 2 else ""
    parts = {
        "title": html.escape(title or f"Training replayed: {history.iterations} iterations"),
        "summary": html.escape(_summary(history, m, n)),
        "controls": stepper_controls(len(shown), "iteration", play=True, interval_ms=PLAY_MS),
        "loss": _loss_chart(history, shown),
        "numbers": "\n".join(_numbers(run, k, it) for k, it in enumerate(shown)),
        "boundary": boundary,
        "graph": _graph_section(graph, history, example, n),
    }
    return write_page(path, parts, graph)


def write_page(path: str | os.PathLike[str], parts: dict[str, str], graph: str | None) -> Path:
    """The page of ``parts`` (title, summary, controls, loss, numbers, boundary, graph) at
    ``path``, its pictures sized by the graph's SVG (``graph``; None: there is none)."""
    natural, smallest = (svg_width_px(graph), smallest_font_px([graph])) if graph else (0.0, 1.0)
    style = stepper_style(natural, smallest, ".graph svg")
    page = _PAGE.format(style=style, script=STEPPER_SCRIPT, **parts)
    path = Path(path)
    write(path, page.encode("utf-8"))
    return path


def fused_loss_note(history: logistic.History | shallow.History) -> str:
    """What the one-example graph's caption adds for a run trained on the fused loss."""
    return (" (training used the fused loss; the graph shows the lesson's form, "
            "sigmoid then cross-entropy, which gives the same L)"
            if history.loss_kind == "fused" else "")


def _summary(history: logistic.History, m: int, n: int) -> str:
    return (
        f"Gradient descent on {m} examples with {n} feature{'s' if n != 1 else ''}: "
        f"alpha = {history.alpha:g}, {history.loss_kind} loss. Each iteration computes the "
        f"mean loss L and its gradients dw, db by backward(), then steps w := w - alpha*dw, "
        f"b := b - alpha*db. Use play, the slider, the buttons or the arrow keys."
    )


# -- the parameters and their gradients ----------------------------------------------------------
class Run:
    """A recorded run as the page shows it: the parameters at every iteration (row k is
    iteration k + 1's, the last row the final ones) and first-order bounds, in units of eps, on
    the rounding error of each parameter and gradient, so that rounding noise shows as 0.

    A gradient sums m terms (a_i - y_i) x_i / m, each at most 2|x_i| / m in size: its bound is
    the sum of those sizes. A parameter adds, at each step, the error of alpha * gradient and
    the rounding of the update itself.
    """

    def __init__(self, history: logistic.History):
        rec = history.recording
        self.history, self.alpha = history, history.alpha
        self.w = np.vstack([rec.w, history.w.reshape(1, -1)])  # (iterations + 1, n)
        self.b = np.append(rec.b, history.b)
        self.dw, self.db = rec.dw, rec.db
        self.dw_bound = np.abs(rec.dw) + 2 * np.mean(np.abs(rec.X), axis=0)
        self.db_bound = np.abs(rec.db) + 2
        steps_w = self.alpha * (np.abs(rec.dw) + self.dw_bound) + np.abs(self.w[1:])
        steps_b = self.alpha * (np.abs(rec.db) + self.db_bound) + np.abs(self.b[1:])
        self.w_bound = np.vstack([np.zeros((1, self.w.shape[1])), np.cumsum(steps_w, axis=0)])
        self.b_bound = np.append(0.0, np.cumsum(steps_b))

    def parameters(self, row: int) -> tuple[np.ndarray, float]:
        """w and b at ``row``, rounding noise set to 0 (the page's graph is drawn from these)."""
        w = without_noise(self.w[row], self.w_bound[row])
        return np.asarray(w, dtype=np.float64), float(without_noise(self.b[row], self.b_bound[row]))


def _numbers(run: Run, k: int, iteration: int) -> str:
    """Frame k's table: iteration ``iteration``'s loss, and each parameter, its gradient and the
    value the update gave it (the next iteration's, as recorded)."""
    history, row = run.history, iteration - 1
    label = f"iteration {iteration} of {history.iterations}"
    lines = [
        f'<tr><th>loss L</th><td colspan="3" class="wrap">{_num(history.losses[row])} '
        f"(the mean over the examples, before this iteration's step)</td></tr>",
        "<tr><th></th><th>value</th><th>gradient</th>"
        f"<th>after the step<br><small>value - {run.alpha:g} * gradient</small></th></tr>",
    ]
    n = run.w.shape[1]
    params = [(f"w{i + 1}", _shown(run.w[row, i], run.w_bound[row, i]),
               _shown(run.dw[row, i], run.dw_bound[row, i]),
               _shown(run.w[row + 1, i], run.w_bound[row + 1, i])) for i in range(n)]
    params.append(("b", _shown(run.b[row], run.b_bound[row]),
                   _shown(run.db[row], run.db_bound[row]),
                   _shown(run.b[row + 1], run.b_bound[row + 1])))
    hidden = max(0, len(params) - MAX_ROWS)
    if hidden:  # the first weights and b
        params = params[: MAX_ROWS - 1] + [params[-1]]
    for name, value, grad, after in params:
        lines.append(
            f"<tr><th>{name}</th><td>{value}</td>"
            f'<td style="color: {BLUE}">d{name} = {grad}</td><td>{after}</td></tr>'
        )
        if hidden and name == f"w{MAX_ROWS - 1}":
            lines.append(f'<tr><td colspan="4">... and {hidden} more weights</td></tr>')
    return (
        f'<div class="numbers" data-frame="{k}" data-label="{label}">'
        f"<h2>Iteration {iteration} of {history.iterations}</h2>"
        f'<table>{"".join(lines)}</table></div>'
    )


def _num(value: float) -> str:
    return html.escape(format(float(value), ".6g"))


def _shown(value: float, bound: float) -> str:
    """The number, or 0 where it is only rounding noise (its exact value in the tooltip)."""
    if is_rounding_noise(value, bound):
        return f'<span title="{_num(value)}: rounding noise">0</span>'
    return _num(value)


# -- the loss curve ------------------------------------------------------------------------------
def _loss_chart(history: logistic.History, shown: np.ndarray) -> str:
    """The whole curve drawn once; each frame adds its marker."""
    width, height, left, right, top, bottom = 440, 280, 52, 24, 28, 44
    losses = history.losses
    n = history.iterations
    top_loss = float(np.max(losses)) * 1.05 or 1.0

    def x(it: float) -> float:
        return left + (it - 1) / max(n - 1, 1) * (width - left - right)

    def y(loss: float) -> float:
        return height - bottom - loss / top_loss * (height - top - bottom)

    step = max(1, n // 1000)  # at most about a thousand points: the curve is smooth anyway
    points = list(range(1, n + 1, step)) + ([n] if (n - 1) % step else [])
    line = " ".join(f"{x(i):.1f},{y(losses[i - 1]):.1f}" for i in points)
    axes = [_axes(width, height, left, right, top, bottom)]
    for t in _ticks(0.0, top_loss):
        axes.append(f'<line x1="{left - 4}" y1="{y(t):.1f}" x2="{width - right}" y2="{y(t):.1f}" '
                    f'stroke="#eeeeee"/><text x="{left - 7}" y="{y(t) + 4:.1f}" '
                    f'text-anchor="end">{t:g}</text>')
    for t in _ticks(1.0, float(n), integers=True):
        axes.append(f'<text x="{x(t):.1f}" y="{height - bottom + 16}" '
                    f'text-anchor="middle">{t:g}</text>')
    axes.append(f'<text x="{(left + width - right) / 2}" y="{height - 6}" '
                f'text-anchor="middle">iteration</text>')
    axes.append(f'<text x="{left}" y="16">loss L (mean over the examples)</text>')
    markers = []
    for k, it in enumerate(shown):
        loss = float(losses[it - 1])
        anchor = "end" if x(it) > width / 2 else "start"
        dx = -8 if anchor == "end" else 8
        markers.append(
            f'<g data-frame="{k}"><line x1="{x(it):.1f}" y1="{top}" x2="{x(it):.1f}" '
            f'y2="{height - bottom}" stroke="{RED}" stroke-dasharray="4 3"/>'
            f'<circle cx="{x(it):.1f}" cy="{y(loss):.1f}" r="5" fill="{RED}"/>'
            f'<text x="{x(it) + dx:.1f}" y="{top + 14}" text-anchor="{anchor}" fill="{RED}">'
            f"{_num(loss)}</text></g>"
        )
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="loss curve">{"".join(axes)}'
        f'<polyline points="{line}" fill="none" stroke="{BLUE}" stroke-width="2"/>'
        f'{"".join(markers)}</svg>'
    )


def _axes(width: int, height: int, left: int, right: int, top: int, bottom: int) -> str:
    return (f'<rect x="{left}" y="{top}" width="{width - left - right}" '
            f'height="{height - top - bottom}" fill="none" stroke="#999999"/>')


def _ticks(low: float, high: float, count: int = 5, integers: bool = False) -> list[float]:
    """A few round numbers from low to high, for an axis."""
    span = high - low
    if span <= 0:
        return [low]
    raw = span / count
    magnitude = 10 ** np.floor(np.log10(raw))
    step = next(s * magnitude for s in (1, 2, 2.5, 5, 10) if s * magnitude >= raw)
    if integers:
        step = max(1.0, float(np.round(step)))
    start = np.ceil(low / step) * step
    ticks = [float(t) for t in np.arange(start, high + step * 1e-9, step)]
    if integers and (not ticks or ticks[0] > low):
        ticks = [low] + [t for t in ticks if t - low >= step / 2]
    return [round(t, 12) for t in ticks]


# -- the decision boundary -----------------------------------------------------------------------
def _boundary_chart(run: Run, shown: np.ndarray, names: Sequence[str]) -> str:
    """The examples drawn once; each frame adds its half-planes a > 0.5 and a < 0.5 and the line
    between them, z = w1 x1 + w2 x2 + b = 0."""
    rec = run.history.recording
    plot = ScatterPlot(rec.X, rec.Y.reshape(-1))
    px, (low, high) = plot.px, plot.box
    corners = [np.array(c) for c in ((low[0], low[1]), (high[0], low[1]),
                                     (high[0], high[1]), (low[0], high[1]))]
    frames, captions = [], []
    for it in shown:
        w, b = run.parameters(it - 1)
        shapes = []
        ends = _line_in_box(corners, w, b)
        for sign, colour in ((1, ONE_FILL), (-1, ZERO_FILL)):
            region = _half_plane(corners, w, b, sign) if np.any(w) or b != 0 else []
            if region:
                points = " ".join("{:.1f},{:.1f}".format(*px(p)) for p in region)
                shapes.append(f'<polygon points="{points}" fill="{colour}"/>')
        if ends:
            (u1, v1), (u2, v2) = px(ends[0]), px(ends[1])
            shapes.append(f'<line x1="{u1:.1f}" y1="{v1:.1f}" x2="{u2:.1f}" y2="{v2:.1f}" '
                          'stroke="black" stroke-width="2.5"/>')
            text = html.escape(linear_form(w[0], w[1], b, (names[0], names[1])))
        elif not np.any(w):
            text = f"w = 0: z = b = {b:.3g} for every example, no boundary yet"
        else:
            text = "the boundary z = 0 lies outside this view"
        frames.append("".join(shapes))
        captions.append(text)
    return plot.svg(frames, captions, "decision boundary a = 0.5 (z = 0)", names)


ONE_FILL, ZERO_FILL = "#fbe3e3", "#e1ebf8"  # where the model says y = 1, y = 0


class ScatterPlot:
    """Two features' examples in a box, for a chart whose frames shade the plane under them:
    ``px`` maps a point to the chart's pixels; ``svg`` draws the frames, the examples, the axes."""

    width, height, left, right, top, bottom = 400, 430, 62, 14, 30, 76  # the plot's margins

    def __init__(self, X: np.ndarray, Y: np.ndarray):
        self.X, self.Y = X, Y
        low, high = X.min(axis=0), X.max(axis=0)
        margin = 0.08 * (high - low) + 1e-9
        self.box = (low - margin, high + margin)
        self.x_end, self.y_end = self.width - self.right, self.height - self.bottom

    def px(self, p: np.ndarray) -> tuple[float, float]:
        (low, high), left, top = self.box, self.left, self.top
        u = left + (p[0] - low[0]) / (high[0] - low[0]) * (self.x_end - left)
        v = self.y_end - (p[1] - low[1]) / (high[1] - low[1]) * (self.y_end - top)
        return float(u), float(v)

    def svg(self, frames: list[str], captions: list[str], heading: str,
            names: Sequence[str]) -> str:
        """Frame k's shapes (clipped to the box) and caption in ``<g data-frame="k">``; the
        examples on top: red triangles y = 1, blue dots y = 0."""
        width, height, left, top = self.width, self.height, self.left, self.top
        x_end, y_end = self.x_end, self.y_end
        (low, high), px = self.box, self.px
        dots = []
        for p, label in zip(self.X, self.Y, strict=True):
            u, v = px(p)
            if label == 1:
                dots.append(f"M{u:.1f},{v - 4.5:.1f}l4,7h-8z")
            else:
                dots.append(f"M{u - 3.5:.1f},{v:.1f}a3.5,3.5 0 1,0 7,0a3.5,3.5 0 1,0 -7,0")
        ones = "".join(d for d, label in zip(dots, self.Y, strict=True) if label == 1)
        zeros = "".join(d for d, label in zip(dots, self.Y, strict=True) if label != 1)
        box = f'x="{left}" y="{top}" width="{x_end - left}" height="{y_end - top}"'
        axes = [f'<rect {box} fill="none" stroke="#999999"/>',
                f'<text x="{left}" y="18">{html.escape(heading)}; '
                f'<tspan fill="{RED}">&#9650; y = 1</tspan>, '
                f'<tspan fill="{BLUE}">&#9679; y = 0</tspan></text>',
                f'<text x="{(left + x_end) / 2}" y="{y_end + 36}" text-anchor="middle">'
                f"{html.escape(names[0])}</text>",
                f'<text x="14" y="{(top + y_end) / 2}" text-anchor="middle" '
                f'transform="rotate(-90 14 {(top + y_end) / 2})">{html.escape(names[1])}</text>']
        for t in _ticks(low[0], high[0]):
            u, _ = px(np.array([t, low[1]]))
            axes.append(f'<text x="{u:.1f}" y="{y_end + 17}" text-anchor="middle" '
                        f'font-size="12">{t:g}</text>')
        for t in _ticks(low[1], high[1]):
            _, v = px(np.array([low[0], t]))
            axes.append(f'<text x="{left - 5}" y="{v + 4:.1f}" text-anchor="end" '
                        f'font-size="12">{t:g}</text>')
        shaded = "".join(f'<g data-frame="{k}">{shapes}</g>' for k, shapes in enumerate(frames))
        texts = "".join(f'<text data-frame="{k}" x="{width / 2}" y="{height - 8}" '
                        f'text-anchor="middle">{text}</text>' for k, text in enumerate(captions))
        return (
            f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="decision boundary"><clipPath id="plot"><rect {box}/></clipPath>'
            f'<g clip-path="url(#plot)">{shaded}</g>{"".join(axes)}{texts}'
            f'<path d="{zeros}" fill="{BLUE}" stroke="white" stroke-width="0.6"/>'
            f'<path d="{ones}" fill="{RED}" stroke="white" stroke-width="0.6"/></svg>'
        )


def _half_plane(corners: list[np.ndarray], w: np.ndarray, b: float, sign: int) -> list:
    """The part of the box (its corners in order) where sign * (w . p + b) >= 0."""
    out = []
    for p, q in zip(corners, corners[1:] + corners[:1], strict=True):
        zp, zq = sign * (w @ p + b), sign * (w @ q + b)
        if zp >= 0:
            out.append(p)
        if (zp >= 0) != (zq >= 0):
            out.append(p + (q - p) * (zp / (zp - zq)))
    return out


def _line_in_box(corners: list[np.ndarray], w: np.ndarray, b: float) -> list | None:
    """Where z = w . p + b = 0 crosses the box: its two ends, or None."""
    if not np.any(w):
        return None
    ends = []
    for p, q in zip(corners, corners[1:] + corners[:1], strict=True):
        zp, zq = w @ p + b, w @ q + b
        if (zp > 0) != (zq > 0) and zp != zq:
            ends.append(p + (q - p) * (zp / (zp - zq)))
    return ends[:2] if len(ends) >= 2 else None


# -- the one-example graph -----------------------------------------------------------------------
def _example_graphs(
    run: Run,
    example: int,
    shown: np.ndarray,
    renderer: str | os.PathLike[str] | None,
) -> str:
    """Example ``example``'s lesson graph at each shown iteration's w and b, back-propagated by
    the engine, all in one layout; one SVG whose frames differ only where their numbers do."""
    rec = run.history.recording
    x, y = rec.X[example], float(rec.Y[example, 0])
    roots = []
    for it in shown:
        nodes = logistic.lesson_graph(x, y, *run.parameters(it - 1))
        nodes["L"].backward()
        roots.append(nodes["L"])
    return graph_frames(roots, renderer)


def graph_frames(roots: list, renderer: str | os.PathLike[str] | None) -> str:
    """The graphs behind ``roots`` (back-propagated) in one layout, as one SVG whose frames
    differ only where their numbers do (or, where the layouts differ, one whole SVG a frame)."""
    pictures = one_layout(roots, renderer=renderer, closed_form=False, view="named")
    # one run of the renderer for all of them: it reads graph after graph
    output = _renderer.run("\n".join(p.source for p in pictures), "svg", renderer, engine=PINNED)
    svgs = [b"<svg" + part for part in output.split(b"<svg")[1:]]
    if len(svgs) != len(pictures):
        raise _renderer.RenderError(
            f"render_training: asked for {len(pictures)} pictures, got {len(svgs)}"
        )
    roots = [ET.fromstring(svg.split(b"</svg>")[0] + b"</svg>") for svg in svgs]
    merge = _Merge(roots)  # (parsed and serialised once, for either outcome)
    try:
        return merge.merged(roots)
    except ValueError:  # not one layout after all: each frame its whole picture
        return "".join(f'<div data-frame="{k}">{merge.xml(root)}</div>'
                       for k, root in enumerate(roots))


def _graph_section(graph: str | None, history: logistic.History, example: int, n: int) -> str:
    rec = history.recording
    if graph is None:
        return (f"<p>The one-example graph is drawn for up to {MAX_GRAPH_FEATURES} features; "
                f"this data has {n}.</p>")
    x = ", ".join(format(v, ".4g") for v in rec.X[example])
    note = fused_loss_note(history)
    return (
        f"<h2>Example {example} alone: x = ({html.escape(x)}), y = {rec.Y[example, 0]:g}</h2>"
        f"<p>Its own graph at this iteration's w and b, with its values and its gradients "
        f"from backward(){note}. The update uses the mean of such gradients over all "
        f"{rec.X.shape[0]} examples: dw = X<sup>T</sup>(a - y) / m.</p>"
        f'<div class="scroll graph">{graph}</div>'
    )


# -- many SVGs of one layout as one ---------------------------------------------------------------
def shared_svg(svgs: list[bytes]) -> str:
    """SVG documents that differ only in some elements, as one inline SVG: what they share is
    written once, and where they differ each one's version sits in ``<g data-frame="k">``.

    Ids are dropped (several frames' copies would clash, and nothing refers to them).
    A ValueError says that the documents differ in more than their elements' contents.
    """
    roots = [ET.fromstring(svg) for svg in svgs]
    return _Merge(roots).merged(roots)


class _Merge:
    """Serialises each element once (as SVG inside HTML) and merges the frames' trees."""

    def __init__(self, roots: list[ET.Element]):
        self.text: dict[int, str] = {}
        for root in roots:
            self.xml(root)

    def xml(self, element: ET.Element) -> str:
        """The element as SVG inside HTML: no namespaces, no ids, no whitespace between."""
        key = id(element)
        if key not in self.text:
            inner = _content(element) + "".join(self.xml(child) for child in element)
            tag = _tag(element)
            self.text[key] = (f"<{tag}{_attributes(element)}>{inner}</{tag}>" if inner
                              else f"<{tag}{_attributes(element)}/>")
        return self.text[key]

    def merged(self, elements: list[ET.Element]) -> str:
        first = elements[0]
        if all(self.xml(e) == self.xml(first) for e in elements):
            return self.xml(first)
        if not all(_own(e) == _own(first) and len(e) == len(first) for e in elements):
            raise ValueError("shared_svg: the pictures differ in more than their contents")
        out = [f"<{_tag(first)}{_attributes(first)}>{_content(first)}"]
        run: list[int] = []  # children that differ as a whole: written once per frame

        def flush() -> None:
            for k, e in enumerate(elements):
                out.append(f'<g data-frame="{k}">' + "".join(self.xml(e[j]) for j in run)
                           + "</g>")
            run.clear()

        for j in range(len(first)):
            children = [e[j] for e in elements]
            same = all(self.xml(c) == self.xml(children[0]) for c in children)
            alike = all(_own(c) == _own(children[0]) and len(c) == len(children[0])
                        for c in children)
            if same or (alike and len(children[0])):  # shared, or to be merged inside
                if run:
                    flush()
                out.append(self.merged(children))
            else:
                run.append(j)
        if run:
            flush()
        out.append(f"</{_tag(first)}>")
        return "".join(out)


def _tag(element: ET.Element) -> str:
    return element.tag.replace(SVG_NS, "")


def _content(element: ET.Element) -> str:
    return html.escape((element.text or "").strip(), quote=False)


def _attributes(element: ET.Element) -> str:
    return "".join(
        f' {_prefixed(key)}="{html.escape(value, quote=True)}"'
        for key, value in element.attrib.items()
        if key != "id"
    )


def _prefixed(name: str) -> str:
    for namespace, prefix in PREFIXES.items():
        if name.startswith(namespace):
            return prefix + name[len(namespace):]
    if name.startswith("{"):
        raise ValueError(f"shared_svg: attribute {name} in an unknown namespace")
    return name


def _own(element: ET.Element) -> tuple:
    return element.tag, tuple(sorted(element.attrib.items())), (element.text or "").strip()


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
""" + VIEWPORT + """
<title>{title}</title>
<style>{style}
  h2 {{ font-size: 1.05em; margin: 0.4em 0; }}
  .panels {{ display: grid; gap: 0.8em 1.2em;
            grid-template-columns: repeat(auto-fit, minmax(min(100%, 24em), 1fr)); }}
  svg.chart {{ display: block; width: 100%; max-width: 36em; height: auto;
              font: 15px sans-serif; }}
  .numbers table {{ border-collapse: collapse; font-variant-numeric: tabular-nums; }}
  .numbers th, .numbers td {{ text-align: left; padding: 0.15em 0.45em 0.15em 0;
                              white-space: nowrap; }}
  .numbers td.wrap {{ white-space: normal; }}
  .numbers {{ overflow-x: auto; }}
  @media (max-width: 480px) {{ .numbers table {{ font-size: 0.88em; }} }}
  .numbers caption {{ text-align: left; color: #666666; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>{summary}
<label class="fitting"><input id="fit" type="checkbox"> whole picture</label></p>
{controls}
<div class="panels">
<div>{loss}
{numbers}</div>
<div>{boundary}</div>
</div>
{graph}
<noscript><p>This page needs JavaScript to move from one iteration to the next.</p></noscript>
<script>{script}</script>
</body>
</html>
"""
