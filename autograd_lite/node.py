"""Node: one value in the computation graph, and reverse-mode differentiation through it."""

from __future__ import annotations

import itertools
import weakref
from collections import deque
from collections.abc import Iterator
from heapq import heappop, heappush
from typing import Any

import numpy as np

from .habits import Habits  # numpy's and PyTorch's habits: x.sum(), x.item(), x > 0, np.exp(x)

_float64 = np.float64  # the type of a scalar graph's values, tested for on every edge
_ndarray = np.ndarray  # (a module global is found faster than np's attribute)
_ONE = np.float64(1.0)
ArrayLike = Any  # a number, a (nested) list of numbers, an ndarray or a numpy scalar

# True while ag.compile traces a function: a Node's value then stands for any value of its shape,
# so turning it into a Python number (float(), bool()) would bake one value into the program.
_tracing = False

# Every node gets the next number when it is made. A node is always made after the nodes it is
# computed from, so handling higher numbers first is a topological order for backward().
creation_number = itertools.count()

# The last few nodes backward() started from (weak: they do not keep a graph alive). The
# pictures label a gradient by the node it is the derivative of: drawing z after L.backward()
# shows dL/dz, and only this record says which L that was.
backward_roots: deque[weakref.ref[Node]] = deque(maxlen=8)


def as_array(value: ArrayLike, what: str = "Node") -> np.ndarray | np.generic:
    """Turn a number, list or ndarray into a floating numpy value.

    Integers, bools and lists become float64; floating arrays keep their dtype; anything else
    (str, None, object arrays, ragged lists, complex numbers) is a TypeError naming what was given.
    """
    kind = type(value)
    if kind is float or kind is int or kind is bool:  # the common cases first: the hot path
        return np.float64(value)
    if kind is np.float64 or (kind is np.ndarray and value.dtype.kind == "f"):
        return value
    if isinstance(value, Node):
        raise TypeError(f"{what}: got a Node ({value!r}); use it directly, or its .value")
    if isinstance(value, (np.ndarray, np.generic)):
        array = value
    elif isinstance(value, (list, tuple)):
        try:
            array = np.array(value)
        except ValueError as err:  # numpy refuses ragged nesting
            raise TypeError(f"{what}: ragged nested list {_short(value)}: {err}") from None
    else:
        raise TypeError(
            f"{what}: cannot make a numeric value from {type(value).__name__} {_short(value)}; "
            "give a number, a list of numbers or a numeric ndarray"
        )
    if array.dtype.kind == "f":
        return array
    if array.dtype.kind in "iub":
        return array.astype(np.float64)
    raise TypeError(
        f"{what}: cannot make a numeric value from {type(value).__name__} of dtype "
        f"{array.dtype} {_short(value)}; give numbers (int, float or bool)"
    )


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Node(Habits):
    """A value in the graph: its forward ``value``, its ``grad`` dL/d(node), the ``parents`` it
    was computed from (in order, duplicates kept) and the ``op`` that computed it (None for leaves).
    """

    __slots__ = (
        "_value",  # (the value property's: set through it, a value is checked and converted)
        "grad",
        "parents",
        "op",
        "name",
        "requires_grad",
        "number",
        "_version",  # (left unset until the first in-place change: see version)
        "_changed_at",
        "_from_bools",  # (set only for a Node made from a boolean array: see _made_from_bools)
        "__weakref__",
    )

    # Nodes are told apart by identity (backward keys a dict by node), whatever == may become.
    __hash__ = object.__hash__

    def __init__(self, value: ArrayLike, name: str | None = None, requires_grad: bool = False):
        kind = type(value)  # one number, the commonest leaf, without a call to as_array
        if kind is _float64:
            self._value = value
        elif kind is float:
            self._value = _float64(value)
        else:
            self._value = as_array(value)
            if getattr(value, "dtype", None) == np.bool_:
                self._from_bools = True
        self.grad: np.ndarray | None = None
        self.parents: tuple[Node, ...] = ()
        self.op = None
        if name is not None and not isinstance(name, str):  # (the pictures and codegen use it)
            raise TypeError(f"Node: name must be a str (or None), got {type(name).__name__} "
                            f"{_short(name)}")
        self.name = name
        self.requires_grad = True if requires_grad else False  # (bool() costs a call)
        self.number = next(creation_number)  # made after its parents: see backward()

    # -- what it is -------------------------------------------------------------------------
    @property
    def value(self) -> np.ndarray:
        """The forward value: a floating ndarray, or a numpy scalar for one number."""
        return self._value

    @value.setter
    def value(self, value: ArrayLike) -> None:
        self._set_value(value, "Node.value")

    def _set_value(self, value: ArrayLike, what: str) -> None:
        """``x.value = v`` (and micrograd's ``x.data = v``): converted as Node(v) converts
        (integers to float64: an int array would make `X * (1/255)` an integer 0), and a change
        in place: a new version (see version)."""
        self._value = value if type(value) is _float64 else as_array(value, what)
        self._bump_version()

    @property
    def shape(self) -> tuple[int, ...]:
        return self._value.shape

    @property
    def ndim(self) -> int:
        return self._value.ndim

    @property
    def size(self) -> int:
        return self._value.size

    @property
    def dtype(self) -> np.dtype:
        return self._value.dtype

    @property
    def is_leaf(self) -> bool:
        return self.op is None

    def __float__(self) -> float:
        if _tracing:
            raise _traced_to_python(self, "float()")
        if self._value.size != 1:
            raise TypeError(f"float() of a Node of shape {self.shape}: it holds {self.size} values")
        return float(self._value.item())

    def __repr__(self) -> str:
        parts = [] if self.name is None else [f"name={self.name!r}"]
        if self.op is not None:
            parts.append(f"op={self.op.name}")
        if self.ndim:
            parts.append(f"shape={self.shape}")
        parts.append(f"value={_summary(self._value)}")
        if self.grad is not None:
            parts.append(f"grad={_summary(self.grad)}")
        elif self.requires_grad:
            parts.append("requires_grad=True")
        return f"Node({', '.join(parts)})"

    def _repr_svg_(self) -> str | None:
        """Jupyter shows a node as the picture of its graph (see autograd_lite.viz)."""
        from . import viz  # lazily: drawing is not needed to compute

        return viz.notebook_svg(self)

    # -- operators: each builds one op node (see ops.py for the maths) -------------------------
    def __add__(self, other: ArrayLike) -> Node:
        return _ops.Add()(self, other)

    def __radd__(self, other: ArrayLike) -> Node:
        return _ops.Add()(other, self)

    def __sub__(self, other: ArrayLike) -> Node:
        return _ops.Sub()(self, other)

    def __rsub__(self, other: ArrayLike) -> Node:
        return _ops.Sub()(other, self)

    def __mul__(self, other: ArrayLike) -> Node:
        return _ops.Mul()(self, other)

    def __rmul__(self, other: ArrayLike) -> Node:
        return _ops.Mul()(other, self)

    def __truediv__(self, other: ArrayLike) -> Node:
        return _ops.Div()(self, other)

    def __rtruediv__(self, other: ArrayLike) -> Node:
        return _ops.Div()(other, self)

    def __pow__(self, other: ArrayLike) -> Node:
        return _ops.Pow()(self, other)

    def __rpow__(self, other: ArrayLike) -> Node:
        return _ops.Pow()(other, self)

    def __matmul__(self, other: ArrayLike) -> Node:
        return _ops.MatMul()(self, other)

    def __rmatmul__(self, other: ArrayLike) -> Node:
        return _ops.MatMul()(other, self)

    def __neg__(self) -> Node:
        return _ops.Neg()(self)

    @property
    def T(self) -> Node:  # noqa: N802 (numpy's name)
        return _ops.Transpose()(self)

    def reshape(self, *shape: int | tuple[int, ...]) -> Node:
        """``x.reshape(2, 3)`` or ``x.reshape((2, 3))``, as numpy."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _ops.Reshape(shape)(self)

    # -- in place, as in PyTorch: an update of a value, inside no_grad() ----------------------
    def __iadd__(self, other: ArrayLike) -> Node:
        return self._update_in_place("+=", np.add, _ops.Add, other)

    def __isub__(self, other: ArrayLike) -> Node:
        return self._update_in_place("-=", np.subtract, _ops.Sub, other)

    def __imul__(self, other: ArrayLike) -> Node:
        return self._update_in_place("*=", np.multiply, _ops.Mul, other)

    def __itruediv__(self, other: ArrayLike) -> Node:
        return self._update_in_place("/=", np.true_divide, _ops.Div, other)

    def _update_in_place(self, symbol: str, ufunc: Any, op: Any, other: ArrayLike) -> Node:
        """``w -= lr * w.grad``: inside no_grad() (or where no gradient is involved) w keeps
        its identity and gets the new value and a new version. Where the graph is recorded, a
        leaf that requires a gradient refuses (its gradient would be lost), and any other node
        that is part of a gradient computation gets ``x = x - y``, recorded."""
        if _op._recording:
            if self.requires_grad and self.op is None:
                raise self._leaf_in_place_error(f"{self.name or 'a leaf'} {symbol} ...")
            if self.requires_grad or (isinstance(other, Node) and other.requires_grad):
                return op()(self, other)
        if type(other) is np.ndarray:  # an optimiser's step (lr * grad), the common case
            other_value = other
        elif isinstance(other, Node):
            other_value = other._value
        else:
            other_value = as_array(other, f"Node {symbol}")
        # A new array rather than numpy's in-place write: the arrays the graph saved stay intact.
        try:
            new = ufunc(self._value, other_value)
        except ValueError:  # numpy's "could not be broadcast"
            new = None
        if new is None or new.shape != self.shape:
            gives = "do not broadcast" if new is None else f"give shape {np.shape(new)}"
            raise ShapeError(
                f"Node {symbol}: a value of shape {self.shape} {symbol} one of shape "
                f"{np.shape(other_value)}: the shapes {gives}; in place keeps the shape"
            )
        dtype = self._value.dtype
        self._value = new if new.dtype is dtype or new.dtype == dtype else new.astype(dtype)
        self._bump_version()
        return self

    def __setitem__(self, key: Any, other: ArrayLike) -> None:
        """``w[0] = 5`` inside no_grad() (or where no gradient is involved), as PyTorch: the
        value is copied with the item written, w stays the same leaf and gets a new version."""
        name = self.name or "a Node"
        if _op.is_recording():
            if self.requires_grad and self.op is None:
                raise self._leaf_in_place_error(f"{self.name or 'a leaf'}[...] = ...")
            if self.requires_grad or (isinstance(other, Node) and other.requires_grad):
                raise RuntimeError(
                    f"{name}[...] = ... while the graph is recorded: writing into a node of a "
                    "gradient computation is not differentiable here; build a new node instead "
                    "(ag.where(mask, new, x), ag.concatenate), or write inside ag.no_grad()"
                )
        other_value = other.value if isinstance(other, Node) else as_array(other, "Node[...] =")
        new = np.array(self._value, copy=True)  # the arrays the graph saved stay intact
        try:
            new[key] = other_value
        except (IndexError, ValueError, TypeError) as err:
            raise type(err)(
                f"{name}[{key!r}] = a value of shape {np.shape(other_value)}, on a Node of shape "
                f"{self.shape}: {err}"
            ) from None
        self._value = new[()] if type(self._value) is _float64 else new  # (scalars stay float64)
        self._bump_version()

    def _leaf_in_place_error(self, what: str) -> RuntimeError:
        return RuntimeError(
            f"{what} outside no_grad(): a leaf that requires a gradient cannot change in place "
            "while the graph is recorded; write "
            f"`with ag.no_grad(): {what.replace('a leaf', 'w')}` or use an optimiser "
            "(ag.optim.SGD)"
        )

    @property
    def _made_from_bools(self) -> bool:
        """True for a Node made from a boolean array, its values unchanged since: they are 0.0
        and 1.0, and indexing by it would take positions, not select (see ops/indexing.py)."""
        try:
            return self._from_bools and not self.version
        except AttributeError:  # the common case: nodes are made without it, at no cost
            return False

    @property
    def version(self) -> int:
        """How many times the value was changed in place (as PyTorch's ``_version``)."""
        try:
            return self._version
        except AttributeError:  # never changed: nodes are made without it, at no cost
            return 0

    def _bump_version(self) -> None:
        global _last_change
        try:
            self._version += 1
        except AttributeError:  # the first change
            self._version = 1
        self._changed_at = _last_change = next(creation_number)  # ops made before saw the old

    # -- gradients ------------------------------------------------------------------------------
    def backward(self, grad: ArrayLike | None = None) -> None:
        """Add dself/d(node) * grad to ``.grad`` of every node this one was computed from.

        ``grad`` defaults to 1 for an output of size 1 (a loss). Each node passes its gradient
        on once, when it is complete. The node handled next is always the newest one waiting:
        every node that uses it is newer, so all of them have already given their share
        (a topological order from the creation numbers; iterative, so any depth works).
        Leaves pass nothing on: they take their summed gradients after the last op node.
        """
        pending = {self: self._seed(grad)}  # node -> its gradient summed over its users
        summed = set()  # the nodes whose gradient is a sum made here (an array of their own)
        backward_roots.append(weakref.ref(self))
        waiting = [(-self.number, self)] if self.op is not None else []  # a heap of op nodes
        while waiting:
            node = heappop(waiting)[1]  # the newest op node waiting: all its users are done
            node_grad = pending.pop(node)
            if node.number < _last_change:  # made before some in-place change: check (rare)
                _check_versions(node)
            node.grad = node_grad if node.grad is None else _accumulated(node, node_grad)
            op = node.op
            parents = node.parents
            input_grads = op.backward(node_grad)
            if type(input_grads) is not tuple or len(input_grads) != len(parents):
                input_grads = _one_per_input(input_grads, node)
            if _anomaly.enabled:
                _anomaly.check_backward(node, node_grad, input_grads)
            for i, parent in enumerate(parents):
                if not parent.requires_grad:
                    continue
                parent_grad = input_grads[i]
                value = parent._value  # (scalars fit, as do arrays of the right shape and dtype)
                kind = type(parent_grad)
                if kind is not _float64 or type(value) is not _float64:
                    if kind is not _ndarray or parent_grad.shape != value.shape or (
                        parent_grad.dtype is not value.dtype and parent_grad.dtype != value.dtype
                    ):  # (the float64 dtype is one object: identity first, cheaper than ==)
                        parent_grad = _fit_gradient(parent_grad, parent, op, i)
                if parent in pending:
                    pending[parent] = pending[parent] + parent_grad
                    summed.add(parent)
                else:
                    pending[parent] = parent_grad
                    if parent.op is not None:  # leaves wait in pending until the end
                        heappush(waiting, (-parent.number, parent))
        for leaf, leaf_grad in pending.items():  # only leaves are left, each gradient complete
            if leaf.grad is not None:
                leaf.grad = _accumulated(leaf, leaf_grad)
            elif type(leaf_grad) is np.ndarray and leaf not in summed:
                leaf.grad = leaf_grad.copy()  # a leaf's own array, not one an op gave others too
            else:
                leaf.grad = leaf_grad

    def _seed(self, grad: ArrayLike | None) -> np.ndarray:
        if grad is None and self.requires_grad and type(self._value) is np.float64:
            return _ONE  # a scalar loss, the common case (numpy scalars are immutable: shared)
        where = f"backward() on {self.name or 'this node'}"
        if not self.requires_grad:
            from .op import why_no_gradient  # (op.py imports this module)

            raise RuntimeError(f"{where}: {why_no_gradient(self)}")
        if grad is None:
            if self.size != 1:
                raise RuntimeError(
                    f"{where}: the output has shape {self.shape}, not a single number; pass "
                    f"grad= an array of shape {self.shape} (dL/d(output)), or reduce it first "
                    "(ag.sum, ag.mean)"
                )
            return np.ones_like(self._value)
        seed = as_array(grad, what="backward(grad=...)")
        if seed.shape != self.shape:
            raise ShapeError(
                f"{where}: grad has shape {seed.shape} but the output has shape {self.shape}"
            )
        return seed.astype(self.dtype)  # a copy: .grad must not be the caller's array

    def backward_order(self) -> list[Node]:
        """The nodes backward() hands a gradient to, in the order it completes them: the op nodes
        newest first, then the leaves (which take their gradients at the end)."""
        nodes = [n for n in self.walk() if n.requires_grad]
        return sorted(nodes, key=lambda n: (n.op is None, -n.number))

    def zero_grad(self) -> None:
        """Set ``.grad`` to None on this node and on every node it was computed from."""
        for node in self.walk():
            node.grad = None

    def walk(self) -> Iterator[Node]:
        """Every node of the graph behind this one, this one first, each once (no recursion)."""
        seen: set[int] = set()
        stack = [self]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            yield node
            stack.extend(node.parents)


def _accumulated(node: Node, grad: Any) -> Any:
    """node.grad + grad, the gradient so far plus this backward's; a .grad of another shape
    (set by hand) is an error naming the node, not numpy's broadcasting (or a silent broadcast)."""
    try:
        total = node.grad + grad
    except ValueError:
        total = None
    if total is None or np.shape(total) != np.shape(grad):
        raise ShapeError(
            f"backward: {node.name or repr(node)} has a .grad of shape {np.shape(node.grad)}, "
            f"but its value (and the gradient arriving) has shape {np.shape(grad)}; a .grad set "
            "by hand must have the node's shape (or set it to None)"
        )
    return total


def _check_versions(
    node: Node, what: str = "backward through", remedy: str = "compute the forward pass again"
) -> None:
    """Refuse to differentiate an op whose input was changed in place after the op used it:
    its backward would mix the old values it saved with the new ones (as PyTorch refuses).
    The node itself too: an op may have saved its output (exp, sigmoid, tanh). ``what`` and
    ``remedy`` word the error for its caller (backward(), codegen)."""
    if node.version:
        raise RuntimeError(
            f"{what} {node.op.name}: its output ({node.name or repr(node)}) was "
            f"changed in place after it was computed (it is now at version {node.version}); "
            f"{remedy} after the update"
        )
    for i, parent in enumerate(node.parents):
        if parent.version and parent._changed_at > node.number:
            raise RuntimeError(
                f"{what} {node.op.name}: its input {i} ({parent.name or repr(parent)}) "
                f"was changed in place after {node.op.name} used it (it is now at version "
                f"{parent.version}); {remedy} after the update"
            )


def _fit_gradient(grad: Any, parent: Node, op: Any, index: int) -> np.ndarray:
    """Bring an op's gradient for one input to that input's shape and dtype.

    This is the one place where broadcasting is undone (see op.unbroadcast).
    """
    value = parent._value
    if not isinstance(grad, (np.ndarray, np.generic)):
        if grad is None:
            raise TypeError(
                f"{op.name}.backward returned None for input {index}, which requires a gradient"
            )
        if isinstance(grad, Node):  # backward works on arrays, not on the graph
            raise TypeError(f"{op.name}.backward returned a Node for input {index}; return arrays")
        grad = as_array(grad, what=f"{op.name}.backward (input {index})")
    if grad.shape != value.shape:
        grad = unbroadcast(grad, value.shape, op.name, index)
    if grad.dtype != value.dtype:
        grad = grad.astype(value.dtype)
    return grad


def _one_per_input(grads: Any, node: Node) -> tuple:
    """An op's backward result as one gradient per input. A lone array for a one-input op is
    taken as that input's gradient (as PyTorch does); a wrong count is an error naming the op."""
    if isinstance(grads, list):
        grads = tuple(grads)
    elif not isinstance(grads, tuple):
        grads = (grads,)
    if len(grads) != len(node.parents):
        raise TypeError(
            f"{node.op.name}.backward returned {len(grads)} gradient(s) for "
            f"{len(node.parents)} input(s); return a tuple with one per input (None where unused)"
        )
    return grads


def _traced_to_python(node: Node, what: str) -> TypeError:
    return TypeError(
        f"{what} of a Node ({node.name or 'unnamed'}) while ag.compile traces: its value would be "
        "baked into the program; keep it a Node (control flow on values is not traced)"
    )


def _summary(value: np.ndarray) -> str:
    if value.ndim == 0:
        return f"{float(value):.6g}"
    return np.array2string(
        np.asarray(value), precision=4, threshold=6, edgeitems=2, separator=", "
    ).replace("\n", "")


# The creation number of the latest in-place change. A node made after it cannot have seen an
# older version of anything, so backward checks versions only for nodes made before it.
_last_change = -1

# Imported last: these modules build Nodes, and Node's operators call them.
from . import anomaly as _anomaly  # noqa: E402
from . import array_functions as _array_functions  # noqa: E402, F401 (for habits.py)
from . import op as _op  # noqa: E402
from . import ops as _ops  # noqa: E402
from . import ufuncs as _ufuncs  # noqa: E402, F401 (habits.py reaches ufuncs and ops here)
from .errors import ShapeError  # noqa: E402
from .op import unbroadcast  # noqa: E402
