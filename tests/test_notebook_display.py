"""What Jupyter shows: the gradient table and History as HTML tables, plots as Figures, and
what train(record=True) keeps for the training page."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import logistic


def blobs(m: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    Y = (np.arange(m) % 2).reshape(-1, 1).astype(float)
    X = rng.normal(size=(m, 2)) + 2.0 * Y
    return X, Y


def table_cells(markup: str) -> list[list[str]]:
    """The text of each row's cells (th and td) of an HTML table that is also well-formed XML."""
    root = ET.fromstring(markup)
    return [["".join(cell.itertext()) for cell in row] for row in root.iter("tr")]


def test_gradient_table_is_an_html_table_in_a_notebook():
    table = logistic.compare([1.0, 2.0], 1.0, [0.5, -0.3], 0.1)
    rows = table_cells(table._repr_html_())
    assert rows[0] == list(table.HEADER)
    assert [r[0] for r in rows[1:]] == ["da", "dz", "dw1", "dw2", "db"]
    assert rows[3][1] == "x1 * (a - y)"
    assert float(rows[3][2]) == pytest.approx(float(table["dw1"].autodiff), abs=1e-9)
    assert table.title in table._repr_html_()
    assert repr(table) == str(table)  # the plain repr is the table too, not a dataclass dump


def test_table_text_is_escaped():
    from autograd_lite.tables import html_table

    markup = html_table("a < b & c", ("x",), [("<script>",)])
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert table_cells(markup)[1] == ["<script>"]


def test_history_shows_a_short_summary_not_every_loss():
    X, Y = blobs()
    history = logistic.train(X, Y, 0.1, 1000)
    text = repr(history)
    assert len(text) < 200 and "1000 iterations" in text and text.count(".") < 12
    assert f"{history.losses[-1]:.6g}" in text
    rows = dict(table_cells(history._repr_html_()))
    assert rows["iterations"].startswith("1000 ")
    assert f"{history.losses[0]:.6g}" in rows["loss"] and rows["recorded"] == "no"
    assert len(history._repr_html_()) < 2000


def test_plots_without_a_path_return_figures_that_show_as_png():
    from matplotlib.figure import Figure

    X, Y = blobs()
    history = logistic.train(X, Y, 0.1, 30)
    for figure in (ag.plots.loss_curve(history),
                   ag.plots.decision_boundary(X, Y, history.w, history.b)):
        assert isinstance(figure, Figure)
        assert figure._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plots_with_a_path_still_write_the_file(tmp_path):
    X, Y = blobs()
    history = logistic.train(X, Y, 0.1, 30)
    path = ag.plots.loss_curve(history, tmp_path / "loss.png", "blobs")
    assert path == tmp_path / "loss.png" and path.read_bytes()[:4] == b"\x89PNG"


def test_decision_boundary_names_bad_data():
    with pytest.raises(ValueError, match="2 features"):
        ag.plots.decision_boundary(np.zeros((3, 3)), np.zeros(3), np.zeros(3), 0.0)
    with pytest.raises(ValueError, match="Y has shape"):
        ag.plots.decision_boundary(np.zeros((3, 2)), np.zeros(4), np.zeros(2), 0.0)


def test_plots_is_an_attribute_of_the_package():
    assert ag.plots.loss_curve is not None and "plots" in ag.__all__


def test_record_keeps_every_iteration_as_the_engine_computed_it():
    X, Y = blobs()
    alpha = 0.3
    history = logistic.train(X, Y, alpha, 25, record=True)
    rec = history.recording
    assert rec.w.shape == (25, 2) and rec.dw.shape == (25, 2) and rec.b.shape == (25,)
    np.testing.assert_array_equal(rec.w[0], [0.0, 0.0])
    # each row is that iteration's starting point and its gradient: the next row is one step on
    np.testing.assert_allclose(rec.w[1:], rec.w[:-1] - alpha * rec.dw[:-1], rtol=0, atol=1e-15)
    np.testing.assert_allclose(rec.b[1:], rec.b[:-1] - alpha * rec.db[:-1], rtol=0, atol=1e-15)
    np.testing.assert_allclose(history.w.ravel(), rec.w[-1] - alpha * rec.dw[-1], atol=1e-15)
    for k in (0, 12, 24):  # the gradients are the lesson's closed form at those parameters
        closed = logistic.closed_form_grads(X, Y, rec.w[k], rec.b[k])
        np.testing.assert_allclose(rec.dw[k], closed.dw.ravel(), rtol=1e-10, atol=1e-12)
        assert rec.db[k] == pytest.approx(closed.db, rel=1e-10, abs=1e-12)
        assert history.losses[k] == pytest.approx(logistic.mean_loss(X, Y, rec.w[k], rec.b[k]))
    np.testing.assert_array_equal(rec.X, X)
    assert "recorded" in repr(history)
    assert dict(table_cells(history._repr_html_()))["recorded"].startswith("every iteration")


def test_training_without_record_keeps_no_recording_and_the_same_numbers():
    X, Y = blobs()
    plain = logistic.train(X, Y, 0.2, 40)
    recorded = logistic.train(X, Y, 0.2, 40, record=True)
    assert plain.recording is None
    np.testing.assert_array_equal(plain.losses, recorded.losses)
    np.testing.assert_array_equal(plain.w, recorded.w)


def test_compiled_training_records_the_same_run():
    pytest.importorskip("autograd_lite.codegen")
    X, Y = blobs()
    eager = logistic.train(X, Y, 0.2, 10, record=True).recording
    compiled = logistic.train(X, Y, 0.2, 10, record=True, compiled=True).recording
    for field in ("w", "b", "dw", "db"):
        np.testing.assert_allclose(getattr(compiled, field), getattr(eager, field),
                                   rtol=1e-12, atol=1e-15)


def test_an_interrupted_run_records_the_iterations_it_did(tmp_path):
    X, Y = blobs()

    def stop_at_5(iteration, loss):
        if iteration == 5:
            raise KeyboardInterrupt

    history = logistic.train(X, Y, 0.2, 50, record=True, on_iteration=stop_at_5)
    assert history.interrupted and history.iterations == 5
    assert history.recording.w.shape == (5, 2) and history.recording.db.shape == (5,)
    assert "interrupted" in repr(history)
    page = ag.viz.render_training(history, tmp_path / "t.html").read_text()
    assert "iteration 5 of 5" in page and "iteration 6" not in page
