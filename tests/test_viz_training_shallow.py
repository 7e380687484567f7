"""The training page of the course's next model: what shallow.train records, the numbers each
frame shows, the bending boundary, the one-example graph, the script, and its errors."""

from __future__ import annotations

import re

import numpy as np
import pytest
from page_driver import drive
from test_viz_training import frame_view, frames_of_each_iteration, graph_svg, svg_tree

import autograd_lite as ag
from autograd_lite import datasets, shallow
from autograd_lite.viz import renderer


@pytest.fixture(scope="module")
def flower():
    data = datasets.flower(samples=80)
    return data.X.T, data.Y.T  # the course's columns


@pytest.fixture(scope="module")
def short_run(flower):
    return shallow.train(*flower, n_h=3, alpha=1.2, iterations=9, record=True)


@pytest.fixture(scope="module")
def short_page(short_run, tmp_path_factory):
    """Drawn with the package's own renderer (as test_viz_training's page)."""
    path = tmp_path_factory.mktemp("shallow") / "training.html"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", "/nonexistent")
        patch.setenv(renderer.ENV_VAR, renderer.find_renderer())
        ag.viz.render_training(short_run, path, example=5, feature_names=("x1", "x2"))
    return path.read_text()


def test_record_keeps_the_parameters_before_each_step_and_their_closed_form_gradients(flower):
    X, Y = flower
    run = shallow.train(X, Y, n_h=3, iterations=450, record=True)
    rec = run.recording
    assert rec.iterations[0] == 1 and rec.iterations[-1] == 450 and len(rec.iterations) <= 200
    assert len(rec.parameters) == len(rec.gradients) == len(rec.iterations)
    again = shallow.train(X, Y, n_h=3, iterations=int(rec.iterations[7]) - 1)
    for name in shallow.PARAMETERS:  # iteration k's parameters are those after k - 1 steps
        np.testing.assert_array_equal(getattr(rec.parameters[7], name),
                                      getattr(again.parameters, name))
    for params, grads in zip(rec.parameters, rec.gradients, strict=True):
        closed = shallow.closed_form_grads(X, Y, *params)
        for name in shallow.PARAMETERS:
            np.testing.assert_allclose(getattr(grads, name), getattr(closed, "d" + name),
                                       rtol=1e-10, atol=1e-15)
    assert shallow.train(X, Y, n_h=3, iterations=3).recording is None


def test_each_frame_shows_the_loss_and_every_parameter_with_its_gradient(short_run, short_page):
    rec = short_run.recording
    assert short_run.iterations == 9
    for k, _, cells, table in frames_of_each_iteration(short_page, short_run.losses):
        for i, name in enumerate(shallow.PARAMETERS):
            value, grad = getattr(rec.parameters[k], name), getattr(rec.gradients[k], name)
            for cell, array in ((cells[1 + 2 * i], value), (cells[2 + 2 * i], grad)):
                rows = cell.split("<br>")
                assert len(rows) == array.shape[0]
                for line, numbers in zip(rows, array, strict=True):
                    assert line == ", ".join(format(float(v), ".3g") for v in numbers)
        assert "W1 := W1 - 1.2 * dW1" in table


def test_boundary_frames_shade_where_the_network_says_one(short_run, short_page, flower):
    X, Y = flower
    rec = short_run.recording
    chart = svg_tree(re.search(r'<svg class="chart"[^>]*aria-label="decision boundary".*?</svg>',
                               short_page, re.S).group(0))
    captions = [t.text for t in chart.iter("text") if t.get("data-frame") is not None]
    for k, caption in enumerate(captions):
        accuracy = shallow.accuracy(X, Y, *rec.parameters[k])
        assert caption == f"iteration {k + 1}: training accuracy {accuracy:.1%}"
    last = frame_view(chart, 8)
    shaded = [p for p in last.iter("path") if p.get("fill") == "#fbe3e3"]
    assert len(shaded) == 1 and shaded[0].get("d").count("M") > 1  # runs of cells, not a line
    points = re.findall(r"M[\d.]+,[\d.]+", "".join(p.get("d") for p in chart.iter("path")
                                                   if p.get("fill") != "#fbe3e3"))
    assert len(points) == X.shape[1]  # every example drawn once, not once per frame


def test_example_graph_shows_the_engines_numbers_at_each_iteration(short_run, short_page):
    rec = short_run.recording
    for k in (0, 4, 8):
        svg = frame_view(svg_tree(graph_svg(short_page)), k)
        texts = " ".join(t.text or "" for t in svg.iter("text"))
        nodes = shallow.graph(rec.X[:, [5]], rec.Y[:, [5]], *rec.parameters[k])
        nodes["L"].backward()
        for name in ("Z2", "A2", "L"):
            assert f"= {format(nodes[name].value.item(), '.4g')}" in texts, (k, name)
        assert f"dL/dZ2 = {format(nodes['Z2'].grad.item(), '.4g')}" in texts, k
    assert "Example 5 alone" in short_page and "dZ2 = A2 - Y" in short_page


def test_page_script_steps_and_plays_through_the_frames(short_page, tmp_path):
    states = drive(short_page, [("key", "ArrowRight", "slider")] * 2 + [("key", "End", None)],
                   tmp_path)
    assert [s["shown"] for s in states] == [[0], [1], [2], [8]]
    assert states[-1]["counter"] == "iteration 9 of 9"
    states = drive(short_page, [("click", "play"), ("tick",), ("tick",)], tmp_path)
    assert [s["shown"] for s in states] == [[0], [0], [1], [2]]


def test_long_runs_show_about_200_frames_and_errors_name_the_model(flower, tmp_path):
    X, Y = flower
    plain = shallow.train(X, Y, n_h=2, iterations=3)
    with pytest.raises(ValueError, match=r"shallow\.train\(\.\.\., record=True\)"):
        ag.viz.render_training(plain, tmp_path / "t.html")
    run = shallow.train(X, Y, n_h=2, iterations=3, record=True)
    with pytest.raises(ValueError, match=r"example 80 is not a column of X: the data has 80 "
                       r"examples, so example must be 0 to 79"):
        ag.viz.render_training(run, tmp_path / "t.html", example=80)
    assert not (tmp_path / "t.html").exists()
    long = shallow.train(X, Y, n_h=2, iterations=300, record=True)
    page = ag.viz.render_training(long, tmp_path / "long.html", max_frames=20).read_text()
    frames = re.findall(r'<div class="numbers" data-frame="(\d+)" data-label="iteration (\d+) ',
                        page)
    assert len(frames) <= 20 and frames[0][1] == "1" and frames[-1][1] == "300"
