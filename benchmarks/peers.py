"""Peer engines on the same workloads: PyTorch (CPU, eager), HIPS autograd, micrograd, mygrad, jax.

Each peer is measured when it can be imported (``make bench-peers`` installs them all into
``.venv-bench``) and listed as skipped with the reason otherwise. Every peer contender returns
the same result dict as autograd_lite's, so the same closed-form check runs on it before timing.
"""

from __future__ import annotations

import gc
import importlib
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .workloads import (
    CHAIN_A,
    CHAIN_C,
    Case,
    Contender,
    GraphData,
    LessonData,
    MoonsData,
    VectorData,
    flat,
)
from .workloads import pairwise as _pairwise

PEERS = ("torch", "autograd", "micrograd", "mygrad", "jax")
_modules: dict[str, Any] = {}
_missing: dict[str, str] = {}


def _load(name: str) -> Any | None:
    """Import a peer once; remember why not if it cannot be imported."""
    if name in _modules:
        return _modules[name]
    if name in _missing:
        return None
    try:
        if name == "jax":
            module = importlib.import_module("jax")
            module.config.update("jax_enable_x64", True)  # float64, like every other contender
            module.config.update("jax_platforms", "cpu")
        elif name == "micrograd":
            module = importlib.import_module("micrograd.engine")
        else:
            module = importlib.import_module(name)
        if name == "torch":
            module.set_num_threads(1)
    except Exception as err:  # ImportError, or a broken install
        _missing[name] = f"not installed ({type(err).__name__}: {str(err)[:80]}); make bench-peers"
        return None
    _modules[name] = module
    return module


def status() -> list[str]:
    lines = []
    for name in PEERS:
        module = _load(name)
        if module is None:
            lines.append(f"peer {name}: {_missing[name]}")
        else:
            version = getattr(module, "__version__", None)
            if version is None:
                try:
                    from importlib.metadata import version as dist_version

                    version = dist_version(name)
                except Exception:
                    version = "?"
            lines.append(f"peer {name}: {version}")
    return lines


def add_peers(case: Case) -> None:
    """Append every peer's contender for this case (skipped ones carry the reason)."""
    kind = case.key.split()[0]
    makers = {
        "W1": LESSON, "W2": VECTOR, "W3": VECTOR, "W4": VECTOR, "W5": CHAIN, "W6": GRAPH,
        "W7": MOONS_SCALAR, "W8": MOONS_VECTOR,
    }
    for label, peer, make in makers.get(kind, ()):  # no peers for the CSV row
        module = _load(peer)
        if module is None:
            case.contenders.append(Contender(label, _never, skip=_missing[peer]))
            continue
        made = make(module, case.data)
        if isinstance(made, str):  # a reason this peer does not run this workload
            case.contenders.append(Contender(label, _never, skip=made))
        else:
            case.contenders.append(Contender(label, made))


def _never() -> dict[str, Any]:
    raise RuntimeError("skipped contender was run")


# -- W1: the lesson's scalar graph, one SGD step per example ------------------------------------
def _w1_torch(torch: Any, d: LessonData) -> Callable[[], dict[str, Any]]:
    f64 = torch.float64

    def run() -> dict[str, Any]:
        w1v = w2v = bv = 0.0
        total = 0.0
        for (x1v, x2v), y in zip(d.xs, d.ys, strict=True):
            w1 = torch.tensor(w1v, dtype=f64, requires_grad=True)
            w2 = torch.tensor(w2v, dtype=f64, requires_grad=True)
            b = torch.tensor(bv, dtype=f64, requires_grad=True)
            x1, x2 = torch.tensor(x1v, dtype=f64), torch.tensor(x2v, dtype=f64)
            a = torch.sigmoid(w1 * x1 + w2 * x2 + b)
            L = -(y * torch.log(a) + (1.0 - y) * torch.log(1.0 - a))
            L.backward()
            total += L.item()
            w1v -= d.alpha * w1.grad.item()
            w2v -= d.alpha * w2.grad.item()
            bv -= d.alpha * b.grad.item()
        return {"w": [w1v, w2v], "b": bv, "loss": total}

    return run


def _w1_hips(autograd: Any, d: LessonData) -> Callable[[], dict[str, Any]]:
    anp = importlib.import_module("autograd.numpy")

    def loss(params: tuple[float, float, float], x1: float, x2: float, y: float) -> Any:
        w1, w2, b = params
        a = 1.0 / (1.0 + anp.exp(-(w1 * x1 + w2 * x2 + b)))
        return -(y * anp.log(a) + (1.0 - y) * anp.log(1.0 - a))

    step = autograd.value_and_grad(loss)

    def run() -> dict[str, Any]:
        w1v = w2v = bv = 0.0
        total = 0.0
        for (x1, x2), y in zip(d.xs, d.ys, strict=True):
            L, (dw1, dw2, db) = step((w1v, w2v, bv), x1, x2, y)
            total += L
            w1v -= d.alpha * dw1
            w2v -= d.alpha * dw2
            bv -= d.alpha * db
        return {"w": [w1v, w2v], "b": bv, "loss": total}

    return run


def _mg_exp(Value: Any, v: Any) -> Any:  # noqa: N803 (micrograd's class)
    """e^v as a micrograd Value, the way micrograd's README extends it."""
    out = Value(math.exp(v.data), (v,), "exp")

    def _backward() -> None:
        v.grad += out.data * out.grad

    out._backward = _backward
    return out


def _mg_log(Value: Any, v: Any) -> Any:  # noqa: N803
    out = Value(math.log(v.data), (v,), "log")

    def _backward() -> None:
        v.grad += out.grad / v.data

    out._backward = _backward
    return out


def _w1_micrograd(engine: Any, d: LessonData) -> Callable[[], dict[str, Any]]:
    Value = engine.Value

    def run() -> dict[str, Any]:
        w1v = w2v = bv = 0.0
        total = 0.0
        for (x1v, x2v), y in zip(d.xs, d.ys, strict=True):
            w1, w2, b = Value(w1v), Value(w2v), Value(bv)
            z = w1 * x1v + w2 * x2v + b
            a = (1 + _mg_exp(Value, -z)) ** -1
            L = -(y * _mg_log(Value, a) + (1.0 - y) * _mg_log(Value, 1 - a))
            L.backward()
            total += L.data
            w1v -= d.alpha * w1.grad
            w2v -= d.alpha * w2.grad
            bv -= d.alpha * b.grad
        return {"w": [w1v, w2v], "b": bv, "loss": total}

    return run


def _w1_mygrad(mg: Any, d: LessonData) -> Callable[[], dict[str, Any]]:
    def run() -> dict[str, Any]:
        w1v = w2v = bv = 0.0
        total = 0.0
        for (x1, x2), y in zip(d.xs, d.ys, strict=True):
            w1, w2, b = mg.tensor(w1v), mg.tensor(w2v), mg.tensor(bv)
            a = 1.0 / (1.0 + mg.exp(-(w1 * x1 + w2 * x2 + b)))
            L = -(y * mg.log(a) + (1.0 - y) * mg.log(1.0 - a))
            L.backward()
            total += L.item()
            w1v -= d.alpha * float(w1.grad)
            w2v -= d.alpha * float(w2.grad)
            bv -= d.alpha * float(b.grad)
        return {"w": [w1v, w2v], "b": bv, "loss": total}

    return run


def _w1_jax(jax: Any, d: LessonData) -> Callable[[], dict[str, Any]]:
    jnp = jax.numpy

    def loss(params: tuple[Any, Any, Any], x1: Any, x2: Any, y: Any) -> Any:
        w1, w2, b = params
        a = jax.nn.sigmoid(w1 * x1 + w2 * x2 + b)
        return -(y * jnp.log(a) + (1.0 - y) * jnp.log(1.0 - a))

    step = jax.jit(jax.value_and_grad(loss))

    def run() -> dict[str, Any]:
        w1v = w2v = bv = 0.0
        total = 0.0
        for (x1, x2), y in zip(d.xs, d.ys, strict=True):
            L, (dw1, dw2, db) = step((w1v, w2v, bv), x1, x2, y)
            total += float(L)
            w1v -= d.alpha * float(dw1)
            w2v -= d.alpha * float(dw2)
            bv -= d.alpha * float(db)
        return {"w": [w1v, w2v], "b": bv, "loss": total}

    return run


# -- W2-W4: vectorised logistic regression -------------------------------------------------------
def _vec_torch(torch: Any, d: VectorData, fused: bool) -> Callable[[], dict[str, Any]]:
    F = torch.nn.functional
    X, Y, w0 = torch.from_numpy(d.X), torch.from_numpy(d.Y), torch.from_numpy(d.w)

    def run() -> dict[str, Any]:
        w = w0.clone().requires_grad_(True)
        b = torch.tensor(d.b, dtype=torch.float64, requires_grad=True)
        z = X @ w + b
        if fused:
            L = F.binary_cross_entropy_with_logits(z, Y)
        else:
            L = F.binary_cross_entropy(torch.sigmoid(z), Y)
        L.backward()
        return {"loss": L.item(), "dw": w.grad.numpy(), "db": b.grad.item()}

    return run


def _vec_hips(autograd: Any, d: VectorData, fused: bool) -> Callable[[], dict[str, Any]]:
    anp = importlib.import_module("autograd.numpy")
    X, Y = d.X, d.Y

    def loss(params: tuple[Any, Any]) -> Any:
        w, b = params
        z = anp.dot(X, w) + b
        if fused:
            return anp.mean(anp.maximum(z, 0.0) - z * Y + anp.log1p(anp.exp(-anp.abs(z))))
        a = 1.0 / (1.0 + anp.exp(-z))
        return -anp.mean(Y * anp.log(a) + (1.0 - Y) * anp.log(1.0 - a))

    step = autograd.value_and_grad(loss)

    def run() -> dict[str, Any]:
        L, (dw, db) = step((d.w, d.b))
        return {"loss": L, "dw": dw, "db": db}

    return run


def _vec_mygrad(mg: Any, d: VectorData, fused: bool) -> Callable[[], dict[str, Any]]:
    X, Y = d.X, d.Y

    def run() -> dict[str, Any]:
        w, b = mg.tensor(d.w), mg.tensor(d.b)
        z = mg.matmul(X, w) + b
        if fused:
            L = mg.mean(mg.maximum(z, 0.0) - z * Y + mg.log1p(mg.exp(-mg.abs(z))))
        else:
            a = 1.0 / (1.0 + mg.exp(-z))
            L = -mg.mean(Y * mg.log(a) + (1.0 - Y) * mg.log(1.0 - a))
        L.backward()
        return {"loss": L.item(), "dw": w.grad, "db": b.grad}

    return run


def _vec_jax(jax: Any, d: VectorData, fused: bool) -> Callable[[], dict[str, Any]]:
    jnp = jax.numpy
    X, Y = jnp.asarray(d.X), jnp.asarray(d.Y)

    def loss(w: Any, b: Any, X: Any, Y: Any) -> Any:
        z = X @ w + b
        if fused:
            return jnp.mean(jnp.maximum(z, 0.0) - z * Y + jnp.log1p(jnp.exp(-jnp.abs(z))))
        a = jax.nn.sigmoid(z)
        return -jnp.mean(Y * jnp.log(a) + (1.0 - Y) * jnp.log(1.0 - a))

    step = jax.jit(jax.value_and_grad(loss, argnums=(0, 1)))
    w0, b0 = jnp.asarray(d.w), jnp.asarray(d.b)

    def run() -> dict[str, Any]:
        L, (dw, db) = step(w0, b0, X, Y)
        return {"loss": float(L), "dw": np.asarray(dw), "db": float(db)}

    return run


# -- W5: the deep chain ---------------------------------------------------------------------------
def _chain_torch(torch: Any, steps: int) -> Callable[[], dict[str, Any]]:
    def run() -> dict[str, Any]:
        x0 = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
        x = x0
        for _ in range(steps):
            x = x * CHAIN_A + CHAIN_C
        x.backward()
        return {"x": x.item(), "dx0": x0.grad.item()}

    return run


def _chain_fn(steps: int) -> Callable[[Any], Any]:
    def chain(x: Any) -> Any:
        for _ in range(steps):
            x = x * CHAIN_A + CHAIN_C
        return x

    return chain


def _chain_hips(autograd: Any, steps: int) -> Callable[[], dict[str, Any]]:
    step = autograd.value_and_grad(_chain_fn(steps))

    def run() -> dict[str, Any]:
        x, dx0 = step(1.0)
        return {"x": x, "dx0": dx0}

    return run


def _chain_micrograd(engine: Any, steps: int) -> Callable[[], dict[str, Any]]:
    def run() -> dict[str, Any]:
        x0 = engine.Value(1.0)
        x = x0
        for _ in range(steps):
            x = x * CHAIN_A + CHAIN_C
        x.backward()  # micrograd's topological sort is recursive
        return {"x": x.data, "dx0": x0.grad}

    return run


def _chain_mygrad(mg: Any, steps: int) -> Callable[[], dict[str, Any]]:
    def run() -> dict[str, Any]:
        x0 = mg.tensor(1.0)
        x = x0
        for _ in range(steps):
            x = x * CHAIN_A + CHAIN_C
        x.backward()
        return {"x": x.item(), "dx0": float(x0.grad)}

    return run


def _chain_jax(jax: Any, steps: int) -> Any:
    if steps > 10_000:
        return "jax eager grad traces every op; over 10,000 steps it exceeds the time budget"
    step = jax.value_and_grad(_chain_fn(steps))  # eager: jit would unroll N steps

    def run() -> dict[str, Any]:
        x, dx0 = step(1.0)
        return {"x": float(x), "dx0": float(dx0)}

    return run


# -- W6: graph building ----------------------------------------------------------------------------
def _graph_torch(torch: Any, d: GraphData) -> Callable[[], dict[str, Any]]:
    def run() -> dict[str, Any]:
        a = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in d.a]
        b = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in d.b]
        level = [x * y for x, y in zip(a, b, strict=True)]
        while len(level) > 1:
            level = _pairwise(level)
        level[0].backward()
        return {
            "loss": level[0].item(),
            "da": [x.grad.item() for x in a],
            "db": [y.grad.item() for y in b],
        }

    return run


def _graph_hips(autograd: Any, d: GraphData) -> Any:
    if len(d.a) > 500:
        # Its gradient with respect to a list of scalars adds whole lists, one term at a time:
        # quadratic. With 10,000 leaves one call took over two minutes on this machine.
        return "HIPS autograd's gradient of a list of scalars is quadratic: minutes per call"

    def total(params: tuple[list[Any], list[Any]]) -> Any:
        level = [x * y for x, y in zip(params[0], params[1], strict=True)]
        while len(level) > 1:
            level = _pairwise(level)
        return level[0]

    step = autograd.value_and_grad(total)

    def run() -> dict[str, Any]:
        L, (da, db) = step((list(d.a), list(d.b)))
        return {"loss": L, "da": list(da), "db": list(db)}

    return run


def _graph_micrograd(engine: Any, d: GraphData) -> Callable[[], dict[str, Any]]:
    def run() -> dict[str, Any]:
        a = [engine.Value(v) for v in d.a]
        b = [engine.Value(v) for v in d.b]
        level = [x * y for x, y in zip(a, b, strict=True)]
        while len(level) > 1:
            level = _pairwise(level)
        level[0].backward()
        return {"loss": level[0].data, "da": [x.grad for x in a], "db": [y.grad for y in b]}

    return run


def _graph_mygrad(mg: Any, d: GraphData) -> Callable[[], dict[str, Any]]:
    def run() -> dict[str, Any]:
        a = [mg.tensor(v) for v in d.a]
        b = [mg.tensor(v) for v in d.b]
        level = [x * y for x, y in zip(a, b, strict=True)]
        while len(level) > 1:
            level = _pairwise(level)
        level[0].backward()
        return {
            "loss": level[0].item(),
            "da": [float(x.grad) for x in a],
            "db": [float(y.grad) for y in b],
        }

    return run


def _graph_jax(jax: Any, d: GraphData) -> Callable[[], dict[str, Any]]:
    def total(a: list[Any], b: list[Any]) -> Any:
        level = [x * y for x, y in zip(a, b, strict=True)]
        while len(level) > 1:
            level = _pairwise(level)
        return level[0]

    step = jax.value_and_grad(total, argnums=(0, 1))  # eager: the graph is the workload

    def run() -> dict[str, Any]:
        L, (da, db) = step(list(d.a), list(d.b))
        return {"loss": float(L), "da": [float(v) for v in da], "db": [float(v) for v in db]}

    return run


# -- W7/W8: micrograd's moons demo, one SGD step ---------------------------------------------
def _w7_micrograd(engine: Any, d: MoonsData) -> Callable[[], dict[str, Any]]:
    """micrograd's own demo code (demo.ipynb's loss() and update), from the same weights."""
    Value = engine.Value
    model = importlib.import_module("micrograd.nn").MLP(2, [16, 16, 1])
    neurons = [layer.neurons for layer in model.layers]
    X, y = d.X.tolist(), d.y.tolist()

    def run() -> dict[str, Any]:
        for layer, W, b in zip(neurons, d.Ws, d.bs, strict=True):
            for j, neuron in enumerate(layer):
                for i, w in enumerate(neuron.w):
                    w.data = float(W[i, j])
                neuron.b.data = float(b[j])
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores, strict=True)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (s.data > 0) for yi, s in zip(y, scores, strict=True)]
        del accuracy  # computed as the demo does; not part of the answer
        model.zero_grad()
        total_loss.backward()
        grads = _micrograd_flat(neurons, "grad")
        for p in model.parameters():
            p.data -= d.lr * p.grad
        return {"loss": total_loss.data, "grad": grads, "params": _micrograd_flat(neurons, "data")}

    return run


def _w7_micrograd_alone(engine: Any, d: MoonsData) -> Callable[[], dict[str, Any]]:
    """The same code under Python's own collector thresholds, as micrograd runs in a process
    of its own: importing autograd_lite raises the first threshold (autograd_lite/collector.py),
    which the row above, in this process, benefits from too. For information: the target is
    against the row above, both engines under the same thresholds."""
    from autograd_lite import collector

    run = _w7_micrograd(engine, d)

    def alone() -> dict[str, Any]:
        before = gc.get_threshold()
        gc.set_threshold(*collector.PYTHON_DEFAULT)
        try:
            return run()
        finally:
            gc.set_threshold(*before)

    return alone


def _micrograd_flat(neurons: list[Any], what: str) -> np.ndarray:
    Ws = [np.array([[getattr(w, what) for w in n.w] for n in layer]).T for layer in neurons]
    bs = [[getattr(n.b, what) for n in layer] for layer in neurons]
    return flat(Ws, bs)


def _w8_torch(torch: Any, d: MoonsData) -> Callable[[], dict[str, Any]]:
    """torch.nn eager in float64: Linear/ReLU layers, the hinge loss + L2, torch.optim.SGD."""
    layers = []
    for k, W in enumerate(d.Ws):
        layers.append(torch.nn.Linear(*W.shape).double())
        if k < len(d.Ws) - 1:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    linears = [layer for layer in layers if isinstance(layer, torch.nn.Linear)]
    X, y = torch.from_numpy(d.X), torch.from_numpy(d.y).reshape(-1, 1)
    opt = torch.optim.SGD(model.parameters(), lr=d.lr)

    def run() -> dict[str, Any]:
        with torch.no_grad():
            for layer, W, b in zip(linears, d.Ws, d.bs, strict=True):
                layer.weight.copy_(torch.from_numpy(W.T))  # torch keeps (out, in)
                layer.bias.copy_(torch.from_numpy(b))
        scores = model(X)
        data_loss = torch.relu(1.0 - y * scores).mean()
        reg_loss = 1e-4 * sum((p * p).sum() for p in model.parameters())
        total = data_loss + reg_loss
        opt.zero_grad()
        total.backward()
        grads = flat([L.weight.grad.numpy().T for L in linears], [L.bias.grad for L in linears])
        opt.step()
        values = flat(
            [L.weight.detach().numpy().T for L in linears], [L.bias.detach() for L in linears]
        )
        return {"loss": total.item(), "grad": grads, "params": values}

    return run


def _not_arrays(module: Any, data: Any) -> str:
    return "scalar-only engine: no arrays, so no matrix workload"


LESSON = [
    ("torch (eager)", "torch", _w1_torch),
    ("HIPS autograd", "autograd", _w1_hips),
    ("micrograd", "micrograd", _w1_micrograd),
    ("mygrad", "mygrad", _w1_mygrad),
    ("jax.jit(value_and_grad)", "jax", _w1_jax),
]
VECTOR = [
    ("torch BCEWithLogits", "torch", lambda m, d: _vec_torch(m, d, True)),
    ("torch sigmoid + BCE", "torch", lambda m, d: _vec_torch(m, d, False)),
    ("HIPS autograd fused", "autograd", lambda m, d: _vec_hips(m, d, True)),
    ("HIPS autograd lesson", "autograd", lambda m, d: _vec_hips(m, d, False)),
    ("micrograd", "micrograd", _not_arrays),
    ("mygrad fused", "mygrad", lambda m, d: _vec_mygrad(m, d, True)),
    ("mygrad lesson", "mygrad", lambda m, d: _vec_mygrad(m, d, False)),
    ("jax.jit fused", "jax", lambda m, d: _vec_jax(m, d, True)),
    ("jax.jit lesson", "jax", lambda m, d: _vec_jax(m, d, False)),
]
CHAIN = [
    ("torch (eager)", "torch", _chain_torch),
    ("HIPS autograd", "autograd", _chain_hips),
    ("micrograd", "micrograd", _chain_micrograd),
    ("mygrad", "mygrad", _chain_mygrad),
    ("jax value_and_grad (eager)", "jax", _chain_jax),
]
GRAPH = [
    ("torch (eager)", "torch", _graph_torch),
    ("HIPS autograd", "autograd", _graph_hips),
    ("micrograd", "micrograd", _graph_micrograd),
    ("mygrad", "mygrad", _graph_mygrad),
    ("jax value_and_grad (eager)", "jax", _graph_jax),
]
MOONS_SCALAR = [
    ("micrograd", "micrograd", _w7_micrograd),
    ("micrograd, Python's collector thresholds", "micrograd", _w7_micrograd_alone),
]
MOONS_VECTOR = [
    ("torch (eager)", "torch", _w8_torch),
    ("micrograd", "micrograd", _not_arrays),
]
