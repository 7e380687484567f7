"""Graph -> DOT: the forward lane of values, the backward lane of gradients, the closed form."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import graphviz
import numpy as np

from ..node import Node
from . import renderer as _renderer
from .expr import Expr, Num, Sym, plus, spaced
from .graph import Edge, GraphView, paren
from .lesson import Check, course_notes, lesson_checks
from .text import escape, number, shape_line, summary

SMALL = 30  # graphs up to this many nodes get formulas and the backward lane by default
COPY_USERS = 4  # in large graphs, a leaf with more users is drawn beside each of them
RED, BLUE, GREY, UNKNOWN = "#c62828", "#1565c0", "#666666", "#aaaaaa"
HIGHLIGHT = "#ffe082"  # the gradient that has just become known, in step frames
KIND_STYLE = {  # each kind its own shape and colour: data a cylinder, parameters rounded
    "input": {"shape": "cylinder", "style": "filled", "fillcolor": "#eeeeee", "color": "#777777"},
    "constant": {"shape": "note", "style": "filled", "fillcolor": "#fafafa", "color": "#999999"},
    "parameter": {
        "shape": "box", "style": "filled,rounded,bold", "fillcolor": "#e3eeff", "color": BLUE
    },
    "op": {"shape": "ellipse", "style": "filled", "fillcolor": "#fff8e1", "color": "#b08900"},
    "loss": {"shape": "doubleoctagon", "style": "filled", "fillcolor": "#fde7e7", "color": RED},
}
GRAPH_ATTR = {
    "rankdir": "LR", "newrank": "true", "nodesep": "0.3", "ranksep": "0.45",
    "fontname": "Helvetica", "bgcolor": "white",
}


@dataclass(frozen=True)
class Style:
    """Font sizes (points) and spacing; the named view is drawn compact, to fit a laptop."""

    node_font: int = 12
    detail_font: int = 10  # kinds, shapes, chain rules
    edge_font: int = 10
    nodesep: str = "0.3"
    ranksep: str = "0.45"


OPS_STYLE = Style(detail_font=9)
NAMED_STYLE = Style(node_font=12, detail_font=10, edge_font=10, nodesep="0.15", ranksep="0.3")


class Picture(graphviz.Digraph):
    """A ``graphviz.Digraph`` that Jupyter shows through this package's renderer (``dot`` or
    graphviz-pure), so a notebook on a machine without system Graphviz still draws it."""

    def _repr_mimebundle_(self, include=None, exclude=None, **_):  # noqa: ANN001 (IPython's)
        try:
            svg = _renderer.run(self.source, "svg").decode("utf-8")
        except (_renderer.RendererNotFoundError, _renderer.RenderError) as err:
            return {"text/plain": f"{self!r}\n(cannot draw it: {err})"}
        return {"image/svg+xml": svg}

    def _repr_svg_(self) -> str | None:
        return self._repr_mimebundle_().get("image/svg+xml")


@dataclass(frozen=True)
class Options:
    """What to draw; see ``to_dot``."""

    formulas: bool
    backward: bool
    closed_form: bool
    number_format: str


GradientSource = Callable[[Node], "np.ndarray | None"]


class Drawing:
    """Builds the Digraph of a GraphView. Step frames reuse it with some gradients hidden
    (``grad_of`` returns None for them) and the newest one (``new``) highlighted.
    """

    def __init__(
        self,
        view: GraphView,
        options: Options,
        grad_of: GradientSource | None = None,
        new: Node | None = None,
        pins: dict[str, dict[str, str]] | None = None,
    ):
        self.view, self.options, self.new = view, options, new
        self.pins = pins or {}  # positions from an earlier layout: every frame drawn alike
        self.grad_of: GradientSource = grad_of or (lambda node: node.grad)
        self.checks: list[Check] | None = lesson_checks(view.root) if options.closed_form else None
        self.course: dict[int, str] = course_notes(view.root)
        view.full_grad_names = bool(self.course)  # the course's dZ is m * dL/dZ: say dL/dZ
        # compact where ops were folded; a graph with nothing to fold looks as in the ops view
        self.style = NAMED_STYLE if view.folded else OPS_STYLE
        self.n = len(view.nodes)

    # numeric ids: forward node k is "k", its gradient box is "n + k"
    def fid(self, node: Node) -> str:
        return str(self.view.id(node))

    def gid(self, node: Node) -> str:
        return str(self.n + self.view.id(node))

    def fmt(self, value: np.ndarray | None) -> str:
        return escape(summary(value, self.options.number_format))

    def gradient_colour(self, node: Node) -> str:
        """Red, blue for a parameter's gradient, grey while not known yet (step frames)."""
        if self.grad_of(node) is None:
            return UNKNOWN
        return BLUE if self.view.kind(node) == "parameter" else RED

    def pin(self, key: str) -> dict[str, str]:
        return self.pins.get(key, {})

    # -- the whole picture ------------------------------------------------------------------------
    def digraph(self, notes: bool = True) -> graphviz.Digraph:
        """The picture; ``notes=False`` leaves the notes out (step frames place them apart)."""
        view, opts = self.view, self.options
        style = self.style
        dot = Picture("autograd_lite", graph_attr=GRAPH_ATTR | {
            "nodesep": style.nodesep, "ranksep": style.ranksep})
        dot.attr("node", fontname="Helvetica", fontsize=str(style.node_font), margin="0.08,0.04")
        dot.attr("edge", fontname="Helvetica", fontsize=str(style.edge_font), color=GREY,
                 arrowsize="0.7")
        graded = [n for n in view.nodes if n.requires_grad] if opts.backward else []
        # In this layout the lane declared first ends up lowest: backward first, forward on top.
        if graded:
            with dot.subgraph(name="cluster_backward") as lane:
                self.lane_style(lane, "backward pass: gradients, right to left (chain rule)", RED)
                for node in reversed(graded):
                    style = self.gradient_style(node) | self.pin("node:" + self.gid(node))
                    lane.node(self.gid(node), self.gradient_label(node), **style)
        with dot.subgraph(name="cluster_forward") as lane:
            title = "forward pass: values, left to right" if graded else ""
            self.lane_style(lane, title, GREY, visible=bool(graded))
            copied = self.copied_leaves(bool(graded))
            for node in reversed(view.nodes):
                if id(node) not in copied:
                    look = KIND_STYLE[view.kind(node)] | self.exact_value(node)
                    look |= self.pin("node:" + self.fid(node))
                    lane.node(self.fid(node), self.forward_label(node), **look)
            for k, edge in enumerate(view.edges):
                if id(edge.parent) in copied:  # a copy beside each user
                    lane.node(str(2 * self.n + k), self.forward_label(edge.parent),
                              **KIND_STYLE[view.kind(edge.parent)])
        for k, edge in enumerate(view.edges):
            attrs = self.forward_edge(edge) | self.pin(f"edge:f{k}")
            tail = str(2 * self.n + k) if id(edge.parent) in copied else self.fid(edge.parent)
            dot.edge(tail, self.fid(edge.child), id=f"f{k}", **attrs)
        backward_edges = 0
        for node in graded:  # each gradient in its node's column, beneath it
            dot.body.append(f"\t{{rank=same; {self.fid(node)}; {self.gid(node)}}}\n")
            for edge in view.users(node):
                key, backward_edges = f"b{backward_edges}", backward_edges + 1
                attrs = self.backward_edge(edge) | self.pin("edge:" + key)
                dot.edge(self.gid(node), self.gid(edge.child), id=key, **attrs)
        text = self.notes() if notes else ""
        if text:
            dot.attr(label=f"<{text}>", labelloc="b", labeljust="l", fontsize="11")
        return dot

    def copied_leaves(self, backward_lane: bool) -> set[int]:
        """Leaves of a large graph used by more than COPY_USERS ops, drawn once per use.

        One leaf feeding ops at many depths (a shared weight) makes edges that span the
        whole picture, and dot slows down with their length; a copy beside each user avoids it.
        """
        if backward_lane or len(self.view.nodes) <= SMALL:
            return set()
        users: dict[int, int] = {}
        for edge in self.view.edges:
            if edge.parent.op is None:
                users[id(edge.parent)] = users.get(id(edge.parent), 0) + 1
        return {key for key, count in users.items() if count > COPY_USERS}

    def lane_style(
        self, lane: graphviz.Digraph, title: str, colour: str, visible: bool = True
    ) -> None:
        if visible:
            lane.attr(label=f"<<b>{escape(title)}</b>>", labeljust="l", fontcolor=colour,
                      style="rounded,dashed", color=colour, fontsize="12", margin="10")
        else:
            lane.attr(label="", style="invis", margin="4")
        lane.attr(**self.pin("cluster:" + lane.name))

    # -- forward lane -----------------------------------------------------------------------------
    def forward_label(self, node: Node) -> str:
        view = self.view
        kind = view.kind(node)
        rows = [f"<b>{escape(view.header(node))}</b>"]
        detail = kind if node.op is None else f"{kind}: {node.op.name}"
        small = self.style.detail_font
        rows.append(f'<font point-size="{small}" color="{GREY}">{escape(detail)}</font>')
        shape = shape_line(node.value)
        if shape:
            rows.append(f'<font point-size="{small}">{escape(shape)}</font>')
        rows.append(f"= {self.fmt(view.shown(node))}")
        if node.requires_grad:
            colour = self.gradient_colour(node)
            text = f"{escape(view.grad_label(node))} = {self.fmt(self.grad_of(node))}"
            rows.append(f'<font color="{colour}">{text}</font>')
        return _table(rows)

    def exact_value(self, node: Node) -> dict[str, str]:
        """Where rounding noise is drawn as 0, the exact value in the SVG's tooltip."""
        shown = self.view.shown(node)
        if shown is node.value:
            return {}
        exact = " ".join(number(v, ".17g") for v in np.ravel(node.value)[:8])
        return {"tooltip": f"exact value {exact} (rounding noise, drawn as 0)"}

    def forward_edge(self, edge: Edge) -> dict[str, str]:
        """The edge's derivative: ``dz/dw1 = x1 = 1``; its value alone where no short formula
        comes out; the shapes where an array's derivative is no number per element."""
        attrs = {}
        if self.options.formulas and edge.parent.requires_grad:
            view = self.view
            parts = [view.derivative(edge)]
            formula, value = view.formula(edge), view.local_value(edge)
            if formula is not None:
                parts.append(formula)
            shown = None if value is None else summary(value, self.options.number_format)
            if shown is not None and shown != formula:
                parts.append(shown)
            if len(parts) == 1:
                parts.append(f"{edge.child.shape} by {edge.parent.shape}")
            text = escape(" = ".join(parts))
            size = self.style.edge_font
            attrs["label"] = f'<<font point-size="{size}" color="#444444">{text}</font>>'
        return attrs

    # -- backward lane ----------------------------------------------------------------------------
    def gradient_label(self, node: Node) -> str:
        view = self.view
        colour = self.gradient_colour(node)
        title = f"<b>{escape(view.grad_name(node))}</b>"
        if node.name is not None and view.grad_name(node) != view.grad_label(node):
            # the lesson's "dL/dz (code variable: dz)"
            title += f" = {escape(view.grad_label(node))}"
        rows = [f'<font color="{colour}">{title}</font>']
        small = self.style.detail_font
        if self.options.formulas:
            for line in self.chain_rule_lines(node):
                rows.append(f'<font point-size="{small}" color="{colour}">{escape(line)}</font>')
        rows.append(f'<font color="{colour}">= {self.fmt(self.grad_of(node))}</font>')
        if self.options.formulas and view.kind(node) == "parameter":  # what the gradient is for
            name = escape(view.title(node))
            rows.append(f'<font point-size="{small}" color="{GREY}">update: {name} := {name} - '
                        f"alpha*{escape(view.grad_name(node))}</font>")
        return _table(rows)

    def chain_rule_lines(self, node: Node) -> list[str]:
        """The chain rule's line(s) in the node's gradient box: ``= da * a(1-a) = a - y``,
        then the course's own form where it differs (the 1/m of a mean)."""
        rule = self.chain_rule(node)
        if node is self.view.grad_root or node is self.view.root:  # where the rule starts
            return [rule]
        simpler = self.view.simplification(node)
        if simpler is None or simpler == rule:
            lines = [f"= {rule}"]
        else:
            lines = [f"= {rule} = {simpler}"]
        note = self.course.get(id(node))
        if note:
            lines.append(note)
        return lines

    def chain_rule(self, node: Node) -> str:
        """dL/d(node) as the sum over its users of (local derivative) x (their gradient)."""
        view = self.view
        if node is view.grad_root:
            return "(backward starts here)"
        if node is view.root:  # backward started further on, beyond the picture
            start = view.grad_root.name or "the output"
            return f"(from {start}, beyond this picture)"
        terms = []
        for edge in view.users(node):
            upstream = view.grad_name(edge.child)
            if edge.child is view.grad_root and edge.child.size == 1:
                seed: Expr = Num(1)  # dL/dL = 1: the lesson writes da = -y/a + ...
            else:
                seed = Sym(upstream, unit=True)
            term = view.vjp(edge, seed)
            if term is None:  # no formula for some op on the way: name the derivative
                term = Sym(f"{upstream} * {paren(view.formula(edge) or view.derivative(edge))}")
            terms.append(term)
        if len(terms) > 3:
            return " + ".join(spaced(t) for t in terms[:3]) + f" + ... ({len(terms)} paths)"
        return spaced(plus(*terms)) if terms else "?"

    def gradient_style(self, node: Node) -> dict[str, str]:
        colour = self.gradient_colour(node)
        fill = {BLUE: "#eef4ff", RED: "#fdecec", UNKNOWN: "white"}[colour]
        fill = HIGHLIGHT if node is self.new else fill
        width = "2.5" if node is self.new else "1"
        return {"shape": "box", "style": "filled,rounded", "color": colour, "fillcolor": fill,
                "penwidth": width}

    def backward_edge(self, edge: Edge) -> dict[str, str]:
        """Drawn parent-gradient -> child-gradient so ranks stay left to right; ``dir=back``
        puts the arrowhead on the parent's side: the gradient flows right to left.
        """
        colour = self.gradient_colour(edge.parent)  # grey until the gradient has flowed
        attrs = {"dir": "back", "color": colour, "fontcolor": colour}
        value = self.view.local_value(edge)
        size = self.style.edge_font
        formula = self.view.formula(edge)
        if value is not None:
            factor = self.fmt(value)
            factor = f"({factor})" if factor.startswith("-") else factor
            attrs["label"] = f'<<font point-size="{size}">* {factor}</font>>'
        elif self.options.formulas and formula is not None and not self.view.has_jacobian(edge):
            factor = escape(paren(formula))
            attrs["label"] = f'<<font point-size="{size}">* {factor}</font>>'
        if edge.parent is self.new:
            attrs["penwidth"] = "3"
        return attrs

    # -- notes under the picture -----------------------------------------------------------------
    def notes(self) -> str:
        """What goes under the picture (the max_nodes note, the closed-form box), as HTML."""
        parts = []
        if self.view.omitted:
            parts.append(
                f"<tr><td align=\"left\">Showing the {len(self.view.nodes)} nodes nearest the "
                f"output; {self.view.omitted} of {self.view.total} left out (max_nodes).</td></tr>"
            )
        if self.checks:
            parts.append(f"<tr><td>{self.closed_form_table()}</td></tr>")
        return f'<table border="0">{"".join(parts)}</table>' if parts else ""

    def closed_form_table(self) -> str:
        head = ["gradient", "by backward()", "lesson's closed form", "value", "same?"]
        rows = ["<tr>" + "".join(f'<td bgcolor="#eeeeee"><b>{h}</b></td>' for h in head) + "</tr>"]
        for check in self.checks or []:
            autodiff = self.grad_of(check.node)
            agrees = "-" if autodiff is None else ("yes" if check.agrees(autodiff) else "NO")
            cells = [f"<b>{escape(check.grad_name)}</b>", self.fmt(autodiff),
                     escape(check.formula), self.fmt(np.float64(check.closed_form)), agrees]
            colour = BLUE if check.grad_name not in ("da", "dz") else RED
            rows.append("<tr>" + "".join(f'<td><font color="{colour}">{c}</font></td>'
                                         for c in cells) + "</tr>")
        title = ('<tr><td colspan="5"><b>Autodiff against the lesson\'s closed form</b>'
                 "</td></tr>")
        return f'<table border="1" cellborder="1" cellspacing="0" cellpadding="4">{title}' \
               f'{"".join(rows)}</table>'


def _table(rows: list[str]) -> str:
    cells = "".join(f"<tr><td>{row}</td></tr>" for row in rows)
    return f'<<table border="0" cellborder="0" cellspacing="0" cellpadding="1">{cells}</table>>'


def options_for(
    view: GraphView,
    formulas: bool | None,
    backward: bool | None,
    closed_form: bool | None,
    number_format: str,
) -> Options:
    """Fill in the automatic defaults: formulas and backward lane for small graphs, the
    closed-form box when the graph is the lesson's.
    """
    small = len(view.nodes) <= SMALL
    try:
        format(1.5, number_format)
    except (ValueError, TypeError) as err:
        message = f"viz: number_format {number_format!r} is not a number format: {err}"
        raise ValueError(message) from None
    if closed_form and lesson_checks(view.root) is None:
        raise ValueError(
            "viz: closed_form=True, but this is not the lesson's graph (L = "
            "binary_cross_entropy(a, y), a = sigmoid(z), z = sum of w_i*x_i and b, all scalars)"
        )
    return Options(
        formulas=small if formulas is None else bool(formulas),
        backward=small if backward is None else bool(backward),
        closed_form=(lesson_checks(view.root) is not None) if closed_form is None else closed_form,
        number_format=number_format,
    )


def to_dot(
    node: Node,
    *,
    formulas: bool | None = None,
    backward: bool | None = None,
    closed_form: bool | None = None,
    max_nodes: int | None = 500,
    hide_constants: bool | None = None,
    number_format: str = ".4g",
    view: str = "auto",
) -> Picture:
    """The graph behind ``node`` as a ``graphviz.Digraph`` (``.source`` is the DOT text; in
    Jupyter it draws itself through this package's renderer).

    ``view``: "named" draws the named quantities, each unnamed op folded into the named node
    it flows into, as the lesson's figure (``z = w1*x1 + w2*x2 + b``, ``a``, ``L``); "ops" draws
    one box per op; "auto" (default) is "named" when an op node other than ``node`` has a
    name, else "ops".

    ``formulas``: local derivatives on the edges; ``backward``: the lane of gradients beneath
    the values; both default to on for graphs of up to 30 nodes. ``closed_form``: the box
    comparing autodiff with the lesson's formulas; by default shown when ``node`` is the
    lesson's loss ``L`` (see ``lesson.lesson_checks``). ``max_nodes`` keeps the nodes nearest
    the output (None: all); ``hide_constants`` (default: for graphs over 30 nodes) leaves out
    unnamed numbers; ``number_format`` is a format spec such as ".4g" or ".3f".
    """
    graph = _view(node, max_nodes, hide_constants, view)
    options = options_for(graph, formulas, backward, closed_form, number_format)
    return Drawing(graph, options).digraph()


def _view(
    node: Node, max_nodes: int | None, hide_constants: bool | None, view: str = "auto"
) -> GraphView:
    return GraphView(node, max_nodes=max_nodes, hide_constants=hide_constants, small=SMALL,
                     view=view)
