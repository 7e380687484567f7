"""`autograd-lite lesson --out DIR` draws the lesson graph with the visualiser."""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

from test_cli import png_size, run

from autograd_lite import cli, viz


def test_lesson_out_calls_the_visualiser_exactly(tmp_path, monkeypatch, capsys):
    calls = []

    def fake_render(node, path, view):
        calls.append(("render", node, path))
        assert view == "named"
        return path

    def fake_render_steps(node, folder, view):
        calls.append(("render_steps", node, folder))
        assert view == "named"
        return folder / "index.html"

    monkeypatch.setattr(viz, "render", fake_render)
    monkeypatch.setattr(viz, "render_steps", fake_render_steps)
    assert cli.main(["lesson", "--out", str(tmp_path)]) == 0
    assert [(kind, path) for kind, _, path in calls] == [
        ("render", tmp_path / "lesson_graph.png"),
        ("render", tmp_path / "lesson_graph.svg"),
        ("render_steps", tmp_path / "steps"),
    ]
    loss = calls[0][1]
    assert all(node is loss for _, node, _ in calls)
    assert loss.name == "L" and loss.parents[0].name == "a"  # the loss node of lesson_graph
    out = capsys.readouterr().out
    for path in ("lesson_graph.png", "lesson_graph.svg", "steps/index.html"):
        assert str(tmp_path / path) in out


def test_lesson_out_writes_real_pictures(tmp_path):
    result = run("lesson", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    width, height = png_size(tmp_path / "lesson_graph.png")
    assert width > 800 and height > 300
    svg = ET.parse(tmp_path / "lesson_graph.svg").getroot()
    assert svg.tag.endswith("svg")
    text = " ".join(t.strip() for t in svg.itertext())
    for name in ("w1", "x2", "sigmoid", "dL/dw1"):
        assert name in text
    steps = tmp_path / "steps"
    frames = sorted(steps.glob("step_*.png"))
    # frame 0 (forward values only), then one per gradient of the named view: L, a, z,
    # w1, w2 and b (x1, x2 and y get none)
    assert len(frames) == 7
    assert all(png_size(frame)[0] > 800 for frame in frames)
    page = (steps / "index.html").read_text()
    assert page.count("<svg") == len(frames)
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    for path in ("lesson_graph.png", "lesson_graph.svg", "index.html"):
        assert path in result.stdout


def test_lesson_out_without_a_renderer_is_one_line_and_exit_code_1(tmp_path):
    env = {**os.environ, "AUTOGRAD_LITE_RENDERER": str(tmp_path / "no-such-renderer")}
    result = subprocess.run(
        [sys.executable, "-m", "autograd_lite", "lesson", "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert "cannot draw the graph" in lines[0] and "no-such-renderer" in lines[0]


def test_lesson_out_into_a_file_is_named(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run("lesson", "--out", str(blocker / "pictures"))
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    message = f"cannot write pictures into {blocker / 'pictures'}: {blocker} is a file"
    assert message in result.stderr
    assert result.stdout == ""  # checked before the lesson runs
