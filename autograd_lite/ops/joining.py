"""Joining and choosing: concatenate, stack, where."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..node import ArrayLike, Node
from ..op import Op


class Concatenate(Op):
    """out = [x1, x2, ...] joined along ``axis``;  dL/dxi = the slice of g where xi went.

    (Concatenate, Stack and Index have no codegen templates: their inputs are any number of
    arrays, or their key is an array; codegen calls their forward and backward.)
    """

    name, symbol = "concatenate", "concat"
    broadcasts = False

    def __init__(self, axis: int = 0):
        self.axis = _int_axis(axis, self.name)

    formulas = ("1",)  # for each input (see local_derivative)

    def local_derivative(self, index: int, x: str = "x", y: str = "y", out: str = "out") -> str:
        return "1"

    def forward(self, *xs):
        out = np.concatenate(xs, axis=self.axis)  # (numpy checks the shapes and the axis)
        self.ends = np.cumsum([np.shape(x)[self.axis] for x in xs])
        return out

    def backward(self, g):
        return tuple(np.split(g, self.ends[:-1], axis=self.axis))


class Stack(Op):
    """out = [x1, x2, ...] stacked along a new ``axis``;  dL/dxi = g taken at i along that axis."""

    name, symbol = "stack", "stack"
    broadcasts = False

    def __init__(self, axis: int = 0):
        self.axis = _int_axis(axis, self.name)

    formulas = ("1",)  # for each input (see local_derivative)

    def local_derivative(self, index: int, x: str = "x", y: str = "y", out: str = "out") -> str:
        return "1"

    def forward(self, *xs):
        self.count = len(xs)
        return np.stack(xs, axis=self.axis)

    def backward(self, g):
        return tuple(np.take(g, i, axis=self.axis) for i in range(self.count))


class Where(Op):
    """out = x where condition, else y (broadcast);  dout/dx = [cond], dout/dy = [not cond].

    The condition is a constant of the op, not an input: it has no gradient.
    """

    name, symbol, formulas = "where", "where", ("[cond]", "[not cond]")
    # (no codegen templates: the condition is an array, not a literal the code could hold)

    def __init__(self, condition: ArrayLike):
        if isinstance(condition, Node):
            condition = condition.value
        condition = np.asarray(condition)
        if condition.dtype.kind not in "biuf":
            raise TypeError(
                f"where: the condition must be a boolean array (x > 0), got dtype {condition.dtype}"
            )
        self.condition = condition.astype(bool, copy=False)  # nonzero is True, as numpy's

    def forward(self, x, y):
        return np.where(self.condition, x, y)

    def backward(self, g):
        need_x, need_y = self.needs_input_grad
        gx = np.where(self.condition, g, 0.0) if need_x else None
        gy = np.where(self.condition, 0.0, g) if need_y else None
        return gx, gy


def _int_axis(axis: int, op: str) -> int:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{op}: axis must be an int, got {axis!r}")
    return int(axis)


def _node_list(xs: Sequence[Node | ArrayLike], op: str) -> list:
    if isinstance(xs, (Node, np.ndarray)) or not isinstance(xs, Sequence) or not len(xs):
        raise TypeError(f"{op}: give a non-empty list of Nodes or arrays, got {type(xs).__name__}")
    return list(xs)


def concatenate(xs: Sequence[Node | ArrayLike], axis: int = 0) -> Node:
    """The arrays joined along an existing ``axis``, as numpy.concatenate."""
    return Concatenate(axis)(*_node_list(xs, "concatenate"))


def stack(xs: Sequence[Node | ArrayLike], axis: int = 0) -> Node:
    """The arrays (all of one shape) stacked along a new ``axis``, as numpy.stack."""
    return Stack(axis)(*_node_list(xs, "stack"))


def where(condition: ArrayLike, x: Node | ArrayLike, y: Node | ArrayLike) -> Node:
    """x where ``condition`` is true, else y (broadcast), as numpy.where; differentiable in x, y."""
    return Where(condition)(x, y)
