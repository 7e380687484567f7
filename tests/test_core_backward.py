"""backward(): fan-out, depth, accumulation, the .grad life cycle, seeds, and skipped branches."""

import numpy as np
import pytest

import autograd_lite as ag


def leaf(value, name=None):
    return ag.Node(value, name=name, requires_grad=True)


# -- fan-out: a node used twice ----------------------------------------------------------------
def test_x_times_x_keeps_both_parents_and_gets_2x():
    x = leaf(np.array([1.5, -2.0]))
    y = x * x
    assert type(y.parents) is tuple
    assert len(y.parents) == 2 and y.parents[0] is x and y.parents[1] is x
    ag.sum(y).backward()
    np.testing.assert_allclose(x.grad, 2 * x.value)


def test_parents_are_kept_in_order():
    a, b = leaf(3.0, "a"), leaf(5.0, "b")
    for out in (a - b, a / b, a**b, b - a):
        assert len(out.parents) == 2
    assert (a - b).parents[0] is a and (a - b).parents[1] is b
    assert (b - a).parents[0] is b and (b - a).parents[1] is a
    out = a - b
    out.backward()
    assert a.grad == 1.0 and b.grad == -1.0


def test_fan_out_through_a_diamond_sums_every_path():
    x = leaf(0.7)
    s = ag.sigmoid(x)
    out = s * ag.exp(x) + s + x * 3.0  # x reaches out along four paths
    out.backward()
    sig, e = 1 / (1 + np.exp(-0.7)), np.exp(0.7)
    ds = sig * (1 - sig)
    np.testing.assert_allclose(x.grad, ds * e + sig * e + ds + 3.0)


# -- depth: iterative, not recursive -----------------------------------------------------------
def test_a_chain_of_100000_ops_back_propagates():
    x = leaf(2.0)
    y = x
    for _ in range(100_000):
        y = -y
    y.backward()
    assert x.grad == 1.0  # (-1) ** 100000
    assert y.parents[0].parents[0].grad == 1.0
    y.zero_grad()  # walks the same depth, also without recursion
    assert x.grad is None and y.grad is None


# -- accumulation and zero_grad ----------------------------------------------------------------
def test_gradients_accumulate_across_backward_calls_and_zero_grad_clears_them():
    w = leaf(np.array([0.5, -1.0]), "w")
    x = np.array([2.0, 3.0])
    z = ag.sum(w * x)
    L = z * z
    L.backward()
    first_w, first_z = w.grad.copy(), z.grad.copy()
    L.backward()  # the graph is still there, and the gradients add up
    np.testing.assert_allclose(w.grad, 2 * first_w)
    np.testing.assert_allclose(z.grad, 2 * first_z)
    L.zero_grad()
    assert all(node.grad is None for node in (w, z, L))
    L.backward()
    np.testing.assert_allclose(w.grad, first_w)


def test_a_second_graph_on_the_same_leaf_adds_to_its_gradient():
    w = leaf(3.0)
    (w * 2.0).backward()
    (w * 5.0).backward()
    assert w.grad == 7.0


def test_repeated_backward_keeps_the_graph():
    x = leaf(np.array([1.0, 2.0]))
    y = ag.exp(x)
    L = ag.sum(y)
    parents_before, op_before = L.parents, L.op
    for n in range(1, 4):
        L.backward()
        np.testing.assert_allclose(x.grad, n * np.exp(x.value))
    assert L.parents is parents_before and L.op is op_before and L.parents[0] is y
    assert y.parents[0] is x


# -- the .grad life cycle ----------------------------------------------------------------------
def test_lesson_graph_intermediates_keep_their_gradients():
    x1, x2, y = 1.0, -2.0, 1.0
    w1, w2, b = leaf(0.5, "w1"), leaf(-0.3, "w2"), leaf(0.1, "b")
    z = w1 * x1 + w2 * x2 + b
    a = ag.sigmoid(z)
    L = ag.binary_cross_entropy(a, y)
    assert z.grad is None and a.grad is None and w1.grad is None
    L.backward()
    av = float(a.value)
    dz = av - y
    np.testing.assert_allclose(L.grad, 1.0)
    np.testing.assert_allclose(a.grad, -y / av + (1 - y) / (1 - av))
    np.testing.assert_allclose(z.grad, dz)
    np.testing.assert_allclose([w1.grad, w2.grad, b.grad], [x1 * dz, x2 * dz, dz])


def test_grad_is_none_until_reached_and_other_leaves_keep_none():
    w = leaf(np.ones(3))
    data = ag.Node(np.arange(3.0))
    unused = w * 2.0  # requires a gradient but is not on the path from L
    L = ag.sum(w * data)
    L.backward()
    assert unused.grad is None
    assert data.grad is None
    assert w.grad is not None


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_grad_has_the_shape_and_dtype_of_value(dtype):
    w = leaf(np.ones((2, 3), dtype=dtype))
    b = leaf(np.zeros((3,), dtype=dtype))
    s = leaf(np.array(2.0, dtype=dtype))
    h = ag.tanh(w * s + b)  # b and s are broadcast
    L = ag.mean(h * np.arange(6.0).reshape(2, 3).astype(dtype))
    L.backward()
    for node in (w, b, s, h, L):
        assert node.grad.shape == node.value.shape, node
        assert node.grad.dtype == node.value.dtype == dtype, node


def test_float32_stays_float32_even_beside_float64_data():
    w = leaf(np.ones((3, 1), dtype=np.float32))
    X = np.arange(6.0).reshape(2, 3)  # float64 data
    L = ag.sum(X @ w)
    L.backward()
    assert w.grad.dtype == np.float32
    np.testing.assert_allclose(w.grad, X.sum(axis=0).reshape(3, 1))


# -- seeds -------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(), (1,), (1, 1)])
def test_an_output_of_size_1_seeds_1(shape):
    x = leaf(np.full(shape, 3.0))
    out = x * x
    out.backward()
    np.testing.assert_allclose(out.grad, np.ones(shape))
    np.testing.assert_allclose(x.grad, np.full(shape, 6.0))
    assert x.grad.shape == shape


def test_a_non_scalar_output_needs_grad_and_the_error_says_so():
    x = leaf(np.array([1.0, 2.0, 3.0]))
    y = x * x
    with pytest.raises(RuntimeError, match=r"grad=") as err:
        y.backward()
    assert "(3,)" in str(err.value)
    assert x.grad is None  # nothing was half-done


def test_an_explicit_grad_gives_the_vector_jacobian_product():
    x = leaf(np.array([1.0, 2.0, 3.0]))
    y = x * x
    g = np.array([1.0, 0.5, -2.0])
    y.backward(grad=g)
    np.testing.assert_allclose(x.grad, g * 2 * x.value)
    np.testing.assert_allclose(y.grad, g)
    g[0] = 100.0  # the caller's array is not the stored gradient
    assert y.grad[0] == 1.0


def test_a_grad_of_the_wrong_shape_is_an_error_naming_both_shapes():
    y = leaf(np.ones((3, 1))) * 2.0
    with pytest.raises(ag.ShapeError, match=r"\(3,\).*\(3, 1\)"):
        y.backward(grad=np.ones(3))


def test_each_leaf_owns_its_grad_array_as_in_pytorch():
    x, b = leaf(np.array([1.0, 2.0])), leaf(np.array([0.0, 0.0]))
    z = x + b  # add hands the same gradient array to both inputs
    ag.sum(z.reshape(2, 1)).backward()
    np.clip(x.grad, 0.0, 0.5, out=x.grad)  # e.g. clipping one parameter's gradient in place
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])
    np.testing.assert_array_equal(z.grad, [1.0, 1.0])


def test_the_seed_takes_the_outputs_dtype():
    x = leaf(np.ones(2, dtype=np.float32))
    y = x * 2.0
    y.backward(grad=[1, 2])  # ints: converted, then cast to the output's float32
    assert y.grad.dtype == np.float32 and x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad, [2.0, 4.0])


def test_backward_on_a_node_that_requires_no_gradient_is_an_error():
    out = ag.Node(2.0) * ag.Node(3.0)
    assert not out.requires_grad
    with pytest.raises(RuntimeError, match="does not require a gradient"):
        out.backward()
    with pytest.raises(RuntimeError, match="does not require a gradient"):
        ag.Node(1.0).backward()


def test_backward_on_a_marked_leaf_seeds_it():
    w = leaf(np.array([[4.0]]))
    w.backward()
    np.testing.assert_allclose(w.grad, [[1.0]])


# -- requires_grad and skipped branches --------------------------------------------------------
def test_requires_grad_spreads_from_marked_leaves_only():
    w, x = leaf(1.0), ag.Node(2.0)
    assert (w * x).requires_grad and (x * w).requires_grad
    assert not (x * x).requires_grad
    assert ag.exp(x).requires_grad is False and ag.exp(w).requires_grad is True


class Spy(ag.Op):
    """out = x; counts how often its backward runs."""

    calls = 0

    def forward(self, x):
        return x.copy()

    def backward(self, g):
        Spy.calls += 1
        return (g,)


def test_a_branch_to_no_marked_leaf_is_never_differentiated():
    Spy.calls = 0
    X = Spy()(ag.Node(np.arange(6.0).reshape(3, 2)))  # data, computed: X.op is a Spy
    w = leaf(np.array([[0.5], [-1.0]]))
    wide = Spy()(w)  # on the path to w: must run
    out = X @ wide
    L = ag.sum(out)
    L.backward()
    assert Spy.calls == 1  # only the Spy on w's side
    assert X.grad is None and X.parents[0].grad is None
    np.testing.assert_allclose(w.grad, X.value.sum(axis=0).reshape(2, 1))
    # and matmul was told not to compute dL/dX at all
    assert out.op.needs_input_grad == (False, True)
    assert out.op.backward(np.ones(out.shape))[0] is None


@pytest.mark.parametrize(
    "build",
    [
        lambda X, w: X @ w,
        lambda X, w: X * w,
        lambda X, w: X / w,
        lambda X, w: X**w,
    ],
)
def test_binary_ops_compute_no_gradient_for_an_input_that_needs_none(build):
    # (add and sub hand g on as it is for free; these would each do real work)
    X = ag.Node(np.full((2, 2), 1.5))
    w = leaf(np.full((2, 2), 0.5))
    out = build(X, w)
    g_X, g_w = out.op.backward(np.ones(out.shape))
    assert g_X is None and g_w is not None
    out = build(w, X)
    g_w, g_X = out.op.backward(np.ones(out.shape))
    assert g_X is None and g_w is not None


def test_an_op_object_used_twice_keeps_each_nodes_saved_values():
    mul = ag.ops.Mul()
    a, b = leaf(3.0), leaf(5.0)
    first = mul(a, a)
    second = mul(b, b)
    assert first.op is not second.op
    first.backward()
    second.backward()
    assert a.grad == 6.0 and b.grad == 10.0


def test_backward_order_is_the_order_backward_handles_nodes():
    handled = []

    class Spy(ag.Op):
        """out = x; dout/dx = 1 (records when its backward runs)."""

        formulas = ("1",)

        def forward(self, x):
            return x

        def backward(self, g):
            handled.append(self.out_name)
            return (g,)

    def spy(x, name):
        op = Spy()
        op.out_name = name
        out = op(x)
        out.name = name
        return out

    x = leaf(0.3, "x")
    p = spy(x, "p")
    q = spy(p * 2.0, "q")
    r = spy(p + x, "r")  # p reaches the output along two paths, x along three
    out = spy(q * r + p, "out")
    out.backward()
    order = [n.name for n in out.backward_order() if isinstance(n.op, Spy)]
    assert order == handled == ["out", "r", "q", "p"]
    assert out.backward_order()[0] is out and out.backward_order()[-1] is x
