"""Helpers for a list of parameters (the leaves a model learns)."""

from __future__ import annotations

from collections.abc import Iterable

from .node import Node


def zero_grad(params: Iterable[Node]) -> None:
    """Set ``.grad`` to None on each parameter, as PyTorch's ``optimizer.zero_grad()``."""
    for p in params:
        if not isinstance(p, Node):
            raise TypeError(f"zero_grad: expected Nodes, got {type(p).__name__}")
        p.grad = None
