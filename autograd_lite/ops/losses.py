"""Losses: the lesson's binary cross-entropy and its fused, stable form from logits."""

from __future__ import annotations

import math
import warnings
from typing import Literal

import numpy as np

from ..errors import ClampedLossWarning, ShapeError, user_stacklevel
from ..node import ArrayLike, Node
from ..op import Op
from . import identities

Reduction = Literal["mean", "sum", "none"]
_FLOOR = 1e-12  # dL/da's denominators a and 1 - a are floored here where a is not from sigmoid


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


class _Loss(Op):
    """Shared by the losses: the reduction and the factor it puts on each element's gradient."""

    is_loss = True

    labels: int | None = None  # the input of labels in [0, 1], which generated code checks

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


# Arrays beyond BLOCKED elements (512 KB of float64) are done BLOCK elements at a time: one
# block's temporaries stay in the CPU's cache. Smaller ones fit there whole. (The generated
# code's bce_logits, codegen/helpers.py, uses the same two sizes.)
BLOCKED, BLOCK = 65_536, 16_384


def _losses_of_logits(z: np.ndarray, y: np.ndarray, e: np.ndarray | None = None):
    """(losses, e, step): -(y log a + (1-y) log(1-a)) of a = sigmoid(z) as max(z, 0) - z y +
    log(1 + e), e = e^-|z| <= 1 (so no exponential overflows), finite for every finite z; and
    step = [z >= 0] (1.0 or 0.0, as z's dtype for an array), from which and e backward gets a:
    a = max(step, e) / (1 + e).

    max(z, 0) - z y is computed as z (step - y), that is z (1 - y) or -z y, as the generated
    code does (codegen's bce_logits): one rounding, so no cancellation where the loss is tiny
    beside |z| (a soft label y = 1 - 1e-10 at z = 1000; max(z, 0) - z y there lost 6 digits),
    and exactly 0 where y = 1 and z > 0 or y = 0 and z < 0. A large array is done block by
    block, so that its passes read and write the cache rather than memory (the same numbers,
    element by element).
    """
    if type(z) is not np.ndarray:  # one number
        abs_z = np.abs(z)
        if e is None:
            e = np.exp(-abs_z)
        step = z >= 0.0
        with np.errstate(invalid="ignore"):  # an infinite z's inf * 0: see limits_of_logits
            return z * (step - y) + np.log1p(e), e, step
    # (the step as floats: made from z once here, where backward's np.where(z >= 0, 1, e) took
    # four times as long as np.maximum(step, e))
    step = np.empty(z.shape, z.dtype)
    if z.size <= BLOCKED or np.shape(y) not in ((), z.shape):
        if e is None:
            e = np.exp(-np.abs(z))
        np.greater_equal(z, 0.0, out=step)
        with np.errstate(invalid="ignore"):  # (as above)
            return z * (step - y) + np.log1p(e), e, step
    losses = np.empty(z.shape, np.result_type(z, y))
    given = e is not None
    if not given:
        e = np.empty(z.shape, z.dtype)
    flat_z, flat_losses, flat_e = z.reshape(-1), losses.reshape(-1), e.reshape(-1)
    flat_step = step.reshape(-1)
    flat_y = np.reshape(y, -1) if np.ndim(y) else y
    with np.errstate(invalid="ignore"):  # (as above; once, not per block)
        for start in range(0, z.size, BLOCK):
            block = slice(start, start + BLOCK)
            zb, out, eb, sb = flat_z[block], flat_losses[block], flat_e[block], flat_step[block]
            if not given:
                np.abs(zb, out=eb)
                np.negative(eb, out=eb)
                np.exp(eb, out=eb)
            np.greater_equal(zb, 0.0, out=sb)
            np.subtract(sb, flat_y[block] if np.ndim(y) else y, out=out)
            out *= zb
            out += np.log1p(eb)
    return losses, e, step


def is_finite(value) -> bool:
    """Whether a loss holds no inf or NaN; a float64 (a mean's or sum's, the common case) is
    tested as a number, without a ufunc call (this runs on every loss)."""
    if type(value) is np.float64:
        return math.isfinite(value)
    return bool(np.isfinite(value).all())


def limits_of_logits(z, y, losses, op: str):
    """The losses where some z is infinite, as their limits: 0 at z = +inf with y = 1 (or
    -inf with y = 0), inf otherwise (the formula gives inf * 0 = NaN there). A NaN z is an
    error naming ``op`` and the index, not a NaN loss. (The generated code's bce_limits,
    codegen/helpers.py, does the same.)"""
    if np.any(np.isnan(z)):
        where = [int(i) for i in np.argwhere(np.isnan(np.atleast_1d(z)))[0]]
        raise ValueError(f"{op}: the logits z hold NaN (at index {where}); "
                         "the loss of a NaN logit is not a number")
    inf = np.inf
    limits = np.where(z > 0, np.where(y == 1, 0.0, inf), np.where(y == 0, 0.0, inf))
    fixed = np.where(np.isinf(z), limits, losses).astype(np.result_type(losses), copy=False)
    return fixed[()] if np.ndim(fixed) == 0 else fixed


_SMALLEST_NORMAL = {np.dtype(t): np.finfo(t).tiny for t in (np.float16, np.float32, np.float64)}


def _smallest_normal(dtype: np.dtype) -> float:
    """The smallest normal number of a floating dtype (np.finfo is slow to ask every call)."""
    tiny = _SMALLEST_NORMAL.get(dtype)
    return np.finfo(dtype).tiny if tiny is None else tiny


def _slope_of_a(a, y, z, e):
    """dL/da = -y/a + (1-y)/(1-a) for a = sigmoid(z), with 1 - a = sigmoid(-z) from e = e^-|z|:
    the true value, huge where sigmoid saturates and inf where it overflows (|z| > ~709). A term
    whose label factor is 0 is 0, even where its denominator is 0 (a = 0 exactly, z < -745)."""
    if type(z) is float:  # one example (Python floats)
        one_minus_a = e / (1.0 + e) if z >= 0.0 else 1.0 / (1.0 + e)
        term_a = -y / a if a > 0.0 else (-math.inf if y else 0.0)
        term_1ma = (1.0 - y) / one_minus_a if one_minus_a > 0.0 else (math.inf if y != 1 else 0.0)
        return term_a + term_1ma
    one_minus_a = np.where(z >= 0.0, e, 1.0) / (1.0 + e)
    if e.size == 0 or e.min() >= _smallest_normal(e.dtype):  # |z| < ~708: no 1/x overflows
        return -y / a + (1.0 - y) / one_minus_a
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        term_a = np.where(y == 0.0, 0.0, -y / a)
        term_1ma = np.where(y == 1.0, 0.0, (1.0 - y) / one_minus_a)
    return term_a + term_1ma


class BinaryCrossEntropy(_Loss):
    """L = -(y log a + (1-y) log(1-a));  dL/da = -y/a + (1-y)/(1-a),  dL/dy = log(1-a) - log a.

    Exact where a = sigmoid(z), as in the lesson's graph. ``identities.inner_op`` recognises a
    sigmoid node as a (the one place an op looks at the graph behind its input), and then
    everything is computed from the sigmoid's z, never from a rounded 1 - a:
    L = max(z, 0) - z y + log(1 + e^-|z|);  dL/da from a and 1 - a = sigmoid(-z) (huge, or inf
    when it overflows, where sigmoid saturates: the true value);  dL/dy = log((1-a)/a) = -z.
    Backward also hands the sigmoid its exact dL/dz = (a - y) g, the identity's gradient(z, y):
    Sigmoid.backward returns it when the loss is a's only user, so dz = a - y for every finite z
    (with other users too, it applies the chain rule). The graph is the lesson's: L's parents
    are a and y. An infinite z gives the loss's limit (0, or inf), as the fused loss does; a NaN
    z falls through to the checks below (a NaN a is an error).

    For any other a, each log is clamped at -100 and each denominator of dL/da floored at 1e-12,
    as PyTorch's BCELoss; where that changes a result (a within 1e-12 of 0 or 1 and the label
    not equal to it), it warns once per call (ClampedLossWarning) with the count.
    """

    name, symbol, labels = "binary_cross_entropy", "L(a,y)", 1
    formulas = ("-{y}/{x} + (1-{y})/(1-{x})", "log(1-{x}) - log({x})")
    source = "-{y} * log_clamped({x}) - (1.0 - {y}) * log1m_clamped({x})"  # per element
    grad_sources = (
        "{g} * (-{y} / floored({x}) + (1.0 - {y}) / floored(1.0 - {x}))",
        "{g} * (log1m_clamped({x}) - log_clamped({x}))",
    )
    sigmoid = None  # (the identity, the Sigmoid op) that computed a, when a came from sigmoid
    a_from = None  # the op between a sigmoid and a (a reshape, an index), for the warning
    a_name = None  # a's name, for the message about a NaN prediction

    def __call__(self, a, y):
        # (an op object used before is copied by Op.__call__ first, and this runs on the copy)
        if not self.needs_input_grad:
            if isinstance(a, Node):
                self.a_name = a.name
                self.sigmoid = identities.inner_op(a, self)
                self.a_from = None if self.sigmoid is not None else _sigmoid_behind(a)
            else:
                self.a_name = self.sigmoid = self.a_from = None
        return Op.__call__(self, a, y)

    def forward(self, a, y):
        if self.sigmoid is not None:
            value = self._forward_of_logits(a, y, self.sigmoid[1])
            if value is not None:
                return value
            self.sigmoid = None  # z is NaN or infinite: a's own check below says so
        if type(a) is np.float64 and type(y) is np.float64:
            return self._forward_one(float(a), float(y))
        if a.size:
            low, high = a.min(), a.max()
            if not (low >= 0.0 and high <= 1.0):  # (a NaN fails both)
                raise ValueError(self._outside_message(a))
        _check_labels(y, a, self.name)
        if a.size and (low < _FLOOR or high > 1.0 - _FLOOR):
            near = ((a < _FLOOR) & (y != 0.0)) | ((a > 1.0 - _FLOOR) & (y != 1.0))
            self._warn_clamped(int(np.sum(near)), a.size)
        with np.errstate(divide="ignore"):  # log 0 = -inf, clamped here
            self.log_a = np.maximum(np.log(a), -100.0)
            self.log_1ma = np.maximum(np.log1p(-a), -100.0)
        self.a, self.y = a, y
        losses = -y * self.log_a - (1.0 - y) * self.log_1ma  # (not -(...): no -0.0 loss)
        return self.reduce(losses)

    def _forward_of_logits(self, a, y, sigmoid):
        """The loss from the sigmoid's z (its limit where z is infinite, as the fused loss's);
        None where z holds NaN (the check of a then says where it came from)."""
        z, e = sigmoid.z, sigmoid.e
        if type(z) is float:  # one example (a float64 scalar graph), in Python floats
            if type(y) is not np.float64:
                _check_labels(y, a, self.name)  # (one label: a 0-d array or another scalar)
            y = float(y)
            if not 0.0 <= y <= 1.0:
                raise _labels_outside(y, self.name)
            loss = (z * (1.0 - y) if z >= 0.0 else -z * y) + math.log1p(e)  # (as above)
            if loss - loss != 0.0:  # (inf - inf and NaN - NaN are NaN)
                if z != z:
                    return None
                loss = float(limits_of_logits(z, y, loss, self.name))  # z = +-inf (rare)
            self.a, self.y, self.divisor = float(a), y, 1
            return np.float64(loss)
        _check_labels(y, a, self.name)
        self.a, self.y = a, y
        losses = _losses_of_logits(z, y, e)[0]
        value = self.reduce(losses)
        if is_finite(value):
            return value
        if np.any(np.isnan(z)):
            return None
        return self.reduce(limits_of_logits(z, y, losses, self.name))

    def _forward_one(self, a: float, y: float) -> np.float64:
        """One example, the lesson's L: the same formulas in Python floats (numpy's scalar
        arithmetic costs several times more, and this is the whole op on a scalar graph)."""
        if not 0.0 <= a <= 1.0:
            raise ValueError(self._outside_message(a))
        if not 0.0 <= y <= 1.0:
            raise _labels_outside(y, self.name)
        if (a < _FLOOR and y != 0.0) or (a > 1.0 - _FLOOR and y != 1.0):
            self._warn_clamped(1, 1)
        log_a = math.log(a) if a > 0.0 else -100.0
        if log_a < -100.0:  # (a < e^-100; the clamp as a comparison, not a call to max)
            log_a = -100.0
        log_1ma = math.log1p(-a) if a < 1.0 else -100.0  # a float below 1 keeps it above -37
        self.log_a, self.log_1ma, self.a, self.y, self.divisor = log_a, log_1ma, a, y, 1
        return np.float64(-y * log_a - (1.0 - y) * log_1ma)

    def _outside_message(self, a: np.ndarray | float) -> str:
        nan = int(np.sum(np.isnan(a)))
        if not nan:
            return (
                f"{self.name}: predictions a must lie in [0, 1] (apply sigmoid first, or use "
                f"binary_cross_entropy_with_logits), got {_outside_unit_interval(a)}"
            )
        source = f"node {self.a_name!r}" if self.a_name else "an unnamed node"
        return (
            f"{self.name}: predictions a are NaN ({nan} of {np.size(a)} value(s)), from "
            f"{source}: an earlier op produced the NaN; run the computation inside "
            "`with ag.detect_anomaly():` to stop at the op that made it"
        )

    def _warn_clamped(self, count: int, size: int) -> None:
        if not count:
            return
        if self.a_from is not None:  # a sigmoid, with a reshape or an index after it
            why = (f"; a was computed by {self.a_from} from a sigmoid's output, and the loss is "
                   "exact from z only for the sigmoid's own output, so the logs are clamped at "
                   "-100 (as PyTorch's BCELoss): the loss and gradient are not the true ones; "
                   f"apply {self.a_from} to z before sigmoid (or give the labels a's shape "
                   "instead), or use binary_cross_entropy_with_logits(z, y)")
        else:
            why = (", and were not computed by sigmoid from a finite z in this graph: there the "
                   "logs are clamped at -100 and dL/da's denominators at 1e-12 (as PyTorch's "
                   "BCELoss), so the loss and gradient are not the true ones; compute the loss "
                   "from the logits z with binary_cross_entropy_with_logits(z, y), or apply "
                   "sigmoid in the graph")
        warnings.warn(
            f"{self.name}: {count} of {size} prediction(s) a lie within 1e-12 of 0 or 1, "
            f"with a label that differs{why}",
            ClampedLossWarning,
            stacklevel=user_stacklevel(),
        )

    def backward(self, g):
        if self.divisor != 1:
            g = g / self.divisor
        if self.sigmoid is not None:
            return self._backward_of_logits(g)
        need_a, need_y = self.needs_input_grad
        a, y = self.a, self.y
        # The lesson's two terms, each denominator floored at 1e-12 (as PyTorch's eps) so the
        # gradient stays finite at a = 0 or 1. Not PyTorch's (a-y)/(a(1-a)): at a = y = 0 that
        # is 0/0 floored to 0, while the loss's slope there is (1-y)/(1-a) = 1.
        ga = None
        if need_a:
            if type(a) is float:  # one example (see _forward_one): Python floats, not ufuncs
                one_minus_a = 1.0 - a
                ga = g * (
                    -y / (a if a > _FLOOR else _FLOOR)
                    + (1.0 - y) / (one_minus_a if one_minus_a > _FLOOR else _FLOOR)
                )
            else:
                ga = g * (-y / np.maximum(a, _FLOOR) + (1.0 - y) / np.maximum(1.0 - a, _FLOOR))
        gy = g * (self.log_1ma - self.log_a) if need_y else None
        return ga, gy

    def _backward_of_logits(self, g):
        """dL/da, dL/dy from z, and the sigmoid's exact dL/dz (see the class docstring)."""
        need_a, need_y = self.needs_input_grad
        identity, sigmoid = self.sigmoid
        z, a = sigmoid.z, self.a
        ga = gy = None
        if need_a:
            ga = g * _slope_of_a(a, self.y, z, sigmoid.e)
            if type(a) is not float and ga.dtype != a.dtype:  # (float32 a, float64 y)
                ga = ga.astype(a.dtype)  # as the engine would, so that ga stays this object
            sigmoid.exact = ga, g * identity.gradient(z, self.y, a)
        if need_y:
            gy = -g * z
        return ga, gy


class BinaryCrossEntropyWithLogits(_Loss):
    """L = -(y log sigmoid(z) + (1-y) log(1 - sigmoid(z))) = max(z, 0) - z y + log(1 + e^-|z|);
    dL/dz = sigmoid(z) - y = a - y, dL/dy = -z. Finite for every finite z.
    """

    name, symbol, labels = "binary_cross_entropy_with_logits", "L(z,y)", 1
    formulas = ("sigmoid({x}) - {y}", "-{x}")
    source = "bce_logits({x}, {y})"  # per element: log(1 + e^z) - z y
    grad_sources = ("{g} * (sigmoid({x}) - {y})", "-{g} * {x}")

    def forward(self, z, y):
        _check_labels(y, z, self.name)
        self.z, self.y = z, y
        losses, self.e, self.step = _losses_of_logits(z, y)  # (backward reuses e and step)
        value = self.reduce(losses)
        if is_finite(value):
            return value
        return self.reduce(limits_of_logits(z, y, losses, self.name))

    def backward(self, g):
        need_z, need_y = self.needs_input_grad
        if self.divisor != 1:
            g = g / self.divisor
        gz = gy = None
        if need_z:
            # a = sigmoid(z) from e = e^-|z|: 1 / (1 + e) where z >= 0, e / (1 + e) where z < 0
            a = np.maximum(self.step, self.e)  # (e <= 1: 1 where z >= 0, e where z < 0)
            if type(self.z) is np.ndarray:  # g (a - y) in that one array: no temporaries
                a /= 1.0 + self.e
                a -= self.y
                a *= g
                gz = a
            else:  # one number: a numpy scalar, as its value is
                gz = g * (a / (1.0 + self.e) - self.y)
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


def _sigmoid_behind(a: Node) -> str | None:
    """The name of the op that made ``a`` from a sigmoid's output (reshape, transpose, an
    index), when one did: then the loss is not exact, and its warning says why."""
    op = a.op
    if op is None or not a.parents or not identities.is_engine_op(op):
        return None
    inner = a.parents[0]
    return op.name if identities.is_engine_op(inner.op, "sigmoid") else None
