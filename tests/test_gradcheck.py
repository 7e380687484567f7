"""gradcheck: it passes correct ops, flags wrong ones and names the worst element."""

import numpy as np
import pytest

import autograd_lite as ag


class Square(ag.Op):
    """out = x^2;  dout/dx = 2x."""

    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, g):
        return (g * 2 * self.x,)


class SquareWrongEverywhere(Square):
    """A classic slip: dout/dx written as x instead of 2x."""

    def backward(self, g):
        return (g * self.x,)


class SquareWrongAtOneElement(Square):
    """Right except at element (1, 2), where the gradient is off by 0.5."""

    def backward(self, g):
        grad = g * 2 * self.x
        grad[1, 2] += 0.5
        return (grad,)


class Softplus(ag.Op):
    """out = log(1 + e^x);  dout/dx = sigmoid(x)."""

    def forward(self, x):
        self.x = x
        return np.logaddexp(0.0, x)

    def backward(self, g):
        return (g / (1.0 + np.exp(-self.x)),)


X = np.linspace(-1.5, 2.0, 12).reshape(3, 4)


def summed(op_class):
    return lambda x: ag.sum(op_class()(x))


def test_a_correct_op_passes():
    report = ag.gradcheck(summed(Square), [X])
    assert report
    assert "passed" in str(report)
    (check,) = report.inputs
    assert check.passed and check.shape == (3, 4)
    assert check.max_abs_error < 1e-8


def test_a_wrong_op_fails():
    report = ag.gradcheck(summed(SquareWrongEverywhere), [X])
    assert not report
    assert "FAILED" in str(report) and "FAIL" in str(report.inputs[0])
    # the worst element is where |x - 2x| = |x| is largest: x = 2.0 at (2, 3)
    assert report.inputs[0].worst_index == (2, 3)
    assert report.inputs[0].numeric == pytest.approx(4.0, abs=1e-6)
    assert report.inputs[0].autodiff == pytest.approx(2.0)


def test_the_worst_element_is_named():
    report = ag.gradcheck(summed(SquareWrongAtOneElement), [X])
    assert not report
    check = report.inputs[0]
    assert check.worst_index == (1, 2)
    assert check.max_abs_error == pytest.approx(0.5, abs=1e-6)
    assert "(1, 2)" in str(report)
    assert f"{check.autodiff:.10g}" in str(check) and f"{check.numeric:.10g}" in str(check)


def test_each_input_is_reported_separately():
    w = ag.Node(np.array([[0.3], [-0.2], [0.1], [0.5]]), name="w", requires_grad=True)
    b = ag.Node(0.2, name="b", requires_grad=True)
    x = ag.Node(X, name="X")  # data: held constant, not checked

    def loss(x, w, b):
        return ag.binary_cross_entropy(ag.sigmoid(x @ w + b), np.ones((3, 1)))

    report = ag.gradcheck(loss, [x, w, b])
    assert report, str(report)
    assert [check.name for check in report.inputs] == ["w", "b"]
    text = str(report)
    assert "max abs err" in text and "max rel err" in text and "worst element" in text


def test_softplus_as_a_new_op_passes():
    assert ag.gradcheck(summed(Softplus), [X])


def test_a_wrong_op_hidden_among_right_ones_is_found():
    def loss(x, w):
        return ag.mean(ag.sigmoid(SquareWrongEverywhere()(x @ w)))

    report = ag.gradcheck(loss, [X, np.array([[0.2], [0.1], [-0.3], [0.4]])])
    assert not report
    assert not any(check.passed for check in report.inputs)
