"""The lesson's loss is exact where sigmoid saturates (DESIGN.md, Semantics), and its messages.

binary_cross_entropy(sigmoid(z), y) gives the true loss log(1 + e^z) - y z and dz = a - y for
every finite z, even where sigmoid rounds to exactly 0 or 1; a.grad is the true dL/da (inf where
it overflows). Expected values here come from formulas independent of the engine's
(np.logaddexp, tanh), and each case is checked for scalar and array graphs and every reduction.
"""

from __future__ import annotations

import math
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lite as ag
from autograd_lite import datasets, logistic
from autograd_lite.ops import identities

REDUCTIONS = ["mean", "sum", "none"]
magnitudes = st.floats(0.0, 1e4, exclude_min=True, allow_subnormal=False)
logits = st.builds(lambda m, s: s * m, magnitudes, st.sampled_from([1.0, -1.0]))
labels = st.sampled_from([0.0, 1.0])


def exact_losses(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """log(1 + e^z) - y z, each element (logaddexp is numpy's own stable log(e^0 + e^z))."""
    return np.logaddexp(0.0, z) - y * z


def exact_dz(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z)) - y  # sigmoid(z) - y, sigmoid written another way


def exact_da(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """-y/a + (1-y)/(1-a) with a = 1/(1 + e^-z) and 1 - a = 1/(1 + e^z), each from z."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        a, one_minus_a = 1.0 / (1.0 + np.exp(-z)), 1.0 / (1.0 + np.exp(z))
        return np.where(y == 0, 0.0, -y / a) + np.where(y == 1, 0.0, (1.0 - y) / one_minus_a)


def lesson_loss(z_value, y_value, reduction: str = "mean"):
    """z -> a = sigmoid(z) -> L = binary_cross_entropy(a, y), with no warning allowed."""
    z = ag.Node(z_value, name="z", requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow, no clamp warning: nothing is clamped
        a = ag.sigmoid(z)
        a.name = "a"
        loss = ag.binary_cross_entropy(a, y_value, reduction=reduction)
        ag.sum(loss).backward() if reduction == "none" else loss.backward()
    return z, a, loss


def check_exact(z_value, y_value, reduction: str) -> None:
    z, a, loss = lesson_loss(z_value, y_value, reduction)
    zs, ys = np.asarray(z_value, dtype=np.float64), np.asarray(y_value, dtype=np.float64)
    losses = exact_losses(zs, ys)
    want = {"mean": np.mean(losses), "sum": np.sum(losses), "none": losses}[reduction]
    divisor = zs.size if reduction == "mean" else 1
    np.testing.assert_allclose(loss.value, want, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(z.grad, exact_dz(zs, ys) / divisor, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(a.grad, exact_da(zs, ys) / divisor, rtol=1e-9)  # inf where due
    assert loss.parents[0] is a and len(loss.parents) == 2  # the lesson's graph, unchanged


# -- the loss and dz against the exact ones, z in +-(0, 1e4) -------------------------------------
@given(z=logits, y=labels, reduction=st.sampled_from(REDUCTIONS))
@example(z=800.0, y=0.0, reduction="mean")  # the case: loss 800, dz = 1 (not 100 and 0)
@example(z=-800.0, y=1.0, reduction="sum")
@example(z=1e4, y=0.0, reduction="none")
@example(z=-1e4, y=1.0, reduction="mean")
@example(z=40.0, y=0.0, reduction="mean")  # a rounds to 1, dL/da = e^40 (about 2.4e17)
@example(z=710.0, y=0.0, reduction="mean")  # dL/da = e^710 overflows: inf, honestly
def test_scalar_lesson_loss_is_exact_at_saturation(z, y, reduction):
    check_exact(z, y, reduction)  # a float64 scalar graph: the lesson's single example


@given(
    z=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, max_side=5), elements=logits),
    data=st.data(),
    reduction=st.sampled_from(REDUCTIONS),
)
def test_array_lesson_loss_is_exact_at_saturation(z, data, reduction):
    y = data.draw(hnp.arrays(np.float64, z.shape, elements=labels))
    check_exact(z, y, reduction)


@pytest.mark.parametrize("z0", [-1e4, -800.0, -746.0, 40.0, 800.0, 1e4])
def test_saturated_dz_is_a_minus_y_where_sigmoid_rounds_to_0_or_1(z0):
    for y in (0.0, 1.0):
        z, a, loss = lesson_loss(np.array([z0, 0.5]), np.array([y, 1.0]))
        assert a.value[0] in (0.0, 1.0)  # sigmoid has rounded
        np.testing.assert_allclose(z.grad[0], (a.value[0] - y) / 2, atol=1e-12)


def test_the_loss_uses_the_identity_tables_gradient():
    entry = identities.named("sigmoid", "binary_cross_entropy")
    z = np.array([-800.0, -3.0, 0.0, 3.0, 800.0])
    y = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
    zn, _, _ = lesson_loss(z, y, "sum")
    np.testing.assert_array_equal(zn.grad, entry.gradient(z, y))


def test_float32_graphs_stay_float32():
    for z0 in (np.float32(800.0), np.array([800.0, -3.0], dtype=np.float32)):
        z = ag.Node(z0, requires_grad=True)
        a = ag.sigmoid(z)
        loss = ag.binary_cross_entropy(a, np.zeros(np.shape(z0), dtype=np.float32))
        loss.backward()
        for node in (a, loss):
            assert node.dtype == np.float32, node
        assert z.grad.dtype == np.float32 and a.grad.dtype == np.float32
        np.testing.assert_allclose(np.ravel(z.grad)[0], 1.0 / z.size, rtol=1e-6)


def test_gradcheck_passes_through_sigmoid_then_the_loss():
    rng = np.random.default_rng(3)
    z, y = rng.normal(0, 4, (4, 2)), rng.uniform(0.05, 0.95, (4, 2))
    report = ag.gradcheck(lambda zn, yn: ag.binary_cross_entropy(ag.sigmoid(zn), yn), [z, y])
    assert report, str(report)


@pytest.mark.parametrize("z0", [-30.0, -2.0, 0.7, 30.0])
def test_a_with_other_users_takes_the_chain_rule(z0):
    """a also feeds a second term: dz = (a - y) + 2a * a(1-a), nothing lost or counted twice."""
    y = 1.0 if z0 < 0 else 0.0
    z = ag.Node(np.array([z0]), requires_grad=True)
    a = ag.sigmoid(z)
    loss = ag.binary_cross_entropy(a, np.array([y])) + ag.sum(a * a)
    loss.backward()
    s = 1.0 / (1.0 + math.exp(-z0))
    slope = math.exp(-abs(z0)) / (1.0 + math.exp(-abs(z0))) ** 2  # a(1-a), from z
    np.testing.assert_allclose(z.grad, [(s - y) + 2 * s * slope], rtol=1e-9, atol=1e-12)
    if abs(z0) < 10:
        assert ag.gradcheck(lambda zn: ag.binary_cross_entropy(ag.sigmoid(zn), y) +
                            ag.sum(ag.sigmoid(zn) ** 2), [np.array([z0])])


def test_backward_twice_accumulates_the_exact_gradient():
    z, a, loss = lesson_loss(np.array([800.0, -2.0]), np.array([0.0, 1.0]))
    first = z.grad.copy()
    loss.backward()
    np.testing.assert_allclose(z.grad, 2 * first)


def test_a_loss_op_object_used_again_recognises_each_input_afresh():
    loss_op = ag.ops.BinaryCrossEntropy("sum")
    z = ag.Node(np.array([800.0]), requires_grad=True)
    first = loss_op(ag.sigmoid(z), np.array([0.0]))  # from sigmoid: exact
    leaf = ag.Node(np.array([1.0]), requires_grad=True)
    with pytest.warns(ag.ClampedLossWarning):
        second = loss_op(leaf, np.array([0.0]))  # a genuine 1: clamped, and it says so
    assert first.value == pytest.approx(800.0) and second.value == pytest.approx(100.0)
    first.backward()
    second.backward()
    assert z.grad == pytest.approx([1.0]) and leaf.grad == pytest.approx([1e12])


def test_sigmoid_outside_a_loss_is_stable_where_1_minus_a_rounds():
    z = ag.Node(np.array([30.0, -30.0, 0.0]), requires_grad=True)
    ag.sum(ag.sigmoid(z)).backward()
    want = np.exp(-np.abs(z.value)) / (1.0 + np.exp(-np.abs(z.value))) ** 2
    np.testing.assert_allclose(z.grad, want, rtol=1e-12)


# -- where the engine must still clamp: a warning with the count and the remedy ---------------
def test_a_genuine_0_or_1_warns_once_with_the_count_and_the_remedy():
    a = ag.Node(np.array([0.0, 1.0, 0.5, 1.0]), requires_grad=True)
    with pytest.warns(ag.ClampedLossWarning) as caught:
        loss = ag.binary_cross_entropy(a, np.array([1.0, 0.0, 1.0, 1.0]))
    assert len(caught) == 1
    text = str(caught[0].message)
    assert "2 of 4" in text and "binary_cross_entropy_with_logits" in text
    assert caught[0].filename == __file__
    assert loss.value == pytest.approx((100.0 + 100.0 + math.log(2.0)) / 4)


def test_a_0_or_1_that_equals_its_label_is_no_clamp_and_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = ag.binary_cross_entropy(np.array([0.0, 1.0]), np.array([0.0, 1.0]))
        ag.binary_cross_entropy(0.0, 0.0)
    assert loss.value == 0.0


# -- NaN and no_grad messages ------------------------------------------------------------------
@pytest.mark.parametrize("value", [float("nan"), np.array([0.5, np.nan, np.nan])])
def test_a_nan_prediction_says_nan_names_its_node_and_suggests_detect_anomaly(value):
    z = ag.Node(value, name="z", requires_grad=True)
    a = ag.sigmoid(z)
    a.name = "a"
    with pytest.raises(ValueError, match="NaN") as err:
        ag.binary_cross_entropy(a, np.zeros(np.shape(value)))
    text = str(err.value)
    count = int(np.sum(np.isnan(value)))
    assert f"{count} of {np.size(value)}" in text
    assert "'a'" in text and "detect_anomaly" in text and "must lie in" not in text
    with pytest.raises(ValueError, match="unnamed node.*detect_anomaly"):
        ag.binary_cross_entropy(np.array([np.nan]), np.array([1.0]))


def test_no_grad_message_after_rebinding_a_parameter_inside_no_grad():
    w = ag.Node(np.array([[0.5], [1.0]]), name="w", requires_grad=True)
    X = ag.Node(np.ones((3, 2)), name="X")
    ag.sum(X @ w).backward()
    with ag.no_grad():
        w = w - 0.1 * w.grad  # rebinds the name: a new node, computed inside no_grad()
    loss = ag.sum(X @ w)
    loss.name = "L"
    with pytest.raises(RuntimeError, match="does not require a gradient") as err:
        loss.backward()
    text = str(err.value)
    assert text.startswith("backward() on L:")
    assert "computed inside no_grad()" in text and "shape (2, 1)" in text
    assert "none of the nodes it was computed from was created" not in text  # not true here


def test_no_grad_message_for_a_node_computed_inside_no_grad():
    w = ag.Node(2.0, name="w", requires_grad=True)
    with ag.no_grad():
        out = w * 3.0
    assert out.parents == () and out.op is None
    with pytest.raises(RuntimeError, match="it was computed inside no_grad()"):
        out.backward()


def test_no_grad_message_when_no_leaf_requires_a_gradient_names_the_leaves():
    out = ag.Node(2.0, name="x") * ag.Node(3.0)
    with pytest.raises(RuntimeError, match=r"requires_grad=True \(its leaves: 'x', 1 unnamed\)"):
        out.backward()


# -- compare() never divides by zero --------------------------------------------------------------
@pytest.mark.parametrize(
    ("x", "w", "y"),
    [([40.0], [1.0], 1.0), ([40.0], [1.0], 0.0), ([-800.0], [1.0], 1.0),
     ([-800.0], [1.0], 0.0), ([1000.0, 2.0], [1.0, 1.0], 0.0)],
)
def test_compare_at_saturation(x, w, y):
    table = logistic.compare(x, y, w, 0.1)
    z = float(np.dot(x, w) + 0.1)
    assert float(table["dz"].autodiff) == pytest.approx(float(exact_dz(np.array(z), y)), abs=1e-12)
    assert table["da"].autodiff == pytest.approx(float(exact_da(np.array(z), y)), rel=1e-9)
    assert table.largest_difference < 1e-6, str(table)


def test_compare_batch_at_saturation_keeps_every_element():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(0, 30, (6, 2)), np.array([0, 1, 0, 1, 1, 0.0])
    table = logistic.compare(X, Y, [1.0, 2.0], 0.3)
    assert table.largest_difference < 1e-6, str(table)
    assert np.isfinite(table["da"].finite_difference).all()


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "autograd_lite", *args],
        capture_output=True, text=True, timeout=300,
    )


@pytest.mark.parametrize(
    "args",
    [["--x", "40", "--w", "1"], ["--x", "-800", "--w", "1"],
     ["--x", "1000", "2", "--w", "1", "1", "--y", "0"]],
)
def test_lesson_command_at_saturation_exits_0(args):
    result = run_cli("lesson", *args)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and result.stderr == ""
    assert "dz    a - y" in result.stdout and "nan" not in result.stdout.split("dz")[1]


def test_train_command_with_a_huge_alpha_warns_and_reports_the_true_loss():
    result = run_cli("train", "--alpha", "1e6", "--iterations", "50")
    assert result.returncode == 0, result.stderr
    assert "autograd-lite train: warning: the loss rose" in result.stderr
    assert "Traceback" not in result.stderr
    data = datasets.load("blobs")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", logistic.LossRisingWarning)
        fused = logistic.train(data.X, data.Y, 1e6, 50, loss="fused")
    for it in (1, 10, 50):  # the lesson loss the log shows is the exact one
        assert f"iteration {it:>2}: loss {fused.losses[it - 1]:.6f}" in result.stdout
    final = logistic.mean_loss(data.X, data.Y, fused.w, fused.b)
    assert f"after the last update: loss {final:.6f}" in result.stdout


# -- training at alpha = 100 ---------------------------------------------------------------------
def test_training_with_alpha_100_keeps_autodiff_equal_to_the_closed_form_at_every_iteration():
    data = datasets.load("blobs")
    X, Y = logistic.check_data(data.X, data.Y)
    w, b = np.zeros((2, 1)), 0.0
    saturated = 0
    losses = []
    for _ in range(50):
        nodes = logistic.vectorised_graph(X, Y, w, b, "lesson")
        nodes["L"].backward()
        closed = logistic.closed_form_grads(X, Y, w, b)
        np.testing.assert_allclose(nodes["w"].grad, closed.dw, rtol=1e-9, atol=1e-9)
        assert float(nodes["b"].grad) == pytest.approx(closed.db, rel=1e-9, abs=1e-9)
        np.testing.assert_allclose(nodes["Z"].grad, closed.dz / X.shape[0], atol=1e-12)
        saturated += int(np.sum(nodes["A"].value * (1 - nodes["A"].value) == 0))
        losses.append(float(nodes["L"].value))
        w, b = w - 100 * nodes["w"].grad, b - 100 * float(nodes["b"].grad)
    assert saturated > 1000  # sigmoid rounds to 0 or 1 for most examples along the way
    with pytest.warns(logistic.LossRisingWarning, match="alpha = 100 is probably too large"):
        history = logistic.train(X, Y, alpha=100, iterations=50)
    np.testing.assert_allclose(history.losses, losses, rtol=1e-12)  # train takes this path
    assert max(gap for _, gap in history.gradient_checks) < 1e-9
    with pytest.warns(logistic.LossRisingWarning):
        fused = logistic.train(X, Y, alpha=100, iterations=50, loss="fused")
    np.testing.assert_allclose(history.losses, fused.losses, rtol=1e-9)  # the lesson's = exact


def test_training_with_a_good_alpha_does_not_warn():
    data = datasets.load("blobs")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        logistic.train(data.X, data.Y, alpha=1.0, iterations=200)


def test_train_prints_the_rising_loss_warning_after_the_iterations_it_speaks_of():
    result = subprocess.run(
        [sys.executable, "-m", "autograd_lite", "train", "--alpha", "1e6", "--iterations", "50"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    warning = [i for i, line in enumerate(lines) if "warning: the loss rose" in line]
    last_iteration = max(i for i, line in enumerate(lines) if line.startswith("  iteration"))
    assert len(warning) == 1 and warning[0] == last_iteration + 1, result.stdout


def test_the_loss_of_a_large_array_done_block_by_block_is_the_elementwise_formula():
    """Arrays larger than a block take the blocked loop: the same numbers, bit for bit, as the
    formula on the whole array, with e given (from sigmoid) or computed, and a single label."""
    from autograd_lite.ops import losses as loss_module

    rng = np.random.default_rng(3)
    z = rng.standard_normal((loss_module.BLOCKED + loss_module.BLOCK + 17, 1)) * 40.0
    for y in ((rng.random(z.shape) > 0.5) * 1.0, np.float64(1.0), rng.random(z.shape)):
        abs_z = np.abs(z)
        expected = z * ((z >= 0.0) - y) + np.log1p(np.exp(-abs_z))
        losses, e, step = loss_module._losses_of_logits(z, y)
        assert np.array_equal(losses, expected) and np.array_equal(e, np.exp(-abs_z))
        assert step.dtype == z.dtype and np.array_equal(step, z >= 0.0)
        given, _, given_step = loss_module._losses_of_logits(z, y, np.exp(-abs_z))
        assert np.array_equal(given, expected) and np.array_equal(given_step, step)
        small, _, small_step = loss_module._losses_of_logits(z[:100], y[:100] if np.ndim(y) else y)
        assert np.array_equal(small, expected[:100]) and np.array_equal(small_step, step[:100])


@pytest.mark.parametrize(
    ("z", "y", "kind"),
    [(0.3, 1.0, np.float64), (np.array([0.3, -2.0]), np.array([1.0, 0.0]), np.ndarray),
     (np.float32([0.3, -40.0]), np.float32([1.0, 0.0]), np.ndarray)],
)
def test_the_fused_losss_gradient_keeps_the_logits_type_and_is_a_minus_y(z, y, kind):
    node = ag.Node(z, requires_grad=True)
    ag.binary_cross_entropy_with_logits(node, y, reduction="sum").backward()
    assert type(node.grad) is kind and np.asarray(node.grad).dtype == np.asarray(z).dtype
    a = 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))
    np.testing.assert_allclose(node.grad, a - y, rtol=1e-6 if node.dtype == np.float32 else 1e-15)


@pytest.mark.parametrize(
    "change",
    [
        lambda a: a.__iadd__(0.4),
        lambda a: a.__setitem__(0, 0.9),
        lambda a: setattr(a, "value", np.array([0.9, 0.9])),
        lambda a: setattr(a, "data", np.array([0.9, 0.9])),
    ],
)
def test_a_sigmoid_changed_in_place_is_a_prediction_like_any_other(change):
    """After a = sigmoid(z) is changed in place the sigmoid's z is no longer a's: the loss is
    that of a's value now, not of the old z."""
    with ag.no_grad():
        a = ag.sigmoid(ag.Node(np.zeros(2)))
        change(a)
    a_now = a.value.copy()
    L = ag.binary_cross_entropy(a, np.ones(2))
    np.testing.assert_allclose(L.value, np.mean(-np.log(a_now)), rtol=1e-12)


def test_the_fused_loss_of_infinite_logits_is_its_limit_and_a_nan_logit_an_error():
    """z = +inf with y = 1 costs 0 (the formula's inf * 0 would be NaN), with y = 0 inf; the
    gradient a - y stays exact; a NaN logit is an error naming it, not a silent NaN loss."""
    z = ag.Node(np.array([np.inf, -np.inf, np.inf, 0.0]), requires_grad=True)
    y = np.array([1.0, 0.0, 0.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (not even numpy's, of the formula's inf * 0)
        losses = ag.binary_cross_entropy_with_logits(z, y, reduction="none")
        np.testing.assert_array_equal(losses.value, [0.0, 0.0, np.inf, np.log(2.0)])
        L = ag.binary_cross_entropy_with_logits(z[[0, 1, 3]], y[[0, 1, 3]])
        L.backward()
    np.testing.assert_allclose(L.value, np.log(2.0) / 3, rtol=1e-15)
    np.testing.assert_allclose(z.grad, [0.0, 0.0, 0.0, -0.5 / 3], rtol=1e-15)
    one = ag.Node(np.inf, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ag.binary_cross_entropy_with_logits(one, 1.0).value == 0.0
    with pytest.raises(ValueError, match=r"the logits z hold NaN \(at index \[1\]\)"):
        ag.binary_cross_entropy_with_logits(ag.Node([0.0, np.nan]), [1.0, 0.0])


def test_a_reshape_between_sigmoid_and_the_loss_is_named_in_the_warning():
    z = ag.Node(np.array([[1e3], [-1e3]]), requires_grad=True)
    with pytest.warns(ag.ClampedLossWarning, match="a was computed by reshape from a sigmoid"):
        ag.binary_cross_entropy(ag.sigmoid(z).reshape(-1), np.zeros(2))
    with warnings.catch_warnings():  # the advice taken: exact, no warning
        warnings.simplefilter("error")
        L = ag.binary_cross_entropy(ag.sigmoid(z.reshape(-1)), np.zeros(2))
    np.testing.assert_allclose(L.value, 500.0, rtol=1e-12)


def test_a_sigmoid_with_a_second_user_warns_where_the_chain_rule_overflows():
    """Beyond |z| ~ 709, dL/da overflows; with a used elsewhere too, the exact a - y cannot be
    handed to the sigmoid, and dz is inf: said, with the loss that avoids it."""
    z = ag.Node(np.array([720.0, 1.0]), requires_grad=True)
    a = ag.sigmoid(z)
    L = ag.binary_cross_entropy(a, np.full(2, 0.25)) + ag.sum(a * 0.0)
    with pytest.warns(RuntimeWarning, match="sigmoid: dz is not finite.*with_logits"):
        L.backward()
    ok = ag.Node(np.array([30.0, 1.0]), requires_grad=True)
    b = ag.sigmoid(ok)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # finite: no warning
        (ag.binary_cross_entropy(b, np.full(2, 0.25)) + ag.sum(b * 0.0)).backward()


def _loss_in_60_digits(z: float, y: float) -> float:
    """log(1 + e^z) - y z in decimal arithmetic: z (1 - y) + log(1 + e^-z) for z >= 0 and
    -z y + log(1 + e^z) below, exact to 60 digits (an oracle apart from the float formulas)."""
    from decimal import Decimal, localcontext

    with localcontext() as context:
        context.prec = 60
        zd, yd = Decimal(z), Decimal(y)
        linear = zd * (1 - yd) if z >= 0 else -zd * yd
        return float(linear + (1 + (-abs(zd)).exp()).ln())


@given(
    st.floats(-1e300, 1e300, allow_nan=False),
    st.one_of(st.floats(0.0, 1.0), st.sampled_from([1 - 1e-10, 1e-10, 1 - 2**-53, 0.5])),
)
@example(z=1000.0, y=1 - 1e-10)  # a soft label and a tiny loss beside |z|: 6 digits were lost
@example(z=1e300, y=1 - 2**-53)  # a third of the loss was lost
@example(z=-1000.0, y=1e-10)
def test_the_loss_of_logits_is_exact_for_soft_labels_at_any_z(z, y):
    """max(z, 0) - z y is computed as z (1 - y) or -z y (one rounding): the loss stays right
    to the last digits where it is tiny beside |z|, in both forms, one number and arrays (the
    blocked path too), and in generated code."""
    exact = _loss_in_60_digits(z, y)
    fused = ag.binary_cross_entropy_with_logits(ag.Node(z), y).value
    lesson = ag.binary_cross_entropy(ag.sigmoid(ag.Node(z)), y).value
    many = ag.binary_cross_entropy_with_logits(
        ag.Node(np.full(70_000, z)), np.full(70_000, y), reduction="none"
    ).value  # (over BLOCKED elements: done block by block)
    program = ag.codegen(ag.binary_cross_entropy_with_logits(ag.Node(0.0, name="z"), y))
    arrays = ag.codegen(ag.binary_cross_entropy_with_logits(ag.Node(np.zeros(3), name="z"),
                                                            np.full(3, y), reduction="sum"))
    generated = program(z=z)[0], arrays(z=np.full(3, z))[0] / 3
    for value in (fused, lesson, many[0], many[-1], *generated):
        assert value == pytest.approx(exact, rel=1e-13, abs=1e-300), (value, exact)
