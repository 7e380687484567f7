"""The engine's speed paths give the same answers as its general paths.

Scalars (numpy float64 values) take Python's math in sigmoid and the BCE loss, Op.__call__ has
straight-line code for one and two inputs, and backward hands leaves their gradients at the end;
these tests hold them to the array paths and to the semantics of DESIGN.md. Nothing here is timed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import autograd_lite as ag

Z_VALUES = [0.0, 1e-20, 0.5, -0.5, 3.0, -3.0, 36.0, -36.0, 700.0, -700.0, 1000.0, -1000.0]


@pytest.mark.parametrize("z", Z_VALUES)
def test_scalar_sigmoid_matches_the_array_path(z: float) -> None:
    scalar = ag.Node(z, requires_grad=True)
    array = ag.Node(np.array([z]), requires_grad=True)
    a, b = ag.sigmoid(scalar), ag.sigmoid(array)
    assert type(a.value) is np.float64
    assert a.value == pytest.approx(b.value[0], rel=1e-15, abs=1e-300)
    a.backward()
    ag.sum(b).backward()
    assert scalar.grad == pytest.approx(array.grad[0], rel=1e-15, abs=1e-300)


def test_scalar_sigmoid_of_nan_is_nan() -> None:
    assert math.isnan(ag.sigmoid(float("nan")).value)


@pytest.mark.filterwarnings("ignore::autograd_lite.ClampedLossWarning")  # clamps, on purpose
@pytest.mark.parametrize("a", [0.0, 1e-300, 0.3, 0.5, 1.0 - 1e-16, 1.0])
@pytest.mark.parametrize("y", [0.0, 0.25, 1.0])
def test_scalar_bce_matches_the_array_path(a: float, y: float) -> None:
    scalar = ag.Node(a, requires_grad=True)
    array = ag.Node(np.array([a]), requires_grad=True)
    loss = ag.binary_cross_entropy(scalar, y)
    loss_array = ag.binary_cross_entropy(array, np.array([y]))
    assert type(loss.value) is np.float64
    assert loss.value == pytest.approx(loss_array.value, rel=1e-14)
    assert math.copysign(1.0, loss.value) == 1.0  # never -0.0
    loss.backward()
    loss_array.backward()
    assert scalar.grad == pytest.approx(array.grad[0], rel=1e-14)
    assert np.isfinite(scalar.grad)


unit = st.floats(0.0, 1.0, allow_subnormal=True)


@pytest.mark.filterwarnings("ignore::autograd_lite.ClampedLossWarning")  # clamps, on purpose
@given(a=unit, y=unit, reduction=st.sampled_from(["mean", "sum", "none"]))
@example(a=1e-50, y=0.5, reduction="mean")  # log a clamped at -100
@example(a=5e-324, y=1.0, reduction="sum")
@example(a=0.0, y=0.0, reduction="none")
@example(a=1.0, y=0.3, reduction="mean")  # log(1 - a) clamped at -100
def test_scalar_bce_and_its_label_gradient_match_the_array_path(a, y, reduction) -> None:
    """Every reduction, labels that require a gradient too: the float path is the array path."""
    got, want = [], []
    for wrap, out in ((np.float64, got), (lambda v: np.array([v]), want)):
        pred = ag.Node(wrap(a), requires_grad=True)
        label = ag.Node(wrap(y), requires_grad=True)
        loss = ag.binary_cross_entropy(pred, label, reduction=reduction)
        ag.sum(loss).backward()
        out.extend([float(np.sum(loss.value)), float(np.sum(pred.grad)), float(np.sum(label.grad))])
    assert got == pytest.approx(want, rel=1e-13, abs=1e-300)
    assert all(math.isfinite(v) for v in got)


@pytest.mark.parametrize("bad", [(1.5, 0.0), (-0.1, 0.0), (float("nan"), 0.0)])
def test_scalar_bce_refuses_predictions_outside_0_1(bad: tuple[float, float]) -> None:
    with pytest.raises(ValueError, match="predictions"):
        ag.binary_cross_entropy(*bad)


@pytest.mark.parametrize("y", [2.0, -1.0, float("nan")])
def test_scalar_and_array_bce_refuse_labels_outside_0_1(y: float) -> None:
    with pytest.raises(ValueError, match="labels"):
        ag.binary_cross_entropy(0.5, y)
    with pytest.raises(ValueError, match="labels"):
        ag.binary_cross_entropy(np.full(3, 0.5), np.array([0.0, y, 1.0]))
    with pytest.raises(ValueError, match="labels"):
        ag.binary_cross_entropy_with_logits(np.zeros(3), np.array([0.0, y, 1.0]))


def test_bce_with_empty_arrays_checks_nothing() -> None:
    out = ag.binary_cross_entropy(np.zeros(0), np.zeros(0), reduction="none")
    assert out.shape == (0,)


def test_lesson_graph_gradients_are_the_closed_form() -> None:
    x1, x2, y = 1.5, -0.5, 1.0
    w1 = ag.Node(0.3, name="w1", requires_grad=True)
    w2 = ag.Node(-0.2, name="w2", requires_grad=True)
    b = ag.Node(0.1, name="b", requires_grad=True)
    z = w1 * x1 + w2 * x2 + b
    a = ag.sigmoid(z)
    loss = ag.binary_cross_entropy(a, y)
    loss.backward()
    dz = float(a.value) - y
    assert z.grad == pytest.approx(dz, rel=1e-12)
    assert a.grad == pytest.approx(-y / a.value + (1 - y) / (1 - a.value), rel=1e-12)
    assert (w1.grad, w2.grad, b.grad) == pytest.approx((x1 * dz, x2 * dz, dz), rel=1e-12)
    for node in (w1, w2, b, z, a, loss):
        assert np.shape(node.grad) == () and node.grad.dtype == np.float64


def test_backward_order_fan_out_and_diamonds() -> None:
    x = ag.Node(2.0, requires_grad=True)
    y = x * x  # x used twice by one node
    u, v = y * 3.0, y + x  # y and x used by several nodes
    out = u * v + x
    out.backward()
    # out = 3x^2 (x^2 + x) + x = 3x^4 + 3x^3 + x;  d/dx = 12x^3 + 9x^2 + 1
    assert x.grad == pytest.approx(12 * 8 + 9 * 4 + 1)
    assert y.grad == pytest.approx(3 * (4 + 2) + 3 * 4)  # dout/dy = 3v + u


def test_backward_twice_accumulates_and_skips_constant_branches() -> None:
    w = ag.Node(np.ones((3, 1)), requires_grad=True)
    X = ag.Node(np.arange(6.0).reshape(2, 3))
    out = ag.sum(X @ w)
    out.backward()
    out.backward()
    np.testing.assert_allclose(w.grad, 2 * np.arange(6.0).reshape(2, 3).sum(0).reshape(3, 1))
    assert X.grad is None


def test_a_deep_chain_back_propagates_without_recursion() -> None:
    x0 = ag.Node(1.0, requires_grad=True)
    x = x0
    for _ in range(20_000):
        x = x * 1.0001 + 0.0001
    x.backward()
    assert x0.grad == pytest.approx(1.0001**20_000, rel=1e-9)


def test_no_grad_records_nothing_on_the_scalar_path() -> None:
    w = ag.Node(0.5, requires_grad=True)
    with ag.no_grad():
        out = ag.sigmoid(w * 2.0)
    assert out.op is None and out.parents == () and not out.requires_grad


def test_float32_stays_float32_through_the_fast_paths() -> None:
    z = ag.Node(np.float32(0.5), requires_grad=True)
    loss = ag.binary_cross_entropy(ag.sigmoid(z), np.float32(1.0))
    loss.backward()
    assert z.grad.dtype == np.float32
