"""Arithmetic: + - * / ** @ and unary minus (Node's operators build these)."""

from __future__ import annotations

import warnings

import numpy as np

from ..errors import ShapeError, user_stacklevel
from ..op import Op


class Add(Op):
    """out = x + y;  dout/dx = 1, dout/dy = 1."""

    name, symbol, formulas = "add", "+", ("1", "1")
    source, grad_sources = "{x} + {y}", ("{g}", "{g}")

    def forward(self, x, y):
        return x + y

    def backward(self, g):
        return g, g


class Sub(Op):
    """out = x - y;  dout/dx = 1, dout/dy = -1."""

    name, symbol, formulas = "sub", "-", ("1", "-1")
    source, grad_sources = "{x} - {y}", ("{g}", "-{g}")

    def forward(self, x, y):
        return x - y

    def backward(self, g):
        return g, (-g if self.needs_input_grad[1] else None)


class Mul(Op):
    """out = x * y;  dout/dx = y, dout/dy = x."""

    name, symbol, formulas = "mul", "*", ("{y}", "{x}")
    # (the other factor first, as the lesson writes dw1 = x1 * dz)
    source, grad_sources = "{x} * {y}", ("{y} * {g}", "{x} * {g}")

    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, g):
        if self.x is self.y:  # x * x (p * p in an L2 term): both gradients are g x, made once
            gx = g * self.x
            return gx, gx
        need_x, need_y = self.needs_input_grad
        return (g * self.y if need_x else None), (g * self.x if need_y else None)


class Div(Op):
    """out = x / y;  dout/dx = 1/y, dout/dy = -x/y^2 = -out/y."""

    name, symbol, formulas = "div", "/", ("1/{y}", "-{x}/{y}^2")
    source, grad_sources = "{x} / {y}", ("{g} / {y}", "-{g} * {out} / {y}")

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
    source, grad_sources = "-{x}", ("-{g}",)

    def forward(self, x):
        return -x

    def backward(self, g):
        return (-g,)


class Pow(Op):
    """out = x^y;  dout/dx = y x^(y-1), dout/dy = out log(x).

    As in PyTorch, dout/dx is 0 where y = 0, and dout/dy is 0 where x = 0 and y >= 0 (limits,
    not 0 * -inf = NaN); where x = 0 and y < 0, out is inf and dout/dy = -inf, its limit.
    dout/dx is inf where x = 0 and y < 1 (the slope's limit, as sqrt's). Where x < 0, dout/dy
    is NaN (log x is undefined) and a RuntimeWarning says so, as numpy's log would.
    """

    name, symbol, formulas = "pow", "**", ("{y}*{x}^({y}-1)", "{out}*log({x})")
    source = "{x} ** {y}"
    grad_sources = (
        "{g} * np.where({y} == 0, 0.0, {y} * {x} ** ({y} - 1))",
        "{g} * np.where(({x} == 0) & ({y} >= 0), 0.0, {out} * np.log({x}))",
    )
    # math.pow, not **: a negative float to a fractional power is an error, not a complex number
    scalar_source = "math.pow({x}, {y})"
    scalar_grad_sources = (
        "{g} * ({y} * math.pow({x}, {y} - 1.0) if {y} != 0.0 else 0.0)",
        "{g} * ({out} * math.log({x}) if {x} != 0.0 or {y} < 0.0 else 0.0)",
    )

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
            with np.errstate(divide="ignore", invalid="ignore"):  # (log 0, which where drops)
                gy = g * np.where((x == 0) & (y >= 0), 0.0, self.out * np.log(x))
            if np.any(x < 0):
                warnings.warn(
                    "pow: the gradient for the exponent y is NaN where the base x is negative "
                    "(d(x^y)/dy = x^y log x, and log x is undefined for x < 0)",
                    RuntimeWarning,
                    stacklevel=user_stacklevel(),
                )
        return gx, gy


class MatMul(Op):
    """out = x @ y (1-D and 2-D, as numpy);  dL/dx = g @ y^T, dL/dy = x^T @ g.

    A 1-D operand is treated as a row (left) or a column (right) vector, then put back.
    """

    name, symbol, formulas = "matmul", "@", ("{y}^T", "{x}^T")
    grad_formulas = ("{g} @ {y}^T", "{x}^T @ {g}")
    source, broadcasts = "{x} @ {y}", False

    @property
    def grad_sources(self):
        """g @ y^T and x^T @ g, written for the operands' ndim (a 1-D operand is a vector)."""
        one_x, one_y = self.x.ndim == 1, self.y.ndim == 1
        if one_x and one_y:  # a dot product: g is one number
            return "{g} * {y}", "{g} * {x}"
        if one_x:  # (n,) @ (n, k) -> (k,)
            return "{y} @ {g}", "np.outer({x}, {g})"
        if one_y:  # (m, n) @ (n,) -> (m,)
            return "np.outer({g}, {y})", "{x}.T @ {g}"
        return "{g} @ {y}.T", "{x}.T @ {g}"

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
        x, y = self.x, self.y
        if x.ndim == 2 and y.ndim == 2:
            return self._matrix_grads(g, x, y)
        x2 = x if x.ndim == 2 else x.reshape(1, -1)
        y2 = y if y.ndim == 2 else y.reshape(-1, 1)
        gx, gy = self._matrix_grads(np.reshape(g, (x2.shape[0], y2.shape[1])), x2, y2)
        return (None if gx is None else gx.reshape(x.shape)), (
            None if gy is None else gy.reshape(y.shape)
        )

    def _matrix_grads(self, g, x, y):
        """g @ y^T and x^T @ g for 2-D x and y (None where no gradient is needed)."""
        need_x, need_y = self.needs_input_grad
        gx = gy = None
        if need_x:  # (y of one column: g @ y^T is an outer product, twice as fast broadcast)
            gx = g * y.T if y.shape[1] == 1 else g @ y.T
        if need_y:
            gy = x.T @ g
        return gx, gy
