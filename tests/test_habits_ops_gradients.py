"""The new ops and Node methods against central finite differences (ag.gradcheck), with
hypothesis drawing shapes and values away from each op's kinks."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lite as ag

SHAPES = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)
PAIRS = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)


def values(shape, low=-2.0, high=2.0):
    return hnp.arrays(np.float64, shape, elements=st.floats(low, high, allow_subnormal=False))


def distinct(shape, low=-2.0, high=2.0):
    """Arrays whose elements are at least 0.01 apart: no ties and no kink within eps."""
    return hnp.arrays(
        np.float64, shape, elements=st.integers(int(low * 100), int(high * 100)), unique=True
    ).map(lambda a: a / 100.0)


def weighted_sum(out):
    """A scalar loss whose weights differ per element (a plain sum hides misplaced gradients)."""
    weights = np.arange(1.0, out.size + 1.0).reshape(out.shape) / out.size
    return ag.sum(out * weights)


def check(fn, *inputs):
    report = ag.gradcheck(lambda *xs: weighted_sum(fn(*xs)), list(inputs))
    assert report, str(report)


@given(distinct(SHAPES).filter(lambda a: np.all(np.abs(a) > 0.005)))
def test_abs(x):
    check(ag.abs, x)
    check(lambda n: abs(n), x)
    check(lambda n: n.abs(), x)


@given(values(SHAPES, 0.1, 3.0))
def test_sqrt(x):
    check(ag.sqrt, x)
    check(lambda n: n.sqrt(), x)


@given(PAIRS.flatmap(lambda s: st.tuples(values(s.input_shapes[0]), values(s.input_shapes[1]))))
def test_maximum_and_minimum_where_the_two_differ(pair):
    x, y = pair
    if np.any(np.abs(np.subtract(x, y)) < 1e-3):
        x = x + 0.5  # (far enough from the kink for finite differences; ties are tested apart)
    if np.any(np.abs(np.subtract(x, y)) < 1e-3):
        return
    check(ag.maximum, x, y)
    check(ag.minimum, x, y)


def test_maximum_and_minimum_split_a_tie_evenly_as_pytorch():
    x = ag.Node([1.0, 2.0, 3.0], requires_grad=True)
    y = ag.Node([1.0, 0.0, 5.0], requires_grad=True)
    ag.sum(ag.maximum(x, y)).backward()
    np.testing.assert_array_equal(x.grad, [0.5, 1.0, 0.0])
    np.testing.assert_array_equal(y.grad, [0.5, 0.0, 1.0])
    x.grad = y.grad = None
    ag.sum(ag.minimum(x, y)).backward()
    np.testing.assert_array_equal(x.grad, [0.5, 0.0, 1.0])
    np.testing.assert_array_equal(y.grad, [0.5, 1.0, 0.0])


@given(distinct(SHAPES, -3.0, 3.0).filter(lambda a: np.all(np.abs(np.abs(a) - 1.0) > 0.005)))
def test_clip(x):
    check(lambda n: ag.clip(n, -1.0, 1.0), x)
    check(lambda n: n.clip(low=-1.0), x)
    check(lambda n: n.clip(high=1.0), x)


def test_clip_passes_the_gradient_at_its_ends_and_refuses_no_bounds():
    x = ag.Node([-2.0, -1.0, 0.0, 1.0, 2.0], requires_grad=True)
    ag.sum(ag.clip(x, -1.0, 1.0)).backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, 1.0, 1.0, 0.0])
    with pytest.raises(ValueError, match="clip: give low, high or both"):
        ag.clip(x)
    with pytest.raises(ValueError, match="clip: low = 2 is above high = 1"):
        ag.clip(x, 2, 1)


@given(
    SHAPES.flatmap(lambda s: st.tuples(distinct(s), st.integers(-len(s), len(s) - 1) | st.none())),
    st.booleans(),
)
def test_max_and_min_reductions(x_axis, keepdims):
    x, axis = x_axis
    check(lambda n: ag.max(n, axis=axis, keepdims=keepdims), x)
    check(lambda n: ag.min(n, axis=axis, keepdims=keepdims), x)
    check(lambda n: n.max(axis=axis, keepdims=keepdims), x)
    np.testing.assert_array_equal(ag.max(x, axis=axis, keepdims=keepdims).value,
                                  np.max(x, axis=axis, keepdims=keepdims))
    np.testing.assert_array_equal(ag.min(x, axis=axis, keepdims=keepdims).value,
                                  np.min(x, axis=axis, keepdims=keepdims))


def test_max_gives_the_gradient_to_the_arg_max_and_splits_ties_as_amax():
    x = ag.Node([[1.0, 3.0, 3.0], [5.0, 0.0, 2.0]], requires_grad=True)
    ag.sum(ag.max(x, axis=1) * np.array([1.0, 10.0])).backward()
    np.testing.assert_array_equal(x.grad, [[0.0, 0.5, 0.5], [10.0, 0.0, 0.0]])
    x.grad = None
    x.min().backward()
    np.testing.assert_array_equal(x.grad, [[0.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


@st.composite
def arrays_to_join(draw):
    """1 to 3 arrays that agree on every axis but one, and that axis (maybe negative)."""
    shape = draw(SHAPES)
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    at = axis % len(shape)
    count = draw(st.integers(1, 3))
    sizes = [draw(st.integers(1, 3)) for _ in range(count)]
    return [draw(values(shape[:at] + (n,) + shape[at + 1:])) for n in sizes], axis


@given(arrays_to_join())
def test_concatenate(arrays_axis):
    arrays, axis = arrays_axis
    check(lambda *xs: ag.concatenate(list(xs), axis=axis), *arrays)
    np.testing.assert_array_equal(ag.concatenate(arrays, axis=axis).value,
                                  np.concatenate(arrays, axis=axis))


@given(SHAPES.flatmap(lambda s: st.tuples(
    st.lists(values(s), min_size=1, max_size=3), st.integers(-len(s) - 1, len(s)))))
def test_stack(arrays_axis):
    arrays, axis = arrays_axis
    check(lambda *xs: ag.stack(list(xs), axis=axis), *arrays)
    np.testing.assert_array_equal(ag.stack(arrays, axis=axis).value, np.stack(arrays, axis=axis))


@given(PAIRS.flatmap(lambda s: st.tuples(
    values(s.input_shapes[0]), values(s.input_shapes[1]), hnp.arrays(np.bool_, s.result_shape))))
def test_where_is_differentiable_in_both_branches(xyc):
    x, y, condition = xyc
    check(lambda a, b: ag.where(condition, a, b), x, y)
    np.testing.assert_array_equal(ag.where(condition, x, y).value, np.where(condition, x, y))


def test_where_takes_a_node_condition_and_refuses_a_non_numeric_one():
    x = ag.Node([1.0, -2.0, 3.0], requires_grad=True)
    out = ag.where(x > 0, x, 0.0)  # a boolean array from a comparison
    np.testing.assert_array_equal(out.value, [1.0, 0.0, 3.0])
    out = ag.where(ag.Node([1.0, 0.0, 1.0]), x, -x)  # a Node's value: nonzero is True
    ag.sum(out).backward()
    np.testing.assert_array_equal(x.grad, [1.0, -1.0, 1.0])
    with pytest.raises(TypeError, match=r"where \(input 0\): cannot make a numeric value"):
        ag.where(np.array(["a", "b", "c"]), x, x)


@given(SHAPES.flatmap(lambda s: st.tuples(values(s), st.integers(-len(s), len(s) - 1))))
def test_softmax_and_log_softmax(x_axis):
    x, axis = x_axis
    check(lambda n: ag.softmax(n, axis=axis), x)
    check(lambda n: ag.log_softmax(n, axis=axis), x)
    np.testing.assert_allclose(np.sum(ag.softmax(x, axis=axis).value, axis=axis), 1.0)


@given(SHAPES.flatmap(lambda s: st.tuples(values(s), st.integers(-len(s), len(s) - 1) | st.none())),
       st.booleans())
def test_sum_and_mean_methods(x_axis, keepdims):
    x, axis = x_axis
    check(lambda n: n.sum(axis=axis, keepdims=keepdims), x)
    check(lambda n: n.mean(axis=axis, keepdims=keepdims), x)


@given(values(SHAPES, 0.2, 2.0))
def test_the_elementwise_methods(x):
    for method in ("exp", "log", "sigmoid", "tanh", "sqrt"):
        check(lambda n, m=method: getattr(n, m)(), x)
        np.testing.assert_allclose(getattr(ag.Node(x), method)().value,
                                   getattr(ag, method)(x).value)
    check(lambda n: (n - 1.0).relu(), x + np.where(np.abs(x - 1.0) < 0.01, 0.05, 0.0))


def test_torch_agrees_on_values_and_gradients_kinks_included():
    torch = pytest.importorskip("torch", reason="torch is not installed: checked against finite "
                                                "differences and closed forms above")
    x = np.array([[-1.0, 0.0, 1.0, 2.0], [0.5, 0.5, -3.0, 1.0]])  # zeros, ties, clip ends
    y = np.array([[-1.0, 1.0, 1.0, 0.0], [0.5, 2.0, -4.0, 1.0]])
    index = [1, 1, 0]
    cases = {
        "abs": (lambda a, b, lib: lib.abs(a)),
        "sqrt": (lambda a, b, lib: (a * a + 1.0).sqrt()),
        "maximum": (lambda a, b, lib: lib.maximum(a, b)),
        "minimum": (lambda a, b, lib: lib.minimum(a, b)),
        "clip": (lambda a, b, lib: a.clip(-1.0, 1.0) if lib is ag else a.clamp(-1.0, 1.0)),
        "where": (lambda a, b, lib: lib.where(
            (x > 0) if lib is ag else torch.tensor(x > 0), a, b)),
        "index": (lambda a, b, lib: a[index] * 1.0),
        "concatenate": (lambda a, b, lib: (ag.concatenate([a, b], axis=1) if lib is ag
                                           else torch.cat([a, b], dim=1))[:, ::2]),
        "stack": (lambda a, b, lib: (ag.stack([a, b], axis=1) if lib is ag
                                     else torch.stack([a, b], dim=1))[:, 0]),
        "log_softmax": (lambda a, b, lib: ag.log_softmax(a, axis=0) if lib is ag
                        else torch.log_softmax(a, dim=0)),
    }
    for name, fn in cases.items():
        a, b = ag.Node(x, requires_grad=True), ag.Node(y, requires_grad=True)
        out = fn(a, b, ag)
        w = np.arange(1.0, out.size + 1.0).reshape(out.shape)
        ag.sum(out * w).backward()
        ta = torch.tensor(x, requires_grad=True)
        tb = torch.tensor(y, requires_grad=True)
        tout = fn(ta, tb, torch)
        (tout * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(out.value, tout.detach().numpy(), rtol=1e-12, err_msg=name)
        np.testing.assert_allclose(a.grad, ta.grad.numpy(), rtol=1e-12, err_msg=name)
        tb_grad = np.zeros_like(y) if tb.grad is None else tb.grad.numpy()
        b_grad = np.zeros_like(y) if b.grad is None else b.grad
        np.testing.assert_allclose(b_grad, tb_grad, rtol=1e-12, err_msg=name)
