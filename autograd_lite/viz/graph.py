"""What to draw: the nodes chosen, their kinds and names, the edges and their local derivatives."""

from __future__ import annotations

import operator
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..node import Node, backward_roots
from ..ops import identities
from .expr import (
    ATOM,
    Call,
    Expr,
    Neg,
    Num,
    Pow,
    Prod,
    Quot,
    Sum,
    Sym,
    TemplateError,
    divide,
    parse,
    plus,
    simplify,
    times,
)
from .noise import error_bounds, without_noise
from .text import number

VIEWS = ("auto", "named", "ops")
KINDS = ("input", "parameter", "constant", "op", "loss")
INFIX = {"+": 1, "-": 1, "*": 2, "/": 2, "@": 2, "**": 3}  # symbol -> precedence
ELEMENTWISE = {"add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sigmoid", "tanh", "relu"}
MAX_EXPRESSION = 28  # an unnamed node titled by a longer expression gets its op's symbol
MAX_HEADER = 64  # a named node's box writes what computed it up to this length
MAX_FORMULA = 32  # a longer derivative through a folded box is shown by its value alone
MAX_NAME = 80  # longer names are cut, so one odd name cannot stretch the whole picture


@dataclass(frozen=True)
class Edge:
    """``parent`` is input number ``index`` of ``child``; index None: ``parent`` is an input
    of the folded box ``child`` heads (named view), used by one or more of its ops."""

    parent: Node
    child: Node
    index: int | None


def topological(root: Node) -> list[Node]:
    """Every node behind ``root``, each after the nodes it was computed from (no recursion)."""
    order: list[Node] = []
    seen: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in reversed(node.parents) if id(p) not in seen)
    return order


def backward_order(root: Node) -> list[Node]:
    """The nodes that get a gradient, in the order backward() completes them."""
    return root.backward_order() if root.requires_grad else []


def wrap_name(name: str) -> str:
    """A name after "d", as in ``dz``: wrapped unless a plain identifier, ``d(w1*x1)``."""
    return name if name.isidentifier() else f"({name})"


def paren(text: str) -> str:
    """Wrap text in parentheses when it has a sum or a space outside any: ``(w1*x1 + b)``,
    but ``a(1-a)``, ``x1``, ``-2``, ``w*x`` as they are.
    """
    if not any(ch.isalnum() for ch in text):  # a bare symbol, as in d(*) or [(-)>0]
        return f"({text})"
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and (ch.isspace() or (ch in "+-" and i > 0)):
            return f"({text})"
    return text


class GraphView:
    """The part of the graph behind ``root`` that gets drawn, and how each node is called.

    ``view="ops"`` draws one box per op. ``view="named"`` draws the named quantities: an
    unnamed op node is folded into the named op node it flows into (the *group* of that
    head), and each edge runs from an input straight to the head that uses it, carrying the
    derivative through the group (the sum over paths of the products of local derivatives).
    ``view="auto"`` is "named" when an op node other than the root has a name, else "ops".

    ``max_nodes`` keeps the nodes nearest the output (breadth first from ``root``);
    ``hide_constants`` leaves out unnamed leaves that need no gradient (wrapped numbers);
    None hides them when the whole graph has more than ``small`` nodes.
    """

    def __init__(
        self,
        root: Node,
        max_nodes: int | None = None,
        hide_constants: bool | None = False,
        small: int = 30,
        view: str = "auto",
    ):
        if not isinstance(root, Node):
            raise TypeError(f"viz: expected a Node to draw, got {type(root).__name__}")
        if max_nodes is not None and (not isinstance(max_nodes, int) or max_nodes < 1):
            raise ValueError(f"viz: max_nodes must be a positive int or None, got {max_nodes!r}")
        if view not in VIEWS:
            raise ValueError(f"viz: view must be one of {', '.join(map(repr, VIEWS))}, "
                             f"got {view!r}")
        self.root = root
        self.everything = everything = topological(root)  # inputs first
        self.total = len(everything)
        if view == "auto":
            named = any(n.op is not None and n.name is not None and n is not root
                        for n in everything)
            view = "named" if named else "ops"
        self.mode = view
        if hide_constants is None:
            hide_constants = self.total > small
        self.grad_root = gradient_root(root)  # whose derivatives the gradients are
        keep = self._nearest(root, max_nodes, hide_constants)
        kept = [n for n in everything if id(n) in keep]
        self._expressions: dict[int, Expr | None] = {}
        for node in everything:  # inputs first, so each expression finds its operands' ready
            self.expression_of(node)
        self.bounds = error_bounds(kept)  # (a node left out counts as exact: first order)
        self.head = self._heads(kept)  # id(op node) -> id of the box it is drawn in
        self.groups: dict[int, list[Node]] = {}  # id(head) -> the op nodes drawn in its box
        for node in kept:
            if node.op is not None:
                self.groups.setdefault(self.head[id(node)], []).append(node)
        self.nodes = [n for n in kept if self._drawn(n, hide_constants)]
        self.ids = {id(n): i for i, n in enumerate(self.nodes)}
        self.omitted = self.total - len(kept)  # (folded ops and numbers in formulas are shown)
        self.edges = self._edges()
        self._users: dict[int, list[Edge]] = {}
        for edge in self.edges:
            if edge.child.requires_grad:
                self._users.setdefault(id(edge.parent), []).append(edge)
        self._locals: dict[int, tuple] = {}
        self._through: dict[int, dict[int, tuple[Expr | None, np.ndarray | None]]] = {}
        self._real_users: dict[int, list[tuple[Node, int]]] | None = None  # made when asked
        self.full_grad_names = False

    def _nearest(self, root: Node, max_nodes: int | None, hide_constants: bool) -> set[int]:
        keep: set[int] = set()
        queue, seen = deque([root]), {id(root)}
        while queue and (max_nodes is None or len(keep) < max_nodes):
            node = queue.popleft()
            if not (hide_constants and node is not root and self.kind(node) == "constant"):
                keep.add(id(node))
            for parent in node.parents:
                if id(parent) not in seen:
                    seen.add(id(parent))
                    queue.append(parent)
        return keep

    # -- groups: which box each op node is drawn in ---------------------------------------------
    def _heads(self, kept: list[Node]) -> dict[int, int]:
        """An op node heads its own box when it is named, the root, or used by several boxes
        (ops view: always); otherwise it goes into the box of the node using it."""
        ids = {id(n) for n in kept}
        users: dict[int, list[Node]] = {}
        for node in kept:
            for parent in node.parents:
                if id(parent) in ids:
                    users.setdefault(id(parent), []).append(node)
        head: dict[int, int] = {}
        for node in reversed(kept):  # each node's users come before it
            if node.op is None:
                continue
            boxes = {head[id(u)] for u in users.get(id(node), [])}
            alone = self.mode == "ops" or node.name is not None or node is self.root
            head[id(node)] = id(node) if alone or len(boxes) != 1 else boxes.pop()
        return head

    @property
    def folded(self) -> int:
        """How many op nodes are drawn inside another's box (named view)."""
        return sum(len(members) - 1 for members in self.groups.values())

    def _drawn(self, node: Node, hide_constants: bool) -> bool:
        if node.op is not None:
            return self.head[id(node)] == id(node)
        if self.mode == "named" and self.kind(node) == "constant" and node.size == 1:
            # a number inside a folded box is written in its formula: no box of its own
            users = [h for h, members in self.groups.items()
                     if any(p is node for m in members for p in m.parents)]
            return not all(len(self.groups[h]) > 1 for h in users)
        return True

    def _edges(self) -> list[Edge]:
        """Into a box of one op, one edge per input slot (as the op sees them); into a folded
        box, one edge per distinct input, in the order the formula names them."""
        edges = []
        for node in self.nodes:
            members = self.groups.get(id(node), [])
            if len(members) <= 1:
                edges.extend(Edge(p, node, i) for i, p in enumerate(node.parents)
                             if id(p) in self.ids)
                continue
            inside = {id(m) for m in members}
            seen: set[int] = set()
            stack = [iter(node.parents)]
            while stack:  # depth first, left to right: w1, x1, w2, x2, b
                parent = next(stack[-1], None)
                if parent is None:
                    stack.pop()
                elif id(parent) in inside:
                    stack.append(iter(parent.parents))
                elif id(parent) in self.ids and id(parent) not in seen:
                    seen.add(id(parent))
                    edges.append(Edge(parent, node, None))
        return edges

    def __contains__(self, node: Node) -> bool:
        return id(node) in self.ids

    def id(self, node: Node) -> int:
        return self.ids[id(node)]

    # -- kinds and names ----------------------------------------------------------------------
    def kind(self, node: Node) -> str:
        """input (named data), parameter, constant (unnamed data), op, or loss (the output,
        when its op is a loss (``is_loss``) and backward started there; any other output, as
        micrograd's ``o = tanh(n)``, is an op like the others)."""
        if node.op is not None:
            output = node is self.root and node is self.grad_root and node.size == 1
            return "loss" if output and node.op.is_loss else "op"
        if node.requires_grad:
            return "parameter"
        return "constant" if node.name is None else "input"

    def title(self, node: Node) -> str:
        """The node's name; else what computed it (``w1*x1``) when short; else its op's symbol."""
        if node.name is not None:
            name = str(node.name)
            return name if len(name) <= MAX_NAME else name[: MAX_NAME - 3] + "..."
        expression = self.expression(node)
        if expression is not None and len(expression) <= MAX_EXPRESSION:
            return expression
        if node.op is not None:
            return node.op.symbol
        return number(node.value.reshape(())) if node.size == 1 else "const"

    def operand(self, node: Node) -> Expr:
        """The node as it appears in a formula: its name, its number, or what computed it."""
        if node.name is None and node.op is None and node.size == 1:
            return Num(float(node.value.reshape(())))
        if node.name is None and node.op is not None:
            inner = self.expression_of(node)
            if inner is not None:
                return inner
        return Sym(self.title(node))

    def expression(self, node: Node) -> str | None:
        """How the node was computed, from its inputs' names, or None when too long to show."""
        expr = self.expression_of(node)
        return None if expr is None else str(expr)

    def expression_of(self, node: Node) -> Expr | None:
        key = id(node)
        if key not in self._expressions:
            expr = self._build_expression(node)
            fits = expr is not None and len(str(expr)) <= MAX_HEADER
            self._expressions[key] = expr if fits else None
        return self._expressions[key]

    def _build_expression(self, node: Node) -> Expr | None:
        if node.op is None:
            return None
        symbol, parents = node.op.symbol, node.parents
        operands = []
        for parent in parents:
            if parent.name is None and parent.op is not None and self.expression_of(parent) is None:
                return None  # an operand too long to write: so is this
            operands.append(self.operand(parent))
        if symbol in INFIX and len(operands) == 2:
            x, y = operands
            return {"+": lambda: Sum((x, y)), "-": lambda: Sum((x, Neg(y))),
                    "*": lambda: Prod((x, y)), "@": lambda: Prod((x, y), symbol="@"),
                    "/": lambda: Quot(x, y), "**": lambda: Pow(x, y, "**")}[symbol]()
        if "(" in symbol:  # the op writes its own call, e.g. "L(a,y)": in the inputs' names
            return Call(symbol[: symbol.index("(")], tuple(operands))
        if symbol == "[]" and len(operands) == 1:  # indexing: x[1], X[:, 0]
            key = getattr(node.op, "key", None)
            return Sym(f"{operands[0].wrapped(ATOM)}[{_key_text(key)}]", unit=True)
        if symbol == "-" and len(operands) == 1:
            return Neg(operands[0])
        if symbol == "T" and len(operands) == 1:
            return Pow(operands[0], Sym("T"))
        if symbol == "transpose" and len(operands) == 1:  # another order than the reversal
            return Sym(f"transpose({operands[0]}, {node.op.order})", unit=True)
        return Call(symbol, tuple(operands))

    def header(self, node: Node) -> str:
        """The first line of a node's box: ``z = w1*x1 + b``, ``L(a, y)``, ``w1*x1`` or ``+``."""
        expression = self.expression(node)
        name = self.title(node)
        if node.name is None or expression is None:
            return name
        if expression.startswith(name + "("):
            return expression
        return f"{name} = {expression}"

    def grad_name(self, node: Node) -> str:
        """The lesson's code name for dL/d(node): ``dz``, ``dw1``, ``d(w1*x1)``; or ``dL/dZ``
        in full where the course's dZ means something else (``full_grad_names``)."""
        if self.full_grad_names:
            return self.grad_label(node)
        return "d" + wrap_name(self.title(node))

    def derivative(self, edge: Edge) -> str:
        """``da/dz``: the child's name over the parent's."""
        return f"d{wrap_name(self.title(edge.child))}/d{wrap_name(self.title(edge.parent))}"

    def grad_label(self, node: Node) -> str:
        """``dL/dz``: the name of the node backward started from, over the node's."""
        root = self.grad_root
        top = wrap_name(str(root.name)) if root.name is not None else "out"
        return f"d{top}/d{wrap_name(self.title(node))}"

    def shown(self, node: Node) -> np.ndarray:
        """The node's value with rounding noise shown as 0 (see noise.py)."""
        return without_noise(node.value, self.bounds[id(node)])

    # -- local derivatives ----------------------------------------------------------------------
    def local_expr(self, edge: Edge) -> Expr | None:
        """d(child)/d(parent) as a formula; through a folded box, the sum over its paths."""
        if edge.index is None:
            if edge.child.size == 1 and self.has_jacobian(edge):  # a gradient: J^T 1
                return self.vjp(edge, Num(1))
            return self._through_group(edge)[0]
        return self._local(edge.child, edge.index)

    def _local(self, child: Node, index: int) -> Expr | None:
        templates = child.op.formulas
        if index >= len(templates):
            return None
        holes = self._holes(child)
        try:
            local = simplify(parse(templates[index], holes))
        except TemplateError:
            return Sym(child.op.local_derivative(index, *(str(holes.get(k, "")) for k in "xy"),
                                                 out=str(holes["out"])))
        divisor = getattr(child.op, "divisor", 1)  # a mean loss: each element's share is 1/m
        if divisor != 1 and index == 0:
            local = divide(local, Sym("m"))
        return local

    def _holes(self, child: Node) -> dict[str, Expr]:
        """What a template's {out}, {x}, {y}, {w} stand for at ``child``."""
        holes = {"out": self.operand(child) if child.name is None else Sym(self.title(child))}
        for key, parent in zip(("x", "y", "w"), child.parents, strict=False):
            holes[key] = self.operand(parent)
        return holes

    def formula(self, edge: Edge) -> str | None:
        """d(child)/d(parent) as text with the nodes' names (``a(1-a)``); None when no short
        formula comes out (the value is shown alone)."""
        expr = self.local_expr(edge)
        if expr is None:
            return None
        text = str(expr)
        return text if edge.index is not None or len(text) <= MAX_FORMULA else None

    def local_value(self, edge: Edge) -> np.ndarray | None:
        """d(child)/d(parent) as numbers, where it is one number per element; else None."""
        if edge.index is None:
            return self._through_group(edge)[1]
        return self._local_value(edge.child, edge.parent, edge.index)

    def _local_value(self, child: Node, parent: Node, index: int) -> np.ndarray | None:
        """Op.backward is pure, so feeding it ones gives the local derivatives of elementwise
        ops. Matmul, reductions and broadcasts have Jacobians, not one number per element.
        """
        if not parent.requires_grad or child.op is None:
            return None
        same = parent.shape == child.shape and child.op.name in ELEMENTWISE
        if not (same or (parent.size == 1 and child.size == 1)):
            return None
        key = id(child)
        if key not in self._locals:
            self._locals[key] = child.op.backward(np.ones_like(child.value))
        value = self._locals[key][index]
        return None if value is None else np.reshape(value, parent.shape)

    def _through_group(self, edge: Edge) -> tuple[Expr | None, np.ndarray | None]:
        """(formula, value) of d(head)/d(input) through the head's box: the chain rule inside
        it, seeded with 1 at the head (a sum over paths of products of local derivatives)."""
        head = edge.child
        if id(head) not in self._through:
            members = self.groups[id(head)]  # in topological order: the head last
            exprs: dict[int, Expr | None] = {id(head): Num(1)}
            values: dict[int, np.ndarray | None] = {id(head): np.ones(head.shape)}
            for node in reversed(members):
                for i, parent in enumerate(node.parents):
                    if not parent.requires_grad:
                        continue
                    local, upstream = self._local(node, i), exprs.get(id(node))
                    if i < len(node.op.grad_formulas) and upstream != Num(1):
                        local = None  # a Jacobian after other ops: no product of factors
                    step = None if local is None or upstream is None else times(upstream, local)
                    _accumulate(exprs, id(parent), step, plus)
                    value = self._local_value(node, parent, i)
                    before = values.get(id(node))
                    step_value = None if value is None or before is None else before * value
                    _accumulate(values, id(parent), step_value, operator.add)
            self._through[id(head)] = {k: (exprs.get(k), values.get(k)) for k in exprs}
        return self._through[id(head)].get(id(edge.parent), (None, None))

    def vjp(self, edge: Edge, upstream: Expr) -> Expr | None:
        """The chain rule along one edge as a formula: d(out)/d(parent) given ``upstream`` =
        d(out)/d(child): ``x1 * dz``, ``da * a(1-a)``, ``X^T @ dZ``, ``sum(dZ)``."""
        if edge.index is not None:
            return self._vjp_local(edge.child, edge.index, upstream)
        head = edge.child
        grads: dict[int, Expr | None] = {id(head): upstream}
        for node in reversed(self.groups[id(head)]):
            for i, parent in enumerate(node.parents):
                if parent.requires_grad:
                    before = grads.get(id(node))
                    step = None if before is None else self._vjp_local(node, i, before)
                    _accumulate(grads, id(parent), step, plus)
        return grads.get(id(edge.parent))

    def _vjp_local(self, child: Node, index: int, upstream: Expr) -> Expr | None:
        parent = child.parents[index]
        if index < len(child.op.grad_formulas):  # a Jacobian: the op writes J^T g itself
            return self._jacobian_vjp(child, index, upstream)
        local = self._local(child, index)
        if local is None:
            return None
        product = times(local, upstream) if _leads(local) else times(upstream, local)
        if parent.size < child.size and child.op.name in ELEMENTWISE:  # broadcast: summed back
            return Call("sum", (product,))
        return product

    def _jacobian_vjp(self, child: Node, index: int, upstream: Expr) -> Expr:
        """dL/d(input) from the op's ``grad_formulas`` (``s * (g - sum(g*s))``, ``X^T @ g``),
        for an op whose local derivative is a matrix, not a factor to multiply g by."""
        holes = self._holes(child)
        template = child.op.grad_formulas[index]
        if isinstance(upstream, Num) and child.size > 1 and "@" in template:
            # g is that number at every element: a matrix to multiply by, not a scalar
            ones = f"ones{child.shape}"
            upstream = Sym(ones if upstream.value == 1 else f"{upstream}*{ones}")
        holes["g"] = upstream
        try:
            return simplify(parse(template, holes))
        except TemplateError:  # prose (``g put back at [key]``): its holes filled in as text
            return Sym(template.format(**{k: v.wrapped(ATOM) for k, v in holes.items()}),
                       unit=True)

    def has_jacobian(self, edge: Edge) -> bool:
        """Whether the op at the edge's end has a Jacobian (its ``grad_formulas``), so that
        the gradient along the edge is no factor times the child's gradient."""
        if edge.index is not None:
            return edge.index < len(edge.child.op.grad_formulas)
        return any(node.op.grad_formulas for node in self.groups[id(edge.child)])

    def simplification(self, node: Node) -> str | None:
        """The lesson's identity for the gradient of ``node`` in the graph's names (``a - y``;
        ``(A - Y)/m`` under a mean over m), when the graph holds its pair: ``node`` -> sigmoid
        -> binary_cross_entropy, or the fused loss of ``node`` (ops/identities.py). The chain
        rule written beside it is the graph's own (``da * a(1-a)``), composed like any other.
        """
        users = self.real_users(node)
        if len(users) != 1 or users[0][1] != 0:
            return None
        inner = users[0][0]
        entry = identities.find(None, inner.op)
        if entry is not None:  # a fused op: the pair is one op
            outer, a_text = inner, "a"
        else:
            outer_users = self.real_users(inner)
            if len(outer_users) != 1 or outer_users[0][1] != 0:
                return None
            outer = outer_users[0][0]
            found = identities.inner_op(inner, outer.op)
            if found is None:
                return None
            entry = found[0]
            a_text = str(self.operand(inner))
        result = entry.text(entry.result, z=str(self.operand(node)), a=a_text,
                            y=str(self.operand(outer.parents[1])))
        divided = getattr(outer.op, "divisor", 1) != 1  # a mean: each element's share is 1/m
        return f"({result})/m" if divided else result

    def users(self, node: Node) -> list[Edge]:
        """The drawn edges along which ``node``'s gradient arrives (from the nodes using it)."""
        return self._users.get(id(node), [])

    def real_users(self, node: Node) -> list[tuple[Node, int]]:
        """Every op node of the graph using ``node`` for a gradient, with the input's index."""
        if self._real_users is None:
            self._real_users = {}
            for child in self.everything:
                for i, parent in enumerate(child.parents):
                    if child.requires_grad:
                        self._real_users.setdefault(id(parent), []).append((child, i))
        return self._real_users.get(id(node), [])


def gradient_root(node: Node) -> Node:
    """The node backward() last started from whose graph holds ``node`` (``node`` if none).

    Gradients are labelled dL/d(...) after it: drawing ``z`` after ``L.backward()`` still
    names L. The engine keeps the last few roots it started from (node.backward_roots).
    """
    if node.grad is None:
        return node
    for ref in reversed(backward_roots):
        root = ref()
        if root is node:
            return node
        if root is not None and any(n is node for n in root.walk()):
            return root
    return node


def _leads(local: Expr) -> bool:
    """Whether a local derivative is written before the gradient it multiplies: a name or a
    number leads (``x1 * dz``, as the lesson writes it), a formula follows (``da * a(1-a)``)."""
    return isinstance(local, (Sym, Num)) or (isinstance(local, Pow) and local.exponent == Sym("T"))


def _key_text(key: object) -> str:
    """An index as Python writes it: ``1``, ``:, 0``, ``1:3``; ``...`` for an array of them."""
    parts = key if isinstance(key, tuple) else (key,)
    texts = []
    for part in parts:
        if isinstance(part, slice):
            texts.append(":".join("" if v is None else str(v)
                                  for v in (part.start, part.stop, part.step)[: 3 if
                                                                             part.step else 2]))
        elif part is Ellipsis:
            texts.append("...")
        elif part is None:
            texts.append("None")
        elif isinstance(part, (int, np.integer)):
            texts.append(str(int(part)))
        else:
            texts.append("...")
    return ", ".join(texts)


def _accumulate(totals: dict, key: int, step: Any, add: Callable[[Any, Any], Any]) -> None:
    """Add ``step`` into ``totals[key]`` (the first step sets it); None (no formula or no value)
    on either side makes the total None."""
    if key not in totals:
        totals[key] = step
    else:
        old = totals[key]
        totals[key] = None if old is None or step is None else add(old, step)
