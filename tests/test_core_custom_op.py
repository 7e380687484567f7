"""A user adds an operation by subclassing ag.Op: forward, backward, and nothing else."""

import inspect

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lite as ag


class Softplus(ag.Op):
    """out = log(1 + e^x);  dout/dx = sigmoid(x)."""

    formulas = ("sigmoid({x})",)

    def forward(self, x):
        self.x = x
        return np.logaddexp(0.0, x)

    def backward(self, g):
        return (g / (1.0 + np.exp(-self.x)),)


class Cube(ag.Op):
    """out = x^3;  dout/dx = 3x^2 (returns a lone array, not a tuple, as PyTorch allows)."""

    def forward(self, x):
        self.x = x
        return x**3

    def backward(self, g):
        return g * 3 * self.x**2


class Hypot(ag.Op):
    """out = sqrt(x^2 + y^2);  dout/dx = x/out, dout/dy = y/out (skips unneeded gradients)."""

    symbol = "hypot"
    formulas = ("{x}/{out}", "{y}/{out}")

    def forward(self, x, y):
        self.x, self.y = x, y
        self.out = np.hypot(x, y)
        return self.out

    def backward(self, g):
        need_x, need_y = self.needs_input_grad
        gx = g * self.x / self.out if need_x else None
        gy = g * self.y / self.out if need_y else None
        return gx, gy


SHAPES = hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3)
FLOATS = st.floats(-3.0, 3.0, allow_subnormal=False)


@given(hnp.arrays(np.float64, SHAPES, elements=FLOATS))
def test_softplus_and_cube_pass_gradcheck(x):
    weights = np.linspace(0.5, 1.5, x.size).reshape(x.shape)
    assert ag.gradcheck(lambda x: ag.sum(Softplus()(x) * weights), [x])
    assert ag.gradcheck(lambda x: ag.sum(Cube()(x) * weights), [x])


@given(
    hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=3).flatmap(
        lambda s: st.tuples(
            hnp.arrays(np.float64, s.input_shapes[0], elements=st.floats(0.5, 3.0)),
            hnp.arrays(np.float64, s.input_shapes[1], elements=st.floats(-3.0, -0.5)),
        )
    )
)
def test_a_two_input_custom_op_broadcasts_and_passes_gradcheck(pair):
    report = ag.gradcheck(lambda x, y: ag.mean(Hypot()(x, y)), list(pair))
    assert report, str(report)


def test_a_custom_op_composes_with_built_in_ones_and_is_recorded():
    w = ag.Node(np.array([0.5, -1.0]), name="w", requires_grad=True)
    h = Softplus()(w * 2.0)
    L = ag.binary_cross_entropy(ag.sigmoid(h - 1.0), np.array([1.0, 0.0]))
    assert isinstance(h.op, Softplus) and h.parents[0].op.name == "mul"
    assert ag.gradcheck(
        lambda w: ag.binary_cross_entropy(ag.sigmoid(Softplus()(w * 2.0) - 1.0), [1.0, 0.0]),
        [w],
    )
    L.backward()
    assert w.grad.shape == (2,)


def test_needs_input_grad_is_known_in_forward_and_backward():
    seen = []

    class Record(ag.Op):
        def forward(self, x, y):
            seen.append(self.needs_input_grad)
            return x + y

        def backward(self, g):
            seen.append(self.needs_input_grad)
            return g, g

    x, y = ag.Node(1.0, requires_grad=True), ag.Node(2.0)
    Record()(x, y).backward()
    assert seen == [(True, False), (True, False)]
    assert x.grad == 1.0 and y.grad is None


def test_a_custom_op_is_named_after_its_class_and_has_formulas_as_text():
    op = Hypot()
    assert op.name == "hypot" and op.symbol == "hypot"
    assert Softplus.name == "softplus" and Softplus.symbol == "softplus"
    assert op.local_derivative(0, x="a", y="b", out="c") == "a/c"
    assert op.local_derivative(1, x="a", y="b", out="c") == "b/c"
    assert Cube().local_derivative(0) == "?"  # no formula given


def test_built_in_ops_carry_their_symbols_and_local_derivatives():
    z = ag.Node(0.3, requires_grad=True)
    a = ag.sigmoid(z)
    assert (a.op.name, a.op.symbol) == ("sigmoid", "sigmoid")
    assert a.op.local_derivative(0, x="z", out="a") == "a(1-a)"
    m = z * ag.Node(2.0)
    assert m.op.symbol == "*"
    assert m.op.local_derivative(0) == "y" and m.op.local_derivative(1) == "x"
    assert m.op.local_derivative(0, x="w1", y="x1") == "x1"
    assert ag.exp(z).op.local_derivative(0, x="z") == "exp(z)"
    assert (z + 1.0).op.symbol == "+"
    assert (ag.Node(np.ones(2)) @ np.ones(2)).op.symbol == "@"
    assert (z / 2.0).op.local_derivative(1, x="p", y="q") == "-p/q^2"


def test_reusing_one_custom_op_object_gives_each_node_its_own_saved_values():
    cube = Cube()
    a, b = ag.Node(2.0, requires_grad=True), ag.Node(3.0, requires_grad=True)
    ya, yb = cube(a), cube(b)
    (ya + yb).backward()
    assert a.grad == 12.0 and b.grad == 27.0


def test_a_forward_may_return_a_python_number_or_list():
    class Total(ag.Op):
        def forward(self, x):
            return float(np.sum(x))

        def backward(self, g):
            return (g,)  # one number for every element: the engine spreads it

    class Pair(ag.Op):
        def forward(self, x):
            return [float(x), 2 * float(x)]

        def backward(self, g):
            return (g[0] + 2 * g[1],)

    x = ag.Node(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    total = Total()(x)
    assert total.value.dtype == np.float64 and total.value == 6.0
    total.backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0, 1.0])
    s = ag.Node(1.5, requires_grad=True)
    pair = Pair()(s)
    assert pair.value.dtype == np.float64 and pair.shape == (2,)
    ag.sum(pair).backward()
    assert s.grad == 3.0


BUILT_IN_OPS = [
    cls
    for cls in vars(ag.ops).values()
    if isinstance(cls, type) and issubclass(cls, ag.Op)
    and cls.__module__.startswith("autograd_lite.ops.") and not cls.__name__.startswith("_")
]


@pytest.mark.parametrize("cls", BUILT_IN_OPS, ids=lambda cls: cls.__name__)
def test_every_built_in_op_has_a_symbol_a_formula_per_input_and_its_maths(cls):
    parameters = list(inspect.signature(cls.forward).parameters.values())[1:]  # less self
    if parameters[0].kind is inspect.Parameter.VAR_POSITIONAL:  # any number of inputs
        applied = ag.Node(np.zeros((1, 2)), requires_grad=True)
        node = cls()(applied, applied, applied)  # one formula for each of the inputs given
        assert len(cls.formulas) == 1 and len(node.op.formulas) == 3
    else:
        assert len(cls.formulas) == len(parameters)
    assert "name" in vars(cls) and "symbol" in vars(cls) and cls.symbol  # set, not defaulted
    doc = inspect.getdoc(cls)
    assert doc and "=" in doc and ("/d" in doc or "dL" in doc), doc


class Sigmoid(ag.Op):
    """A user's steeper sigmoid that shares the engine's op name: out = 1/(1 + e^-2x);
    dout/dx = 2 out (1 - out). It keeps its input as z, as a sigmoid would."""

    def forward(self, x):
        self.z = x
        self.out = 1.0 / (1.0 + np.exp(-2.0 * x))
        return self.out

    def backward(self, grad):
        return (grad * 2.0 * self.out * (1.0 - self.out),)


@pytest.mark.parametrize("value", [0.5, np.array([[0.5], [-1.0], [3.0]])])
def test_a_users_op_named_sigmoid_gets_no_identity_of_the_engines_sigmoid(value):
    """The lesson's identities (dz = a - y) hold for the engine's sigmoid only: a user's op of
    the same name is differentiated through its own backward, in backward(), codegen, compile
    and the pictures alike."""
    w = ag.Node(value, name="w", requires_grad=True)
    a = Sigmoid()(w)
    labels = np.ones_like(value)
    L = ag.binary_cross_entropy(a, labels)
    L.backward()
    s = 1.0 / (1.0 + np.exp(-2.0 * np.asarray(value)))
    m = np.size(value)
    np.testing.assert_allclose(L.value, np.mean(-np.log(s)), rtol=1e-12)
    np.testing.assert_allclose(w.grad, -2.0 * (1.0 - s) / m, rtol=1e-12)
    total, grads = ag.codegen(L)(w=value)
    np.testing.assert_allclose(total, L.value, rtol=1e-12)
    np.testing.assert_allclose(grads["w"], w.grad, rtol=1e-12)
    step = ag.compile(lambda w: ag.binary_cross_entropy(Sigmoid()(w), labels))
    total, (grad,) = step(ag.Node(value, requires_grad=True))
    np.testing.assert_allclose(grad, w.grad, rtol=1e-12)
    assert "a - y" not in ag.viz.to_dot(L)
