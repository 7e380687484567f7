"""render_steps(): the step frames as PNGs and one self-contained HTML page to click through."""

from __future__ import annotations

import html
import os
import re
from pathlib import Path
from typing import Any

from ..node import Node
from .output import write
from .steps import Frame, backprop_steps

PAGE_NAME = "index.html"
_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.S)  # XML declaration, DOCTYPE, comments
_NAMESPACES = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')
_IDS = re.compile(r'\b(id|href)="#?([^"]*)"|url\(#([^)]*)\)')


def render_steps(
    node: Node,
    folder: str | os.PathLike[str],
    *,
    renderer: str | os.PathLike[str] | None = None,
    max_frames: int = 200,
    **options: Any,
) -> Path:
    """Write ``step_00.png``, ``step_01.png``, ... and ``index.html`` (every frame inlined as SVG,
    a slider, previous/next buttons and arrow keys; nothing fetched from the network) into
    ``folder``, made if missing. Returns the page's path. ``options`` go to ``backprop_steps``.
    Older ``step_NN.png`` files beyond this run's frames are removed, so the folder matches.
    More than ``max_frames`` frames is an error: each one is a rendering of the whole graph.
    """
    folder = Path(folder)
    frames = backprop_steps(node, renderer=renderer, **options)
    if len(frames) > max_frames:
        raise ValueError(
            f"render_steps: {len(frames)} frames (one per gradient, plus one) is more than "
            f"max_frames={max_frames}; raise max_frames, or draw part of the graph with max_nodes"
        )
    digits = max(2, len(str(len(frames) - 1)))
    written = set()
    svgs = []
    for frame in frames:
        png = folder / f"step_{frame.index:0{digits}d}.png"
        write(png, frame.render("png", renderer))
        written.add(png.name)
        svgs.append(frame.render("svg", renderer).decode("utf-8"))
    for old in folder.glob("step_*.png"):
        if re.fullmatch(r"step_\d+\.png", old.name) and old.name not in written:
            old.unlink()
    page = folder / PAGE_NAME
    title = f"Back-propagation step by step: {node.name or 'the output'}"
    write(page, html_page(frames, svgs, title).encode("utf-8"))
    return page


def inline_svg(svg: str, prefix: str) -> str:
    """SVG text ready to sit inside HTML: no prolog, no namespace URLs (HTML needs none), and
    ids prefixed so that several frames on one page do not clash.
    """
    svg = _NAMESPACES.sub("", _PROLOG.sub("", svg, count=1))

    def rename(match: re.Match[str]) -> str:
        if match.group(3) is not None:
            return f"url(#{prefix}{match.group(3)})"
        hash_ = "#" if match.group(0).startswith('href="#') else ""
        if match.group(1) == "href" and not hash_:
            return match.group(0)  # a link elsewhere, not an id
        return f'{match.group(1)}="{hash_}{prefix}{match.group(2)}"'

    return _IDS.sub(rename, svg)


def html_page(frames: list[Frame], svgs: list[str], title: str) -> str:
    """One page with every frame; the script shows one at a time."""
    blocks = "\n".join(
        f'<div class="frame" data-caption="{html.escape(frame.caption)}">'
        f"{inline_svg(svg, f'f{frame.index}_')}</div>"
        for frame, svg in zip(frames, svgs, strict=True)
    )
    return _PAGE.format(title=html.escape(title), last=len(frames) - 1, frames=blocks)


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
  body {{ font-family: sans-serif; margin: 1em; }}
  .controls {{ display: flex; gap: 0.6em; align-items: center; }}
  #slider {{ flex: 1; max-width: 40em; }}
  #caption {{ font-weight: bold; min-height: 1.5em; }}
  .frame {{ display: none; }}
  .frame.shown {{ display: block; }}
  .frame svg {{ max-width: 100%; height: auto; }}
</style>
<noscript><style>.frame {{ display: block; }}</style></noscript>
</head>
<body>
<h1>{title}</h1>
<p>Frame 0 is the forward pass; each later frame adds one gradient, in the order backward()
computes them. Use the buttons, the slider or the arrow keys.</p>
<div class="controls">
  <button id="prev" type="button">&larr; previous</button>
  <input id="slider" type="range" min="0" max="{last}" value="0" aria-label="step">
  <button id="next" type="button">next &rarr;</button>
  <span id="counter"></span>
</div>
<p id="caption"></p>
{frames}
<script>
  const frames = Array.from(document.querySelectorAll(".frame"));
  const slider = document.getElementById("slider");
  function show(i) {{
    i = Math.max(0, Math.min(frames.length - 1, i));
    frames.forEach((frame, k) => frame.classList.toggle("shown", k === i));
    slider.value = i;
    document.getElementById("caption").textContent = frames[i].dataset.caption;
    document.getElementById("counter").textContent = "step " + i + " of " + (frames.length - 1);
  }}
  const current = () => Number(slider.value);
  document.getElementById("prev").addEventListener("click", () => show(current() - 1));
  document.getElementById("next").addEventListener("click", () => show(current() + 1));
  slider.addEventListener("input", () => show(current()));
  document.addEventListener("keydown", (event) => {{
    if (event.key === "ArrowLeft") show(current() - 1);
    if (event.key === "ArrowRight") show(current() + 1);
  }});
  show(0);
</script>
</body>
</html>
"""
