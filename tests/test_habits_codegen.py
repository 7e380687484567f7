"""The generated code of graphs with the new ops gives backward()'s value and gradients."""

import numpy as np
import pytest

import autograd_lite as ag

rng = np.random.default_rng(0)
X, Y = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
POSITIVE = np.abs(X) + 0.1
SOFT = np.full((3, 4), 0.25)


def weighted(out):
    return ag.sum(out * np.arange(1.0, out.size + 1.0).reshape(out.shape))


CASES = {
    "abs": (lambda a: weighted(ag.abs(a)), [X]),
    "sqrt": (lambda a: weighted(ag.sqrt(a)), [POSITIVE]),
    "maximum": (lambda a, b: weighted(ag.maximum(a, b)), [X, Y]),
    "minimum": (lambda a, b: weighted(ag.minimum(a, b)), [X, Y]),
    "clip": (lambda a: weighted(ag.clip(a, -0.5, 0.5)), [X]),
    "clip low": (lambda a: weighted(ag.clip(a, low=-0.5)), [X]),
    "clip high": (lambda a: weighted(a.clip(high=0.5)), [X]),
    "max axis": (lambda a: weighted(ag.max(a, axis=1)), [X]),
    "max all": (lambda a: ag.max(a) * 2.0, [X]),
    "max ties": (lambda a: weighted(ag.max(a, axis=(0, 1), keepdims=True)), [np.ones((2, 3))]),
    "min negative axis": (lambda a: weighted(ag.min(a, axis=-1)), [np.round(X)]),
    "scalar max": (lambda a: ag.max(a) * 2.0, [1.5]),
    "min keepdims": (lambda a: weighted(ag.min(a, axis=0, keepdims=True)), [X]),
    "index": (lambda a: weighted(a[[0, 0, 2]]), [X]),
    "slice": (lambda a: weighted(a[:, 1:3]), [X]),
    "concatenate": (lambda a, b: weighted(ag.concatenate([a, b], axis=1)), [X, Y]),
    "stack": (lambda a, b: weighted(ag.stack([a, b])), [X, Y]),
    "where": (lambda a, b: weighted(ag.where(X > 0, a, b)), [X, Y]),
    "softmax": (lambda a: weighted(ag.softmax(a, axis=0)), [X]),
    "log_softmax": (lambda a: weighted(ag.log_softmax(a)), [X]),
    "cross_entropy indices": (lambda a: ag.cross_entropy(a, [0, 1, 3]), [X]),
    "cross_entropy one-hot sum": (
        lambda a: ag.cross_entropy(a, np.eye(4)[[0, 1, 3]], reduction="sum"), [X]),
    "cross_entropy none": (
        lambda a: weighted(ag.cross_entropy(a, np.eye(4)[[0, 1, 3]], reduction="none")), [X]),
    "cross_entropy soft labels": (lambda a, b: ag.cross_entropy(a, b), [X * 100, SOFT]),
    "mse_loss": (lambda a, b: ag.mse_loss(a, b), [X, Y]),
    "scalar abs": (lambda a: ag.abs(a) * 2.0, [-1.5]),
    "scalar sqrt": (lambda a: ag.sqrt(a) * 2.0, [1.5]),
    "scalar maximum": (lambda a, b: ag.maximum(a, b) * 2.0, [1.5, 0.5]),
    "scalar clip": (lambda a: ag.clip(a, 0, 1) * 2.0, [0.5]),
    "scalar clip low": (lambda a: ag.clip(a, low=1.0) * 2.0, [0.5]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_generated_code_matches_backward(case):
    build, values = CASES[case]
    nodes = [ag.Node(v, name=f"x{i}", requires_grad=True) for i, v in enumerate(values)]
    loss = build(*nodes)
    program = ag.codegen(loss)
    value, grads = program(**{n.name: n.value for n in nodes})
    loss.backward()
    np.testing.assert_allclose(value, loss.value, rtol=1e-12)
    for n in nodes:
        np.testing.assert_allclose(grads[n.name], n.grad, rtol=1e-12, atol=1e-15, err_msg=n.name)


@pytest.mark.parametrize("shape, weights", [((3,), None), ((2, 3), np.array([1.0, 3.0]))])
def test_cross_entropy_per_example_is_generated_for_one_example_and_for_m(shape, weights):
    """reduction="none": one g per example, spread over its classes; for one example ((k,)
    logits) g is one number, which the source once subscripted (1.0[..., None])."""
    z = ag.Node(np.arange(np.prod(shape), dtype=float).reshape(shape) - 2.0, name="z",
                requires_grad=True)
    labels = np.eye(3)[[1]][0] if len(shape) == 1 else np.eye(3)[[1, 2]]
    losses = ag.cross_entropy(z, labels, reduction="none")
    out = losses if weights is None else ag.sum(losses * weights)
    out.backward()
    value, grads = ag.codegen(out)(z=z.value)
    np.testing.assert_allclose(value, out.value, rtol=1e-12)
    np.testing.assert_allclose(grads["z"], z.grad, rtol=1e-12)
