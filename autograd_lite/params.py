"""Helpers for a list of parameters (the leaves a model learns)."""

from __future__ import annotations

from collections.abc import Iterable

from .node import Node


def zero_grad(params: Iterable[Node]) -> None:
    """Set ``.grad`` to None on each parameter, as PyTorch's ``optimizer.zero_grad()`` (a
    model, anything with ``parameters()``, stands for its parameters)."""
    if hasattr(params, "parameters") and callable(params.parameters):
        params = params.parameters()
    if isinstance(params, Node):
        params = [params]
    for p in params:
        if not isinstance(p, Node):
            raise TypeError(f"zero_grad: expected Nodes, got {type(p).__name__}")
        p.grad = None
