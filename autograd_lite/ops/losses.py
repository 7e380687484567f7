"""Losses: the lesson's binary cross-entropy and its fused, stable form from logits."""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from ..errors import ShapeError
from ..node import ArrayLike, Node
from ..op import Op

Reduction = Literal["mean", "sum", "none"]


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
    source = "-{y} * log_clamped({x}) - (1.0 - {y}) * log1m_clamped({x})"  # per element
    grad_sources = (
        "{g} * (-{y} / floored({x}) + (1.0 - {y}) / floored(1.0 - {x}))",
        "{g} * (log1m_clamped({x}) - log_clamped({x}))",
    )

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
    source = "bce_logits({x}, {y})"  # per element: log(1 + e^z) - z y
    grad_sources = ("{g} * (sigmoid({x}) - {y})", "-{g} * {x}")

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
