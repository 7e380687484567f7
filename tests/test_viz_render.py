"""Rendering: PNG and SVG files, finding the renderer, and every error naming what is at fault."""

from __future__ import annotations

import re
import struct
import sys
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import autograd_lite as ag
from autograd_lite.logistic import lesson_graph
from autograd_lite.viz import renderer as renderer_module

SVG = "{http://www.w3.org/2000/svg}"


def lesson_loss() -> ag.Node:
    nodes = lesson_graph([1.0, 2.0], 1.0, [0.5, 0.25], 0.1)
    nodes["L"].backward()
    return nodes["L"]


def png_size(data: bytes) -> tuple[int, int]:
    """Check the PNG signature and the IHDR chunk; return (width, height)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    return struct.unpack(">II", data[16:24])


def svg_texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(SVG + "text")]


@pytest.fixture
def no_dot_on_path(tmp_path, monkeypatch):
    """PATH holds nothing, so no `dot`: the renderer must be found beside the interpreter."""
    empty = tmp_path / "empty_path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv(renderer_module.ENV_VAR, raising=False)


def test_png_has_a_valid_header_and_size(tmp_path):
    path = ag.viz.render(lesson_loss(), tmp_path / "lesson.png")
    assert path == tmp_path / "lesson.png"
    width, height = png_size(path.read_bytes())
    assert width > 1000 and height > 400  # the lesson's picture is wide: lanes, box


def test_svg_is_well_formed_and_holds_the_lesson_text(tmp_path):
    path = ag.viz.render(lesson_loss(), str(tmp_path / "lesson.svg"))
    texts = svg_texts(path.read_text())
    assert "z = w1*x1 + w2*x2 + b" in texts and "a = sigmoid(z)" in texts
    assert "backward pass: gradients, right to left (chain rule)" in texts


def test_dot_output_and_missing_folders_are_made(tmp_path, monkeypatch):
    monkeypatch.setenv(renderer_module.ENV_VAR, str(tmp_path / "no-such-renderer"))
    loss = lesson_loss()
    path = ag.viz.render(loss, tmp_path / "a" / "b" / "graph.dot")  # no renderer needed
    assert path.read_text() == ag.viz.to_dot(loss).source


@pytest.mark.parametrize("name", ['w<1>', "a{b}|c", 'say "hi"', "back\\slash", "two\nlines",
                                  "amp & <b>bold</b>", "]; 9 -> 9 [label=x"])
def test_special_characters_in_names_survive_into_the_svg(tmp_path, name):
    w = ag.Node(0.5, name=name, requires_grad=True)
    out = ag.sigmoid(w * 2.0)
    out.name = "out"
    out.backward()
    texts = svg_texts(ag.viz.render(out, tmp_path / "g.svg").read_text())
    lines = name.split("\n")
    first = texts.index(lines[0])
    assert texts[first: first + len(lines)] == lines  # a newline is a line break
    if "\n" not in name:
        assert any(t.startswith(f"dout/d({name}) = ") for t in texts)


def test_renders_with_no_dot_on_path(tmp_path, no_dot_on_path):
    found = ag.viz.find_renderer()
    assert Path(found).parent in {Path(sys.executable).parent,
                                  Path(renderer_module.sysconfig.get_path("scripts"))}
    assert png_size(ag.viz.render(lesson_loss(), tmp_path / "g.png").read_bytes())[0] > 0


def test_renderer_argument_and_environment_variable_override(tmp_path, monkeypatch):
    real = ag.viz.find_renderer()
    failing = tmp_path / "failing-renderer"
    failing.write_text("#!/bin/sh\necho 'boom: cannot lay out' >&2\nexit 3\n")
    failing.chmod(0o755)
    monkeypatch.setenv(renderer_module.ENV_VAR, str(failing))
    assert ag.viz.find_renderer() == str(failing)
    with pytest.raises(ag.viz.RenderError, match="(?s)exit code 3.*boom: cannot lay out"):
        ag.viz.render(lesson_loss(), tmp_path / "g.svg")
    assert not (tmp_path / "g.svg").exists()
    # the argument wins over the environment variable
    path = ag.viz.render(lesson_loss(), tmp_path / "g.svg", renderer=real)
    assert ET.parse(path).getroot().tag == SVG + "svg"


def test_a_renderer_asked_for_must_exist(monkeypatch):
    with pytest.raises(ag.viz.RendererNotFoundError, match="renderer= 'no-such-dot'"):
        ag.viz.find_renderer("no-such-dot")
    monkeypatch.setenv(renderer_module.ENV_VAR, "/nowhere/dot")
    with pytest.raises(ag.viz.RendererNotFoundError, match="AUTOGRAD_LITE_RENDERER '/nowhere/dot'"):
        ag.viz.find_renderer()


def test_no_renderer_at_all_says_what_to_install(tmp_path, no_dot_on_path, monkeypatch):
    monkeypatch.setattr(renderer_module, "_beside_python", lambda program: [])
    with pytest.raises(ag.viz.RendererNotFoundError) as caught:
        ag.viz.render(lesson_loss(), tmp_path / "g.png")
    message = str(caught.value)
    assert "pip install graphviz-pure" in message and "graphviz.org" in message
    assert renderer_module.ENV_VAR in message
    assert not (tmp_path / "g.png").exists()


def test_unknown_suffix_is_an_error_naming_it(tmp_path):
    with pytest.raises(ValueError, match=r"'\.jpeg'.*\.png, \.svg"):
        ag.viz.render(lesson_loss(), tmp_path / "g.jpeg")
    with pytest.raises(ValueError, match="suffix ''"):
        ag.viz.render(lesson_loss(), tmp_path / "graph")


def test_unwritable_path_is_an_error_naming_it(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    target = blocker / "g.svg"
    with pytest.raises(OSError, match="cannot write .*a_file/g.svg"):
        ag.viz.render(lesson_loss(), target)


def test_pdf_where_the_renderer_cannot_says_so(tmp_path):
    if Path(ag.viz.find_renderer()).name.startswith("dot"):
        pytest.skip("system Graphviz may write PDF")
    with pytest.raises(ag.viz.RenderError, match="(?s)pdf.*cannot write PDF"):
        ag.viz.render(lesson_loss(), tmp_path / "g.pdf")


def test_jupyter_displays_a_node_as_svg():
    svg = lesson_loss()._repr_svg_()
    assert "a = sigmoid(z)" in svg_texts(svg)


def test_jupyter_falls_back_to_text_without_a_renderer(no_dot_on_path, monkeypatch):
    monkeypatch.setattr(renderer_module, "_beside_python", lambda program: [])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert lesson_loss()._repr_svg_() is None
    assert any("graphviz-pure" in str(w.message) for w in caught)


def mlp_loss(sizes: tuple[int, ...]) -> ag.Node:
    """A scalar MLP, one Node per weight (as micrograd builds it), and its squared loss."""
    layer = [ag.Node(0.1 * i, name=f"x{i}") for i in range(sizes[0])]
    for fan_in, fan_out in zip(sizes, sizes[1:], strict=False):
        outputs = []
        for j in range(fan_out):
            total = ag.Node(0.0, requires_grad=True)
            for i in range(fan_in):
                total = total + ag.Node(0.01 * (i - j), requires_grad=True) * layer[i]
            outputs.append(ag.tanh(total))
        layer = outputs
    loss = ag.sum(layer[0] ** 2)
    loss.backward()
    return loss


def test_a_2000_node_graph_renders_to_svg(tmp_path):
    """The time is measured by demos/viz_large_graph.py, not here."""
    loss = mlp_loss((10, 22, 20, 1))
    total = len(list(loss.walk()))
    options = {"max_nodes": None, "hide_constants": False}
    path = ag.viz.render(loss, tmp_path / "big.svg", **options)
    groups = [g for g in ET.parse(path).getroot().iter(SVG + "g") if g.get("class") == "node"]
    statements = re.findall(r"^\s*\d+ \[", ag.viz.to_dot(loss, **options).source, re.M)
    # every node drawn; the inputs, used by 22 neurons each, once beside each user
    assert total >= 2000 and len(groups) == len(statements) == total - 10 + 10 * 22
