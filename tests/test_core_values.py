"""Values: what becomes a Node's value, which dtype it keeps, names and the short repr."""

import numpy as np
import pytest

import autograd_lite as ag


@pytest.mark.parametrize(
    ("given", "shape"),
    [
        (3, ()),
        (True, ()),
        (2.5, ()),
        ([1, 2, 3], (3,)),
        ([[1.0, 2.0], [3.0, 4.0]], (2, 2)),
        ((1, 2), (2,)),
        ([True, False], (2,)),
        (np.arange(4), (4,)),
        (np.array([True, False]), (2,)),
        (np.int32(7), ()),
        (np.array(3.0), ()),
    ],
)
def test_numbers_bools_lists_and_int_arrays_become_float64(given, shape):
    node = ag.Node(given)
    assert node.value.dtype == np.float64
    assert np.shape(node.value) == shape
    np.testing.assert_array_equal(node.value, np.asarray(given, dtype=np.float64))


@pytest.mark.parametrize("dtype", [np.float32, np.float16, np.float64])
def test_floating_arrays_keep_their_dtype(dtype):
    assert ag.Node(np.ones((2, 2), dtype=dtype)).dtype == dtype
    assert ag.Node(dtype(1.5)).dtype == dtype


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ("abc", "str"),
        (None, "NoneType"),
        (np.array([1, "a"], dtype=object), "object"),
        (np.array([1.0, 2.0], dtype=object), "object"),
        ([1.0, None], "object"),
        ([[1, 2], [3]], "ragged"),
        ([[1.0], [2.0, 3.0]], "ragged"),
        (["1", "2"], "<U1"),
        ({"a": 1}, "dict"),
        (1 + 2j, "complex"),
        (np.array([1 + 1j]), "complex"),
    ],
)
def test_anything_else_is_a_type_error_naming_what_was_given(given, named):
    with pytest.raises(TypeError, match="Node") as err:
        ag.Node(given)
    assert named in str(err.value)


def test_a_node_is_not_a_value():
    with pytest.raises(TypeError, match="Node"):
        ag.Node(ag.Node(1.0))


def test_operands_are_converted_the_same_way_and_a_bad_one_names_the_op():
    x = ag.Node([1.0, 2.0])
    assert (x + [1, 2]).value.dtype == np.float64
    with pytest.raises(TypeError, match=r"^add \(input 1\): .*str 'abc'"):
        x + "abc"
    with pytest.raises(TypeError, match=r"^sub \(input 0\): .*str 'abc'"):
        "abc" - x
    with pytest.raises(TypeError, match=r"^mul \(input 1\): .*NoneType"):
        x * None
    with pytest.raises(TypeError, match=r"^matmul \(input 1\): ragged"):
        x @ [[1.0], [2.0, 3.0]]
    with pytest.raises(TypeError, match=r"^sigmoid \(input 0\): .*object"):
        ag.sigmoid(np.array([None, None]))
    with pytest.raises(TypeError, match=r"^binary_cross_entropy \(input 1\): .*str"):
        ag.binary_cross_entropy(x * 0.1, "labels")


@pytest.mark.parametrize(
    "build",
    [
        lambda x: x * 2,
        lambda x: 2 * x,
        lambda x: x + 1.5,
        lambda x: 1 - x,
        lambda x: x / 3,
        lambda x: x**2,
        lambda x: -x,
        lambda x: ag.sigmoid(x),
        lambda x: ag.exp(x),
        lambda x: ag.log(x),
        lambda x: ag.tanh(x),
        lambda x: ag.relu(x),
        lambda x: ag.mean(x, axis=0),
        lambda x: ag.sum(x),
        lambda x: x.T @ x,
        lambda x: x.reshape(-1),
    ],
)
def test_float32_stays_float32_through_every_op_with_python_numbers(build):
    x = ag.Node(np.full((2, 2), 0.5, dtype=np.float32), requires_grad=True)
    out = build(x)
    assert out.value.dtype == np.float32
    ag.sum(out).backward()
    assert x.grad.dtype == np.float32


def test_float32_with_float64_arrays_promotes_as_numpy_does():
    x = ag.Node(np.ones(2, dtype=np.float32))
    assert (x * np.ones(2)).dtype == np.float64
    assert (np.ones(2) + x).dtype == np.float64


def test_values_match_numpy():
    rng = np.random.default_rng(1)
    a, b = rng.uniform(0.5, 2, (2, 3)), rng.uniform(0.5, 2, (3,))
    na, nb = ag.Node(a), ag.Node(b)
    np.testing.assert_allclose((na + nb).value, a + b)
    np.testing.assert_allclose((na - nb).value, a - b)
    np.testing.assert_allclose((na * nb).value, a * b)
    np.testing.assert_allclose((na / nb).value, a / b)
    np.testing.assert_allclose((na**nb).value, a**b)
    np.testing.assert_allclose((na @ nb).value, a @ b)
    np.testing.assert_allclose(na.T.value, a.T)
    np.testing.assert_allclose(ag.sigmoid(na).value, 1 / (1 + np.exp(-a)))
    np.testing.assert_allclose(ag.relu(na - 1).value, np.maximum(a - 1, 0))


def test_name_is_given_at_creation_or_set_later():
    w = ag.Node(0.5, name="w1")
    z = w * 2.0
    assert w.name == "w1" and z.name is None
    z.name = "z"
    assert z.name == "z"


def test_repr_is_short_and_shows_name_shape_value_and_grad():
    w = ag.Node(np.arange(1000.0).reshape(10, 100), name="w", requires_grad=True)
    text = repr(w)
    assert "w" in text and "(10, 100)" in text and len(text) < 200
    ag.sum(w).backward()
    assert "grad" in repr(w) and len(repr(w)) < 300
    assert repr(ag.Node(2.0, name="b")) == "Node(name='b', value=2)"


def test_shape_properties_follow_value():
    x = ag.Node(np.zeros((2, 3)))
    assert x.shape == (2, 3) and x.ndim == 2 and x.size == 6 and x.is_leaf
    assert not (x * 2).is_leaf
    assert float(ag.Node(2.5)) == 2.5
    assert float(ag.Node([[2.5]])) == 2.5


def test_float_of_a_node_of_many_numbers_is_a_type_error_naming_its_shape():
    with pytest.raises(TypeError, match=r"float\(\) of a Node of shape \(2,\)"):
        float(ag.Node([1.0, 2.0]))


def test_python_number_constants_are_shared_but_keep_sign_and_dtype():
    x = ag.Node(np.array([1.0, -2.0]), requires_grad=True)
    x32 = ag.Node(np.array([1.0], dtype=np.float32), requires_grad=True)
    a, b = x * 1.0001, x * 1.0001
    assert a.parents[1] is b.parents[1]  # one constant Node, not one per use
    assert a.parents[1].value == np.float64(1.0001) and not a.parents[1].requires_grad
    assert (x32 * 1.0001).parents[1].dtype == np.float32  # the dtype is part of the key
    assert (x32 * 1.0001).parents[1] is not a.parents[1]
    pos, neg = x * 0.0, x * -0.0
    assert np.signbit(neg.parents[1].value) and not np.signbit(pos.parents[1].value)
    np.testing.assert_array_equal(np.signbit(neg.value), [True, False])
    ag.sum(a + b).backward()
    np.testing.assert_allclose(x.grad, [2.0002, 2.0002])
    assert a.parents[1].grad is None  # constants never get a gradient


def test_a_value_set_by_hand_is_converted_as_a_new_nodes_value():
    """``X.value = next_batch`` with integers gives float64 (an integer X would make
    ``X * (1/255)`` 0), a Python float gives a numpy scalar, and anything else is a TypeError."""
    X = ag.Node(np.zeros((1, 2)), name="X")
    w = ag.Node(np.ones((2, 1)), requires_grad=True)
    X.value = np.array([[10, 200]], dtype=np.uint8)
    assert X.dtype == np.float64
    L = ag.sum((X * (1 / 255)) @ w)
    L.backward()
    np.testing.assert_allclose(L.value, 210 / 255)
    np.testing.assert_allclose(w.grad.ravel(), [10 / 255, 200 / 255])
    w.value, w.grad = 0.5, None
    assert type(w.value) is np.float64 and w.shape == ()
    (w * w).backward()
    assert w.grad == 1.0
    with pytest.raises(TypeError, match="Node.value.*str"):
        w.value = "abc"
    assert w.version == 1  # the change a new version, the refused one none


def test_a_users_forward_that_gives_integers_gives_a_float_node():
    class Step(ag.Op):
        def forward(self, x):
            return (x > 0).astype(int)

        def backward(self, grad):
            return (np.zeros_like(grad),)

    out = Step()(ag.Node([-1.0, 2.0])) * 0.5
    np.testing.assert_array_equal(out.value, [0.0, 0.5])

    class Complex(ag.Op):
        def forward(self, x):
            return x * 1j

    with pytest.raises(TypeError, match="complex.forward.*complex"):
        Complex()(ag.Node([1.0]))
