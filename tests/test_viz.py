"""The DOT the visualiser builds: names, values, gradients, formulas, kinds, escaping, limits."""

from __future__ import annotations

import re

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite.logistic import lesson_graph


def lesson(backward: bool = True) -> dict[str, ag.Node]:
    nodes = lesson_graph([1.0, 2.0], 1.0, [0.5, 0.25], 0.1)
    if backward:
        nodes["L"].backward()
    return nodes


def fmt(value, spec: str = ".4g") -> str:
    return format(float(value), spec)


def node_statements(source: str) -> dict[str, str]:
    """Numeric node id -> its attribute text, from DOT source."""
    return dict(re.findall(r"^\s*(\d+) \[(.*)\]$", source, re.M))


def header_of(attrs: str) -> str:
    return re.search(r"<b>(.*?)</b>", attrs).group(1)


def test_lesson_dot_holds_every_name_value_and_gradient_as_formatted():
    nodes = lesson()
    source = ag.viz.to_dot(nodes["L"]).source
    for name in ("x1", "x2", "w1", "w2", "b", "y"):
        assert f"<b>{name}</b>" in source
        assert f"= {fmt(nodes[name].value)}" in source
    for name in ("w1", "w2", "b", "z", "a", "L"):
        assert f"dL/d{name} = {fmt(nodes[name].grad)}" in source
    assert "<b>z = w1*x1 + w2*x2 + b</b>" in source
    assert "<b>a = sigmoid(z)</b>" in source


def test_gradients_not_computed_show_a_dash_never_zero():
    nodes = lesson(backward=False)
    source = ag.viz.to_dot(nodes["L"]).source
    for name in ("w1", "w2", "b", "z", "a", "L"):
        assert f"dL/d{name} = -<" in source
        assert f"dL/d{name} = 0" not in source


def test_edges_carry_the_local_derivative_formula_and_value():
    nodes = lesson()
    a = float(nodes["a"].value)
    source = ag.viz.to_dot(nodes["L"], view="ops").source
    assert f"da/dz = a(1-a) = {fmt(a * (1 - a))}" in source
    assert f"dL/da = -y/a + (1-y)/(1-a) = {fmt(-1 / a)}" in source
    assert "d(w1*x1)/dw1 = x1 = 1" in source
    # data needs no gradient: its edge carries no derivative
    assert "/dx1" not in source


def test_backward_lane_puts_each_gradient_in_its_nodes_column_with_red_and_blue():
    nodes = lesson()
    source = ag.viz.to_dot(nodes["L"], view="ops").source
    statements = node_statements(source)
    by_header = {header_of(attrs): (i, attrs) for i, attrs in statements.items()}
    z_id, _ = by_header["z = w1*x1 + w2*x2 + b"]
    dz_id, dz_attrs = by_header["dz"]
    assert f"{{rank=same; {z_id}; {dz_id}}}" in source
    assert f"= {fmt(nodes['z'].grad)}" in dz_attrs and "= da * a(1-a) = a - y" in dz_attrs
    _, dw1_attrs = by_header["dw1"]
    assert "color=\"#1565c0\"" in dw1_attrs and "= x1 * d(w1*x1)" in dw1_attrs  # blue
    assert "color=\"#c62828\"" in dz_attrs  # red
    backward_edges = re.findall(r"(\d+) -> (\d+) \[.*dir=back", source)
    gradient_ids = {by_header[h][0] for h in ("dL", "da", "dz", "db", "dw1", "dw2")}
    assert backward_edges and all({t, h} <= set(statements) for t, h in backward_edges)
    assert gradient_ids <= {n for edge in backward_edges for n in edge}


def test_kinds_each_have_their_own_shape_and_colour():
    w = ag.Node(0.5, name="w", requires_grad=True)
    x = ag.Node(2.0, name="x")
    loss = ag.mse_loss(w * x + 3.0, 1.0)
    statements = node_statements(ag.viz.to_dot(loss, backward=False).source)
    looks = {}
    for attrs in statements.values():
        kind = re.search(r'color="#666666">(\w+)', attrs).group(1)
        look = (re.search(r"shape=(\w+)", attrs).group(1),
                re.search(r'fillcolor="([^"]+)"', attrs).group(1))
        looks[kind] = look
    assert set(looks) == {"input", "parameter", "constant", "op", "loss"}
    assert len({shape for shape, _ in looks.values()}) == 5
    assert len({fill for _, fill in looks.values()}) == 5


def test_closed_form_box_only_for_the_lesson_graph():
    nodes = lesson()
    source = ag.viz.to_dot(nodes["L"]).source
    a, y = float(nodes["a"].value), 1.0
    assert "Autodiff against the lesson" in source
    assert "x2*(a - y)" in source and fmt(2.0 * (a - y)) in source
    assert ">NO<" not in source and source.count(">yes<") == 5
    assert "Autodiff against" not in ag.viz.to_dot(nodes["L"], closed_form=False).source

    w = ag.Node(0.5, name="w", requires_grad=True)
    other = ag.sigmoid(w * 2.0)
    assert "Autodiff against" not in ag.viz.to_dot(other).source
    with pytest.raises(ValueError, match="not the lesson's graph"):
        ag.viz.to_dot(other, closed_form=True)


def test_closed_form_box_says_no_when_autodiff_disagrees():
    nodes = lesson()
    nodes["w1"].grad = nodes["w1"].grad + 1.0  # as if backward were wrong
    assert ">NO<" in ag.viz.to_dot(nodes["L"]).source


@pytest.mark.parametrize("name", ['w<1>', "a{b}|c", 'say "hi"', "back\\slash", "two\nlines",
                                  "amp & <b>bold</b>", "]; 9 -> 9 [label=x"])
def test_names_are_escaped_and_never_inject_into_the_dot(name):
    w = ag.Node(0.5, name=name, requires_grad=True)
    out = w * 2.0
    out.name = "out"
    source = ag.viz.to_dot(out).source
    statements = node_statements(source)
    assert len(statements) == 5  # w, 2, out, dw, dout: no more
    edges = re.findall(r"^\s*(\d+) -> (\d+)", source, re.M)
    assert len(edges) == 3  # two forward, one backward: nothing injected
    escaped = ag.viz.escape(name)
    assert f"<b>{escaped}</b>" in source
    assert "<" not in escaped.replace("<br/>", "") and '"' not in escaped


def test_escape_shows_control_characters_and_entities():
    assert ag.viz.escape('<a & "b">') == "&lt;a &amp; &quot;b&quot;&gt;"
    assert ag.viz.escape("a\nb") == "a<br/>b"
    assert ag.viz.escape("tab\there") == "tab\\\\there"  # \t, its backslash doubled
    assert ag.viz.escape("{x}|\\") == "{x}|\\\\"  # Graphviz would expand \\N, \\G, ...


def test_arrays_show_shape_dtype_and_a_short_summary():
    big = ag.Node(np.arange(1000.0).reshape(100, 10), name="X")
    small = ag.Node(np.array([1.5, -2.0], dtype=np.float32), name="v", requires_grad=True)
    out = ag.sum(big) + ag.sum(small)
    out.name = "L"
    out.backward()
    source = ag.viz.to_dot(out).source
    assert "(100, 10) float64" in source
    assert f"min 0 mean {fmt(np.mean(big.value))} max 999" in source
    assert "(2,) float32" in source and "[1.5, -2]" in source
    assert "500" not in source.replace("499.5", "")  # no element dump
    assert "dL/dv = [1, 1]" in source


def test_number_format_option():
    nodes = lesson()
    source = ag.viz.to_dot(nodes["L"], number_format=".2f").source
    assert "= 0.50" in source and f"dL/dw1 = {fmt(nodes['w1'].grad, '.2f')}" in source
    with pytest.raises(ValueError, match="number_format 'q'"):
        ag.viz.to_dot(nodes["L"], number_format="q")


def test_max_nodes_draws_the_part_nearest_the_output_with_a_note():
    x = ag.Node(1.0, name="x", requires_grad=True)
    out = x
    for _ in range(99):
        out = ag.tanh(out)
    out.name = "out"
    source = ag.viz.to_dot(out, max_nodes=10, backward=False).source
    headers = [header_of(a) for a in node_statements(source).values()]
    assert len(headers) == 10 and "out = tanh(...)" not in headers
    assert "<b>x</b>" not in source  # the input is farthest from the output
    assert "90 of 100 left out" in source
    with pytest.raises(ValueError, match="max_nodes"):
        ag.viz.to_dot(out, max_nodes=0)


def test_constants_hidden_for_large_graphs_or_on_request():
    x = ag.Node(1.0, name="x", requires_grad=True)
    small = x * 7.0
    assert "constant" in ag.viz.to_dot(small).source
    assert "constant" not in ag.viz.to_dot(small, hide_constants=True).source
    big = x
    for _ in range(40):
        big = big * 7.0
    assert "constant" not in ag.viz.to_dot(big).source


def test_small_graphs_get_formulas_and_backward_lane_large_ones_not_by_default():
    x = ag.Node(1.0, name="x", requires_grad=True)
    out = x
    for _ in range(40):
        out = ag.sigmoid(out)
    source = ag.viz.to_dot(out).source
    assert "dir=back" not in source and "cluster_backward" not in source
    assert "(1-" not in source
    forced = ag.viz.to_dot(out, backward=True, formulas=True).source
    assert "dir=back" in forced and "(1-" in forced


def test_unnamed_nodes_show_their_expression_or_their_ops_symbol():
    x = ag.Node(np.ones((2, 3)), name="X")
    w = ag.Node(np.ones((3, 1)), name="w", requires_grad=True)
    out = ag.mean((x @ w - 1.0) ** 2)
    headers = {header_of(a) for a in node_statements(ag.viz.to_dot(out).source).values()}
    assert {"X@w", "X@w - 1", "(X@w - 1)**2", "mean((X@w - 1)**2)"} <= headers
    deep = w
    for _ in range(12):
        deep = ag.tanh(deep)
    headers = {header_of(a) for a in node_statements(ag.viz.to_dot(deep).source).values()}
    assert "tanh" in headers  # too long to spell out


def test_fan_out_sums_both_paths_in_the_chain_rule():
    x = ag.Node(3.0, name="x", requires_grad=True)
    out = x * x
    out.name = "out"
    out.backward()
    source = ag.viz.to_dot(out).source
    assert "= x + x" in source and f"dout/dx = x = {fmt(x.value)}" in source
    assert "= 6" in source  # dout/dx = 2x (dout/dout = 1 times each path's local x)


def test_a_long_chain_draws_without_recursion():
    x = ag.Node(1.0, name="x", requires_grad=True)
    out = x
    for _ in range(20_000):
        out = out + 1.0
    source = ag.viz.to_dot(out, max_nodes=50, backward=False).source
    assert len(node_statements(source)) == 50


def test_to_dot_rejects_what_is_not_a_node():
    with pytest.raises(TypeError, match="expected a Node to draw, got float"):
        ag.viz.to_dot(1.5)


def test_a_leaf_shared_across_a_large_graph_is_drawn_beside_each_user():
    x = ag.Node(0.5, name="x", requires_grad=True)
    out = x
    for _ in range(20):
        out = ag.tanh(out) + x  # x feeds ops at every depth
    source = ag.viz.to_dot(out).source
    headers = [header_of(a) for a in node_statements(source).values()]
    assert headers.count("x") == 21  # one copy per use: no edge spans the picture
    small = ag.tanh(x) + x
    assert [header_of(a) for a in node_statements(ag.viz.to_dot(small).source).values()
            ].count("x") == 1


def _kind_line(source: str, header: str) -> str:
    attrs = {header_of(a): a for a in node_statements(source).values()}[header]
    return re.search(r'color="#666666">([^<]+)<', attrs).group(1)


def test_only_a_loss_op_is_labelled_loss_at_the_output():
    # micrograd's neuron: o = tanh(n) is the output, not a loss
    x1, w1 = ag.Node(2.0, name="x1"), ag.Node(-3.0, name="w1", requires_grad=True)
    n = x1 * w1 + ag.Node(6.88, name="b", requires_grad=True)
    n.name = "n"
    o = ag.tanh(n)
    o.name = "o"
    o.backward()
    source = ag.viz.to_dot(o, view="ops").source
    assert _kind_line(source, "o = tanh(n)") == "op: tanh"
    assert "loss:" not in source and "(backward starts here)" in source
    # micrograd's README: L = d * f
    d, f = ag.Node(4.0, name="d", requires_grad=True), ag.Node(-2.0, name="f", requires_grad=True)
    product = d * f
    product.name = "L"
    product.backward()
    assert _kind_line(ag.viz.to_dot(product).source, "L = d*f") == "op: mul"
    # the lesson's loss is one
    nodes = lesson()
    nodes["L"].backward()
    for view in ("ops", "named"):
        source = ag.viz.to_dot(nodes["L"], view=view).source
        assert "loss: binary_cross_entropy" in source


@pytest.mark.parametrize("loss", [
    lambda p, t: ag.mse_loss(p, t),
    lambda p, t: ag.binary_cross_entropy_with_logits(p, t),
    lambda p, t: ag.cross_entropy(ag.reshape(p, (1, 1)) * ag.Node([[1.0, -1.0]]), [0]),
])
def test_every_loss_op_is_labelled_loss(loss):
    p = ag.Node(0.3, name="p", requires_grad=True)
    out = loss(p, 1.0)
    out.backward()
    assert f"loss: {out.op.name}" in ag.viz.to_dot(out, view="ops").source
