"""Ops whose derivative is a Jacobian (softmax, log_softmax, matmul, transpose, joining,
indexing) write J^T g in the backward lane, never "J * g" as if J were one factor per element."""

import re

import numpy as np
import pytest

import autograd_lite as ag


def _dx_line(source: str) -> str:
    """The chain-rule line of the dx box in the backward lane."""
    match = re.search(r"<b>dx</b> = dout/dx</font></td></tr><tr><td><font [^>]*>= ([^<]*)<",
                      source)
    assert match, source
    return match.group(1)


def _graph(op):
    x = ag.Node(np.array([1.0, 2.0, 3.0]), requires_grad=True, name="x")
    c = ag.Node(np.array([1.0, 0.0, 2.0]), name="c")
    out = (op(x) * c).sum()
    out.backward()
    return out


@pytest.mark.parametrize("view", ["ops", "named"])
def test_softmax_gradient_is_written_as_a_vector_jacobian_product(view):
    source = ag.viz.to_dot(_graph(ag.softmax), view=view).source
    line = _dx_line(source)
    assert "diag" not in line
    upstream = "d(softmax(x))" if view == "ops" else "c"
    assert line == f"softmax(x) * ({upstream} - sum({upstream}*softmax(x)))"
    # the backward edge into dx carries no "* Jacobian" factor either
    assert "* (diag" not in source


@pytest.mark.parametrize("view", ["ops", "named"])
def test_log_softmax_gradient_is_written_as_a_vector_jacobian_product(view):
    out = _graph(ag.log_softmax)
    source = ag.viz.to_dot(out, view=view).source
    upstream = "d(log_softmax(x))" if view == "ops" else "c"
    assert _dx_line(source) == f"{upstream} - softmax(x) * sum({upstream})"
    # and the formula is the engine's gradient: c - softmax(x) sum(c)
    x = out.parents[0].parents[0].parents[0]
    c = np.array([1.0, 0.0, 2.0])
    s = np.exp(x.value) / np.exp(x.value).sum()
    np.testing.assert_allclose(x.grad, c - s * c.sum())


def test_log_softmax_jacobian_is_not_written_as_one_factor_per_element():
    x = ag.Node(np.array([1.0, 2.0, 3.0]), requires_grad=True, name="x")
    out = ag.log_softmax(x)
    out.sum().backward()
    source = ag.viz.to_dot(out.sum(), view="ops").source
    assert "1 - softmax(x)<" not in source and "I - softmax(x)1^T" in source


def test_transpose_and_matmul_gradients_in_the_backward_lane():
    x = ag.Node(np.arange(6.0).reshape(2, 3), requires_grad=True, name="x")
    w = ag.Node(np.ones((2, 1)), requires_grad=True, name="w")
    out = (x.T @ w).sum()
    out.backward()
    source = ag.viz.to_dot(out, view="ops").source
    assert _dx_line(source) == "d(x^T)^T"  # the gradient of x^T, transposed back
    assert ">= d(x^T@w) @ w^T<" in source and ">= (x^T)^T @ d(x^T@w)<" in source


def test_a_transpose_in_another_order_is_drawn_with_its_axes_not_as_x_transposed():
    x = ag.Node(np.arange(24.0).reshape(2, 3, 4), requires_grad=True, name="x")
    y = x.transpose(1, 2, 0)
    y.name = "y"
    out = (y * 2.0).sum()
    out.backward()
    source = ag.viz.to_dot(out, view="ops").source
    assert "<b>y = transpose(x, (1, 2, 0))</b>" in source and "x^T" not in source
    assert _dx_line(source) == "transpose(dy, (2, 0, 1))"  # the inverse order puts g back
    np.testing.assert_array_equal(x.grad, np.full((2, 3, 4), 2.0))


@pytest.mark.parametrize(("join", "y_size", "slices"), [
    (ag.concatenate, 2, ("[0:3]", "[3:5]")),
    (ag.stack, 3, ("[0]", "[1]")),
])
def test_joined_inputs_get_their_slice_of_the_gradient(join, y_size, slices):
    x = ag.Node(np.array([1.0, 2.0, 3.0]), requires_grad=True, name="x")
    y = ag.Node(np.arange(y_size, dtype=float), requires_grad=True, name="y")
    joined = join([x, y])
    out = (joined * 2.0).sum()
    out.backward()
    source = ag.viz.to_dot(out, view="ops").source
    upstream = f"d({ag.viz.graph.GraphView(out).title(joined)})"
    assert _dx_line(source) == upstream + slices[0]
    assert f">= {upstream}{slices[1]}<" in source


def _lane(source: str) -> dict[str, str]:
    """Each gradient box's name -> its chain-rule line."""
    return dict(re.findall(r"<b>(d[^<]*)</b>[^\n]*?>= ([^<]*)<", source))


def test_reshape_gradient_is_reshaped_back_in_both_views():
    for view in ("ops", "named"):
        x = ag.Node(np.arange(6.0).reshape(2, 3), requires_grad=True, name="x")
        out = (ag.reshape(x, (3, 2)) * np.arange(6.0).reshape(3, 2)).sum()
        out.backward()
        assert _lane(ag.viz.to_dot(out, view=view).source)["dx"].endswith(" reshaped to (2, 3)")


def test_a_matrix_product_under_a_sum_multiplies_by_ones_not_by_the_number_1():
    x = ag.Node(np.arange(6.0).reshape(2, 3), requires_grad=True, name="x")
    w = ag.Node(np.ones((3, 1)), requires_grad=True, name="w")
    out = (x @ w).sum()
    out.backward()
    lane = _lane(ag.viz.to_dot(out, view="named").source)
    assert lane["dw"] == "x^T @ ones(2, 1)" and lane["dx"] == "ones(2, 1) @ w^T"
    np.testing.assert_allclose(w.grad, x.value.T @ np.ones((2, 1)))


@pytest.mark.parametrize("reduce", [ag.sum, ag.mean])
@pytest.mark.parametrize(("axis", "copied"), [(0, False), (1, True), (-1, True), ((0, 1), False)])
def test_a_reductions_gradient_says_where_it_is_copied_when_broadcasting_cannot(reduce, axis,
                                                                                 copied):
    for view in ("ops", "named"):
        x = ag.Node(np.arange(1.0, 7.0).reshape(2, 3), requires_grad=True, name="x")
        k = ag.Node(np.ones(np.sum(x.value, axis=axis).shape), name="k")
        out = (reduce(x, axis=axis) * k).sum()
        out.backward()
        line = _lane(ag.viz.to_dot(out, view=view).source)["dx"]
        assert line.endswith(" copied along axis 1") == copied, line


@pytest.mark.parametrize("extremum", [ag.max, ag.min])
def test_an_extremum_over_a_trailing_axis_copies_its_gradient_back_along_it(extremum):
    for view in ("ops", "named"):
        x = ag.Node(np.array([[1.0, 5, 2], [3, 1, 0]]), requires_grad=True, name="x")
        out = (extremum(x, axis=1) * ag.Node(np.ones(2), name="k")).sum()
        out.backward()
        line = _lane(ag.viz.to_dot(out, view=view).source)["dx"]
        assert line.startswith("(") and f"copied along axis 1) * [x={extremum.__name__}]/ties" \
            in line, line
