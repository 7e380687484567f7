"""micrograd's demo on autograd_lite: a 2-16-16-1 ReLU network learns the two moons.

    python demos/micrograd_moons.py [--steps 100] [--seed 0]

As micrograd's demo.ipynb: make_moons(100, noise=0.1) with labels y = -1 or 1, the max-margin
(hinge) loss  mean(relu(1 - y score)) + alpha * sum(p^2)  with alpha = 1e-4, and SGD over 100
steps with micrograd's schedule  lr = 1 - 0.9 k / 100.  First with one scalar Node per weight,
as micrograd computes, then vectorised (ag.nn.MLP, one matrix per layer). Both start from the
same weights (PyTorch's Linear initialisation), so they follow the same path: the same losses
to rounding, and the same accuracy.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

import autograd_lite as ag
from autograd_lite import datasets, nn, optim

SIZES = (2, 16, 16, 1)
ALPHA = 1e-4  # the L2 penalty's weight


def moons(samples: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """make_moons's points X (m, 2) and micrograd's labels y = -1 or 1, shape (m,)."""
    data = datasets.moons(samples, noise=noise, seed=seed)
    return data.X, data.Y.ravel() * 2.0 - 1.0


def learning_rate(k: int, steps: int = 100) -> float:
    """micrograd's schedule: from 1.0 down to 0.1 over the run."""
    return 1.0 - 0.9 * k / steps


# -- micrograd's way: one scalar Node per weight ---------------------------------------------------
class ScalarMLP:
    """micrograd's MLP: neurons of scalar Nodes, act = sum(w_i x_i) + b, ReLU except at the end.

    Built from an ag.nn.MLP's weights, so that the two versions start at the same point.
    """

    def __init__(self, like: nn.MLP) -> None:
        self.layers: list[list[tuple[list[ag.Node], ag.Node]]] = []
        for linear in (layer for layer in like.layers if isinstance(layer, nn.Linear)):
            W, b = linear.W.value, linear.b.value
            neurons = []
            for j in range(W.shape[1]):
                weights = [ag.Node(float(W[i, j]), requires_grad=True) for i in range(W.shape[0])]
                neurons.append((weights, ag.Node(float(b[j]), requires_grad=True)))
            self.layers.append(neurons)

    def __call__(self, x: list) -> ag.Node:
        last = len(self.layers) - 1
        for depth, neurons in enumerate(self.layers):
            outputs = []
            for weights, bias in neurons:
                act = bias
                for w, xi in zip(weights, x, strict=True):
                    act = act + w * xi
                outputs.append(act if depth == last else ag.relu(act))
            x = outputs
        return x[0]

    def parameters(self) -> list[ag.Node]:
        return [p for neurons in self.layers for ws, b in neurons for p in (*ws, b)]

    def with_parameters(self, params: list[ag.Node]) -> ScalarMLP:
        """The same network on other parameter Nodes (in parameters()' order): ag.compile
        traces the loss on Nodes of its own."""
        given = iter(params)
        other = ScalarMLP.__new__(ScalarMLP)
        other.layers = [
            [([next(given) for _ in ws], next(given)) for ws, _ in neurons]
            for neurons in self.layers
        ]
        return other


def scalar_loss(model: ScalarMLP, X: np.ndarray, y: np.ndarray) -> tuple[ag.Node, list[ag.Node]]:
    """micrograd's loss(): the mean hinge loss plus alpha * sum(p^2); and the scores."""
    scores = [model(row) for row in X.tolist()]
    losses = [ag.relu(1.0 - yi * score) for yi, score in zip(y.tolist(), scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in model.parameters())
    return data_loss + reg_loss, scores


def accuracy(scores: ag.Node | list[ag.Node], y: np.ndarray) -> float:
    """The share of examples on the right side: score > 0 where y = 1, score <= 0 where y = -1."""
    values = scores.value if isinstance(scores, ag.Node) else [s.value for s in scores]
    return float(np.mean((np.ravel(values) > 0) == (y > 0)))


def train_scalar(model: ScalarMLP, X: np.ndarray, y: np.ndarray, steps: int = 100):
    """micrograd's training loop, p -= lr * p.grad for every parameter (ag.optim.SGD with the
    schedule's learning rate at each step); returns [(loss, accuracy)] per step."""
    return _train(model.parameters(), lambda: scalar_loss(model, X, y), y, steps)


def compile_scalar_step(model: ScalarMLP, X: np.ndarray, y: np.ndarray) -> ag.Compiled:
    """The scalar loss as generated code (ag.compile): traced once on the model's scalar Nodes,
    then each call runs Python float arithmetic and returns (loss, one gradient per weight)."""

    def loss(*params: ag.Node) -> ag.Node:
        return scalar_loss(model.with_parameters(list(params)), X, y)[0]

    return ag.compile(loss)


def train_scalar_compiled(
    model: ScalarMLP, X: np.ndarray, y: np.ndarray, steps: int = 100, step: Any = None
):
    """The same loop with the compiled step (``step``, made here if not given): the scalar Nodes
    keep the weights, the generated code computes the loss and the gradients. Returns
    [(loss, accuracy)] per step, where the accuracy (which needs the scores, which the step does
    not return) is that of the last step only, NaN before it."""
    step = step or compile_scalar_step(model, X, y)
    params = model.parameters()
    opt = optim.SGD(params, lr=learning_rate(0, steps))
    history = []
    for k in range(steps):
        if k == steps - 1:
            with ag.no_grad():
                scores = scalar_loss(model, X, y)[1]
        total, grads = step(*params)
        for p, grad in zip(params, grads, strict=True):
            p.grad = grad
        opt.lr = learning_rate(k, steps)
        opt.step()
        history.append((float(total), accuracy(scores, y) if k == steps - 1 else float("nan")))
    return history


# -- vectorised: one matrix per layer ------------------------------------------------------------
def vectorised_loss(model: nn.MLP, X: np.ndarray, y: np.ndarray) -> tuple[ag.Node, ag.Node]:
    """The same loss over all examples at once; and the scores (m, 1) = model(X)."""
    scores = model(X)
    labels = y.reshape(-1, 1)
    data_loss = ag.mean(ag.relu(1.0 - labels * scores))
    reg_loss = ALPHA * sum(ag.sum(p * p) for p in model.parameters())
    return data_loss + reg_loss, scores


def train_vectorised(model: nn.MLP, X: np.ndarray, y: np.ndarray, steps: int = 100):
    """The same loop on the matrices; returns [(loss, accuracy)] per step."""
    return _train(model.parameters(), lambda: vectorised_loss(model, X, y), y, steps)


def _train(params: list[ag.Node], loss, y: np.ndarray, steps: int) -> list[tuple[float, float]]:
    opt = optim.SGD(params, lr=learning_rate(0, steps))
    history = []
    for k in range(steps):
        total, scores = loss()
        opt.zero_grad()
        total.backward()
        opt.lr = learning_rate(k, steps)
        opt.step()
        history.append((float(total), accuracy(scores, y)))
    return history


def main(steps: int = 100, seed: int = 0) -> dict[str, list[tuple[float, float]]]:
    X, y = moons(seed=seed)
    print(f"make_moons: {len(y)} points, noise 0.1; a {'-'.join(map(str, SIZES))} ReLU MLP, "
          f"hinge loss + {ALPHA:g} * L2, SGD with lr = 1 - 0.9 k / {steps}, {steps} steps")
    start = nn.MLP(SIZES, activation="relu", seed=seed)
    compiled_model = ScalarMLP(start)
    began = time.perf_counter()
    compiled = compile_scalar_step(compiled_model, X, y)
    compiled(*compiled_model.parameters())  # the trace, the generated code and its compile()
    made = time.perf_counter() - began
    runs = {}
    for name, train, model in (
        ("scalar Nodes", train_scalar, ScalarMLP(start)),
        ("compiled", lambda *a: train_scalar_compiled(*a, step=compiled), compiled_model),
        ("vectorised", train_vectorised, start),
    ):
        count = len(model.parameters())
        began = time.perf_counter()
        history = train(model, X, y, steps)
        per_step = (time.perf_counter() - began) / steps
        (first, _), (last, accuracy) = history[0], history[-1]
        extra = f" (made once in {made:.1f} s: ag.compile of the scalar loss)" * (
            name == "compiled"
        )
        print(f"  {name:<13} ({count} parameter Node(s)): loss {first:.4f} -> {last:.4f}, "
              f"accuracy {accuracy:.0%}, {per_step * 1e3:.2f} ms per step{extra}")
        runs[name] = history
    first_run, *others = runs.values()
    gap = max(abs(a[0] - b[0]) for other in others for a, b in zip(first_run, other, strict=True))
    print(f"  the three runs' losses differ by at most {gap:.1e} (the same path, summed apart)")
    return runs


def positive_int(text: str) -> int:
    """argparse's type for --steps: a whole number of at least 1."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {number}")
    return number


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="micrograd's moons demo on autograd_lite: a 2-16-16-1 ReLU MLP trained by SGD "
        "on make_moons(100, noise=0.1), once with one scalar Node per weight and once vectorised; "
        "prints the loss, accuracy and time per step of each."
    )
    parser.add_argument("--steps", type=positive_int, default=100,
                        help="SGD steps (default: 100, as micrograd's demo)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the data and the initial weights (default: 0)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = parse_args()
    main(args.steps, args.seed)
