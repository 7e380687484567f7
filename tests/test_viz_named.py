"""The named view: the lesson's figure drawn from the named nodes, and what misled before."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET

import graphviz
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite import logistic
from autograd_lite.ops import identities
from autograd_lite.viz import expr
from autograd_lite.viz import renderer as renderer_module

SVG = "{http://www.w3.org/2000/svg}"


def lesson(x=(1.0, 2.0), w=(0.5, -0.3), b=0.1, y=1.0, backward=True) -> dict[str, ag.Node]:
    nodes = logistic.lesson_graph(list(x), y, list(w), b)
    if backward:
        nodes["L"].backward()
    return nodes


def statements(source: str) -> dict[str, str]:
    """Numeric node id -> its attribute text."""
    return dict(re.findall(r"^\s*(\d+) \[(.*)\]$", source, re.M))


def header(attrs: str) -> str:
    return re.search(r"<b>(.*?)</b>", attrs).group(1)


def forward_edges(source: str) -> list[tuple[str, str, str]]:
    """(tail id, head id, attributes) of the forward edges (ids f0, f1, ...)."""
    return [(t, h, a) for t, h, a in re.findall(r"^\s*(\d+) -> (\d+) \[(.*)\]$", source, re.M)
            if re.search(r"\bid=f\d+", a)]


def boxes_by_header(source: str) -> dict[str, tuple[str, str]]:
    return {header(a): (i, a) for i, a in statements(source).items()}


# -- the lesson's figure ---------------------------------------------------------------------------
def test_lesson_named_view_has_three_op_boxes_z_a_and_l():
    source = ag.viz.to_dot(lesson()["L"]).source  # auto: z and a are named, so "named"
    assert source == ag.viz.to_dot(lesson()["L"], view="named").source
    ops = [header(a) for a in statements(source).values() if "op: " in a or "loss: " in a]
    assert sorted(ops) == ["L(a, y)", "a = sigmoid(z)", "z = w1*x1 + w2*x2 + b"]
    assert "w1*x1</b>" not in source and "d(w1*x1)" not in source


def test_lesson_edges_run_from_each_input_straight_to_z():
    nodes = lesson()
    source = ag.viz.to_dot(nodes["L"]).source
    boxes = boxes_by_header(source)
    z_id = boxes["z = w1*x1 + w2*x2 + b"][0]
    into_z = {header(statements(source)[t]) for t, h, _ in forward_edges(source) if h == z_id}
    assert into_z == {"x1", "w1", "x2", "w2", "b"}
    by_tail = {header(statements(source)[t]): a for t, h, a in forward_edges(source)}
    assert "dz/dw1 = x1 = 1<" in by_tail["w1"]  # not 1*1*x1
    assert "dz/dw2 = x2 = 2<" in by_tail["w2"] and "dz/db = 1<" in by_tail["b"]
    assert "label" not in by_tail["x1"]  # data needs no gradient


def test_lesson_backward_lane_writes_the_lessons_chain_rule():
    nodes = lesson()
    source = ag.viz.to_dot(nodes["L"]).source
    boxes = boxes_by_header(source)
    assert "= da * a(1-a) = a - y<" in boxes["dz"][1]
    assert "= -y/a + (1-y)/(1-a)<" in boxes["da"][1]
    assert "= x1 * dz<" in boxes["dw1"][1] and "= x2 * dz<" in boxes["dw2"][1]
    assert "= dz<" in boxes["db"][1]
    assert set(boxes) >= {"dL", "da", "dz", "dw1", "dw2", "db"}
    assert not any(h.startswith("d(") for h in boxes)  # no box for a folded op's gradient
    assert source.count("backward starts here") == 1


def test_fused_loss_shows_a_minus_y_directly():
    w = ag.Node(np.array([0.5, -0.3]), name="w", requires_grad=True)
    x = ag.Node(np.array([1.0, 2.0]), name="x")
    z = ag.sum(w * x) + 0.1
    z.name = "z"
    loss = ag.binary_cross_entropy_with_logits(z, ag.Node(1.0, name="y"))
    loss.name = "L"
    loss.backward()
    boxes = boxes_by_header(ag.viz.to_dot(loss).source)
    assert "= sigmoid(z) - y = a - y<" in boxes["dz"][1]  # no da: the fused op is the pair
    assert "= x * dz<" in boxes["dw"][1]


def test_the_lesson_picture_fits_a_laptop_screen(tmp_path, monkeypatch):
    """At most 1300 px for the picture on a 1366 px screen, and text of at least 11 px, with the
    renderer the package ships (graphviz-pure). An old system dot (2.43) lays it out about 14%
    wider, with other fonts: the step page then keeps 11 px text and scrolls a little."""
    monkeypatch.delenv(renderer_module.ENV_VAR, raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    svg = ET.fromstring(ag.viz.svg(lesson()["L"], renderer=renderer_module.find_renderer()))
    width = float(svg.get("width").removesuffix("pt"))
    sizes = [float(t.get("font-size")) for t in svg.iter(SVG + "text")]
    px_per_unit = min(4 / 3, 1300 / width)  # the page scales a wider picture down to fit
    assert min(sizes) * px_per_unit >= 11, (width, min(sizes))
    ops = ag.viz.svg(lesson()["L"], view="ops", renderer=renderer_module.find_renderer())
    ops_width = float(ET.fromstring(ops).get("width")[:-2])
    assert width < 0.7 * ops_width


# -- drawn as before where nothing folds -----------------------------------------------------------
def test_graph_of_unnamed_ops_draws_as_before():
    x = ag.Node(np.ones((2, 3)), name="X")
    w = ag.Node(np.ones((3, 1)), name="w", requires_grad=True)
    out = ag.mean((x @ w - 1.0) ** 2)
    out.name = "loss"  # only the root named: not folded into one box
    out.backward()
    auto = ag.viz.to_dot(out).source
    assert auto == ag.viz.to_dot(out, view="ops").source
    headers = {header(a) for a in statements(auto).values()}
    assert {"X@w", "X@w - 1", "(X@w - 1)**2"} <= headers


def micrograd_readme() -> dict[str, ag.Node]:
    """micrograd's README expression, every node named (its `c += ...` as new names)."""
    a = ag.Node(-4.0, name="a", requires_grad=True)
    b = ag.Node(2.0, name="b", requires_grad=True)
    n = {"a": a, "b": b}

    def name(node, text):
        node.name = text
        n[text] = node
        return node

    c = name(a + b, "c")
    ab = name(a * b, "ab")
    b3 = name(b**3, "b3")
    d = name(ab + b3, "d")
    c1 = name(c + 1, "c1")
    c2 = name(c + c1, "c2")
    c3 = name(1 + c2, "c3")
    na = name(-a, "na")
    c4 = name(c3 + na, "c4")
    c5 = name(c2 + c4, "c5")
    d2 = name(d * 2, "d2")
    db = name(d + b, "dpb")
    r1 = name(ag.relu(db), "r1")
    d3 = name(d2 + r1, "d3")
    d4 = name(d + d3, "d4")
    d5 = name(3 * d4, "d5")
    bma = name(b - a, "bma")
    r2 = name(ag.relu(bma), "r2")
    d6 = name(d5 + r2, "d6")
    d7 = name(d4 + d6, "d7")
    e = name(c5 - d7, "e")
    f = name(e**2, "f")
    g = name(f / 2.0, "g1")
    h = name(10.0 / f, "h")
    name(g + h, "g")
    return n


def test_micrograd_readme_with_every_node_named_draws_as_the_ops_view():
    nodes = micrograd_readme()
    g = nodes["g"]
    g.backward()
    assert float(g.value) == pytest.approx(112.5 + 10 / 225)  # e = -15 in plain floats
    auto = ag.viz.to_dot(g).source  # auto picks named: nothing to fold, so the same picture
    assert auto == ag.viz.to_dot(g, view="ops").source
    headers = {header(a) for a in statements(auto).values()}
    assert {"c = a + b", "d = ab + b3", "f = e**2", "g = g1 + h"} <= headers


def test_a_group_with_a_constant_writes_the_number_in_its_formula():
    w = ag.Node(3.0, name="w", requires_grad=True)
    u = 2.0 * w * w + 1.0
    u.name = "u"
    out = ag.tanh(u)
    out.name = "out"
    out.backward()
    source = ag.viz.to_dot(out).source
    boxes = boxes_by_header(source)
    assert "u = 2*w*w + 1" in boxes
    assert len(statements(source)) == 6  # w, u, out and their gradients: no box for 2 or 1
    (_, _, attrs), = [e for e in forward_edges(source) if header(statements(source)[e[0]]) == "w"]
    assert "du/dw = 4*w*w" not in attrs  # paths summed: 2*w + 2*w
    assert f"= {float(4 * w.value):g}<" in attrs
    assert "du/dw = 2*w + 2*w" in attrs


# -- the vectorised graph --------------------------------------------------------------------------
def test_vectorised_graph_names_z_a_l_and_writes_the_courses_formulas():
    X = np.array([[1.0, 2.0], [0.5, -1.0], [3.0, 0.0]])
    Y = np.array([[1.0], [0.0], [1.0]])
    nodes = logistic.vectorised_graph(X, Y, np.array([[0.5], [-0.3]]), 0.1)
    assert {k: nodes[k].name for k in ("Z", "A", "L")} == {"Z": "Z", "A": "A", "L": "L"}
    nodes["L"].backward()
    source = ag.viz.to_dot(nodes["L"]).source
    boxes = boxes_by_header(source)
    assert {"Z = X@w + b", "A = sigmoid(Z)", "L(A, Y)"} <= set(boxes)
    assert "(3, 2) float64" in boxes["X"][1] and "(3, 1) float64" in boxes["Z = X@w + b"][1]
    # the engine's dL/dZ holds the mean's 1/m, the course's dZ does not: both are named so
    dz = boxes["dL/dZ"][1]
    assert "= dL/dA * A(1-A) = (A - Y)/m<" in dz
    assert "course: dZ = A - Y, so dL/dZ = dZ/m<" in dz
    assert "= X^T @ dL/dZ<" in boxes["dL/dw"][1]
    assert "course: dw = X^T dZ / m<" in boxes["dL/dw"][1]
    assert "= sum(dL/dZ)<" in boxes["dL/db"][1] and "course: db = mean(dZ)<" in boxes["dL/db"][1]
    assert "= (-Y/A + (1-Y)/(1-A))/m<" in boxes["dL/dA"][1]
    by_tail = {header(statements(source)[t]): a for t, h, a in forward_edges(source)}
    assert "dZ/dw = X^T" in by_tail["w"]
    np.testing.assert_allclose(nodes["Z"].grad * 3, logistic.closed_form_grads(
        X, Y, np.array([[0.5], [-0.3]]), 0.1).dz)


# -- labels after a backward from elsewhere --------------------------------------------------------
def test_a_sub_graph_is_labelled_by_the_node_backward_started_from():
    nodes = lesson()
    source = ag.viz.to_dot(nodes["z"], view="named").source  # z alone named: auto is ops
    assert ag.viz.to_dot(nodes["z"]).source == ag.viz.to_dot(nodes["z"], view="ops").source
    assert "dL/dw2 = -1" in ag.viz.to_dot(nodes["z"]).source
    assert "dL/dw2 = -1" in source and "dL/dz = -0.5" in source
    assert "dz/dw2 = -1" not in source and "dz/dz" not in source
    assert "backward starts here" not in source
    assert "dz/dw2 = x2 = 2" in source  # the local derivative is still z's own
    assert "(from L, beyond this picture)" in source
    assert "doubleoctagon" not in source  # z is not the loss: backward started at L


def test_labels_follow_the_latest_backward():
    w = ag.Node(2.0, name="w", requires_grad=True)
    u = w * 3.0
    u.name = "u"
    first = ag.tanh(u)
    first.name = "first"
    first.backward()
    assert "dfirst/dw" in ag.viz.to_dot(u).source
    w.grad = u.grad = None
    second = u * u
    second.name = "second"
    second.backward()
    assert "dsecond/dw" in ag.viz.to_dot(u).source


# -- rounding noise --------------------------------------------------------------------------------
def test_rounding_noise_is_drawn_as_zero_with_the_exact_value_in_the_tooltip():
    nodes = lesson()  # z = 0.5*1 - 0.3*2 + 0.1 = 2.8e-17 in floating point
    assert 0 < abs(float(nodes["z"].value)) < 1e-16
    source = ag.viz.to_dot(nodes["L"]).source
    z_attrs = boxes_by_header(source)["z = w1*x1 + w2*x2 + b"][1]
    assert "= 0<" in z_attrs and "e-17" not in z_attrs.split("tooltip")[0]
    assert re.search(r'tooltip="exact value 2\.77\d*e-17', z_attrs)
    assert ag.viz.shown_value(nodes["z"]) == 0
    assert ag.viz.shown_value(nodes["a"]) == nodes["a"].value  # not noise: untouched


def test_a_genuinely_small_value_keeps_its_digits():
    tiny = ag.Node(1e-20, name="t", requires_grad=True)
    out = tiny * 1.0
    out.name = "out"
    assert float(ag.viz.shown_value(out)) == 1e-20
    assert "= 1e-20<" in ag.viz.to_dot(out).source
    near = ag.Node(1.0, name="p") - ag.Node(1.0 - 2**-52, name="q")  # exact: 2^-52
    near.name = "d"
    assert float(ag.viz.shown_value(near)) == 2**-52 or float(ag.viz.shown_value(near)) == 0
    exact = ag.Node(1e-17, name="s") + ag.Node(0.0, name="zero")
    assert float(ag.viz.shown_value(exact)) == 1e-17  # nothing cancelled: not noise


def test_noise_is_judged_against_the_inputs_magnitudes_elementwise():
    big = ag.Node(np.array([1e10, 1.0]), name="big")
    out = (big + 1e-6) - big  # 1e-6 lost in 1e10's rounding; exact for 1
    out.name = "out"
    shown = ag.viz.shown_value(out)
    assert shown[1] == pytest.approx(1e-6)
    assert ag.viz.is_rounding_noise(np.float64(2.8e-17), 2.4)
    assert not ag.viz.is_rounding_noise(np.float64(1e-20), 1e-20)


def test_cli_prints_the_noise_as_zero(capsys):
    from autograd_lite import cli

    assert cli.main(["lesson"]) == 0
    out = capsys.readouterr().out
    assert "+ 0.1 = 0.000000" in out and "e-17" not in out


# -- Jupyter without system Graphviz ---------------------------------------------------------------
def test_to_dot_displays_in_jupyter_with_no_dot_on_path(tmp_path, monkeypatch):
    empty = tmp_path / "empty_path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv(renderer_module.ENV_VAR, raising=False)
    picture = ag.viz.to_dot(lesson()["L"])
    assert isinstance(picture, graphviz.Digraph)  # the Digraph API stays
    bundle = picture._repr_mimebundle_()
    svg = ET.fromstring(bundle["image/svg+xml"])
    assert svg.tag == SVG + "svg"
    assert picture._repr_svg_() == bundle["image/svg+xml"]
    with pytest.raises(graphviz.ExecutableNotFound):  # what Jupyter would have called
        graphviz.Digraph._repr_mimebundle_(picture)


def test_ipython_displays_to_dot_as_svg_with_no_dot_on_path(tmp_path, monkeypatch):
    formatters = pytest.importorskip("IPython.core.formatters", reason="IPython not installed")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(renderer_module.ENV_VAR, raising=False)
    data, _ = formatters.DisplayFormatter().format(ag.viz.to_dot(lesson()["L"]))
    assert ET.fromstring(data["image/svg+xml"]).tag == SVG + "svg"


# -- backslashes -----------------------------------------------------------------------------------
ESCAPES = ["\\N", "\\G", "\\L", "\\T", "\\H", "\\E"]


@pytest.mark.parametrize("renderer", ["graphviz-pure", "system dot"])
@pytest.mark.parametrize("sequence", ESCAPES)
def test_backslash_sequences_in_names_are_drawn_verbatim(renderer, sequence, monkeypatch):
    if renderer == "system dot":
        program = shutil.which("dot")
        if program is None:
            pytest.skip("no system Graphviz (dot) installed")
    else:
        monkeypatch.setenv("PATH", "/nonexistent")
        program = renderer_module.find_renderer()
    w = ag.Node(0.5, name=f"w{sequence}", requires_grad=True)
    out = w * 2.0
    out.name = "out"
    out.backward()
    assert f"w\\{sequence}" == ag.viz.escape(w.name)  # doubled: Graphviz makes it one
    svg = ag.viz.svg(out, renderer=program)
    texts = [t.text or "" for t in ET.fromstring(svg).iter(SVG + "text")]
    assert f"w{sequence}" in texts and f"dout/d(w{sequence}) = 2" in texts
    assert f"out = w{sequence}*2" in texts


# -- the expression type ---------------------------------------------------------------------------
def test_simplify_drops_ones_folds_signs_and_parenthesises():
    x, y, a = expr.Sym("x"), expr.Sym("y"), expr.Sym("a")
    assert str(expr.times(expr.Num(1), expr.Num(1), x)) == "x"
    assert str(expr.times(expr.Neg(x), expr.Neg(y))) == "x*y"
    assert str(expr.times(x, expr.Num(-1))) == "-x"
    assert str(expr.plus(x, expr.Neg(y))) == "x - y"
    assert str(expr.plus(x, expr.Neg(expr.Sum((y, expr.Neg(a)))))) == "x - y + a"
    assert str(expr.plus(x, expr.Num(0))) == "x"
    assert str(expr.times(expr.Sum((x, y)), a)) == "(x + y)*a"
    assert str(expr.divide(x, expr.Prod((y, a)))) == "x/(y*a)"
    pow_local = expr.simplify(expr.parse("{y}*{x}^({y}-1)", {"x": x, "y": expr.Num(3)}))
    assert str(pow_local) == "3*x^2"
    sigmoid_local = expr.simplify(expr.parse("{out}(1-{out})", {"out": a}))
    assert str(sigmoid_local) == "a(1-a)"
    bce = expr.parse("-{y}/{x} + (1-{y})/(1-{x})", {"x": a, "y": y})
    assert str(expr.simplify(bce)) == "-y/a + (1-y)/(1-a)"
    assert str(expr.simplify(expr.parse("-{x}/{y}^2", {"x": x, "y": expr.Sym("b + c")}))) \
        == "-x/(b + c)^2"
    with pytest.raises(expr.TemplateError):
        expr.parse("x ? y", {})


# -- the identities table, checked against the engine ----------------------------------------------
# (the binary entries; cross_entropy's, over classes, is checked in test_habits_losses.py)
BINARY = [e for e in identities.IDENTITIES if e.outer.startswith("binary_cross_entropy")]


@pytest.mark.parametrize("entry", BINARY, ids=lambda e: f"{e.inner}-{e.outer}")
@pytest.mark.parametrize("y", [0.0, 1.0, 0.25])
def test_each_identity_holds_against_the_engines_backward(entry, y):
    z_values = np.array([-800.0, -40.0, -3.0, -0.5, 0.0, 0.7, 4.0, 40.0, 800.0])
    z = ag.Node(z_values, name="z", requires_grad=True)
    inner = {"sigmoid": ag.sigmoid, None: lambda v: v}[entry.inner]
    outer = {"binary_cross_entropy": ag.binary_cross_entropy,
             "binary_cross_entropy_with_logits": ag.binary_cross_entropy_with_logits}[entry.outer]
    loss = outer(inner(z), np.full(z_values.shape, y), reduction="sum")
    loss.backward()
    expected = entry.gradient(z_values, np.full(z_values.shape, y))
    np.testing.assert_allclose(z.grad, expected, rtol=1e-9, atol=1e-12)
    with np.errstate(over="ignore"):
        a = 1 / (1 + np.exp(-z_values))
    np.testing.assert_allclose(expected, a - y, rtol=1e-9, atol=1e-15)  # its `result`, a - y
    assert entry.text(entry.result) == "a - y"


def test_a_long_derivative_through_a_box_is_shown_by_its_value_alone():
    x = ag.Node(0.3, name="x", requires_grad=True)
    u = ag.tanh(ag.exp(ag.sigmoid(x) * x) + x * x)  # folded: the derivative has no short form
    u.name = "u"
    out = u * 2.0
    out.name = "out"
    out.backward()
    source = ag.viz.to_dot(out).source
    (_, _, attrs), = [e for e in forward_edges(source) if header(statements(source)[e[0]]) == "x"]
    label = re.search(r'color="#444444">(.*?)</font>', attrs).group(1)
    assert label == f"du/dx = {float(x.grad) / 2:.4g}"  # the engine's number, nothing else


def test_cli_lesson_view_ops_draws_one_box_per_op(tmp_path):
    from autograd_lite import cli

    assert cli.main(["lesson", "--out", str(tmp_path), "--view", "ops"]) == 0
    svg = (tmp_path / "lesson_graph.svg").read_text()
    assert "w1*x1 + w2*x2</text>" in svg and "d(w1*x1)" in svg
    assert len(list((tmp_path / "steps").glob("step_*.png"))) == 10
    assert cli.main(["lesson", "--out", str(tmp_path / "named")]) == 0
    named = (tmp_path / "named" / "lesson_graph.svg").read_text()
    assert "w1*x1 + w2*x2</text>" not in named and "z = w1*x1 + w2*x2 + b</text>" in named


def test_an_unnamed_op_used_by_two_named_nodes_keeps_its_own_box():
    w = ag.Node(0.5, name="w", requires_grad=True)
    x = ag.Node(2.0, name="x")
    shared = w * x
    p = ag.tanh(shared)
    p.name = "p"
    q = shared + 1.0
    q.name = "q"
    out = p * q
    out.name = "out"
    out.backward()
    source = ag.viz.to_dot(out).source
    headers = {header(a) for a in statements(source).values()}
    assert {"w*x", "p = tanh(w*x)", "q = w*x + 1", "out = p*q"} <= headers
    assert "d(w*x)" in headers  # its gradient too: both named nodes pass it a share


# -- the algebra keeps the value ---------------------------------------------------------------

VALUES = {"a": 0.7, "b": -1.3, "c": 2.5}


def evaluate(e: expr.Expr, shown: bool = False) -> float:
    """The value of e; ``shown``: with each number as printed (4 significant digits)."""
    if isinstance(e, expr.Num):
        return float(str(e)) if shown else e.value
    if isinstance(e, expr.Sym):
        return VALUES[e.text]
    if isinstance(e, expr.Neg):
        return -evaluate(e.operand, shown)
    if isinstance(e, expr.Sum):
        return sum(evaluate(t, shown) for t in e.terms)
    if isinstance(e, expr.Prod):
        result = 1.0
        for factor in e.factors:
            result *= evaluate(factor, shown)
        return result
    if isinstance(e, expr.Quot):
        return evaluate(e.numerator, shown) / evaluate(e.denominator, shown)
    if isinstance(e, expr.Pow):
        return evaluate(e.base, shown) ** evaluate(e.exponent, shown)
    raise AssertionError(e)


leaves = st.one_of(st.sampled_from([expr.Sym(k) for k in VALUES]),
                   st.sampled_from([0.0, 1.0, -1.0, 2.0, 0.5]).map(expr.Num))
trees = st.recursive(leaves, lambda inner: st.one_of(
    inner.map(expr.Neg),
    st.lists(inner, min_size=2, max_size=3).map(lambda t: expr.Sum(tuple(t))),
    st.lists(inner, min_size=2, max_size=3).map(lambda f: expr.Prod(tuple(f))),
    st.lists(inner, min_size=2, max_size=2).map(lambda f: expr.Prod(tuple(f), implicit=True)),
    st.tuples(inner, st.sampled_from(sorted(VALUES)).map(expr.Sym)).map(lambda q: expr.Quot(*q)),
    st.tuples(inner, st.sampled_from([0.0, 1.0, 2.0]).map(expr.Num)).map(lambda p: expr.Pow(*p)),
), max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(trees)
def test_simplify_keeps_the_value_and_printing_keeps_the_meaning(tree):
    simple = expr.simplify(tree)
    assert evaluate(simple) == pytest.approx(evaluate(tree), rel=1e-9, abs=1e-12)
    for e in (tree, simple):  # the printed text, read back as Python, has the same value
        text = str(e).replace("^", "**")
        text = re.sub(r"\)\(", ")*(", re.sub(r"(\w)\(", r"\1*(", text))  # a(1-a) -> a*(1-a)
        shown = evaluate(e, shown=True)  # (a folded 2.25^2 is drawn as 5.062)
        assert eval(text, {}, dict(VALUES)) == pytest.approx(shown, rel=1e-9, abs=1e-12)
    assert len(str(simple)) <= len(str(tree)) + 2


def _all_ops(cls=ag.Op):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_ops(sub)


@pytest.mark.parametrize("template", sorted({t for op in _all_ops() for t in op.formulas}))
def test_every_ops_formula_is_read_or_left_as_text(template):
    holes = {"x": expr.Sym("p"), "y": expr.Sym("q"), "w": expr.Sym("r"), "out": expr.Sym("o")}
    try:
        text = str(expr.simplify(expr.parse(template, holes)))
    except expr.TemplateError:
        return  # drawn as the template's own text
    for name in re.findall(r"[A-Za-z_]\w*", text):
        assert name in template or name in "pqro", (template, text)  # nothing invented


def test_a_folded_index_op_draws_with_its_formula_text():
    x = ag.Node(np.array([1.0, 2.0, 3.0]), name="x", requires_grad=True)
    u = x[1] * 2.0
    u.name = "u"
    out = ag.tanh(u)
    out.name = "out"
    out.backward()
    source = ag.viz.to_dot(out).source
    assert "<b>u = x[1]*2</b>" in source and "du/dx = 2 at [1], 0 elsewhere" in source
    assert ag.viz.graph._key_text((slice(None), 0)) == ":, 0"
    assert ag.viz.graph._key_text(slice(1, 3)) == "1:3"


@pytest.mark.parametrize(
    ("template", "simple"),
    [
        ("{x}/{x}*{x}/{x}", "1"),
        ("{x}*{y}/{x}", "b"),
        ("{y}/{x}*{x}", "b"),
        ("-{x}/{x}", "-1"),
        ("{x}/({x}*{x})", "1/a"),  # once only: the second a below stays
    ],
)
def test_a_factor_above_and_below_the_line_cancels(template, simple):
    # hypothesis once found a/a*a/a "simplified" to the longer a*a/a/a
    holes = {"x": expr.Sym("a"), "y": expr.Sym("b")}
    assert str(expr.simplify(expr.parse(template, holes))) == simple
