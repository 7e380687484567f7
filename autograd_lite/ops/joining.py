"""Joining and choosing: concatenate, stack, where."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..node import ArrayLike, Node
from ..op import Op


class _Join(Op):
    """Shared by concatenate and stack: the axis, and d(out)/d(each input) = 1."""

    formulas = ("1",)  # the same for each input: forward sets one per input on the op
    broadcasts = False

    def __init__(self, axis: int = 0):
        self.axis = _int_axis(axis, self.name)


class Concatenate(_Join):
    """out = [x1, x2, ...] joined along ``axis``;  dL/dxi = the slice of g where xi went.

    (Concatenate, Stack and Index have no codegen templates: their inputs are any number of
    arrays, or their key is an array; codegen calls their forward and backward.)
    """

    name, symbol = "concatenate", "concat"

    def forward(self, *xs):
        self.formulas = ("1",) * len(xs)
        out = np.concatenate(xs, axis=self.axis)  # (numpy checks the shapes and the axis)
        self.ends = np.cumsum([np.shape(x)[self.axis] for x in xs])
        starts = [0, *self.ends[:-1]]
        self.grad_formulas = tuple(_taken(out.ndim, self.axis, f"{a}:{b}")
                                   for a, b in zip(starts, self.ends, strict=True))
        return out

    def backward(self, g):
        return tuple(np.split(g, self.ends[:-1], axis=self.axis))


class Stack(_Join):
    """out = [x1, x2, ...] stacked along a new ``axis``;  dL/dxi = g taken at i along that axis."""

    name, symbol = "stack", "stack"

    def forward(self, *xs):
        self.formulas = ("1",) * len(xs)
        self.count = len(xs)
        out = np.stack(xs, axis=self.axis)
        self.grad_formulas = tuple(_taken(out.ndim, self.axis, str(i)) for i in range(len(xs)))
        return out

    def backward(self, g):
        return tuple(np.take(g, i, axis=self.axis) for i in range(self.count))


def _taken(ndim: int, axis: int, part: str) -> str:
    """The formula of the slice of g that went to one input: ``{g}[:, 2:5]``."""
    axis = axis % ndim if ndim else 0
    return "{g}[" + ", ".join([":"] * axis + [part]) + "]"


class Where(Op):
    """out = x where c, else y (broadcast);  dout/dx = [c], dout/dy = [not c], dout/dc = 0.

    The condition c is the op's first input, a constant (a boolean array becomes 0s and 1s;
    nonzero is true, as numpy's); a choice has no gradient with respect to what chose it.
    """

    name, symbol, formulas = "where", "where", ("0", "[{x}]", "[not {x}]")
    source = "np.where({x}, {y}, {w})"
    grad_sources = ("0.0 * {g}", "np.where({x}, {g}, 0.0)", "np.where({x}, 0.0, {g})")
    scalar_source = "({y} if {x} else {w})"  # (a float's truth is numpy's: nonzero, NaN too)
    scalar_grad_sources = ("0.0", "({g} if {x} else 0.0)", "(0.0 if {x} else {g})")

    def forward(self, condition, x, y):
        self.condition = condition != 0
        return _number_if_0d(np.where(self.condition, x, y))

    def backward(self, g):
        need_c, need_x, need_y = self.needs_input_grad
        gc = np.zeros_like(g) if need_c else None
        gx = _number_if_0d(np.where(self.condition, g, 0.0)) if need_x else None
        gy = _number_if_0d(np.where(self.condition, 0.0, g)) if need_y else None
        return gc, gx, gy


def _number_if_0d(value: np.ndarray) -> np.ndarray | np.generic:
    """np.where of single numbers gives a 0-d array; a numpy scalar instead, as a ufunc gives,
    so that a graph of single numbers stays one (and compiles to Python floats)."""
    return value[()] if value.ndim == 0 else value


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
    return Where()(condition, x, y)
