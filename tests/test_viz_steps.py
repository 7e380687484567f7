"""Back-propagation step by step: frame count and order, one shared layout, the HTML page."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

import pytest
from page_driver import drive

import autograd_lite as ag
from autograd_lite.logistic import lesson_graph

SVG = "{http://www.w3.org/2000/svg}"
OUTLINES = ("polygon", "ellipse", "path")


def lesson(backward: bool = True) -> dict[str, ag.Node]:
    nodes = lesson_graph([1.0, 2.0], 1.0, [0.5, 0.25], 0.1)
    if backward:
        nodes["L"].backward()
    return nodes


def fan_out() -> ag.Node:
    x = ag.Node(1.5, name="x", requires_grad=True)
    c = ag.Node(2.0, name="c")
    out = ag.tanh(x * x + c * x)
    out.name = "out"
    out.backward()
    return out


def gradient_count(root: ag.Node) -> int:
    return sum(1 for n in root.walk() if n.grad is not None)


def node_boxes(svg: bytes) -> dict[str, list[float]]:
    """SVG node title (its DOT id) -> the coordinates of its outline."""
    boxes = {}
    for group in ET.fromstring(svg).iter(SVG + "g"):
        if group.get("class") == "node":
            title = group.find(SVG + "title").text
            texts = [t.text or "" for t in group.iter(SVG + "text")]
            if texts and texts[0].startswith("Step "):
                continue  # the caption: its width follows its text, its left side stays
            shape = next(e for e in group if e.tag in {SVG + t for t in OUTLINES})
            geometry = " ".join(shape.get(a, "") for a in ("points", "d", "cx", "cy", "rx", "ry"))
            boxes[title] = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", geometry)]
    return boxes


@pytest.mark.parametrize("make", [lambda: lesson()["L"], fan_out])
def test_one_frame_per_gradient_plus_the_forward_frame(make):
    root = make()
    frames = ag.viz.backprop_steps(root, view="ops")  # one box, so one frame, per op
    assert len(frames) == gradient_count(root) + 1
    assert [f.index for f in frames] == list(range(len(frames)))
    assert frames[0].node is None and frames[1].node is root
    assert {id(f.node) for f in frames[1:]} == {id(n) for n in root.walk() if n.grad is not None}


def test_named_view_has_one_frame_per_named_gradient():
    nodes = lesson()
    frames = ag.viz.backprop_steps(nodes["L"])  # auto: the named view of z, a and L
    assert [f.node for f in frames[1:4]] == [nodes["L"], nodes["a"], nodes["z"]]
    assert {id(f.node) for f in frames[4:]} == {id(nodes[k]) for k in ("w1", "w2", "b")}
    assert "w1*x1" not in " ".join(f.caption for f in frames)


def test_frames_follow_backward_order_and_reveal_one_gradient_each():
    nodes = lesson()
    frames = ag.viz.backprop_steps(nodes["L"], view="ops")
    seen = []
    for frame in frames[1:]:
        # a node's gradient is complete only after every node using it has passed its share
        users = [n for n in nodes["L"].walk() if any(p is frame.node for p in n.parents)]
        assert all(any(u is s for s in seen) for u in users)
        seen.append(frame.node)
    unknown = [f.dot.source.count("= -</font>") for f in frames]  # node box + gradient box
    total = len(frames) - 1
    assert unknown == [2 * (total - k) for k in range(len(frames))]
    z_frame = next(f for f in frames if f.node is nodes["z"])
    value = format(float(nodes["z"].grad), ".4g")
    assert f"dz = da * a(1-a) = a - y = {value}" in z_frame.caption


def test_frame_zero_shows_values_and_no_gradient():
    frames = ag.viz.backprop_steps(lesson()["L"])
    source = frames[0].dot.source
    assert "= 0.5" in source  # w1's value
    assert not re.search(r"dL/d\w+ = -?\d", source)
    assert "forward pass has computed every value" in frames[0].caption


def test_steps_before_backward_leave_grads_untouched():
    nodes = lesson(backward=False)
    frames = ag.viz.backprop_steps(nodes["L"])
    assert all(n.grad is None for n in nodes["L"].walk())
    nodes["L"].backward()
    again = ag.viz.backprop_steps(nodes["L"])
    assert [f.caption for f in frames] == [f.caption for f in again]


def test_every_frame_puts_every_node_in_the_same_place():
    frames = ag.viz.backprop_steps(lesson()["L"], view="ops")
    boxes = [node_boxes(f.render("svg")) for f in frames]
    assert len(boxes[0]) >= 20
    for later in boxes[1:]:
        assert later.keys() == boxes[0].keys()
        for key, numbers in later.items():
            # equal up to the last digit the renderer prints (it rounds to 0.01 pt)
            assert numbers == pytest.approx(boxes[0][key], abs=0.015), key


def test_new_gradient_is_highlighted():
    frames = ag.viz.backprop_steps(fan_out())
    for frame in frames[1:]:
        assert frame.dot.source.count("#ffe082") == 1  # one highlighted gradient box
    assert "#ffe082" not in frames[0].dot.source


def test_render_steps_writes_pngs_and_a_self_contained_page(tmp_path):
    root = lesson()["L"]
    (tmp_path / "steps").mkdir()
    (tmp_path / "steps" / "step_99.png").write_bytes(b"old")  # from an earlier, longer run
    page = ag.viz.render_steps(root, tmp_path / "steps", view="ops")
    count = gradient_count(root) + 1
    pngs = sorted((tmp_path / "steps").glob("step_*.png"))
    assert [p.name for p in pngs] == [f"step_{k:02d}.png" for k in range(count)]
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    text = page.read_text()
    assert page.name == "index.html"
    assert text.count('<div class="frame"') == count and text.count("<svg") == count
    assert not re.search(r"https?:", text)
    assert 'type="range"' in text and "ArrowLeft" in text and "ArrowRight" in text
    assert "<script src" not in text and "<link" not in text
    ids = re.findall(r'\bid="([^"]+)"', text)
    assert len(ids) == len(set(ids))  # frames' ids do not clash
    for svg in re.findall(r"<svg.*?</svg>", text, re.S):  # each inlined frame is well formed
        ET.fromstring(svg)


def test_render_steps_into_a_file_is_an_error_naming_it(tmp_path):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("x")
    with pytest.raises(OSError, match="not_a_folder"):
        ag.viz.render_steps(fan_out(), blocker)


def test_steps_of_a_graph_without_gradients_say_why():
    c = ag.Node(1.0, name="c")
    with pytest.raises(RuntimeError, match="does not require a gradient"):
        ag.viz.backprop_steps(ag.exp(c))


def test_render_steps_refuses_more_frames_than_max_frames(tmp_path):
    root = fan_out()
    count = gradient_count(root) + 1
    with pytest.raises(ValueError, match=f"{count} frames .* max_frames=3"):
        ag.viz.render_steps(root, tmp_path / "steps", max_frames=3)
    assert not (tmp_path / "steps").exists()
    assert ag.viz.render_steps(root, tmp_path / "steps", max_frames=count).exists()


def test_page_script_steps_with_buttons_keys_and_slider(tmp_path):
    page = ag.viz.render_steps(lesson()["L"], tmp_path).read_text()
    captions = [html.unescape(c) for c in re.findall(r'data-caption="([^"]*)"', page)]
    actions = [("key", "ArrowRight"), ("key", "ArrowRight"), ("click", "next"), ("click", "prev"),
               ("key", "ArrowLeft"), ("key", "ArrowLeft"), ("key", "ArrowLeft"), ("slide", 4)]
    states = drive(page, actions, tmp_path)
    assert [s["shown"] for s in states] == [[0], [1], [2], [3], [2], [1], [0], [0], [4]]
    assert states[-1]["counter"] == f"step 4 of {len(captions) - 1}"
    assert states[-1]["caption"] == captions[4]


def test_one_frame_per_key_press_once_the_slider_has_focus(tmp_path):
    """The slider moves itself on arrow keys; the page's own key handler must not move it too."""
    page = ag.viz.render_steps(lesson()["L"], tmp_path).read_text()
    last = len(re.findall(r'<div class="frame"', page)) - 1
    presses = [("key", "ArrowRight", "slider")] * (last + 2)
    presses += [("key", "ArrowLeft", "slider")] * 3
    states = drive(page, [("slide", 0)] + presses, tmp_path)
    shown = [s["shown"] for s in states[1:]]
    expected = [0, *range(1, last + 1), last, last, last - 1, last - 2, last - 3]
    assert shown == [[k] for k in expected]
    # and from the buttons (which do not move on arrows themselves) it is one step too
    states = drive(page, [("key", "ArrowRight", "next"), ("key", "ArrowRight", "prev")], tmp_path)
    assert [s["shown"] for s in states] == [[0], [1], [2]]


def test_step_page_fits_a_phone_and_shows_each_caption_once(tmp_path):
    nodes = lesson()
    page = ag.viz.render_steps(nodes["L"], tmp_path).read_text()
    assert re.search(r'<meta name="viewport" content="width=device-width, initial-scale=1">',
                     page)
    frames = ag.viz.backprop_steps(nodes["L"])
    for frame in frames:  # the caption is the page's text, not a second time in the picture
        assert page.count(html.escape(frame.caption)) == 1
    svgs = re.findall(r"<svg.*?</svg>", page, re.S)
    assert not any("Step " in "".join(ET.fromstring(s).itertext()) for s in svgs)
    # the PNG frames, seen alone, keep theirs
    assert "Step 0 of" in frames[0].dot.source and "Step 0 of" not in frames[0].picture.source
    # pictures shrink with the screen, but not below a size whose smallest text is 11 px
    natural = max(float(re.search(r'width="([\d.]+)pt"', s).group(1)) * 4 / 3 for s in svgs)
    smallest = min(float(v) for v in re.findall(r'font-size="([\d.]+)"', "".join(svgs))) * 4 / 3
    min_width = float(re.search(r"min-width: (\d+)px", page).group(1))
    assert min_width == pytest.approx(natural * min(1, 11 / smallest), abs=1)
    assert f"max-width: {natural:.0f}px" in page


def test_fit_switch_fits_the_pictures_to_a_small_screen(tmp_path):
    page = ag.viz.render_steps(fan_out(), tmp_path).read_text()
    states = drive(page, [("check", "fit"), ("check", "fit")], tmp_path)
    assert [s["fit"] for s in states] == [False, True, False]
    assert ".fit .frame svg { min-width: 0; }" in page
