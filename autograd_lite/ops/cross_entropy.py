"""Cross-entropy of logits over classes (softmax then the negative log-likelihood, fused)."""

from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from ..node import ArrayLike, Node
from .identities import named
from .losses import Reduction, _Loss, is_finite
from .softmax import log_softmax_parts

_SOFTMAX_MINUS_ONEHOT = named(None, "cross_entropy")  # the fused gradient, from the one table


class CrossEntropy(_Loss):
    """L = -sum_k y_k log softmax(z)_k for each example, z the logits (m, k) and y the labels:
    class indices (m,) or one-hot rows (m, k) (or class probabilities);
    dL/dz = softmax(z) - y (the fused gradient, exact at any finite z), dL/dy = -log softmax(z).
    """

    name, symbol = "cross_entropy", "CE(z,y)"
    formulas = ("softmax({x}) - {y}", "-log_softmax({x})")
    broadcasts = False

    # Codegen templates for one-hot labels, per example; labels given as class indices are
    # turned into one-hot rows by forward, so that case is called through forward and backward.
    @property
    def source(self) -> str | None:
        if self.indices:
            return None
        return "-np.sum(weighted_log({y}, log_softmax({x}, axis=-1)), axis=-1)"

    @property
    def grad_sources(self) -> tuple[str, str]:
        # one g per example, spread over its classes (one example, (k,) logits: one number)
        g = "{g}[..., None]" if self.reduction == "none" and self.z.ndim == 2 else "{g}"
        return (f"{g} * (softmax({{x}}, axis=-1) - {{y}})", f"-{g} * log_softmax({{x}}, axis=-1)")

    def forward(self, z, y):
        if np.ndim(z) not in (1, 2):
            raise ShapeError(
                f"{self.name}: logits must be (k,) or (m, k) (examples, classes), got {np.shape(z)}"
            )
        self.z = z
        self.log_p, self.e, self.e_sum = log_softmax_parts(z, axis=-1)  # (backward: e / sum e)
        self.y = self._one_hot(np.asarray(y), z.shape)
        # (0 - s: no -0.0 loss)
        value = self.reduce(0.0 - np.sum(weighted_log(self.y, self.log_p), axis=-1))
        if is_finite(value):
            return value
        refuse_undefined_logits(z, self.name)
        return value

    def _one_hot(self, y: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        """The labels as rows of class probabilities (m, k), with a clear error for bad ones."""
        k = shape[-1]
        self.indices = y.shape == shape[:-1]
        if self.indices:
            if self.needs_input_grad[1]:
                raise TypeError(f"{self.name}: class indices have no gradient; pass a constant")
            if not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
                wrong = _bad(y, ~np.isfinite(y) | (y != np.round(y)))
                raise ValueError(f"{self.name}: class indices must be whole numbers, got {wrong}")
            if y.size and (y.min() < 0 or y.max() >= k):
                raise ValueError(
                    f"{self.name}: class indices must lie in 0..{k - 1} for {k} classes, got "
                    f"{_bad(y, (y < 0) | (y >= k))}"
                )
            one_hot = np.zeros(shape, dtype=self.log_p.dtype)
            np.put_along_axis(one_hot, y.astype(np.intp)[..., None], 1.0, axis=-1)
            return one_hot
        if y.shape == shape:  # one-hot rows or class probabilities
            rows_ok = np.all((y >= 0) & (y <= 1)) and np.allclose(np.sum(y, axis=-1), 1.0)
            if not rows_ok:
                raise ValueError(
                    f"{self.name}: labels of shape {y.shape} must be one-hot rows (or class "
                    "probabilities: each in [0, 1], each row summing to 1)"
                )
            return y
        raise ShapeError(
            f"{self.name}: logits of shape {shape} take labels of shape {shape[:-1]} (class "
            f"indices) or {shape} (one-hot), got {y.shape}"
        )

    def backward(self, g):
        need_z, need_y = self.needs_input_grad
        if self.divisor != 1:
            g = g / self.divisor
        g = np.expand_dims(g, -1)  # one per example, spread over its classes
        gz = None
        if need_z:  # softmax(z) from forward's parts: no second max, exp and sum
            gz = g * _SOFTMAX_MINUS_ONEHOT.gradient(self.z, self.y, self.e / self.e_sum)
        gy = -g * self.log_p if need_y else None
        return gz, gy


def refuse_undefined_logits(z: np.ndarray, op: str) -> None:
    """An error where softmax(z) is not defined: a NaN logit, a +inf one (inf - max z = inf -
    inf), or a row whose logits are all -inf (every class masked). A -inf logit among finite
    ones is a masked class, and fine. (The generated code's ce_limits does the same.)"""
    bad = np.isnan(z) | (z == np.inf)
    if not bad.any():
        bad = np.broadcast_to(np.all(z == -np.inf, axis=-1, keepdims=True), z.shape)
        if not bad.any():
            return  # (finite logits whose loss overflowed: inf is its value)
    where = [int(i) for i in np.argwhere(np.atleast_1d(bad))[0]]
    value = np.atleast_1d(z)[tuple(where)]
    raise ValueError(
        f"{op}: the logits hold {value} at index {where}: softmax is not defined there "
        "(NaN, or +inf: inf - max z is inf - inf; or a row of -inf only: no class left); give "
        "finite logits (-inf masks a class, if another is finite)"
    )


def weighted_log(y: np.ndarray, log_p: np.ndarray) -> np.ndarray:
    """y log p, and 0 where y = 0: a class of no weight adds nothing, even where its logit is
    -inf (a masked class, log p = -inf), where y log p would be 0 * -inf = NaN."""
    out = np.zeros(np.broadcast_shapes(np.shape(y), np.shape(log_p)), np.result_type(y, log_p))
    return np.multiply(y, log_p, out=out, where=y != 0)


def _bad(y: np.ndarray, where: np.ndarray) -> np.ndarray:
    """The first few labels at fault, for an error message (whole numbers shown as ints)."""
    bad = np.ravel(y)[np.ravel(where)][:5]
    whole = np.isfinite(bad) & (bad == np.round(bad))
    return bad.astype(np.int64) if np.all(whole) else bad


def cross_entropy(
    logits: Node | ArrayLike, labels: Node | ArrayLike, reduction: Reduction = "mean"
) -> Node:
    """Cross-entropy of softmax(logits) against labels (class indices (m,) or one-hot (m, k)),
    averaged over the examples by default; its gradient is exactly softmax(logits) - onehot."""
    return CrossEntropy(reduction)(logits, labels)
