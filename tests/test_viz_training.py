"""The training page: frames, the numbers each shows, its SVG, its script and its size."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from page_driver import drive

import autograd_lite as ag
from autograd_lite import logistic
from autograd_lite.plots import linear_form
from autograd_lite.viz import renderer
from autograd_lite.viz.training import shared_svg, shown_iterations


def blobs(m: int = 24, n: int = 2, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    Y = (np.arange(m) % 2).reshape(-1, 1).astype(float)
    X = rng.normal(size=(m, n)) + 1.5 * Y
    return X, Y


@pytest.fixture(scope="module")
def short_run():
    X, Y = blobs()
    return logistic.train(X, Y, 0.5, 12, record=True)


@pytest.fixture(scope="module")
def short_page(short_run, tmp_path_factory):
    """The page as the package draws it with its own renderer, graphviz-pure (an old system dot
    lays out each frame a little differently, so frames would not share one layout)."""
    path = tmp_path_factory.mktemp("training") / "training.html"
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(renderer.ENV_VAR, raising=False)
        patch.setenv("PATH", "/nonexistent")
        patch.setenv(renderer.ENV_VAR, renderer.find_renderer())
        ag.viz.render_training(short_run, path, example=3)
    return path.read_text()


def svg_tree(markup: str) -> ET.Element:
    """Inline SVG (no namespace declarations, as HTML allows) parsed as XML."""
    return ET.fromstring(markup.replace("<svg ", '<svg xmlns:xlink="http://www.w3.org/1999/xlink" ',
                                        1))


def frame_view(svg: ET.Element, k: int) -> ET.Element:
    """The SVG as frame k shows it: every other frame's parts removed."""
    for parent in list(svg.iter()):
        for child in list(parent):
            frame = child.get("data-frame")
            if frame is not None and int(frame) != k:
                parent.remove(child)
    return svg


def frame_tables(page: str) -> list[tuple[int, str, list[str], str]]:
    """Each frame's numbers: (frame, its label, the table's cells as text, its markup)."""
    tables = re.findall(r'<div class="numbers" data-frame="(\d+)" data-label="([^"]*)">(.*?)</div>',
                        page, re.S)
    return [(int(k), label, [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", table)],
             table) for k, label, table in tables]


def frames_of_each_iteration(page: str, losses: np.ndarray) -> list[tuple]:
    """frame_tables, after checking that there is a frame per iteration of a short run, labelled
    with it and showing its loss first."""
    tables = frame_tables(page)
    count = len(losses)
    assert [k for k, *_ in tables] == list(range(count))
    for k, label, cells, _ in tables:
        assert label == f"iteration {k + 1} of {count}"
        assert cells[0].startswith(format(losses[k], ".6g") + " ")
    return tables


def graph_svg(page: str) -> str:
    return re.search(r'<div class="scroll graph">(<svg.*?</svg>)</div>', page, re.S).group(1)


def test_every_iteration_of_a_short_run_is_a_frame_and_long_runs_get_about_200():
    np.testing.assert_array_equal(shown_iterations(12), np.arange(1, 13))
    long = shown_iterations(1000)
    assert 195 <= len(long) <= 200 and long[0] == 1 and long[-1] == 1000
    gaps = np.diff(long)
    assert gaps.max() - gaps.min() <= 1  # evenly spaced
    assert len(shown_iterations(200)) == 200 and len(shown_iterations(201)) <= 200


def test_page_is_self_contained_with_a_viewport(short_page):
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in short_page
    assert not re.search(r"https?:|<link|<script src|<img", short_page)
    assert short_page.count("<script>") == 1
    for svg in re.findall(r"<svg.*?</svg>", short_page, re.S):
        svg_tree(svg)  # every inline SVG is well formed


def test_each_frame_shows_that_iterations_parameters_gradients_and_loss(short_run, short_page):
    rec = short_run.recording
    assert short_run.iterations == 12
    for k, _, cells, _ in frames_of_each_iteration(short_page, short_run.losses):
        after = short_run.w.ravel() if k == 11 else rec.w[k + 1]
        after_b = short_run.b if k == 11 else rec.b[k + 1]
        expected = []
        for name, value, grad, new in [("w1", rec.w[k, 0], rec.dw[k, 0], after[0]),
                                       ("w2", rec.w[k, 1], rec.dw[k, 1], after[1]),
                                       ("b", rec.b[k], rec.db[k], after_b)]:
            expected += [format(value, ".6g"), f"d{name} = {format(grad, '.6g')}",
                         format(new, ".6g")]
        assert cells[1:] == expected


def test_loss_marker_moves_along_the_curve(short_run, short_page):
    chart = svg_tree(re.search(r'<svg class="chart"[^>]*aria-label="loss curve".*?</svg>',
                               short_page, re.S).group(0))
    markers = [g for g in chart.iter("g") if g.get("data-frame") is not None]
    assert [int(g.get("data-frame")) for g in markers] == list(range(12))
    xs = [float(g.find("circle").get("cx")) for g in markers]
    ys = [float(g.find("circle").get("cy")) for g in markers]
    assert xs == sorted(xs) and len(set(xs)) == 12
    # screen y grows as the loss falls; the marker's text is the loss
    order = np.argsort(short_run.losses)
    assert list(np.argsort(ys)[::-1]) == list(order)
    assert [g.find("text").text for g in markers] == [format(v, ".6g") for v in short_run.losses]


def test_boundary_frames_give_each_iterations_line(short_run, short_page):
    rec = short_run.recording
    chart = svg_tree(re.search(r'<svg class="chart"[^>]*aria-label="decision boundary".*?</svg>',
                               short_page, re.S).group(0))
    equations = [t for t in chart.iter("text") if t.get("data-frame") is not None]
    assert len(equations) == 12
    assert "no boundary" in equations[0].text  # w = 0 at iteration 1: z = 0 everywhere
    for k in range(1, 12):
        assert equations[k].text == linear_form(rec.w[k, 0], rec.w[k, 1], rec.b[k], ("x1", "x2"))
        groups = [g for g in chart.iter("g") if g.get("data-frame") == str(k)]
        assert len([e for g in groups for e in g.iter("line")]) == 1
    points = re.findall(r"M[\d.]+,[\d.]+", "".join(p.get("d") for p in chart.iter("path")))
    assert len(points) == len(rec.X)  # every example drawn once, not once per frame


def test_example_graph_shows_the_engines_numbers_at_each_iteration(short_run, short_page):
    rec = short_run.recording
    x, y = rec.X[3], float(rec.Y[3, 0])
    for k in (0, 5, 11):
        svg = frame_view(svg_tree(graph_svg(short_page)), k)
        texts = " ".join(t.text or "" for t in svg.iter("text"))
        nodes = logistic.lesson_graph(x, y, rec.w[k], float(rec.b[k]))
        nodes["L"].backward()
        for name in ("a", "L"):
            assert f"= {format(float(nodes[name].value), '.4g')}" in texts, (k, name)
        assert f"= {format(float(nodes['w1'].grad), '.4g')}" in texts
        assert f"= {format(float(nodes['w1'].value), '.4g')}" in texts


def test_graph_frames_share_one_layout_and_write_it_once(short_page):
    graph = graph_svg(short_page)
    svg = svg_tree(graph)
    shapes = [e for e in svg.iter() if e.tag.endswith(("polygon", "ellipse", "path"))]
    per_frame = [e for g in svg.iter() if g.get("data-frame") for e in g.iter()
                 if e.tag.endswith(("polygon", "ellipse", "path"))]
    assert shapes and not per_frame  # boxes and arrows: drawn once for every frame
    frames = {g.get("data-frame") for g in svg.iter() if g.get("data-frame") is not None}
    assert frames == {str(k) for k in range(12)}


def test_shared_svg_keeps_what_differs_per_frame():
    a = b'<svg xmlns="http://www.w3.org/2000/svg"><g id="n"><rect/><text>1</text></g></svg>'
    b = b'<svg xmlns="http://www.w3.org/2000/svg"><g id="n"><rect/><text>2</text></g></svg>'
    assert shared_svg([a, b]) == (
        '<svg><g><rect/><g data-frame="0"><text>1</text></g>'
        '<g data-frame="1"><text>2</text></g></g></svg>'
    )
    c = b'<svg xmlns="http://www.w3.org/2000/svg" width="3"><g><rect/></g></svg>'
    with pytest.raises(ValueError, match="differ"):
        shared_svg([a, c])


def test_page_script_moves_one_frame_per_key_with_the_slider_focused(short_page, tmp_path):
    presses = [("key", "ArrowRight", "slider")] * 3 + [("key", "ArrowLeft", "slider")]
    states = drive(short_page, presses + [("key", "ArrowRight", None), ("slide", 11),
                                          ("key", "ArrowRight", "slider")], tmp_path)
    assert [s["shown"] for s in states] == [[0], [1], [2], [3], [2], [3], [11], [11]]
    assert states[-1]["counter"] == "iteration 12 of 12"
    states = drive(short_page, [("key", "End", None), ("key", "Home", None)], tmp_path)
    assert [s["shown"] for s in states] == [[0], [11], [0]]


def test_play_steps_through_the_frames_and_stops_at_the_end(short_page, tmp_path):
    actions = [("click", "play"), ("tick",), ("tick",), ("click", "play"), ("slide", 10),
               ("click", "play"), ("tick",), ("tick",), ("click", "play"), ("tick",)]
    states = drive(short_page, actions, tmp_path)
    assert [s["shown"] for s in states] == [[0], [0], [1], [2], [2], [10], [10], [11], [11],
                                            [0], [1]]
    assert [s["timers"] for s in states] == [0, 1, 1, 1, 0, 0, 1, 0, 0, 1, 1]
    assert "pause" in states[1]["play"] and "play" in states[4]["play"]
    assert "play" in states[7]["play"]  # stopped by itself at the last frame


def test_page_errors_name_what_is_wrong(short_run, tmp_path):
    X, Y = blobs()
    plain = logistic.train(X, Y, 0.5, 5)
    with pytest.raises(ValueError, match=r"record=True"):
        ag.viz.render_training(plain, tmp_path / "t.html")
    with pytest.raises(ValueError, match=r"example 24 .* 24 examples, so example must be 0 to 23"):
        ag.viz.render_training(short_run, tmp_path / "t.html", example=24)
    with pytest.raises(ValueError, match="example -1"):
        ag.viz.render_training(short_run, tmp_path / "t.html", example=-1)
    with pytest.raises(TypeError, match="integer"):
        ag.viz.render_training(short_run, tmp_path / "t.html", example=1.5)
    assert not (tmp_path / "t.html").exists()


def test_many_features_get_no_boundary_and_a_note_instead_of_a_huge_graph(tmp_path):
    X, Y = blobs(m=10, n=12)
    run = logistic.train(X, Y, 0.1, 3, record=True)
    page = ag.viz.render_training(run, tmp_path / "t.html").read_text()
    assert "decision boundary" not in page
    assert "drawn for up to 8 features; this data has 12" in page
    assert "... and 3 more weights" in page  # w1..w9, then b


def test_one_feature_run_draws_the_graph_without_a_boundary(tmp_path):
    X, Y = blobs(m=10, n=1)
    run = logistic.train(X, Y, 0.1, 4, record=True)
    page = ag.viz.render_training(run, tmp_path / "t.html", example=9).read_text()
    assert 'aria-label="decision boundary"' not in page and 'class="scroll graph"' in page


def test_rounding_noise_shows_as_0_and_small_values_keep_their_digits(tmp_path):
    from autograd_lite import datasets

    data = datasets.blobs(200, 0)  # half each label, w = b = 0: the exact db is 0
    run = logistic.train(data.X, data.Y, 0.1, 3, record=True)
    assert 0 < abs(run.recording.db[0]) < 1e-15  # what floating point gives instead
    page = ag.viz.render_training(run, tmp_path / "t.html").read_text()
    first = re.search(r'<div class="numbers" data-frame="0".*?</div>', page, re.S).group(0)
    noise = format(run.recording.db[0], ".6g")
    assert f'db = <span title="{noise}: rounding noise">0</span>' in first
    b_after = format(run.recording.b[1], ".6g")  # b = 0 - alpha * noise: noise too
    assert f'<span title="{b_after}: rounding noise">0</span>' in first
    assert noise not in re.sub(r'title="[^"]*"', "", page)  # nowhere shown as a number
    # the same numbers at a billionth of the scale are no noise: dw keeps its digits
    tiny = logistic.train(data.X * 1e-10, data.Y, 0.1, 3, record=True)
    page = ag.viz.render_training(tiny, tmp_path / "tiny.html").read_text()
    first = re.search(r'<div class="numbers" data-frame="0".*?</div>', page, re.S).group(0)
    assert f"dw1 = {format(tiny.recording.dw[0, 0], '.6g')}<" in first
    assert abs(tiny.recording.dw[0, 0]) < 1e-10


def test_one_layout_pins_every_box_of_graphs_of_one_shape():
    from autograd_lite.viz import renderer
    from autograd_lite.viz.steps import PINNED, one_layout

    roots = []
    for w1 in (0.5, -123.456789, 1e-7):
        nodes = logistic.lesson_graph([1.0, 2.0], 1.0, [w1, -0.3], 0.1)
        nodes["L"].backward()
        roots.append(nodes["L"])
    pictures = one_layout(roots, view="named", closed_form=False)
    positions = [re.findall(r'\bpos="([^"]+)"', p.source) for p in pictures]
    assert positions[0] and positions[0] == positions[1] == positions[2]
    svgs = [renderer.run(p.source, "svg", engine=PINNED) for p in pictures]
    sizes = {re.search(rb'viewBox="([^"]+)"', svg).group(1) for svg in svgs}
    assert len(sizes) == 1  # one canvas for every frame
    other = logistic.lesson_graph([1.0, 2.0, 3.0], 1.0, [0.5, -0.3, 0.2], 0.1)["L"]
    other.backward()
    with pytest.raises(ValueError, match="differ in shape"):
        one_layout([roots[0], other])
