"""Pictures of the graph: values, gradients and derivative formulas, and backprop step by step.

``to_dot(node, view="auto"|"named"|"ops")`` builds the DOT (the named view draws the named
quantities, as the lesson's figure); ``render(node, "out.png")`` draws it (.png, .svg, .dot, .pdf
where the renderer has it); ``backprop_steps(node)`` gives one frame per gradient and
``render_steps(node, folder)`` writes them as PNGs plus a page to step through;
``render_training(history, "training.html")`` replays a recorded training run in a page.
The renderer is ``dot`` if on PATH, else ``graphviz-pure`` (see ``find_renderer``).
"""

from .dot import Picture, to_dot
from .noise import is_rounding_noise, shown_value
from .output import notebook_svg, render, svg
from .page import render_steps
from .renderer import ENV_VAR, RendererNotFoundError, RenderError, find_renderer
from .steps import Frame, backprop_steps
from .text import escape
from .training import render_training

__all__ = [
    "ENV_VAR",
    "Frame",
    "Picture",
    "RenderError",
    "RendererNotFoundError",
    "backprop_steps",
    "escape",
    "find_renderer",
    "is_rounding_noise",
    "notebook_svg",
    "render",
    "render_steps",
    "render_training",
    "shown_value",
    "svg",
    "to_dot",
]
