"""Engine bugs found by QA in the merged product (issue 12's habits), each pinned by a test."""

import numpy as np
import pytest

import autograd_lite as ag


def leaf(values, name="x"):
    return ag.Node(np.asarray(values, dtype=float), name=name, requires_grad=True)


# -- numpy functions on Nodes (__array_function__) ----------------------------------------------
def test_np_dot_of_nodes_is_the_engines_matmul_and_differentiates():
    x = leaf([1.0, 2.0, 3.0])
    y = np.dot(x, x)
    assert isinstance(y, ag.Node) and y.item() == 14.0
    y.backward()
    np.testing.assert_allclose(x.grad, [2.0, 4.0, 6.0])
    W = leaf(np.arange(6.0).reshape(2, 3), "W")
    z = np.dot(W, x)  # (2, 3) . (3,) -> (2,)
    np.testing.assert_allclose(z.value, W.value @ x.value)
    assert ag.gradcheck(lambda w: np.dot(w, x).sum(), [W])
    assert np.dot(x, 2.0).value.tolist() == [2.0, 4.0, 6.0]  # a number: a product


@pytest.mark.parametrize(
    "call, expected",
    [
        (lambda x: np.concatenate([x, np.ones(2)]), lambda v: np.concatenate([v, np.ones(2)])),
        (lambda x: np.stack([x, x], axis=1), lambda v: np.stack([v, v], axis=1)),
        (lambda x: np.where(x.value > 1.5, x, -x), lambda v: np.where(v > 1.5, v, -v)),
        (lambda x: np.sum(x, axis=0, keepdims=True), lambda v: np.sum(v, 0, keepdims=True)),
        (lambda x: np.mean(x), np.mean),
        (lambda x: np.max(x), np.max),
        (lambda x: np.amin(x), np.amin),
        (lambda x: np.reshape(x, (3, 1)), lambda v: np.reshape(v, (3, 1))),
        (lambda x: np.clip(x, 1.5, 2.5), lambda v: np.clip(v, 1.5, 2.5)),
    ],
)
def test_numpy_functions_with_an_engine_op_build_the_graph(call, expected):
    x = leaf([1.0, 2.0, 3.0])
    out = call(x)
    assert isinstance(out, ag.Node) and out.requires_grad
    np.testing.assert_allclose(out.value, expected(x.value))
    assert ag.gradcheck(lambda x: ag.sum(call(x) * np.arange(1.0, out.size + 1).reshape(out.shape)),
                        [leaf([1.0, 2.0, 3.0])])


@pytest.mark.parametrize(
    "call, names",
    [
        (lambda x: np.prod(x), ["np.prod", "x.numpy()", "x.detach()"]),
        (lambda x: np.linalg.norm(x), ["np.linalg.norm", "ag.sqrt(ag.sum(x * x))"]),
        (lambda x: np.cumsum(x), ["np.cumsum", "requires a gradient"]),
        (lambda x: np.sum(x, dtype=np.float32), ["np.sum", "dtype="]),
        (lambda x: np.dot(np.ones((2, 2, 3)), x), ["np.dot", "1-D and 2-D"]),
    ],
)
def test_other_numpy_functions_on_a_node_with_a_gradient_are_type_errors_naming_them(call, names):
    with pytest.raises(TypeError) as err:
        call(leaf([1.0, 2.0, 3.0]))
    for name in names:
        assert name in str(err.value)
    assert "would lose it" not in str(err.value)  # (np.array's message, misleading here)


def test_shape_ndim_size_and_values_of_nodes_keep_working():
    x = leaf(np.ones((2, 3)))
    assert (np.shape(x), np.ndim(x), np.size(x)) == ((2, 3), 2, 6)
    free = ag.Node(np.arange(3.0))  # no gradient: numpy works on its values, as before
    np.testing.assert_array_equal(np.asarray(free), [0.0, 1.0, 2.0])
    assert np.allclose(free, [0.0, 1.0, 2.0]) and np.cumsum(free).tolist() == [0.0, 1.0, 3.0]
    assert np.where(x.value > 0)[0].tolist() == [0, 0, 0, 1, 1, 1]


# -- a .grad of the wrong shape, set by hand ------------------------------------------------------
@pytest.mark.parametrize("bad", [np.ones(5), np.ones((2, 3)), [1.0, 2.0]])
def test_a_hand_set_grad_of_the_wrong_shape_is_an_error_naming_the_node_and_both_shapes(bad):
    n = ag.Node(np.ones(3), name="n", requires_grad=True)
    n.grad = bad
    with pytest.raises(ag.ShapeError) as err:
        (n * 1).sum().backward()
    message = str(err.value)
    assert "n" in message and str(np.shape(bad)) in message and "(3,)" in message
    assert "broadcast together" not in message


def test_a_hand_set_grad_of_the_right_shape_accumulates():
    n = ag.Node(np.ones(3), requires_grad=True)
    n.grad = np.full(3, 2.0)
    (n * 3).sum().backward()
    np.testing.assert_allclose(n.grad, [5.0, 5.0, 5.0])
    s = ag.Node(2.0, requires_grad=True)
    s.grad = 1.0  # a Python number on a scalar leaf
    (s * s).backward()
    assert s.grad == 5.0


# -- item assignment, as PyTorch ------------------------------------------------------------------
def test_item_assignment_inside_no_grad_writes_a_copy_and_keeps_the_leaf():
    w = leaf([1.0, 2.0, 3.0], "w")
    y = w * 2  # an op that used the old value
    before, saved = w.value, y.value.copy()
    with ag.no_grad():
        w[0] = 5
        w[1:] = ag.Node(np.array([7.0, 8.0]))
    assert w.is_leaf and w.requires_grad and w.version == 2
    assert w.value.tolist() == [5.0, 7.0, 8.0] and before.tolist() == [1.0, 2.0, 3.0]
    np.testing.assert_array_equal(y.value, saved)
    with pytest.raises(RuntimeError, match="changed in place"):
        y.sum().backward()  # as after w -= ...: the graph saw the old w
    (w * w).sum().backward()
    np.testing.assert_allclose(w.grad, [10.0, 14.0, 16.0])
    s = ag.Node(1.0, requires_grad=True)
    with ag.no_grad():
        s[()] = 4.0
    assert type(s.value) is np.float64 and s.item() == 4.0


def test_item_assignment_outside_no_grad_is_refused_as_in_place_subtraction():
    w = leaf([1.0, 2.0, 3.0], "w")
    with pytest.raises(RuntimeError) as subtract:
        w -= 1.0
    with pytest.raises(RuntimeError) as assign:
        w[0] = 5
    assert "outside no_grad()" in str(assign.value) and "with ag.no_grad(): w[...] =" in str(
        assign.value)
    rule = "a leaf that requires a gradient cannot change in place while the graph is recorded"
    assert rule in str(subtract.value) and rule in str(assign.value)
    assert w.value.tolist() == [1.0, 2.0, 3.0] and w.version == 0


def test_item_assignment_into_a_computed_node_or_with_bad_shapes_is_a_clear_error():
    h = leaf([1.0, 2.0, 3.0], "w") * 2
    h.name = "h"
    with pytest.raises(RuntimeError, match=r"h\[...\] = .*not differentiable.*ag.where"):
        h[0] = 1.0
    free = ag.Node(np.zeros(3), name="free")
    free[0] = 1.0  # no gradient involved: allowed, as -=
    assert free.value.tolist() == [1.0, 0.0, 0.0] and free.version == 1
    with pytest.raises(ValueError, match=r"free\[.*shape \(2,\).*shape \(3,\)"):
        free[0] = [1.0, 2.0]
    with pytest.raises(IndexError, match="free"):
        free[7] = 1.0


# -- optimisers given the wrong parameters ---------------------------------------------------------
OPTIMISERS = [lambda params: ag.optim.SGD(params, lr=0.1), lambda params: ag.optim.Adam(params)]


@pytest.mark.parametrize("make", OPTIMISERS, ids=["SGD", "Adam"])
def test_an_optimiser_given_the_parameters_method_says_to_call_it(make):
    model = ag.nn.MLP([2, 3, 1], seed=0)
    with pytest.raises(TypeError, match=r"model\.parameters\(\)") as err:
        make(model.parameters)
    assert "not iterable" not in str(err.value)
    with pytest.raises(TypeError, match=r"got the model \(MLP\).*model\.parameters\(\)"):
        make(model)
    with pytest.raises(TypeError, match="params must be a list of Nodes, got float"):
        make(0.5)
    make(model.parameters())  # the right call still works


@pytest.mark.parametrize("make", OPTIMISERS, ids=["SGD", "Adam"])
def test_an_optimiser_refuses_empty_non_node_and_gradient_free_parameters(make):
    with pytest.raises(ValueError, match="empty list of parameters"):
        make([])
    with pytest.raises(TypeError, match=r"parameter 1 is a ndarray, not a Node"):
        make([leaf([1.0]), np.ones(2)])
    with pytest.raises(ValueError, match=r"parameter 0 \(frozen\) is not a leaf .*requires_grad"):
        make([ag.Node(np.ones(2), name="frozen")])
