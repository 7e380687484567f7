"""Op: the base class of every operation, and the graph-recording switch ``no_grad``."""

from __future__ import annotations

import contextlib
import copy
import math
from typing import Any, ClassVar

import numpy as np

from . import anomaly, collector
from .errors import ShapeError
from .node import ArrayLike, Node, _float64, as_array, creation_number

collector.suit_recorded_graphs()  # graphs are acyclic: fewer full collections (see collector.py)
_recording = True  # False inside no_grad()
_ndarray = np.ndarray


class _NotRecorded(tuple):
    """The parents of a node an op computed inside no_grad(): none, as a leaf's, but marked,
    so that backward()'s error can say where the node came from (see why_no_gradient)."""

    __slots__ = ()


_NOT_RECORDED = _NotRecorded()


class no_grad(contextlib.ContextDecorator):  # noqa: N801 (a function's name, as torch.no_grad)
    """Inside ``with no_grad():`` (or in a function decorated ``@no_grad()``), ops record no
    graph: results have ``op is None``, no parents, no gradient. (A class rather than a
    generator-based context manager: an optimiser enters it every step, and contextlib's
    generator machinery cost more than a small step's arithmetic.)"""

    def _recreate_cm(self) -> no_grad:  # each decorated call gets its own (calls may nest)
        return no_grad()

    def __enter__(self) -> None:
        global _recording
        self.before, _recording = _recording, False

    def __exit__(self, *exc: object) -> None:
        global _recording
        _recording = self.before


def is_recording() -> bool:
    """True unless inside ``no_grad()``."""
    return _recording


def why_no_gradient(node: Node) -> str:
    """Why backward() on ``node``, which requires no gradient, has nothing to do, from what can
    be seen: which nodes were computed inside no_grad(), and the names of the graph's leaves."""
    if type(node.parents) is _NotRecorded:
        return (
            "it does not require a gradient: it was computed inside no_grad(), which records "
            "no graph; compute it outside no_grad() to differentiate it"
        )
    nodes = list(node.walk())
    inside = [n for n in nodes if type(n.parents) is _NotRecorded]
    if inside:
        shown = ", ".join(_label(n) for n in inside[:3]) + (", ..." if len(inside) > 3 else "")
        return (
            "it does not require a gradient, nor does any node it was computed from: "
            f"{len(inside)} of them ({shown}) {'was' if len(inside) == 1 else 'were'} computed "
            "inside no_grad(), which makes new nodes that record no graph, even from nodes that "
            "require a gradient. If one stands for a parameter (after `w = w - alpha * w.grad` "
            "inside no_grad(), the name w holds that new node, no longer the one created with "
            "requires_grad=True), update the parameter's value instead: "
            "`w.value = w.value - alpha * w.grad`"
        )
    leaves = [n for n in nodes if n.op is None]
    named = sorted({repr(n.name) for n in leaves if n.name is not None})
    unnamed = sum(1 for n in leaves if n.name is None)
    listed = ", ".join(named + ([f"{unnamed} unnamed"] if unnamed else []))
    return (
        "it does not require a gradient: none of the nodes it was computed from was created "
        f"with requires_grad=True (its leaves: {listed}); create the parameters as "
        "Node(value, requires_grad=True)"
    )


def _label(node: Node) -> str:
    if node.name is not None:
        return repr(node.name)
    return f"an unnamed node of shape {node.shape}" if node.ndim else "an unnamed node"


class Op:
    """One operation: ``forward(*arrays) -> array``, ``backward(grad) -> a gradient per input``.

    Subclass it to add an operation. ``forward`` may keep on ``self`` what ``backward`` needs;
    ``backward`` receives dL/d(output) and returns a tuple of dL/d(input), one per input (None
    where ``self.needs_input_grad[i]`` is False; a lone array will do for a one-input op, as in
    PyTorch). ``needs_input_grad`` is set before ``forward`` runs, so forward can skip saving
    what no gradient will need. Gradients may have the broadcast output's shape:
    the engine sums them back to each input's shape. Apply an op with ``MyOp()(x, y)``; an op
    object keeps one node's saved values, so using it again works on a copy of it.

    ``symbol`` names the op in pictures; ``formulas`` give each input's local derivative
    d(out)/d(input) as text, written with ``{x}``, ``{y}`` for the inputs and ``{out}`` for the
    output (see ``local_derivative``). An op whose derivative is a Jacobian, not one factor
    per element (softmax, matmul, transpose, ...), also gives ``grad_formulas``: each input's
    dL/d(input) as text in the incoming gradient ``{g}`` (``{out} * ({g} - sum({g}*{out}))``),
    which pictures write instead of ``local * g``.

    ``source`` and ``grad_sources`` are the op's source templates for ``ag.codegen``
    (``str.format`` text; see autograd_lite/codegen/): the forward expression (``"{x} * {y}"``)
    and, per input, the expression of dL/d(input) (``("{g} * {y}", "{g} * {x}")``).

    - Placeholders: ``{x}``, ``{y}``, ``{w}`` the inputs 0, 1, 2 and ``{out}`` the output (each
      filled with a variable name or a number, never a longer expression), ``{g}`` dL/d(out),
      ``{op}`` the op itself (``{op.axis}``), ``{lib}`` the module of elementwise functions:
      ``math`` on a graph of single numbers, ``np`` on arrays. A template may call the helpers
      of codegen/helpers.py (``sigmoid``, ``bce_logits``, ...) by name.
    - ``scalar_source`` and ``scalar_grad_sources`` are the Python-float forms, used when every
      value of the graph is one float64 (None: the same as the array forms).
    - ``broadcasts``: True when a gradient template gives the output's shape (elementwise ops;
      codegen sums it back to the input's shape); False when it gives the input's shape (matmul).
    - A loss with a ``reduction`` gives per-element templates: codegen adds the mean or sum, and
      divides the per-element gradient by m for a mean; ``{g}`` is then dL/d(reduced loss), one
      number for "mean" and "sum", one per element for "none".
    - A template may be a property computed from the op's settings (an axis, a saved ndim).
    - An op without a ``source`` (a user's) is called through its own forward and backward.
    """

    name: ClassVar[str] = "op"
    symbol: ClassVar[str] = "op"
    formulas: ClassVar[tuple[str, ...]] = ()
    grad_formulas: ClassVar[tuple[str, ...]] = ()
    source: ClassVar[str | None] = None
    grad_sources: ClassVar[tuple[str | None, ...]] = ()
    scalar_source: ClassVar[str | None] = None
    scalar_grad_sources: ClassVar[tuple[str | None, ...] | None] = None
    broadcasts: ClassVar[bool] = True
    is_loss: ClassVar[bool] = False  # the losses: pictures call their output "loss"

    needs_input_grad: tuple[bool, ...] = ()  # set when the op is applied (see __call__)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:  # a user's Op is named after its class
            cls.name = cls.__name__.lower()
        if "symbol" not in cls.__dict__:
            cls.symbol = cls.name

    def forward(self, *arrays: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must define forward(*arrays)")

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        raise NotImplementedError(f"{type(self).__name__} must define backward(grad)")

    def __call__(self, *inputs: Node | ArrayLike) -> Node:
        if self.needs_input_grad:  # set by an earlier use: this object holds that node's values
            op = copy.copy(self)
            op.needs_input_grad = ()
            return op(*inputs)
        # One and two inputs (nearly every op) take straight-line code, forward called with
        # its arguments spelled out: on a graph of single numbers a loop or a *args call here
        # costs as much as the op's own arithmetic.
        try:
            if len(inputs) == 2:
                x, y = inputs
                if type(x) is not Node or type(y) is not Node:
                    x, y = inputs = _wrap(inputs, self.name)
                self.needs_input_grad = needs = (x.requires_grad, y.requires_grad)
                value = self.forward(x._value, y._value)
            elif len(inputs) == 1:
                x = inputs[0]
                if type(x) is not Node:
                    x, = inputs = _wrap(inputs, self.name)
                self.needs_input_grad = needs = (x.requires_grad,)
                value = self.forward(x._value)
            else:
                inputs = _wrap(inputs, self.name)
                self.needs_input_grad = needs = tuple([p.requires_grad for p in inputs])
                value = self.forward(*[p._value for p in inputs])
        except ShapeError:
            raise
        except ValueError as err:  # numpy's broadcasting, axis and reshape complaints
            if str(err).startswith(f"{self.name}:"):  # an op's own message (e.g. bad labels)
                raise
            shapes = " and ".join(str(np.shape(getattr(p, "value", p))) for p in inputs)
            raise ShapeError(f"{self.name}: inputs of shape {shapes}: {err}") from err
        # (a scalar graph's values are float64: the cheap test first; a user's forward may
        # give a list, ints (made float64, as a Node's) or something that is no number at all)
        if type(value) is not _float64 and (type(value) is not _ndarray or value.dtype.kind != "f"):
            value = as_array(value, what=f"{self.name}.forward")
        out = Node.__new__(Node)
        out._value = value
        out.grad = None
        out.name = None
        out.number = next(creation_number)
        if _recording:
            out.parents = inputs
            out.op = self
            out.requires_grad = True in needs
        else:
            out.parents = _NOT_RECORDED  # (== (): no parents)
            out.op = None
            out.requires_grad = False
        if anomaly.enabled:
            anomaly.check_forward(self, out, inputs)
        return out

    def local_derivative(self, index: int, x: str = "x", y: str = "y", out: str = "out") -> str:
        """The formula of d(out)/d(input ``index``) with the given names filled in."""
        if index >= len(self.formulas):
            return "?"
        return self.formulas[index].format(x=x, y=y, out=out)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _wrap(inputs: tuple[Node | ArrayLike, ...], op: str) -> tuple[Node, ...]:
    """Make constant Nodes of the inputs that are not Nodes.

    A Python number takes the dtype of the Node beside it, as numpy and PyTorch treat Python
    scalars, so that `x * 2.0` keeps a float32 x float32. Its constant Node is shared (see
    _constants).
    """
    if len(inputs) == 2:  # `x * 2.0` and `2.0 * x`, the common cases, without the loop below
        x, y = inputs
        if isinstance(x, Node) and type(y) in (float, int):
            return x, _constant(y, x)
        if isinstance(y, Node) and type(x) in (float, int):
            return _constant(x, y), y
    beside = None  # the first Node among the inputs
    for x in inputs:
        if isinstance(x, Node):
            beside = x
            break
    parents = list(inputs)  # (a loop, not a comprehension: that would make op a closure cell,
    for i, x in enumerate(inputs):  # costing the common cases above on every call)
        parents[i] = _constant_node(x, beside, op, i)
    return tuple(parents)


def _constant_node(x: Node | ArrayLike, beside: Node | None, op: str, index: int) -> Node:
    """Input ``index`` of ``op`` as a Node: itself if it is one, else a constant Node."""
    if isinstance(x, Node):
        return x
    if beside is not None and type(x) in (float, int):
        return _constant(x, beside)
    if type(x) is np.ndarray and x.dtype.kind == "f":  # data, X in `X @ w`: nothing to convert
        return Node(x)
    return Node(as_array(x, what=f"{op} (input {index})"))  # (a bad operand's error names the op)


# Constant Nodes of Python numbers, shared: `x = x * 1.0001 + 0.0001` in a loop then makes no
# new Node per step for the garbage collector to walk again and again (it was a third of the time
# of a 100,000-step chain). Keyed by value and numpy scalar type; cleared when full.
_constants: dict[tuple, Node] = {}


def _constant(number: float, beside: Node) -> Node:
    """The shared constant Node of a Python number, of the dtype of the Node beside it."""
    like = type(beside.value)  # a numpy scalar's own type, found faster than through its dtype
    if like is np.ndarray:  # beside an array, a 0-d array: numpy's scalar * array costs twice
        like = beside.value.dtype  # as much as array * array (it tries the scalar's own * first)
    # -0.0 == 0.0 as a key: a zero is keyed with its sign too, so the two stay apart
    key = (number, like) if number else (number, math.copysign(1.0, number), like)
    node = _constants.get(key)
    if node is None:
        if len(_constants) >= 1024:
            _constants.clear()
        value = np.array(number, dtype=like) if isinstance(like, np.dtype) else like(number)
        node = _constants[key] = Node(value)
    return node


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...], op: str = "op", index: int = 0):
    """Sum a gradient over the axes that broadcasting added or stretched, back to ``shape``.

    If x of shape (3, 1) was broadcast to (2, 3, 4), dL/dx = sum of dL/d(out) over axes 0 and 2.
    """
    if not shape:  # an input of one number, broadcast to every element: the sum over them all
        return grad.sum().reshape(())
    extra = grad.ndim - len(shape)
    if extra > 0 and grad.shape[extra:] == shape:  # axes added in front only (a bias's gradient)
        return _sum_leading(grad, extra).reshape(shape)
    if extra < 0 or any(n not in (1, g) for n, g in zip(shape, grad.shape[extra:], strict=True)):
        if grad.size == 1:  # a custom op's scalar gradient, the same for every element
            return np.broadcast_to(grad.reshape(()), shape).copy()
        raise ShapeError(
            f"{op}.backward: the gradient for input {index} has shape {grad.shape}, "
            f"which does not reduce to the input's shape {shape}"
        )
    stretched = [extra + i for i, n in enumerate(shape) if n == 1 and grad.shape[extra + i] != 1]
    axes = tuple(range(extra)) + tuple(stretched)
    if axes == tuple(range(len(axes))):  # leading axes only: (1, n) stretched to (m, n)
        return _sum_leading(grad, len(axes)).reshape(shape)
    return grad.sum(axis=axes).reshape(shape)


def _sum_leading(grad: np.ndarray, lead: int) -> np.ndarray:
    """The sum over the first ``lead`` axes, as ones @ rows: BLAS does it several times faster
    than numpy's sum over an outer axis, which runs one short inner loop per row."""
    rows = grad.reshape(math.prod(grad.shape[:lead]), math.prod(grad.shape[lead:]))
    if grad.dtype.char not in "fd":  # (float32 and float64 are BLAS's; numpy sums the others)
        return rows.sum(axis=0)
    return np.ones(len(rows), grad.dtype) @ rows
