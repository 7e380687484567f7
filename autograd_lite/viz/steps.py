"""Back-propagation one gradient at a time: frames that all share one layout."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

import graphviz
import numpy as np

from ..node import Node
from . import renderer as _renderer
from .dot import Drawing, Options, _view, options_for
from .graph import GraphView, backward_order
from .text import escape, summary

PINNED = ("-Kneato", "-n2")  # keep the positions written in the DOT
GAP = 12.0  # points between the picture and the caption or notes


@dataclass(frozen=True)
class Frame:
    """One step: ``node``'s gradient has just become known (None in frame 0, forward only).

    ``dot`` is the frame with its caption above the picture, ``picture`` the same without it
    (for a page that prints the caption as text). Both carry fixed positions: render them with
    ``frame.render(fmt)`` (neato -n2), so that every frame puts every box in the same place.
    """

    index: int
    caption: str
    node: Node | None
    dot: graphviz.Digraph
    picture: graphviz.Digraph

    def render(
        self, fmt: str, renderer: str | os.PathLike[str] | None = None, *, caption: bool = True
    ) -> bytes:
        """This frame as ``fmt`` (svg, png, ...) bytes; ``caption=False`` leaves it out."""
        source = (self.dot if caption else self.picture).source
        return _renderer.run(source, fmt, renderer, engine=PINNED)


def backprop_steps(
    node: Node,
    *,
    renderer: str | os.PathLike[str] | None = None,
    formulas: bool | None = None,
    closed_form: bool | None = None,
    max_nodes: int | None = 500,
    hide_constants: bool | None = None,
    number_format: str = ".4g",
    view: str = "auto",
) -> list[Frame]:
    """Frame 0 shows the forward values; then one frame per gradient, in the order backward()
    computes them, the new gradient and the edges that carried it highlighted.

    The gradients are the nodes' ``.grad``; if backward() has not run, they are computed by
    one backward() and the ``.grad`` of every node put back as it was. The graph is laid out
    once (the renderer runs here); options are as for ``to_dot`` (``view`` too), with the
    backward lane on.
    """
    if not isinstance(node, Node) or not node.requires_grad:
        raise RuntimeError(
            f"backprop_steps: {node!r} does not require a gradient (no node it was computed "
            "from has requires_grad=True), so back-propagation has no steps to show"
        )
    view = _view(node, max_nodes, hide_constants, view)
    options = options_for(view, formulas, True, closed_form, number_format)
    grads = _gradients(node)
    order = [n for n in backward_order(node) if n in view]
    final = Drawing(view, options, grad_of=lambda n: grads.get(id(n)))
    captions = [_caption(view, final, order, k) for k in range(len(order) + 1)]
    pins = _layout(final.digraph(notes=False).source, renderer)
    extras = _place_extras(pins, captions, final.notes(), renderer, first_id=2 * len(view.nodes))
    frames = []
    for k, caption in enumerate(captions):
        known = {id(n): grads[id(n)] for n in order[:k]}  # the gradients found so far
        new = order[k - 1] if k else None
        drawing = Drawing(view, options, grad_of=lambda n, known=known: known.get(id(n)),
                          new=new, pins=pins)
        picture = drawing.digraph(notes=False)
        (caption_id, caption_label, caption_attrs), *notes = extras[k]
        for node_id, label, attrs in notes:
            picture.node(node_id, f"<{label or drawing.notes()}>", **attrs)
        dot = picture.copy()
        dot.node(caption_id, f"<{caption_label}>", **caption_attrs)
        frames.append(Frame(k, caption, new, dot, picture))
    return frames


def one_layout(
    roots: list[Node],
    *,
    renderer: str | os.PathLike[str] | None = None,
    formulas: bool | None = None,
    backward: bool | None = None,
    closed_form: bool | None = None,
    max_nodes: int | None = 500,
    hide_constants: bool | None = None,
    number_format: str = ".4g",
    view: str = "auto",
) -> list[graphviz.Digraph]:
    """Pictures of graphs of one shape (the same model at other numbers) that put every box in
    the same place: laid out once, from the graph with the longest labels, then pinned.

    Render each with ``renderer.run(source, fmt, engine=PINNED)``. The options are as for
    ``to_dot`` (``view`` too); the notes under the picture are left out.
    """
    views = [_view(root, max_nodes, hide_constants, view) for root in roots]
    shapes = {tuple(len(part) for part in (v.nodes, v.edges)) for v in views}
    if len(shapes) != 1:
        raise ValueError(f"one_layout: the graphs differ in shape ({sorted(shapes)} nodes, edges)")
    opts = options_for(views[0], formulas, backward, closed_form, number_format)
    pins = _layout(_longest_labels(views, opts), renderer)
    return [Drawing(view, opts, pins=pins).digraph(notes=False) for view in views]


def _longest_labels(views: list[GraphView], opts: Options, sample: int = 8) -> str:
    """The DOT of the drawing with the longest labels. Only the few whose numbers print
    longest are drawn to find it: the rest differ from them in their numbers alone."""

    def printed(view: GraphView) -> int:
        numbers = [summary(v, opts.number_format) for n in view.nodes for v in (n.value, n.grad)]
        return sum(len(text) for text in numbers)

    widest = sorted(views, key=printed, reverse=True)[:sample]
    return max((Drawing(view, opts).digraph(notes=False).source for view in widest), key=len)


def _gradients(root: Node) -> dict[int, np.ndarray]:
    """id(node) -> gradient for every node backward() reaches from ``root``."""
    order = backward_order(root)
    if all(n.grad is not None for n in order):
        return {id(n): n.grad for n in order}
    saved = [(n, n.grad) for n in order]
    try:
        for n in order:
            n.grad = None
        root.backward()
        return {id(n): n.grad for n in order}
    finally:  # the caller's graph is left as it was
        for n, grad in saved:
            n.grad = grad


def _caption(view: GraphView, drawing: Drawing, order: list[Node], k: int) -> str:
    total = len(order)
    if k == 0:
        return (f"Step 0 of {total}: the forward pass has computed every value, left to right. "
                f"No gradient is known yet.")
    node = order[k - 1]
    name = view.grad_name(node)
    value = summary(drawing.grad_of(node), drawing.options.number_format)
    if node is view.root:
        return (f"Step 1 of {total}: backward starts at the output: "
                f"{view.grad_label(node)} = 1.")
    rule = drawing.chain_rule_lines(node)[0]  # "= da * a(1-a) = a - y": the lesson's identity
    text = f"Step {k} of {total}: {name} {rule} = {value}"
    if view.kind(node) == "parameter":
        text += f"   (gradient descent: {view.title(node)} := {view.title(node)} - alpha*{name})"
    return text + "."


def _caption_label(caption: str) -> str:
    return f'<table border="0"><tr><td><b>{escape(caption)}</b></td></tr></table>'


def _layout(source: str, renderer: str | os.PathLike[str] | None) -> dict[str, dict[str, str]]:
    """Lay the graph out once with dot; return the position attributes of every object."""
    laid = json.loads(_renderer.run(source, "json", renderer))
    pins: dict[str, dict[str, str]] = {"graph": {"bb": laid["bb"]}}
    for obj in laid.get("objects", []):
        if "bb" in obj:  # a cluster: its frame is kept too
            pins["cluster:" + obj["name"]] = {k: obj[k] for k in ("bb", "lp") if k in obj}
        elif "pos" in obj:
            pins["node:" + obj["name"]] = {
                "pos": obj["pos"] + "!", "width": obj["width"], "height": obj["height"],
                "fixedsize": "true",
            }
    for edge in laid.get("edges", []):
        if "id" in edge and "pos" in edge:
            pins["edge:" + edge["id"]] = {k: edge[k] for k in ("pos", "lp") if k in edge}
    return pins


def _place_extras(
    pins: dict[str, dict[str, str]],
    captions: list[str],
    notes: str,
    renderer: str | os.PathLike[str] | None,
    first_id: int,
) -> list[list[tuple[str, str, dict[str, str]]]]:
    """Each frame's caption above the picture and the notes below it, as (id, label, attrs).

    Every box is measured by the renderer and put with its left side at the picture's left
    side: whatever its width, it then never moves the rest of the frame.
    """
    labels = [_caption_label(c) for c in captions] + ([notes] if notes else [])
    probe = graphviz.Digraph()
    for i, label in enumerate(labels):
        probe.node(str(i), f"<{label}>", **_EXTRA_STYLE)
    laid = json.loads(_renderer.run(probe.source, "json", renderer))
    sizes = {int(o["name"]): (float(o["width"]), float(o["height"])) for o in laid["objects"]}
    x0, y0, _x1, y1 = (float(v) for v in pins["graph"]["bb"].split(","))
    x0 += 2  # a hair inside: a box measured a rounding error wider must not move the left edge
    height = max(sizes[i][1] for i in range(len(captions)))
    extras = []
    for i in range(len(captions)):
        width = sizes[i][0]
        attrs = _EXTRA_STYLE | {"pos": _pos(x0 + width * 36, y1 + GAP + height * 36),
                                "height": str(height)}
        extras.append([(str(first_id), labels[i], attrs)])
    if notes:
        width, h = sizes[len(captions)]
        attrs = _EXTRA_STYLE | {"pos": _pos(x0 + width * 36, y0 - GAP - h * 36),
                                "penwidth": "0", "fillcolor": "white"}
        for frame_extras in extras:
            frame_extras.append((str(first_id + 1), "", attrs))  # label: the frame's own notes
    return extras


_EXTRA_STYLE = {"shape": "box", "style": "filled,rounded", "fillcolor": "#fffde7",
                "color": "#dddddd", "fontname": "Helvetica", "fontsize": "12", "margin": "0.1"}


def _pos(x: float, y: float) -> str:
    return f"{x:.2f},{y:.2f}!"  # points; "!" pins it
