"""QA findings on the generated code: which arguments compile differentiates, the lesson's
reading order of the gradients, labels outside [0, 1] refused as eager refuses them."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_lite as ag


def logistic_step():
    return ag.compile(lambda w, b, X, y: ag.binary_cross_entropy(ag.sigmoid(X @ w + b), y))


def problem(m=6, n=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n))
    y = (rng.random((m, 1)) > 0.5).astype(float)
    return rng.normal(size=(n, 1)), X, y


def eager_grads(w, b, X, y):
    wn = ag.Node(w, requires_grad=True)
    bn = ag.Node(b, requires_grad=True)
    loss = ag.binary_cross_entropy(ag.sigmoid(X @ wn + bn), y)
    loss.backward()
    return float(loss.value), wn.grad, bn.grad


# -- 1. which arguments get a gradient --------------------------------------------------------
def test_compile_with_no_argument_requiring_a_gradient_is_an_error():
    w, X, y = problem()
    with pytest.raises(ValueError, match="no argument of step requires a gradient.*argnums"):
        logistic_step()(w, 0.2, X, y)


def test_argnums_differentiates_plain_arrays_and_numbers():
    w, X, y = problem()
    step = ag.compile(
        lambda w, b, X, y: ag.binary_cross_entropy(ag.sigmoid(X @ w + b), y), argnums=(0, 1)
    )
    value, grads = step(w, 0.2, X, y)
    loss, dw, db = eager_grads(w, 0.2, X, y)
    assert len(grads) == 4 and grads[2] is None and grads[3] is None
    np.testing.assert_allclose(value, loss, rtol=1e-12)
    np.testing.assert_allclose(grads[0], dw, rtol=1e-12)
    np.testing.assert_allclose(grads[1], db, rtol=1e-12)
    # a Node that requires a gradient but is not in argnums is data, as in jax.grad
    value, grads = step(w, 0.2, ag.Node(X, requires_grad=True), y)
    assert grads[2] is None and grads[0].shape == w.shape


def test_argnums_single_int_and_the_default_rule():
    w, X, y = problem()
    step = ag.compile(lambda w, X, y: ag.binary_cross_entropy(ag.sigmoid(X @ w), y), argnums=0)
    _, (dw, dX, dy) = step(w, X, y)
    assert dw.shape == w.shape and dX is None and dy is None
    default = ag.compile(lambda w, X, y: ag.binary_cross_entropy(ag.sigmoid(X @ w), y))
    _, (dw2, dX2, _) = default(ag.Node(w, requires_grad=True), X, y)
    np.testing.assert_allclose(dw2, dw, rtol=1e-12)
    assert dX2 is None


@pytest.mark.parametrize("argnums", [-1, (0, "b"), (), 1.0])
def test_argnums_bad_values_are_refused(argnums):
    with pytest.raises(TypeError, match="argnums must be a position"):
        ag.compile(lambda w: ag.sum(w * w), argnums=argnums)


def test_argnums_past_the_arguments_is_refused():
    step = ag.compile(lambda w: ag.sum(w * w), argnums=(0, 3))
    with pytest.raises(ValueError, match="argnums .*3 is not the position"):
        step(np.ones(2))
