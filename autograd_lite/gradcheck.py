"""gradcheck: compare backward() with central finite differences, in float64.

For each element x_k of each input:  dL/dx_k ~ (L(x_k + eps) - L(x_k - eps)) / (2 eps),
with an error of order eps^2. An element passes when |autodiff - numeric| <= atol + rtol |numeric|.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .node import ArrayLike, Node
from .op import no_grad


@dataclass(frozen=True)
class InputCheck:
    """How one input's autodiff gradient compares with finite differences."""

    name: str
    shape: tuple[int, ...]
    max_abs_error: float
    max_rel_error: float
    worst_index: tuple[int, ...]  # the element furthest outside the tolerance (or closest to it)
    autodiff: float  # at worst_index
    numeric: float  # at worst_index
    passed: bool

    def __str__(self) -> str:
        verdict = "ok  " if self.passed else "FAIL"
        return (
            f"{verdict} {self.name:<10} shape {str(self.shape):<10} max abs err "
            f"{self.max_abs_error:.3e}  max rel err {self.max_rel_error:.3e}  worst element "
            f"{self.worst_index}: autodiff {self.autodiff:.10g} vs numeric {self.numeric:.10g}"
        )


@dataclass(frozen=True)
class GradcheckReport:
    """One InputCheck per checked input; truthy when every input passes."""

    inputs: tuple[InputCheck, ...]
    eps: float
    atol: float
    rtol: float

    def __bool__(self) -> bool:
        return all(check.passed for check in self.inputs)

    def __str__(self) -> str:
        head = (
            f"gradcheck {'passed' if self else 'FAILED'} "
            f"(eps={self.eps:g}, atol={self.atol:g}, rtol={self.rtol:g})"
        )
        return "\n".join([head, *("  " + str(check) for check in self.inputs)])


def gradcheck(
    fn: Callable[..., Node],
    inputs: Sequence[Node | ArrayLike],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> GradcheckReport:
    """Check ``fn(*inputs).backward()`` against central differences, input by input.

    ``fn`` must return a Node of size 1. Nodes with ``requires_grad`` and plain arrays or
    numbers are checked; Nodes without it are held constant. The inputs are copied to float64,
    so the caller's nodes are left as they were. A lone Node or array is one input (as in
    PyTorch's gradcheck), not a sequence of its rows.
    """
    if isinstance(inputs, (Node, np.ndarray, np.generic, float, int)):
        inputs = (inputs,)
    for what, value in (("eps", eps), ("atol", atol), ("rtol", rtol)):
        number = isinstance(value, (int, float, np.number, np.ndarray)) and np.ndim(value) == 0
        if not (number and math.isfinite(value) and value >= 0):
            raise ValueError(f"gradcheck: {what} must be a finite number >= 0, got {value!r}")
    if eps == 0:
        raise ValueError("gradcheck: eps must be above 0: it is the finite differences' step")
    copies, checked = [], []
    for i, x in enumerate(inputs):
        wants_grad = x.requires_grad if isinstance(x, Node) else True
        value = x.value if isinstance(x, Node) else Node(x).value
        name = (x.name if isinstance(x, Node) else None) or f"input {i}"
        copy = Node(np.array(value, dtype=np.float64), name=name, requires_grad=wants_grad)
        copies.append(copy)
        if wants_grad:
            checked.append(copy)
    if not checked:
        raise ValueError("gradcheck: no input requires a gradient, so there is nothing to check")

    out = _scalar_output(fn, copies)
    out.backward()
    checks = []
    for x in checked:
        autodiff = np.zeros(x.shape) if x.grad is None else np.asarray(x.grad, dtype=np.float64)
        numeric = _numeric_gradient(fn, copies, x, eps)
        checks.append(_compare(x.name, autodiff, numeric, atol, rtol))
    return GradcheckReport(tuple(checks), eps, atol, rtol)


def _scalar_output(fn: Callable[..., Node], inputs: list[Node]) -> Node:
    out = fn(*inputs)
    if not isinstance(out, Node):
        raise TypeError(f"gradcheck: fn must return a Node, got {type(out).__name__}")
    if out.size != 1:
        raise ValueError(f"gradcheck: fn must return a Node of size 1, got shape {out.shape}")
    return out


def _numeric_gradient(fn: Callable[..., Node], inputs: list[Node], x: Node, eps: float):
    """Central differences of fn with respect to every element of x."""

    def loss_of(value: np.ndarray) -> object:
        saved, x.value = x.value, value
        try:
            return fn(*inputs).value
        finally:
            x.value = saved

    return finite_difference(loss_of, x.value, eps)


def finite_difference(loss_of: Callable[[np.ndarray], object], value, step) -> np.ndarray:
    """Central differences  dL/dv_k ~ (L(v + h e_k) - L(v - h e_k)) / (2h),  element by element.

    The divisor is the step actually taken ((v + h) - (v - h) after rounding), not 2h.
    """
    point = np.array(value, dtype=np.float64)  # one copy, nudged in place and put back
    steps = np.broadcast_to(np.asarray(step, dtype=np.float64), point.shape)
    numeric = np.zeros(point.shape)
    with no_grad():
        for k in np.ndindex(point.shape):
            original = point[k]
            point[k] = up = original + steps[k]
            plus = float(loss_of(point))
            point[k] = down = original - steps[k]
            minus = float(loss_of(point))
            point[k] = original
            # NaN where the step is lost to rounding (v + h == v - h next to a huge v): no
            # difference can be taken there (and numpy's 0 / 0 warning would not say why)
            numeric[k] = (plus - minus) / (up - down) if up != down else np.nan
    return numeric


def _compare(name: str, autodiff, numeric, atol: float, rtol: float) -> InputCheck:
    abs_error = np.abs(autodiff - numeric)
    rel_error = abs_error / np.maximum(np.abs(numeric), np.finfo(np.float64).tiny)
    # how far each element is through its tolerance; >1 fails (NaN counts as failing)
    badness = np.nan_to_num(abs_error / (atol + rtol * np.abs(numeric)), nan=np.inf)
    worst = np.unravel_index(np.argmax(badness), badness.shape) if badness.size else ()
    worst = tuple(int(i) for i in worst)
    return InputCheck(
        name=name,
        shape=numeric.shape,
        max_abs_error=float(np.max(abs_error, initial=0.0)),
        max_rel_error=float(np.max(np.where(abs_error == 0, 0.0, rel_error), initial=0.0)),
        worst_index=worst,
        autodiff=float(autodiff[worst]) if badness.size else 0.0,
        numeric=float(numeric[worst]) if badness.size else 0.0,
        passed=bool(np.all(badness <= 1.0)),
    )
