"""numpy's and PyTorch's habits on Node: methods (``x.sum()``, ``x.relu()``), the value out of
the graph (``x.item()``, ``x.numpy()``, ``x.data``), ``len`` and iteration, indexing, comparisons
(boolean arrays, no graph) and numpy's protocols (``np.exp(x)``, ``np.array(x)``).

Node inherits these; node.py keeps the graph, in-place updates and backward. Each method builds
the op of the function of the same name (``x.sum(axis=0)`` is ``ag.sum(x, axis=0)``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from . import node as _node  # (node.py imports this module before it defines Node)

if TYPE_CHECKING:
    from .node import ArrayLike, Node


class Habits:
    """The methods a numpy, PyTorch or micrograd user reaches for first (a mixin of Node)."""

    __slots__ = ()

    def __getitem__(self, key: Any) -> Node:
        """``x[0]``, ``x[:, 1]``, ``x[mask]``, ``x[[0, 0, 2]]``, differentiable (ops/indexing)."""
        return _node._ops.Index(key)(self)

    # -- methods, as numpy's and PyTorch's ---------------------------------------------------
    def sum(self, axis: Any = None, keepdims: bool = False, **numpy_args: Any) -> Node:  # noqa: A003
        _no_numpy_args("sum", numpy_args)  # (x.sum(out=...): numpy's arguments, refused)
        return _node._ops.Sum(axis, keepdims)(self)

    def mean(self, axis: Any = None, keepdims: bool = False, **numpy_args: Any) -> Node:
        _no_numpy_args("mean", numpy_args)
        return _node._ops.Mean(axis, keepdims)(self)

    def max(self, axis: Any = None, keepdims: bool = False, **numpy_args: Any) -> Node:  # noqa: A003
        _no_numpy_args("max", numpy_args)
        return _node._ops.Max(axis, keepdims)(self)

    def min(self, axis: Any = None, keepdims: bool = False, **numpy_args: Any) -> Node:  # noqa: A003
        _no_numpy_args("min", numpy_args)
        return _node._ops.Min(axis, keepdims)(self)

    def transpose(self, *axes: Any) -> Node:
        """``x.transpose()`` reverses the axes (``x.T``); ``x.transpose(1, 0, 2)`` or
        ``x.transpose((1, 0, 2))`` puts them in that order, as numpy's method."""
        if not axes:
            return _node._ops.Transpose()(self)
        if len(axes) == 1 and not isinstance(axes[0], (int, np.integer)):
            axes = axes[0]  # one argument: None, or the order as a sequence
        return _node._ops.Transpose(axes)(self)

    def exp(self) -> Node:
        return _node._ops.Exp()(self)

    def log(self) -> Node:
        return _node._ops.Log()(self)

    def sigmoid(self) -> Node:
        return _node._ops.Sigmoid()(self)

    def tanh(self) -> Node:
        return _node._ops.Tanh()(self)

    def relu(self) -> Node:
        return _node._ops.ReLU()(self)

    def abs(self) -> Node:  # noqa: A003
        return _node._ops.Abs()(self)

    def __abs__(self) -> Node:
        return _node._ops.Abs()(self)

    def sqrt(self) -> Node:
        return _node._ops.Sqrt()(self)

    def clip(self, low: float | None = None, high: float | None = None) -> Node:
        return _node._ops.clip(self, low, high)

    # -- the value out of the graph ------------------------------------------------------------
    @property
    def data(self) -> np.ndarray:
        """The value (micrograd's and PyTorch's name for it); ``x.data = v`` sets it in place."""
        return self.value

    @data.setter
    def data(self, value: ArrayLike) -> None:
        # (p.data += ...: numpy may have changed the array itself; a new version either way)
        self._set_value(value, "Node.data")

    def item(self) -> float:
        """The one number this node holds, as a Python float."""
        if _node._tracing:
            raise _node._traced_to_python(self, ".item()")
        if self.value.size != 1:
            raise ValueError(f"item() of a Node of shape {self.shape}: it holds {self.size} values")
        return self.value.item()

    def numpy(self) -> np.ndarray:
        """The value as an ndarray (the node's own array, not a copy, as PyTorch's .numpy())."""
        return np.asarray(self.value)

    def tolist(self) -> Any:
        """The value as (nested) Python lists of floats, as ndarray.tolist()."""
        return self.value.tolist()

    def detach(self) -> Node:
        """A new leaf with the same value, outside the graph: no parents, no gradient."""
        return _node.Node(self.value)

    def __len__(self) -> int:
        if not self.ndim:
            raise TypeError("len() of a Node holding one number (shape ())")
        return self.shape[0]

    def __iter__(self) -> Iterator[Node]:
        """The rows ``x[0], x[1], ...``, each differentiable, as iterating a tensor."""
        return (self[i] for i in range(len(self)))

    def __bool__(self) -> bool:
        if _node._tracing:
            raise _node._traced_to_python(self, "bool()")
        if self.value.size != 1:
            raise ValueError(
                f"the truth value of a Node of shape {self.shape} ({self.size} values) is "
                "ambiguous; compare its value (x.value.any(), x.value.all())"
            )
        return bool(self.value)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        """np.array(x): the values of a node outside the graph; refused for one that requires a
        gradient, since numpy would drop it silently."""
        if self.requires_grad:
            raise TypeError(
                f"np.array() of {self.name or 'a Node'} that requires a gradient would lose it; "
                "use x.detach() or x.numpy() to take the values out of the graph"
            )
        return np.array(self.value, dtype=dtype, copy=copy)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """numpy ufuncs on Nodes run the engine's op (np.exp(x) is ag.exp(x)); see ufuncs.py."""
        return _node._ufuncs.apply(ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: tuple, kwargs: dict) -> Any:
        """numpy functions on Nodes: np.concatenate, np.dot, np.sum, ... run the engine's op;
        the others are an error naming them (see array_functions.py)."""
        return _node._array_functions.apply(func, types, args, kwargs)

    # -- comparisons: boolean ndarrays of the values, no graph ---------------------------------
    def __lt__(self, other: Any) -> Any:
        return self._compared("<", other) < _value_of(other)

    def __le__(self, other: Any) -> Any:
        return self._compared("<=", other) <= _value_of(other)

    def __gt__(self, other: Any) -> Any:
        return self._compared(">", other) > _value_of(other)

    def __ge__(self, other: Any) -> Any:
        return self._compared(">=", other) >= _value_of(other)

    def __eq__(self, other: Any) -> Any:  # (hash stays identity: see __hash__ above)
        return self._compared("==", other) == _value_of(other)

    def __ne__(self, other: Any) -> Any:
        return self._compared("!=", other) != _value_of(other)

    def _compared(self, symbol: str, other: Any) -> Any:
        """The value to compare; while ag.compile traces, an error: the result (in an ``if``,
        a mask, max(w, x)) would be baked into the program, right only for the traced values."""
        if _node._tracing:
            raise TypeError(
                f"{self.name or 'a Node'} {symbol} {_short_operand(other)} while ag.compile "
                "traces: the comparison's result would be baked into the program, right only for "
                "the values traced; choose by value inside the graph (ag.where(cond, a, b) with "
                "cond from data, ag.relu, ag.maximum, ag.clip) or run the function eagerly"
            )
        return self.value


def _short_operand(x: Any) -> str:
    return (x.name or "a Node") if isinstance(x, _node.Node) else _node._short(x, 30)


def _value_of(x: Any) -> Any:
    return x.value if isinstance(x, _node.Node) else x


def _no_numpy_args(method: str, numpy_args: dict[str, Any]) -> None:
    """np.sum(x), np.mean(x), np.max(x) call x.sum(..., out=None): accept numpy's defaults."""
    given = {k: v for k, v in numpy_args.items() if v is not None and k in ("out", "dtype")}
    unknown = set(numpy_args) - {"out", "dtype"}
    if given or unknown:
        raise TypeError(
            f"Node.{method}: only axis and keepdims are supported, got "
            f"{', '.join(sorted(set(given) | unknown))}"
        )
