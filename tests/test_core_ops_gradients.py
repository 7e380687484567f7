"""Every op's gradient against central finite differences (ag.gradcheck, float64), with
hypothesis drawing shapes (broadcasting pairs included) and values in each op's safe domain."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lite as ag
from autograd_lite.errors import ShapeError

SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)
PAIRS = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)
# the broadcasting pairs the issue names, always checked besides what hypothesis draws
NAMED_PAIRS = [((3, 1), (1, 4)), ((2, 3), (3,)), ((), (2, 3)), ((2, 3), ()), ((4, 1), (3,))]


def values(shape, low=-2.0, high=2.0):
    """Float64 arrays of ``shape`` with elements in [low, high]."""
    return hnp.arrays(np.float64, shape, elements=st.floats(low, high, allow_subnormal=False))


def away_from_zero(shape, low=0.1, high=2.0):
    """Float64 arrays with |element| in [low, high], either sign (for relu's kink, div's pole)."""
    if not isinstance(shape, tuple):  # a strategy of shapes: draw one, then the values
        return shape.flatmap(lambda s: away_from_zero(s, low, high))
    return st.tuples(values(shape, low, high), hnp.arrays(np.bool_, shape)).map(
        lambda pair: np.where(pair[1], -pair[0], pair[0])
    )


def weighted_sum(out):
    """A scalar loss from any output, with weights that differ per element: a plain sum would
    send the same gradient to every element and hide a transposed or misplaced one."""
    weights = np.arange(1.0, out.size + 1.0).reshape(out.shape) / out.size
    return ag.sum(out * weights)


def check(fn, *inputs):
    leaves = [ag.Node(x, requires_grad=True) for x in inputs]
    report = ag.gradcheck(lambda *xs: weighted_sum(fn(*xs)), leaves)
    assert report, str(report)


@st.composite
def broadcast_pair(draw, low=-2.0, high=2.0, second=None):
    shapes = draw(st.sampled_from(NAMED_PAIRS) | PAIRS.map(lambda s: s.input_shapes))
    x = draw(values(shapes[0], low, high))
    y = draw(second(shapes[1]) if second else values(shapes[1], low, high))
    return x, y


# -- arithmetic, with broadcasting ------------------------------------------------------------
@given(broadcast_pair())
def test_add_gradient(pair):
    check(lambda x, y: x + y, *pair)


@given(broadcast_pair())
def test_sub_gradient(pair):
    check(lambda x, y: x - y, *pair)


@given(broadcast_pair())
def test_mul_gradient(pair):
    check(lambda x, y: x * y, *pair)


@given(broadcast_pair(second=away_from_zero))
def test_div_gradient(pair):
    check(lambda x, y: x / y, *pair)


@given(broadcast_pair(low=0.2, high=2.0))
def test_pow_node_to_node_gradient(pair):
    check(lambda x, y: x**y, *pair)


@given(values(SHAPES, 0.2, 2.0), st.sampled_from([2, 3, 0.5, -1.5, 1, 0, 2.5]))
def test_pow_node_to_number_gradient(x, exponent):
    check(lambda x: x**exponent, x)


@given(values(SHAPES), st.sampled_from([2, 3]))
def test_integer_pow_of_negative_values_gradient(x, exponent):
    check(lambda x: x**exponent, x)


@given(values(SHAPES))
def test_neg_gradient(x):
    check(lambda x: -x, x)


@pytest.mark.parametrize("shapes", NAMED_PAIRS)
def test_broadcast_gradients_are_summed_back_to_each_input_shape(shapes):
    rng = np.random.default_rng(0)
    x = ag.Node(rng.normal(size=shapes[0]), requires_grad=True)
    y = ag.Node(rng.normal(size=shapes[1]), requires_grad=True)
    out = x * y
    g = rng.normal(size=out.shape)
    out.backward(grad=g)
    gx, gy = g * np.broadcast_to(y.value, out.shape), g * np.broadcast_to(x.value, out.shape)
    np.testing.assert_allclose(x.grad, _sum_to(gx, x.shape))
    np.testing.assert_allclose(y.grad, _sum_to(gy, y.shape))
    assert x.grad.shape == x.shape and y.grad.shape == y.shape


def _sum_to(grad, shape):
    """The reference: sum a broadcast gradient back to ``shape`` the slow, obvious way."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


# -- reflected forms: a number or an ndarray on the left ---------------------------------------
REFLECTED = {
    "2 * x": lambda x: 2 * x,
    "1 - x": lambda x: 1 - x,
    "1.5 + x": lambda x: 1.5 + x,
    "3 / x": lambda x: 3 / x,
    "2 ** x": lambda x: 2**x,
    "ndarray + x": lambda x: np.full(x.shape, 0.5) + x,
    "ndarray - x": lambda x: np.full(x.shape, 0.5) - x,
    "ndarray * x": lambda x: np.linspace(-1, 1, x.size).reshape(x.shape) * x,
    "ndarray / x": lambda x: np.linspace(1, 2, x.size).reshape(x.shape) / x,
    "ndarray ** x": lambda x: np.full(x.shape, 1.5) ** x,
}


@pytest.mark.parametrize("form", REFLECTED)
@given(x=away_from_zero(SHAPES, 0.3, 2.0))
def test_reflected_form_gradient(form, x):
    fn = REFLECTED[form]
    node = ag.Node(x)
    result = fn(node)
    assert isinstance(result, ag.Node), f"{form} gave {type(result).__name__}, not a Node"
    np.testing.assert_allclose(result.value, fn(x))
    check(fn, x)


def test_ndarray_on_the_left_gives_a_node_not_an_object_array():
    x = ag.Node(np.ones((2, 2)), requires_grad=True)
    for result in (np.ones((2, 2)) + x, np.ones(2) * x, np.ones((3, 2)) @ x, np.float64(2) - x):
        assert type(result) is ag.Node
        assert result.value.dtype == np.float64
        assert result.requires_grad


# -- matmul: 1-D and 2-D operands, as numpy ----------------------------------------------------
@st.composite
def matmul_operands(draw):
    m, n, p = (draw(st.integers(1, 4)) for _ in range(3))
    left = draw(st.sampled_from([(m, n), (n,)]))
    right = draw(st.sampled_from([(n, p), (n,)]))
    return draw(values(left)), draw(values(right))


@given(matmul_operands())
def test_matmul_gradient(operands):
    x, y = operands
    assert ag.Node(x).__matmul__(ag.Node(y)).shape == (x @ y).shape
    check(lambda x, y: x @ y, x, y)


@given(matmul_operands())
def test_ndarray_matmul_node_gradient(operands):
    x, y = operands
    result = x @ ag.Node(y)
    assert isinstance(result, ag.Node)
    np.testing.assert_allclose(result.value, x @ y)
    check(lambda y: x @ y, y)


# -- shape ops ---------------------------------------------------------------------------------
@given(values(SHAPES))
def test_transpose_gradient(x):
    assert ag.Node(x).T.shape == x.T.shape
    check(lambda x: x.T, x)
    check(ag.transpose, x)


@st.composite
def permuted(draw):
    """An array of up to 4 axes and an order of them (some written negative, as numpy allows)."""
    x = draw(values(hnp.array_shapes(min_dims=1, max_dims=4, max_side=3)))
    order = draw(st.permutations(range(x.ndim)))
    return x, tuple(a - x.ndim if draw(st.booleans()) else a for a in order)


@given(permuted())
def test_transpose_with_axes_matches_numpy_and_its_gradient(case):
    x, axes = case
    node = ag.Node(x)
    expected = np.transpose(x, axes)
    for out in (ag.transpose(node, axes), node.transpose(axes), node.transpose(*axes),
                np.transpose(node, axes)):
        assert isinstance(out, ag.Node)
        np.testing.assert_array_equal(out.value, expected)
    check(lambda x: ag.transpose(x, axes), x)
    check(lambda x: x.transpose(*axes), x)


def test_transpose_without_axes_is_the_reversal_and_bad_axes_name_the_shape():
    x = ag.Node(np.arange(24.0).reshape(2, 3, 4))
    for out in (
        x.transpose(), x.transpose(None), ag.transpose(x, (2, 1, 0)), x.transpose(-1, 1, 0)
    ):
        assert out.op.order is None and out.shape == (4, 3, 2)  # drawn and generated as x^T
    for axes in ((0, 0, 1), (0, 1), (0, 1, 3)):
        wrong = r"transpose: axes .* not an order of the 3 axes of an input of shape \(2, 3, 4\)"
        with pytest.raises(ShapeError, match=wrong):
            x.transpose(axes)
    with pytest.raises(TypeError, match="transpose: axes must be None or a sequence of ints"):
        ag.transpose(x, "ab")
    # any sequence of ints, as numpy takes; an op object used again works out its order afresh
    for axes in (np.array([1, 0, 2]), range(3), [2, 0, 1]):
        np.testing.assert_array_equal(x.transpose(axes).value, np.transpose(x.value, axes))
    op = ag.ops.Transpose((1, 0))
    op(ag.Node(np.ones((2, 3))))
    with pytest.raises(ShapeError, match="not an order of the 3 axes"):
        op(x)
    with pytest.raises(ShapeError, match="not an order of the 3 axes"):
        x.transpose([])  # an empty order is not "reverse them", as in numpy


@st.composite
def reshapes(draw):
    x = draw(values(SHAPES))
    dims = list(x.shape)
    new = draw(st.sampled_from([(-1,), tuple(reversed(dims)), (1, *dims), (x.size, 1)]))
    return x, new


@given(reshapes())
def test_reshape_gradient(case):
    x, new_shape = case
    assert ag.Node(x).reshape(new_shape).shape == x.reshape(new_shape).shape
    assert ag.Node(x).reshape(*new_shape).shape == x.reshape(new_shape).shape
    check(lambda x: ag.reshape(x, new_shape), x)


# -- elementwise functions ---------------------------------------------------------------------
@given(values(SHAPES))
def test_exp_gradient(x):
    check(ag.exp, x)


@given(values(SHAPES, 0.2, 5.0))
def test_log_gradient(x):
    check(ag.log, x)


@given(values(SHAPES, -6.0, 6.0))
def test_sigmoid_gradient(x):
    check(ag.sigmoid, x)


@given(values(SHAPES))
def test_tanh_gradient(x):
    check(ag.tanh, x)


@given(away_from_zero(SHAPES, 0.01, 2.0))
def test_relu_gradient(x):
    check(ag.relu, x)


def test_relu_gradient_is_zero_at_and_below_zero_as_pytorch():
    x = ag.Node([-1.0, 0.0, 2.0], requires_grad=True)
    ag.sum(ag.relu(x)).backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0])


# -- reductions: axis int, negative, tuple or None; keepdims ---------------------------------
@st.composite
def reductions(draw):
    x = draw(values(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3)))
    axes = [a % x.ndim for a in draw(hnp.valid_tuple_axes(x.ndim, min_size=1))]
    form = draw(st.sampled_from(["int", "negative int", "tuple", "None"]))
    if form == "None":
        axis = None
    elif form == "tuple":
        axis = tuple(a - x.ndim if draw(st.booleans()) else a for a in axes)
    else:
        axis = axes[0] - x.ndim if form == "negative int" else axes[0]
    return x, axis, draw(st.booleans())


@pytest.mark.parametrize("name", ["sum", "mean"])
@given(case=reductions())
def test_reduction_value_shape_and_gradient(name, case):
    x, axis, keepdims = case
    reduce, reference = getattr(ag, name), getattr(np, name)
    out = reduce(ag.Node(x), axis=axis, keepdims=keepdims)
    expected = reference(x, axis=axis, keepdims=keepdims)
    assert np.shape(out.value) == np.shape(expected)
    np.testing.assert_allclose(out.value, expected)
    check(lambda x: reduce(x, axis=axis, keepdims=keepdims), x)


def test_mean_gradient_is_one_over_the_count_along_the_axis():
    x = ag.Node(np.ones((2, 5)), requires_grad=True)
    ag.mean(x, axis=-1).backward(grad=np.array([1.0, 2.0]))
    np.testing.assert_allclose(x.grad, [[0.2] * 5, [0.4] * 5])


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
@pytest.mark.parametrize(
    ("shape", "axis", "keepdims"),
    [((1000, 16), None, False), ((1000, 16), 0, False), ((7, 5, 3), (0, 2), True),
     ((3,), None, False), ((), None, False), ((0, 3), 0, False)],
)
def test_mean_is_numpys_mean_bit_for_bit_in_value_and_type(dtype, shape, axis, keepdims):
    x = (np.random.default_rng(3).standard_normal(shape) * 100).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # (the mean of nothing warns, in both)
        out, expected = ag.mean(ag.Node(x), axis=axis, keepdims=keepdims).value, np.mean(
            x, axis=axis, keepdims=keepdims
        )
    assert type(out) is type(expected) and out.dtype == expected.dtype
    np.testing.assert_array_equal(out, expected)


# -- the losses --------------------------------------------------------------------------------
@st.composite
def predictions_and_labels(draw, low=0.05, high=0.95):
    shape = draw(SHAPES)
    return draw(values(shape, low, high)), draw(values(shape, 0.0, 1.0))


@given(predictions_and_labels())
def test_binary_cross_entropy_gradient(case):
    a, y = case
    y = np.clip(y, 0.01, 0.99)  # finite differences step y both ways: keep it inside [0, 1]
    report = ag.gradcheck(ag.binary_cross_entropy, [a, y])
    assert report, str(report)


@given(predictions_and_labels())
def test_binary_cross_entropy_value_and_da_are_the_lessons_formulas(case):
    a, y = case
    node = ag.Node(a, requires_grad=True)
    loss = ag.binary_cross_entropy(node, y)
    np.testing.assert_allclose(loss.value, np.mean(-(y * np.log(a) + (1 - y) * np.log(1 - a))))
    loss.backward()
    np.testing.assert_allclose(node.grad, (-y / a + (1 - y) / (1 - a)) / a.size, rtol=1e-12)


@pytest.mark.parametrize("loss", [ag.binary_cross_entropy, ag.binary_cross_entropy_with_logits])
def test_one_label_for_every_prediction_gets_the_summed_gradient(loss):
    a = np.array([[0.2, 0.7], [0.4, 0.9]])
    report = ag.gradcheck(loss, [a, 0.3])  # y a single number, broadcast to a's shape
    assert report, str(report)
    assert report.inputs[1].shape == ()


@pytest.mark.parametrize("reduction", ["sum", "none"])
def test_binary_cross_entropy_reductions(reduction):
    a, y = np.array([0.2, 0.7, 0.9]), np.array([0.0, 1.0, 1.0])
    losses = -(y * np.log(a) + (1 - y) * np.log(1 - a))
    loss = ag.binary_cross_entropy(a, y, reduction=reduction)
    np.testing.assert_allclose(loss.value, losses.sum() if reduction == "sum" else losses)


@pytest.mark.parametrize(
    ("a", "y", "loss", "da"),
    [
        (0.0, 0.0, 0.0, 1.0),  # the slope of -log(1 - a) at a = 0
        (1.0, 1.0, 0.0, -1.0),  # the slope of -log(a) at a = 1
        (0.0, 1.0, 100.0, -1e12),  # log 0 clamped at -100; 1/a floored at 1/1e-12
        (1.0, 0.0, 100.0, 1e12),
    ],
)
def test_binary_cross_entropy_is_clamped_at_0_and_1(a, y, loss, da):
    for shape in [(), (2,)]:  # the scalar path and the array path
        node = ag.Node(np.full(shape, a), requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = ag.binary_cross_entropy(node, np.full(shape, y), reduction="sum")
            out.backward()
        # a clamp that changes the result warns once, with the count and the remedy
        if a == y:
            assert caught == []
        else:
            assert [w.category for w in caught] == [ag.ClampedLossWarning]
            text = str(caught[0].message)
            assert f"{max(node.size, 1)} of {max(node.size, 1)}" in text
            assert "binary_cross_entropy_with_logits" in text
            assert caught[0].filename == __file__  # it points at the caller's line
        np.testing.assert_allclose(out.value, loss * max(node.size, 1))
        np.testing.assert_allclose(node.grad, np.full(shape, da), rtol=1e-9)


@given(values(SHAPES, -8.0, 8.0).flatmap(lambda z: st.tuples(st.just(z), values(z.shape, 0, 1))))
def test_binary_cross_entropy_with_logits_gradient(case):
    z, y = case
    y = np.clip(y, 0.01, 0.99)  # finite differences step y both ways: keep it inside [0, 1]
    report = ag.gradcheck(ag.binary_cross_entropy_with_logits, [z, y])
    assert report, str(report)


@given(values(SHAPES, -30.0, 30.0).flatmap(lambda z: st.tuples(st.just(z), values(z.shape, 0, 1))))
def test_binary_cross_entropy_with_logits_gradient_is_exactly_a_minus_y(case):
    z, y = case
    node = ag.Node(z, requires_grad=True)
    loss = ag.binary_cross_entropy_with_logits(node, y, reduction="sum")
    loss.backward()
    a = 1.0 / (1.0 + np.exp(-z))
    np.testing.assert_allclose(node.grad, a - y, rtol=1e-14, atol=1e-16)
    expected = np.logaddexp(0.0, z) - z * y  # -(y log a + (1-y) log(1-a)), computed stably
    np.testing.assert_allclose(loss.value, np.sum(expected), rtol=1e-12, atol=1e-12)


def test_losses_of_one_example_match_the_lesson():
    a, y = 0.731, 1.0
    z = np.log(a / (1 - a))
    zn = ag.Node(z, requires_grad=True)
    an = ag.Node(a, requires_grad=True)
    fused, lesson = ag.binary_cross_entropy_with_logits(zn, y), ag.binary_cross_entropy(an, y)
    np.testing.assert_allclose(fused.value, -np.log(a))
    np.testing.assert_allclose(lesson.value, -np.log(a))
    fused.backward()
    lesson.backward()
    np.testing.assert_allclose(zn.grad, a - y)
    np.testing.assert_allclose(an.grad, -y / a + (1 - y) / (1 - a))


# -- no overflow at z = +-1000 -----------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(), (2,)])
def test_sigmoid_and_fused_loss_at_plus_minus_1000_warn_nothing_and_stay_finite(dtype, shape):
    for z0 in (-1000.0, 1000.0):
        z = ag.Node(np.full(shape, z0, dtype=dtype), requires_grad=True)
        y = np.full(shape, 1.0 if z0 < 0 else 0.0)  # the worst label for each side
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # an overflow RuntimeWarning fails the test
            a = ag.sigmoid(z)
            ag.sum(a).backward()
            z.zero_grad()
            loss = ag.binary_cross_entropy_with_logits(z, y, reduction="sum")
            loss.backward()
        np.testing.assert_array_equal(a.value, 0.0 if z0 < 0 else 1.0)
        assert np.isfinite(loss.value) and np.isfinite(z.grad).all()
        np.testing.assert_allclose(loss.value, 1000.0 * z.size)
        np.testing.assert_allclose(z.grad, -1.0 if z0 < 0 else 1.0)


def test_pow_warns_where_the_exponents_gradient_is_nan():
    x = ag.Node(np.array([-2.0, 3.0]), requires_grad=True)
    y = ag.Node(2.0, requires_grad=True)
    with pytest.warns(RuntimeWarning, match="pow: the gradient for the exponent.*negative"):
        ag.sum(x**y).backward()
    assert np.isnan(y.grad)
    np.testing.assert_allclose(x.grad, [-4.0, 6.0])
    z = ag.Node(np.array([2.0, 3.0]), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ag.sum(z**y).backward()  # no negative base: no warning


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # (numpy's divide by zero, of 0 ** -1)
def test_pow_at_a_zero_base_gives_the_exponents_limits_as_torch():
    """d(x^y)/dy = x^y log x at x = 0: 0 where y >= 0 (0 * -inf taken as its limit), and -inf
    where y < 0 (x^y is inf there: inf * -inf), +inf at x = -0.0 with an odd y < 0; the same in
    eager, in array programs and in scalar ones (which fall back to numpy at 0 ** -1)."""
    cases = [(0.0, -1.0, -np.inf), (-0.0, -1.0, np.inf), (0.0, -0.5, -np.inf), (0.0, 2.0, 0.0),
             (0.0, 0.0, 0.0), (2.0, -1.0, 0.5 * np.log(2.0))]
    for xv, yv, expected in cases:
        for value in (np.array(xv), xv):  # a 0-d array, a float64 scalar graph
            x, y = ag.Node(value, name="x"), ag.Node(np.float64(yv), name="y", requires_grad=True)
            out = x**y
            out.backward()
            assert y.grad == pytest.approx(expected), (xv, yv)
            _, grads = ag.codegen(out)(x=value, y=yv)
            assert grads["y"] == pytest.approx(expected), (xv, yv, "generated")
