"""Extrema: max and min over an axis (reductions, as numpy.max; for the elementwise
maximum of two arrays see piecewise.py)."""

from __future__ import annotations

import numpy as np

from ..node import ArrayLike, Node
from .reductions import Axis, _axis_arguments, _Reduction, _spread_formula


class _Extremum(_Reduction):
    """out = max (or min) of x over ``axis``;  dout/dx = [x is the extremum] / (how many tie).

    Ties share g evenly, as PyTorch's amax/amin (torch.max(x, dim) instead gives all of it to
    one of them).
    """

    @property
    def grad_sources(self) -> tuple[str]:
        """[x is the extremum] * g / (how many tie), as backward computes it."""
        extremum = f"np.{self.name}({{x}}" + _axis_arguments(self.axis, True) + ")"
        g = "{g}" if self.keepdims or self.axis is None else f"np.expand_dims({{g}}, {self.axis!r})"
        winners = f"({{x}} == {extremum})"
        ties = f"np.sum({winners}" + _axis_arguments(self.axis, True) + ")"
        return (f"{winners} * ({g} / {ties})",)

    @property
    def grad_formulas(self) -> tuple[str, ...]:
        x = getattr(self, "x", None)
        return _spread_formula("{g}", self, None if x is None else x.shape, self.formulas[0])

    def forward(self, x):
        self.x = x
        self.out = self.reduce(x, axis=self.axis, keepdims=True)
        return self.out if self.keepdims else _drop(self.out, self.axis, x.ndim)

    def backward(self, g):
        if not self.keepdims and self.axis is not None:
            g = np.expand_dims(g, self.axis)
        winners = self.x == self.out
        return (winners * (g / winners.sum(axis=self.axis, keepdims=True)),)


class Max(_Extremum):
    __doc__ = _Extremum.__doc__
    name, symbol, formulas = "max", "max", ("[{x}=max]/ties",)
    reduce = staticmethod(np.max)


class Min(_Extremum):
    __doc__ = _Extremum.__doc__.replace("max (or min)", "min (or max)")
    name, symbol, formulas = "min", "min", ("[{x}=min]/ties",)
    reduce = staticmethod(np.min)


def _drop(out: np.ndarray, axis: Axis, ndim: int) -> np.ndarray:
    """A keepdims result without its reduced axes."""
    if axis is None:
        return out.reshape(())[()]  # one number, as np.max gives
    return np.squeeze(out, axis=axis)


def max(x: Node | ArrayLike, axis: Axis = None, keepdims: bool = False) -> Node:  # noqa: A001
    """The largest element over ``axis`` (None: all), as numpy.max; ties share the gradient."""
    return Max(axis, keepdims)(x)


def min(x: Node | ArrayLike, axis: Axis = None, keepdims: bool = False) -> Node:  # noqa: A001
    """The smallest element over ``axis`` (None: all), as numpy.min; ties share the gradient."""
    return Min(axis, keepdims)(x)
