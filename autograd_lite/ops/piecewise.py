"""Piecewise-linear functions: abs, maximum, minimum, clip.

At the kinks the gradient is PyTorch's choice: abs'(0) = 0; where x = y, maximum and minimum
give each input half of g; clip passes g where low <= x <= high (the ends included).
"""

from __future__ import annotations

import numpy as np

from ..node import ArrayLike, Node
from ..op import Op


class Abs(Op):
    """out = |x|;  dout/dx = sign(x) (0 at x = 0)."""

    name, symbol, formulas = "abs", "abs", ("sign({x})",)
    source, grad_sources = "abs({x})", ("{g} * np.sign({x})",)
    scalar_grad_sources = ("({g} if {x} > 0.0 else -{g} if {x} < 0.0 else 0.0)",)

    def forward(self, x):
        self.x = x
        return np.abs(x)

    def backward(self, g):
        return (g * np.sign(self.x),)


class Maximum(Op):
    """out = max(x, y), elementwise;  dout/dx = [x > y] + [x = y]/2, dout/dy = [y > x] + [x = y]/2.
    """

    name, symbol = "maximum", "max"
    formulas = ("[{x}>{y}]", "[{y}>{x}]")
    source = "np.maximum({x}, {y})"
    grad_sources = (
        "{g} * (({x} > {y}) + 0.5 * ({x} == {y}))",
        "{g} * (({y} > {x}) + 0.5 * ({x} == {y}))",
    )

    def forward(self, x, y):
        self.x, self.y = x, y
        return np.maximum(x, y)

    def backward(self, g):
        return _split(g, self.x > self.y, self.x == self.y, self.needs_input_grad)


class Minimum(Op):
    """out = min(x, y), elementwise;  dout/dx = [x < y] + [x = y]/2, dout/dy = [y < x] + [x = y]/2.
    """

    name, symbol = "minimum", "min"
    formulas = ("[{x}<{y}]", "[{y}<{x}]")
    source = "np.minimum({x}, {y})"
    grad_sources = (
        "{g} * (({x} < {y}) + 0.5 * ({x} == {y}))",
        "{g} * (({y} < {x}) + 0.5 * ({x} == {y}))",
    )

    def forward(self, x, y):
        self.x, self.y = x, y
        return np.minimum(x, y)

    def backward(self, g):
        return _split(g, self.x < self.y, self.x == self.y, self.needs_input_grad)


def _bound(value: float) -> str:
    """A clip bound as source text: np.inf for an open end."""
    if np.isinf(value):
        return "np.inf" if value > 0 else "-np.inf"
    return repr(value)


def _split(g, x_wins, tie, needs):
    """g to the input that won, half of it to each where they tie."""
    tie_half = 0.5 * tie
    gx = g * (x_wins + tie_half) if needs[0] else None
    gy = g * ((~x_wins & ~tie) + tie_half) if needs[1] else None
    return gx, gy


class Clip(Op):
    """out = min(max(x, low), high);  dout/dx = 1 where low <= x <= high, else 0."""

    name, symbol, formulas = "clip", "clip", ("[low<={x}<=high]",)

    @property
    def source(self) -> str:
        low, high = _bound(self.low), _bound(self.high)  # (inf is not a Python literal)
        return f"np.clip({{x}}, {low}, {high})"

    @property
    def grad_sources(self) -> tuple[str]:
        low, high = _bound(self.low), _bound(self.high)
        return (f"{{g}} * (({{x}} >= {low}) & ({{x}} <= {high}))",)

    def __init__(self, low: float | None = None, high: float | None = None):
        if low is None and high is None:
            raise ValueError("clip: give low, high or both")
        self.low = -np.inf if low is None else float(low)
        self.high = np.inf if high is None else float(high)
        if self.low > self.high:
            raise ValueError(f"clip: low = {low} is above high = {high}")

    def local_derivative(self, index: int, x: str = "x", y: str = "y", out: str = "out") -> str:
        return f"[{self.low:g}<={x}<={self.high:g}]"

    def forward(self, x):
        self.x = x
        return np.clip(x, self.low, self.high)

    def backward(self, g):
        return (g * ((self.x >= self.low) & (self.x <= self.high)),)


def abs(x: Node | ArrayLike) -> Node:  # noqa: A001 (ag.abs, as numpy's)
    """|x|, elementwise."""
    return Abs()(x)


def maximum(x: Node | ArrayLike, y: Node | ArrayLike) -> Node:
    """The larger of x and y, elementwise (broadcast), as numpy.maximum."""
    return Maximum()(x, y)


def minimum(x: Node | ArrayLike, y: Node | ArrayLike) -> Node:
    """The smaller of x and y, elementwise (broadcast), as numpy.minimum."""
    return Minimum()(x, y)


def clip(x: Node | ArrayLike, low: float | None = None, high: float | None = None) -> Node:
    """x limited to [low, high] (either may be None), as numpy.clip."""
    return Clip(low, high)(x)
