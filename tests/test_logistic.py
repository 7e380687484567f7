"""The lesson's model: its graph, closed-form gradients, the comparison table and training."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite import datasets, logistic

LESSON_X, LESSON_W, LESSON_B = (1.0, 2.0), (0.5, -0.3), 0.1


# -- the lesson's own numbers ------------------------------------------------------------------
@pytest.mark.parametrize("y", [1.0, 0.0])
def test_lesson_numbers_match_the_closed_form(y):
    nodes = logistic.lesson_graph(LESSON_X, y, LESSON_W, LESSON_B)
    nodes["L"].backward()
    # z = 0.5*1 + (-0.3)*2 + 0.1 = 0, so a = 0.5 and dz = a - y = -0.5 (y = 1) or 0.5 (y = 0)
    a = float(nodes["a"].value)
    assert a == pytest.approx(0.5, abs=1e-15)
    closed = logistic.closed_form_grads([LESSON_X], [[y]], LESSON_W, LESSON_B)
    assert closed.dz.shape == (1, 1) and closed.dw.shape == (2, 1)
    assert abs(float(nodes["z"].grad) - (a - y)) <= 1e-12
    assert abs(float(nodes["z"].grad) - closed.dz[0, 0]) <= 1e-12
    assert abs(float(nodes["a"].grad) - (-y / a + (1 - y) / (1 - a))) <= 1e-12
    for i, x in enumerate(LESSON_X, start=1):
        assert abs(float(nodes[f"w{i}"].grad) - x * (a - y)) <= 1e-12
        assert abs(float(nodes[f"w{i}"].grad) - closed.dw[i - 1, 0]) <= 1e-12
    assert abs(float(nodes["b"].grad) - closed.db) <= 1e-12
    sign = -1 if y == 1 else 1
    assert closed.db == pytest.approx(sign * 0.5, abs=1e-12)
    assert closed.dw.ravel() == pytest.approx([sign * 0.5, sign * 1.0], abs=1e-12)


def test_lesson_graph_has_the_lesson_names_and_shape():
    nodes = logistic.lesson_graph(LESSON_X, 1, LESSON_W, LESSON_B)
    assert set(nodes) == {"x1", "x2", "w1", "w2", "b", "y", "z", "a", "L"}
    assert all(node.name == name for name, node in nodes.items())
    assert [nodes[k].requires_grad for k in ("w1", "w2", "b", "x1", "x2", "y")] == [
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    # z = (w1*x1 + w2*x2) + b, summed left to right as the lesson writes it
    left, b = nodes["z"].parents
    assert b is nodes["b"]
    first, second = left.parents
    assert first.parents == (nodes["w1"], nodes["x1"])
    assert second.parents == (nodes["w2"], nodes["x2"])
    assert nodes["a"].parents == (nodes["z"],)
    assert nodes["L"].parents == (nodes["a"], nodes["y"])
    assert nodes["L"].grad is None  # built, not yet differentiated


def test_lesson_graph_rejects_mismatched_and_bad_input():
    with pytest.raises(ValueError, match="x has 3 value.*w has 2"):
        logistic.lesson_graph([1, 2, 3], 1, [0.5, 0.1], 0.0)
    with pytest.raises(ValueError, match="labels must be 0 or 1"):
        logistic.lesson_graph([1, 2], 0.5, [0.5, 0.1], 0.0)
    with pytest.raises(ValueError, match="finite"):
        logistic.lesson_graph([1, float("nan")], 1, [0.5, 0.1], 0.0)
    with pytest.raises(ValueError, match=r"b must be a single number, got shape \(2,\)"):
        logistic.lesson_graph([1, 2], 1, [0.5, 0.1], [0.0, 1.0])


@pytest.mark.parametrize("y", [1.0, 0.0])
def test_compare_table_for_the_lesson(y):
    table = logistic.compare(LESSON_X, y, LESSON_W, LESSON_B)
    assert [row.name for row in table.rows] == ["da", "dz", "dw1", "dw2", "db"]
    assert table["dz"].formula == "a - y"
    assert table["da"].formula == "-y/a + (1-y)/(1-a)"
    for row in table.rows:
        assert abs(float(row.autodiff) - float(row.closed_form)) <= 1e-12
        assert abs(float(row.autodiff) - float(row.finite_difference)) <= 1e-8
        assert row.largest_difference <= 1e-8
    assert float(table["da"].autodiff) == pytest.approx(-2.0 if y == 1 else 2.0, abs=1e-12)
    text = str(table)
    for piece in (
        "grad",
        "formula",
        "autodiff",
        "closed form",
        "finite diff",
        "largest diff",
        "x2 * (a - y)",
    ):
        assert piece in text
    with pytest.raises(KeyError, match="dw3"):
        table["dw3"]


def test_compare_table_for_a_batch_uses_the_mean_loss():
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(6, 3)), rng.integers(0, 2, size=(6, 1))
    w, b = rng.normal(size=(3, 1)), 0.3
    table = logistic.compare(X, Y, w, b)
    assert [row.name for row in table.rows] == ["da", "dz", "dw", "db"]
    closed = logistic.closed_form_grads(X, Y, w, b)
    np.testing.assert_allclose(table["dz"].autodiff, closed.dz / 6, atol=1e-15)
    np.testing.assert_allclose(table["dw"].autodiff, closed.dw, atol=1e-15)
    assert table["dw"].autodiff.shape == (3, 1)
    assert table.largest_difference < 1e-7
    assert "6 examples" in str(table)


def test_compare_notices_a_wrong_closed_form(monkeypatch):
    """The table is a real check: break the closed form and its difference shows it."""
    real = logistic.closed_form_grads

    def off_by_a_little(X, Y, w, b):
        dz, dw, db = real(X, Y, w, b)
        return logistic.ClosedFormGrads(dz, dw + 1e-3, db)

    monkeypatch.setattr(logistic, "closed_form_grads", off_by_a_little)
    table = logistic.compare(LESSON_X, 1, LESSON_W, LESSON_B)
    assert table["dw1"].largest_difference == pytest.approx(1e-3, rel=1e-3)
    assert table["dz"].largest_difference < 1e-8


# -- random examples and batches: autodiff = closed form = finite differences ----------------------
small = st.floats(-2.0, 2.0, allow_nan=False)
labels = st.sampled_from([0.0, 1.0])


@st.composite
def single_examples(draw):
    n = draw(st.integers(1, 4))
    x = draw(st.lists(small, min_size=n, max_size=n))
    w = draw(st.lists(small, min_size=n, max_size=n))
    return x, draw(labels), w, draw(small)


@given(single_examples())
def test_random_single_examples_agree_three_ways(example):
    x, y, w, b = example
    table = logistic.compare(x, y, w, b)
    assert len(table.rows) == len(x) + 3
    for row in table.rows:
        auto, closed, numeric = (
            float(v) for v in (row.autodiff, row.closed_form, row.finite_difference)
        )
        assert auto == pytest.approx(closed, rel=1e-12, abs=1e-12)
        assert auto == pytest.approx(numeric, rel=1e-5, abs=1e-7)


@st.composite
def batches(draw):
    m, n = draw(st.integers(1, 8)), draw(st.integers(1, 4))
    X = np.array(draw(st.lists(small, min_size=m * n, max_size=m * n))).reshape(m, n)
    Y = np.array(draw(st.lists(labels, min_size=m, max_size=m))).reshape(m, 1)
    w = np.array(draw(st.lists(small, min_size=n, max_size=n))).reshape(n, 1)
    return X, Y, w, draw(small)


@given(batches(), st.sampled_from(logistic.LOSS_KINDS))
def test_random_batches_agree_three_ways(batch, loss):
    X, Y, w, b = batch
    m = X.shape[0]
    nodes = logistic.vectorised_graph(X, Y, w, b, loss)
    nodes["L"].backward()
    closed = logistic.closed_form_grads(X, Y, w, b)
    np.testing.assert_allclose(nodes["w"].grad, closed.dw, rtol=1e-10, atol=1e-13)
    assert float(nodes["b"].grad) == pytest.approx(closed.db, rel=1e-10, abs=1e-13)
    np.testing.assert_allclose(nodes["Z"].grad * m, closed.dz, rtol=1e-10, atol=1e-13)

    # finite differences of the stable form of the same L: through a = sigmoid(z) the lesson's
    # form loses digits in 1 - a when a is near 1, and a difference quotient magnifies that
    def mean_loss(w_node, b_node):
        return logistic.vectorised_graph(X, Y, w_node, b_node, "fused")["L"]

    report = ag.gradcheck(mean_loss, [w, np.float64(b)], atol=1e-7, rtol=1e-5)
    assert report, str(report)


@given(batches())
def test_batch_table_agrees_three_ways(batch):
    table = logistic.compare(*batch)
    for row in table.rows:
        np.testing.assert_allclose(row.autodiff, row.closed_form, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(row.autodiff, row.finite_difference, rtol=1e-5, atol=1e-7)


def test_closed_form_accepts_nodes_and_flat_vectors():
    X, Y = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 1.0]]), np.array([1.0, 0.0, 1.0])
    w = np.array([0.2, -0.4])
    from_arrays = logistic.closed_form_grads(X, Y, w, 0.5)
    from_nodes = logistic.closed_form_grads(
        ag.Node(X), ag.Node(Y.reshape(-1, 1)), ag.Node(w.reshape(-1, 1)), ag.Node(0.5)
    )
    for got, want in zip(from_nodes, from_arrays, strict=True):
        np.testing.assert_array_equal(got, want)
    a = 1 / (1 + np.exp(-(X @ w + 0.5)))
    np.testing.assert_allclose(from_arrays.dz.ravel(), a - Y, atol=1e-15)
    np.testing.assert_allclose(from_arrays.dw.ravel(), X.T @ (a - Y) / 3, atol=1e-15)
    assert isinstance(from_arrays.db, float)


# -- input checks ---------------------------------------------------------------------------
X3 = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]])
Y3 = np.array([[0.0], [1.0], [1.0]])


@pytest.mark.parametrize(
    "X, Y, w, b, message",
    [
        (np.ones(3), Y3, np.zeros(2), 0.0, r"X has shape \(3,\)"),
        (X3, np.ones((2, 1)), np.zeros(2), 0.0, r"Y has shape \(2, 1\) but X has shape \(3, 2\)"),
        (X3, np.array([[0.0], [2.0], [1.0]]), np.zeros(2), 0.0, r"Y\[1, 0\] is 2.*0 or 1"),
        (X3, Y3, np.zeros(3), 0.0, r"w has shape \(3, 1\) but X has 2 feature"),
        (X3, Y3, np.zeros(2), [1.0, 2.0], r"b has shape \(2,\)"),
        (
            np.array([[0.0, 1.0], [np.nan, 0.0], [1.0, 1.0]]),
            Y3,
            np.zeros(2),
            0.0,
            r"X\[1, 0\] is nan",
        ),
    ],
)
def test_bad_inputs_are_named(X, Y, w, b, message):
    with pytest.raises(ValueError, match=message):
        logistic.closed_form_grads(X, Y, w, b)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"alpha": 0.0}, ValueError, "alpha .* positive"),
        ({"alpha": -0.1}, ValueError, "alpha .* positive"),
        ({"alpha": float("nan")}, ValueError, "alpha .* positive"),
        ({"alpha": "0.1"}, TypeError, "alpha must be a number"),
        ({"iterations": 0}, ValueError, "iterations must be at least 1"),
        ({"iterations": 2.5}, TypeError, "iterations must be an integer"),
        ({"loss": "mse"}, ValueError, "loss must be 'lesson' or 'fused'"),
    ],
)
def test_train_rejects_bad_settings(kwargs, error, message):
    settings = {"alpha": 0.1, "iterations": 3, **kwargs}
    with pytest.raises(error, match=message):
        logistic.train(X3, Y3, **settings)


# -- training --------------------------------------------------------------------------------------
def test_training_lowers_the_loss_on_blobs():
    data = datasets.blobs(samples=120, seed=3)
    history = logistic.train(data.X, data.Y, alpha=0.1, iterations=300)
    assert history.iterations == 300 and history.losses.shape == (300,)
    assert history.losses[0] == pytest.approx(math.log(2), abs=1e-12)  # w = 0, b = 0: a = 1/2
    # a convex loss and a small enough step: it never goes up
    assert np.all(np.diff(history.losses) <= 1e-12)
    assert history.losses[-1] < 0.5 * history.losses[0]
    assert logistic.accuracy(data.X, data.Y, history.w, history.b) >= 0.9
    assert history.w.shape == (2, 1) and isinstance(history.b, float)
    assert [it for it, _ in history.gradient_checks] == [1, 300]
    assert all(gap < 1e-12 for _, gap in history.gradient_checks)


def test_the_two_loss_forms_train_alike():
    data = datasets.blobs(samples=60, seed=5)
    lesson = logistic.train(data.X, data.Y, 0.3, 100, loss="lesson")
    fused = logistic.train(data.X, data.Y, 0.3, 100, loss="fused")
    np.testing.assert_allclose(lesson.losses, fused.losses, rtol=1e-10)
    np.testing.assert_allclose(lesson.w, fused.w, rtol=1e-10)


def test_one_iteration_is_one_lesson_step():
    history = logistic.train([LESSON_X], [[1.0]], 0.1, 1, w=LESSON_W, b=LESSON_B)
    # w1 = 0.5 - 0.1 * (-0.5), w2 = -0.3 - 0.1 * (-1), b = 0.1 - 0.1 * (-0.5)
    np.testing.assert_allclose(history.w.ravel(), [0.55, -0.2], atol=1e-15)
    assert history.b == pytest.approx(0.15, abs=1e-15)


def test_training_leaves_the_starting_weights_alone():
    w0 = np.array([[0.1], [0.2]])
    logistic.train(X3, Y3, 0.5, 10, w=w0)
    np.testing.assert_array_equal(w0, [[0.1], [0.2]])


def test_breast_cancer_reaches_97_percent():
    pytest.importorskip("sklearn")
    data = datasets.breast_cancer()
    assert data.X.shape == (569, 30)
    np.testing.assert_allclose(data.X.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(data.X.std(axis=0), 1, atol=1e-12)
    history = logistic.train(data.X, data.Y, alpha=0.5, iterations=300, loss="fused")
    assert logistic.accuracy(data.X, data.Y, history.w, history.b) >= 0.97
    assert history.losses[-1] < 0.1


def test_diverging_training_names_the_iteration():
    with pytest.raises(logistic.TrainingDivergedError, match=r"iteration 2\b.*smaller alpha"):
        logistic.train(X3 * 10, Y3, alpha=1e308, iterations=5)
    with pytest.raises(FloatingPointError, match="iteration"):
        logistic.train(X3 * 10, Y3, alpha=1e308, iterations=5, loss="fused")
    # at iteration 1 no step has been taken: the start is at fault, not alpha
    w = np.full((X3.shape[1], 1), -1e308)  # z = -inf where y = 1: an infinite loss
    for compiled in (False, True):
        with pytest.raises(logistic.TrainingDivergedError,
                           match=r"iteration 1\b.*before any step, at the starting parameters"):
            logistic.train(X3, Y3, alpha=0.1, iterations=5, w=w, compiled=compiled)


def test_predict_and_accuracy():
    w, b = np.array([1.0, -1.0]), 0.0  # predicts 1 where x1 > x2
    X = np.array([[2.0, 1.0], [1.0, 2.0], [0.5, 0.0], [0.0, 3.0]])
    np.testing.assert_array_equal(logistic.predict(X, w, b).ravel(), [1, 0, 1, 0])
    assert logistic.accuracy(X, [1, 0, 0, 0], w, b) == 0.75
    np.testing.assert_allclose(logistic.probabilities(X, w, b).ravel(), 1 / (1 + np.exp(-(X @ w))))
    assert logistic.mean_loss(X, [1, 0, 1, 0], w, b) == pytest.approx(
        np.mean(np.log1p(np.exp(-np.abs(X @ w)))), rel=1e-12
    )
