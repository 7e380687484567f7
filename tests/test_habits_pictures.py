"""The pictures know the new ops: each edge's derivative has a formula (no "?"), and the
cross-entropy's gradient is drawn as the identity table's softmax - onehot."""

import numpy as np
import pytest

import autograd_lite as ag

X = np.arange(12.0).reshape(3, 4) / 10 - 0.3
CASES = {
    "abs": lambda x, y: ag.abs(x),
    "sqrt": lambda x, y: ag.sqrt(x * x + 1.0),
    "maximum": lambda x, y: ag.maximum(x, y),
    "minimum": lambda x, y: ag.minimum(x, y),
    "clip": lambda x, y: ag.clip(x, 0.2, 0.8),
    "index": lambda x, y: x[[0, 0, 2]],
    "max": lambda x, y: ag.max(x, axis=0),
    "min": lambda x, y: ag.min(x),
    "concatenate": lambda x, y: ag.concatenate([x, y, x]),
    "stack": lambda x, y: ag.stack([x, y]),
    "where": lambda x, y: ag.where(X > 0.5, x, y),
    "softmax": lambda x, y: ag.softmax(x),
    "log_softmax": lambda x, y: ag.log_softmax(x, axis=0),
    "mse_loss": lambda x, y: ag.mse_loss(x, y),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("view", ["ops", "named"])
def test_every_edge_of_a_new_op_has_a_formula(case, view):
    x = ag.Node(X, name="x", requires_grad=True)
    y = ag.Node(np.ones((3, 4)), name="y", requires_grad=True)
    out = CASES[case](x, y)
    out.name = "o"
    loss = ag.sum(out)
    loss.name = "L"
    loss.backward()
    source = ag.viz.to_dot(loss, view=view, formulas=True).source
    assert "?" not in source and "dL/dx" in source


def test_cross_entropy_is_drawn_as_softmax_minus_onehot():
    z = ag.Node(np.zeros((2, 3)), name="z", requires_grad=True)
    y = ag.Node(np.eye(3)[[0, 2]], name="y")
    loss = ag.cross_entropy(z, y)
    loss.name = "L"
    loss.backward()
    for view in ("ops", "named"):
        assert "dL/dz = (softmax(z) - y)/m" in ag.viz.to_dot(loss, view=view).source  # (a mean)
