"""Rounding noise: a value that is only the rounding error of the numbers it was computed from.

0.5*1 - 0.3*2 + 0.1 is 2.8e-17 in floating point, where the exact answer is 0. Whether a value
is noise is judged against a first-order bound on its rounding error, carried through the
graph: a leaf is exact as given; an op adds its own rounding, eps * |out| (for a sum, of the
terms it cancelled: eps * (|x| + |y|)), and passes on its inputs' errors scaled by its local
derivatives. A value no larger than a few times eps * that bound is noise, and is shown as 0.
So 1e-20 * 1 keeps its digits (a product has no cancellation to hide), while the sum above is 0.
"""

from __future__ import annotations

import copy

import numpy as np

from ..node import Node
from ..ops.identities import is_engine_op

SLACK = 8.0  # how many times the first-order bound a value may be and still count as noise


def error_bounds(order: list[Node]) -> dict[int, np.ndarray]:
    """id(node) -> a bound on each element's absolute rounding error, in units of eps.

    ``order`` lists every node after the nodes it was computed from (viz.graph.topological);
    an input missing from it counts as exact.
    """
    bounds: dict[int, np.ndarray] = {}
    for node in order:
        bounds[id(node)] = _bound(node, bounds) if node.op is not None else np.zeros(node.shape)
    return bounds


def _bound(node: Node, bounds: dict[int, np.ndarray]) -> np.ndarray:
    parents = node.parents
    values = [np.abs(np.asarray(p.value, dtype=np.float64)) for p in parents]
    errors = [bounds.get(id(p), np.zeros(p.shape)) for p in parents]
    out = np.abs(np.asarray(node.value, dtype=np.float64))
    name = node.op.name if is_engine_op(node.op) else None  # (a user's "add" may be anything)
    with np.errstate(all="ignore"):
        if name in ("add", "sub"):
            bound = values[0] + values[1] + errors[0] + errors[1]
        elif name == "mul":
            bound = out + values[1] * errors[0] + values[0] * errors[1]
        elif name == "div":
            bound = out + errors[0] / values[1] + out / values[1] * errors[1]
        elif name == "neg":
            bound = errors[0]
        elif name in ("sum", "mean", "matmul"):  # the same op on magnitudes bounds the cancelling
            op = copy.copy(node.op)
            if name == "matmul":
                bound = (op.forward(values[0], values[1]) + op.forward(errors[0], values[1])
                         + op.forward(values[0], errors[1]))
            else:
                bound = op.forward(values[0] + errors[0])
        else:  # another op rounds relative to its own result; its inputs' noise is not traced
            bound = out
        bound = np.nan_to_num(np.broadcast_to(bound, node.shape), nan=np.inf, posinf=np.inf)
    return np.asarray(bound, dtype=np.float64)


def is_rounding_noise(value: np.ndarray | float, bound: np.ndarray | float) -> np.ndarray:
    """Elementwise: is ``value`` within rounding error of 0, given its error ``bound`` (in eps)?

    The one test of noise: the pictures and the command line both use it.
    """
    array = np.asarray(value)
    eps = np.finfo(array.dtype if array.dtype.kind == "f" else np.float64).eps
    with np.errstate(invalid="ignore"):
        return (array != 0) & (np.abs(array) <= SLACK * eps * np.asarray(bound))


def without_noise(value: np.ndarray | float, bound: np.ndarray | float) -> np.ndarray:
    """``value`` with its rounding-noise elements set to 0 (the exact value stays in .value);
    ``value`` itself when none is noise."""
    array = np.asarray(value)
    noise = is_rounding_noise(array, bound)
    return np.where(noise, np.zeros_like(array), array) if noise.any() else value


def shown_value(node: Node) -> np.ndarray:
    """``node.value`` as it should be shown: rounding noise as 0 (for printing one node)."""
    from .graph import topological

    bounds = error_bounds(topological(node))
    return without_noise(node.value, bounds[id(node)])
