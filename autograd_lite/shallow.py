"""The course's next model: one hidden layer of tanh units, then a sigmoid output.

In the course's convention examples are columns: X is (n_x, m), Y is (1, m), and

    Z1 = W1 X + b1  (n_h, m),   A1 = tanh(Z1),   Z2 = W2 A1 + b2  (1, m),   A2 = sigmoid(Z2),
    L  = mean over m of -(Y log A2 + (1-Y) log(1-A2)),

with W1 (n_h, n_x), b1 (n_h, 1), W2 (1, n_h), b2 (1, 1). Back-propagation by hand gives

    dZ2 = A2 - Y,  dW2 = dZ2 A1^T / m,  db2 = mean(dZ2),
    dZ1 = W2^T dZ2 * (1 - A1^2),  dW1 = dZ1 X^T / m,  db1 = mean(dZ1)   (means over examples),

where dZ2 and dZ1 are m times dL/dZ2 and dL/dZ1 (each example's own loss, as the course writes
them); the parameters' gradients are exactly dL/dW1, ... of the mean loss.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .gradcheck import finite_difference
from .logistic import (
    GradientRow,
    GradientTable,
    LossKind,
    _check_finite,
    _check_labels,
    _format_values,
    _RisingLossWatch,
    _stop_if_diverged,
    _values,
    check_training_settings,
    gradient_checks_rows,
    loss_of_logits,
)
from .node import ArrayLike, Node
from .op import no_grad
from .ops import binary_cross_entropy_with_logits, sigmoid, tanh
from .optim import SGD

PARAMETERS = ("W1", "b1", "W2", "b2")


class Parameters(NamedTuple):
    """W1 (n_h, n_x), b1 (n_h, 1), W2 (1, n_h), b2 (1, 1), as float64 arrays."""

    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray


# -- checking what we are given ------------------------------------------------------------------
def check_data(X: Node | ArrayLike, Y: Node | ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """X as an (n_x, m) float64 array of finite numbers, Y as (1, m) of 0/1 labels ((m,) too).

    The course's convention: one example per column (logistic.py has one per row).
    """
    X, Y = _values(X), _values(Y)
    if X.ndim == 1:  # one example
        X = X.reshape(-1, 1)
    if X.ndim != 2 or X.size == 0:
        raise ValueError(f"X has shape {X.shape}; it must be (n_x features, m examples)")
    Y = Y.reshape(1, -1) if Y.ndim <= 1 else Y
    if Y.shape != (1, X.shape[1]):
        raise ValueError(
            f"Y has shape {Y.shape} but X has shape {X.shape}: Y must be (1, {X.shape[1]}), "
            "one label per column of X"
        )
    _check_finite("X", X)
    _check_labels("Y", Y)
    return X, Y


def check_parameters(W1, b1, W2, b2, n_x: int) -> Parameters:
    """The four parameters as float64 arrays of the course's shapes, for n_x input features."""
    W1, b1, W2, b2 = (_values(p) for p in (W1, b1, W2, b2))
    if W1.ndim != 2 or W1.shape[1] != n_x:
        raise ValueError(f"W1 has shape {W1.shape} but X has {n_x} feature(s): W1 is (n_h, {n_x})")
    n_h = W1.shape[0]
    wanted = {"b1": (n_h, 1), "W2": (1, n_h), "b2": (1, 1)}
    got = {"b1": b1, "W2": W2, "b2": b2}
    for name, shape in wanted.items():
        if got[name].size == int(np.prod(shape)) and got[name].ndim <= 2:
            got[name] = got[name].reshape(shape)  # (n_h,) for b1 or W2, a number for b2
        if got[name].shape != shape:
            raise ValueError(
                f"{name} has shape {got[name].shape}; with W1 of shape {W1.shape} it is {shape}"
            )
    params = Parameters(W1, got["b1"], got["W2"], got["b2"])
    for name, value in zip(PARAMETERS, params, strict=True):
        _check_finite(name, value)
    return params


def initial_parameters(
    n_x: int, n_h: int, seed: int | np.random.Generator | None = 2
) -> Parameters:
    """The course's start: W1, W2 normal with standard deviation 0.01, b1 and b2 zeros
    (drawn from ``np.random.default_rng(seed)``, W1 first)."""
    rng = np.random.default_rng(seed)
    W1 = rng.standard_normal((n_h, n_x)) * 0.01
    W2 = rng.standard_normal((1, n_h)) * 0.01
    return Parameters(W1, np.zeros((n_h, 1)), W2, np.zeros((1, 1)))


# -- the graph -----------------------------------------------------------------------------------
def graph(X, Y, W1, b1, W2, b2, loss: LossKind = "lesson") -> dict[str, Node]:
    """The model over m examples as named Nodes: X, Y, W1, b1, W2, b2, Z1, A1, Z2, A2, L.

    ``loss="lesson"``: A2 = sigmoid(Z2), then the cross-entropy of A2; ``"fused"``: L straight
    from Z2 (stable for any Z2; the graph has no A2). Plain arrays become Nodes; the parameters
    become Nodes that require a gradient unless given as Nodes.
    """
    nodes = {"X": X, "Y": Y, "W1": W1, "b1": b1, "W2": W2, "b2": b2}
    for name, value in nodes.items():
        if not isinstance(value, Node):
            nodes[name] = Node(value, name=name, requires_grad=name in PARAMETERS)
    nodes.update(logits(nodes["X"], nodes["W1"], nodes["b1"], nodes["W2"], nodes["b2"]))
    end = loss_of_logits(nodes["Z2"], nodes["Y"], loss)  # the one place that knows both forms
    if "a" in end:
        end["a"].name = "A2"
        nodes["A2"] = end["a"]
    nodes["L"] = end["L"]
    return nodes


def logits(X: Node, W1: Node, b1: Node, W2: Node, b2: Node) -> dict[str, Node]:
    """Z1 = W1 X + b1, A1 = tanh(Z1), Z2 = W2 A1 + b2, named, by name."""
    Z1 = W1 @ X + b1
    A1 = tanh(Z1)
    Z2 = W2 @ A1 + b2
    for name, node in (("Z1", Z1), ("A1", A1), ("Z2", Z2)):
        node.name = name
    return {"Z1": Z1, "A1": A1, "Z2": Z2}


def probabilities(X, W1, b1, W2, b2) -> np.ndarray:
    """A2 = sigmoid(W2 tanh(W1 X + b1) + b2), shape (1, m), without recording a graph."""
    X = _values(X)
    if X.ndim != 2:
        raise ValueError(f"X has shape {X.shape}; it must be (n_x features, m examples)")
    p = check_parameters(W1, b1, W2, b2, X.shape[0])
    with no_grad():
        return sigmoid(p.W2 @ tanh(p.W1 @ X + p.b1) + p.b2).value


def predict(X, W1, b1, W2, b2) -> np.ndarray:
    """The predicted labels (1, m): 1 where A2 > 0.5, else 0."""
    return (probabilities(X, W1, b1, W2, b2) > 0.5).astype(np.int64)


def accuracy(X, Y, W1, b1, W2, b2) -> float:
    """The fraction of examples (columns) whose predicted label equals Y."""
    X, Y = check_data(X, Y)
    return float(np.mean(predict(X, W1, b1, W2, b2) == Y))


def mean_loss(X, Y, W1, b1, W2, b2) -> float:
    """The mean cross-entropy on (X, Y), computed stably from Z2."""
    X, Y = check_data(X, Y)
    return float(_loss_value(X, Y, *check_parameters(W1, b1, W2, b2, X.shape[0])))


def _loss_value(X, Y, W1, b1, W2, b2) -> np.ndarray:
    with no_grad():
        return binary_cross_entropy_with_logits(W2 @ tanh(W1 @ X + b1) + b2, Y).value


# -- the closed form -----------------------------------------------------------------------------
class ClosedFormGrads(NamedTuple):
    """The course's hand-derived gradients (see the module docstring)."""

    dZ2: np.ndarray  # noqa: N815 (the course's name)  (1, m)
    dW2: np.ndarray  # noqa: N815 (the course's name)  (1, n_h)
    db2: np.ndarray  # (1, 1)
    dZ1: np.ndarray  # noqa: N815 (the course's name)  (n_h, m)
    dW1: np.ndarray  # noqa: N815 (the course's name)  (n_h, n_x)
    db1: np.ndarray  # (n_h, 1)


def closed_form_grads(X, Y, W1, b1, W2, b2) -> ClosedFormGrads:
    """dZ2 = A2 - Y, dW2 = dZ2 A1^T / m, db2 = mean(dZ2), dZ1 = W2^T dZ2 * (1 - A1^2),
    dW1 = dZ1 X^T / m, db1 = mean(dZ1), the means over the examples (axis 1, keepdims)."""
    X, Y = check_data(X, Y)
    p = check_parameters(W1, b1, W2, b2, X.shape[0])
    m = X.shape[1]
    A1 = np.tanh(p.W1 @ X + p.b1)
    with no_grad():  # (the forward's second half, on the A1 just computed)
        A2 = sigmoid(p.W2 @ A1 + p.b2).value
    dZ2 = A2 - Y
    dZ1 = p.W2.T @ dZ2 * (1.0 - A1**2)
    return ClosedFormGrads(
        dZ2=dZ2,
        dW2=dZ2 @ A1.T / m,
        db2=np.mean(dZ2, axis=1, keepdims=True),
        dZ1=dZ1,
        dW1=dZ1 @ X.T / m,
        db1=np.mean(dZ1, axis=1, keepdims=True),
    )


# -- the summary table: autodiff vs closed form vs finite differences ----------------------------
def compare(X, Y, W1, b1, W2, b2, eps: float = 1e-6) -> GradientTable:
    """The course's gradients three ways, as logistic.compare: by autodiff (backward), by the
    closed form and by central finite differences. X may be one example (n_x,) or (n_x, m).

    The table's dZ2 and dZ1 are dL/dZ of the mean loss, the course's dZ2, dZ1 divided by m.
    """
    X, Y = check_data(X, Y)
    p = check_parameters(W1, b1, W2, b2, X.shape[0])
    n_x, m = X.shape
    nodes = graph(X, Y, *p, loss="lesson")
    nodes["L"].backward()
    closed = closed_form_grads(X, Y, *p)
    over_m = " / m" if m > 1 else ""

    def loss_of_z2(Z2):  # stably from Z2: through A2, 1 - A2 loses digits that FD magnifies
        return binary_cross_entropy_with_logits(Z2, Y).value

    def loss_of_z1(Z1):
        return loss_of_z2(p.W2 @ np.tanh(Z1) + p.b2)

    def loss_with(name: str) -> Callable[[np.ndarray], np.ndarray]:
        return lambda value: _loss_value(X, Y, **(p._asdict() | {name: value}))

    def row(name: str, formula: str, closed_value: np.ndarray, numeric: np.ndarray) -> GradientRow:
        return GradientRow(name, formula, nodes[name[1:]].grad, closed_value, numeric)

    rows = (
        row("dZ2", f"(A2 - Y){over_m}", closed.dZ2 / m,
            finite_difference(loss_of_z2, nodes["Z2"].value, eps)),
        row("dW2", "dZ2 A1^T / m", closed.dW2, finite_difference(loss_with("W2"), p.W2, eps)),
        row("db2", "mean(dZ2)", closed.db2, finite_difference(loss_with("b2"), p.b2, eps)),
        row("dZ1", f"W2^T dZ2 * (1 - A1^2){over_m}", closed.dZ1 / m,
            finite_difference(loss_of_z1, nodes["Z1"].value, eps)),
        row("dW1", "dZ1 X^T / m", closed.dW1, finite_difference(loss_with("W1"), p.W1, eps)),
        row("db1", "mean(dZ1)", closed.db1, finite_difference(loss_with("b1"), p.b1, eps)),
    )
    n_h = p.W1.shape[0]
    what = "One example" if m == 1 else f"{m} examples"
    title = (
        f"{what} (n_x = {n_x}, n_h = {n_h}): A1 = tanh(W1 X + b1), A2 = sigmoid(W2 A1 + b2), "
        "L = mean of -(Y log A2 + (1-Y) log(1-A2))"
    )
    return GradientTable(title, rows)


# -- training ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Recording:
    """Some iterations of a run as the engine computed them (``train(..., record=True)``): at
    each of ``iterations`` (the ones viz.render_training shows: every one of a short run, else
    200 evenly spaced, the first and the last among them) the parameters before that
    iteration's update and their gradients by backward(). The data is kept too, so that a page
    can redraw any example.
    """

    iterations: np.ndarray  # (k,)
    parameters: tuple[Parameters, ...]  # k of them
    gradients: tuple[Parameters, ...]  # dL/dW1, dL/db1, dL/dW2, dL/db2 at those parameters
    X: np.ndarray  # (n_x, m), the data trained on
    Y: np.ndarray  # (1, m)


@dataclass(frozen=True, repr=False)
class History:
    """What a training run did: the loss before each update and the final parameters.

    ``gradient_checks`` holds (iteration, largest |autodiff - closed form| over the parameters);
    ``recording`` some iterations' parameters and gradients, when trained with record=True.
    """

    losses: np.ndarray  # losses[k] is the loss at iteration k + 1, before that iteration's update
    parameters: Parameters
    alpha: float
    loss_kind: str
    gradient_checks: tuple[tuple[int, float], ...]
    recording: Recording | None = None
    interrupted: bool = False  # stopped by Ctrl-C: the losses and parameters of the updates done

    @property
    def iterations(self) -> int:
        return len(self.losses)

    def summary(self) -> list[tuple[str, str]]:
        """The run in a few (what, value) pairs: what a notebook or a repr shows."""
        if not self.iterations:
            return [("iterations", "none: interrupted by Ctrl-C before the first update")]
        first, last = self.losses[0], self.losses[-1]
        n_h, n_x = self.parameters.W1.shape
        rows = [
            ("iterations", f"{self.iterations} (alpha = {self.alpha:g}, {self.loss_kind} loss)"
                           + (", interrupted by Ctrl-C" if self.interrupted else "")),
            ("hidden layer", f"{n_h} tanh unit{'s' if n_h != 1 else ''}, {n_x} features in"),
            ("loss", f"{first:.6g} at iteration 1, {last:.6g} at iteration {self.iterations}"),
        ]
        for name, value in zip(PARAMETERS, self.parameters, strict=True):
            shape = " x ".join(map(str, value.shape))
            rows.append((name, f"{_format_values(value)} ({shape})"))
        rows += gradient_checks_rows(self.gradient_checks)
        recorded = self.recording
        rows.append(("recorded", f"{len(recorded.iterations)} iterations' W1, b1, W2, b2 and "
                                 "their gradients" if recorded else "no"))
        return rows

    def __repr__(self) -> str:
        n_h = self.parameters.W1.shape[0]
        if not self.iterations:
            return f"History(0 iterations, n_h={n_h}, interrupted before the first update)"
        return (
            f"History({self.iterations} iterations, n_h={n_h}, alpha={self.alpha:g}, "
            f"loss {self.losses[0]:.6g} -> {self.losses[-1]:.6g}"
            f"{', recorded' if self.recording else ''}"
            f"{', interrupted' if self.interrupted else ''})"
        )

    def _repr_html_(self) -> str:
        from .tables import html_table

        return html_table("Training history, one hidden layer", ("", ""), self.summary(),
                          header_row=False)


def train(
    X: ArrayLike,
    Y: ArrayLike,
    n_h: int = 4,
    alpha: float = 1.2,
    iterations: int = 10_000,
    *,
    parameters: Parameters | None = None,
    seed: int | np.random.Generator | None = 2,
    loss: LossKind = "lesson",
    on_iteration: Callable[[int, float], None] | None = None,
    record: bool = False,
) -> History:
    """Gradient descent with autodiff gradients (the course's defaults: n_h = 4, alpha = 1.2,
    10,000 iterations): each iteration W1 -= alpha dW1, ... (optim.SGD without momentum).

    Starts from ``parameters`` or from initial_parameters(n_x, n_h, seed). At the first and last
    iteration the autodiff gradients are compared with the closed form. A NaN or infinite loss
    stops the run with logistic.TrainingDivergedError, naming the iteration; a loss that keeps
    rising warns (logistic.LossRisingWarning), as logistic.train's does. Ctrl-C
    (KeyboardInterrupt) stops it too: the History of the updates done so far is returned, with
    ``interrupted=True``. ``record=True``
    keeps up to 200 iterations' parameters and gradients in ``History.recording`` (for
    ``viz.render_training``).
    """
    X, Y = check_data(X, Y)
    if isinstance(n_h, bool) or not isinstance(n_h, (int, np.integer)) or n_h < 1:
        raise ValueError(f"n_h (the hidden units) must be a positive integer, got {n_h!r}")
    check_training_settings(alpha, iterations, loss)
    start = initial_parameters(X.shape[0], n_h, seed) if parameters is None else parameters
    if isinstance(start, (Node, np.ndarray, str)) or len(start) != 4:
        raise TypeError("shallow.train: parameters must be the four (W1, b1, W2, b2), got "
                        f"{type(start).__name__}"
                        + (f" of {len(start)}" if isinstance(start, (tuple, list)) else ""))
    start = check_parameters(*start, X.shape[0])

    data, labels = Node(X, name="X"), Node(Y, name="Y")
    params = [
        Node(value.copy(), name=name, requires_grad=True)
        for name, value in zip(PARAMETERS, start, strict=True)
    ]
    optimiser = SGD(params, lr=alpha)
    losses = np.empty(iterations)
    checks = []
    shown = _shown_iterations(iterations) if record else np.empty(0, int)
    recorded = set(shown.tolist())
    kept: tuple[list[Parameters], list[Parameters]] = ([], [])
    rising = _RisingLossWatch(alpha)
    done = (0, Parameters(*(p.value for p in params)))  # (updates done, the parameters after)
    # (divergence is reported below instead of numpy's warnings)
    with np.errstate(over="ignore", invalid="ignore"), contextlib.suppress(KeyboardInterrupt):
        for it in range(1, iterations + 1):
            Z2 = logits(data, *params)["Z2"]
            _stop_if_diverged(it, alpha, Z2.value, "the logits Z2 = W2 A1 + b2", X)
            L = loss_of_logits(Z2, labels, loss)["L"]
            value = float(L.value)
            _stop_if_diverged(it, alpha, value, "the loss", X)
            losses[it - 1] = value
            rising.see(it, value)
            L.backward()
            if it == 1 or it == iterations:
                checks.append((it, _gap_to_closed_form(X, Y, params)))
            if it in recorded:
                kept[0].append(Parameters(*(p.value.copy() for p in params)))
                kept[1].append(Parameters(*(p.grad.copy() for p in params)))
            optimiser.step()  # (new arrays for the parameters: done below keeps the last ones)
            optimiser.zero_grad()
            done = (it, Parameters(*(p.value for p in params)))
            if on_iteration is not None:
                on_iteration(it, value)
    completed, parameters_done = done  # fewer than asked for: Ctrl-C stopped the loop
    rows = int(np.searchsorted(shown, completed, side="right"))  # the recorded ones done
    return History(
        losses=losses[:completed],
        parameters=parameters_done,
        alpha=float(alpha),
        loss_kind=loss,
        gradient_checks=tuple(check for check in checks if check[0] <= completed),
        recording=Recording(shown[:rows], tuple(kept[0][:rows]), tuple(kept[1][:rows]), X, Y)
        if record else None,
        interrupted=completed < iterations,
    )


def _shown_iterations(iterations: int) -> np.ndarray:
    from .viz.training import shown_iterations  # (lazily: the page's module imports this one's)

    return shown_iterations(iterations)


def _gap_to_closed_form(X: np.ndarray, Y: np.ndarray, params: list[Node]) -> float:
    """Largest |autodiff - closed form| over the elements of dW1, db1, dW2, db2."""
    closed = closed_form_grads(X, Y, *params)
    pairs = zip(params, (closed.dW1, closed.db1, closed.dW2, closed.db2), strict=True)
    return float(max(np.max(np.abs(p.grad - c)) for p, c in pairs))
