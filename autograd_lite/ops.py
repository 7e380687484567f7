"""The operations: each a small Op, forward and backward side by side, its maths in the docstring.

In the docstrings g is dL/d(out), the gradient arriving from above; backward returns dL/d(input).
Broadcast inputs get gradients of the output's shape: the engine sums them back (op.unbroadcast).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from .errors import ShapeError
from .node import ArrayLike, Node
from .op import Op

Axis = int | tuple[int, ...] | None
Reduction = Literal["mean", "sum", "none"]


# -- arithmetic --------------------------------------------------------------------------------
class Add(Op):
    """out = x + y;  dout/dx = 1, dout/dy = 1."""

    name, symbol, formulas = "add", "+", ("1", "1")

    def forward(self, x, y):
        return x + y

    def backward(self, g):
        return g, g


class Sub(Op):
    """out = x - y;  dout/dx = 1, dout/dy = -1."""

    name, symbol, formulas = "sub", "-", ("1", "-1")

    def forward(self, x, y):
        return x - y

    def backward(self, g):
        return g, (-g if self.needs_input_grad[1] else None)


class Mul(Op):
    """out = x * y;  dout/dx = y, dout/dy = x."""

    name, symbol, formulas = "mul", "*", ("{y}", "{x}")

    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, g):
        need_x, need_y = self.needs_input_grad
        return (g * self.y if need_x else None), (g * self.x if need_y else None)


class Div(Op):
    """out = x / y;  dout/dx = 1/y, dout/dy = -x/y^2 = -out/y."""

    name, symbol, formulas = "div", "/", ("1/{y}", "-{x}/{y}^2")

    def forward(self, x, y):
        self.y = y
        self.out = x / y
        return self.out

    def backward(self, g):
        need_x, need_y = self.needs_input_grad
        gx = g / self.y if need_x else None
        gy = -g * self.out / self.y if need_y else None
        return gx, gy


class Neg(Op):
    """out = -x;  dout/dx = -1."""

    name, symbol, formulas = "neg", "-", ("-1",)

    def forward(self, x):
        return -x

    def backward(self, g):
        return (-g,)


class Pow(Op):
    """out = x^y;  dout/dx = y x^(y-1), dout/dy = out log(x).

    As in PyTorch, dout/dx is 0 where y = 0 and dout/dy is 0 where x = 0 (limits, not NaN).
    """

    name, symbol, formulas = "pow", "**", ("{y}*{x}^({y}-1)", "{out}*log({x})")

    def forward(self, x, y):
        self.x, self.y = x, y
        self.out = x**y
        return self.out

    def backward(self, g):
        need_x, need_y = self.needs_input_grad
        x, y = self.x, self.y
        gx = gy = None
        if need_x:
            with np.errstate(divide="ignore", invalid="ignore"):
                gx = g * np.where(y == 0, 0.0, y * x ** (y - 1))
        if need_y:
            with np.errstate(divide="ignore", invalid="ignore"):
                gy = g * np.where(x == 0, 0.0, self.out * np.log(x))
        return gx, gy


class MatMul(Op):
    """out = x @ y (1-D and 2-D, as numpy);  dL/dx = g @ y^T, dL/dy = x^T @ g.

    A 1-D operand is treated as a row (left) or a column (right) vector, then put back.
    """

    name, symbol, formulas = "matmul", "@", ("{y}^T", "{x}^T")

    def forward(self, x, y):
        if not (1 <= x.ndim <= 2 and 1 <= y.ndim <= 2):
            raise ShapeError(
                f"matmul: {x.shape} @ {y.shape}: operands must be 1-D or 2-D "
                "(use * for scalars)"
            )
        if x.shape[-1] != y.shape[0]:
            raise ShapeError(
                f"matmul: {x.shape} @ {y.shape}: inner dimensions differ "
                f"({x.shape[-1]} vs {y.shape[0]})"
            )
        self.x, self.y = x, y
        return x @ y

    def backward(self, g):
        need_x, need_y = self.needs_input_grad
        x, y = self.x, self.y
        x2 = x if x.ndim == 2 else x.reshape(1, -1)
        y2 = y if y.ndim == 2 else y.reshape(-1, 1)
        g2 = np.reshape(g, (x2.shape[0], y2.shape[1]))
        gx = (g2 @ y2.T).reshape(x.shape) if need_x else None
        gy = (x2.T @ g2).reshape(y.shape) if need_y else None
        return gx, gy


# -- elementwise functions ----------------------------------------------------------------------
class Exp(Op):
    """out = e^x;  dout/dx = e^x = out."""

    name, symbol, formulas = "exp", "exp", ("exp({x})",)

    def forward(self, x):
        self.out = np.exp(x)
        return self.out

    def backward(self, g):
        return (g * self.out,)


class Log(Op):
    """out = ln x;  dout/dx = 1/x."""

    name, symbol, formulas = "log", "log", ("1/{x}",)

    def forward(self, x):
        self.x = x
        return np.log(x)

    def backward(self, g):
        return (g / self.x,)


class Sigmoid(Op):
    """out = a = 1 / (1 + e^-z);  da/dz = a(1 - a)."""

    name, symbol, formulas = "sigmoid", "sigmoid", ("{out}(1-{out})",)

    def forward(self, z):
        if type(z) is np.float64:  # a scalar graph's hot path: Python floats, no numpy overhead
            z = float(z)
            e = math.exp(-abs(z))  # never overflows; sigmoid(-|z|) = e / (1 + e)
            self.out = 1.0 / (1.0 + e) if z >= 0.0 else e / (1.0 + e)  # (a float: see backward)
            return np.float64(self.out)
        # e^-z overflows to inf for z < -709, and 1/(1+inf) = 0 is the right limit: no warning.
        with np.errstate(over="ignore"):
            self.out = 1.0 / (1.0 + np.exp(-z))
        return self.out

    def backward(self, g):
        a = self.out
        return (g * (a * (1.0 - a)),)  # (a float on the scalar path: one numpy product, not two)


class Tanh(Op):
    """out = tanh x;  dout/dx = 1 - out^2."""

    name, symbol, formulas = "tanh", "tanh", ("1-{out}^2",)

    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, g):
        return (g * (1.0 - self.out * self.out),)


class ReLU(Op):
    """out = max(x, 0);  dout/dx = 1 where x > 0, else 0."""

    name, symbol, formulas = "relu", "relu", ("[{x}>0]",)

    def forward(self, x):
        self.x = x
        return np.maximum(x, 0)

    def backward(self, g):
        return (g * (self.x > 0),)


# -- reductions and shape ------------------------------------------------------------------------
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


class Sum(Op):
    """out = sum of x over ``axis``;  dout/dx = 1 (g is copied back along the summed axes)."""

    name, symbol, formulas = "sum", "sum", ("1",)

    def __init__(self, axis: Axis = None, keepdims: bool = False):
        self.axis = _normalize_axis(axis, self.name)
        self.keepdims = keepdims

    def forward(self, x):
        self.shape = x.shape
        return np.sum(x, axis=self.axis, keepdims=self.keepdims)

    def backward(self, g):
        return (_spread(g, self.shape, self.axis, self.keepdims),)


class Mean(Op):
    """out = mean of x over ``axis`` (n elements each);  dout/dx = 1/n."""

    name, symbol, formulas = "mean", "mean", ("1/n",)

    def __init__(self, axis: Axis = None, keepdims: bool = False):
        self.axis = _normalize_axis(axis, self.name)
        self.keepdims = keepdims

    def forward(self, x):
        self.shape = x.shape
        out = np.mean(x, axis=self.axis, keepdims=self.keepdims)
        self.count = x.size // max(np.size(out), 1) if x.size else 0
        return out

    def backward(self, g):
        return (_spread(g / self.count, self.shape, self.axis, self.keepdims),)


def _spread(g: np.ndarray, shape: tuple[int, ...], axis: Axis, keepdims: bool) -> np.ndarray:
    """Copy a reduction's gradient back along the reduced axes, to ``shape``."""
    if not keepdims and axis is not None:
        g = np.expand_dims(g, axis)
    # a fresh array, not a read-only broadcast view, since it may end up in a .grad
    return np.broadcast_to(g, shape).copy()


class Reshape(Op):
    """out = x viewed with a new shape;  dL/dx = g reshaped back to x's shape."""

    name, symbol, formulas = "reshape", "reshape", ("1",)

    def __init__(self, shape: int | tuple[int, ...]):
        dims = (shape,) if isinstance(shape, (int, np.integer)) else shape
        if not isinstance(dims, (tuple, list)) or not all(
            isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in dims
        ):
            raise TypeError(f"reshape: the shape must be an int or a tuple of ints, got {shape!r}")
        self.new_shape = tuple(int(n) for n in dims)

    def forward(self, x):
        self.shape = x.shape
        return np.reshape(x, self.new_shape)

    def backward(self, g):
        return (np.reshape(g, self.shape),)


class Transpose(Op):
    """out = x^T (axes reversed, as numpy's .T);  dL/dx = g^T."""

    name, symbol, formulas = "transpose", "T", ("1",)

    def forward(self, x):
        return x.T

    def backward(self, g):
        return (g.T,)


# -- losses --------------------------------------------------------------------------------------
def _in_unit_interval(x: np.ndarray) -> bool:
    """True when every element of x lies in [0, 1] (a NaN does not: it compares False)."""
    return x.size == 0 or bool(x.min() >= 0.0 and x.max() <= 1.0)


def _check_labels(y: np.ndarray, a: np.ndarray, op: str) -> None:
    """Labels in [0, 1], shaped like the predictions (or one label for all of them): a (m, 1)
    against y (m,) would otherwise broadcast to an (m, m) loss, a silent wrong number."""
    if y.ndim and y.shape != a.shape:  # (forward's inputs are arrays or numpy scalars)
        raise ShapeError(
            f"{op}: predictions of shape {np.shape(a)} but labels of shape {np.shape(y)}; "
            "give labels the predictions' shape (or a single number)"
        )
    if not _in_unit_interval(y):
        raise _labels_outside(y, op)


def _labels_outside(y: np.ndarray | float, op: str) -> ValueError:
    return ValueError(f"{op}: labels must lie in [0, 1], got {_outside_unit_interval(y)}")


def _outside_unit_interval(x: np.ndarray) -> np.ndarray:
    """The first few elements of x outside [0, 1] (NaN included), for an error message."""
    x = np.ravel(x)
    return x[~((x >= 0.0) & (x <= 1.0))][:5]


def _clamped_logs(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(log a, log(1 - a)), each clamped at -100 where it would be -inf (a = 0 or a = 1)."""
    with np.errstate(divide="ignore"):  # log 0 = -inf, clamped here
        return np.maximum(np.log(a), -100.0), np.maximum(np.log1p(-a), -100.0)


class _Loss(Op):
    """Shared by the two losses: the reduction and the factor it puts on each element's gradient."""

    def __init__(self, reduction: Reduction = "mean"):
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(
                f"{self.name}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}"
            )
        self.reduction = reduction

    def reduce(self, losses: np.ndarray) -> np.ndarray:
        """The reduced loss; keeps in ``self.divisor`` what each element's gradient is divided by
        (m for the mean of m losses, else 1)."""
        self.divisor = losses.size if self.reduction == "mean" else 1
        if type(losses) is np.float64:  # one number is its own mean and sum
            return losses
        if self.reduction == "mean":
            return losses.sum() / losses.size  # np.mean's value, without its Python-level wrapper
        if self.reduction == "sum":
            return np.sum(losses)
        return losses


class BinaryCrossEntropy(_Loss):
    """L = -(y log a + (1-y) log(1-a)), each log clamped at -100 (as PyTorch's BCELoss);
    dL/da = -y/a + (1-y)/(1-a) (denominators floored at 1e-12), dL/dy = log(1-a) - log a.
    """

    name, symbol = "binary_cross_entropy", "L(a,y)"
    formulas = ("-{y}/{x} + (1-{y})/(1-{x})", "log(1-{x}) - log({x})")

    def forward(self, a, y):
        if type(a) is np.float64 and type(y) is np.float64:
            return self._forward_one(float(a), float(y))
        if not _in_unit_interval(a):
            raise ValueError(self._outside_message(a))
        _check_labels(y, a, self.name)
        self.log_a, self.log_1ma = _clamped_logs(a)
        self.a, self.y = a, y
        losses = -y * self.log_a - (1.0 - y) * self.log_1ma  # (not -(...): no -0.0 loss)
        return self.reduce(losses)

    def _forward_one(self, a: float, y: float) -> np.float64:
        """One example, the lesson's L: the same formulas in Python floats (numpy's scalar
        arithmetic costs several times more, and this is the whole op on a scalar graph)."""
        if not 0.0 <= a <= 1.0:
            raise ValueError(self._outside_message(a))
        if not 0.0 <= y <= 1.0:
            raise _labels_outside(y, self.name)
        log_a = math.log(a) if a > 0.0 else -100.0
        if log_a < -100.0:  # (a < e^-100; the clamp as a comparison, not a call to max)
            log_a = -100.0
        log_1ma = math.log1p(-a) if a < 1.0 else -100.0  # a float below 1 keeps it above -37
        self.log_a, self.log_1ma, self.a, self.y, self.divisor = log_a, log_1ma, a, y, 1
        return np.float64(-y * log_a - (1.0 - y) * log_1ma)

    def _outside_message(self, a: np.ndarray | float) -> str:
        return (
            f"{self.name}: predictions a must lie in [0, 1] (apply sigmoid first, or use "
            f"binary_cross_entropy_with_logits), got {_outside_unit_interval(a)}"
        )

    def backward(self, g):
        need_a, need_y = self.needs_input_grad
        if self.divisor != 1:
            g = g / self.divisor
        a, y = self.a, self.y
        # The lesson's two terms, each denominator floored at 1e-12 (as PyTorch's eps) so the
        # gradient stays finite at a = 0 or 1. Not PyTorch's (a-y)/(a(1-a)): at a = y = 0 that
        # is 0/0 floored to 0, while the loss's slope there is (1-y)/(1-a) = 1.
        ga = None
        if need_a:
            if type(a) is float:  # one example (see _forward_one): Python floats, not ufuncs
                one_minus_a = 1.0 - a
                ga = g * (
                    -y / (a if a > 1e-12 else 1e-12)
                    + (1.0 - y) / (one_minus_a if one_minus_a > 1e-12 else 1e-12)
                )
            else:
                ga = g * (-y / np.maximum(a, 1e-12) + (1.0 - y) / np.maximum(1.0 - a, 1e-12))
        gy = g * (self.log_1ma - self.log_a) if need_y else None
        return ga, gy


class BinaryCrossEntropyWithLogits(_Loss):
    """L = -(y log sigmoid(z) + (1-y) log(1 - sigmoid(z))) = max(z, 0) - z y + log(1 + e^-|z|);
    dL/dz = sigmoid(z) - y = a - y, dL/dy = -z. Finite for every finite z.
    """

    name, symbol = "binary_cross_entropy_with_logits", "L(z,y)"
    formulas = ("sigmoid({x}) - {y}", "-{x}")

    def forward(self, z, y):
        _check_labels(y, z, self.name)
        self.z, self.y = z, y
        self.e = np.exp(-np.abs(z))  # e^-|z| <= 1 never overflows; backward reuses it
        losses = np.maximum(z, 0.0) - z * y + np.log1p(self.e)
        return self.reduce(losses)

    def backward(self, g):
        need_z, need_y = self.needs_input_grad
        if self.divisor != 1:
            g = g / self.divisor
        gz = gy = None
        if need_z:
            # a = sigmoid(z) from e = e^-|z|: 1 / (1 + e) where z >= 0, e / (1 + e) where z < 0
            a = np.where(self.z >= 0.0, 1.0, self.e) / (1.0 + self.e)
            gz = g * (a - self.y)
        if need_y:
            gy = -g * self.z
        return gz, gy


# -- the functions users call ------------------------------------------------------------------
def exp(x: Node | ArrayLike) -> Node:
    """e^x, elementwise."""
    return Exp()(x)


def log(x: Node | ArrayLike) -> Node:
    """Natural logarithm, elementwise."""
    return Log()(x)


def sigmoid(z: Node | ArrayLike) -> Node:
    """1 / (1 + e^-z), elementwise; no overflow warning for large |z|."""
    return Sigmoid()(z)


def tanh(x: Node | ArrayLike) -> Node:
    """tanh x, elementwise."""
    return Tanh()(x)


def relu(x: Node | ArrayLike) -> Node:
    """max(x, 0), elementwise."""
    return ReLU()(x)


def sum(x: Node | ArrayLike, axis: Axis = None, keepdims: bool = False) -> Node:  # noqa: A001
    """Sum over ``axis`` (None: all), as numpy.sum."""
    return Sum(axis, keepdims)(x)


def mean(x: Node | ArrayLike, axis: Axis = None, keepdims: bool = False) -> Node:
    """Mean over ``axis`` (None: all), as numpy.mean."""
    return Mean(axis, keepdims)(x)


def reshape(x: Node | ArrayLike, shape: int | tuple[int, ...]) -> Node:
    """x with a new shape (one entry may be -1), as numpy.reshape."""
    return Reshape(shape)(x)


def transpose(x: Node | ArrayLike) -> Node:
    """x with its axes reversed, as numpy's .T."""
    return Transpose()(x)


def binary_cross_entropy(
    a: Node | ArrayLike, y: Node | ArrayLike, reduction: Reduction = "mean"
) -> Node:
    """The lesson's loss -(y log a + (1-y) log(1-a)) of probabilities a, averaged by default."""
    return BinaryCrossEntropy(reduction)(a, y)


def binary_cross_entropy_with_logits(
    z: Node | ArrayLike, y: Node | ArrayLike, reduction: Reduction = "mean"
) -> Node:
    """The same loss of a = sigmoid(z), computed stably from z; its gradient is exactly a - y."""
    return BinaryCrossEntropyWithLogits(reduction)(z, y)
