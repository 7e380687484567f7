"""detect_anomaly(): stop at the first op whose forward or backward is not finite, and say why.

The error names the op, the node, the shapes and value ranges of its inputs and the file and line
where the node was created, so the cause is usually visible without a debugger.
"""

from __future__ import annotations

import contextlib
import os
import sys
import weakref
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .errors import AnomalyError

if TYPE_CHECKING:
    from .node import Node
    from .op import Op

enabled = False
_HERE = os.path.dirname(os.path.abspath(__file__))
_OPS = os.path.join(_HERE, "ops")
_ENGINE_FILES = {os.path.join(_HERE, f) for f in ("node.py", "op.py", "anomaly.py")} | {
    os.path.join(_OPS, f) for f in os.listdir(_OPS) if f.endswith(".py")
}
# Where each node made inside detect_anomaly() was created ("file:line"). Kept here, not on the
# Node, so that building a node outside anomaly mode does not pay for it. Keyed by id(node), each
# entry dropped when its node dies: a WeakKeyDictionary would compare nodes with ==, which gives
# an array of the values (Node's comparisons are numpy's).
_sites: dict[int, str] = {}


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Inside, NaN or inf from any op's forward or backward raises an AnomalyError."""
    global enabled
    before, enabled = enabled, True
    try:
        yield
    finally:
        enabled = before


def check_forward(op: Op, out: Node, inputs: Sequence[Node]) -> None:
    _sites[id(out)] = _caller_site()
    weakref.finalize(out, _sites.pop, id(out), None)
    if np.all(np.isfinite(out.value)):
        return
    raise AnomalyError(
        f"{op.name} produced {_what_is_wrong(out.value)} in its forward pass\n"
        f"  node: {out.name or 'unnamed'} (created at {_sites[id(out)]})\n"
        + "".join(_input_line(i, x) for i, x in enumerate(inputs))
    )


def check_backward(
    node: Node, arriving: np.ndarray, input_grads: Sequence[np.ndarray | None]
) -> None:
    for i, grad in enumerate(input_grads):
        if grad is None or np.all(np.isfinite(grad)):
            continue
        raise AnomalyError(
            f"{node.op.name}.backward produced {_what_is_wrong(grad)} in the gradient for "
            f"input {i}\n"
            f"  node: {node.name or 'unnamed'} (created at {_sites.get(id(node), 'unknown')})\n"
            + "".join(_input_line(j, p) for j, p in enumerate(node.parents))
            + f"  gradient arriving from above: {_describe(arriving)}\n"
        )


def _what_is_wrong(values: np.ndarray) -> str:
    nan, inf = int(np.sum(np.isnan(values))), int(np.sum(np.isinf(values)))
    parts = [f"{nan} NaN"] * bool(nan) + [f"{inf} inf"] * bool(inf)
    return " and ".join(parts) + f" of {np.size(values)} value(s)"


def _input_line(index: int, node: Node) -> str:
    name = "" if node.name is None else f" ({node.name})"
    return f"  input {index}{name}: {_describe(node.value)}\n"


def _describe(values: np.ndarray | None) -> str:
    if values is None:
        return "none"
    array = np.asarray(values)
    finite = array[np.isfinite(array)]
    span = f"range [{finite.min():.6g}, {finite.max():.6g}]" if finite.size else "no finite values"
    return f"shape {array.shape}, {array.dtype}, {span}" + (
        f", {array.size - finite.size} not finite" if finite.size < array.size else ""
    )


def _caller_site() -> str:
    """File and line of the innermost frame outside the engine: where the node was asked for."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename in _ENGINE_FILES:
        frame = frame.f_back
    if frame is None:
        return "unknown"
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"
