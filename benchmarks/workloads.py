"""The workloads W1-W8: data, the hand-written floor, autograd_lite's contenders, and the check.

Every contender of a case returns the same kind of result (a dict of floats and arrays), and
``Case.check`` compares it with the closed-form (hand-written) answer before anything is timed.
The unit tests (tests/test_bench_workloads.py) run small sizes of each case through the same
checks; peers.py adds the peer engines' contenders to a case.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import autograd_lite as ag

Result = dict[str, Any]


@dataclass
class Contender:
    """One way to run a workload: ``run()`` does the whole forward + backward once."""

    name: str
    run: Callable[[], Result]
    role: str = "peer"  # "floor", "engine", "info" (a second floor, shown for reference) or "peer"
    skip: str | None = None  # why it is not measured (not installed, not applicable...)


@dataclass
class Case:
    """A workload at one size: its floor, its contenders and the check every result must pass."""

    key: str  # "W1", "W5 N=1,000": the row's name
    title: str
    floor: Contender
    contenders: list[Contender]
    expected: Result  # the closed-form / hand-written answer
    rtol: float = 1e-9
    target: float | None = None  # the ratio autograd_lite's ``target_of`` contender must reach
    target_of: str = ""
    memory_target: float | None = None  # if set: peak memory (tracemalloc) <= this x the floor's
    # {peer's name: the largest ratio of target_of's time to that peer's}, e.g. {"micrograd": 0.25}
    peer_targets: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    data: Any = None  # the workload's inputs, for peers.py
    peers: bool = True  # False: peers.py adds none (the compiled cases: peers are timed once)

    def all(self) -> list[Contender]:
        return [self.floor, *self.contenders]

    def check(self, name: str, result: Result, partial: bool = False) -> None:
        """Raise AssertionError, naming the contender and the quantity, unless ``result`` matches
        the expected answer to ``rtol`` (``partial``: only the quantities it returns)."""
        check_result(f"{self.key} {name}", result, self.expected, self.rtol, partial)


def check_result(
    where: str, result: Result, expected: Result, rtol: float, partial: bool = False
) -> None:
    for key, want in expected.items():
        if partial and key not in result:
            continue
        if key not in result:
            raise AssertionError(f"{where}: no {key!r} in the result")
        got = np.asarray(result[key], dtype=np.float64)
        want = np.asarray(want, dtype=np.float64)
        if got.shape != want.shape and got.size == want.size:
            got = got.reshape(want.shape)  # a peer's (n,) where we have (n, 1), or a 0-d array
        if got.shape != want.shape:
            raise AssertionError(f"{where}: {key} has shape {got.shape}, expected {want.shape}")
        scale = max(float(np.max(np.abs(want))) if want.size else 0.0, 1e-300)
        err = float(np.max(np.abs(got - want))) if want.size else 0.0
        if not err <= rtol * scale:
            raise AssertionError(
                f"{where}: {key} differs from the closed form by {err:.3g} "
                f"(relative {err / scale:.3g} > {rtol:g})"
            )


# -- W1: the lesson's single-example graph, scalar nodes, one SGD step per example ---------------
@dataclass
class LessonData:
    xs: list[tuple[float, float]]
    ys: list[float]
    alpha: float = 0.1


def lesson_data(examples: int, seed: int = 0) -> LessonData:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(examples, 2))
    Y = (X @ np.array([1.5, -2.0]) + 0.3 + rng.normal(scale=0.5, size=examples) > 0).astype(float)
    return LessonData([(float(a), float(b)) for a, b in X], Y.tolist())


def w1_floor(d: LessonData) -> Result:
    """The lesson by hand in Python floats: z, a, L forward; dz = a - y, dw = x dz, db = dz."""
    w1 = w2 = b = 0.0
    total = 0.0
    alpha = d.alpha
    exp, log = math.exp, math.log
    for (x1, x2), y in zip(d.xs, d.ys, strict=True):
        z = w1 * x1 + w2 * x2 + b
        a = 1.0 / (1.0 + exp(-z))
        total += -(y * log(a) + (1.0 - y) * log(1.0 - a))
        dz = a - y
        w1 -= alpha * x1 * dz
        w2 -= alpha * x2 * dz
        b -= alpha * dz
    return {"w": [w1, w2], "b": b, "loss": total}


def w1_engine(d: LessonData) -> Result:
    """The lesson's graph from scalar Nodes, a fresh graph per example, as the lesson draws it."""
    w1v = w2v = bv = 0.0
    total = 0.0
    alpha = d.alpha
    for (x1v, x2v), y in zip(d.xs, d.ys, strict=True):
        w1 = ag.Node(w1v, name="w1", requires_grad=True)
        w2 = ag.Node(w2v, name="w2", requires_grad=True)
        b = ag.Node(bv, name="b", requires_grad=True)
        x1 = ag.Node(x1v, name="x1")
        x2 = ag.Node(x2v, name="x2")
        z = w1 * x1 + w2 * x2 + b
        a = ag.sigmoid(z)
        L = ag.binary_cross_entropy(a, y)
        L.backward()
        total += L.value
        w1v -= alpha * w1.grad
        w2v -= alpha * w2.grad
        bv -= alpha * b.grad
    return {"w": [w1v, w2v], "b": bv, "loss": total}


def lesson_case(examples: int = 10_000) -> Case:
    d = lesson_data(examples)
    return Case(
        key="W1",
        title=f"lesson scalar graph, {examples:,} examples, SGD",
        floor=Contender("python floats by hand", lambda: w1_floor(d), role="floor"),
        contenders=[Contender("autograd_lite", lambda: w1_engine(d), role="engine")],
        expected=w1_floor(d),
        rtol=1e-9,
        target=40.0,
        target_of="autograd_lite",
        data=d,
    )


# -- W2/W3/W4: vectorised logistic regression, mean BCE of sigmoid(X @ w + b) ------------------
@dataclass
class VectorData:
    X: np.ndarray  # (m, n) float64
    Y: np.ndarray  # (m, 1) of 0.0 / 1.0
    w: np.ndarray  # (n, 1) starting weights
    b: float


def vector_data(m: int, n: int, seed: int = 1) -> VectorData:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, n))
    true_w = rng.standard_normal((n, 1)) / math.sqrt(n)
    Y = (X @ true_w + 0.1 * rng.standard_normal((m, 1)) > 0).astype(np.float64)
    w = 0.1 * rng.standard_normal((n, 1)) / math.sqrt(n)
    return VectorData(X, Y, w, 0.05)


def numpy_floor(d: VectorData) -> Result:
    """By hand in numpy, the loss included (the lesson's forward computes it):
    a = 1/(1+exp(-(Xw+b))), L = -mean(y log a + (1-y) log(1-a)), dz = a - y,
    dw = X.T @ dz / m, db = mean(dz)."""
    X, Y = d.X, d.Y
    a = 1.0 / (1.0 + np.exp(-(X @ d.w + d.b)))
    loss = -np.mean(Y * np.log(a) + (1.0 - Y) * np.log1p(-a))
    dz = a - Y
    return {"loss": loss, "dw": X.T @ dz / X.shape[0], "db": np.mean(dz)}


def numpy_floor_grads_only(d: VectorData) -> Result:
    """The issue's floor to the letter: the gradients only, no loss value."""
    X = d.X
    dz = 1.0 / (1.0 + np.exp(-(X @ d.w + d.b))) - d.Y
    return {"dw": X.T @ dz / X.shape[0], "db": np.mean(dz)}


def engine_fused(d: VectorData) -> Result:
    w = ag.Node(d.w, name="w", requires_grad=True)
    b = ag.Node(d.b, name="b", requires_grad=True)
    L = ag.binary_cross_entropy_with_logits(d.X @ w + b, d.Y)
    L.backward()
    return {"loss": L.value, "dw": w.grad, "db": b.grad}


def engine_lesson(d: VectorData) -> Result:
    w = ag.Node(d.w, name="w", requires_grad=True)
    b = ag.Node(d.b, name="b", requires_grad=True)
    L = ag.binary_cross_entropy(ag.sigmoid(d.X @ w + b), d.Y)
    L.backward()
    return {"loss": L.value, "dw": w.grad, "db": b.grad}


def closed_form(d: VectorData) -> Result:
    """The answer to check against, computed independently of the floor's code path."""
    m = d.X.shape[0]
    z = (d.X @ d.w).ravel() + d.b
    y = d.Y.ravel()
    loss = float(np.mean(np.logaddexp(0.0, z) - z * y))  # log(1+e^z) - zy = the same BCE
    dz = 0.5 * (1.0 + np.tanh(0.5 * z)) - y  # sigmoid written another way
    return {"loss": loss, "dw": (dz @ d.X).reshape(-1, 1) / m, "db": float(np.mean(dz))}


VECTOR_TARGETS = {"W2": 3.0, "W3": 1.15, "W4": 1.05}


def vector_case(key: str, m: int, n: int) -> Case:
    d = vector_data(m, n)
    return Case(
        key=key,
        title=f"mean BCE of sigmoid(X @ w + b), X {m:,} x {n}",
        floor=Contender("numpy by hand (with loss)", lambda: numpy_floor(d), role="floor"),
        contenders=[
            Contender("numpy by hand, gradients only", lambda: numpy_floor_grads_only(d), "info"),
            Contender("autograd_lite fused loss", lambda: engine_fused(d), role="engine"),
            Contender("autograd_lite lesson loss", lambda: engine_lesson(d), role="engine"),
        ],
        expected=closed_form(d),
        rtol=1e-9,
        target=VECTOR_TARGETS.get(key),
        target_of="autograd_lite fused loss",
        memory_target=2.0 if key == "W4" else None,
        data=d,
    )


# -- compiled: the same workloads through generated code (ag.codegen, ag.compile) ----------------
COMPILED_TARGETS = {"W1": 4.0, "W2": 1.3, "W3": 1.05, "W4": 1.02, "W5": 2.0}


def _timings_note(timings: dict[str, float], what: str) -> str:
    parts = ", ".join(f"{k} {v * 1e3:.1f} ms" for k, v in timings.items())
    return f"{what}, made once before timing: {parts}."


def lesson_program() -> tuple[ag.Program, dict[str, float]]:
    """The lesson's graph as a Program (ag.codegen); building the graph is its trace."""
    start = time.perf_counter()
    nodes = ag.logistic.lesson_graph([1.0, 2.0], 1.0, [0.0, 0.0], 0.0)
    traced = time.perf_counter() - start
    program = ag.codegen(nodes["L"], name="lesson")
    return program, {"trace": traced, **program.timings}


def w1_compiled(d: LessonData, program: ag.Program) -> Result:
    """The lesson's SGD with each example's forward and backward run by program(**values)."""
    w1v = w2v = bv = 0.0
    total = 0.0
    alpha = d.alpha
    for (x1v, x2v), y in zip(d.xs, d.ys, strict=True):
        L, grads = program(x1=x1v, w1=w1v, x2=x2v, w2=w2v, b=bv, y=y)
        total += L
        w1v -= alpha * grads["w1"]
        w2v -= alpha * grads["w2"]
        bv -= alpha * grads["b"]
    return {"w": [w1v, w2v], "b": bv, "loss": total}


def lesson_compiled_case(examples: int = 10_000) -> Case:
    d = lesson_data(examples)
    program, timings = lesson_program()
    name = "autograd_lite compiled, program(**values)"
    return Case(
        key="W1 compiled",
        title=f"lesson scalar graph, {examples:,} examples, SGD, generated code",
        floor=Contender("python floats by hand", lambda: w1_floor(d), role="floor"),
        contenders=[Contender(name, lambda: w1_compiled(d, program), role="engine")],
        expected=w1_floor(d),
        rtol=1e-9,
        target=COMPILED_TARGETS["W1"],
        target_of=name,
        notes=[_timings_note(timings, "The program (ag.codegen of the lesson graph)")],
        data=d,
        peers=False,
    )


def vector_steps(d: VectorData) -> dict[str, Any]:
    """ag.compile of the fused and the lesson loss of (w, b), X and Y baked in, traced once."""
    X, Y = d.X, d.Y

    def fused(w, b):
        return ag.binary_cross_entropy_with_logits(X @ w + b, Y)

    def lesson(w, b):
        return ag.binary_cross_entropy(ag.sigmoid(X @ w + b), Y)

    steps = {"fused": ag.compile(fused), "lesson": ag.compile(lesson)}
    w = ag.Node(d.w, name="w", requires_grad=True)
    b = ag.Node(d.b, name="b", requires_grad=True)
    for step in steps.values():
        step(w, b)  # the trace
    return {"steps": steps, "w": w, "b": b}


def engine_compiled(step: Any, w: ag.Node, b: ag.Node) -> Result:
    loss, (dw, db) = step(w, b)
    return {"loss": loss, "dw": dw, "db": db}


def vector_compiled_case(key: str, m: int, n: int) -> Case:
    d = vector_data(m, n)
    made = vector_steps(d)
    w, b = made["w"], made["b"]
    fused, lesson = made["steps"]["fused"], made["steps"]["lesson"]
    return Case(
        key=f"{key} compiled",
        title=f"mean BCE of sigmoid(X @ w + b), X {m:,} x {n}, generated code",
        floor=Contender("numpy by hand (with loss)", lambda: numpy_floor(d), role="floor"),
        contenders=[
            Contender(
                "autograd_lite compiled, fused loss",
                lambda: engine_compiled(fused, w, b),
                role="engine",
            ),
            Contender(
                "autograd_lite compiled, lesson loss",
                lambda: engine_compiled(lesson, w, b),
                role="engine",
            ),
        ],
        expected=closed_form(d),
        rtol=1e-9,
        target=COMPILED_TARGETS.get(key),
        target_of="autograd_lite compiled, lesson loss",
        memory_target=2.0 if key == "W4" else None,
        notes=[
            _timings_note(fused.timings, "ag.compile of the fused loss"),
            _timings_note(lesson.timings, "ag.compile of the lesson loss"),
        ],
        data=d,
        peers=False,
    )


# -- W5: a deep chain x = x * 1.0001 + 0.0001 ---------------------------------------------------
CHAIN_A, CHAIN_C = 1.0001, 0.0001


def chain_floor(steps: int) -> Result:
    """Hand-written forward loop, then the reverse loop: d(a x + c)/dx = a at every step."""
    x = 1.0
    for _ in range(steps):
        x = x * CHAIN_A + CHAIN_C
    grad = 1.0
    for _ in range(steps):
        grad = grad * CHAIN_A  # through the add (gradient 1), then the mul (gradient a)
    return {"x": x, "dx0": grad}


def chain_engine(steps: int) -> Result:
    x0 = ag.Node(1.0, name="x0", requires_grad=True)
    x = x0
    for _ in range(steps):
        x = x * CHAIN_A + CHAIN_C
    x.backward()
    return {"x": x.value, "dx0": x0.grad}


def chain_closed_form(steps: int) -> Result:
    grow = CHAIN_A**steps  # x_N = a^N x_0 + c (a^N - 1) / (a - 1), dx_N/dx_0 = a^N
    return {"x": grow + CHAIN_C * (grow - 1.0) / (CHAIN_A - 1.0), "dx0": grow}


def chain_step(steps: int) -> Any:
    """ag.compile of the chain of ``steps`` steps, traced once."""

    def chain(x):
        for _ in range(steps):
            x = x * CHAIN_A + CHAIN_C
        return x

    step = ag.compile(chain)
    step(ag.Node(1.0, requires_grad=True))
    return step


def chain_compiled(step: Any, x0: ag.Node) -> Result:
    x, (dx0,) = step(x0)
    return {"x": x, "dx0": dx0}


def chain_compiled_case(steps: int) -> Case:
    step = chain_step(steps)
    x0 = ag.Node(1.0, name="x0", requires_grad=True)
    return Case(
        key=f"W5 N={steps:,} compiled",
        title=f"deep chain x = x*{CHAIN_A} + {CHAIN_C}, {steps:,} steps, generated code",
        floor=Contender("python floats by hand", lambda: chain_floor(steps), role="floor"),
        contenders=[
            Contender("autograd_lite compiled", lambda: chain_compiled(step, x0), role="engine")
        ],
        expected=chain_closed_form(steps),
        rtol=1e-9,
        target=COMPILED_TARGETS["W5"],
        target_of="autograd_lite compiled",
        notes=[_timings_note(step.timings, "ag.compile of the chain (one function)")],
        data=steps,
        peers=False,
    )


def chain_case(steps: int) -> Case:
    return Case(
        key=f"W5 N={steps:,}",
        title=f"deep chain x = x*{CHAIN_A} + {CHAIN_C}, {steps:,} steps",
        floor=Contender("python floats by hand", lambda: chain_floor(steps), role="floor"),
        contenders=[Contender("autograd_lite", lambda: chain_engine(steps), role="engine")],
        expected=chain_closed_form(steps),
        rtol=1e-9,
        target=150.0,
        target_of="autograd_lite",
        data=steps,
    )


# -- W6: graph building, a pairwise sum of products of scalar nodes -----------------------------
@dataclass
class GraphData:
    a: list[float]
    b: list[float]


def graph_data(leaves: int, seed: int = 2) -> GraphData:
    rng = np.random.default_rng(seed)
    values = rng.uniform(-1.0, 1.0, size=(2, leaves // 2))
    return GraphData(values[0].tolist(), values[1].tolist())


def pairwise(level: list[Any]) -> list[Any]:
    """One level of a pairwise sum: [p0 + p1, p2 + p3, ...], an odd last one carried up."""
    up = [level[i] + level[i + 1] for i in range(0, len(level) - 1, 2)]
    if len(level) % 2:
        up.append(level[-1])
    return up


def graph_floor(d: GraphData) -> Result:
    """By hand: products, the pairwise sum level by level, then the reverse pass down the levels
    (each sum hands its gradient to both its terms), dL/da_i = b_i dL/dp_i and likewise for b."""
    levels = [[x * y for x, y in zip(d.a, d.b, strict=True)]]
    while len(levels[-1]) > 1:
        levels.append(pairwise(levels[-1]))
    grads = [1.0]
    for level in reversed(levels[:-1]):
        down = [0.0] * len(level)
        for i, g in enumerate(grads):
            down[2 * i] = g
            if 2 * i + 1 < len(level):
                down[2 * i + 1] = g
        grads = down
    da = [g * y for g, y in zip(grads, d.b, strict=True)]
    db = [g * x for g, x in zip(grads, d.a, strict=True)]
    return {"loss": levels[-1][0], "da": da, "db": db}


def graph_engine(d: GraphData) -> Result:
    a = [ag.Node(v, requires_grad=True) for v in d.a]
    b = [ag.Node(v, requires_grad=True) for v in d.b]
    level = [x * y for x, y in zip(a, b, strict=True)]
    while len(level) > 1:
        level = pairwise(level)
    L = level[0]
    L.backward()
    return {"loss": L.value, "da": [x.grad for x in a], "db": [y.grad for y in b]}


def graph_case(leaves: int = 10_000) -> Case:
    d = graph_data(leaves)
    expected = {
        "loss": math.fsum(x * y for x, y in zip(d.a, d.b, strict=True)),
        "da": d.b,
        "db": d.a,
    }
    return Case(
        key="W6",
        title=f"graph building: {leaves:,} scalar leaves, pairwise sum of products",
        floor=Contender("python floats by hand", lambda: graph_floor(d), role="floor"),
        contenders=[Contender("autograd_lite", lambda: graph_engine(d), role="engine")],
        expected=expected,
        rtol=1e-12,
        target=75.0,
        target_of="autograd_lite",
        data=d,
    )


# -- W7/W8: micrograd's moons demo, a 2-16-16-1 ReLU MLP, one SGD step --------------------------
@dataclass
class MoonsData:
    X: np.ndarray  # (m, 2)
    y: np.ndarray  # (m,) of -1.0 / 1.0
    Ws: list[np.ndarray]  # the starting weights, (n_in, n_out) per layer (ag.nn.Linear's)
    bs: list[np.ndarray]  # (n_out,) per layer
    lr: float = 1.0  # micrograd's schedule at step 0


def moons_data(samples: int, seed: int = 0) -> MoonsData:
    demo = _demo()
    X, y = demo.moons(samples, seed=seed)
    model = ag.nn.MLP(demo.SIZES, activation="relu", seed=seed)
    linears = _linears(model)
    return MoonsData(X, y, [L.W.value for L in linears], [L.b.value for L in linears])


def _demo() -> Any:
    """demos/micrograd_moons.py, the code W7 and W8 time (the demo is the workload)."""
    from demos import micrograd_moons  # the repository's root is on sys.path (-m benchmarks)

    return micrograd_moons


def flat(Ws: list[Any], bs: list[Any]) -> np.ndarray:
    """Every parameter in one vector, in ag.nn.MLP's order (W0, b0, W1, ...), W row by row."""
    parts = []
    for W, b in zip(Ws, bs, strict=True):
        parts += [np.ravel(np.asarray(W, dtype=np.float64)), np.ravel(np.asarray(b, np.float64))]
    return np.concatenate(parts)


def moons_floor(d: MoonsData) -> Result:
    """One step by hand in numpy: forward h_k = relu(h_{k-1} W_k + b_k), score = h_2 W_3 + b_3;
    L = mean(relu(1 - y score)) + alpha sum(p^2); backward ds = -y [1 - y score > 0] / m,
    dW_k = h_{k-1}^T dz_k, db_k = sum(dz_k), dh_{k-1} = dz_k W_k^T, dz = dh [z > 0]; + 2 alpha p;
    then p = p - lr dp."""
    alpha = _demo().ALPHA
    Ws, bs = d.Ws, d.bs
    hs, zs = [d.X], []
    for k, (W, b) in enumerate(zip(Ws, bs, strict=True)):
        z = hs[-1] @ W + b
        zs.append(z)
        hs.append(z if k == len(Ws) - 1 else np.maximum(z, 0.0))
    y = d.y.reshape(-1, 1)
    margin = 1.0 - y * hs[-1]
    m = len(y)
    loss = np.maximum(margin, 0.0).sum() / m + alpha * sum(np.sum(p * p) for p in (*Ws, *bs))
    dz = -y * (margin > 0.0) / m
    dWs, dbs = [None] * len(Ws), [None] * len(Ws)
    for k in range(len(Ws) - 1, -1, -1):
        dWs[k] = hs[k].T @ dz + 2.0 * alpha * Ws[k]
        dbs[k] = dz.sum(axis=0) + 2.0 * alpha * bs[k]
        if k:
            dz = (dz @ Ws[k].T) * (zs[k - 1] > 0.0)
    new_Ws = [W - d.lr * g for W, g in zip(Ws, dWs, strict=True)]
    new_bs = [b - d.lr * g for b, g in zip(bs, dbs, strict=True)]
    return {"loss": loss, "grad": flat(dWs, dbs), "params": flat(new_Ws, new_bs)}


def _reset(params: list[ag.Node], values: list[np.ndarray]) -> None:
    for p, v in zip(params, values, strict=True):
        p.value = v.copy()  # a copy: an in-place update must not change the starting values
        p.grad = None


def moons_scalar_engine(d: MoonsData) -> Callable[[], Result]:
    """The demo's step with one scalar Node per weight (its ScalarMLP, loss and SGD)."""
    demo = _demo()
    model = _scalar_model(d)
    params = model.parameters()
    start = [p.value for p in params]
    opt = ag.optim.SGD(params, lr=d.lr)

    def run() -> Result:
        _reset(params, start)
        total, scores = demo.scalar_loss(model, d.X, d.y)
        demo.accuracy(scores, d.y)  # computed as the demo (and micrograd's) does each step
        opt.zero_grad()
        total.backward()
        grads = _scalar_flat(model, "grad")
        opt.step()
        return {"loss": float(total), "grad": grads, "params": _scalar_flat(model, "value")}

    return run


def _scalar_model(d: MoonsData) -> Any:
    demo = _demo()
    like = ag.nn.MLP(demo.SIZES, seed=0)
    for layer, W, b in zip(_linears(like), d.Ws, d.bs, strict=True):
        layer.W.value, layer.b.value = W, b
    return demo.ScalarMLP(like)


def moons_scalar_compiled(d: MoonsData) -> tuple[Callable[[], Result], dict[str, float]]:
    """The demo's scalar step through ag.compile (demo.compile_scalar_step): traced once on the
    scalar Nodes, then each step runs the generated float code and SGD updates the Nodes."""
    model = _scalar_model(d)
    params = model.parameters()
    start = [p.value for p in params]
    step = _demo().compile_scalar_step(model, d.X, d.y)
    step(*params)  # the trace, codegen and compile(), once, before timing
    opt = ag.optim.SGD(params, lr=d.lr)

    def run() -> Result:
        _reset(params, start)
        total, grads = step(*params)
        for p, grad in zip(params, grads, strict=True):
            p.grad = grad
        flat_grads = _scalar_flat(model, "grad")
        opt.step()
        return {"loss": total, "grad": flat_grads, "params": _scalar_flat(model, "value")}

    return run, step.timings


def _scalar_flat(model: Any, what: str) -> np.ndarray:
    """The ScalarMLP's weights (or their gradients) in ag.nn.MLP's order."""
    Ws, bs = [], []
    for neurons in model.layers:
        Ws.append([[getattr(w, what) for w in ws] for ws, _ in neurons])  # (n_out, n_in)
        bs.append([getattr(b, what) for _, b in neurons])
    return flat([np.transpose(W) for W in Ws], bs)


def _linears(model: ag.nn.MLP) -> list[ag.nn.Linear]:
    return [layer for layer in model.layers if isinstance(layer, ag.nn.Linear)]


def moons_vector_engine(d: MoonsData) -> Callable[[], Result]:
    """The demo's vectorised step: ag.nn.MLP, its loss, ag.optim.SGD."""
    demo = _demo()
    model = ag.nn.MLP(demo.SIZES, seed=0)
    params = model.parameters()
    start = [v for W, b in zip(d.Ws, d.bs, strict=True) for v in (W, b)]
    opt = ag.optim.SGD(params, lr=d.lr)
    linears = _linears(model)  # (once: the timed step should not look its layers up again)

    def run() -> Result:
        _reset(params, start)
        total, _ = demo.vectorised_loss(model, d.X, d.y)  # (no accuracy: the floor has none)
        opt.zero_grad()
        total.backward()
        grads = flat([L.W.grad for L in linears], [L.b.grad for L in linears])
        opt.step()
        values = flat([L.W.value for L in linears], [L.b.value for L in linears])
        return {"loss": float(total), "grad": grads, "params": values}

    return run


def moons_compiled_case(samples: int = 100) -> Case:
    d = moons_data(samples)
    run, timings = moons_scalar_compiled(d)
    name = "autograd_lite scalar Nodes, compiled"
    return Case(
        key="W7 compiled",
        title=f"micrograd's moons demo, scalar Nodes through ag.compile, one SGD step on "
        f"{samples:,} examples",
        floor=Contender("numpy by hand", lambda: moons_floor(d), role="floor"),
        contenders=[Contender(name, run, role="engine")],
        expected=moons_floor(d),
        rtol=1e-9,
        target=None,
        peer_targets={"micrograd": 0.25},
        target_of=name,
        notes=[_timings_note(timings, "ag.compile of the scalar loss")],
        data=d,
    )


def moons_case(key: str, samples: int) -> Case:
    d = moons_data(samples)
    if key == "W7":
        engine = Contender("autograd_lite scalar Nodes", moons_scalar_engine(d), role="engine")
        extra = [Contender("autograd_lite vectorised", moons_vector_engine(d), role="info")]
        title = f"micrograd's moons demo, scalar Nodes, one SGD step on {samples:,} examples"
        targets: dict[str, Any] = {"target": None, "peer_targets": {"micrograd": 0.25}}
    else:
        engine = Contender("autograd_lite", moons_vector_engine(d), role="engine")
        extra = []
        title = f"the moons MLP 2-16-16-1 vectorised, one SGD step on {samples:,} examples"
        targets = {"target": 1.5, "peer_targets": {"torch (eager)": 1.0}}
    return Case(
        key=key,
        title=title,
        floor=Contender("numpy by hand", lambda: moons_floor(d), role="floor"),
        contenders=[engine, *extra],
        expected=moons_floor(d),
        rtol=1e-9,
        target_of=engine.name,
        data=d,
        **targets,
    )


# -- the suite ---------------------------------------------------------------------------------
CHAIN_STEPS = (1_000, 10_000, 100_000)


def all_cases(
    chain_steps: tuple[int, ...] = CHAIN_STEPS, only: set[str] | frozenset[str] = frozenset()
) -> Iterator[Case]:
    """The full-size workloads, as the issue defines them, built one at a time (W4's X alone is
    320 MB). ``only``: workload keys to keep ("W1", "W5"), all when empty."""
    makers: list[tuple[str, Callable[[], Case]]] = [
        ("W1", lambda: lesson_case(10_000)),
        ("W1", lambda: lesson_compiled_case(10_000)),
        ("W2", lambda: vector_case("W2", 64, 8)),
        ("W2", lambda: vector_compiled_case("W2", 64, 8)),
        ("W3", lambda: vector_case("W3", 10_000, 100)),
        ("W3", lambda: vector_compiled_case("W3", 10_000, 100)),
        ("W4", lambda: vector_case("W4", 200_000, 200)),
        ("W4", lambda: vector_compiled_case("W4", 200_000, 200)),
        *(("W5", lambda n=n: chain_case(n)) for n in chain_steps),
        *(("W5", lambda n=n: chain_compiled_case(n)) for n in chain_steps),
        ("W6", lambda: graph_case(10_000)),
        ("W7", lambda: moons_case("W7", 100)),
        ("W7", lambda: moons_compiled_case(100)),
        ("W8", lambda: moons_case("W8", 1_000)),
    ]
    makers.append(("CSV", _csv_case))
    for key, make in makers:
        if not only or key in only:
            yield make()


def _csv_case() -> Case:
    from .csvparse import csv_case  # csvparse imports this module

    return csv_case()
