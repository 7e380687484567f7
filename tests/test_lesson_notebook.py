"""demos/lesson.ipynb runs from top to bottom in a fresh kernel with no `dot` on PATH, and its
cells show what a learner should see: graphs as SVG, tables as HTML, plots as images."""

from __future__ import annotations

import base64
import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the dev extra brings nbformat")
nbclient = pytest.importorskip("nbclient", reason="the dev extra brings nbclient")
pytest.importorskip("ipykernel", reason="the dev extra brings ipykernel")

NOTEBOOK = Path(__file__).resolve().parent.parent / "demos" / "lesson.ipynb"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def path_without_dot() -> str:
    """PATH less every folder that holds a program named dot (system Graphviz)."""
    folders = os.environ.get("PATH", "").split(os.pathsep)
    kept = [f for f in folders if f and shutil.which("dot", path=f) is None]
    assert all(shutil.which("dot", path=f) is None for f in kept)
    return os.pathsep.join(kept)


def execute(path: Path, folder: Path, timeout: int):
    """The notebook at ``path`` after running it in a kernel whose PATH finds no dot, in
    ``folder``; each cell given ``timeout`` seconds."""
    notebook = nbformat.read(path, as_version=4)
    env = dict(os.environ, PATH=path_without_dot())
    env.pop("AUTOGRAD_LITE_RENDERER", None)  # the renderer is found as a user's would be
    client = nbclient.NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                                     resources={"metadata": {"path": str(folder)}})
    client.execute(env=env)
    return notebook


def assert_no_cell_fails_or_warns(notebook) -> None:
    for code_cell in (c for c in notebook.cells if c.cell_type == "code"):
        for output in code_cell.outputs:
            assert output.output_type != "error", output
            if output.output_type == "stream":
                assert output.name == "stdout", (code_cell.source, output.text)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook after running it in a kernel whose PATH finds no dot, in a scratch folder."""
    folder = tmp_path_factory.mktemp("notebook")
    return execute(NOTEBOOK, folder, timeout=120), folder


def cell(notebook, source_start: str):
    found = [c for c in notebook.cells if c.cell_type == "code" and
             c.source.startswith(source_start)]
    assert len(found) == 1, source_start
    return found[0]


def result(code_cell) -> dict:
    """The data of the cell's result (its last expression's display)."""
    results = [o for o in code_cell.outputs if o.output_type == "execute_result"]
    assert len(results) == 1, code_cell.outputs
    return results[0]["data"]


def test_no_cell_fails_or_warns(executed):
    assert_no_cell_fails_or_warns(executed[0])


def test_forward_and_backward_print_the_lessons_numbers(executed):
    notebook, _ = executed
    forward = "".join(o.text for o in cell(notebook, "x1 = ag.Node").outputs)
    assert "z = 0.000000" in forward and "a = sigmoid(z) = 0.500000" in forward
    backward = "".join(o.text for o in cell(notebook, "L.backward()").outputs)
    assert "dz  = -0.500000" in backward and "dw2 = -1.000000" in backward


def tagged(notebook, tag: str) -> list:
    found = [c for c in notebook.cells if tag in c.get("metadata", {}).get("tags", [])]
    assert found, f"no cell tagged {tag!r}"
    return found


GRAPHS = {  # a graph cell's source -> texts its picture must hold
    "ag.viz.to_dot(L)": ["z = w1*x1 + w2*x2 + b", "a = sigmoid(z)", "= da * a(1-a) = a - y",
                         "= x1 * dz"],
    'ag.viz.to_dot(L, view="ops")': ["w1*x1", "w2*x2"],
    "a": ["a = sigmoid(z)"],
    "batch = logistic.vectorised_graph(": ["Z = X@w + b", "A = sigmoid(Z)",
                                           "course: dw = X^T dZ / m"],
}


def test_graphs_show_as_svg_with_no_dot_on_path(executed):
    notebook, _ = executed
    cells = tagged(notebook, "graph")
    assert len(cells) == len(GRAPHS)
    for code_cell in cells:
        svg = ET.fromstring(result(code_cell)["image/svg+xml"])
        assert svg.tag.endswith("svg")
        texts = [t.strip() for t in svg.itertext() if t.strip()]
        wanted = next(v for k, v in GRAPHS.items() if code_cell.source.startswith(k)
                      and (k != "a" or code_cell.source == "a"))
        for text in wanted:
            assert text in texts, (code_cell.source, text)


def test_tables_show_as_html(executed):
    notebook, _ = executed
    tables = [result(c)["text/html"] for c in tagged(notebook, "table")]
    assert all("<table" in t for t in tables)
    assert any("x1 * (a - y)" in t for t in tables)  # the lesson's summary
    assert any("300 (alpha = 0.1" in t for t in tables)  # the training history


def test_plots_show_as_images(executed):
    notebook, _ = executed
    plots = tagged(notebook, "plot")
    assert len(plots) == 2
    for code_cell in plots:
        png = base64.b64decode(result(code_cell)["image/png"])
        assert png[:8] == PNG_SIGNATURE


def test_the_training_page_is_written_beside_the_notebook(executed):
    notebook, folder = executed
    printed = "".join(o.text for o in cell(notebook, "page = ag.viz.render_training(").outputs)
    page = folder / "training.html"
    assert str(page.resolve()) in printed and page.stat().st_size > 10_000


def test_the_notebook_is_kept_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")
