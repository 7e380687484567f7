"""no_grad() records no graph; detect_anomaly() stops at the first op whose forward or backward
is not finite and says where that node was made."""

import inspect
import os
import re
import warnings

import numpy as np
import pytest

import autograd_lite as ag

HERE = os.path.basename(__file__)
# numpy's own divide/invalid warnings come before the AnomalyError these tests expect
pytestmark = pytest.mark.filterwarnings("ignore:.*encountered in:RuntimeWarning")


def line_of(marker):
    """The line number in this file of the source line that ends with ``# marker``."""
    lines = inspect.getsource(inspect.getmodule(line_of)).splitlines()
    (number,) = [i + 1 for i, text in enumerate(lines) if text.endswith(f"# {marker}")]
    return number


# -- no_grad -----------------------------------------------------------------------------------
def test_no_grad_records_nothing():
    w = ag.Node(np.array([1.0, 2.0]), requires_grad=True)
    with ag.no_grad():
        out = ag.sum(ag.sigmoid(w * 2.0) @ np.ones(2))
    assert out.op is None and out.parents == () and out.requires_grad is False
    np.testing.assert_allclose(out.value, np.sum(1 / (1 + np.exp(-2.0 * w.value))))
    with pytest.raises(RuntimeError, match="no_grad"):
        out.backward()
    assert w.grad is None


def test_recording_resumes_after_no_grad_even_after_an_error():
    w = ag.Node(1.0, requires_grad=True)
    with pytest.raises(ag.ShapeError), ag.no_grad():
        w + ag.Node(np.ones((2, 3))) @ np.ones(2)
    with ag.no_grad():
        with ag.no_grad():
            pass
        assert (w * 2.0).op is None  # the inner block did not switch recording back on
    out = w * 2.0
    assert out.op is not None and out.parents[0] is w and out.requires_grad


def test_no_grad_works_as_a_decorator_as_in_pytorch():
    w = ag.Node(1.0, requires_grad=True)

    @ag.no_grad()
    def step(node):
        return node * 3.0

    assert step(w).op is None
    assert (w * 3.0).op is not None


def test_gradient_descent_step_under_no_grad_leaves_the_parameter_a_leaf():
    w = ag.Node(np.array([0.5]), requires_grad=True)
    L = ag.sum(w * w)
    L.backward()
    with ag.no_grad():
        w_new = w - 0.1 * w.grad
    assert w_new.is_leaf and not w_new.requires_grad
    np.testing.assert_allclose(w_new.value, [0.4])


# -- detect_anomaly: forward -------------------------------------------------------------------
def test_forward_anomaly_names_op_shapes_ranges_and_where_the_node_was_made():
    x = ag.Node(np.array([[1.0, 0.0, 4.0]]), name="x", requires_grad=True)
    with ag.detect_anomaly(), pytest.raises(ag.AnomalyError) as err:
        ag.log(x)  # forward-log
    message = str(err.value)
    assert message.startswith("log produced 1 inf of 3 value(s) in its forward pass")
    assert "input 0 (x): shape (1, 3), float64, range [0, 4]" in message
    assert f"{HERE}:{line_of('forward-log')}" in message


def test_the_first_op_that_goes_wrong_is_the_one_named():
    x = ag.Node(np.array([-1.0, 2.0]))
    with ag.detect_anomaly(), pytest.raises(ag.AnomalyError) as err:
        ag.exp(ag.log(x) * 2.0)  # first-bad
    message = str(err.value)
    assert message.startswith("log produced 1 NaN")
    assert "(2,)" in message and "[-1, 2]" in message
    assert f"{HERE}:{line_of('first-bad')}" in message


def test_forward_anomaly_from_division_by_zero_names_both_inputs():
    a, b = ag.Node([1.0, 2.0]), ag.Node([0.0, 1.0])
    with ag.detect_anomaly(), pytest.raises(ag.AnomalyError, match="^div produced") as err:
        a / b
    message = str(err.value)
    assert re.search(r"input 0: shape \(2,\), float64, range \[1, 2\]", message)
    assert re.search(r"input 1: shape \(2,\), float64, range \[0, 1\]", message)


def test_an_anomaly_error_is_a_floating_point_error():
    assert issubclass(ag.AnomalyError, FloatingPointError)


# -- detect_anomaly: backward ------------------------------------------------------------------
def test_backward_anomaly_names_op_node_shapes_and_creation_site():
    w = ag.Node(np.array([0.0, 1.0, 4.0]), name="w", requires_grad=True)
    with ag.detect_anomaly():
        root = w**0.5  # sqrt-like
        root.name = "root"
        L = ag.sum(root * 3.0)
        with pytest.raises(ag.AnomalyError) as err:
            L.backward()
    message = str(err.value)
    assert message.startswith("pow.backward produced 1 inf of 3 value(s)")
    assert "root" in message
    assert f"{HERE}:{line_of('sqrt-like')}" in message
    assert "input 0 (w): shape (3,), float64, range [0, 4]" in message
    assert "input 1: shape (), float64, range [0.5, 0.5]" in message
    assert "gradient arriving from above: shape (3,), float64, range [3, 3]" in message


def test_backward_anomaly_shows_the_gradient_arriving_now_not_the_accumulated_one():
    w = ag.Node(np.array([0.0, 1.0]), requires_grad=True)
    with ag.detect_anomaly():
        root = w**0.5
    L = ag.sum(root * 3.0)
    L.backward()  # outside the context: inf gradient, silently, as numpy would
    assert np.isinf(w.grad[0])
    with ag.detect_anomaly(), pytest.raises(ag.AnomalyError) as err:
        L.backward()
    assert "gradient arriving from above: shape (2,), float64, range [3, 3]" in str(err.value)


def test_backward_anomaly_in_log_at_zero():
    x = ag.Node(np.array([0.0, 2.0]), requires_grad=True)
    with np.errstate(divide="ignore"):
        y = ag.log(x)  # outside the context: -inf, no error
    L = ag.sum(ag.exp(y))  # e^-inf = 0: the forward ends finite
    assert np.isfinite(L.value)
    with ag.detect_anomaly(), np.errstate(divide="ignore", invalid="ignore"):
        with pytest.raises(ag.AnomalyError, match=r"^log\.backward produced .*input 0") as err:
            L.backward()
    assert "range [0, 2]" in str(err.value)


def test_no_error_outside_the_context():
    w = ag.Node(np.array([0.0, 1.0]), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = ag.log(w)
        L = ag.sum(w**0.5)
        L.backward()
    assert np.isinf(y.value[0]) and np.isinf(w.grad[0])


def test_the_context_is_left_off_after_an_error():
    with pytest.raises(ag.AnomalyError), ag.detect_anomaly():
        ag.Node(1.0) / 0.0
    with np.errstate(divide="ignore"):
        assert np.isinf((ag.Node(1.0) / 0.0).value)


def test_no_grad_restores_recording_after_an_error_and_in_nested_decorated_calls():
    @ag.no_grad()
    def depth(n):
        assert not ag.op.is_recording()
        return 0 if n == 0 else 1 + depth(n - 1)

    assert depth(3) == 3 and ag.op.is_recording()
    with pytest.raises(ZeroDivisionError):
        with ag.no_grad():
            raise ZeroDivisionError("inside no_grad")
    assert ag.op.is_recording()
    with ag.no_grad():
        with ag.no_grad():
            pass
        assert not ag.op.is_recording()
    assert ag.op.is_recording()
