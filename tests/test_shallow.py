"""The course's one-hidden-layer model: its graph, the closed form against autodiff to 1e-12, the
summary table, training, and the flower and moons data."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite import datasets, logistic, shallow


def random_problem(n_x, n_h, m, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_x, m))
    Y = (rng.uniform(size=(1, m)) > 0.5).astype(float)
    params = shallow.Parameters(
        rng.normal(size=(n_h, n_x)),
        rng.normal(size=(n_h, 1)),
        rng.normal(size=(1, n_h)),
        rng.normal(size=(1, 1)),
    )
    return X, Y, params


def test_graph_has_the_courses_names_and_shapes():
    X, Y, p = random_problem(2, 4, 7, 0)
    nodes = shallow.graph(X, Y, *p)
    shapes = {"Z1": (4, 7), "A1": (4, 7), "Z2": (1, 7), "A2": (1, 7), "L": ()}
    for name, shape in shapes.items():
        assert nodes[name].name == name and nodes[name].shape == shape
    assert [nodes[k].requires_grad for k in ("W1", "b1", "W2", "b2", "X", "Y")] == [True] * 4 + [
        False
    ] * 2
    assert nodes["A1"].op.name == "tanh" and nodes["A2"].op.name == "sigmoid"
    assert nodes["L"].op.name == "binary_cross_entropy"
    assert "A2" not in shallow.graph(X, Y, *p, loss="fused")


@settings(max_examples=30, deadline=None)
@given(
    n_x=st.integers(1, 4),
    n_h=st.integers(1, 5),
    m=st.integers(1, 9),
    seed=st.integers(0, 2**16),
    loss=st.sampled_from(["lesson", "fused"]),
)
def test_closed_form_equals_autodiff_to_1e_12(n_x, n_h, m, seed, loss):
    X, Y, p = random_problem(n_x, n_h, m, seed)
    nodes = shallow.graph(X, Y, *p, loss=loss)
    nodes["L"].backward()
    closed = shallow.closed_form_grads(X, Y, *p)
    pairs = {
        "W1": closed.dW1, "b1": closed.db1, "W2": closed.dW2, "b2": closed.db2,
        "Z1": closed.dZ1 / m, "Z2": closed.dZ2 / m,  # the course's dZ is m dL/dZ
    }
    for name, want in pairs.items():
        got = nodes[name].grad
        assert got.shape == want.shape, name
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=name)


def test_closed_form_is_the_courses_formulas():
    X, Y, p = random_problem(3, 2, 5, 1)
    A1 = np.tanh(p.W1 @ X + p.b1)
    A2 = 1 / (1 + np.exp(-(p.W2 @ A1 + p.b2)))
    closed = shallow.closed_form_grads(X, Y, *p)
    dZ2 = A2 - Y
    dZ1 = p.W2.T @ dZ2 * (1 - A1**2)
    np.testing.assert_allclose(closed.dZ2, dZ2, rtol=1e-14)
    np.testing.assert_allclose(closed.dW2, dZ2 @ A1.T / 5, rtol=1e-14)
    np.testing.assert_allclose(closed.db2, dZ2.mean(keepdims=True), rtol=1e-14)
    np.testing.assert_allclose(closed.dZ1, dZ1, rtol=1e-14)
    np.testing.assert_allclose(closed.dW1, dZ1 @ X.T / 5, rtol=1e-14)
    np.testing.assert_allclose(closed.db1, dZ1.mean(axis=1, keepdims=True), rtol=1e-14)
    assert closed.db1.shape == (2, 1) and closed.db2.shape == (1, 1)


def test_generated_code_is_the_courses_backward_and_gives_backwards_numbers():
    """ag.codegen of the graph writes the course's closed form, statement by statement."""
    X, Y, p = random_problem(2, 4, 7, 2)
    L = shallow.graph(X, Y, *p)["L"]
    program = ag.codegen(L)
    lines = [line.split("#")[0].strip() for line in program.source.splitlines()]
    for statement in (
        "dZ2 = A2 - Y",
        "dW2 = dZ2 @ A1.T / 7",
        "db2 = dZ2.sum(axis=1, keepdims=True) / 7",
        "dA1 = W2.T @ dZ2",
        "dZ1 = dA1 * (1.0 - A1 * A1)",
        "dW1 = dZ1 @ X.T / 7",
        "db1 = dZ1.sum(axis=1, keepdims=True) / 7",
    ):
        assert statement in lines
    value, grads = program(X=X, Y=Y, **p._asdict())
    closed = shallow.closed_form_grads(X, Y, *p)
    assert value == pytest.approx(shallow.mean_loss(X, Y, *p), rel=1e-12)
    for name in shallow.PARAMETERS:
        np.testing.assert_allclose(grads[name], getattr(closed, "d" + name), rtol=1e-12)


@pytest.mark.parametrize("m", [1, 12])
def test_compare_agrees_three_ways_for_one_example_and_for_m(m):
    X, Y, p = random_problem(2, 3, m, 2)
    table = shallow.compare(X, Y, *p)
    assert isinstance(table, logistic.GradientTable)
    assert [row.name for row in table.rows] == ["dZ2", "dW2", "db2", "dZ1", "dW1", "db1"]
    assert table.largest_difference < 1e-7
    for row in table.rows:
        np.testing.assert_allclose(row.autodiff, row.closed_form, rtol=1e-12, atol=1e-14)
    text = str(table)
    assert ("One example" in text) == (m == 1) and "dZ1 X^T / m" in text
    assert ("(A2 - Y) / m" in text) == (m > 1)


def test_compare_takes_one_example_as_a_vector():
    X, Y, p = random_problem(2, 3, 1, 3)
    table = shallow.compare(X[:, 0], Y[0, 0], *p)
    assert table["dW1"].autodiff.shape == (3, 2)
    assert table.largest_difference < 1e-7


def test_bad_shapes_and_labels_are_named():
    X, Y, p = random_problem(2, 3, 4, 0)
    with pytest.raises(ValueError, match=r"Y has shape \(1, 3\) but X has shape \(2, 4\)"):
        shallow.closed_form_grads(X, Y[:, :3], *p)
    with pytest.raises(ValueError, match=r"W1 has shape \(3, 2\) but X has 3 feature"):
        shallow.closed_form_grads(np.ones((3, 4)), Y, *p)
    with pytest.raises(ValueError, match=r"b1 has shape \(2, 1\); with W1 of shape \(3, 2\)"):
        shallow.closed_form_grads(X, Y, p.W1, np.ones((2, 1)), p.W2, p.b2)
    with pytest.raises(ValueError, match=r"labels must be 0 or 1"):
        shallow.closed_form_grads(X, Y * 2, *p)
    with pytest.raises(ValueError, match="n_h"):
        shallow.train(X, Y, n_h=0)
    with pytest.raises(ValueError, match="alpha"):
        shallow.train(X, Y, alpha=-1.0)


def test_training_on_flower_reaches_the_courses_accuracy():
    data = datasets.flower()
    X, Y = data.X.T, data.Y.T
    history = shallow.train(X, Y, n_h=4, alpha=1.2, iterations=3000)
    assert history.iterations == 3000
    assert history.losses[0] == pytest.approx(np.log(2), abs=1e-3)  # tiny weights: A2 ~ 1/2
    assert history.losses[-1] < 0.3 and np.all(np.diff(history.losses[-100:]) <= 1e-12)
    assert shallow.accuracy(X, Y, *history.parameters) >= 0.85
    assert all(gap < 1e-12 for _, gap in history.gradient_checks)
    # the same data defeats a straight line, as in the course
    line = logistic.train(data.X, data.Y, 1.2, 3000)
    assert logistic.accuracy(data.X, data.Y, line.w, line.b) <= 0.6


def test_training_diverges_with_a_clear_error():
    X = np.array([[2.0, 1.0], [-2.0, 1.0]])
    Y = np.array([[1.0, 0.0]])
    # A1 of the first example is tanh(3) = 0.995 twice, so Z2 = 1e308 * 0.995 * 2 overflows, with
    # or without a fused multiply-add. (An inf - inf in W1 X was not a sure NaN: BLAS with FMA
    # computes fma(1e308, -2, inf) = inf.)
    start = shallow.Parameters(np.ones((2, 2)), np.zeros((2, 1)), np.full((1, 2), 1e308),
                               np.zeros((1, 1)))
    with pytest.raises(logistic.TrainingDivergedError,
                       match="at iteration 1: the logits Z2 .* before any step, at the starting "
                             "parameters"):
        shallow.train(X, Y, n_h=2, alpha=0.1, iterations=5, parameters=start)


# -- the data -------------------------------------------------------------------------------------
def test_flower_is_the_courses_load_planar_dataset():
    data = datasets.flower()
    assert data.X.shape == (400, 2) and data.Y.shape == (400, 1)
    assert data.Y[:200].sum() == 0 and data.Y[200:].sum() == 200
    # the course's generator, written out: np.random.seed(1), then per class t and r
    np.random.seed(1)
    for j in range(2):
        t = np.linspace(j * 3.12, (j + 1) * 3.12, 200) + np.random.randn(200) * 0.2
        r = 4 * np.sin(4 * t) + np.random.randn(200) * 0.2
        np.testing.assert_array_equal(data.X[200 * j : 200 * (j + 1)], np.c_[r * np.sin(t),
                                                                            r * np.cos(t)])
    again = datasets.flower(seed=1)
    np.testing.assert_array_equal(again.X, data.X)
    assert not np.array_equal(datasets.flower(seed=2).X, data.X)
    assert datasets.load("flower").X.shape == (400, 2)
    assert datasets.load("flower", samples=100).X.shape == (100, 2)
    with pytest.raises(datasets.DataError, match="even number"):
        datasets.flower(samples=7)


def test_moons_are_scikit_learns():
    pytest.importorskip("sklearn", reason="moons needs scikit-learn (the data extra)")
    from sklearn.datasets import make_moons

    data = datasets.moons(100, noise=0.1, seed=3)
    X, y = make_moons(n_samples=100, noise=0.1, random_state=3)
    np.testing.assert_array_equal(data.X, X)
    np.testing.assert_array_equal(data.Y.ravel(), y)
    assert data.Y.shape == (100, 1) and data.feature_names == ("x1", "x2")
    assert datasets.load("moons", seed=3).X.shape == (200, 2)


def test_moons_without_scikit_learn_says_what_to_install(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_sklearn(name, *args, **kwargs):
        if name.startswith("sklearn"):
            raise ImportError("No module named 'sklearn'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    with pytest.raises(datasets.DataError, match=r"pip install 'autograd-lite\[data\]'"):
        datasets.moons()


def test_the_named_view_labels_the_courses_quantities():
    import autograd_lite as ag

    X, Y, p = random_problem(2, 4, 5, 0)
    nodes = shallow.graph(X, Y, *p)
    nodes["L"].backward()
    source = ag.viz.to_dot(nodes["L"], view="named").source
    titles = set(re.findall(r"<b>([^<]*)</b>", source))  # each box's bold first line
    for name in ("Z1 = W1@X + b1", "A1 = tanh(Z1)", "Z2 = W2@A1 + b2", "A2 = sigmoid(Z2)"):
        assert name in titles, titles
    assert {"W1", "b1", "W2", "b2", "dL/dZ1", "dL/dW1", "dL/dZ2", "dL/dW2"} <= titles


def test_history_shows_itself_in_a_repr_and_a_notebook_table():
    X, Y, p = random_problem(2, 3, 6, 4)
    run = shallow.train(X, Y, n_h=3, iterations=4, parameters=p, record=True)
    assert repr(run).startswith("History(4 iterations, n_h=3, alpha=1.2, loss ")
    assert repr(run).endswith(", recorded)")
    rows = dict(run.summary())
    assert rows["hidden layer"] == "3 tanh units, 2 features in"
    assert rows["W1"].endswith("(3 x 2)") and rows["b2"].endswith("(1 x 1)")
    assert rows["recorded"].startswith("4 iterations'")
    assert "<table" in run._repr_html_() and "one hidden layer" in run._repr_html_()
