"""In-place updates as in PyTorch: inside no_grad() a parameter keeps its identity and gets a new
version; outside it a leaf that requires a gradient refuses; backward through an op that used an
older version is an error naming the node."""

import numpy as np
import pytest

import autograd_lite as ag


def loss_of(w, x):
    return ag.sum((x @ w) ** 2)


@pytest.mark.parametrize(
    ("update", "expected"),
    [
        (lambda w, g: w.__isub__(0.1 * g), lambda v, g: v - 0.1 * g),
        (lambda w, g: w.__iadd__(g), lambda v, g: v + g),
        (lambda w, g: w.__imul__(2.0), lambda v, g: v * 2.0),
        (lambda w, g: w.__itruediv__(4.0), lambda v, g: v / 4.0),
    ],
    ids=["-=", "+=", "*=", "/="],
)
def test_in_place_inside_no_grad_keeps_the_same_leaf(update, expected):
    w = ag.Node(np.array([[1.0], [-2.0]]), requires_grad=True, name="w")
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    loss_of(w, x).backward()
    before, grad, same = w.value.copy(), w.grad, w
    with ag.no_grad():
        result = update(w, w.grad)
    assert result is same
    assert w.is_leaf and w.requires_grad and w.version == 1 and w.grad is grad
    np.testing.assert_array_equal(w.value, expected(before, grad))
    w.grad = None
    loss_of(w, x).backward()  # the next step works: a new graph on the same leaf
    assert w.grad.shape == (2, 1)


def test_the_sgd_habit_trains_and_the_graph_does_not_grow():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 3))
    y = x @ np.array([[1.0], [-2.0], [0.5]])
    w = ag.Node(np.zeros((3, 1)), requires_grad=True)
    for _ in range(300):
        loss = ag.mean((x @ w - y) ** 2)
        w.grad = None
        loss.backward()
        with ag.no_grad():
            w -= 0.1 * w.grad
    assert w.is_leaf and w.parents == () and w.version == 300
    np.testing.assert_allclose(w.value, [[1.0], [-2.0], [0.5]], atol=1e-6)


def test_in_place_keeps_the_dtype_and_the_shape():
    w = ag.Node(np.ones(3, dtype=np.float32), requires_grad=True)
    with ag.no_grad():
        w -= np.full(3, 0.5)  # a float64 update of a float32 parameter
        assert w.dtype == np.float32
        with pytest.raises(ag.ShapeError, match=r"Node -=: a value of shape \(3,\) -= one of"):
            w -= np.ones((2, 3))
    np.testing.assert_array_equal(w.value, [0.5, 0.5, 0.5])


def test_in_place_writes_a_new_array_so_the_callers_array_is_untouched():
    start = np.array([1.0, 2.0])
    w = ag.Node(start, requires_grad=True)
    with ag.no_grad():
        w -= 1.0
    np.testing.assert_array_equal(start, [1.0, 2.0])
    np.testing.assert_array_equal(w.value, [0.0, 1.0])


def test_outside_no_grad_a_leaf_that_requires_a_gradient_refuses_and_says_what_to_do():
    w = ag.Node([1.0, 2.0], requires_grad=True, name="w")
    w.grad = np.ones(2)
    with pytest.raises(RuntimeError, match=r"w -= \.\.\. outside no_grad\(\).*optimiser"):
        w -= 0.1 * w.grad
    np.testing.assert_array_equal(w.value, [1.0, 2.0])
    assert w.version == 0


def test_outside_no_grad_other_nodes_update_as_numpy_or_record_the_graph():
    c = ag.Node([1.0, 2.0])  # a constant: nothing to differentiate, so in place
    same = c
    c += 1.0
    assert c is same and c.version == 1
    np.testing.assert_array_equal(c.value, [2.0, 3.0])
    w = ag.Node([1.0, 2.0], requires_grad=True)
    z = w * 2.0  # an op node: z -= w records z - w, as z = z - w would
    z_before = z
    z -= w
    assert z is not z_before and z.op.name == "sub"
    ag.sum(z).backward()
    np.testing.assert_array_equal(w.grad, [1.0, 1.0])
    c -= w  # a constant updated with a parameter: recorded too
    assert c.requires_grad and c.op.name == "sub"


def test_backward_through_an_op_that_saw_an_older_version_names_the_node():
    w = ag.Node(np.array([1.0, 2.0]), requires_grad=True, name="w")
    x = np.array([3.0, 4.0])
    loss = ag.sum(w * x)
    with ag.no_grad():
        w -= 1.0
    message = r"backward through mul: its input 0 \(w\) was changed in place after mul used it"
    with pytest.raises(RuntimeError, match=message + r" \(it is now at version 1\)"):
        loss.backward()
    ag.sum(w * x).backward()  # a forward pass after the update is fine
    np.testing.assert_array_equal(w.grad, x)


def test_a_constant_changed_after_use_is_caught_too():
    w = ag.Node(np.array([1.0, 2.0]), requires_grad=True)
    x = ag.Node(np.array([3.0, 4.0]), name="x")
    loss = ag.sum(x * w)
    x *= 2.0
    with pytest.raises(RuntimeError, match=r"input 0 \(x\) was changed in place"):
        loss.backward()


def test_data_assignment_after_use_is_caught():
    w = ag.Node(np.array([1.0, 2.0]), requires_grad=True, name="w")
    loss = ag.sum(ag.exp(w))
    w.data = np.array([0.0, 0.0])
    with pytest.raises(RuntimeError, match=r"backward through exp: its input 0 \(w\)"):
        loss.backward()


def test_an_op_node_changed_after_it_was_computed_is_caught():
    w = ag.Node(np.array([1.0, 2.0]), requires_grad=True)
    a = ag.exp(w)  # exp saves its output for backward
    a.name = "a"
    a.data += 1.0  # numpy writes into the very array exp saved
    with pytest.raises(RuntimeError, match=r"backward through exp: its output \(a\) was changed"):
        ag.sum(a).backward()


def test_backward_checks_versions_only_for_nodes_made_before_an_in_place_change(monkeypatch):
    import autograd_lite.node as node_module

    checked = []
    real_check = node_module._check_versions
    def counting_check(n):
        checked.append(n)
        real_check(n)

    monkeypatch.setattr(node_module, "_check_versions", counting_check)
    w = ag.Node(np.ones(3), requires_grad=True)
    old = ag.sum(w * 2.0)
    with ag.no_grad():
        w -= 0.5
    new = ag.sum(w * 2.0)  # the next step's graph, made after the update: nothing to check
    new.backward()
    assert checked == []
    with pytest.raises(RuntimeError, match="changed in place"):
        old.backward()
    assert checked  # the old graph's nodes were checked, and its mul refused


@pytest.mark.parametrize("other", [np.ones(3), np.ones((2, 2))])
def test_an_in_place_update_of_another_shape_names_both_shapes(other):
    w = ag.Node(np.ones(2), requires_grad=True)
    with ag.no_grad(), pytest.raises(ag.ShapeError, match=r"Node -=.*\(2,\).*in place"):
        w -= other
    w.grad = np.ones(3)
    with pytest.raises(ag.ShapeError, match=r"\(2,\)"):
        ag.optim.SGD([w], lr=0.1).step()
