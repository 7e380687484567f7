"""The lesson's identities: where the chain rule through two ops simplifies, in one table.

The lesson's key formula is one of them: sigmoid followed by binary cross-entropy gives
``dz = da * a(1-a) = a - y``. The pictures (viz), the generated code (codegen) and the loss
itself (losses.py, to stay exact where sigmoid saturates) all read this table, so a
simplification is written once.

An entry names the ``inner`` op (None for a fused op that is its own pair) and the ``outer`` op
whose first input is the inner op's output. Its texts use the lesson's letters as placeholders:
``{z}`` the inner op's input, ``{a}`` its output (the outer op's first input), ``{y}`` the
outer op's second input (the label), ``{da}`` the gradient arriving at ``{a}``.

- ``chain``: the chain rule as the lesson writes it before simplifying (``{da} * {a}(1-{a})``);
- ``result``: the simplified gradient of one element's loss with respect to ``{z}``
  (``{a} - {y}``); a reduction's 1/m comes on top, as for any loss;
- ``source``: ``result`` as a Python expression for codegen (numpy and Python floats alike);
- ``gradient(z, y)``: ``result`` computed from the values, exactly (it never forms 1 - a);
  ``gradient(z, y, a)`` takes ``{a}`` as the inner op computed it instead of computing it again.
- ``loss_source``: the outer op's loss of one element as a Python expression of ``{z}`` and
  ``{y}`` that stays exact however large |z| (codegen; its helpers are in codegen/helpers.py).
- ``limits_source``: the same where the formula is not finite, as ``{op}`` does it eagerly: an
  infinite z's limit (the formula's inf * 0 would be NaN), a NaN z an error; generated code
  runs it only where ``loss_source`` gave inf or NaN (a test of the reduced loss, no pass).

The loss uses the table through ``inner_op`` below, the one place where an op looks at the graph
that made its input: ``binary_cross_entropy(a, y)`` asks it whether a was computed by sigmoid,
and if so computes its value and gradients from the sigmoid's z (see BinaryCrossEntropy).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .softmax import stable_softmax


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-z) for any z, without overflow: e^-|z| <= 1 is the only exponential."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def _a_minus_y(z, y, a=None):
    """sigmoid(z) - y from z; ``a``, when given, is sigmoid(z) as the sigmoid op computed it
    (the same formula, so the same bits), and is not computed again."""
    return (_sigmoid(z) if a is None else a) - y


@dataclass(frozen=True)
class Identity:
    """d(outer)/d(z) through ``inner`` then ``outer``, simplified (see the module docstring)."""

    inner: str | None
    outer: str
    chain: str
    result: str
    source: str
    gradient: Callable[..., np.ndarray]
    why: str
    loss_source: str = ""
    limits_source: str = ""

    def text(self, template: str, **names: str) -> str:
        """One of this entry's texts with the graph's names filled in (z, a, y, da by default)."""
        filled = {"z": "z", "a": "a", "y": "y", "da": "da"} | names
        return template.format(**filled)


IDENTITIES: tuple[Identity, ...] = (
    Identity(
        inner="sigmoid",
        outer="binary_cross_entropy",
        chain="{da} * {a}(1-{a})",
        result="{a} - {y}",
        source="{a} - {y}",
        gradient=_a_minus_y,
        why="da = -y/a + (1-y)/(1-a) and da/dz = a(1-a): their product is -y(1-a) + (1-y)a = a - y",
        loss_source="bce_logits({z}, {y})",
        limits_source='bce_limits({z}, {y}, "{op}")',
    ),
    Identity(
        inner=None,
        outer="binary_cross_entropy_with_logits",
        chain="sigmoid({z}) - {y}",
        result="{a} - {y}",
        source="{a} - {y}",
        gradient=_a_minus_y,
        why="the fused loss of a = sigmoid(z) differentiates straight to a - y",
        loss_source="bce_logits({z}, {y})",
        limits_source='bce_limits({z}, {y}, "{op}")',
    ),
    Identity(
        inner=None,
        outer="cross_entropy",
        chain="softmax({z}) - {y}",
        result="{a} - {y}",
        source="{a} - {y}",
        gradient=lambda z, y, a=None: (stable_softmax(z, axis=-1) if a is None else a) - y,
        why="L = -sum_k y_k log a_k with a = softmax(z) and sum_k y_k = 1: dL/dz_j = a_j - y_j",
        limits_source='ce_limits({z}, {y}, "{op}")',
    ),
)

_BY_PAIR = {(entry.inner, entry.outer): entry for entry in IDENTITIES}


def named(inner: str | None, outer: str) -> Identity | None:
    """The table's entry for the engine's ops named ``inner`` then ``outer``, or None."""
    return _BY_PAIR.get((inner, outer))


def find(inner: Any, outer: Any) -> Identity | None:
    """The identity for op ``inner`` (None for a fused op, its own pair) followed by op
    ``outer``, or None. Only the engine's own ops count: a user's Op named "sigmoid" computes
    whatever its forward says, so no identity of the engine's sigmoid holds for it."""
    if not is_engine_op(outer) or (inner is not None and not is_engine_op(inner)):
        return None
    return named(None if inner is None else inner.name, outer.name)


def inner_op(node: Any, outer: Any) -> tuple[Identity, Any] | None:
    """(the identity, the op that computed ``node``) when ``node``, about to be the first input of
    op ``outer``, was computed by that identity's inner op; else None. A graph recorded inside
    no_grad() has no ops, so nothing is recognised there; nor is a node changed in place since
    (``a += 0.4``: the op's saved z is no longer a's)."""
    op = node.op
    if op is None or getattr(node, "_version", 0):  # (version's cheap form: this runs per loss)
        return None
    entry = find(op, outer)
    return None if entry is None else (entry, op)


def is_engine_op(op: Any, name: str | None = None) -> bool:
    """Whether ``op`` is one of the engine's own ops (named ``name``, when given): what an op
    does is known from its name only for these (a subclass of the user's is the user's op)."""
    engine = type(op).__module__.startswith(__package__)
    return engine and (name is None or op.name == name)
