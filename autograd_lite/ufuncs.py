"""numpy ufuncs on Nodes: a ufunc with an engine op runs that op (np.exp(x) is ag.exp(x)).

numpy calls ``Node.__array_ufunc__`` for ``np.exp(x)``, ``np.add(array, x)`` and also for
``array * x`` and ``array @ x``, so those build the same graph as ``x.__rmul__``. Comparisons
give boolean arrays of the values. Any other ufunc, a ufunc method (``np.add.reduce``) or
``out=`` / ``where=`` is a TypeError that names it: numpy would otherwise drop the graph.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import ops
from .node import Node

ENGINE_OPS: dict[Any, type] = {
    np.add: ops.Add,
    np.subtract: ops.Sub,
    np.multiply: ops.Mul,
    np.divide: ops.Div,  # (np.true_divide is the same ufunc)
    np.negative: ops.Neg,
    np.power: ops.Pow,
    np.matmul: ops.MatMul,
    np.exp: ops.Exp,
    np.log: ops.Log,
    np.tanh: ops.Tanh,
    np.sqrt: ops.Sqrt,
    np.absolute: ops.Abs,  # (np.abs is the same ufunc)
    np.maximum: ops.Maximum,
    np.minimum: ops.Minimum,
}

COMPARISONS = frozenset(
    (np.less, np.less_equal, np.greater, np.greater_equal, np.equal, np.not_equal)
)


def apply(ufunc: Any, method: str, inputs: tuple, kwargs: dict[str, Any]) -> Any:
    """What ``ufunc.method(*inputs, **kwargs)`` is when one of the inputs is a Node."""
    name = f"np.{ufunc.__name__}"
    if method != "__call__":
        raise TypeError(
            f"{name}.{method} on a Node: ufunc methods are not differentiable here; "
            "use ag.sum, ag.max, ag.min or the Node's methods"
        )
    if ufunc in COMPARISONS:  # no graph: a boolean array of the values
        return ufunc(*[x.value if isinstance(x, Node) else x for x in inputs], **kwargs)
    if kwargs:
        raise TypeError(
            f"{name}(..., {', '.join(f'{k}=' for k in kwargs)}) on a Node: the engine's ops take "
            "no out=, where= or dtype=; write the result to a new name (y = x + 1)"
        )
    op = ENGINE_OPS.get(ufunc)
    if op is None:
        known = ", ".join(sorted(f"np.{u.__name__}" for u in ENGINE_OPS))
        raise TypeError(
            f"{name} on a Node: the engine has no op for it, so numpy cannot differentiate it; "
            f"the ufuncs with an engine op are {known} (or use x.detach() for the values)"
        )
    return op()(*inputs)
