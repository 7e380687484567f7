"""Optimisers, with torch.optim's update rules to the letter (its documented algorithms).

    opt = ag.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    opt.zero_grad(); loss.backward(); opt.step()

``step()`` changes each parameter's value in place: the Node stays the same leaf, so the model
and the optimiser keep holding it. Parameters without a gradient (none reached them) are skipped,
as torch.optim skips them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from .node import Node
from .op import no_grad
from .params import zero_grad


class Optimizer:
    """The parameters to update, ``zero_grad()`` and ``step()``."""

    weight_decay: float = 0.0  # (L2 penalty; each optimiser sets its own)

    def __init__(self, params: Iterable[Node]) -> None:
        name = type(self).__name__
        if isinstance(params, Node):
            raise TypeError(f"{name}: params must be a list of Nodes, got one Node; use [node]")
        if hasattr(params, "parameters"):  # the model itself (a Module)
            raise TypeError(
                f"{name}: params must be a list of Nodes, got the model ({type(params).__name__}); "
                f"pass model.parameters(): {name}(model.parameters(), ...)"
            )
        if callable(params):  # model.parameters without the parentheses
            what = getattr(params, "__name__", type(params).__name__)
            raise TypeError(
                f"{name}: params must be a list of Nodes, got the function {what} itself; call "
                f"it: {name}(model.{what}(), ...)"
            )
        try:
            self.params: list[Node] = list(params)
        except TypeError:
            raise TypeError(
                f"{name}: params must be a list of Nodes, got {type(params).__name__} {params!r}"
            ) from None
        if not self.params:
            raise ValueError(
                f"{name}: got an empty list of parameters, so there is nothing to optimise "
                "(a generator of parameters can be used only once; pass a list)"
            )
        first: dict[int, int] = {}  # id -> position (by identity: == on Nodes compares values)
        for i, p in enumerate(self.params):
            if not isinstance(p, Node):
                raise TypeError(f"{name}: parameter {i} is a {type(p).__name__}, not a Node")
            if not (p.requires_grad and p.is_leaf):
                raise ValueError(
                    f"{name}: parameter {i} ({p.name or 'unnamed'}) is not a leaf created with "
                    "requires_grad=True, so it has no gradient to follow"
                )
            j = first.setdefault(id(p), i)
            if j != i:
                raise ValueError(
                    f"{name}: parameter {i} ({p.name or 'unnamed'}) is parameter {j} again; each "
                    "step would update it twice. List each parameter once"
                )

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to None (torch's default, set_to_none=True)."""
        zero_grad(self.params)

    def step(self) -> None:
        """One update of every parameter that has a gradient (inside no_grad: no graph)."""
        with no_grad():
            self._step()

    def _gradients(self):
        """(index, parameter, its gradient + weight_decay * parameter) for each parameter that
        has a gradient; the others are left as they are (as torch's optimisers do)."""
        for i, p in enumerate(self.params):
            if p.grad is not None:
                g = p.grad
                yield i, p, (g + self.weight_decay * p.value if self.weight_decay else g)

    def _step(self) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define _step()")


def _update(p: Node, delta: np.ndarray) -> None:
    """p <- p - delta, the one place where an optimiser writes a parameter: the Node API's
    in-place update (p keeps its identity and gets a new version, so a backward through a graph
    built before the step is refused, as in PyTorch). Called inside step()'s no_grad()."""
    p -= delta


def _check(name: str, **settings: float) -> None:
    for what, value in settings.items():
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
            raise TypeError(f"{name}: {what} must be a number, got {value!r}")
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{name}: {what} must be a finite number >= 0, got {value}")


class SGD(Optimizer):
    """Stochastic gradient descent, as torch.optim.SGD (dampening 0, no Nesterov):

        g = dL/dp + weight_decay * p
        buf = g at the first step, then buf = momentum * buf + g      (when momentum > 0)
        p = p - lr * buf   (p - lr * g without momentum)
    """

    def __init__(self, params: Iterable[Node], lr: float, momentum: float = 0.0,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params)
        _check("SGD", lr=lr, momentum=momentum, weight_decay=weight_decay)
        self.lr, self.momentum, self.weight_decay = lr, momentum, weight_decay
        self.buffers: list[np.ndarray | None] = [None] * len(self.params)

    def _step(self) -> None:
        for i, p, g in self._gradients():
            if self.momentum:
                buf = self.buffers[i]
                buf = np.array(g, copy=True) if buf is None else self.momentum * buf + g
                self.buffers[i] = g = buf
            _update(p, self.lr * g)


class Adam(Optimizer):
    """Adam, as torch.optim.Adam (no amsgrad), at step t = 1, 2, ...:

        g = dL/dp + weight_decay * p
        m = beta1 * m + (1 - beta1) * g,   v = beta2 * v + (1 - beta2) * g^2   (both start at 0)
        p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    (eps is added after the bias correction of sqrt(v), where PyTorch adds it.)
    """

    def __init__(self, params: Iterable[Node], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params)
        if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}")
        beta1, beta2 = betas
        _check("Adam", lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay)
        if not (beta1 < 1 and beta2 < 1):
            raise ValueError(f"Adam: betas must lie in [0, 1), got {tuple(betas)}")
        self.lr, self.betas, self.eps, self.weight_decay = lr, (beta1, beta2), eps, weight_decay
        self.t = [0] * len(self.params)  # per parameter, as torch's state["step"]
        self.m: list[np.ndarray | float] = [0.0] * len(self.params)
        self.v: list[np.ndarray | float] = [0.0] * len(self.params)

    def _step(self) -> None:
        beta1, beta2 = self.betas
        for i, p, g in self._gradients():
            self.t[i] = t = self.t[i] + 1
            self.m[i] = m = beta1 * self.m[i] + (1.0 - beta1) * g
            self.v[i] = v = beta2 * self.v[i] + (1.0 - beta2) * (g * g)
            step_size = self.lr / (1.0 - beta1**t)
            denominator = np.sqrt(v) / math.sqrt(1.0 - beta2**t) + self.eps
            _update(p, step_size * (m / denominator))
