"""ag.codegen: the generated source reads as the lesson, and gives backward()'s numbers."""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite import logistic
from autograd_lite.codegen import emit

ROOT = Path(__file__).resolve().parents[1]


def assert_close(got, want, where: str = "", rtol: float = 1e-12) -> None:
    """got == want to rtol relative to want's largest element (as the benchmarks check)."""
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape or got.size == want.size == 1, (where, got.shape, want.shape)
    scale = max(float(np.max(np.abs(want))) if want.size else 0.0, 1e-300)
    err = float(np.max(np.abs(got.reshape(want.shape) - want))) if want.size else 0.0
    assert err <= rtol * scale, f"{where}: differs by {err:.3g} (scale {scale:.3g})"


def check_equivalent(loss: ag.Node, rtol: float = 1e-12) -> ag.Program:
    """codegen(loss) run on the recorded values gives loss's value and backward()'s grads."""
    program = ag.codegen(loss)
    leaves = dict(zip(program._generated.input_nodes, program.inputs, strict=True))
    value, grads = program(**{name: n.value for n, name in leaves.items()})
    loss.backward()
    assert_close(value, loss.value, "value", rtol)
    wanted = {name for n, name in leaves.items() if n.requires_grad}
    assert set(grads) == wanted
    for n, name in leaves.items():
        if n.requires_grad:
            assert np.shape(grads[name]) == n.shape, name
            if isinstance(n.grad, np.generic):  # one number, not a 0-d array (floats may be)
                assert not isinstance(grads[name], np.ndarray), (name, type(grads[name]))
            assert_close(grads[name], n.grad, f"d{name}", rtol)
    return program


# -- the lesson -------------------------------------------------------------------------------
def lesson_program() -> ag.Program:
    nodes = logistic.lesson_graph([1.0, 2.0], 1.0, [0.5, -0.3], 0.1)
    return ag.codegen(nodes["L"])


def test_lesson_source_reads_as_the_lessons_code() -> None:
    source = lesson_program().source
    lines = [line.split("#")[0].strip() for line in source.splitlines()]
    assert "dz = a - y" in lines
    assert "dw1 = x1 * dz" in lines or "dw1 = dz * x1" in lines
    assert "dw2 = x2 * dz" in lines or "dw2 = dz * x2" in lines
    assert "db = dz" in lines
    assert "a = sigmoid(z)" in lines
    assert "numpy" not in source and "math.exp" in source  # Python floats on a scalar graph
    assert "dz/dw" in source or "dt1/dw1 = x1" in source  # the local derivative, quoted
    assert "a(1-a)" in source  # the chain-rule form of the identity, in a comment


def test_lesson_program_gives_backwards_numbers() -> None:
    nodes = logistic.lesson_graph([1.0, 2.0], 1.0, [0.5, -0.3], 0.1)
    program = check_equivalent(nodes["L"])
    assert program.inputs == ("x1", "w1", "x2", "w2", "b", "y")
    value, grads = program(x1=1.0, w1=0.5, x2=2.0, w2=-0.3, b=0.1, y=1.0)
    assert value == pytest.approx(math.log(2.0), rel=1e-15)
    assert grads == pytest.approx({"w1": -0.5, "w2": -1.0, "b": -0.5}, rel=1e-15)
    assert str(program) == program.source


@given(
    x=st.lists(st.floats(-5, 5), min_size=1, max_size=4),
    w=st.lists(st.floats(-2, 2), min_size=4, max_size=4),
    b=st.floats(-2, 2),
    y=st.sampled_from([0.0, 1.0]),
)
def test_lesson_program_matches_backward_on_new_values(x, w, b, y) -> None:
    w = w[: len(x)]
    program = ag.codegen(logistic.lesson_graph([1.0] * len(x), 1.0, [0.5] * len(x), 0.1)["L"])
    nodes = logistic.lesson_graph(x, y, w, b)
    values = {name: float(nodes[name].value) for name in program.inputs}
    value, grads = program(**values)
    nodes["L"].backward()
    assert_close(value, nodes["L"].value, "L")
    for name, grad in grads.items():
        assert_close(grad, nodes[name].grad, f"d{name}")


def test_lesson_loss_stays_exact_at_saturation() -> None:
    program = lesson_program()
    for z_target, y in ((1000.0, 0.0), (-1000.0, 1.0), (40.0, 1.0), (-745.0, 0.0)):
        value, grads = program(x1=1.0, w1=z_target, x2=0.0, w2=0.0, b=0.0, y=y)
        exact = float(np.logaddexp(0.0, (1.0 - 2.0 * y) * z_target))  # y = 0 or 1
        assert math.isfinite(value)
        assert value == pytest.approx(exact, rel=1e-12, abs=1e-300)
        a = 0.5 * (1.0 + math.tanh(0.5 * z_target))
        assert grads["b"] == pytest.approx(a - y, rel=1e-12, abs=1e-300)


def test_lesson_source_is_python_that_ruff_accepts(tmp_path: Path) -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed")
    program = lesson_program()
    files = {"source.py": program.source, "module.py": program.module_source()}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    result = subprocess.run(
        [ruff, "check", "--config", str(ROOT / "pyproject.toml"), *files],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_lesson_code_file_runs_on_its_own(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "lesson_code.py"
    result = subprocess.run(
        [sys.executable, "-m", "autograd_lite", "lesson", "--code", str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert str(path) in result.stdout
    # run it with -I (isolated: no autograd_lite on the path), from another folder
    run = subprocess.run(
        [sys.executable, "-I", str(path)], capture_output=True, text=True, cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
    assert "value: 0.6931471805599453" in run.stdout
    assert "dw1: -0.5" in run.stdout and "dw2: -1.0" in run.stdout and "db: -0.5" in run.stdout


def test_lesson_code_prints_the_generated_source() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "autograd_lite", "lesson", "--code"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "dz = a - y" in result.stdout and "def lesson(x1, w1, x2, w2, b, y):" in result.stdout


def test_lesson_code_to_an_unwritable_path_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = subprocess.run(
        [sys.executable, "-m", "autograd_lite", "lesson", "--code", str(blocker / "x.py")],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "error" in result.stderr


# -- the vectorised graph -------------------------------------------------------------------
@pytest.mark.parametrize("loss", ["lesson", "fused"])
@pytest.mark.parametrize(("m", "n"), [(1, 1), (7, 3), (64, 8)])
def test_vectorised_graph_matches_backward(loss: str, m: int, n: int) -> None:
    rng = np.random.default_rng(m * 10 + n)
    X = rng.normal(size=(m, n))
    Y = (rng.random((m, 1)) > 0.5).astype(float)
    nodes = logistic.vectorised_graph(X, Y, rng.normal(size=(n, 1)), 0.2, loss=loss)
    program = check_equivalent(nodes["L"])
    assert "dX" not in program.source and "dY" not in program.source  # not needed, not written
    if loss == "lesson":  # the course's dZ = A - Y, dW = X^T dZ / m, db = sum(dZ) / m
        lines = [line.split("#")[0].strip() for line in program.source.splitlines()]
        assert "dZ = A - Y" in lines
        over_m = f" / {m}" if m > 1 else ""
        assert f"dw = X.T @ dZ{over_m}" in lines and f"db = dZ.sum(){over_m}" in lines



# -- a mean loss's 1/m, taken at the inputs --------------------------------------------------
def _body(program: ag.Program) -> list[str]:
    """The backward's statements, without their comments."""
    backward = program.source.split("# backward")[1]
    return [line.split("#")[0].strip() for line in backward.splitlines()]


def test_a_mean_losss_divisor_is_taken_at_the_inputs_with_a_penalty_beside_it() -> None:
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(9, 4)), (rng.random((9, 1)) > 0.5) * 1.0
    w = ag.Node(rng.normal(size=(4, 1)), name="w", requires_grad=True)
    b = ag.Node(0.3, name="b", requires_grad=True)
    z = X @ w + b
    loss = ag.binary_cross_entropy(ag.sigmoid(z), Y) + 0.01 * ag.sum(w * w)
    body = _body(check_equivalent(loss))
    assert "dt2 = t3 - c2" in body  # m dL/dz, as the course's dZ = A - Y
    assert "dw = dw + (c1.T @ dt2 / 9)" in body and "db = dt2.sum() / 9" in body


def test_two_means_of_different_sizes_on_one_weight_are_each_divided() -> None:
    rng = np.random.default_rng(4)
    w = ag.Node(rng.normal(size=(3,)), name="w", requires_grad=True)
    h = ag.tanh(w * 2.0)  # one value below both losses: its gradient sums two scales
    first = ag.mse_loss(rng.normal(size=(5, 3)) * h, rng.normal(size=(5, 3)))
    second = ag.binary_cross_entropy_with_logits(rng.normal(size=(7, 3)) * h, rng.random((7, 3)))
    program = check_equivalent(first + 3.0 * second)
    assert "/ 15" in program.source and "/ 21" in program.source


def test_a_users_op_below_a_mean_gets_the_divided_gradient() -> None:
    rng = np.random.default_rng(5)
    x = ag.Node(rng.normal(size=(6, 2)), name="x", requires_grad=True)
    program = check_equivalent(ag.mse_loss(Cube()(x), rng.normal(size=(6, 2))))
    assert "cube_backward(" in program.source and "/ 12)" in program.source


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_a_mean_is_divided_at_the_inputs_in_float64_only(dtype) -> None:
    rng = np.random.default_rng(6)
    x = ag.Node(rng.normal(size=(8, 2)).astype(dtype), name="x", requires_grad=True)
    loss = ag.mse_loss(ag.tanh(x), rng.normal(size=(8, 2)).astype(dtype))
    program = check_equivalent(loss, rtol={np.float16: 1e-3, np.float32: 1e-6}.get(dtype, 1e-12))
    dx = next(line for line in _body(program) if line.startswith("dx = "))
    assert dx.endswith(" / 16") == (dtype == np.float64)


def test_a_float16_or_float32_input_below_a_float64_mean_is_divided_at_once() -> None:
    """m dL/dz in float64, cast to a float16 input's dtype, would overflow (and a float32 one
    would be rounded twice): a graph with any value not float64 divides at the loss."""
    m = 200_000
    w = ag.Node(np.ones((1, 1), np.float16), name="w", requires_grad=True)
    loss = ag.binary_cross_entropy_with_logits(np.ones((m, 1)) @ w, np.zeros((m, 1)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        program = check_equivalent(loss, rtol=1e-3)
    assert f"/ {m}" not in "".join(_body(program)[2:])  # (only the per-element gradient's)
    b = ag.Node(np.float32(0.3), name="b", requires_grad=True)
    loss = ag.binary_cross_entropy_with_logits(np.ones((13, 1)) + b, np.zeros((13, 1)))
    program = check_equivalent(loss, rtol=1e-6)
    _, grads = program(b=b.value)
    assert type(grads["b"]) is np.float32 and grads["b"] == b.grad  # the same rounding as eager


def test_a_scaled_gradients_comment_says_so() -> None:
    rng = np.random.default_rng(8)
    x = ag.Node(rng.normal(size=(7,)), name="x", requires_grad=True)
    program = check_equivalent(ag.mse_loss(ag.tanh(x), rng.normal(size=(7,))))
    assert "7 times" in program.source and "the mean's / 7 is taken at the inputs" in program.source


def test_cross_entropys_mean_is_divided_at_the_inputs() -> None:
    rng = np.random.default_rng(7)
    W = ag.Node(rng.normal(size=(3, 4)), name="W", requires_grad=True)
    logits = rng.normal(size=(5, 3)) @ W
    program = check_equivalent(ag.cross_entropy(logits, np.eye(4)[[0, 3, 1, 2, 3]]))
    assert "dt1 = softmax(t1, axis=-1) - c2" in _body(program)  # the course's dZ = A - Y
    assert "dW = c1.T @ dt1 / 5" in _body(program)


# -- every op ----------------------------------------------------------------------------------
def _leaf(rng, shape, name, positive=False, grad=True):
    value = rng.uniform(0.5, 2.0, size=shape) if positive else rng.normal(size=shape)
    return ag.Node(value if shape else float(value), name=name, requires_grad=grad)


OPS = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "div": lambda x, y: x / y,
    "pow": lambda x, y: x**y,
    "neg": lambda x, y: -x,
    "exp": lambda x, y: ag.exp(x),
    "log": lambda x, y: ag.log(x),
    "sigmoid": lambda x, y: ag.sigmoid(x),
    "tanh": lambda x, y: ag.tanh(x),
    "relu": lambda x, y: ag.relu(x - 1.2),
    "sum": lambda x, y: ag.sum(x),
    "mean": lambda x, y: ag.mean(x),
    "reshape": lambda x, y: ag.reshape(x, (-1,)),
    "transpose": lambda x, y: x.T,
    "bce": lambda x, y: ag.binary_cross_entropy(x / 2.5, y / 2.5, reduction="sum"),
    "bce_none": lambda x, y: ag.binary_cross_entropy(x / 2.5, y / 2.5, reduction="none"),
    "bce_mean": lambda x, y: ag.binary_cross_entropy(x / 2.5, y / 2.5),
    "bce_logits": lambda x, y: ag.binary_cross_entropy_with_logits(x, y / 2.5, reduction="sum"),
    "bce_logits_mean": lambda x, y: ag.binary_cross_entropy_with_logits(x, y / 2.5),
    "sigmoid_bce_sum": lambda x, y: ag.binary_cross_entropy(
        ag.sigmoid(x), y / 2.5, reduction="sum"
    ),
    "abs": lambda x, y: ag.abs(x - 1.0),
    "sqrt": lambda x, y: ag.sqrt(x),
    "maximum": lambda x, y: ag.maximum(x, y),
    "minimum": lambda x, y: ag.minimum(x, y),
    "clip": lambda x, y: ag.clip(x, 0.8, 1.5),
    "clip_above": lambda x, y: ag.clip(x, high=1.2),
    "clip_below": lambda x, y: ag.clip(x, low=-1.2) * ag.clip(y, -0.5, np.inf),
    "stack": lambda x, y: ag.stack([x, x * 2.0]),
    "where": lambda x, y: ag.where(x.value > 1.0, x, y),
    "max": lambda x, y: ag.max(x),
    "min": lambda x, y: ag.min(x * y),
    "mse": lambda x, y: ag.mse_loss(x, y),
}

# ops whose templates have no Python-float form yet: numpy also on a graph of single numbers
NUMPY_ON_SCALARS: set[str] = set()

ARRAY_OPS = {
    "concatenate": lambda x: ag.concatenate([x, x * 2.0]),
    "softmax": lambda x: ag.softmax(x),
    "log_softmax": lambda x: ag.log_softmax(x, axis=0),
    "cross_entropy_indices": lambda x: ag.cross_entropy(x, np.array([0, 2, 1])),
    "cross_entropy_one_hot": lambda x: ag.cross_entropy(x, np.eye(4)[[0, 2, 1]]),
    "cross_entropy_none": lambda x: ag.cross_entropy(x, np.eye(4)[[3, 2, 1]], reduction="none"),
    "index": lambda x: x[1],
    "slice": lambda x: x[:, 1:3],
    "mask": lambda x: x[x.value > 0],
}


@pytest.mark.parametrize("op", sorted(ARRAY_OPS))
def test_every_array_op_matches_backward(op: str) -> None:
    x = _leaf(np.random.default_rng(7), (3, 4), "x")
    out = ARRAY_OPS[op](x)
    check_equivalent(ag.sum(out * out))


@pytest.mark.parametrize("shapes", [((), ()), ((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 3), ())])
@pytest.mark.parametrize("op", sorted(OPS))
def test_every_op_matches_backward(op: str, shapes) -> None:
    rng = np.random.default_rng(abs(hash((op, shapes))) % 2**32)
    x = _leaf(rng, shapes[0], "x", positive=True)
    y = _leaf(rng, shapes[1], "y", positive=True)
    if ("bce" in op or op == "mse") and shapes[1] not in ((), shapes[0]):
        pytest.skip("labels have the predictions' shape or are one number")
    out = OPS[op](x, y)
    loss = ag.sum(out * out) if out.value.size != 1 or op in ("reshape",) else out * 1.5
    program = check_equivalent(loss)
    scalar = all(type(n.value) is np.float64 for n in loss.walk())
    if scalar and op not in NUMPY_ON_SCALARS:  # Python floats and math, no numpy
        assert "np." not in program.source and "numpy" not in program.source


@pytest.mark.parametrize("axes", [(1, 2, 0), (0, 2, 1), (-1, 0, 1), (0, 1, 2), (2, 1, 0)])
def test_transpose_in_any_order_matches_backward(axes) -> None:
    x = ag.Node(np.arange(24.0).reshape(2, 3, 4) / 7, name="x", requires_grad=True)
    y = x.transpose(axes)
    weights = np.arange(1.0, 25.0).reshape(y.shape)  # a different weight per element
    program = check_equivalent(ag.sum(y * y * weights))
    reversal = y.op.order is None
    assert ("x.T" in program.source) == reversal
    assert ("np.transpose(x, " in program.source) == (not reversal)


@pytest.mark.parametrize(
    ("xs", "ys"), [((3, 2), (2, 4)), ((2,), (2, 3)), ((3, 2), (2,)), ((4,), (4,)), ((3, 1), (1, 3))]
)
def test_matmul_of_every_rank_matches_backward(xs, ys) -> None:
    rng = np.random.default_rng(len(xs) * 7 + len(ys))
    x, y = _leaf(rng, xs, "x"), _leaf(rng, ys, "y")
    check_equivalent(ag.sum(ag.tanh(x @ y)))


@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("reduce", [ag.sum, ag.mean])
def test_reductions_over_axes_match_backward(axis, keepdims, reduce) -> None:
    rng = np.random.default_rng(3)
    x = _leaf(rng, (2, 3, 4), "x")
    check_equivalent(ag.sum(ag.tanh(reduce(x * x, axis=axis, keepdims=keepdims))))


@pytest.mark.parametrize(
    ("xs", "ys"), [((3, 1), (2, 3, 4)), ((1, 4), (3, 1)), ((), (2, 2)), ((4,), (3, 4))]
)
def test_broadcasting_is_summed_back_only_where_needed(xs, ys) -> None:
    rng = np.random.default_rng(5)
    x, y = _leaf(rng, xs, "x"), _leaf(rng, ys, "y")
    program = check_equivalent(ag.sum(x * y + x))
    assert ".sum(" in program.source
    same = check_equivalent(ag.sum(ag.tanh(_leaf(rng, (3, 4), "p") * _leaf(rng, (3, 4), "q"))))
    assert ".sum(" not in same.source.split("# backward")[1]


def test_fan_out_gradients_are_summed() -> None:
    x = ag.Node(1.5, name="x", requires_grad=True)
    y = x * x + ag.exp(x)
    program = check_equivalent(y)
    assert "dx = dx + " in program.source


def test_float32_graph_keeps_float32() -> None:
    rng = np.random.default_rng(0)
    w = ag.Node(rng.normal(size=(3, 1)).astype(np.float32), name="w", requires_grad=True)
    X = rng.normal(size=(5, 3)).astype(np.float32)
    loss = ag.mean(ag.tanh(X @ w) * 2.0)
    program = ag.codegen(loss)
    value, grads = program(w=w.value)
    loss.backward()
    assert grads["w"].dtype == np.float32
    np.testing.assert_allclose(grads["w"], w.grad, rtol=1e-5)


def test_output_that_requires_no_gradient_returns_no_gradients() -> None:
    x = ag.Node(2.0, name="x")
    value, grads = ag.codegen(ag.exp(x) + 1.0)(x=3.0)
    assert value == pytest.approx(math.exp(3.0) + 1.0) and grads == {}


# -- random graphs -----------------------------------------------------------------------------
UNARY = [ag.tanh, ag.sigmoid, lambda v: -v, lambda v: ag.exp(ag.tanh(v)), lambda v: v * v,
         lambda v: ag.log(1.5 + ag.tanh(v)), lambda v: ag.relu(v), lambda v: v * 0.5 + 1.0]
BINARY = [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b,
          lambda a, b: a / (2.0 + ag.tanh(b))]


@st.composite
def random_graph(draw):
    """A random graph over broadcastable leaves; nodes are reused (fan-out) at random."""
    scalar = draw(st.booleans())
    base = () if scalar else tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    nodes = []
    for i in range(draw(st.integers(1, 3))):
        shape = base
        if not scalar and draw(st.booleans()):  # broadcast: drop leading axes, stretch others
            stretched = tuple(1 if draw(st.booleans()) else n for n in base)
            shape = stretched[draw(st.integers(0, len(base))) :]
        value = rng.normal(size=shape)
        nodes.append(ag.Node(float(value) if shape == () else value, name=f"x{i}",
                             requires_grad=draw(st.booleans()) or i == 0))
    for _ in range(draw(st.integers(1, 8))):
        if draw(st.booleans()):
            f = draw(st.sampled_from(UNARY))
            nodes.append(f(draw(st.sampled_from(nodes))))
        else:
            f = draw(st.sampled_from(BINARY))
            nodes.append(f(draw(st.sampled_from(nodes)), draw(st.sampled_from(nodes))))
    last = nodes[-1] * nodes[draw(st.integers(0, len(nodes) - 1))]
    if draw(st.booleans()) and last.ndim:
        last = ag.mean(last, axis=draw(st.integers(0, last.ndim - 1)), keepdims=draw(st.booleans()))
    return ag.sum(last)


@given(random_graph())
def test_random_graphs_match_backward(loss: ag.Node) -> None:
    if not loss.requires_grad:
        return
    check_equivalent(loss)


# -- a user's op, names, errors ----------------------------------------------------------------
class Cube(ag.Op):
    """out = x^3;  dout/dx = 3 x^2."""

    formulas = ("3{x}^2",)

    def forward(self, x):
        self.x = x
        return x**3

    def backward(self, g):
        return g * 3.0 * self.x**2  # a lone array, as PyTorch allows


@pytest.mark.parametrize("shape", [(), (3, 2)])
def test_a_users_op_compiles_and_matches(shape) -> None:
    rng = np.random.default_rng(1)
    x = _leaf(rng, shape, "x")
    b = _leaf(rng, (2,) if shape else (), "b")
    loss = ag.sum(ag.tanh(Cube()(x) + b))
    program = check_equivalent(loss)
    assert "cube_op.forward(" in program.source
    with pytest.raises(ValueError, match="user's op"):
        program.module_source()


def test_names_that_are_not_identifiers_are_renamed_never_evaluated() -> None:
    evil = "x'); __import__('os').system('echo hacked'); ('"
    a = ag.Node(1.0, name=evil, requires_grad=True)
    b = ag.Node(2.0, name="layers.0.W", requires_grad=True)
    c = ag.Node(3.0, name="class", requires_grad=True)
    d = ag.Node(4.0, name="np", requires_grad=True)
    e = ag.Node(5.0, name="x", requires_grad=True)  # the same name, after sanitising
    f = ag.Node(6.0, name="sigmoid", requires_grad=True)
    out = ag.sigmoid(a * b + c * d - e * f)
    out.name = "1st\nline"
    program = check_equivalent(out)
    assert "'os'" not in program.source and "system(" not in program.source
    assert "1st" not in program.source.replace("_1st_line", "")  # renamed: _1st_line
    assert all(name.isidentifier() for name in program.inputs)
    assert "layers_0_W" in program.inputs and "class_" in program.inputs
    assert len(set(program.inputs)) == 6
    compile(program.source, "<test>", "exec")


def test_wrong_shape_dtype_and_names_are_clear_errors() -> None:
    rng = np.random.default_rng(0)
    w = ag.Node(rng.normal(size=(3, 1)), name="w", requires_grad=True)
    program = ag.codegen(ag.mean(ag.tanh(rng.normal(size=(5, 3)) @ w)))
    with pytest.raises(ag.ShapeError, match=r"'w'.*\(4, 1\).*\(3, 1\)"):
        program(w=np.zeros((4, 1)))
    with pytest.raises(TypeError, match=r"'w'.*float32"):
        program(w=np.zeros((3, 1), dtype=np.float32))
    with pytest.raises(TypeError, match="missing.*'w'"):
        program()
    with pytest.raises(TypeError, match="unexpected.*'v'"):
        program(w=w.value, v=1.0)
    scalar = ag.codegen(ag.exp(ag.Node(1.0, name="s", requires_grad=True)))
    with pytest.raises(ag.ShapeError, match="'s'"):
        scalar(s=np.zeros(2))
    assert scalar(s=np.float64(0.0))[0] == 1.0 and scalar(s=0)[0] == 1.0


def test_a_graph_too_large_to_compile_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(emit, "MAX_OPS", 10)
    x = ag.Node(1.0, name="x", requires_grad=True)
    for _ in range(6):
        x = x * 1.01 + 0.01
    with pytest.raises(ValueError, match="12 ops"):
        ag.codegen(x)


def test_names_the_checked_entry_uses_are_renamed() -> None:
    rng = np.random.default_rng(2)
    nodes = [
        ag.Node(rng.normal(size=3).astype(np.float32), name=name, requires_grad=True)
        for name in ("self", "dtypes", "unchecked", "float64")
    ]
    out = ag.sum(nodes[0] * nodes[1] + nodes[2] * nodes[3])
    program = ag.codegen(out)
    value, grads = program(**{name: n.value for name, n in zip(program.inputs, nodes, strict=True)})
    out.backward()
    assert value == pytest.approx(float(out.value), rel=1e-6)
    for name, n in zip(program.inputs, nodes, strict=True):
        np.testing.assert_allclose(grads[name], n.grad, rtol=1e-6)


def test_a_long_program_is_checked_and_run_through_one_call() -> None:
    x = ag.Node(np.ones(2), name="x", requires_grad=True)
    y = x
    for _ in range(150):
        y = y * 1.001 + 0.001
    program = check_equivalent(ag.sum(y))
    with pytest.raises(ag.ShapeError, match="'x'"):
        program(x=np.ones(3))


@pytest.mark.parametrize("z", [0.3, -2.0, 800.0, -800.0])
def test_array_helpers_work_on_zero_dimensional_arrays(z: float) -> None:
    w = ag.Node(np.array(z), name="w", requires_grad=True)  # 0-d: the numpy forms
    sig = ag.sigmoid(w)
    loss = ag.binary_cross_entropy(sig, 1.0) + ag.binary_cross_entropy_with_logits(w * 1.0, 0.0)
    program = check_equivalent(loss)
    assert "np." in program.source


def test_a_very_large_graph_is_written_without_comments(monkeypatch) -> None:
    monkeypatch.setattr(emit, "COMMENTED_OPS", 5)
    x = ag.Node(1.0, name="x", requires_grad=True)
    y = x
    for _ in range(4):
        y = y * 1.01 + 0.01
    program = check_equivalent(y)
    body = program.source.split("# backward")[1]
    assert "#" not in body
