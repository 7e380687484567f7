"""Every bad input gets an exception naming the op and what is wrong; never a bare numpy
message, an AssertionError or a silent wrong number."""

import re

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import datasets, logistic, shallow


def node(shape, fill=0.5, requires_grad=False):
    return ag.Node(np.full(shape, fill), requires_grad=requires_grad)


# -- shapes ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("left", "right", "message"),
    [
        ((3, 2), (3, 1), "matmul: (3, 2) @ (3, 1)"),
        ((3,), (4,), "matmul: (3,) @ (4,)"),
        ((2, 3), (2,), "matmul: (2, 3) @ (2,)"),
        ((4,), (3, 2), "matmul: (4,) @ (3, 2)"),
        ((), (3,), "matmul: () @ (3,)"),
        ((2, 2, 2), (2, 2), "matmul: (2, 2, 2) @ (2, 2)"),
    ],
)
def test_matmul_shape_errors_name_the_op_and_both_shapes(left, right, message):
    with pytest.raises(ag.ShapeError) as err:
        node(left) @ node(right)
    assert str(err.value).startswith(message)
    with pytest.raises(ag.ShapeError, match=re.escape(message)):
        np.full(left, 0.5) @ node(right)  # the reflected form says the same


@pytest.mark.parametrize(
    ("name", "apply"),
    [
        ("add", lambda x, y: x + y),
        ("sub", lambda x, y: x - y),
        ("mul", lambda x, y: x * y),
        ("div", lambda x, y: x / y),
        ("pow", lambda x, y: x**y),
    ],
)
@pytest.mark.parametrize(("left", "right"), [((3,), (4,)), ((2, 3), (3, 2)), ((3, 1), (2, 4))])
def test_broadcasting_errors_name_the_op_and_both_shapes(name, apply, left, right):
    with pytest.raises(ag.ShapeError) as err:
        apply(node(left), node(right))
    message = str(err.value)
    assert message.startswith(f"{name}:")
    assert str(left) in message and str(right) in message
    with pytest.raises(ag.ShapeError, match=f"^{name}:"):
        apply(np.full(left, 0.5), node(right))


def test_shape_errors_are_value_errors_as_numpy_raises():
    assert issubclass(ag.ShapeError, ValueError)


# -- reductions and reshape --------------------------------------------------------------------
@pytest.mark.parametrize("reduce", [ag.sum, ag.mean])
@pytest.mark.parametrize("axis", [2, -3, (0, 2), (1, -1)])
def test_an_axis_out_of_range_or_repeated_names_the_op_and_the_shape(reduce, axis):
    with pytest.raises(ag.ShapeError) as err:
        reduce(node((2, 3)), axis=axis)
    assert str(err.value).startswith(f"{reduce.__name__}:")
    assert "(2, 3)" in str(err.value)


@pytest.mark.parametrize("reduce", [ag.sum, ag.mean])
@pytest.mark.parametrize("axis", ["0", 1.0, True, [0, "1"]])
def test_an_axis_of_the_wrong_type_names_the_op(reduce, axis):
    with pytest.raises(TypeError, match=f"^{reduce.__name__}: axis") as err:
        reduce(node((2, 3)), axis=axis)
    assert repr(axis) in str(err.value)


@pytest.mark.parametrize("shape", [(4,), (2, 2), (-1, 4), (7, -1)])
def test_a_reshape_to_another_size_names_the_op_and_both_sizes(shape):
    with pytest.raises(ag.ShapeError) as err:
        node((2, 3)).reshape(shape)
    message = str(err.value)
    assert message.startswith("reshape:") and "(2, 3)" in message and "6" in message


@pytest.mark.parametrize("shape", ["a", 2.0, (2.0, 3), None, (True, 6)])
def test_a_reshape_to_something_not_a_shape_is_a_type_error_naming_the_op(shape):
    with pytest.raises(TypeError, match="^reshape: the shape"):
        ag.reshape(node((2, 3)), shape)


# -- the losses --------------------------------------------------------------------------------
LOSSES = [ag.binary_cross_entropy, ag.binary_cross_entropy_with_logits]


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("labels", [2.0, -0.5, np.nan, [0.0, 1.0, 1.5], [0.2, -1e-9, 1.0]])
def test_labels_outside_0_1_are_a_value_error_naming_the_op_and_the_label(loss, labels):
    labels = np.asarray(labels)
    a = np.full(labels.shape, 0.5)
    with pytest.raises(ValueError) as err:
        loss(ag.Node(a, requires_grad=True), labels)
    assert type(err.value) is ValueError  # a value problem, not a ShapeError
    message = str(err.value)
    assert message.startswith(f"{loss.__name__}: labels must lie in [0, 1]")
    bad = labels[~((labels >= 0) & (labels <= 1))][0]
    shown = [float(v) for v in re.findall(r"-?(?:nan|\d[\d.e+-]*)", message.split("got")[1])]
    assert np.isnan(shown[0]) if np.isnan(bad) else shown[0] == bad


@pytest.mark.parametrize("a", [1.5, -0.1, [0.5, 1.0001]])  # (NaN: tests/test_exact_loss.py)
def test_predictions_outside_0_1_are_a_value_error_pointing_to_sigmoid(a):
    a = np.asarray(a)
    with pytest.raises(ValueError, match="^binary_cross_entropy: predictions") as err:
        ag.binary_cross_entropy(a, np.ones(a.shape))
    assert "sigmoid" in str(err.value)


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize(("a_shape", "y_shape"), [((3, 1), (3,)), ((3,), (3, 1)), ((), (2,))])
def test_labels_of_another_shape_are_a_shape_error_not_a_broadcast_loss(loss, a_shape, y_shape):
    with pytest.raises(ag.ShapeError) as err:
        loss(node(a_shape), np.ones(y_shape))
    message = str(err.value)
    assert message.startswith(loss.__name__)
    assert str(a_shape) in message and str(y_shape) in message


@pytest.mark.parametrize("loss", LOSSES)
def test_one_label_for_all_predictions_is_fine(loss):
    a = ag.Node(np.array([[0.3], [0.6]]), requires_grad=True)
    np.testing.assert_allclose(loss(a, 1.0).value, loss(a, np.ones((2, 1))).value)


@pytest.mark.parametrize("loss", LOSSES)
def test_an_unknown_reduction_is_named(loss):
    with pytest.raises(ValueError, match="reduction.*'avg'"):
        loss(0.5, 1.0, reduction="avg")


# -- backward ----------------------------------------------------------------------------------
def test_backward_errors_are_clear():
    y = node((3,), requires_grad=True) * 2.0
    with pytest.raises(RuntimeError, match=r"shape \(3,\).*grad="):
        y.backward()
    with pytest.raises(ag.ShapeError, match=r"grad has shape \(2,\).*\(3,\)"):
        y.backward(grad=np.ones(2))
    with pytest.raises(TypeError, match="backward.*str"):
        y.backward(grad="ones")
    with pytest.raises(RuntimeError, match="does not require a gradient"):
        (node((3,)) * 2.0).backward(grad=np.ones(3))


class Twice(ag.Op):
    """out = 2x, with a backward chosen per test."""

    def __init__(self, backward):
        self.chosen = backward

    def forward(self, x, *rest):
        return 2 * x

    def backward(self, g):
        return self.chosen(g)


@pytest.mark.parametrize(
    ("backward", "error", "message"),
    [
        (lambda g: (), TypeError, "twice.backward returned 0 gradient"),
        (lambda g: (2 * g, 2 * g), TypeError, "twice.backward returned 2 gradient"),
        (lambda g: (None,), TypeError, "twice.backward returned None for input 0"),
        (lambda g: (np.ones(5),), ag.ShapeError, r"twice.backward.*\(5,\).*\(3,\)"),
        (lambda g: (np.ones((3, 2)),), ag.ShapeError, r"twice.backward.*\(3, 2\).*\(3,\)"),
        (lambda g: (ag.Node(g),), TypeError, "twice.backward returned a Node for input 0"),
        (lambda g: ("grad",), TypeError, r"twice.backward \(input 0\): .*str 'grad'"),
    ],
)
def test_a_custom_backward_that_returns_the_wrong_thing_is_named(backward, error, message):
    x = node((3,), requires_grad=True)
    out = ag.sum(Twice(backward)(x))
    with pytest.raises(error, match=message):
        out.backward()


def test_a_custom_backward_with_too_few_gradients_for_two_inputs_is_named():
    x, y = node((3,), requires_grad=True), node((3,), requires_grad=True)
    out = ag.sum(Twice(lambda g: (2 * g,))(x, y))
    with pytest.raises(TypeError, match=r"twice.backward returned 1 gradient\(s\) for 2 input"):
        out.backward()


def test_a_custom_forward_returning_a_non_number_is_named():
    class Words(ag.Op):
        def forward(self, x):
            return "not numbers"

    with pytest.raises(TypeError, match="^words.forward"):
        Words()(node((2,)))


def test_an_op_without_forward_or_backward_says_which_method_is_missing():
    class Half(ag.Op):
        def forward(self, x):
            return x / 2

    class Nothing(ag.Op):
        pass

    x = ag.Node(1.0, requires_grad=True)
    with pytest.raises(NotImplementedError, match="Nothing must define forward"):
        Nothing()(x)
    with pytest.raises(NotImplementedError, match="Half must define backward"):
        Half()(x).backward()


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: ag.nn.MLP(3), TypeError, r"MLP: sizes must be a list of layer widths.*got 3"),
        (lambda: ag.nn.Linear(3, 2)("abc"), TypeError, r"Linear\(3, 2\): .*from str 'abc'"),
        (lambda: ag.Node(1.0, name=3), TypeError, r"Node: name must be a str.*int 3"),
        (lambda: ag.viz.render(ag.Node(1.0), None), TypeError, r"render: path must be a file"),
        (lambda: ag.clip(ag.Node([1.0, 2.0]), np.zeros(2), 1), TypeError,
         r"clip: the low bound must be a number.*shape \(2,\).*ag.maximum"),
        (lambda: ag.clip(ag.Node([1.0]), "a"), TypeError, r"clip: the low bound .*str 'a'"),
        (lambda: shallow.train(np.ones((2, 4)), np.ones((1, 4)), parameters=(1, 2, 3)),
         TypeError, r"shallow.train: parameters must be the four \(W1, b1, W2, b2\).*of 3"),
        (lambda: logistic.train("abc", [1], 0.1, 3), TypeError, r"X: .*from str 'abc'"),
        (lambda: ag.optim.SGD([w := ag.Node(1.0, requires_grad=True), w], 0.1), ValueError,
         r"SGD: parameter 1 \(unnamed\) is parameter 0 again"),
        (lambda: ag.optim.Adam([w := ag.Node(1.0, requires_grad=True), w]), ValueError,
         r"Adam: parameter 1 .* is parameter 0 again"),
        (lambda: ag.gradcheck(lambda a: ag.sum(a * a), [np.ones(2)], eps=0), ValueError,
         r"gradcheck: eps must be above 0"),
        (lambda: ag.gradcheck(lambda a: ag.sum(a * a), [np.ones(2)], eps=float("nan")),
         ValueError, r"gradcheck: eps must be a finite number"),
        (lambda: ag.codegen(ag.Node(np.ones(2), name="a", requires_grad=True) * 2), ValueError,
         r"codegen: the node has shape \(2,\), not a single number"),
    ],
)
def test_a_bad_argument_is_an_error_naming_the_function_and_what_was_given(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_gradcheck_takes_a_lone_array_as_one_input_and_zero_grad_a_model():
    report = ag.gradcheck(lambda a: ag.sum(a * a), np.ones((1, 3)))
    assert report and [check.shape for check in report.inputs] == [(1, 3)]
    model = ag.nn.Linear(2, 1, seed=0)
    ag.sum(model(np.ones((4, 2)))).backward()
    ag.zero_grad(model)
    assert all(p.grad is None for p in model.parameters())


def test_the_data_may_be_anything_numpy_takes_and_names_may_be_numpys_strings():
    class Frame:  # as a pandas DataFrame: no list, no ndarray, but numpy takes it
        def __init__(self, values):
            self.values = np.asarray(values)

        def __array__(self, dtype=None, copy=None):
            return self.values if dtype is None else self.values.astype(dtype)

    X, Y = Frame([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]]), Frame([0, 1, 1])
    assert logistic.train(X, Y, 0.1, 3).iterations == 3
    assert ag.Node(1.0, name=np.str_("w")).name == "w"
    with pytest.raises(TypeError, match="clip: the low bound must be a number or None, got str"):
        ag.clip(ag.Node([1.0]), "0", "1")
    assert ag.gradcheck(lambda a: a * a, np.float32(2.0), eps=np.array(1e-6))


def test_a_history_interrupted_before_the_first_update_can_be_shown(monkeypatch):
    data = datasets.flower(seed=1)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(ag.shallow, "loss_of_logits", interrupted)
    history = shallow.train(data.X.T, data.Y.T, iterations=10)
    assert history.interrupted and "interrupted before the first update" in repr(history)
    assert "before the first update" in history._repr_html_()
    monkeypatch.setattr(ag.logistic, "loss_of_logits", interrupted)
    history = logistic.train(data.X, data.Y, 0.1, 10)
    assert "interrupted before the first update" in repr(history)
    assert "before the first update" in history._repr_html_()
