"""The helper functions generated code may call by name, in their Python-float and numpy forms.

Each is the engine's own formula (ops/elementwise.py, ops/losses.py), written where one line of
template would not do: a branch that keeps an exponential from overflowing, a clamp. Their text
goes into the generated source (and into a module written by ``--code FILE``), so a program runs
with numpy alone.
"""

from __future__ import annotations

import re

from ..ops.losses import BLOCK, BLOCKED

# name -> source, for graphs of single numbers (Python floats, the math module)
SCALAR: dict[str, str] = {
    "sigmoid": '''\
def sigmoid(z):
    """1 / (1 + e^-z), without overflow: the only exponential is e^-|z| <= 1."""
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)
''',
    "sigmoid_slope": '''\
def sigmoid_slope(z):
    """da/dz = a(1 - a) of a = sigmoid(z), as e^-|z| / (1 + e^-|z|)^2: accurate where 1 - a
    rounds to 0."""
    e = math.exp(-abs(z))
    return e / ((1.0 + e) * (1.0 + e))
''',
    "bce_logits": '''\
def bce_logits(z, y):
    """-(y log a + (1-y) log(1-a)) of a = sigmoid(z), from z: exact for any z.

    log(1 + e^z) - y z, written max(z, 0) - z y + log(1 + e^-|z|), with max(z, 0) - z y as
    z (1 - y) or -z y: no overflow, and no cancellation where the loss is tiny beside |z|.
    """
    if abs(z) == math.inf:  # the limit, where the formula would give inf * 0
        return 0.0 if y == (1.0 if z > 0.0 else 0.0) else math.inf
    return (z * (1.0 - y) if z >= 0.0 else -z * y) + math.log1p(math.exp(-abs(z)))
''',
    "bce_limits": '''\
def bce_limits(z, y, op):
    """bce_logits where it is not finite: an infinite z's limit is bce_logits's own; a NaN z is
    the engine's error, not a NaN loss."""
    if z != z:
        raise ValueError(f"{op}: the logits z hold NaN (at index [0]); "
                         "the loss of a NaN logit is not a number")
    return bce_logits(z, y)
''',
    "bce_slope": '''\
def bce_slope(z, a, y):
    """dL/da = -y/a + (1-y)/(1-a) of a = sigmoid(z), with 1 - a = sigmoid(-z) from z: the true
    value where sigmoid rounds to 0 or 1 (huge, or inf); a term of label factor 0 is 0."""
    e = math.exp(-abs(z))
    one_minus_a = e / (1.0 + e) if z >= 0.0 else 1.0 / (1.0 + e)
    term_a = -y / a if a > 0.0 else (-math.inf if y else 0.0)
    term_1ma = (1.0 - y) / one_minus_a if one_minus_a > 0.0 else (math.inf if y != 1.0 else 0.0)
    return term_a + term_1ma
''',
    "log_clamped": '''\
def log_clamped(a):
    """log a, clamped at -100 (as PyTorch's BCELoss) where it would be -inf or below."""
    return max(math.log(a), -100.0) if a > 0.0 else -100.0
''',
    "log1m_clamped": '''\
def log1m_clamped(a):
    """log(1 - a), clamped at -100 where a = 1."""
    return math.log1p(-a) if a < 1.0 else -100.0
''',
    "labels_outside": '''\
def labels_outside(y, op):
    """The error of a loss given a label outside [0, 1], worded as the engine's: the label as
    an array prints it (8 digits, 2.0 as [2.], 1e-05 as [1.e-05]), in Python floats."""
    if y != y or abs(y) == math.inf or 1e-4 <= abs(y) < 1e8:
        text = repr(round(y, 8))
        text = text[:-1] if text.endswith(".0") else text
    else:  # the scientific form: the fewest digits (at most 8 after the point)
        mantissa, exponent = f"{y:.8e}".split("e")
        for k in range(8):
            if float(f"{y:.{k}e}") == y:
                mantissa = f"{y:.{k}e}".split("e")[0]
                break
        mantissa = mantissa.rstrip("0") if "." in mantissa else mantissa + "."
        text = f"{mantissa}e{exponent}"
    return ValueError(f"{op}: labels must lie in [0, 1], got [{text}]")
''',
    "floored": '''\
def floored(x):
    """x, at least 1e-12: keeps a denominator of the cross-entropy's gradient finite."""
    return x if x > 1e-12 else 1e-12
''',
}

# name -> source, for graphs of arrays (numpy)
ARRAY: dict[str, str] = {
    "sigmoid": '''\
def sigmoid(z):
    """1 / (1 + e^-z), computed in one array (out=), as the lesson's m-example arrays can be
    large. Where z < -709, e^-z overflows to inf and a = 1/inf = 0, the correctly rounded value:
    the overflow is expected, so numpy is told not to warn of it.
    """
    a = np.empty_like(z)  # (an array even for one number: out= needs one)
    np.negative(z, out=a)
    with np.errstate(over="ignore"):  # (cheaper than capping -z at 709, a pass of its own)
        np.exp(a, out=a)
    a += 1.0
    return np.divide(1.0, a, out=a)  # (numpy's reciprocal has no vector loop: twice as slow)
''',
    # (the block sizes are the eager loss's, ops/losses.py: one source for both)
    "sigmoid_slope": '''\
def sigmoid_slope(z):
    """da/dz = a(1 - a) of a = sigmoid(z), as e^-|z| / (1 + e^-|z|)^2: accurate where 1 - a
    rounds to 0."""
    e = np.exp(-np.abs(z))
    return e / ((1.0 + e) * (1.0 + e))
''',
    "bce_logits": f'''\
def bce_logits(z, y):
    """-(y log a + (1-y) log(1-a)) of a = sigmoid(z), from z: exact for any z.

    max(z, 0) - z y + log(1 + e^-|z|), with max(z, 0) - z y written z ((z >= 0) - y), that is
    z (1 - y) or -z y: one rounding, so no cancellation where the loss is tiny beside |z| (y = 1
    and z > 0, or y = 0 and z < 0, give exactly 0 before the log term). On a large array its
    passes run over blocks of {BLOCK:,} elements, which stay in the CPU's cache, rather than over
    the whole array each time.
    """
    loss = np.empty_like(z)  # (an array even for one number)
    if z.size <= {BLOCKED} or np.shape(y) not in ((), z.shape):
        blocks = [(z, y, loss)]  # small: the whole array at once
    else:  # large: blocks that stay in the CPU's cache
        flat_z, flat_loss = z.reshape(-1), loss.reshape(-1)
        flat_y = np.reshape(y, -1) if np.ndim(y) else y
        n = {BLOCK}
        blocks = [
            (flat_z[i:i + n], flat_y[i:i + n] if np.ndim(y) else y, flat_loss[i:i + n])
            for i in range(0, z.size, n)
        ]
    with np.errstate(invalid="ignore"):  # an infinite z's inf * 0: see bce_limits
        for zb, yb, out in blocks:
            e = np.abs(zb, out=np.empty_like(zb))  # (an array even for a 0-d z: out= needs one)
            np.negative(e, out=e)
            np.exp(e, out=e)
            np.log1p(e, out=e)
            np.multiply(zb, (zb >= 0.0) - yb, out=out)
            out += e
    return loss
''',
    "bce_limits": '''\
def bce_limits(z, y, op):
    """bce_logits where some z is infinite, as the limits (the formula gives inf * 0 = NaN
    there): 0 at z = +inf with y = 1 or at z = -inf with y = 0, inf otherwise; a NaN z is the
    engine's error, not a NaN loss (ops/losses.py, limits_of_logits)."""
    if np.isnan(z).any():
        where = [int(i) for i in np.argwhere(np.isnan(np.atleast_1d(z)))[0]]
        raise ValueError(f"{op}: the logits z hold NaN (at index {where}); "
                         "the loss of a NaN logit is not a number")
    loss = bce_logits(z, y)
    limits = np.where(z > 0, np.where(y == 1, 0.0, np.inf), np.where(y == 0, 0.0, np.inf))
    return np.where(np.isinf(z), limits, loss).astype(loss.dtype, copy=False)
''',
    "bce_slope": '''\
def bce_slope(z, a, y):
    """dL/da = -y/a + (1-y)/(1-a) of a = sigmoid(z), with 1 - a = sigmoid(-z) from z: the true
    value where sigmoid rounds to 0 or 1 (huge, or inf); a term of label factor 0 is 0."""
    e = np.exp(-np.abs(z))
    one_minus_a = np.where(z >= 0.0, e, 1.0) / (1.0 + e)
    with np.errstate(divide="ignore", invalid="ignore"):
        term_a = np.where(y == 0.0, 0.0, -y / a)
        term_1ma = np.where(y == 1.0, 0.0, (1.0 - y) / one_minus_a)
    return term_a + term_1ma
''',
    "log_clamped": '''\
def log_clamped(a):
    """log a, clamped at -100 (as PyTorch's BCELoss) where it would be -inf."""
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(a), -100.0)
''',
    "log1m_clamped": '''\
def log1m_clamped(a):
    """log(1 - a), clamped at -100 where a = 1."""
    with np.errstate(divide="ignore"):
        return np.maximum(np.log1p(-a), -100.0)
''',
    "floored": '''\
def floored(x):
    """x, at least 1e-12 elementwise: keeps a denominator of the cross-entropy's gradient finite."""
    return np.maximum(x, 1e-12)
''',
    "labels_outside": '''\
def labels_outside(y, op):
    """The error of a loss given labels outside [0, 1] (NaN included), as the engine raises it."""
    x = np.ravel(y)
    return ValueError(f"{op}: labels must lie in [0, 1], got {x[~((x >= 0.0) & (x <= 1.0))][:5]}")
''',
    "ce_limits": '''\
def ce_limits(z, y, op):
    """The cross-entropy where it is not finite: the engine's error where softmax(z) is not
    defined (a NaN or +inf logit, a row of -inf only); else its value (inf, an overflow)."""
    bad = np.isnan(z) | (z == np.inf)
    if not bad.any():
        bad = np.broadcast_to(np.all(z == -np.inf, axis=-1, keepdims=True), z.shape)
    if bad.any():
        where = [int(i) for i in np.argwhere(np.atleast_1d(bad))[0]]
        raise ValueError(
            f"{op}: the logits hold {np.atleast_1d(z)[tuple(where)]} at index {where}: softmax "
            "is not defined there (NaN, or +inf: inf - max z is inf - inf; or a row of -inf "
            "only: no class left); give finite logits (-inf masks a class, if another is finite)"
        )
    return -np.sum(weighted_log(y, log_softmax(z, axis=-1)), axis=-1)
''',
    "softmax": '''\
def softmax(z, axis=-1):
    """e^z / sum e^z along axis, with the max taken out first: no exponent above 0."""
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)
''',
    "weighted_log": '''\
def weighted_log(y, log_p):
    """y log p, and 0 where y = 0 (a class of no weight, even where its log p is -inf)."""
    out = np.zeros(np.broadcast_shapes(np.shape(y), np.shape(log_p)), np.result_type(y, log_p))
    return np.multiply(y, log_p, out=out, where=y != 0)
''',
    "log_softmax": '''\
def log_softmax(z, axis=-1):
    """(z - max z) - log sum e^(z - max z) along axis: finite for any finite z."""
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
''',
}

NAMES = frozenset(SCALAR) | frozenset(ARRAY)
_CALL = re.compile(r"\b(" + "|".join(sorted(NAMES)) + r")\(")


def used_by(body: str, scalar: bool) -> str:
    """The source of the helpers that ``body`` calls, in their order above (on a scalar graph
    the numpy form of a helper that has no Python-float form)."""
    called = set(_CALL.findall(body))
    table = {**ARRAY, **SCALAR} if scalar else ARRAY
    return "\n\n".join(text for name, text in table.items() if name in called)
