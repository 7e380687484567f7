"""softmax and log_softmax along an axis, stable for large logits (the max is taken out first)."""

from __future__ import annotations

import numpy as np

from ..node import ArrayLike, Node
from ..op import Op
from .joining import _int_axis


# (codegen/helpers.py holds the same two functions as text, for the generated code)
def stable_log_softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """log softmax(z) = (z - max z) - log sum e^(z - max z): every exponent is <= 0, no overflow."""
    return log_softmax_parts(z, axis)[0]


def log_softmax_parts(z: np.ndarray, axis: int = -1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(log softmax z, e = e^(z - max z), sum e): softmax z is e / sum e, with no second exp."""
    shifted = z - np.max(z, axis=axis, keepdims=True)
    e = np.exp(shifted)
    total = np.sum(e, axis=axis, keepdims=True)
    return shifted - np.log(total), e, total


def stable_softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """softmax(z) = e^(z - max z) / sum e^(z - max z)."""
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


class _AlongAxis(Op):
    """Shared by softmax and log_softmax: the axis they normalise along."""

    broadcasts = False

    @property
    def source(self) -> str:  # (codegen's helpers are named after the ops)
        return f"{self.name}({{x}}, axis={self.axis})"

    def __init__(self, axis: int = -1):
        self.axis = _int_axis(axis, self.name)


class Softmax(_AlongAxis):
    """out = s = e^z / sum_j e^z_j along ``axis``;  dL/dz = s * (g - sum_j g_j s_j)."""

    name, symbol, formulas = "softmax", "softmax", ("diag({out}) - {out}{out}^T",)
    grad_formulas = ("{out} * ({g} - sum({g}*{out}))",)  # J^T g, J the Jacobian above

    @property
    def grad_sources(self) -> tuple[str, ...]:
        return (f"{{out}} * ({{g}} - np.sum({{g}} * {{out}}, axis={self.axis}, keepdims=True))",)

    def forward(self, z):
        self.out = stable_softmax(z, self.axis)
        return self.out

    def backward(self, g):
        s = self.out
        return (s * (g - np.sum(g * s, axis=self.axis, keepdims=True)),)


class LogSoftmax(_AlongAxis):
    """out = z - log sum_j e^z_j along ``axis``;  dL/dz = g - softmax(z) * sum_j g_j."""

    name, symbol, formulas = "log_softmax", "log_softmax", ("I - softmax({x})1^T",)
    grad_formulas = ("{g} - softmax({x}) * sum({g})",)  # J^T g, J the Jacobian above

    @property
    def grad_sources(self) -> tuple[str, ...]:
        return (f"{{g}} - np.exp({{out}}) * np.sum({{g}}, axis={self.axis}, keepdims=True)",)

    def forward(self, z):
        self.out = stable_log_softmax(z, self.axis)
        return self.out

    def backward(self, g):
        return (g - np.exp(self.out) * np.sum(g, axis=self.axis, keepdims=True),)


def softmax(z: Node | ArrayLike, axis: int = -1) -> Node:
    """e^z / sum e^z along ``axis`` (each slice sums to 1), stable for large |z|."""
    return Softmax(axis)(z)


def log_softmax(z: Node | ArrayLike, axis: int = -1) -> Node:
    """log softmax(z) along ``axis``, computed without forming e^z (finite for any finite z)."""
    return LogSoftmax(axis)(z)
