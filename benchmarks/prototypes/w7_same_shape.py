"""W7's ceiling for an engine shaped as autograd_lite's core, measured rather than argued.

    make bench-peers      (once: .venv-bench, with micrograd)
    .venv-bench/bin/python -m benchmarks.prototypes.w7_same_shape

A minimal engine of the same shape as the core (per op: one node, one op object with forward and
backward, one parents tuple; backward in creation order from a heap), in Python floats and with
no checks at all, runs micrograd's moons step (demos/micrograd_moons.py) beside autograd_lite's
scalar Nodes and micrograd's own code, in one process. Over nine rounds on 2026-12-02 it
measured 0.55-0.99x micrograd, autograd_lite 0.59-0.87x: W7's 0.25x needs another shape of core,
not cheaper checks. A tape (one list of values and one of records per graph, a handle per value,
backward a loop over the records in reverse), checked to give the engine's loss and gradients,
measured 0.11-0.23x: that shape reaches the target.

Between the two, the leanest engine that still has a node object per op (a node and its parents
tuple, nothing more: the op a shared function that adds into its parents' grads, backward one
sort by creation number, Python floats, no requires_grad, no checks, no .grad left None; the
class Lean here) measured 0.29-0.49x micrograd (median 0.34x) in this script's six rounds on
2026-12-02, and 0.16-0.36x (median 0.25x) over 14 rounds in a process with only micrograd
beside it: at the target with none of the engine's semantics, so not under it with them. Each
of the core's parts, added to that floor alone, cost: an op object per node +0.12x, the
heap-ordered backward +0.08x, numpy float64 values +0.05x.
"""

from __future__ import annotations

import itertools
import statistics
import sys
import time
from heapq import heappop, heappush
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "demos"))

try:
    import micrograd.nn as micrograd_nn
    from micrograd.engine import Value
except ImportError:
    sys.exit("w7_same_shape needs micrograd: run `make bench-peers` once, then "
             "`.venv-bench/bin/python -m benchmarks.prototypes.w7_same_shape`")

import micrograd_moons as demo  # noqa: E402

import autograd_lite as ag  # noqa: E402

_count = itertools.count()


class Scalar:
    """A node: a float value, its grad, its parents and the op that made it."""

    __slots__ = ("value", "grad", "parents", "op", "requires_grad", "number")

    def __init__(self, value: float, requires_grad: bool = False) -> None:
        self.value, self.grad, self.parents, self.op = value, None, (), None
        self.requires_grad, self.number = requires_grad, next(_count)

    def __add__(self, other: Any) -> Scalar:
        return Add()(self, _as_scalar(other))

    __radd__ = __add__

    def __mul__(self, other: Any) -> Scalar:
        return Mul()(self, _as_scalar(other))

    __rmul__ = __mul__

    def __rsub__(self, other: Any) -> Scalar:
        return Sub()(_as_scalar(other), self)

    def backward(self) -> None:
        """The newest waiting node first (a heap on creation numbers), as Node.backward."""
        pending = {self: 1.0}
        waiting = [(-self.number, self)]
        while waiting:
            node = heappop(waiting)[1]
            grad = node.grad = pending.pop(node)
            for parent, parent_grad in zip(node.parents, node.op.backward(grad), strict=True):
                if not parent.requires_grad:
                    continue
                if parent in pending:
                    pending[parent] += parent_grad
                else:
                    pending[parent] = parent_grad
                    if parent.op is not None:
                        heappush(waiting, (-parent.number, parent))
        for leaf, grad in pending.items():
            leaf.grad = grad


_constants: dict[float, Scalar] = {}


def _as_scalar(x: Any) -> Scalar:
    if type(x) is Scalar:
        return x
    if x not in _constants:
        _constants[x] = Scalar(float(x))
    return _constants[x]


class Op:
    def __call__(self, *inputs: Scalar) -> Scalar:
        out = Scalar.__new__(Scalar)
        out.value = self.forward(*[p.value for p in inputs])
        out.grad, out.parents, out.op = None, inputs, self
        out.requires_grad, out.number = any(p.requires_grad for p in inputs), next(_count)
        return out


class Add(Op):
    def forward(self, x: float, y: float) -> float:
        return x + y

    def backward(self, g: float) -> tuple[float, float]:
        return g, g


class Sub(Op):
    def forward(self, x: float, y: float) -> float:
        return x - y

    def backward(self, g: float) -> tuple[float, float]:
        return g, -g


class Mul(Op):
    def forward(self, x: float, y: float) -> float:
        self.x, self.y = x, y
        return x * y

    def backward(self, g: float) -> tuple[float, float]:
        return g * self.y, g * self.x


class ReLU(Op):
    def forward(self, x: float) -> float:
        self.positive = x > 0.0
        return x if self.positive else 0.0

    def backward(self, g: float) -> tuple[float]:
        return (g if self.positive else 0.0,)


class Tape:
    """The other shape: one list of values, grads and records per graph, no object per op
    but the handle the user holds; backward walks the records in reverse, no heap, no dict."""

    def __init__(self) -> None:
        self.values: list[float] = []
        self.records: list[tuple[int, int, int, int]] = []  # (op, out, x, y); y = -1 if none

    def leaf(self, value: float) -> Handle:
        self.values.append(value)
        return Handle(self, len(self.values) - 1)

    def record(self, op: int, value: float, x: int, y: int) -> Handle:
        self.values.append(value)
        out = len(self.values) - 1
        self.records.append((op, out, x, y))
        return Handle(self, out)

    def backward(self, root: int) -> list[float]:
        values = self.values
        grads = [0.0] * len(values)
        grads[root] = 1.0
        for op, out, x, y in reversed(self.records):
            g = grads[out]
            if op == ADD:
                grads[x] += g
                grads[y] += g
            elif op == MUL:
                grads[x] += g * values[y]
                grads[y] += g * values[x]
            elif op == SUB:
                grads[x] += g
                grads[y] -= g
            elif values[out] > 0.0:  # RELU
                grads[x] += g
        return grads


ADD, MUL, SUB, RELU = range(4)


class Lean:
    """A node and its parents tuple per op, nothing more: ``op`` is a shared function that adds
    the node's gradient into its parents' (no op object), backward one sort by creation number.
    Every grad is 0.0 before backward, no requires_grad, no checks: a floor, not an engine."""

    __slots__ = ("value", "grad", "parents", "op", "number")

    def __init__(self, value: float, parents: tuple = (), op: Any = None) -> None:
        self.value, self.grad, self.parents, self.op = value, 0.0, parents, op
        self.number = next(_count)

    def __add__(self, other: Any) -> Lean:
        other = other if type(other) is Lean else Lean(float(other))
        return Lean(self.value + other.value, (self, other), _lean_add)

    __radd__ = __add__

    def __mul__(self, other: Any) -> Lean:
        other = other if type(other) is Lean else Lean(float(other))
        return Lean(self.value * other.value, (self, other), _lean_mul)

    __rmul__ = __mul__

    def __rsub__(self, other: Any) -> Lean:
        other = Lean(float(other))
        return Lean(other.value - self.value, (other, self), _lean_sub)

    def relu(self) -> Lean:
        return Lean(self.value if self.value > 0.0 else 0.0, (self,), _lean_relu)

    def backward(self) -> None:
        order, seen, stack = [], set(), [self]
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                order.append(node)
                stack.extend(node.parents)
        order.sort(key=lambda node: -node.number)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in order:
            if node.op is not None:
                node.op(node)


def _lean_add(node: Lean) -> None:
    x, y = node.parents
    x.grad += node.grad
    y.grad += node.grad


def _lean_sub(node: Lean) -> None:
    x, y = node.parents
    x.grad += node.grad
    y.grad -= node.grad


def _lean_mul(node: Lean) -> None:
    x, y = node.parents
    x.grad += node.grad * y.value
    y.grad += node.grad * x.value


def _lean_relu(node: Lean) -> None:
    if node.value > 0.0:
        node.parents[0].grad += node.grad


class Handle:
    __slots__ = ("tape", "index")

    def __init__(self, tape: Tape, index: int) -> None:
        self.tape, self.index = tape, index

    def _other(self, other: Any) -> int:
        return other.index if type(other) is Handle else self.tape.leaf(float(other)).index

    def __add__(self, other: Any) -> Handle:
        y = self._other(other)
        values = self.tape.values
        return self.tape.record(ADD, values[self.index] + values[y], self.index, y)

    __radd__ = __add__

    def __mul__(self, other: Any) -> Handle:
        y = self._other(other)
        values = self.tape.values
        return self.tape.record(MUL, values[self.index] * values[y], self.index, y)

    __rmul__ = __mul__

    def __rsub__(self, other: Any) -> Handle:
        x = self._other(other)
        values = self.tape.values
        return self.tape.record(SUB, values[x] - values[self.index], x, self.index)

    def relu(self) -> Handle:
        v = self.tape.values[self.index]
        return self.tape.record(RELU, v if v > 0.0 else 0.0, self.index, -1)


def _hinge_loss(layers: list, rows: list, labels: list, relu: Any) -> Any:
    """micrograd's loss() on either engine's values: the MLP's score of each row (ReLU but at
    the end), mean(relu(1 - y score)) + 1e-4 * sum(p^2) over the weights."""
    scores = []
    for row in rows:
        x: list[Any] = row
        for depth, neurons in enumerate(layers):
            outputs = []
            for ws, b in neurons:
                act = b
                for w, xi in zip(ws, x, strict=True):
                    act = act + w * xi
                outputs.append(act if depth == len(layers) - 1 else relu(act))
            x = outputs
        scores.append(x[0])
    losses = [relu(1.0 - yi * s) for yi, s in zip(labels, scores, strict=True)]
    weights = [p for neurons in layers for ws, b in neurons for p in (*ws, b)]
    return sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in weights)


def main(rounds: int = 3, repeats: int = 7) -> None:
    X, y = demo.moons()
    start = ag.nn.MLP(demo.SIZES, activation="relu", seed=0)
    model = demo.ScalarMLP(start)
    params = model.parameters()
    layers = [
        [([Scalar(float(w.value), True) for w in ws], Scalar(float(b.value), True))
         for ws, b in neurons]
        for neurons in model.layers
    ]
    same_shape_params = [p for neurons in layers for ws, b in neurons for p in (*ws, b)]
    mg = micrograd_nn.MLP(2, [16, 16, 1])
    rows, labels = X.tolist(), y.tolist()

    def autograd_lite_step() -> None:
        total, _ = demo.scalar_loss(model, X, y)
        for p in params:
            p.grad = None
        total.backward()
        with ag.no_grad():
            for p in params:
                p -= 0.1 * p.grad

    def same_shape_step() -> None:
        total = _hinge_loss(layers, rows, labels, lambda act: ReLU()(act))
        for p in same_shape_params:
            p.grad = None
        total.backward()
        for p in same_shape_params:
            p.value -= 0.1 * p.grad

    tape_weights = [
        [([float(w.value) for w in ws], float(b.value)) for ws, b in neurons]
        for neurons in model.layers
    ]

    def tape_step() -> tuple[float, list[float]]:
        """The loss and every weight's gradient (the update left out: it costs the same)."""
        tape = Tape()
        layer_handles = [
            [([tape.leaf(w) for w in ws], tape.leaf(b)) for ws, b in neurons]
            for neurons in tape_weights
        ]
        total = _hinge_loss(layer_handles, rows, labels, Handle.relu)
        handles = [p for neurons in layer_handles for ws, b in neurons for p in (*ws, b)]
        grads = tape.backward(total.index)
        return tape.values[total.index], [grads[p.index] for p in handles]

    loss, grads = tape_step()  # the tape computes what the engine does (before any update)
    reference, _ = demo.scalar_loss(model, X, y)
    reference.backward()
    assert abs(loss - float(reference)) < 1e-12, (loss, float(reference))
    assert max(abs(g - float(p.grad)) for g, p in zip(grads, params, strict=True)) < 1e-12

    lean_layers = [
        [([Lean(w) for w in ws], Lean(b)) for ws, b in neurons] for neurons in tape_weights
    ]
    lean_params = [p for neurons in lean_layers for ws, b in neurons for p in (*ws, b)]

    def lean_step() -> tuple[float, list[float]]:
        total = _hinge_loss(lean_layers, rows, labels, Lean.relu)
        total.backward()
        return total.value, [p.grad for p in lean_params]

    loss, grads = lean_step()
    assert abs(loss - float(reference)) < 1e-12, (loss, float(reference))
    assert max(abs(g - float(p.grad)) for g, p in zip(grads, params, strict=True)) < 1e-12

    def micrograd_step() -> None:
        scores = list(map(mg, [list(map(Value, row)) for row in rows]))
        losses = [(1 + -yi * si).relu() for yi, si in zip(labels, scores, strict=True)]
        total = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in mg.parameters())
        mg.zero_grad()
        total.backward()
        for p in mg.parameters():
            p.data -= 0.1 * p.grad

    def median_time(step: Any) -> float:
        times = []
        for _ in range(repeats):
            began = time.perf_counter()
            step()
            times.append(time.perf_counter() - began)
        return statistics.median(times)

    steps = {"same shape": same_shape_step, "tape": tape_step, "lean": lean_step,
             "autograd_lite": autograd_lite_step, "micrograd": micrograd_step}
    for _ in range(rounds):
        times = {name: median_time(step) for name, step in steps.items()}
        print(", ".join(f"{name} {t * 1e3:.0f} ms ({t / times['micrograd']:.2f}x)"
                        for name, t in times.items()))


if __name__ == "__main__":
    main()
