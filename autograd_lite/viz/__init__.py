"""Pictures of the graph: values, gradients and derivative formulas, and backprop step by step.

``to_dot(node)`` builds the DOT; ``render(node, "out.png")`` draws it; ``backprop_steps`` and
``render_steps`` show back-propagation one gradient at a time.
"""

from .dot import to_dot
from .output import render, svg
from .renderer import RendererNotFoundError, RenderError, find_renderer
from .text import escape

__all__ = [
    "RenderError",
    "RendererNotFoundError",
    "escape",
    "find_renderer",
    "render",
    "svg",
    "to_dot",
]
