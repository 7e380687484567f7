"""numpy functions on Nodes (``Node.__array_function__``): the ones with an engine op run it.

``np.concatenate``, ``np.stack``, ``np.where`` (three arguments), ``np.sum``, ``np.mean``,
``np.max``/``np.min``, ``np.dot``, ``np.reshape``, ``np.transpose`` and ``np.clip`` build the same
graph as ``ag.concatenate`` etc. ``np.shape``, ``np.ndim`` and ``np.size`` read the value. Any
other numpy function on a Node that requires a gradient is a TypeError that names it (numpy
would drop the graph); on Nodes without one it runs on the values, as ``np.array(x)`` gives them.
(Ufuncs, ``np.exp(x)``, go through ``__array_ufunc__``: see ufuncs.py.)
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from . import ops
from .node import Node


def _no_numpy_args(name: str, numpy_args: dict[str, Any]) -> None:
    """numpy's optional arguments (out=, dtype=, ...) are accepted only at their defaults."""
    given = sorted(k for k, v in numpy_args.items() if v is not None and v is not np._NoValue)
    if given:
        raise TypeError(
            f"np.{name}(..., {', '.join(f'{k}=' for k in given)}) on a Node: the engine's op takes "
            "no such argument; write the result to a new name"
        )


def _reduction(func: Any, op: type) -> Any:
    """np.sum(x, axis, keepdims=...) etc.: numpy's signature, its other arguments at defaults."""
    signature = inspect.signature(func)

    def run(*args: Any, **kwargs: Any) -> Node:
        given = signature.bind(*args, **kwargs).arguments
        a, axis, keepdims = given.pop("a"), given.pop("axis", None), given.pop("keepdims", False)
        _no_numpy_args(func.__name__, given)
        return op(axis, False if keepdims is np._NoValue else bool(keepdims))(a)

    return run


def _concatenate(arrays: Any, axis: int = 0, **kw: Any) -> Node:
    _no_numpy_args("concatenate", kw)
    return ops.concatenate(arrays, axis)


def _stack(arrays: Any, axis: int = 0, **kw: Any) -> Node:
    _no_numpy_args("stack", kw)
    return ops.stack(arrays, axis)


def _where(condition: Any, *branches: Any) -> Any:
    condition = condition.value if isinstance(condition, Node) else condition
    if not branches:  # np.where(c): the indices where c holds, no graph
        return np.where(condition)
    if len(branches) != 2:
        raise TypeError("np.where takes a condition, or a condition and the two branches x, y")
    return ops.where(condition, *branches)


def _dot(a: Any, b: Any, out: Any = None) -> Node:
    """np.dot: a product of a number, else the engine's matmul (1-D and 2-D, as numpy's dot)."""
    _no_numpy_args("dot", {"out": out})
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return ops.Mul()(a, b)
    if np.ndim(a) > 2 or np.ndim(b) > 2:
        raise TypeError(
            f"np.dot on a Node of shapes {np.shape(a)} and {np.shape(b)}: the engine's matmul "
            "takes 1-D and 2-D operands; reshape them first"
        )
    return ops.MatMul()(a, b)


def _reshape(a: Any, shape: Any = None, order: str = "C", **kw: Any) -> Node:
    if order != "C":
        kw["order"] = order
    _no_numpy_args("reshape", {k: v for k, v in kw.items() if k not in ("newshape", "copy")})
    return a.reshape(shape if shape is not None else kw.get("newshape"))


def _transpose(a: Any, axes: Any = None) -> Node:
    return ops.Transpose(axes)(a)


def _clip(a: Any, a_min: Any = None, a_max: Any = None, out: Any = None, **kw: Any) -> Node:
    _no_numpy_args("clip", {"out": out, **{k: v for k, v in kw.items() if k not in ("min", "max")}})
    low = kw.get("min") if a_min is None else a_min
    high = kw.get("max") if a_max is None else a_max
    return ops.clip(a, low, high)


ENGINE_FUNCTIONS: dict[Any, Any] = {
    np.concatenate: _concatenate,
    np.stack: _stack,
    np.where: _where,
    np.sum: _reduction(np.sum, ops.Sum),
    np.mean: _reduction(np.mean, ops.Mean),
    np.max: _reduction(np.max, ops.Max),
    np.amax: _reduction(np.amax, ops.Max),
    np.min: _reduction(np.min, ops.Min),
    np.amin: _reduction(np.amin, ops.Min),
    np.dot: _dot,
    np.reshape: _reshape,
    np.transpose: _transpose,
    np.clip: _clip,
}

# Functions that only read what a value is (its shape), never its numbers: run on the values.
VALUE_FUNCTIONS = frozenset((np.shape, np.ndim, np.size))

# What to write instead, for the functions users reach for most.
SUGGESTIONS = {
    np.prod: "a product of Nodes, or ag.exp(ag.sum(ag.log(x)))",
    np.linalg.norm: "ag.sqrt(ag.sum(x * x))",
    np.vstack: "ag.concatenate([...], axis=0)",
    np.hstack: "ag.concatenate([...], axis=1)",
    np.outer: "x.reshape(-1, 1) * y.reshape(1, -1)",
    np.inner: "ag.sum(x * y)",
    np.squeeze: "x.reshape(...)",
    np.expand_dims: "x.reshape(...)",
    np.ravel: "x.reshape(-1)",
}


def apply(func: Any, types: Any, args: tuple, kwargs: dict[str, Any]) -> Any:
    """What ``func(*args, **kwargs)`` is when one of its arguments is a Node."""
    if not all(issubclass(t, (Node, np.ndarray)) for t in types):
        return NotImplemented  # another array type: let it (or numpy) decide
    engine = ENGINE_FUNCTIONS.get(func)
    if engine is not None:
        return engine(*args, **kwargs)
    if func in VALUE_FUNCTIONS or not _any_requires_grad((args, kwargs)):
        return func(*_values(args), **_values(kwargs))
    module = (func.__module__ or "").replace("numpy", "np", 1)
    name = f"{module}.{func.__name__}" if module.startswith("np") else func.__name__
    if func in SUGGESTIONS:
        instead = f"write {SUGGESTIONS[func]}"
    else:
        instead = "the engine's ops (ag.sum, ag.mean, ag.max, ag.concatenate, @, ...)"
        instead = f"build it from {instead}"
    raise TypeError(
        f"{name} on a Node that requires a gradient: the engine has no op for it, so numpy "
        f"would lose the gradient; {instead}, or take the values out of the graph with "
        "x.numpy() or x.detach()"
    )


def _any_requires_grad(x: Any) -> bool:
    if isinstance(x, Node):
        return x.requires_grad
    if isinstance(x, (list, tuple)):
        return any(_any_requires_grad(item) for item in x)
    if isinstance(x, dict):
        return any(_any_requires_grad(item) for item in x.values())
    return False


def _values(x: Any) -> Any:
    """x with every Node in it (in lists, tuples and dicts too) replaced by its value."""
    if isinstance(x, Node):
        return x.value
    if isinstance(x, (list, tuple)):
        return type(x)(_values(item) for item in x)
    if isinstance(x, dict):
        return {k: _values(v) for k, v in x.items()}
    return x
