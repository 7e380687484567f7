"""ag.compile: one trace per signature, the cached program's numbers equal backward()'s."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite import datasets, logistic


def lesson_loss(X, Y):
    def loss(w, b):
        return ag.binary_cross_entropy(ag.sigmoid(X @ w + b), Y)

    return loss


def data(m=20, n=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n))
    Y = (rng.random((m, 1)) > 0.5).astype(float)
    return X, Y, rng.normal(size=(n, 1))


def test_compiled_step_matches_backward_and_traces_once() -> None:
    X, Y, w0 = data()
    loss = lesson_loss(X, Y)
    step = ag.compile(loss)
    for k in range(4):
        w = ag.Node(w0 + 0.1 * k, requires_grad=True)
        b = ag.Node(0.1 * k, requires_grad=True)
        value, (dw, db) = step(w, b)
        L = loss(w, b)
        L.backward()
        assert value == pytest.approx(float(L.value), rel=1e-12)
        np.testing.assert_allclose(dw, w.grad, rtol=1e-12, atol=1e-15)
        assert db == pytest.approx(float(b.grad), rel=1e-12)
    assert step.traces == 1
    assert set(step.timings) == {"trace", "codegen", "compile"}


def test_a_new_shape_traces_again_and_a_seen_one_does_not() -> None:
    step = ag.compile(lambda x: ag.sum(ag.tanh(x) * x))
    x3 = ag.Node(np.ones(3), requires_grad=True)
    x4 = ag.Node(np.ones(4), requires_grad=True)
    step(x3)
    step(x3)
    assert step.traces == 1
    _, (g4,) = step(x4)
    assert step.traces == 2 and g4.shape == (4,)
    step(x3)
    assert step.traces == 2
    with pytest.raises(ValueError, match="no argument .* requires a gradient"):
        step(np.ones(3))  # data, not a parameter: nothing to differentiate
    _, (g3,) = ag.compile(lambda x: ag.sum(ag.tanh(x) * x), argnums=0)(np.ones(3))
    assert g3.shape == (3,)


def test_later_calls_build_no_graph(monkeypatch) -> None:
    step = ag.compile(lambda w, b: ag.mean((w * 2.0 + b) ** 2))
    w, b = ag.Node(np.ones((2, 2)), requires_grad=True), ag.Node(0.5, requires_grad=True)
    step(w, b)

    def no_ops(*args, **kwargs):
        raise AssertionError("an op was recorded")

    monkeypatch.setattr(ag.Op, "__call__", no_ops)
    value, (dw, db) = step(w, b)
    assert value == pytest.approx(6.25) and dw.shape == (2, 2) and db == pytest.approx(5.0)


def test_one_gradient_per_argument_none_where_none_is_needed() -> None:
    step = ag.compile(lambda x, w, unused: ag.sum(x * w))
    x = np.arange(3.0)
    w = ag.Node(np.ones(3), requires_grad=True)
    u = ag.Node(np.ones(2), requires_grad=True)
    value, grads = step(x, w, u)
    assert value == pytest.approx(3.0)
    assert grads[0] is None
    np.testing.assert_array_equal(grads[1], x)
    np.testing.assert_array_equal(grads[2], np.zeros(2))  # not used: a zero gradient


@given(st.floats(-3, 3), st.floats(-3, 3), st.floats(0.1, 3))
def test_scalar_functions_compile_to_python_floats(a, b, c) -> None:
    def f(x, y, z):
        return ag.tanh(x * y) + ag.log(z) * x - y / z

    step = ag.compile(f)
    args = [ag.Node(v, requires_grad=True) for v in (a, b, c)]
    value, grads = step(*args)
    out = f(*args)
    out.backward()
    assert value == pytest.approx(float(out.value), rel=1e-12, abs=1e-14)
    for got, node in zip(grads, args, strict=True):
        assert got == pytest.approx(float(node.grad), rel=1e-12, abs=1e-14)
    program = next(iter(step.programs.values()))[0]
    assert program.scalar and "np." not in program.source and type(value) is float


def test_float_or_bool_of_a_node_while_tracing_is_a_clear_error() -> None:
    def uses_float(w):
        return w * float(w)

    def uses_if(w):
        return w * 2.0 if ag.sum(w) else w

    w = ag.Node(np.ones(2), requires_grad=True)
    with pytest.raises(TypeError, match=r"float\(\) of a Node.*ag.compile traces"):
        ag.compile(uses_float)(ag.Node(1.0, requires_grad=True))
    with pytest.raises(TypeError, match=r"bool\(\) of a Node.*ag.compile traces"):
        ag.compile(uses_if)(w)
    assert float(ag.Node(2.0)) == 2.0 and bool(ag.Node(1.0))  # outside a trace, as before


def test_compile_errors_name_what_is_wrong() -> None:
    with pytest.raises(TypeError, match="must return a Node"):
        ag.compile(lambda x: 1.0)(ag.Node(1.0, requires_grad=True))
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        ag.compile(lambda x: x * 2.0)(ag.Node(np.ones(3), requires_grad=True))
    hidden = ag.Node(np.ones(2), name="hidden", requires_grad=True)
    with pytest.raises(ValueError, match="hidden.*not one of its arguments"):
        ag.compile(lambda x: ag.sum(x * hidden))(np.ones(2))
    with pytest.raises(TypeError, match="argument 0"):
        ag.compile(lambda x: x)("text")


@pytest.mark.parametrize("loss", ["lesson", "fused"])
def test_train_compiled_gives_the_eager_losses(loss: str) -> None:
    d = datasets.load("blobs", samples=120, seed=3)
    eager = logistic.train(d.X, d.Y, 0.5, 150, loss=loss)
    fast = logistic.train(d.X, d.Y, 0.5, 150, loss=loss, compiled=True)
    np.testing.assert_allclose(fast.losses, eager.losses, rtol=1e-12)
    np.testing.assert_allclose(fast.w, eager.w, rtol=1e-11, atol=1e-14)
    assert fast.b == pytest.approx(eager.b, rel=1e-11)
    assert all(gap < 1e-12 for _, gap in fast.gradient_checks)


def test_train_compiled_still_stops_a_diverging_run() -> None:
    X = np.array([[1e200], [-1e200]])
    Y = np.array([[1.0], [0.0]])
    with pytest.raises(logistic.TrainingDivergedError, match="iteration"):
        logistic.train(X, Y, 1e200, 5, compiled=True)


def test_cli_train_compiled_prints_the_same_losses() -> None:
    def run(*extra):
        result = subprocess.run(
            [sys.executable, "-m", "autograd_lite", "train", "--iterations", "100", *extra],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        return [line for line in result.stdout.splitlines() if "loss" in line]

    assert run("--compiled") == run()


def test_compile_of_a_partial_that_returns_no_node_is_a_type_error_naming_it():
    """A function without __name__ (functools.partial) gets the same clear error."""
    import functools

    def not_a_loss(w, k):
        return k

    step = ag.compile(functools.partial(not_a_loss, k=1.0))
    with pytest.raises(TypeError, match="compile: .* returned float; it must return a Node"):
        step(ag.Node(np.ones(2), requires_grad=True))


@pytest.mark.parametrize(
    "fn",
    [
        lambda w: w * w if w > 0 else -w,
        lambda w: w * (w > 0),
        lambda w: max(w, ag.Node(0.0)),
        lambda w: w if (w == 0).all() else w * 2.0,
    ],
)
def test_a_comparison_while_tracing_is_an_error_not_a_baked_branch(fn):
    """`if w > 0` would trace one branch and give it for every w: refused, naming the fix."""
    step = ag.compile(fn)
    with pytest.raises(TypeError, match="while ag.compile traces.*baked.*ag.where"):
        step(ag.Node(2.0, requires_grad=True))
    assert fn(ag.Node(-3.0, requires_grad=True)).value in (3.0, 0.0, -6.0)  # eager works
