"""PyTorch's and micrograd's habits on Node: values out, indexing, comparisons, numpy's ufuncs
and np.array, and the star import."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lite as ag


def test_item_numpy_tolist_data_detach():
    x = ag.Node([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, name="x")
    assert ag.sum(x).item() == 10.0 and type(ag.sum(x).item()) is float
    assert x.numpy() is x.value and x.data is x.value
    assert x.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    d = x.detach()
    assert d is not x and d.is_leaf and not d.requires_grad and d.parents == ()
    np.testing.assert_array_equal(d.value, x.value)
    assert isinstance(ag.Node(2.5).numpy(), np.ndarray)
    with pytest.raises(ValueError, match=r"item\(\) of a Node of shape \(2, 2\): it holds 4"):
        x.item()


def test_data_can_be_set_as_micrograd_does_and_bumps_the_version():
    p = ag.Node(np.array([1.0, 2.0]), requires_grad=True)
    p.grad = np.array([1.0, 1.0])
    p.data += -0.5 * p.grad  # micrograd's update
    np.testing.assert_array_equal(p.value, [0.5, 1.5])
    assert p.version == 1 and p.is_leaf and p.requires_grad


def test_len_iteration_and_truth():
    x = ag.Node(np.arange(6.0).reshape(3, 2), requires_grad=True)
    assert len(x) == 3
    rows = list(x)
    assert [r.shape for r in rows] == [(2,)] * 3
    ag.sum(rows[0] * 1.0 + rows[2] * 2.0).backward()
    np.testing.assert_array_equal(x.grad, [[1.0, 1.0], [0.0, 0.0], [2.0, 2.0]])
    with pytest.raises(TypeError, match=r"len\(\) of a Node holding one number"):
        len(ag.Node(1.0))
    assert bool(ag.Node(1.0)) and not bool(ag.Node(0.0))
    with pytest.raises(ValueError, match=r"truth value of a Node of shape \(3, 2\)"):
        bool(x)


@pytest.mark.parametrize(
    "key",
    [0, -1, (1, 0), slice(1, None), (slice(None), 1), (Ellipsis, 0), (None, 1),
     [0, 0, 2], np.array([2, 2, 2, 0]), (np.array([0, 0]), np.array([1, 1])),
     np.array([True, False, True]), ([0, 2], slice(None, 1))],
)
def test_indexing_scatters_the_gradient_back_and_sums_repeated_indices(key):
    value = np.arange(1.0, 7.0).reshape(3, 2)
    x = ag.Node(value, requires_grad=True)
    out = x[key]
    np.testing.assert_array_equal(out.value, value[key])
    weights = np.arange(1.0, np.size(out.value) + 1.0).reshape(np.shape(out.value))
    ag.sum(out * weights).backward()
    expected = np.zeros_like(value)
    np.add.at(expected, key, weights)
    np.testing.assert_array_equal(x.grad, expected)
    assert ag.gradcheck(lambda n: ag.sum(n[key] * weights), [value])


def test_repeated_indices_sum_their_gradients():
    x = ag.Node([1.0, 2.0, 3.0], requires_grad=True)
    ag.sum(x[[0, 0, 0, 2]]).backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 1.0])


def test_a_mask_from_a_comparison_indexes():
    x = ag.Node([-1.0, 2.0, -3.0, 4.0], requires_grad=True)
    ag.sum(x[x > 0] ** 2).backward()
    np.testing.assert_array_equal(x.grad, [0.0, 4.0, 0.0, 8.0])


@given(hnp.arrays(np.float64, (5, 3), elements=st.floats(-2, 2)),
       st.lists(st.integers(-5, 4), min_size=1, max_size=8))
def test_integer_array_indexing_matches_finite_differences(value, rows):
    assert ag.gradcheck(lambda n: ag.sum(n[rows] * np.arange(1.0, 4.0)), [value])
    assert ag.gradcheck(lambda n: ag.sum(n[rows, 1] ** 2), [value])


def test_bad_indices_are_errors_that_name_the_shape():
    x = ag.Node(np.zeros((3, 2)))
    with pytest.raises(IndexError, match=r"index: a Node of shape \(3, 2\)\[5\]"):
        x[5]
    with pytest.raises(IndexError, match=r"index: .*\[0, 0, 0\]"):
        x[0, 0, 0]
    with pytest.raises(IndexError, match="whole numbers"):
        x[ag.Node([0.5])]
    np.testing.assert_array_equal(x[ag.Node([0.0, 2.0])].value, np.zeros((2, 2)))


def test_a_node_made_from_a_mask_is_an_error_as_an_index_not_positions_0_and_1():
    """Node(mask) holds 0.0 and 1.0: as positions it would silently take x[1], x[0], x[1]."""
    x = ag.Node([10.0, 20.0, 30.0], requires_grad=True)
    mask = np.array([True, False, True])
    with pytest.raises(IndexError, match=r"made from a boolean array .* \(x\[mask\], x\[x > 0\]\)"):
        x[ag.Node(mask)]
    grid = ag.Node(np.zeros((2, 3)))
    with pytest.raises(IndexError, match="made from a boolean array"):
        grid[:, ag.Node(mask)]
    np.testing.assert_array_equal(x[mask].value, [10.0, 30.0])  # the mask itself selects
    # float Nodes of 0s and 1s are positions, as any whole numbers: a swap, a gather
    np.testing.assert_array_equal(x[ag.Node([1.0, 0.0, 1.0])].value, [20.0, 10.0, 20.0])
    rows = ag.Node([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(rows[ag.Node([1.0, 0.0])].value, [[3.0, 4.0], [1.0, 2.0]])
    changed = ag.Node(np.array([True, True]))
    changed.value = [2.0, 0.0]  # no longer the mask's values: positions again
    np.testing.assert_array_equal(x[changed].value, [30.0, 10.0])


def test_comparisons_give_boolean_arrays_and_build_no_graph():
    x = ag.Node([1.0, 2.0, 3.0], requires_grad=True)
    y = ag.Node([3.0, 2.0, 1.0], requires_grad=True)
    for result, expected in [
        (x < y, [True, False, False]), (x <= y, [True, True, False]),
        (x > y, [False, False, True]), (x >= y, [False, True, True]),
        (x == y, [False, True, False]), (x != y, [True, False, True]),
        (x > 1.5, [False, True, True]), (np.array([2.0, 2.0, 2.0]) > x, [True, False, False]),
    ]:
        assert type(result) is np.ndarray and result.dtype == bool
        np.testing.assert_array_equal(result, expected)
    assert isinstance(ag.Node(1.0) == 1.0, np.bool_)


def test_equal_values_do_not_confuse_the_engine():
    """Two nodes of equal value are still two nodes: backward, walk, gradcheck and the pictures
    key them by identity (== gives an array of the values now)."""
    a = ag.Node(2.0, requires_grad=True, name="a")
    b = ag.Node(2.0, requires_grad=True, name="b")
    assert a == b and a is not b
    L = a * b + a * 3.0
    L.backward()
    assert a.grad == 5.0 and b.grad == 2.0
    assert len({a, b}) == 2 and len(list(L.walk())) == len({id(n) for n in L.walk()})
    order = L.backward_order()
    assert [n for n in order if n is a] == [a] and order.count(a) == 2  # (count uses ==: a and b)
    assert ag.gradcheck(lambda p, q: p * q + p * 3.0, [a, b])
    u = ag.Node(np.ones(3), requires_grad=True)
    v = ag.Node(np.ones(3), requires_grad=True)
    ag.sum(u * v + u).backward()
    np.testing.assert_array_equal(u.grad, [2.0, 2.0, 2.0])
    assert "digraph" in ag.viz.to_dot(L).source
    with ag.detect_anomaly():
        ag.sum(ag.exp(u) * v).backward()


def test_numpy_ufuncs_run_the_engines_op():
    x = ag.Node([0.5, 1.0, 2.0], requires_grad=True)
    arr = np.array([1.0, 2.0, 3.0])
    cases = {
        "exp": (np.exp(x), "exp"), "log": (np.log(x), "log"), "tanh": (np.tanh(x), "tanh"),
        "sqrt": (np.sqrt(x), "sqrt"), "abs": (np.abs(x), "abs"),
        "absolute": (np.absolute(x), "abs"), "negative": (np.negative(x), "neg"),
        "add": (np.add(arr, x), "add"), "subtract": (np.subtract(arr, x), "sub"),
        "multiply": (np.multiply(arr, x), "mul"), "divide": (np.divide(arr, x), "div"),
        "power": (np.power(x, 2.0), "pow"), "maximum": (np.maximum(x, 1.0), "maximum"),
        "minimum": (np.minimum(arr, x), "minimum"), "matmul": (np.matmul(arr, x), "matmul"),
        "ndarray *": (arr * x, "mul"), "ndarray @": (arr @ x, "matmul"),
        "ndarray -": (arr - x, "sub"), "ndarray /": (arr / x, "div"),
        "ndarray **": (arr ** x, "pow"), "ndarray +": (arr + x, "add"),
    }
    for what, (out, op) in cases.items():
        assert isinstance(out, ag.Node) and out.op.name == op, what
        assert out.requires_grad, what
    np.testing.assert_allclose(np.subtract(arr, x).value, arr - x.value)  # order kept
    np.testing.assert_allclose(np.divide(arr, x).value, arr / x.value)
    ag.sum(np.exp(x) * arr).backward()
    np.testing.assert_allclose(x.grad, np.exp(x.value) * arr)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda x: np.sin(x), r"np\.sin on a Node: the engine has no op for it"),
        (lambda x: np.floor(x), r"np\.floor on a Node"),
        (lambda x: np.add.reduce(x), r"np\.add\.reduce on a Node"),
        (lambda x: np.multiply.outer(x, x), r"np\.multiply\.outer on a Node"),
        (lambda x: np.exp(x, out=np.empty(3)), r"np\.exp\(\.\.\., out=\) on a Node"),
        (lambda x: np.add(x, 1.0, where=np.ones(3, bool)), r"np\.add\(\.\.\., where=\)"),
    ],
)
def test_other_ufuncs_and_ufunc_options_are_type_errors_naming_them(call, message):
    with pytest.raises(TypeError, match=message):
        call(ag.Node([1.0, 2.0, 3.0], requires_grad=True))


def test_an_in_place_ndarray_update_with_a_node_is_refused():
    arr = np.ones(3)
    with pytest.raises(TypeError, match=r"np\.add\(\.\.\., out=\)"):
        arr += ag.Node(np.ones(3), requires_grad=True)
    np.testing.assert_array_equal(arr, np.ones(3))


def test_np_sum_mean_max_call_the_methods():
    x = ag.Node([[1.0, 5.0], [3.0, 4.0]], requires_grad=True)
    assert isinstance(np.sum(x), ag.Node) and np.sum(x).item() == 13.0
    np.testing.assert_array_equal(np.mean(x, axis=0).value, [2.0, 4.5])
    assert np.max(x).item() == 5.0 and np.min(x).item() == 1.0
    with pytest.raises(TypeError, match="Node.sum: only axis and keepdims are supported"):
        x.sum(out=np.empty(()))


def test_np_array_of_a_node_that_requires_a_gradient_says_what_to_use():
    x = ag.Node([1.0, 2.0], requires_grad=True, name="w")
    for make in (np.array, np.asarray):
        with pytest.raises(TypeError, match=r"w that requires a gradient.*detach\(\).*numpy\(\)"):
            make(x)
    np.testing.assert_array_equal(np.array(x.detach()), [1.0, 2.0])
    c = ag.Node([1.0, 2.0])
    assert np.asarray(c).dtype == np.float64 and np.array(c, dtype=np.float32).dtype == np.float32
    with ag.no_grad():
        np.testing.assert_array_equal(np.asarray(x * 2.0), [2.0, 4.0])


def test_star_import_leaves_the_built_ins_alone():
    namespace: dict = {}
    exec("from autograd_lite import *", namespace)
    for builtin in ("sum", "abs", "max", "min"):
        assert builtin not in namespace
    exec("total = sum([1, 2, 3]); biggest = max(1, 5); size = abs(-2)", namespace)
    assert namespace["total"] == 6 and namespace["biggest"] == 5 and namespace["size"] == 2
    assert "softmax" in namespace and "cross_entropy" in namespace and "Node" in namespace
    assert ag.sum is ag.ops.sum and ag.abs is ag.ops.abs and ag.max and ag.min


def test_zero_grad_of_a_parameter_list():
    w = ag.Node([1.0, 2.0], requires_grad=True)
    b = ag.Node(0.5, requires_grad=True)
    ag.sum(w * b).backward()
    ag.zero_grad([w, b])
    assert w.grad is None and b.grad is None
    with pytest.raises(TypeError, match="zero_grad: expected Nodes, got ndarray"):
        ag.zero_grad([np.ones(2)])
