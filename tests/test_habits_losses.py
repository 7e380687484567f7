"""softmax, log_softmax, cross_entropy and mse_loss: the closed forms, finite differences,
extreme logits, the reductions and the errors for bad labels."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lite as ag
from autograd_lite.ops import identities

LOGITS = hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=5).flatmap(
    lambda s: hnp.arrays(np.float64, s, elements=st.floats(-5, 5))
)


def softmax_by_hand(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@given(LOGITS, st.data(), st.sampled_from(["mean", "sum", "none"]))
def test_cross_entropy_of_indices_and_of_one_hot_rows(z, data, reduction):
    m, k = z.shape
    labels = np.array(data.draw(st.lists(st.integers(0, k - 1), min_size=m, max_size=m)))
    one_hot = np.eye(k)[labels]
    losses = -np.log(softmax_by_hand(z))[np.arange(m), labels]
    expected = {"mean": losses.mean(), "sum": losses.sum(), "none": losses}[reduction]
    for y in (labels, one_hot, labels.tolist()):
        out = ag.cross_entropy(z, y, reduction=reduction)
        np.testing.assert_allclose(out.value, expected, rtol=1e-12, atol=1e-12)
    weights = np.arange(1.0, m + 1.0) if reduction == "none" else 1.0
    assert ag.gradcheck(lambda n: ag.sum(ag.cross_entropy(n, labels, reduction) * weights), [z])
    w = ag.Node(z, requires_grad=True)
    ag.sum(ag.cross_entropy(w, one_hot, reduction) * weights).backward()
    scale = {"mean": 1.0 / m, "sum": 1.0, "none": np.arange(1.0, m + 1.0)[:, None]}[reduction]
    np.testing.assert_allclose(w.grad, (softmax_by_hand(z) - one_hot) * scale, atol=1e-12)


def test_cross_entropy_is_the_log_softmax_nll_and_the_identity_table_knows_it():
    z = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]])
    picked = -ag.log_softmax(z).value[[0, 1], [0, 1]]
    np.testing.assert_allclose(ag.cross_entropy(z, [0, 1]).value, picked.mean(), rtol=1e-15)
    entry = identities.named(None, "cross_entropy")
    assert entry.text(entry.chain) == "softmax(z) - y" and entry.text(entry.result) == "a - y"
    big = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 999.0, 1000.0], [0.3, -0.2, 0.1]])
    one_hot = np.eye(3)[[0, 1, 2]]
    np.testing.assert_allclose(entry.gradient(big, one_hot), softmax_by_hand(big) - one_hot,
                               atol=1e-15)
    w = ag.Node(big, requires_grad=True)
    ag.cross_entropy(w, one_hot, reduction="sum").backward()  # the op takes it from the table
    np.testing.assert_array_equal(w.grad, entry.gradient(big, one_hot))


@pytest.mark.parametrize("size", [1000.0, 1e6, 1e300])
def test_cross_entropy_and_softmax_at_extreme_logits(size):
    z = ag.Node(np.array([[size, -size, 0.0], [-size, size, size * (1 - 1e-12)]]),
                requires_grad=True)
    loss = ag.cross_entropy(z, [0, 2], reduction="sum")
    loss.backward()
    assert np.isfinite(loss.value) and np.all(np.isfinite(z.grad))
    # the first row is certain and right: no loss, no gradient; the second is as far off as
    # the softmax says (its loss is the gap between the two large logits)
    np.testing.assert_allclose(loss.value, -ag.log_softmax(z.value).value[1, 2], rtol=1e-12)
    p = softmax_by_hand(z.value)
    np.testing.assert_allclose(z.grad, p - np.eye(3)[[0, 2]], atol=1e-15)
    s = ag.softmax(z)
    assert np.all(np.isfinite(s.value)) and np.allclose(s.value.sum(axis=1), 1.0)
    assert np.all(np.isfinite(ag.log_softmax(z).value))
    np.testing.assert_allclose(ag.log_softmax(z).value[0], [0.0, -2 * size, -size], rtol=1e-12)
    ag.sum(s[:, 0]).backward()
    assert np.all(np.isfinite(z.grad))


def test_one_example_and_soft_labels():
    z = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(ag.cross_entropy(z, 2).value, -np.log(softmax_by_hand(z))[2])
    soft = np.array([[0.2, 0.3, 0.5]])
    y = ag.Node(soft, requires_grad=True)
    w = ag.Node(z[None, :], requires_grad=True)
    ag.cross_entropy(w, y).backward()
    np.testing.assert_allclose(w.grad, softmax_by_hand(z[None, :]) - soft)
    np.testing.assert_allclose(y.grad, -ag.log_softmax(z[None, :]).value)
    assert ag.gradcheck(lambda a, b: ag.cross_entropy(a, b), [w, y])


@pytest.mark.parametrize(
    ("labels", "error", "message"),
    [
        ([0, 3], ValueError, r"class indices must lie in 0\.\.2 for 3 classes, got \[3\]"),
        ([-1, 0], ValueError, r"must lie in 0\.\.2 for 3 classes, got \[-1\]"),
        ([0.5, 1], ValueError, r"class indices must be whole numbers, got \[0\.5\]"),
        ([0, np.nan], ValueError, r"whole numbers, got \[nan\]"),
        ([[0, 1]], ag.ShapeError, r"logits of shape \(2, 3\) take labels of shape \(2,\) \(class "
                                  r"indices\) or \(2, 3\) \(one-hot\), got \(1, 2\)"),
        ([0, 1, 2], ag.ShapeError, r"got \(3,\)"),
        ([[1, 1, 0], [0, 0, 1]], ValueError, r"must be one-hot rows"),
        ([[2, -1, 0], [0, 0, 1]], ValueError, r"must be one-hot rows"),
    ],
)
def test_bad_labels_are_clear_errors(labels, error, message):
    z = ag.Node(np.zeros((2, 3)), requires_grad=True)
    with pytest.raises(error, match="cross_entropy: .*" + message):
        ag.cross_entropy(z, labels)


def test_bad_logits_and_reduction():
    with pytest.raises(ag.ShapeError, match=r"cross_entropy: logits must be \(k,\) or \(m, k\)"):
        ag.cross_entropy(np.zeros((2, 3, 4)), [0, 1])
    with pytest.raises(ValueError, match="cross_entropy: reduction must be 'mean', 'sum' or"):
        ag.cross_entropy(np.zeros((2, 3)), [0, 1], reduction="avg")
    with pytest.raises(TypeError, match="class indices have no gradient"):
        ag.cross_entropy(np.zeros((2, 3)), ag.Node([0.0, 1.0], requires_grad=True))


@given(hnp.array_shapes(min_dims=0, max_dims=3, max_side=4).flatmap(
    lambda s: st.tuples(hnp.arrays(np.float64, s, elements=st.floats(-3, 3)),
                        hnp.arrays(np.float64, s, elements=st.floats(-3, 3)))),
    st.sampled_from(["mean", "sum", "none"]))
def test_mse_loss(pair, reduction):
    p, t = pair
    squares = (p - t) ** 2
    expected = {"mean": np.mean(squares), "sum": np.sum(squares), "none": squares}[reduction]
    np.testing.assert_allclose(ag.mse_loss(p, t, reduction).value, expected, rtol=1e-12)
    # (weights tell the elements apart for "none"; on a reduced loss they would only scale it by
    # their sum, up to 1176, and the finite differences' rounding with it: a false failure at
    # p - t ~ 1e-7, where the slope is that small)
    weights = np.arange(1.0, np.size(p) + 1.0).reshape(np.shape(p)) if reduction == "none" else 1.0
    assert ag.gradcheck(lambda a, b: ag.sum(ag.mse_loss(a, b, reduction) * weights), [p, t])


def test_mse_loss_refuses_targets_that_would_broadcast():
    with pytest.raises(ag.ShapeError, match=r"mse_loss: predictions of shape \(3, 1\) but targets"):
        ag.mse_loss(np.zeros((3, 1)), np.zeros(3))
    assert ag.mse_loss(np.array([1.0, 3.0]), 1.0).value == 2.0  # one target for all is fine


def test_torch_agrees():
    torch = pytest.importorskip("torch", reason="torch is not installed: compared in numpy above")
    z = np.random.default_rng(0).normal(size=(4, 5)) * 10
    labels = np.array([0, 4, 2, 2])
    zt = torch.tensor(z, requires_grad=True)
    torch.nn.functional.cross_entropy(zt, torch.tensor(labels)).backward()
    w = ag.Node(z, requires_grad=True)
    ag.cross_entropy(w, labels).backward()
    np.testing.assert_allclose(w.grad, zt.grad.numpy(), rtol=1e-12, atol=1e-15)
    x = torch.tensor(z, requires_grad=True)
    (torch.softmax(x, dim=0)[1:3] * torch.arange(5.0, dtype=torch.float64)).sum().backward()
    v = ag.Node(z, requires_grad=True)
    ag.sum(ag.softmax(v, axis=0)[1:3] * np.arange(5.0)).backward()
    np.testing.assert_allclose(v.grad, x.grad.numpy(), rtol=1e-10, atol=1e-15)
    a = torch.tensor([[1.0, 3.0, 3.0]], dtype=torch.float64, requires_grad=True)
    torch.amax(a).backward()
    m = ag.Node([[1.0, 3.0, 3.0]], requires_grad=True)
    ag.max(m).backward()
    np.testing.assert_array_equal(m.grad, a.grad.numpy())


@pytest.mark.parametrize("labels", [[0], [[1.0, 0.0, 0.0]]])
def test_cross_entropy_of_a_masked_class_is_finite(labels):
    """A logit of -inf (a masked class) other than the label's adds nothing: the loss is the
    log-sum-exp of the others, as PyTorch gives, not 0 * -inf = NaN."""
    z = ag.Node(np.array([[0.0, -np.inf, 1.0]]), name="z", requires_grad=True)
    L = ag.cross_entropy(z, labels)
    L.backward()
    np.testing.assert_allclose(L.value, np.log(1.0 + np.e), rtol=1e-15)
    p = np.exp(1.0) / (1.0 + np.e)
    np.testing.assert_allclose(z.grad, [[1.0 - p - 1.0, 0.0, p]], atol=1e-15)
    value, grads = ag.codegen(L)(z=z.value)
    np.testing.assert_allclose(value, L.value, rtol=1e-15)
    np.testing.assert_allclose(grads["z"], z.grad, atol=1e-15)


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # (numpy's, of inf - inf)
@pytest.mark.parametrize("reduction", ["mean", "none"])
@pytest.mark.parametrize(
    "logits, where",
    [
        ([[0.0, 1.0, 2.0], [0.5, np.nan, 1.0]], r"nan at index \[1, 1\]"),
        ([[0.0, 1.0, 2.0], [np.inf, 0.0, 1.0]], r"inf at index \[1, 0\]"),
        ([[0.0, 1.0, 2.0], [-np.inf, -np.inf, -np.inf]], r"-inf at index \[1, 0\]"),
    ],
)
def test_cross_entropy_of_undefined_logits_is_an_error_not_nan(logits, where, reduction):
    """softmax is not defined at a NaN or +inf logit, nor on a row of -inf only: eager, the
    generated code and ag.compile say where, rather than give a NaN loss and NaN gradients."""
    z = np.array(logits)
    one_hot = np.eye(3)[[2, 1]]
    for labels in (np.array([2, 1]), one_hot):
        with pytest.raises(ValueError, match=rf"cross_entropy: the logits hold {where}: softmax"):
            ag.cross_entropy(ag.Node(z, requires_grad=True), labels, reduction)

    def loss(zn):
        out = ag.cross_entropy(zn, one_hot, reduction)
        return out if reduction == "mean" else ag.sum(out)

    program = ag.codegen(loss(ag.Node(np.zeros((2, 3)), name="z", requires_grad=True)))
    assert "ce_limits(" in program.source
    for run in (lambda: program(z=z), lambda: ag.compile(loss)(ag.Node(z, requires_grad=True))):
        with pytest.raises(ValueError, match=rf"cross_entropy: the logits hold {where}"):
            run()


def test_cross_entropy_of_a_masked_class_stays_finite_and_checks_nothing_more():
    """-inf among finite logits masks a class: a finite loss, softmax - onehot, in all three."""
    z = np.array([[-np.inf, 0.0, 1.0], [2.0, -np.inf, 0.0]])
    labels = np.eye(3)[[2, 0]]
    zn = ag.Node(z, requires_grad=True)
    L = ag.cross_entropy(zn, labels)
    L.backward()
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(L.value, -np.mean(np.log(p[[0, 1], [2, 0]])), rtol=1e-14)
    np.testing.assert_allclose(zn.grad, (p - labels) / 2, rtol=1e-14)
    program = ag.codegen(ag.cross_entropy(ag.Node(np.zeros((2, 3)), name="z", requires_grad=True),
                                          labels))
    value, grads = program(z=z)
    np.testing.assert_allclose([value], [L.value], rtol=1e-14)
    np.testing.assert_allclose(grads["z"], zn.grad, rtol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the label on a masked class: the true loss, inf
        assert ag.cross_entropy(ag.Node(z), np.array([0, 0])).value == np.inf
        assert program(z=z[[0, 0]])[0] == np.inf
