"""render_steps(): the step frames as PNGs and one self-contained HTML page to click through."""

from __future__ import annotations

import html
import os
import re
from concurrent.futures import ThreadPoolExecutor
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
    """Write ``step_00.png``, ``step_01.png``, ... and ``index.html`` (every frame inlined as SVG
    with its caption as text above it, a slider, previous/next buttons and arrow keys; sized for
    a phone as for a laptop; nothing fetched from the network) into
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
    # Each rendering is a Graphviz process of its own: run as many at once as there are CPUs
    # (a graph of n features has about n frames, each of about n nodes: seconds, one by one).
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        pngs = pool.map(lambda frame: frame.render("png", renderer), frames)
        svg_bytes = pool.map(lambda frame: frame.render("svg", renderer, caption=False), frames)
        pngs, svgs = list(pngs), [svg.decode("utf-8") for svg in svg_bytes]
    written = set()
    for frame, data in zip(frames, pngs, strict=True):
        png = folder / f"step_{frame.index:0{digits}d}.png"
        write(png, data)
        written.add(png.name)
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


def svg_width_px(svg: str) -> float:
    """The width Graphviz gave an SVG (in pt), in CSS pixels; 0 when it names none."""
    match = re.search(r'<svg\b[^>]*?\bwidth="([\d.]+)(pt|px)?"', svg)
    if match is None:
        return 0.0
    return float(match.group(1)) * (4 / 3 if match.group(2) in (None, "pt") else 1)


def smallest_font_px(svgs: list[str]) -> float:
    """The smallest font size the SVGs' texts use, in CSS pixels (Graphviz writes points)."""
    sizes = [float(v) for svg in svgs for v in re.findall(r'font-size="([\d.]+)"', svg)]
    return min(sizes, default=DEFAULT_FONT_PT) * 4 / 3


def readable_width(natural_px: float, smallest_px: float) -> int:
    """The narrowest a picture may be drawn with its smallest text still READABLE_PX or more."""
    return round(natural_px * min(1.0, READABLE_PX / smallest_px))


def html_page(frames: list[Frame], svgs: list[str], title: str) -> str:
    """One page with every frame; the script shows one at a time, its caption above it."""
    blocks = "\n".join(
        f'<div class="frame" data-frame="{frame.index}" '
        f'data-caption="{html.escape(frame.caption)}">'
        f"{inline_svg(svg, f'f{frame.index}_')}</div>"
        for frame, svg in zip(frames, svgs, strict=True)
    )
    natural = max(svg_width_px(svg) for svg in svgs)
    controls = stepper_controls(len(frames), "step", play=False)
    return _PAGE.format(
        title=html.escape(title),
        style=stepper_style(natural, smallest_font_px(svgs), ".frame svg"),
        controls=controls,
        frames=blocks,
        script=STEPPER_SCRIPT,
    )


# -- what the step page and the training page share: the controls and the script -------------
DEFAULT_FONT_PT = 14.0  # Graphviz's default, for a picture that names no size
READABLE_PX = 11  # the smallest text a page lets its pictures shrink to
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def stepper_controls(
    count: int, what: str, *, play: bool, start: int = 0, interval_ms: int | None = None
) -> str:
    """Previous / play / slider / next over frames 0..count-1, and a counter; ``interval_ms``,
    the time between frames while playing (the script's default when None)."""
    speed = "" if interval_ms is None else f' data-interval="{interval_ms}"'
    button = f'<button id="play" type="button"{speed}>&#9654; play</button>\n  '
    play_button = button if play else ""
    return (
        '<div class="controls">\n'
        '  <button id="prev" type="button" aria-label="previous">&larr;</button>\n'
        f"  {play_button}"
        f'<input id="slider" type="range" min="0" max="{count - 1}" value="{start}" '
        f'aria-label="{html.escape(what)}">\n'
        '  <button id="next" type="button" aria-label="next">&rarr;</button>\n'
        '  <span id="counter"></span>\n'
        "</div>"
    )


def stepper_style(natural_px: float, smallest_px: float, pictures: str) -> str:
    """CSS for a page of frames that works from a phone to a laptop: the pictures shrink to the
    screen's width but not below a readable size (then they scroll sideways), and never grow
    past their natural size; a "whole picture" switch fits them to the screen regardless.
    """
    readable = readable_width(natural_px, smallest_px)
    return f"""
  body {{ font-family: sans-serif; margin: 0.6em; line-height: 1.35; }}
  h1 {{ font-size: 1.3em; margin: 0.3em 0; }}
  p {{ margin: 0.4em 0; }}
  .controls {{ display: flex; flex-wrap: wrap; gap: 0.4em; align-items: center;
              position: sticky; top: 0; background: white; padding: 0.3em 0; z-index: 1; }}
  .controls button {{ font-size: 1em; min-width: 2.8em; min-height: 2.4em; }}
  #slider {{ flex: 1 1 10em; max-width: 40em; min-height: 2em; }}
  #counter {{ font-variant-numeric: tabular-nums; white-space: nowrap; }}
  [data-frame]:not(.shown) {{ display: none; }}
  .scroll {{ overflow-x: auto; }}
  {pictures} {{ display: block; width: 100%; height: auto;
    max-width: {natural_px:.0f}px; min-width: {readable}px; }}
  .fit {pictures} {{ min-width: 0; }}
  .fitting {{ display: none; }}
  @media (max-width: {readable + 40}px) {{ .fitting {{ display: inline; }} }}"""


STEPPER_SCRIPT = """
  // Every element with data-frame="k" belongs to frame k; one frame is shown at a time.
  const slider = document.getElementById("slider");
  const last = Number(slider.max);
  const frames = [];
  document.querySelectorAll("[data-frame]").forEach((part) => {
    const k = Number(part.dataset.frame);
    (frames[k] = frames[k] || []).push(part);
  });
  const caption = document.getElementById("caption");
  const counter = document.getElementById("counter");
  const play = document.getElementById("play");
  let shown = null, timer = null;
  function show(i) {
    i = Math.max(0, Math.min(last, i));
    if (shown !== null) frames[shown].forEach((part) => part.classList.toggle("shown", false));
    frames[i].forEach((part) => part.classList.toggle("shown", true));
    shown = i;
    slider.value = String(i);
    const labelled = frames[i].find((part) => part.dataset.label !== undefined);
    counter.textContent = labelled ? labelled.dataset.label : "step " + i + " of " + last;
    const captioned = frames[i].find((part) => part.dataset.caption !== undefined);
    if (caption && captioned) caption.textContent = captioned.dataset.caption;
  }
  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    if (play) play.textContent = "\u25b6 play";
  }
  const current = () => Number(slider.value);
  document.getElementById("prev").addEventListener("click", () => { stop(); show(current() - 1); });
  document.getElementById("next").addEventListener("click", () => { stop(); show(current() + 1); });
  slider.addEventListener("input", () => { stop(); show(current()); });
  if (play) play.addEventListener("click", () => {
    if (timer !== null) { stop(); return; }
    if (current() >= last) show(0);
    play.textContent = "\u275a\u275a pause";
    timer = setInterval(() => { show(current() + 1); if (current() >= last) stop(); },
                        Number(play.dataset.interval || 60));
  });
  document.addEventListener("keydown", (event) => {
    // A focused slider moves itself on arrow keys (and says so with an input event):
    // moving it here as well would skip a frame.
    if (event.target === slider || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "ArrowLeft") { stop(); show(current() - 1); event.preventDefault(); }
    if (event.key === "ArrowRight") { stop(); show(current() + 1); event.preventDefault(); }
    if (event.key === "Home") { stop(); show(0); event.preventDefault(); }
    if (event.key === "End") { stop(); show(last); event.preventDefault(); }
  });
  const fit = document.getElementById("fit");
  if (fit) fit.addEventListener("change", () => document.body.classList.toggle("fit", fit.checked));
  show(current());
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
{viewport}
<title>{title}</title>
<style>{style}
  #caption {{ font-weight: bold; min-height: 1.4em; }}
  @media (max-width: 700px) {{ #caption {{ min-height: 4em; }} }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>Frame 0 is the forward pass; each later frame adds one gradient, in the order backward()
computes them. Use the buttons, the slider or the arrow keys.
<label class="fitting"><input id="fit" type="checkbox"> whole picture</label></p>
{controls}
<p id="caption" aria-live="polite"></p>
<div class="scroll">
{frames}
</div>
<noscript><style>[data-frame]:not(.shown) {{ display: block; }}</style></noscript>
<script>{script}</script>
</body>
</html>
""".replace("{viewport}", VIEWPORT)
