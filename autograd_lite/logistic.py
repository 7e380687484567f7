"""The lesson's model, logistic regression: its graph, its closed-form gradients, training.

One example:  z = w1*x1 + ... + wn*xn + b,  a = sigmoid(z),  L = -(y log a + (1-y) log(1-a)),
and back-propagation gives  da = -y/a + (1-y)/(1-a),  dz = a - y,  dw_i = x_i dz,  db = dz.
m examples:   z = X @ w + b  (X is m x n),  L = the mean over m,
and           dw = X^T (a - y) / m,  db = mean(a - y).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal, NamedTuple

import numpy as np

from .errors import user_stacklevel
from .gradcheck import finite_difference
from .node import ArrayLike, Node, as_array
from .op import no_grad
from .ops import binary_cross_entropy, binary_cross_entropy_with_logits, sigmoid

LossKind = Literal["lesson", "fused"]
LOSS_KINDS: tuple[str, ...] = ("lesson", "fused")


# -- checking what we are given ------------------------------------------------------------------
def _values(x: Node | ArrayLike, what: str = "the data") -> np.ndarray:
    if isinstance(x, Node):
        return np.asarray(x.value, dtype=np.float64)
    try:
        array = np.asarray(x)  # (a list, a DataFrame: anything numpy takes)
    except ValueError:  # ragged
        array = np.asarray(x, dtype=object)
    if array.dtype.kind not in "fiub":
        as_array(x, what)  # the error that names what was given
    return array.astype(np.float64, copy=False)


def _check_finite(name: str, values: np.ndarray) -> None:
    bad = ~np.isfinite(values)
    if np.any(bad):
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{name}{list(where)} is {values[where]}: values must be finite numbers")


def _check_labels(name: str, labels: np.ndarray) -> None:
    bad = (labels != 0) & (labels != 1)
    if np.any(bad):
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name}{list(where)} is {labels[where]:g}: labels must be 0 or 1 "
            f"({int(bad.sum())} of {labels.size} are not)"
        )


def check_data(X: Node | ArrayLike, Y: Node | ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """X as an (m, n) float64 array of finite numbers and Y as (m, 1) of 0/1 labels.

    Y may also be given as (m,). Errors name the argument, its shape and the offending element.
    """
    X, Y = _values(X, "X"), _values(Y, "Y")
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X has shape {X.shape}; it must be (m examples, n features), m, n >= 1")
    if Y.ndim == 1:
        Y = Y.reshape(-1, 1)
    if Y.shape != (X.shape[0], 1):
        raise ValueError(
            f"Y has shape {Y.shape} but X has shape {X.shape}: Y must be ({X.shape[0]}, 1), "
            "one label per row of X"
        )
    _check_finite("X", X)
    _check_labels("Y", Y)
    return X, Y


def check_parameters(w: Node | ArrayLike, b: Node | ArrayLike, n: int) -> tuple[np.ndarray, float]:
    """w as an (n, 1) float64 array ((n,) is accepted) and b as a float, both finite."""
    w, b = _values(w), _values(b)
    if w.ndim == 1:
        w = w.reshape(-1, 1)
    if w.shape != (n, 1):
        raise ValueError(f"w has shape {w.shape} but X has {n} feature(s): w must be ({n}, 1)")
    if b.size != 1:
        raise ValueError(f"b has shape {b.shape}; it must be a single number")
    _check_finite("w", w)
    _check_finite("b", b.reshape(1))
    return w, float(b.reshape(()))


# -- one example, as the lesson draws it ---------------------------------------------------------
def lesson_graph(x: Sequence[float], y: float, w: Sequence[float], b: float) -> dict[str, Node]:
    """The lesson's single-example graph, one scalar Node per quantity, by name:

    ``x1..xn`` (data), ``w1..wn`` and ``b`` (parameters), ``y`` (label),
    ``z = w1*x1 + ... + wn*xn + b``, ``a = sigmoid(z)``, ``L = -(y log a + (1-y) log(1-a))``.
    Nothing is differentiated yet: call ``nodes["L"].backward()``.
    """
    xs, ws = _values(x).reshape(-1), _values(w).reshape(-1)
    if xs.size == 0 or xs.size != ws.size:
        raise ValueError(f"x has {xs.size} value(s) and w has {ws.size}: give one weight per x")
    for name, value in (("b", b), ("y", y)):
        if _values(value).size != 1:
            raise ValueError(f"{name} must be a single number, got shape {_values(value).shape}")
    _check_finite("x", xs)
    _check_finite("w", ws)
    _check_finite("b", _values(b).reshape(-1))
    _check_labels("y", _values(y).reshape(-1))

    nodes: dict[str, Node] = {}
    for i, (xi, wi) in enumerate(zip(xs, ws, strict=True), start=1):
        nodes[f"x{i}"] = Node(float(xi), name=f"x{i}")
        nodes[f"w{i}"] = Node(float(wi), name=f"w{i}", requires_grad=True)
    nodes["b"] = Node(float(b), name="b", requires_grad=True)
    nodes["y"] = Node(float(y), name="y")

    # z = w1*x1 + w2*x2 + ... + b, summed left to right exactly as the lesson writes it
    z = nodes["w1"] * nodes["x1"]
    for i in range(2, xs.size + 1):
        z = z + nodes[f"w{i}"] * nodes[f"x{i}"]
    z = z + nodes["b"]
    z.name = "z"
    a = sigmoid(z)
    a.name = "a"
    loss = binary_cross_entropy(a, nodes["y"])
    loss.name = "L"
    nodes.update(z=z, a=a, L=loss)
    return nodes


# -- m examples at once ----------------------------------------------------------------------------
def vectorised_graph(
    X: Node | ArrayLike,
    Y: Node | ArrayLike,
    w: Node | ArrayLike,
    b: Node | ArrayLike,
    loss: LossKind = "lesson",
) -> dict[str, Node]:
    """The model over m examples: ``Z = X @ w + b``, and L the loss averaged over the m rows.

    ``loss="lesson"``: ``A = sigmoid(Z)``, ``L = mean(-(Y log A + (1-Y) log(1-A)))``.
    ``loss="fused"``: the same L from Z directly (stable for any Z; the graph has no ``A``).
    The nodes are named (and keyed) X, Y, w, b, Z, A, L.
    Plain arrays become Nodes; w and b become parameters unless given as Nodes.
    """
    nodes = {
        "X": X if isinstance(X, Node) else Node(X, name="X"),
        "Y": Y if isinstance(Y, Node) else Node(Y, name="Y"),
        "w": w if isinstance(w, Node) else Node(w, name="w", requires_grad=True),
        "b": b if isinstance(b, Node) else Node(b, name="b", requires_grad=True),
    }
    nodes["Z"] = logits(nodes["X"], nodes["w"], nodes["b"])
    nodes["Z"].name = "Z"  # capitals, as the lesson writes the m examples' columns
    loss_nodes = loss_of_logits(nodes["Z"], nodes["Y"], loss)
    if "a" in loss_nodes:
        nodes["A"] = loss_nodes["a"]
        nodes["A"].name = "A"
    nodes["L"] = loss_nodes["L"]
    return nodes


def logits(X: Node, w: Node, b: Node) -> Node:
    """z = X @ w + b, one logit per example: shape (m, 1)."""
    z = X @ w + b
    z.name = "z"
    return z


def loss_of_logits(z: Node, Y: Node, loss: LossKind = "lesson") -> dict[str, Node]:
    """The mean loss of logits z against labels Y: ``{"a": ..., "L": ...}`` for the lesson's
    form (a = sigmoid(z), then the cross-entropy of a), ``{"L": ...}`` for the fused one."""
    if loss not in LOSS_KINDS:
        raise ValueError(f"loss must be 'lesson' or 'fused', got {loss!r}")
    if loss == "fused":
        nodes = {"L": binary_cross_entropy_with_logits(z, Y)}
    else:
        a = sigmoid(z)
        a.name = "a"
        nodes = {"a": a, "L": binary_cross_entropy(a, Y)}
    nodes["L"].name = "L"
    return nodes


class ClosedFormGrads(NamedTuple):
    """The lesson's hand-derived gradients: dz = a - y (m, 1), dw = X^T dz / m (n, 1), db."""

    dz: np.ndarray
    dw: np.ndarray
    db: float


def closed_form_grads(
    X: Node | ArrayLike, Y: Node | ArrayLike, w: Node | ArrayLike, b: Node | ArrayLike
) -> ClosedFormGrads:
    """dz = a - y with a = sigmoid(X @ w + b);  dw = X^T dz / m;  db = mean(dz).

    With m = 1 this is the lesson's single example: dw_i = x_i * dz, db = dz.
    """
    X, Y = check_data(X, Y)
    w, b = check_parameters(w, b, X.shape[1])
    dz = probabilities(X, w, b) - Y
    return ClosedFormGrads(dz=dz, dw=X.T @ dz / X.shape[0], db=float(np.mean(dz)))


def probabilities(X: Node | ArrayLike, w: Node | ArrayLike, b: Node | ArrayLike) -> np.ndarray:
    """a = sigmoid(X @ w + b), shape (m, 1), without recording a graph."""
    X = _values(X)
    if X.ndim != 2:
        raise ValueError(f"X has shape {X.shape}; it must be (m examples, n features)")
    w, b = check_parameters(w, b, X.shape[1])
    with no_grad():
        return sigmoid(X @ w + b).value


def predict(X: Node | ArrayLike, w: Node | ArrayLike, b: Node | ArrayLike) -> np.ndarray:
    """The predicted labels: 1 where a = sigmoid(X @ w + b) > 0.5 (that is, z > 0), else 0."""
    return (probabilities(X, w, b) > 0.5).astype(np.int64)


def accuracy(
    X: Node | ArrayLike, Y: Node | ArrayLike, w: Node | ArrayLike, b: Node | ArrayLike
) -> float:
    """The fraction of examples whose predicted label equals Y."""
    X, Y = check_data(X, Y)
    return float(np.mean(predict(X, w, b) == Y))


def percent(share: float, decimals: int = 2) -> str:
    """``share`` as a percentage that shows 100% (or 0%) only when it is exactly that: 29,999
    right of 30,000 is 99.99%, where rounding would print 100.00%."""
    text, step = f"{share:.{decimals}%}", 10.0 ** -(decimals + 2)
    if share < 1.0 and text == f"{1.0:.{decimals}%}":
        return f"{1.0 - step:.{decimals}%}"
    if share > 0.0 and text == f"{0.0:.{decimals}%}":
        return f"{step:.{decimals}%}"
    return text


def mean_loss(
    X: Node | ArrayLike, Y: Node | ArrayLike, w: Node | ArrayLike, b: Node | ArrayLike
) -> float:
    """The mean binary cross-entropy of the model on (X, Y), computed stably from z."""
    X, Y = check_data(X, Y)
    w, b = check_parameters(w, b, X.shape[1])
    with no_grad():
        return float(binary_cross_entropy_with_logits(X @ w + b, Y).value)


# -- training --------------------------------------------------------------------------------------
class TrainingDivergedError(FloatingPointError):
    """Gradient descent produced a loss (or logits) that is NaN or infinite."""


class LossRisingWarning(RuntimeWarning):
    """Gradient descent's loss stayed above its lowest value for several iterations in a row:
    the learning rate alpha is probably too large."""


RISING_ITERATIONS = 3  # iterations in a row above the lowest loss so far before train() warns


class _RisingLossWatch:
    """Warns once per run when the loss has stayed above its lowest value so far for
    RISING_ITERATIONS iterations in a row (full-batch gradient descent with a small enough alpha
    never raises the loss; a rise within rounding, 1e-9 relative, does not count)."""

    def __init__(self, alpha: float):
        self.alpha, self.best, self.best_at, self.above, self.warned = alpha, np.inf, 0, 0, False

    def see(self, iteration: int, loss: float) -> None:
        if loss <= self.best * (1.0 + 1e-9):
            if loss < self.best:
                self.best, self.best_at = loss, iteration
            self.above = 0
            return
        self.above += 1
        if self.above == RISING_ITERATIONS and not self.warned:
            self.warned = True
            warnings.warn(
                f"the loss rose above its lowest value ({self.best:.6g}, at iteration "
                f"{self.best_at}) and has stayed above it for {RISING_ITERATIONS} iterations "
                f"(iteration {iteration}: {loss:.6g}); alpha = {self.alpha:g} is probably too "
                f"large, try a smaller alpha such as {self.alpha / 10:g}",
                LossRisingWarning,
                stacklevel=user_stacklevel(),
            )


@dataclass(frozen=True)
class Recording:
    """Every iteration of a run as the engine computed it (``train(..., record=True)``): row k
    holds iteration k + 1's parameters, before its update, and their gradients by backward().
    The data is kept too, so that a page can redraw any example at any iteration.
    """

    w: np.ndarray  # (iterations, n)
    b: np.ndarray  # (iterations,)
    dw: np.ndarray  # (iterations, n): dL/dw at those parameters
    db: np.ndarray  # (iterations,)
    X: np.ndarray  # (m, n), the data trained on
    Y: np.ndarray  # (m, 1)


@dataclass(frozen=True, repr=False)
class History:
    """What a training run did: the loss before each update, and the final parameters.

    ``gradient_checks`` holds (iteration, largest |autodiff - closed form| over dw and db);
    ``recording`` every iteration's parameters and gradients, when trained with record=True.
    """

    losses: np.ndarray  # losses[k] is the loss at iteration k + 1, before that iteration's update
    w: np.ndarray  # (n, 1)
    b: float
    alpha: float
    loss_kind: str  # "lesson" or "fused"
    gradient_checks: tuple[tuple[int, float], ...]
    interrupted: bool = False  # stopped by Ctrl-C: the losses, w and b of the updates done
    recording: Recording | None = None

    @property
    def iterations(self) -> int:
        return len(self.losses)

    def summary(self) -> list[tuple[str, str]]:
        """The run in a few (what, value) pairs: what a notebook or a repr shows."""
        if not self.iterations:
            return [("iterations", "none: interrupted by Ctrl-C before the first update")]
        first, last = self.losses[0], self.losses[-1]
        rows = [
            ("iterations", f"{self.iterations} (alpha = {self.alpha:g}, {self.loss_kind} loss)"
                           + (", interrupted by Ctrl-C" if self.interrupted else "")),
            ("loss", f"{first:.6g} at iteration 1, {last:.6g} at iteration {self.iterations}"),
            ("w", _format_values(self.w) + f" ({self.w.size} values)"),
            ("b", f"{self.b:.6g}"),
        ]
        rows += gradient_checks_rows(self.gradient_checks)
        rows.append(("recorded", "every iteration's w, b, dw, db" if self.recording else "no"))
        return rows

    def __repr__(self) -> str:
        if not self.iterations:
            return "History(0 iterations, interrupted before the first update)"
        first, last = self.losses[0], self.losses[-1]
        return (
            f"History({self.iterations} iterations, alpha={self.alpha:g}, "
            f"loss {first:.6g} -> {last:.6g}, w={_format_values(self.w)}, b={self.b:.6g}"
            f"{', recorded' if self.recording else ''}"
            f"{', interrupted' if self.interrupted else ''})"
        )

    def _repr_html_(self) -> str:
        from .tables import html_table

        return html_table("Training history", ("", ""), self.summary(), header_row=False)


def gradient_checks_rows(checks: tuple[tuple[int, float], ...]) -> list[tuple[str, str]]:
    """A History summary's row of its (iteration, largest difference) checks, if any
    (shared by logistic and shallow training)."""
    if not checks:
        return []
    gaps = ", ".join(f"{gap:.1e} at iteration {it}" for it, gap in checks)
    return [("autodiff vs closed form", f"largest difference {gaps}")]


def check_training_settings(alpha: float, iterations: int, loss: str) -> None:
    """The learning rate a positive number, the iterations a whole number >= 1, the loss kind
    'lesson' or 'fused' (shared by logistic and shallow training)."""
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.number)):
        raise TypeError(f"alpha must be a number, got {type(alpha).__name__}")
    if not (np.isfinite(alpha) and alpha > 0):
        raise ValueError(f"alpha (the learning rate) must be a positive number, got {alpha}")
    if isinstance(iterations, bool) or not isinstance(iterations, (int, np.integer)):
        raise TypeError(f"iterations must be an integer, got {type(iterations).__name__}")
    if iterations < 1:
        raise ValueError(f"iterations must be at least 1, got {iterations}")
    if loss not in LOSS_KINDS:
        raise ValueError(f"loss must be 'lesson' or 'fused', got {loss!r}")


def train(
    X: ArrayLike,
    Y: ArrayLike,
    alpha: float,
    iterations: int,
    *,
    w: ArrayLike | None = None,
    b: float = 0.0,
    loss: LossKind = "lesson",
    on_iteration: Callable[[int, float], None] | None = None,
    compiled: bool = False,
    record: bool = False,
) -> History:
    """Gradient descent with autodiff gradients: each iteration  w -= alpha dw,  b -= alpha db.

    Starts from ``w`` (default zeros) and ``b``. ``on_iteration(iteration, loss)`` is called after
    every iteration (for a progress bar). At the first and last iteration the autodiff gradient
    is compared with the closed form (kept in ``History.gradient_checks``). A loss that stays
    above its lowest value for RISING_ITERATIONS iterations in a row warns (LossRisingWarning,
    once per run); a NaN or infinite loss stops the run with TrainingDivergedError, naming the
    iteration. Ctrl-C (KeyboardInterrupt) stops it too: the History of the updates done so far
    is returned, with ``interrupted=True``. ``compiled``: each iteration runs the code
    ``ag.compile`` generates for the loss and its gradients (the same numbers, no graph built
    per iteration). ``record=True`` keeps every iteration's w, b, dw and db in
    ``History.recording`` (for ``viz.render_training``).
    """
    X, Y = check_data(X, Y)
    check_training_settings(alpha, iterations, loss)
    w0 = np.zeros((X.shape[1], 1)) if w is None else w
    w0, b0 = check_parameters(w0, b, X.shape[1])

    data, labels = Node(X, name="X"), Node(Y, name="Y")
    weights = Node(w0.copy(), name="w", requires_grad=True)
    bias = Node(b0, name="b", requires_grad=True)
    losses = np.empty(iterations)
    checks = []
    rising = _RisingLossWatch(alpha)
    recording = _empty_recording(X, Y, iterations) if record else None
    # Overflow is checked explicitly below (and reported with the iteration), so numpy's own
    # warnings would only repeat it less clearly.
    done = (0, weights.value, bias.value)  # (updates done, w and b after them), set at once
    with np.errstate(over="ignore", invalid="ignore"), contextlib.suppress(KeyboardInterrupt):
        step = _compiled_loss(data, labels, loss) if compiled else None
        for it in range(1, iterations + 1):
            if step is None:
                z = logits(data, weights, bias)
                _stop_if_diverged(it, alpha, z.value, "the logits z = X @ w + b", X)
                loss_node = loss_of_logits(z, labels, loss)["L"]
                value = float(loss_node.value)
                _stop_if_diverged(it, alpha, value, "the loss", X)
                loss_node.backward()
            else:  # (an infinite z can give a finite loss, its limit: the weights are checked)
                _stop_if_diverged(it, alpha, weights.value, "the weights w", X)
                value, (weights.grad, bias.grad) = step(weights, bias)
                value = float(value)
                _stop_if_diverged(it, alpha, value, "the loss (or the logits z = X @ w + b)", X)
            losses[it - 1] = value
            rising.see(it, value)
            if it == 1 or it == iterations:
                checks.append((it, _gap_to_closed_form(X, Y, weights, bias)))
            if recording is not None:
                _record(recording, it - 1, weights, bias)
            weights.value = weights.value - alpha * weights.grad
            bias.value = bias.value - alpha * bias.grad
            weights.grad = bias.grad = None
            done = (it, weights.value, bias.value)
            if on_iteration is not None:
                on_iteration(it, value)
    completed, w_done, b_done = done  # fewer than asked for: Ctrl-C stopped the loop
    return History(
        losses=losses[:completed],
        w=w_done,
        b=float(b_done),
        alpha=float(alpha),
        loss_kind=loss,
        gradient_checks=tuple(check for check in checks if check[0] <= completed),
        interrupted=completed < iterations,
        recording=None if recording is None else _first_rows(recording, completed),
    )


def _empty_recording(X: np.ndarray, Y: np.ndarray, iterations: int) -> Recording:
    n = X.shape[1]
    return Recording(w=np.empty((iterations, n)), b=np.empty(iterations),
                     dw=np.empty((iterations, n)), db=np.empty(iterations), X=X, Y=Y)


def _first_rows(recording: Recording, rows: int) -> Recording:
    """The first ``rows`` iterations of a recording (all of them, unless Ctrl-C stopped the run)."""
    w, b, dw, db = (getattr(recording, f)[:rows] for f in ("w", "b", "dw", "db"))
    return replace(recording, w=w, b=b, dw=dw, db=db)


def _record(recording: Recording, row: int, w: Node, b: Node) -> None:
    recording.w[row] = w.value.reshape(-1)
    recording.b[row] = b.value
    recording.dw[row] = w.grad.reshape(-1)
    recording.db[row] = b.grad


def _compiled_loss(data: Node, labels: Node, loss: LossKind):
    """The training loss of (w, b) as generated code (ag.compile); data and labels baked in."""
    from .codegen import compile as compile_step

    def loss_of(w: Node, b: Node) -> Node:
        return loss_of_logits(logits(data, w, b), labels, loss)["L"]

    return compile_step(loss_of)


LARGE_FEATURE = 1e6  # features beyond this in size: divergence is told to be theirs, too


def _stop_if_diverged(iteration: int, alpha: float, values, what: str, X=None) -> None:
    """A TrainingDivergedError naming the iteration and what became NaN or infinite, with the
    likely cause: features too large for any alpha (``X``, when given), the starting parameters
    (at iteration 1 no step has been taken, so alpha cannot be the cause), or else alpha."""
    if np.all(np.isfinite(values)):
        return
    largest = 0.0 if X is None else float(np.max(np.abs(X), initial=0.0))
    if largest > LARGE_FEATURE:
        advice = (f"the features are very large (up to {largest:.3g} in size), so that no alpha "
                  "may do: scale each to about 1 first ((x - mean) / std), then train")
    elif iteration == 1:
        advice = ("that is before any step, at the starting parameters: they are too large for "
                  "these features; start from smaller ones (the default start does)")
    else:
        advice = f"alpha = {alpha:g} is too large, try a smaller alpha such as {alpha / 10:g}"
    raise TrainingDivergedError(
        f"training diverged at iteration {iteration}: {what} became NaN or infinite; {advice}"
    )


def _gap_to_closed_form(X: np.ndarray, Y: np.ndarray, w: Node, b: Node) -> float:
    """Largest |autodiff - closed form| over the elements of dw and db."""
    closed = closed_form_grads(X, Y, w, b)
    return float(max(np.max(np.abs(w.grad - closed.dw)), abs(float(b.grad) - closed.db)))


# -- the lesson's summary table: autodiff vs closed form vs finite differences --------------------
@dataclass(frozen=True)
class GradientRow:
    """One gradient three ways. ``formula`` is the lesson's closed form for it."""

    name: str
    formula: str
    autodiff: np.ndarray
    closed_form: np.ndarray
    finite_difference: np.ndarray

    @property
    def largest_difference(self) -> float:
        """The largest gap between any two of the three, over all elements: absolute for
        values up to 1 in size, relative beyond (dL/da is huge where sigmoid saturates). Equal
        infinities agree; a finite difference that could not be computed (NaN) is left out."""
        a, c, f = (np.asarray(v, dtype=np.float64) for v in (self.autodiff, self.closed_form,
                                                              self.finite_difference))
        known = ~np.isnan(f)
        gaps = [_gap(a, c), _gap(a, f)[known], _gap(c, f)[known]]
        return float(max(np.max(g, initial=0.0) for g in gaps))


def _gap(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """|u - v| / max(1, |u|, |v|): 0 where they are equal (inf - inf would be NaN), NaN where
    either is NaN."""
    with np.errstate(invalid="ignore"):
        scale = np.maximum(1.0, np.maximum(np.abs(u), np.abs(v)))
        return np.where(u == v, 0.0, np.abs(u - v) / scale)


@dataclass(frozen=True)
class GradientTable:
    """The lesson's summary of derivatives, each computed by autodiff, by its closed form and by
    central finite differences. Prints as a table."""

    title: str
    rows: tuple[GradientRow, ...]

    def __getitem__(self, name: str) -> GradientRow:
        for row in self.rows:
            if row.name == name:
                return row
        raise KeyError(f"no gradient {name!r}; the table has {[r.name for r in self.rows]}")

    @property
    def largest_difference(self) -> float:
        return max(row.largest_difference for row in self.rows)

    HEADER = ("grad", "formula", "autodiff", "closed form", "finite diff", "largest diff")

    def cells(self) -> list[tuple[str, ...]]:
        """One row of text per gradient, in the columns of HEADER."""
        return [
            (
                row.name,
                row.formula,
                _format_values(row.autodiff),
                _format_values(row.closed_form),
                _format_values(row.finite_difference),
                f"{row.largest_difference:.1e}",
            )
            for row in self.rows
        ]

    def __str__(self) -> str:
        lines = [self.HEADER, *self.cells()]
        widths = [max(len(line[i]) for line in lines) for i in range(len(self.HEADER))]
        as_text = [
            "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
            for line in lines
        ]
        rule = "  ".join("-" * w for w in widths)
        notes = []
        if any(np.isnan(row.finite_difference).any() for row in self.rows):
            notes += ["(finite diff nan: no difference could be taken there, the step being",
                      "lost to rounding or the loss not finite; largest diff then compares",
                      "autodiff with the closed form only)"]
        return "\n".join([self.title, as_text[0], rule, *as_text[1:], *notes])

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        from .tables import html_table

        return html_table(self.title, self.HEADER, self.cells())


def _format_values(values: np.ndarray) -> str:
    flat = np.ravel(values)
    if flat.size == 1:
        return _format_number(flat[0], 9)
    shown = ", ".join(_format_number(v, 6) for v in flat[:2])
    return f"[{shown}{', ...' if flat.size > 2 else ''}]"


def _format_number(value: float, digits: int) -> str:
    """Fixed point, or with an exponent once that would print more than 10 digits before it."""
    value = float(value) + 0.0  # -0.0 + 0.0 is +0.0: x * dz = 0 * (-0.5) prints as 0, as a - y
    return f"{value:.{digits}e}" if abs(value) >= 1e10 else f"{value:.{digits}f}"


def compare(x: ArrayLike, y: ArrayLike, w: ArrayLike, b: float, eps: float = 1e-6) -> GradientTable:
    """The lesson's summary table, for one example (x of shape (n,)) or a batch (X of (m, n)).

    One example: da, dz, dw1..dwn and db of L, with the lesson's formulas (lesson_graph).
    A batch: the same for the mean loss over m rows (vectorised_graph, the lesson loss form).
    """
    if np.ndim(_values(x)) == 2:
        return _compare_batch(x, y, w, b, eps)
    return _compare_single(x, y, w, b, eps)


def _compare_single(x, y, w, b, eps: float) -> GradientTable:
    nodes = lesson_graph(x, y, w, b)
    nodes["L"].backward()
    xs, ws, y, b = _values(x).reshape(-1), _values(w).reshape(-1), float(y), float(b)
    # the closed form for m = 1: dz = a - y, dw_i = x_i dz, db = dz
    closed = closed_form_grads(xs.reshape(1, -1), [[y]], ws, b)
    z = float(nodes["z"].value)

    def loss_of_z(zv):
        # L evaluated stably from z: through a = sigmoid(z), 1 - a loses digits when a is
        # near 1 (and is 0 once a rounds to 1), and finite differences would magnify that.
        return binary_cross_entropy_with_logits(zv, y).value

    rows = [
        GradientRow(
            "da",
            "-y/a + (1-y)/(1-a)",
            nodes["a"].grad,
            _lesson_da(np.asarray(z), np.asarray(y)),
            _numeric_da(np.asarray(z), np.asarray(y), eps),
        ),
        GradientRow(
            "dz",
            "a - y",
            nodes["z"].grad,
            closed.dz.reshape(()),
            finite_difference(loss_of_z, z, eps),
        ),
    ]
    dw_numeric = finite_difference(lambda wv: loss_of_z(xs @ wv + b), ws, eps)
    for i in range(xs.size):
        rows.append(
            GradientRow(
                f"dw{i + 1}",
                f"x{i + 1} * (a - y)",
                nodes[f"w{i + 1}"].grad,
                closed.dw[i].reshape(()),
                dw_numeric[i],
            )
        )
    rows.append(
        GradientRow(
            "db",
            "a - y",
            nodes["b"].grad,
            np.asarray(closed.db),
            finite_difference(lambda bv: loss_of_z(xs @ ws + bv), b, eps),
        )
    )
    title = f"One example (n = {xs.size}): L = -(y log a + (1-y) log(1-a))"
    return GradientTable(title, tuple(rows))


def _compare_batch(X, Y, w, b, eps: float) -> GradientTable:
    X, Y = check_data(X, Y)
    w, b = check_parameters(w, b, X.shape[1])
    m = X.shape[0]
    nodes = vectorised_graph(X, Y, w, b, "lesson")
    nodes["L"].backward()
    closed = closed_form_grads(X, Y, w, b)
    z = nodes["Z"].value

    def loss_of_z(zv):  # the same L, stably from z (see _compare_single)
        return binary_cross_entropy_with_logits(zv, Y).value

    rows = (
        GradientRow(
            "da",
            "(-y/a + (1-y)/(1-a)) / m",
            nodes["A"].grad,
            _lesson_da(z, Y) / m,
            _numeric_da(z, Y, eps) / m,
        ),
        GradientRow(
            "dz",
            "(a - y) / m",
            nodes["Z"].grad,
            closed.dz / m,
            finite_difference(loss_of_z, nodes["Z"].value, eps),
        ),
        GradientRow(
            "dw",
            "X^T (a - y) / m",
            nodes["w"].grad,
            closed.dw,
            finite_difference(lambda wv: loss_of_z(X @ wv + b), w, eps),
        ),
        GradientRow(
            "db",
            "mean(a - y)",
            nodes["b"].grad,
            np.asarray(closed.db),
            finite_difference(lambda bv: loss_of_z(X @ w + bv), b, eps),
        ),
    )
    title = f"{m} examples, {X.shape[1]} features: L = mean over m of -(y log a + (1-y) log(1-a))"
    return GradientTable(title, rows)


def _lesson_da(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The lesson's da = -y/a + (1-y)/(1-a), with a = sigmoid(z) and 1 - a = sigmoid(-z) each
    from z (1 - a from a rounded to 1 would be 0). Where sigmoid saturates it is huge, or inf
    once it overflows; a term whose label factor is 0 is 0. (Written out here, apart from the
    engine's own code, since it is the check.)"""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        a, one_minus_a = 1.0 / (1.0 + np.exp(-z)), 1.0 / (1.0 + np.exp(z))
        return np.where(y == 0, 0.0, -y / a) + np.where(y == 1, 0.0, (1.0 - y) / one_minus_a)


def _numeric_da(z: np.ndarray, y: np.ndarray, eps: float) -> np.ndarray:
    """Each example's dl/da by central differences, as (dl/dz) / (da/dz), both stepped in z.

    a itself cannot be stepped where it rounds to 0 or 1, so the step is taken in z, elementwise
    (each example's own loss l, not the mean, whose rounding would swamp a tiny slope), and
    da/dz is the difference of sigmoid's smaller side (a where z < 0, a - 1 = -sigmoid(-z)
    where z >= 0), which keeps its digits. NaN where both underflow (|z| > ~745, a = y).
    """
    z = np.asarray(z, dtype=np.float64)
    up, down = z + eps, z - eps
    upper = z >= 0  # which side each element takes, chosen at z, not at z +- eps
    with no_grad(), np.errstate(over="ignore", divide="ignore", invalid="ignore"):

        def loss(zv):
            return binary_cross_entropy_with_logits(zv, y, reduction="none").value

        def side_of_a(zv):
            return np.where(upper, -1.0 / (1.0 + np.exp(zv)), 1.0 / (1.0 + np.exp(-zv)))

        return (loss(up) - loss(down)) / (side_of_a(up) - side_of_a(down))
