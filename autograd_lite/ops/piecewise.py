"""Piecewise-linear functions: abs, maximum, minimum, clip.

At the kinks the gradient is PyTorch's choice: abs'(0) = 0; where x = y, maximum and minimum
give each input half of g; clip passes g where low <= x <= high (the ends included).
"""

from __future__ import annotations

from typing import Any

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


class _Pick(Op):
    """Shared by maximum and minimum: the input that ``wins`` takes g, a tie halves it."""

    def forward(self, x, y):
        self.x, self.y = x, y
        return self.pick(x, y)

    def backward(self, g):
        need_x, need_y = self.needs_input_grad
        x_wins, tie = self.wins(self.x, self.y), self.x == self.y
        gx = g * (x_wins + 0.5 * tie) if need_x else None
        gy = g * ((~x_wins & ~tie) + 0.5 * tie) if need_y else None
        return gx, gy


class Maximum(_Pick):
    """out = max(x, y), elementwise;  dout/dx = [x > y] + [x = y]/2, dout/dy = [y > x] + [x = y]/2.
    """

    name, symbol = "maximum", "max"
    formulas = ("[{x}>{y}]", "[{y}>{x}]")
    pick, wins = staticmethod(np.maximum), staticmethod(np.greater)
    source = "np.maximum({x}, {y})"
    grad_sources = (
        "{g} * (({x} > {y}) + 0.5 * ({x} == {y}))",
        "{g} * (({y} > {x}) + 0.5 * ({x} == {y}))",
    )
    # numpy's maximum in Python floats: a NaN on either side wins, a tie gives y (-0.0 vs 0.0)
    scalar_source = "({x} if {x} > {y} or {x} != {x} else {y})"


class Minimum(_Pick):
    """out = min(x, y), elementwise;  dout/dx = [x < y] + [x = y]/2, dout/dy = [y < x] + [x = y]/2.
    """

    name, symbol = "minimum", "min"
    formulas = ("[{x}<{y}]", "[{y}<{x}]")
    pick, wins = staticmethod(np.minimum), staticmethod(np.less)
    source = "np.minimum({x}, {y})"
    grad_sources = (
        "{g} * (({x} < {y}) + 0.5 * ({x} == {y}))",
        "{g} * (({y} < {x}) + 0.5 * ({x} == {y}))",
    )
    # numpy's minimum in Python floats: a NaN on either side wins, a tie gives y (-0.0 vs 0.0)
    scalar_source = "({x} if {x} < {y} or {x} != {x} else {y})"


class Clip(Op):
    """out = min(max(x, low), high);  dout/dx = 1 where low <= x <= high, else 0."""

    name, symbol, formulas = "clip", "clip", ("[low<={x}<=high]",)

    def __init__(self, low: float | None = None, high: float | None = None):
        if low is None and high is None:
            raise ValueError("clip: give low, high or both")
        self.low, self.high = _bound("low", low, -np.inf), _bound("high", high, np.inf)
        if self.low > self.high:
            raise ValueError(f"clip: low = {low} is above high = {high}")
        self.formulas = ("[" + " and ".join(t.replace(" ", "") for t in self._tests()) + "]",)

    @property
    def source(self) -> str:
        low, high = (None if np.isinf(v) else v for v in (self.low, self.high))
        return f"np.clip({{x}}, {low!r}, {high!r})"

    @property
    def grad_sources(self) -> tuple[str]:
        tests = self._tests()
        inside = tests[0] if len(tests) == 1 else " & ".join(f"({t})" for t in tests)
        return (f"{{g}} * ({inside})",)

    @property
    def scalar_source(self) -> str:
        text = "{x}" if np.isinf(self.low) else f"max({{x}}, {self.low!r})"
        return text if np.isinf(self.high) else f"min({text}, {self.high!r})"

    @property
    def scalar_grad_sources(self) -> tuple[str]:
        return (f"({{g}} if {' and '.join(self._tests())} else 0.0)",)

    def _tests(self) -> list[str]:
        """low <= x <= high as code, the open ends left out."""
        tests = [] if np.isinf(self.low) else [f"{{x}} >= {self.low!r}"]
        return tests + ([] if np.isinf(self.high) else [f"{{x}} <= {self.high!r}"])

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


def _bound(which: str, value: Any, default: float) -> float:
    """One of clip's bounds as a float: a number, or None for none."""
    if value is None:
        return default
    if isinstance(value, Node) or np.ndim(value) != 0:
        shape = np.shape(value.value if isinstance(value, Node) else value)
        raise TypeError(f"clip: the {which} bound must be a number or None, got "
                        f"{type(value).__name__} of shape {shape} (for bounds per element, use "
                        "ag.maximum and ag.minimum)")
    if not isinstance(value, (str, bytes)):  # (float("0") would take text)
        try:
            return float(value)
        except (TypeError, ValueError):
            pass
    raise TypeError(f"clip: the {which} bound must be a number or None, got "
                    f"{type(value).__name__} {value!r}")
