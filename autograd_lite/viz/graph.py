"""What to draw: the nodes chosen, their kinds and names, the edges and their local derivatives."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from ..node import Node
from .text import number

KINDS = ("input", "parameter", "constant", "op", "loss")
INFIX = {"+": 1, "-": 1, "*": 2, "/": 2, "@": 2, "**": 3}  # symbol -> precedence
ELEMENTWISE = {"add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sigmoid", "tanh", "relu"}
MAX_EXPRESSION = 28  # longer expressions are replaced by the op's symbol
MAX_NAME = 80  # longer names are cut, so one odd name cannot stretch the whole picture


@dataclass(frozen=True)
class Edge:
    """``parent`` is input number ``index`` of ``child``."""

    parent: Node
    child: Node
    index: int


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
    ):
        if not isinstance(root, Node):
            raise TypeError(f"viz: expected a Node to draw, got {type(root).__name__}")
        if max_nodes is not None and (not isinstance(max_nodes, int) or max_nodes < 1):
            raise ValueError(f"viz: max_nodes must be a positive int or None, got {max_nodes!r}")
        self.root = root
        everything = topological(root)
        self.total = len(everything)
        if hide_constants is None:
            hide_constants = self.total > small
        keep = self._nearest(root, max_nodes, hide_constants)
        self.nodes = [n for n in everything if id(n) in keep]
        self.ids = {id(n): i for i, n in enumerate(self.nodes)}
        self.omitted = self.total - len(self.nodes)
        self.edges = [
            Edge(p, n, i)
            for n in self.nodes
            for i, p in enumerate(n.parents)
            if id(p) in self.ids
        ]
        self._users: dict[int, list[Edge]] = {}
        for edge in self.edges:
            if edge.child.requires_grad:
                self._users.setdefault(id(edge.parent), []).append(edge)
        self._locals: dict[int, tuple] = {}
        self._expressions: dict[int, str | None] = {}
        for node in everything:  # inputs first, so each expression finds its operands' ready
            self.expression(node)

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

    def __contains__(self, node: Node) -> bool:
        return id(node) in self.ids

    def id(self, node: Node) -> int:
        return self.ids[id(node)]

    # -- kinds and names ----------------------------------------------------------------------
    def kind(self, node: Node) -> str:
        """input (named data), parameter, constant (unnamed data), op, or loss (the output)."""
        if node.op is not None:
            return "loss" if node is self.root and node.size == 1 else "op"
        if node.requires_grad:
            return "parameter"
        return "constant" if node.name is None else "input"

    def title(self, node: Node) -> str:
        """The node's name; else what computed it (``w1*x1``) when short; else its op's symbol."""
        if node.name is not None:
            name = str(node.name)
            return name if len(name) <= MAX_NAME else name[: MAX_NAME - 3] + "..."
        expression = self.expression(node)
        if expression is not None:
            return expression
        if node.op is not None:
            return node.op.symbol
        return number(node.value.reshape(())) if node.size == 1 else "const"

    def expression(self, node: Node) -> str | None:
        """How the node was computed, from its inputs' names, or None when too long to show."""
        key = id(node)
        if key not in self._expressions:
            self._expressions[key] = self._build_expression(node)
        return self._expressions[key]

    def _operand(self, node: Node, precedence: int) -> str | None:
        if node.name is not None:
            return paren(self.title(node)) if precedence else self.title(node)
        if node.op is None:
            return number(node.value.reshape(())) if node.size == 1 else None
        inner = self.expression(node)
        if inner is None:
            return None
        own = INFIX.get(node.op.symbol, 9) if len(node.parents) == 2 else 9
        return f"({inner})" if own < precedence else inner

    def _build_expression(self, node: Node) -> str | None:
        if node.op is None:
            return None
        symbol, parents = node.op.symbol, node.parents
        if symbol in INFIX and len(parents) == 2:
            level = INFIX[symbol]
            left = self._operand(parents[0], level)
            right = self._operand(parents[1], level + (symbol in "-/"))  # a - (b - c)
            parts = None if left is None or right is None else (left, right)
            text = None if parts is None else (f" {symbol} " if level == 1 else symbol).join(parts)
        elif "(" in symbol:  # the op writes its own call, e.g. "L(a,y)"
            text = symbol
        else:
            operands = [self._operand(p, 9 if symbol in ("-", "T") else 0) for p in parents]
            if any(o is None for o in operands):
                text = None
            elif symbol == "-" and len(operands) == 1:
                text = "-" + operands[0]
            elif symbol == "T" and len(operands) == 1:
                text = operands[0] + "^T"
            else:
                text = f"{symbol}({', '.join(operands)})"
        return text if text is not None and len(text) <= MAX_EXPRESSION else None

    def header(self, node: Node) -> str:
        """The first line of a node's box: ``z = w1*x1 + b``, ``w1*x1``, ``x1`` or ``+``."""
        expression = self.expression(node)
        name = self.title(node)
        if node.name is None or expression is None or expression.startswith(name + "("):
            return name
        return f"{name} = {expression}"

    def grad_name(self, node: Node) -> str:
        """The lesson's code name for dL/d(node): ``dz``, ``dw1``, ``d(w1*x1)``."""
        return "d" + wrap_name(self.title(node))

    def derivative(self, edge: Edge) -> str:
        """``da/dz``: the child's name over the parent's."""
        return f"d{wrap_name(self.title(edge.child))}/d{wrap_name(self.title(edge.parent))}"

    def grad_label(self, node: Node) -> str:
        """``dL/dz``: the root's name over the node's."""
        top = wrap_name(self.title(self.root)) if self.root.name is not None else "out"
        return f"d{top}/d{wrap_name(self.title(node))}"

    # -- local derivatives ----------------------------------------------------------------------
    def formula(self, edge: Edge) -> str:
        """d(child)/d(parent) as text with the nodes' names, e.g. ``a(1-a)``."""
        names = [paren(self.title(p)) for p in edge.child.parents] + ["", ""]
        return edge.child.op.local_derivative(
            edge.index, x=names[0], y=names[1], out=paren(self.title(edge.child))
        )

    def local_value(self, edge: Edge) -> np.ndarray | None:
        """d(child)/d(parent) as numbers, where it is one number per element; else None.

        Op.backward is pure, so feeding it ones gives the local derivatives of elementwise
        ops. Matmul, reductions and broadcasts have Jacobians, not one number per element.
        """
        child, parent = edge.child, edge.parent
        if not parent.requires_grad or child.op is None:
            return None
        same = parent.shape == child.shape and child.op.name in ELEMENTWISE
        if not (same or (parent.size == 1 and child.size == 1)):
            return None
        key = id(child)
        if key not in self._locals:
            self._locals[key] = child.op.backward(np.ones_like(child.value))
        value = self._locals[key][edge.index]
        return None if value is None else np.reshape(value, parent.shape)

    def users(self, node: Node) -> list[Edge]:
        """The drawn edges along which ``node``'s gradient arrives (from the nodes using it)."""
        return self._users.get(id(node), [])
