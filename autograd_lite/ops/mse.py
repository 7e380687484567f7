"""Mean squared error: the regression loss."""

from __future__ import annotations

from ..errors import ShapeError
from ..node import ArrayLike, Node
from .losses import Reduction, _Loss


class MSELoss(_Loss):
    """L = (p - t)^2 for each element, averaged by default;  dL/dp = 2(p - t), dL/dt = -2(p - t)."""

    name, symbol = "mse_loss", "MSE(p,t)"
    formulas = ("2({x}-{y})", "-2({x}-{y})")
    source = "({x} - {y}) ** 2"  # per element
    grad_sources = ("{g} * 2.0 * ({x} - {y})", "{g} * -2.0 * ({x} - {y})")

    def forward(self, p, t):
        if t.ndim and t.shape != p.shape:  # (m, 1) against (m,) would broadcast to (m, m)
            raise ShapeError(
                f"{self.name}: predictions of shape {p.shape} but targets of shape {t.shape}; "
                "give targets the predictions' shape (or a single number)"
            )
        self.diff = p - t
        return self.reduce(self.diff * self.diff)

    def backward(self, g):
        need_p, need_t = self.needs_input_grad
        if self.divisor != 1:
            g = g / self.divisor
        gp = g * 2.0 * self.diff
        return (gp if need_p else None), (-gp if need_t else None)


def mse_loss(
    pred: Node | ArrayLike, target: Node | ArrayLike, reduction: Reduction = "mean"
) -> Node:
    """The mean (or sum, or none) of (pred - target)^2, as torch.nn.functional.mse_loss."""
    return MSELoss(reduction)(pred, target)
