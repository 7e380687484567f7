"""render(): a node's picture to a file, the format named by the file's suffix."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

from ..node import Node
from . import renderer as _renderer
from .dot import to_dot

FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}


def output_format(path: Path) -> str:
    """The renderer's format for ``path``'s suffix, or a ValueError naming the path."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(FORMATS)
        raise ValueError(
            f"viz.render: cannot tell the format of {str(path)!r} from its suffix "
            f"{path.suffix!r}; use one of {known}"
        )
    return fmt


def write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``, making its folders; errors name the path."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as err:  # naming the path at fault too (a folder on the way may be a file)
        at_fault = "" if str(err.filename or path) == str(path) else f"{err.filename}: "
        raise OSError(err.errno, f"cannot write {path}: {at_fault}{err.strerror or err}") from err


def render(
    node: Node,
    path: str | os.PathLike[str],
    *,
    renderer: str | os.PathLike[str] | None = None,
    **options: Any,
) -> Path:
    """Draw the graph behind ``node`` into ``path`` (.png, .svg, .dot, .gv; .pdf where the
    renderer has it) and return the path. ``options`` go to ``to_dot``; ``renderer`` names the
    Graphviz program (default: see ``find_renderer``).
    """
    if not isinstance(path, (str, os.PathLike)) or not str(path):
        raise TypeError(f"render: path must be a file name (str or pathlib.Path) ending in "
                        f".png, .svg or .dot, got {type(path).__name__} {path!r}")
    path = Path(path)
    fmt = output_format(path)
    source = to_dot(node, **options).source
    if fmt == "dot":
        data = source.encode("utf-8")
    else:
        try:
            data = _renderer.run(source, fmt, renderer)
        except _renderer.RenderError as err:
            if fmt == "pdf":
                raise _renderer.RenderError(
                    f"{err}\n(graphviz-pure cannot write PDF: write .svg or .png, or install "
                    "Graphviz itself for PDF)"
                ) from None
            raise
    write(path, data)
    return path


def svg(node: Node, **options: Any) -> str:
    """The graph behind ``node`` as SVG text."""
    renderer = options.pop("renderer", None)
    return _renderer.run(to_dot(node, **options).source, "svg", renderer).decode("utf-8")


def notebook_svg(node: Node) -> str | None:
    """SVG for Jupyter; None (the text repr is shown instead) when no renderer is installed."""
    try:
        return svg(node)
    except _renderer.RendererNotFoundError as err:
        warnings.warn(str(err), stacklevel=2)
        return None
