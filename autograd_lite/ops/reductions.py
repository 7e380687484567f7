"""Reductions and shape: sum, mean, reshape, transpose."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import ShapeError
from ..node import ArrayLike, Node
from ..op import Op

Axis = int | tuple[int, ...] | None
_FLOAT64 = np.dtype(np.float64)


def _normalize_axis(axis: Axis, op: str) -> Axis:
    if axis is None:
        return None
    if isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
        return int(axis)
    if isinstance(axis, (tuple, list)) and all(
        isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in axis
    ):
        return tuple(int(a) for a in axis)
    raise TypeError(f"{op}: axis must be None, an int or a tuple of ints, got {axis!r}")


class _Reduction(Op):
    """Shared by sum, mean, max and min: the axes reduced (None: all) and whether they are kept,
    and the forward source, numpy's function of the op's name."""

    broadcasts = False  # its gradient template gives x's shape
    scalar_source, scalar_grad_sources = "{x}", ("{g}",)  # (the reduction of one number)

    @property
    def source(self) -> str:
        return f"np.{self.name}({{x}}" + _axis_arguments(self.axis, self.keepdims) + ")"

    def __init__(self, axis: Axis = None, keepdims: bool = False):
        self.axis = _normalize_axis(axis, self.name)
        self.keepdims = keepdims


class Sum(_Reduction):
    """out = sum of x over ``axis``;  dout/dx = 1 (g is copied back along the summed axes)."""

    name, symbol, formulas = "sum", "sum", ("1",)

    @property
    def grad_sources(self):
        return (_spread_source("{g}", self.axis, self.keepdims),)

    @property
    def grad_formulas(self) -> tuple[str, ...]:
        return _spread_formula("{g}", self, getattr(self, "shape", None))

    def forward(self, x):
        self.shape = x.shape
        return x.sum(axis=self.axis, keepdims=self.keepdims)  # (np.sum adds a wrapper)

    def backward(self, g):
        return (_spread(g, self.shape, self.axis, self.keepdims),)


class Mean(_Reduction):
    """out = mean of x over ``axis`` (n elements each);  dout/dx = 1/n."""

    name, symbol, formulas = "mean", "mean", ("1/n",)

    @property
    def grad_sources(self):
        return (_spread_source("{g} / {op.count}", self.axis, self.keepdims),)

    @property
    def grad_formulas(self) -> tuple[str, ...]:
        return _spread_formula("{g}/n", self, getattr(self, "shape", None))

    def forward(self, x):
        self.shape = x.shape
        # float64: sum / count is numpy's mean bit for bit, without np.mean's Python wrapper
        # (1.3 us a call). Other dtypes take numpy's own (float32 divides in float64 and rounds
        # back; float16 sums in float32), as does an empty input (its warning and NaN).
        by_sum = x.dtype is _FLOAT64 and x.size
        out = (x.sum if by_sum else x.mean)(axis=self.axis, keepdims=self.keepdims)
        self.count = x.size // max(out.size, 1) if x.size else 0
        return out / self.count if by_sum else out

    def backward(self, g):
        return (_spread(g / self.count, self.shape, self.axis, self.keepdims),)


def _spread(g: np.ndarray, shape: tuple[int, ...], axis: Axis, keepdims: bool) -> np.ndarray:
    """Copy a reduction's gradient back along the reduced axes, to ``shape``."""
    if not keepdims and axis is not None:
        g = np.expand_dims(g, axis)
    # a fresh array, not a read-only broadcast view, since it may end up in a .grad (filled by
    # assignment: np.broadcast_to(g, shape).copy() costs several times more on small arrays)
    out = np.empty(shape, dtype=g.dtype if isinstance(g, (np.ndarray, np.generic)) else None)
    out[...] = g
    return out


def _spread_formula(g: str, op: Op, shape: tuple[int, ...] | None,
                    factor: str = "") -> tuple[str, ...]:
    """The picture's dL/dx of a reduction: none of its own (g times the factor, broadcast)
    where g broadcasts back to x's shape (None: not known yet); "g copied along axis 1" where
    it would not; ``factor`` multiplies the copy."""
    if op.axis is None or op.keepdims or shape is None:
        return ()
    axes = sorted(a % len(shape) for a in ((op.axis,) if isinstance(op.axis, int) else op.axis))
    if axes == list(range(len(axes))):  # the leading axes: numpy broadcasting copies g along them
        return ()
    where = ", ".join(map(str, axes))
    copied = f"{g} copied along axis {where}"
    return (f"({copied}) * {factor}" if factor else copied,)


def _axis_arguments(axis: Axis, keepdims: bool) -> str:
    """The source of a reduction's keyword arguments: ", axis=0, keepdims=True" (or less)."""
    text = "" if axis is None else f", axis={axis!r}"
    return text + (", keepdims=True" if keepdims else "")


def _spread_source(g: str, axis: Axis, keepdims: bool) -> str:
    """The source of _spread: g copied back along the reduced axes, to x's shape."""
    if axis is None and not keepdims:
        return f"np.full({{op.shape}}, {g})"
    if not keepdims:
        g = f"np.expand_dims({g}, {axis!r})"
    return f"np.broadcast_to({g}, {{op.shape}}).copy()"


class Reshape(Op):
    """out = x viewed with a new shape;  dL/dx = g reshaped back to x's shape."""

    name, symbol, formulas = "reshape", "reshape", ("1",)
    source, grad_sources = "np.reshape({x}, {op.new_shape})", ("np.reshape({g}, {op.shape})",)
    scalar_source, scalar_grad_sources, broadcasts = "{x}", ("{g}",), False

    def __init__(self, shape: int | tuple[int, ...]):
        dims = (shape,) if isinstance(shape, (int, np.integer)) else shape
        if not isinstance(dims, (tuple, list)) or not all(
            isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in dims
        ):
            raise TypeError(f"reshape: the shape must be an int or a tuple of ints, got {shape!r}")
        self.new_shape = tuple(int(n) for n in dims)

    @property
    def grad_formulas(self) -> tuple[str, ...]:
        return (f"{{g}} reshaped to {self.shape}",)

    def forward(self, x):
        self.shape = x.shape
        return np.reshape(x, self.new_shape)

    def backward(self, g):
        return (np.reshape(g, self.shape),)


class Transpose(Op):
    """out = x with its axes in the order ``axes`` (numpy's transpose; None reverses them, as
    .T does);  dL/dx = g with the axes put back: the inverse order (g^T for the reversal)."""

    name, formulas = "transpose", ("1",)
    scalar_source, scalar_grad_sources, broadcasts = "{x}", ("{g}",), False
    order: tuple[int, ...] | None = None  # set by forward: the axes, None for the reversal

    def __init__(self, axes: Sequence[int] | np.ndarray | None = None):
        self.axes = None if axes is None else _int_sequence(axes)

    @property
    def symbol(self) -> str:  # (how pictures name it: x^T, or transpose(x, order))
        return "T" if self.order is None else "transpose"

    @property
    def source(self) -> str:
        return "{x}.T" if self.order is None else f"np.transpose({{x}}, {self.order})"

    @property
    def grad_sources(self) -> tuple[str]:
        return ("{g}.T",) if self.order is None else (f"np.transpose({{g}}, {self.inverse})",)

    @property
    def grad_formulas(self) -> tuple[str]:
        return ("{g}^T",) if self.order is None else (f"transpose({{g}}, {self.inverse})",)

    def forward(self, x):
        self.order = None if self.axes is None else self._order(x)
        if self.order is None:
            return x.T
        self.inverse = tuple(int(i) for i in np.argsort(self.order))
        return np.transpose(x, self.order)

    def _order(self, x: np.ndarray) -> tuple[int, ...] | None:
        """The axes as non-negative numbers; None where they are the reversal (that is .T,
        drawn and written x^T)."""
        n = x.ndim
        order = tuple(a + n if a < 0 else a for a in self.axes)
        if sorted(order) != list(range(n)):
            raise ShapeError(
                f"transpose: axes {self.axes} are not an order of the {n} axes of an input "
                f"of shape {x.shape}; give each of 0..{n - 1} once (or none, to reverse them)"
            )
        return None if order == tuple(range(n))[::-1] else order

    def backward(self, g):
        return (g.T,) if self.order is None else (np.transpose(g, self.inverse),)


def _int_sequence(axes: Sequence[int] | np.ndarray) -> tuple[int, ...]:
    """transpose's axes as a tuple of ints; anything else (a number, a string) is a TypeError."""
    try:
        given = tuple(axes)
    except TypeError:  # (not iterable: a number)
        given = None
    if given is None or not all(
        isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in given
    ):
        raise TypeError(f"transpose: axes must be None or a sequence of ints, got {axes!r}")
    return tuple(int(a) for a in given)


def sum(x: Node | ArrayLike, axis: Axis = None, keepdims: bool = False) -> Node:  # noqa: A001
    """Sum over ``axis`` (None: all), as numpy.sum."""
    return Sum(axis, keepdims)(x)


def mean(x: Node | ArrayLike, axis: Axis = None, keepdims: bool = False) -> Node:
    """Mean over ``axis`` (None: all), as numpy.mean."""
    return Mean(axis, keepdims)(x)


def reshape(x: Node | ArrayLike, shape: int | tuple[int, ...]) -> Node:
    """x with a new shape (one entry may be -1), as numpy.reshape."""
    return Reshape(shape)(x)


def transpose(x: Node | ArrayLike, axes: Sequence[int] | None = None) -> Node:
    """x with its axes in the order ``axes`` (None: reversed, as ``.T``), as numpy.transpose."""
    return Transpose(axes)(x)
