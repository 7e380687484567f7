"""Text for labels: the one escaping function, and short forms of numbers and arrays."""

from __future__ import annotations

import numpy as np


def escape(text: object) -> str:
    """Make any text safe inside a Graphviz HTML-like label, shown verbatim.

    ``& < > "`` become entities, a newline becomes a line break, other control characters
    are shown as Python escapes (``\\t``). A backslash is doubled: Graphviz expands
    ``\\N \\G \\L \\T \\H \\E`` even in HTML-like labels (a node named ``\\N`` would
    show its id), after decoding entities (so ``&#92;N`` expands too), and turns ``\\\\`` into
    one backslash. ``{ } |`` need nothing: HTML-like labels do not interpret them, which is
    why every label here is HTML-like.
    """
    text = str(text)
    lines = []
    for line in text.split("\n"):
        line = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in line)
        line = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        lines.append(line.replace('"', "&quot;").replace("\\", "\\\\"))
    return "<br/>".join(lines)


def number(x: float, fmt: str = ".4g") -> str:
    """One number in the picture's format; ASCII only ("-", "inf", "nan")."""
    text = format(float(x), fmt)
    return "0" if text in ("-0", "-0.0") else text


def summary(value: np.ndarray | np.generic | None, fmt: str = ".4g", items: int = 4) -> str:
    """A value in one short line: the number itself, a few values, or min/mean/max.

    None (a gradient not computed yet) is "-", never 0.
    """
    if value is None:
        return "-"
    array = np.asarray(value)
    if array.size == 1:
        return number(array.reshape(()), fmt)
    if array.size == 0:
        return "[]"
    flat = array.reshape(-1)
    if array.size <= items:
        return "[" + ", ".join(number(v, fmt) for v in flat) + "]"
    with np.errstate(all="ignore"):  # nan and inf are shown, not warned about
        stats = (np.min(flat), np.mean(flat), np.max(flat))
    return "min {} mean {} max {}".format(*(number(v, fmt) for v in stats))


def shape_line(value: np.ndarray | np.generic) -> str:
    """Shape and dtype of an array value, e.g. "(3, 2) float64"; empty for a plain number."""
    array = np.asarray(value)
    if array.ndim == 0:
        return "" if array.dtype == np.float64 else str(array.dtype)
    return f"{array.shape} {array.dtype}"
