"""QA findings on the generated code: which arguments compile differentiates, the lesson's
reading order of the gradients, labels outside [0, 1] refused as eager refuses them."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

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


# -- 2. the generated code in the lesson's words ----------------------------------------------
def lesson_source() -> str:
    from autograd_lite import logistic

    nodes = logistic.lesson_graph([1.0, 2.0], 1.0, [0.5, -0.3], 0.1)
    return ag.codegen(nodes["L"]).source


def test_lesson_code_writes_x1_times_dz_and_the_named_derivative():
    lines = [line.strip() for line in lesson_source().splitlines()]
    assert "dw1 = x1 * dz  # dz/dw1 = x1" in lines
    assert "dw2 = x2 * dz  # dz/dw2 = x2" in lines
    assert "db = dz  # dz/db = 1" in lines
    assert not any("dt1/" in line or "dt2/" in line for line in lines)


def test_a_value_used_twice_keeps_its_own_comment_and_the_numbers_stay_backwards():
    # x reaches the sum both through t1 = x * w and directly: no single "dt2/dx" would be true
    x = ag.Node(2.0, name="x", requires_grad=True)
    w = ag.Node(3.0, name="w", requires_grad=True)
    z = ag.tanh(x * w - x)
    z.name = "z"
    q = z * w + x
    loss = q * q
    program = ag.codegen(loss)
    lines = [line.strip() for line in program.source.splitlines()]
    assert "dz = w * dt4  # dt4/dz = w" in lines
    assert "dx = dx + (w * dt2)  # dt1/dx = w" in lines
    value, grads = program(x=2.0, w=3.0)
    loss.backward()
    assert value == pytest.approx(float(loss.value), rel=1e-12)
    assert grads["x"] == pytest.approx(float(x.grad), rel=1e-12)
    assert grads["w"] == pytest.approx(float(w.grad), rel=1e-12)


def test_a_product_at_the_root_drops_the_seed():
    w = ag.Node(np.float64(3.0), name="w", requires_grad=True)
    x = ag.Node(np.float64(2.0), name="x")
    lines = [line.split("#")[0].strip() for line in ag.codegen(w * x).source.splitlines()]
    assert "dw = x" in lines


# -- 3. labels outside [0, 1] -----------------------------------------------------------------
def eager_message(loss, z, y) -> str:
    with pytest.raises(ValueError) as caught:
        if loss is ag.binary_cross_entropy:
            loss(ag.sigmoid(ag.Node(z, requires_grad=True)), y)
        else:
            loss(ag.Node(z, requires_grad=True), y)
    return str(caught.value)


def test_the_lessons_program_refuses_a_label_of_two_as_eager_does():
    from autograd_lite import logistic

    nodes = logistic.lesson_graph([1.0, 2.0], 1.0, [0.5, -0.3], 0.1)
    program = ag.codegen(nodes["L"])
    values = dict(x1=1.0, w1=0.5, x2=2.0, w2=-0.3, b=0.1)
    for bad in (2.0, -0.5, float("nan")):
        with pytest.raises(ValueError) as caught:
            program(**values, y=bad)
        assert str(caught.value) == eager_message(ag.binary_cross_entropy, 0.0, np.float64(bad))
    assert program(**values, y=1.0)[0] == pytest.approx(float(nodes["L"].value), rel=1e-12)
    assert program(**values, y=0.0)[0] > 0.0


@pytest.mark.parametrize("loss", [ag.binary_cross_entropy, ag.binary_cross_entropy_with_logits])
def test_compiled_array_labels_outside_the_interval_raise_eagers_error(loss):
    w, X, y = problem()

    def fn(w, X, y):
        z = X @ w
        return loss(ag.sigmoid(z) if loss is ag.binary_cross_entropy else z, y)

    step = ag.compile(fn, argnums=0)
    step(w, X, y)  # the trace, on good labels
    bad = y.copy()
    bad[2, 0] = 2.0
    with pytest.raises(ValueError) as caught:
        step(w, X, bad)
    assert str(caught.value) == eager_message(loss, X @ w, bad)
    bad[2, 0] = np.nan
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 1\], got \[nan\]"):
        step(w, X, bad)
    wn = ag.Node(w, requires_grad=True)
    fn(wn, X, y).backward()
    _, (dw, _, _) = step(w, X, y)  # and good ones still give backward()'s gradient
    np.testing.assert_allclose(dw, wn.grad, rtol=1e-12)


def test_constant_labels_are_checked_once_at_the_trace_not_in_the_code():
    w, X, y = problem()
    wn = ag.Node(w, name="w", requires_grad=True)
    source = ag.codegen(ag.binary_cross_entropy(ag.sigmoid(X @ wn), y)).source
    assert "labels_outside" not in source
    yn = ag.Node(y, name="y")
    program = ag.codegen(ag.binary_cross_entropy(ag.sigmoid(X @ wn), yn))
    assert 'raise labels_outside(y, "binary_cross_entropy")' in program.source
    # the module written out runs with numpy alone, the check's helper included
    namespace: dict = {}
    exec(program.module_source(), namespace)  # noqa: S102 (our own generated text)
    with pytest.raises(ValueError, match=r"binary_cross_entropy: labels must lie in \[0, 1\]"):
        namespace["forward_backward"](w=w, y=y * 2.0 + 0.5)
    value, _ = namespace["forward_backward"](w=w, y=y)
    assert value == pytest.approx(float(ag.binary_cross_entropy(ag.sigmoid(X @ wn), y).value))


@given(st.floats(allow_nan=True, allow_infinity=True).filter(lambda v: not 0.0 <= v <= 1.0))
def test_the_scalar_programs_message_prints_the_label_as_the_engine_does(label):
    import math

    from autograd_lite.codegen import helpers
    from autograd_lite.ops.losses import _labels_outside

    namespace = {"math": math}
    exec(helpers.SCALAR["labels_outside"], namespace)  # noqa: S102 (the helper's own text)
    got = namespace["labels_outside"](label, "binary_cross_entropy")
    assert str(got) == str(_labels_outside(label, "binary_cross_entropy"))


@pytest.mark.parametrize("label", [0.0, 1.0, 0.3])
def test_generated_sigmoid_and_loss_match_eager_at_saturation_without_warnings(label):
    """The array helpers (sigmoid with e^-z allowed to overflow, bce_logits with max(z, 0) from
    |z|) give eager's loss and dz at every z, saturated ones included, and warn of nothing."""
    z0 = np.array([[-1000.0], [-800.0], [-40.0], [-1e-3], [0.0], [3.0], [40.0], [800.0], [1e3]])
    Y = np.full_like(z0, label)

    def lesson(z):
        return ag.binary_cross_entropy(ag.sigmoid(z), Y, reduction="sum")

    z = ag.Node(z0.copy(), requires_grad=True)
    L = lesson(z)
    L.backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, (dz,) = ag.compile(lesson)(ag.Node(z0.copy(), requires_grad=True))
    np.testing.assert_allclose(value, L.value, rtol=1e-12)
    np.testing.assert_allclose(dz, z.grad, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize(
    ("build", "at"),
    [
        (lambda w: 1.0 / w, 0.0),
        (lambda w: ag.log(w), -1.0),
        (lambda w: ag.log(w), 0.0),
        (lambda w: ag.sqrt(w), -4.0),
        (lambda w: w ** 0.5, -4.0),
        (lambda w: ag.exp(w), 1000.0),
        (lambda w: ag.exp(w) * w, 800.0),
    ],
)
def test_a_scalar_program_gives_backwards_inf_or_nan_where_pythons_math_raises(build, at):
    """Python floats raise (ZeroDivisionError, math domain error, OverflowError) where numpy
    gives inf or nan and warns: the program then runs in numpy, so that it gives what
    backward() gives, with numpy's warning, through program(**values), .run and ag.compile."""
    w = ag.Node(at, name="w", requires_grad=True)
    with np.errstate(all="ignore"):
        out = build(w)
        out.backward()
    expected = (out.value, w.grad)
    for run in (
        lambda: ag.codegen(build(ag.Node(2.0, name="w", requires_grad=True)))(w=at),
        lambda: ag.codegen(build(ag.Node(2.0, name="w", requires_grad=True))).run(at),
        lambda: ag.compile(build)(ag.Node(at, requires_grad=True)),
    ):
        with pytest.warns(RuntimeWarning):
            value, grads = run()
        grad = grads["w"] if isinstance(grads, dict) else grads[0]
        np.testing.assert_array_equal([value, grad], expected)
    assert ag.codegen(build(ag.Node(2.0, name="w", requires_grad=True))).scalar  # floats first


def test_a_scalar_program_keeps_no_reference_to_the_graph():
    """The numpy form is written with the program (text and constants): a compiled function
    does not keep the traced graph, and its saved arrays, alive."""
    import gc
    import weakref

    w = ag.Node(2.0, name="w", requires_grad=True)
    middle = ag.log(w) / w
    program = ag.codegen(middle * 3.0)
    seen = weakref.ref(middle)
    del middle
    gc.collect()
    assert seen() is None
    assert program._generated.numpy_form is not None  # (log and / may raise in floats)
    no_math = ag.codegen(w * w + w)
    assert no_math._generated.numpy_form is None  # (nothing there raises: no fallback)


LOSSES_OF_LOGITS = {
    "fused": lambda z, y, reduction: ag.binary_cross_entropy_with_logits(z, y, reduction),
    "lesson": lambda z, y, reduction: ag.binary_cross_entropy(ag.sigmoid(z), y, reduction),
}


@pytest.mark.parametrize("form", sorted(LOSSES_OF_LOGITS))
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    "zs, ys",
    [
        ([np.inf, -np.inf, np.inf, -np.inf, 0.5], [1.0, 0.0, 0.0, 1.0, 0.25]),  # 0, 0, inf, inf
        ([np.inf, -np.inf, 2.0], [1.0, 0.0, 1.0]),  # limits of 0 only: a finite loss
        ([np.inf, 1.0], [0.0, 1.0]),  # an inf loss and no NaN on the way (inf - inf would warn)
        ([np.inf], [1.0]),  # one number: the scalar program
        ([-np.inf], [0.3]),
    ],
)
def test_generated_loss_of_infinite_logits_is_its_limit_as_eager(form, reduction, zs, ys):
    """Where z is infinite the formula's inf * 0 would be NaN: eager and generated code give
    the limit (0 where the label agrees, else inf), the same gradients, and no numpy warning;
    the generated test is of the reduced loss only (x - x != 0), so finite z cost no pass."""
    scalar = len(zs) == 1
    z0 = np.float64(zs[0]) if scalar else np.array(zs)
    y = ys[0] if scalar else np.array(ys)
    loss = LOSSES_OF_LOGITS[form]
    label_agrees = np.where(z0 > 0, np.asarray(y) == 1.0, np.asarray(y) == 0.0)
    with np.errstate(invalid="ignore"):
        exact = np.where(np.isinf(z0), np.where(label_agrees, 0.0, np.inf),
                         np.logaddexp(0.0, z0) - z0 * np.asarray(y))
    expected = {"mean": np.mean, "sum": np.sum, "none": lambda v: v}[reduction](exact)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        zn = ag.Node(z0, name="z", requires_grad=True)
        L = loss(zn, y, reduction)
        (L if L.size == 1 else ag.sum(L)).backward()
        np.testing.assert_allclose(L.value, expected, rtol=1e-14)
        zero = np.float64(0.0) if scalar else np.zeros(len(zs))
        traced = loss(ag.Node(zero, name="z", requires_grad=True), y, reduction)
        program = ag.codegen(traced if traced.size == 1 else ag.sum(traced))
        assert program.scalar == scalar
        value, grads = program(z=z0)
        step = ag.compile(lambda z: loss(z, y, reduction) if reduction != "none"
                          else ag.sum(loss(z, y, reduction)))
        compiled_value, (compiled_grad,) = step(ag.Node(z0, requires_grad=True))
    total = L.value if L.size == 1 else np.sum(L.value)
    np.testing.assert_array_equal([value, compiled_value], [total, total])
    np.testing.assert_allclose(grads["z"], zn.grad, rtol=1e-12)  # (the mean's 1/m taken apart)
    np.testing.assert_allclose(compiled_grad, zn.grad, rtol=1e-12)


@pytest.mark.parametrize("form", sorted(LOSSES_OF_LOGITS))
@pytest.mark.parametrize("zs", [[0.5, np.nan, np.inf], [np.nan]])
def test_generated_loss_of_a_nan_logit_is_an_error_as_eager(form, zs):
    """A NaN z is an error in eager and in the generated code (array and scalar), not NaN."""
    z0 = np.float64(zs[0]) if len(zs) == 1 else np.array(zs)
    y = 1.0 if len(zs) == 1 else np.ones(len(zs))
    loss = LOSSES_OF_LOGITS[form]
    with pytest.raises(ValueError, match="NaN"):
        loss(ag.Node(z0, requires_grad=True), y, "mean")
    zero = np.float64(0.0) if len(zs) == 1 else np.zeros(len(zs))
    program = ag.codegen(loss(ag.Node(zero, name="z", requires_grad=True), y, "mean"))
    assert program.scalar == (len(zs) == 1)
    where = "[0]" if len(zs) == 1 else "[1]"
    with pytest.raises(ValueError, match=rf"binary_cross_entropy\w*: the logits z hold NaN "
                                         rf"\(at index \{where[:-1]}\]\)"):
        program(z=z0)


def test_generated_limits_keep_a_float32_loss_float32():
    z = ag.Node(np.array([np.inf, 1.0], np.float32), name="z", requires_grad=True)
    L = ag.binary_cross_entropy_with_logits(z, np.ones(2, np.float32), reduction="none")
    value, _ = ag.codegen(ag.sum(L))(z=z.value)
    assert L.value.dtype == np.float32 and value.dtype == np.float32
    np.testing.assert_allclose(L.value, [0.0, np.logaddexp(0.0, 1.0) - 1.0], rtol=1e-6)
    assert value == np.sum(L.value)


def test_codegen_refuses_a_graph_changed_in_place_as_backward_does():
    z = ag.Node(np.array([0.5, -1.0]), name="z", requires_grad=True)
    a = ag.sigmoid(z)
    with ag.no_grad():
        a += 0.1
    L = ag.binary_cross_entropy(a, np.ones(2))
    with pytest.raises(RuntimeError, match="codegen: the code of sigmoid: its output .* changed"):
        ag.codegen(L)


def test_a_users_subclass_of_an_engine_op_is_generated_through_its_own_code():
    from autograd_lite.ops.elementwise import Sigmoid

    class HalfTanh(Sigmoid):
        """(tanh(x) + 1) / 2: the engine's Sigmoid's name and templates, another forward."""

        def forward(self, x):
            self.out = (np.tanh(x) + 1.0) / 2.0
            return self.out

        def backward(self, g):
            return (g * 2.0 * self.out * (1.0 - self.out),)

    w = ag.Node(0.5, name="w", requires_grad=True)
    L = HalfTanh()(w) * 1.0
    L.backward()
    value, grads = ag.codegen(L)(w=0.5)
    np.testing.assert_allclose([value, grads["w"]], [L.value, w.grad], rtol=1e-15)


def test_cross_entropy_of_float32_logits_keeps_the_dtypes_backward_gives():
    z0, y = np.ones((4, 3), np.float32), np.full((4, 3), 1 / 3)
    z = ag.Node(z0, requires_grad=True)
    L = ag.cross_entropy(z, y)
    L.backward()
    value, (grad, _) = ag.compile(lambda z, y: ag.cross_entropy(z, y))(
        ag.Node(z0, requires_grad=True), y)
    assert grad.dtype == z.grad.dtype == np.float32
    assert np.result_type(value) == np.result_type(L.value)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@given(
    # (|z| <= 700: beyond ~709 dL/da overflows with a second user, and backward() itself
    # warns there; see test_exact_loss's test of that warning)
    z=st.lists(st.floats(-700, 700), min_size=1, max_size=5),
    y=st.sampled_from([0.0, 1.0, 0.25]),
    reduction=st.sampled_from(["mean", "sum", "none"]),
)
def test_a_saturated_sigmoid_used_twice_is_generated_as_backward_computes_it(z, y, reduction):
    """a = sigmoid(z) feeding the loss and something else: its slope a(1 - a) and the loss's
    dL/da come from z in the generated code, as in backward() (from a they round to 0, or
    are floored at 1e-12, where sigmoid saturates)."""
    zv = np.array(z)
    zn = ag.Node(zv, name="z", requires_grad=True)
    a = ag.sigmoid(zn)
    L = ag.sum(ag.binary_cross_entropy(a, np.full_like(zv, y), reduction=reduction) * 2.0
               + a * 3.0)
    L.backward()
    value, grads = ag.codegen(L)(z=zv)
    np.testing.assert_allclose(value, L.value, rtol=1e-12)
    np.testing.assert_allclose(grads["z"], zn.grad, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("z", [20.0, 30.0, 40.0])
def test_the_generated_slope_of_a_saturating_sigmoid_is_backwards(z):
    zn = ag.Node(z, name="z", requires_grad=True)
    L = ag.sigmoid(zn) * 1e12
    L.backward()
    assert ag.codegen(L)(z=z)[1]["z"] == zn.grad  # (a(1 - a) from a is 0 at z = 40)
    np.testing.assert_allclose(zn.grad, 1e12 * np.exp(-z) / (1 + np.exp(-z)) ** 2, rtol=1e-14)


def test_a_float64_constant_that_widens_a_float32_value_is_kept_as_an_array():
    """x32 * np.float64(0.1) is float64 in numpy (a 0-d array promotes); written as the
    literal 0.1 it would stay float32: the constant stays an array there."""
    x32 = np.array([1.1, 2.2, 3.3], np.float32)
    x = ag.Node(x32, name="x", requires_grad=True)
    L = ag.sum(ag.exp((x * np.float64(0.1)) * 30.0))
    L.backward()
    value, grads = ag.codegen(L)(x=x32)
    assert value == L.value and np.result_type(value) == np.float64
    np.testing.assert_array_equal(grads["x"], x.grad)


def test_a_float32_branch_under_a_float64_root_is_generated():
    """The seed 1.0 cast to float32 is np.float32(1.0) (1.0.astype was a syntax-valid crash)."""
    x32 = np.array([1.0, 2.0, 3.0], np.float32)
    x = ag.Node(x32, name="x", requires_grad=True)
    y = ag.Node(np.ones(2), name="y", requires_grad=True)
    L = ag.sum(x) + ag.sum(y)
    L.backward()
    value, grads = ag.codegen(L)(x=x32, y=np.ones(2))
    assert value == L.value
    assert grads["x"].dtype == np.float32
    np.testing.assert_array_equal(grads["x"], x.grad)
