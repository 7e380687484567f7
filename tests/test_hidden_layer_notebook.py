"""demos/hidden_layer.ipynb, the course's next model, runs from top to bottom in a fresh kernel
with no `dot` on PATH and shows its graph as SVG, its tables as HTML and its plots as images."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from test_lesson_notebook import (
    PNG_SIGNATURE,
    assert_no_cell_fails_or_warns,
    cell,
    execute,
    result,
    tagged,
)

nbformat = pytest.importorskip("nbformat", reason="the dev extra brings nbformat")
nbclient = pytest.importorskip("nbclient", reason="the dev extra brings nbclient")
pytest.importorskip("ipykernel", reason="the dev extra brings ipykernel")

NOTEBOOK = Path(__file__).resolve().parent.parent / "demos" / "hidden_layer.ipynb"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hidden_layer")
    return execute(NOTEBOOK, folder, timeout=300), folder


def test_no_cell_fails_or_warns(executed):
    assert_no_cell_fails_or_warns(executed[0])


def test_the_graph_shows_the_named_quantities_as_svg(executed):
    notebook, _ = executed
    (graph,) = tagged(notebook, "graph")
    svg = ET.fromstring(result(graph)["image/svg+xml"])
    texts = [t.strip() for t in svg.itertext() if t.strip()]
    for text in ("Z1 = W1@X + b1", "A1 = tanh(Z1)", "Z2 = W2@A1 + b2", "A2 = sigmoid(Z2)",
                 "= dA2 * A2(1-A2) = A2 - Y"):
        assert text in texts, text


def test_the_tables_agree_with_the_closed_form_and_the_run_is_summarised(executed):
    notebook, _ = executed
    compare, history = (result(c)["text/html"] for c in tagged(notebook, "table"))
    assert "W2^T dZ2 * (1 - A1^2) / m" in compare and "dZ1 X^T / m" in compare
    assert "10000 (alpha = 1.2, lesson loss)" in history and "4 tanh units" in history


def test_the_generated_code_is_the_courses_backward(executed):
    notebook, _ = executed
    printed = "".join(o.text for o in cell(notebook, "program = ag.codegen(").outputs)
    lines = [line.split("#")[0].strip() for line in printed.splitlines()]
    for statement in ("dZ2 = A2 - Y", "dW2 = dZ2 @ A1.T / 400", "dZ1 = dA1 * (1.0 - A1 * A1)",
                      "dW1 = dZ1 @ X.T / 400"):
        assert statement in lines


def test_the_hidden_layer_beats_the_straight_line_and_the_plots_are_images(executed):
    notebook, folder = executed
    printed = "".join(o.text for o in cell(notebook, "linear = logistic.train(").outputs)
    hidden, straight = _accuracies(printed)
    assert hidden >= 0.85 and straight <= 0.6
    plots = tagged(notebook, "plot")
    assert len(plots) == 2
    for code_cell in plots:
        assert base64.b64decode(result(code_cell)["image/png"])[:8] == PNG_SIGNATURE
    page = folder / "hidden_layer_training.html"
    assert page.stat().st_size > 100_000 and str(page.resolve()) in "".join(
        o.text for o in cell(notebook, "page = ag.viz.render_training(").outputs)


def _accuracies(printed: str) -> tuple[float, float]:
    """(hidden layer, logistic) from 'training accuracy: hidden layer 91.2%, logistic ... 47.0%'."""
    hidden = printed.split("hidden layer ")[1].split("%")[0]
    straight = printed.split("logistic regression ")[1].split("%")[0]
    return float(hidden) / 100, float(straight) / 100


def test_the_notebook_is_kept_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")
