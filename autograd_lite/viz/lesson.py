"""The lesson's graph: recognise it, and set autodiff's gradients beside the closed form."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..logistic import _lesson_da  # the CLI table's da: exact where a rounds to 0 or 1
from ..node import Node
from ..ops.identities import is_engine_op


@dataclass(frozen=True)
class Check:
    """One row of the comparison: ``dw1`` by backward() and by the lesson's ``x1*(a - y)``."""

    grad_name: str
    node: Node  # whose .grad autodiff computed
    formula: str
    closed_form: float

    def agrees(self, autodiff: np.ndarray) -> bool:
        return bool(np.allclose(autodiff, self.closed_form, rtol=1e-6, atol=1e-9))


def lesson_checks(root: Node) -> list[Check] | None:
    """The closed-form rows when ``root`` is the lesson's graph, else None.

    The lesson's graph (as ``logistic.lesson_graph`` builds it): ``L`` = binary_cross_entropy
    of ``a`` = sigmoid(``z``) and a label, with ``z`` a sum of parameter*data products and
    parameters, all single numbers. It is recognised by those names and that shape.
    """
    if root.name != "L" or root.op is None or root.op.name != "binary_cross_entropy":
        return None
    a, y = root.parents
    if a.name != "a" or a.op is None or a.op.name != "sigmoid" or a.parents[0].name != "z":
        return None
    z = a.parents[0]
    terms = _sum_terms(z)
    if terms is None or any(n.size != 1 for n in (root, a, y, z)):
        return None
    av, yv = float(a.value), float(y.value)
    y_text = y.name or format(yv, "g")
    dz = av - yv
    da = float(_lesson_da(np.asarray(z.value, dtype=np.float64), np.asarray(yv)))
    rows = [
        Check("da", a, f"-{y_text}/a + (1-{y_text})/(1-a)", da),
        Check("dz", z, f"a - {y_text}", dz),
    ]
    for param, data in terms:
        if data is None:
            rows.append(Check(f"d{param.name}", param, f"a - {y_text}", dz))
        else:
            formula = f"{data.name}*(a - {y_text})"
            rows.append(Check(f"d{param.name}", param, formula, float(data.value) * dz))
    return rows


def _sum_terms(z: Node) -> list[tuple[Node, Node | None]] | None:
    """``z`` as a sum of ``w*x`` (parameter, data) and ``b`` (parameter, None) terms, or None."""
    terms, stack = [], [z]
    while stack:
        node = stack.pop()
        if is_engine_op(node.op, "add") and (node is z or node.name is None):
            stack.extend(reversed(node.parents))
        elif is_engine_op(node.op, "mul"):
            param, data = node.parents
            if data.requires_grad:
                param, data = data, param
            if not (_is_leaf(param, True) and _is_leaf(data, False)):
                return None
            terms.append((param, data))
        elif _is_leaf(node, True):
            terms.append((node, None))
        else:
            return None
    return terms if terms else None


def _is_leaf(node: Node, parameter: bool) -> bool:
    named = node.name is not None and node.op is None and node.size == 1
    return named and node.requires_grad == parameter


def course_notes(root: Node) -> dict[int, str]:
    """id(node) -> a line for its gradient box: the course's m-example formulas, when ``root``
    is the mean loss of ``Z = X @ w + b`` (``logistic.vectorised_graph``); else nothing.

    The course writes dZ = A - Y, dw = X^T dZ / m, db = mean(dZ): its dZ leaves out the 1/m
    of the mean, which the engine's dL/dZ holds. Both are shown, so neither misleads.
    """
    if root.op is None or root.size != 1 or getattr(root.op, "divisor", 1) == 1:
        return {}
    first, labels = root.parents
    if is_engine_op(root.op, "binary_cross_entropy") and is_engine_op(first.op, "sigmoid"):
        a_text, z = first.name or "sigmoid(Z)", first.parents[0]
    elif is_engine_op(root.op, "binary_cross_entropy_with_logits"):
        a_text, z = f"sigmoid({first.name or 'Z'})", first
    else:
        return {}
    if not is_engine_op(z.op, "add") or not is_engine_op(z.parents[0].op, "matmul"):
        return {}
    (X, w), b = z.parents[0].parents, z.parents[1]
    names = [n.name for n in (z, X, w, b, labels)]
    if any(name is None for name in names):
        return {}
    z_name, x_name, w_name, b_name, y_name = names
    dz = f"d{z_name}"
    return {
        id(z): f"course: {dz} = {a_text} - {y_name}, so dL/{dz} = {dz}/m",
        id(w): f"course: d{w_name} = {x_name}^T {dz} / m",
        id(b): f"course: d{b_name} = mean({dz})",
    }
