"""Recorded graph -> the source of one Python function: the forward statements, then the backward.

One statement per op, each value named after its node (z, a, L; t1, t2 when unnamed) and each
gradient after its node (dz, dw1). Every statement comes from the op's source templates (see
the Op docstring in op.py); where two ops meet in one of the lesson's identities
(ops/identities.py), the simplified form is written instead (``dz = a - y``). Broadcasting is
undone here, from the shapes the trace recorded, with a ``.sum(...)`` only where one is needed.
"""

from __future__ import annotations

import ast
import copy
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import node as _node
from ..node import Node
from ..op import unbroadcast
from ..ops import identities
from . import helpers
from .names import Namer, closes_at_end, is_atom, is_call, literal, one_line, wrap

SEED = "1.0"  # dL/dL for a loss of one number: dropped from the products it would start
COMMENTED_OPS = 10_000  # a larger graph (a deep chain) gets no comments: faster to generate
MAX_OPS = 250_000  # a larger graph is refused: Python's compile() of it takes tens of seconds


@dataclass
class Generated:
    """What ``generate`` wrote: the source and what running it needs."""

    name: str  # the function's name
    source: str  # imports, helpers, the function: the text that is compiled
    inputs: tuple[str, ...]  # its parameters, in the order the leaves were made
    input_nodes: tuple[Node, ...]
    grads_of: tuple[str, ...]  # the inputs whose gradients it returns
    scalar: bool  # a graph of single float64 numbers: Python floats and math
    objects: dict[str, Any] = field(default_factory=dict)  # array constants, users' ops
    constants: dict[str, np.ndarray] = field(default_factory=dict)  # the array constants alone
    body: list[str] = field(default_factory=list)  # the function's statements, indented
    # a scalar graph's program in numpy instead of Python floats, for where Python's math raises
    # (None where it cannot: no division, power or math function in the program)
    numpy_form: Generated | None = None


# What may raise in Python floats where numpy gives inf or nan: a division, a power, math's
# functions (math.log(0), math.exp(1000))
_MAY_RAISE = re.compile(r"/|\*\*|math\.")


def _may_raise(code: str) -> bool:
    return any(_MAY_RAISE.search(line.split("#", 1)[0]) for line in code.splitlines())


def generate(
    root: Node,
    name: str = "forward_backward",
    inputs: Sequence[Node] | None = None,
    floats: bool = True,
) -> Generated:
    """The source of ``name(**inputs) -> (value of root, {input: gradient})`` (see _Writer).
    A graph of single float64 numbers computes in Python floats and math unless ``floats`` is
    False (then in numpy, as on arrays)."""
    return _Writer(root, name, inputs, floats).write()


def _templates_describe_forward(op: Any) -> bool:
    """Whether ``op``'s source templates are those of its forward and backward: an engine op's
    are, and a user's own templates; not those a user's subclass of an engine op (of Sigmoid,
    say) inherits while overriding forward or backward, which describe the engine op's maths."""
    if identities.is_engine_op(op):
        return True

    def by_engine(attribute: str) -> bool:  # defined by one of the engine's classes
        owner = next(cls for cls in type(op).__mro__ if attribute in cls.__dict__)
        return owner.__module__.startswith(identities.__package__)

    return not by_engine("source") or by_engine("forward") and by_engine("backward")


def _refuse_changed_in_place(nodes: list[Node]) -> None:
    """The program recomputes every value from the inputs, so a node changed in place after an
    op used it (``a += 0.1`` after ``a = sigmoid(z)``) would be computed as it was, not as it
    is: refused, as backward() refuses it."""
    for n in nodes:
        if n.op is not None and n.number < _node._last_change:  # (only after some change)
            _node._check_versions(n, "codegen: the code of", "record the graph again")


class _Writer:
    def __init__(self, root: Node, name: str, inputs: Sequence[Node] | None, floats: bool = True):
        if not isinstance(root, Node):
            raise TypeError(f"codegen: expected the Node of a recorded graph, got {type(root)}")
        self.root = root
        self.nodes = sorted(root.walk(), key=lambda n: n.number)  # forward order
        _refuse_changed_in_place(self.nodes)
        ops = sum(1 for n in self.nodes if n.op is not None)
        if ops > MAX_OPS:
            raise ValueError(
                f"codegen: the graph has {ops:,} ops, more than the {MAX_OPS:,} one generated "
                "function may hold (Python's compile() would take minutes); use the eager engine"
            )
        self.comments = ops <= COMMENTED_OPS
        self.scalar = floats and all(type(n.value) is np.float64 for n in self.nodes)
        self.given_inputs = inputs
        self.float64 = all(n.dtype == np.float64 for n in self.nodes)  # (see _deferred_divisor)
        self.lib = "math" if self.scalar else "np"
        self.namer = Namer()
        self.function = self.namer.fresh(name)
        self.given = None if inputs is None else {id(n) for n in inputs}
        self.users: dict[Node, list[tuple[Node, int]]] = {n: [] for n in self.nodes}
        for n in self.nodes:
            for i, p in enumerate(n.parents):
                self.users[p].append((n, i))
        self.atom: dict[Node, str] = {}  # node -> its value's name or literal
        self.grad: dict[Node, str] = {}  # node -> its gradient's name (or the name it aliases)
        # node -> m where its gradient variable holds m dL/d(node): a mean loss's 1/m, which is
        # taken where the gradients reach the inputs, as the course writes dW = X^T dZ / m
        self.scale: dict[Node, int] = {}
        self.pending: dict[Node, int] = {}  # node -> gradient contributions still to come
        self.objects: dict[str, Any] = {}
        self.constants: dict[str, np.ndarray] = {}
        self.inputs: list[Node] = []
        self.skipped: set[Node] = set()  # a sigmoid whose gradient an identity skips
        self.identity: dict[Node, tuple[identities.Identity, Node]] = {}  # loss -> (entry, z)
        # a loss of a sigmoid that other nodes use too -> (entry, z): the sigmoid is computed,
        # and the loss and its dL/da are computed from z, as eager's are (exact where a rounds)
        self.of_logits: dict[Node, tuple[identities.Identity, Node]] = {}
        self.custom: dict[Node, str] = {}  # a user's op node -> the name of its op object
        # node -> the value whose gradient it passes on unchanged (t1 -> z, through t1 + t2 + b):
        # the comments differentiate that value, as the lesson writes dz/dw1 rather than dt1/dw1
        self.origin: dict[Node, Node] = {}

    # -- the whole function -----------------------------------------------------------------
    def write(self) -> Generated:
        for n in self.nodes:
            if n.op is None:
                self._name_leaf(n)
        self._find_identities()
        forward = [self._forward(n) for n in self.nodes if n.op is not None]
        backward, leaf_lines = self._backward()
        grads_of = [n for n in self.inputs if n.requires_grad]
        items = [f'"{self.atom[n]}": {self.grad_of_leaf(n)}' for n in grads_of]
        returned = ", ".join(items)
        params = ", ".join(self.atom[n] for n in self.inputs)
        top = self.atom[self.root]
        statements = forward
        if backward or leaf_lines:
            statements += [f"# backward: d{top}/d(each value), from {top} back to the inputs"]
            statements += backward + leaf_lines
        result = f"return {top}, {{{returned}}}"
        if len(result) > 90:  # one gradient a line
            lines = "".join(f"\n    {item}," for item in items)
            result = f"return {top}, {{{lines}\n}}"
        statements.append(result)
        body = ["    " + line for text in statements for line in text.split("\n")]
        function = "\n".join([f"def {self.function}({params}):", *body]) + "\n"
        used = helpers.used_by(function, self.scalar)
        code = function + used
        modules = (("math.", "import math"), ("np.", "import numpy as np"))
        imports = [line for module, line in modules if module in code]
        notes = [
            f"# {k}: constant of shape {v.shape}, {v.dtype} (program.constants[{k!r}])"
            for k, v in self.constants.items()
        ]
        parts = ["\n\n".join(imports) + "\n"] if imports else []
        if used:
            parts.append(used)
        if notes:
            parts.append("\n".join(notes) + "\n")
        parts.append(function)
        source = "\n\n".join(parts)
        return Generated(
            name=self.function,
            source=source,
            inputs=tuple(self.atom[n] for n in self.inputs),
            input_nodes=tuple(self.inputs),
            grads_of=tuple(self.atom[n] for n in grads_of),
            scalar=self.scalar,
            objects=self.objects,
            constants=self.constants,
            body=body,
            numpy_form=self._numpy_form() if self.scalar and _may_raise(code) else None,
        )

    def grad_of_leaf(self, leaf: Node) -> str:
        if leaf is self.root:
            return SEED if self.scalar else f"np.ones({leaf.shape}, dtype=np.{leaf.dtype})"
        return self.grad[leaf]

    # -- names ------------------------------------------------------------------------------
    def _name_leaf(self, n: Node) -> None:
        is_input = (n.name is not None or n.requires_grad) if self.given is None else (
            id(n) in self.given
        )
        if self.given is not None and not is_input and n.requires_grad:
            raise ValueError(
                f"compile: the function uses the Node {n.name or n!r}, which requires a "
                "gradient but is not one of its arguments; pass it as an argument"
            )
        if is_input:
            self.atom[n] = self.namer.fresh(n.name or "leaf")
            self.inputs.append(n)
        elif np.ndim(n.value) == 0 and n.dtype == np.float64 and self._float64_users(n):
            self.atom[n] = literal(n.value, self.scalar)
        else:
            self.atom[n] = key = self.namer.numbered("c")
            self.objects[key] = self.constants[key] = n.value

    def _float64_users(self, n: Node) -> bool:
        """A float64 constant may be a literal where numpy would not let it widen a float32:
        where every op using it has only float64 inputs (a user's float64 output may be the
        constant's own doing, x32 * 0.1 as a 0-d float64 array, which a literal would not do)."""
        return all(
            user.dtype == np.float64 and all(p.dtype == np.float64 for p in user.parents)
            for user, _ in self.users[n]
        )

    def _name(self, n: Node) -> str:
        if n not in self.atom:
            self.atom[n] = self.namer.fresh(n.name) if n.name else self.namer.numbered("t")
        return self.atom[n]

    def _grad_name(self, n: Node) -> str:
        return self.namer.fresh("d" + self._name(n))

    def _numpy_form(self) -> Generated:
        """The same program in numpy (strings and constants: no reference to the graph)."""
        return _Writer(self.root, self.function, self.given_inputs, floats=False).write()

    # -- identities -------------------------------------------------------------------------
    def _find_identities(self) -> None:
        """A loss whose first input is a sigmoid used by nothing else takes the lesson's form;
        one whose sigmoid has other users too is computed from z all the same (of_logits)."""
        for n in self.nodes:
            if n.op is None or not n.parents:
                continue
            inner = n.parents[0]
            found = identities.inner_op(inner, n.op)  # (the rule eager's loss follows)
            if found is None or not found[0].loss_source:
                continue
            entry = found[0]
            users = self.users[inner]  # (compared by identity: == on Nodes compares values)
            if len(users) == 1 and users[0][0] is n and users[0][1] == 0:
                self.identity[n] = (entry, inner.parents[0])
                self.skipped.add(inner)
            else:
                self.of_logits[n] = (entry, inner.parents[0])

    # -- forward ----------------------------------------------------------------------------
    def _forward(self, n: Node) -> str:
        check = self._label_check(n)
        return f"{check}\n{self._statement(n)}" if check else self._statement(n)

    def _label_check(self, n: Node) -> str:
        """A loss's labels outside [0, 1] raise eager's error: checked here unless they are a
        constant (checked once, when the graph was recorded)."""
        index = getattr(n.op, "labels", None)
        if index is None:
            return ""
        label = n.parents[index]
        if label.op is None and not any(label is leaf for leaf in self.inputs):
            return ""
        if np.size(label.value) == 0:
            return ""
        y = self.atom[label]
        if self.scalar:
            test = f"not 0.0 <= {y} <= 1.0"
        else:  # (a NaN fails both comparisons, as in the engine)
            test = f"not ({y}.min() >= 0.0 and {y}.max() <= 1.0)"
        return f'if {test}:\n    raise labels_outside({y}, "{n.op.name}")'

    def _statement(self, n: Node) -> str:
        out = self._name(n)
        op = n.op
        if n in self.identity or n in self.of_logits:
            entry, z = self.identity.get(n) or self.of_logits[n]
            text = self._reduce(n, entry.loss_source.format(**self._loss_names(n, z)))
            return f"{out} = {text}{self._where_not_finite(n, entry, z)}"
        template = self._template(op, "source")
        if template is None:
            return f"{out} = {self._custom_forward(n)}"
        text = self._fill(template, n, g=None)
        if getattr(op, "reduction", None) is None:
            return f"{out} = {text}"
        fused = identities.find(None, op)  # a fused loss, its own pair (z its first input)
        return f"{out} = {self._reduce(n, text)}{self._where_not_finite(n, fused, n.parents[0])}"

    def _where_not_finite(self, n: Node, entry: identities.Identity | None, z: Node) -> str:
        """The lines after a loss that redo it by the identity's limits_source where it is inf
        or NaN (an infinite z's limit, a NaN z's error); "" for a loss that has none. The test
        is of the reduced loss, one number: inf and NaN fail |x| < inf, with no pass over z."""
        if entry is None or not entry.limits_source:
            return ""
        out = self._name(n)
        total = f"{out}.sum()" if n.op.reduction == "none" and not self.scalar else out
        limits = entry.limits_source.format(**self._loss_names(n, z), op=n.op.name)
        inf = "math.inf" if self.scalar else "np.inf"
        return f"\nif not abs({total}) < {inf}:  # an infinite or NaN z\n" \
            f"    {out} = {self._reduce(n, limits)}"

    def _loss_names(self, n: Node, z: Node) -> dict[str, str]:
        """The names of a loss's logits z and its labels y, for an identity's texts."""
        return {"z": self.atom[z], "y": self.atom[n.parents[1]]}

    def _reduce(self, n: Node, per_element: str) -> str:
        reduction = n.op.reduction
        if reduction == "none" or self.scalar:  # (one number is its own mean and sum)
            return per_element
        total = f"{per_element if is_call(per_element) else wrap(per_element)}.sum()"
        # np.mean's value, without its Python-level wrapper (as the loss's reduce computes it)
        return total if reduction == "sum" else f"{total} / {n.op.divisor}"

    def _custom_forward(self, n: Node) -> str:
        """A user's op without templates: its own forward, on a copy of the traced op object."""
        op = copy.copy(n.op)
        key = self.namer.fresh(op.name + "_op")
        self.objects[key] = op
        self.custom[n] = key
        args = ", ".join(
            f"np.float64({self.atom[p]})" if self.scalar else self.atom[p] for p in n.parents
        )
        return f"{key}.forward({args})"

    # -- backward ---------------------------------------------------------------------------
    def _backward(self) -> tuple[list[str], list[str]]:
        root = self.root
        if not root.requires_grad or root.op is None:
            return [], []
        for n in self.nodes:
            if n.requires_grad and n is not root:
                self.pending[n] = len(self.users[n])
        lines: list[str] = []
        leaf_lines: dict[Node, list[str]] = {}
        if self.scalar or type(root.value) is not np.ndarray and root.dtype == np.float64:
            self.grad[root] = SEED
        else:  # dL/dL = 1 in L's shape and dtype, as backward() seeds it
            self.grad[root] = name = self._grad_name(root)
            lines.append(f"{name} = np.ones({root.shape}, dtype=np.{root.dtype})")
        for n in reversed(self.nodes):
            if n.op is None or not n.requires_grad or n in self.skipped:
                continue
            for parent, expr, comment, scale in self._contributions(n, lines):
                target = leaf_lines.setdefault(parent, []) if parent.op is None else lines
                self._add(parent, expr, comment, target, n, scale)
        leaves = [line for leaf in self.inputs for line in leaf_lines.get(leaf, [])]
        return lines, leaves

    def _contributions(self, n: Node, lines: list[str]):
        """(parent, m dL/d(parent) from this op, comment, m) for each input that needs a
        gradient (m = 1 but below a mean loss: see self.scale)."""
        g = self.grad[n]
        op = n.op
        scale = self.scale.get(n, 1)
        deferred = self._deferred_divisor(n)
        if n in self.identity or n in self.of_logits:
            yield from self._loss_of_logits(n, g, scale, deferred)
            return
        templates = self._template(op, "grad_sources")
        if templates is None:
            yield from self._custom_backward(n, _divided_by(g, scale), lines)
            return
        for i, parent in enumerate(n.parents):
            if not parent.requires_grad:
                continue
            filled = self._fill(templates[i], n, g=g)
            if getattr(op, "reduction", None) is not None and deferred == 1:
                filled = self._divided(n, filled)
            comment = ""
            if self.comments:
                names = [self.atom[p] for p in n.parents] + ["", ""]
                local = op.local_derivative(i, x=names[0], y=names[1], out=self._name(n))
                # (through to the origin only where this is parent's one use: then it is the
                # whole of d(origin)/d(parent), not one path's share)
                single = len(self.users[parent]) == 1
                of = self._name(self.origin.get(n, n) if single else n)
                local = one_line(local)
                if deferred > 1:  # (a loss's formulas are per element: the mean divides them)
                    local = _divided_by(local, deferred, wrapped=True) + (
                        f"\n# (the gradient below is {deferred} times that: the mean's "
                        f"/ {deferred} is taken at the inputs)"
                    )
                comment = f"d{of}/d{self.atom[parent]} = {local}"
            yield parent, self._fit(filled, n, parent), comment, scale * deferred

    def _loss_of_logits(self, n: Node, g: str, scale: int, deferred: int):
        """A loss of a = sigmoid(z), computed from z as eager's is: dL/dz = a - y where the
        sigmoid is the loss's alone (the lesson's identity: the sigmoid's gradient is skipped),
        dL/da by bce_slope where other nodes use a too (1 - a from z, not rounded to 0 or
        floored at 1e-12), and dL/dy = log(1-a) - log(a) = -z exactly."""
        shared = n in self.of_logits
        entry, z = self.of_logits[n] if shared else self.identity[n]
        a, y = n.parents
        loss = self._name(n)
        names = {"z": self.atom[z], "a": self.atom[a], "y": self.atom[y]}
        names["da"] = f"d{loss}/d{names['a']}"
        if shared and a.requires_grad:
            slope = f"bce_slope({names['z']}, {names['a']}, {names['y']})"
            local = (f"-{names['y']}/{names['a']} + (1-{names['y']})/(1-{names['a']}), with "
                     f"1 - {names['a']} from {names['z']}")
            expr = self._scaled(n, g, slope, deferred)
            comment = f"d{loss}/d{names['a']} = {_divided_by(local, deferred, wrapped=True)}"
            yield a, self._fit(expr, n, a), comment, scale * deferred
        if not shared and z.requires_grad:
            expr = self._scaled(n, g, entry.text(entry.source, **names), deferred)
            chain = entry.text(entry.chain, **names)
            result = _divided_by(entry.text(entry.result, **names), deferred, wrapped=True)
            comment = f"d{loss}/d{names['z']} = {chain} = {result}"
            comment = f"{comment}, {entry.inner} then {n.op.name}"
            if deferred > 1:
                comment += (
                    f"\n# (d{names['z']} below is {deferred} times that, as the course's "
                    f"dZ = A - Y: the / {deferred} is taken at the inputs)"
                )
            yield z, self._fit(expr, n, z), comment, scale * deferred
        if y.requires_grad:  # log(1-a) - log(a) = -z exactly
            expr = self._scaled(n, g, f"-{names['z']}", deferred)
            minus_z = _divided_by(f"-{names['z']}", deferred, wrapped=True)
            comment = f"d{loss}/d{names['y']} = {minus_z}"
            yield y, self._fit(expr, n, y), comment, scale * deferred

    def _custom_backward(self, n: Node, g: str, lines: list[str]):
        key = self.custom[n]
        shapes = tuple((p.shape, p.dtype) for p in n.parents)
        backward = self.namer.fresh(key.removesuffix("_op") + "_backward")
        self.objects[backward] = _custom_gradients(self.objects[key], shapes)
        grads = self.namer.fresh("g_" + self._name(n))
        argument = f"np.float64({g})" if self.scalar else g
        lines.append(f"{grads} = {backward}({argument})  # {n.op.name}.backward")
        for i, parent in enumerate(n.parents):
            if parent.requires_grad:
                yield parent, f"{grads}[{i}]", f"{n.op.name}.backward, input {i}", 1

    def _add(
        self, parent: Node, expr: str, comment: str, lines: list[str], user: Node, scale: int
    ) -> None:
        """Emit (or alias) one contribution to parent's gradient, ``expr`` / ``scale``;
        fan-out ones are summed. An input's gradient is divided by its scale here."""
        self.pending[parent] -= 1
        first = parent not in self.grad
        only = first and self.pending[parent] == 0
        if only and is_atom(expr) and parent.op is not None:  # dt3 = dz: just call it dz
            self.grad[parent] = expr
            self.scale[parent] = scale
            if expr == self.grad[user]:  # d(user)/d(parent) = 1
                self.origin[parent] = self.origin.get(user, user)
            return
        if parent.op is None:  # an input: its gradient is returned, so it is dL/d(input)
            expr, scale = _divided_by(expr, scale), 1
        if first:
            self.grad[parent] = name = self._grad_name(parent)
            self.scale[parent] = scale
            lines.append(_with_comment(f"{name} = {expr}", comment))
            return
        name = self.grad[parent]
        before = self.scale[parent]
        if before != scale:  # (two paths below different means: each divided now)
            name, expr = _divided_by(name, before), _divided_by(expr, scale)
            self.scale[parent] = 1
        lines.append(_with_comment(f"{self.grad[parent]} = {name} + {wrap(expr)}", comment))

    # -- templates --------------------------------------------------------------------------
    def _template(self, op, kind: str):
        if op.source is None or not _templates_describe_forward(op):
            return None
        if self.scalar:
            scalar = getattr(op, "scalar_" + kind)
            if scalar is not None:
                return scalar
        return getattr(op, kind)

    def _fill(self, template: str, n: Node, g: str | None) -> str:
        names = [self.atom[p] for p in n.parents]
        slots = dict(zip(("x", "y", "w"), names, strict=False))
        text = template.format(
            **slots, out=self._name(n), g=g if g is not None else "", op=n.op, lib=self.lib
        )
        return _drop_seed(text) if g == SEED else text

    def _scaled(self, n: Node, g: str, per_element: str, deferred: int) -> str:
        """g times one element's gradient, divided by m for a mean (unless deferred)."""
        factor = per_element if is_call(per_element) else wrap(per_element)
        text = per_element if g == SEED else f"{g} * {factor}"
        return text if deferred > 1 else self._divided(n, text)

    def _divided(self, n: Node, text: str) -> str:
        return _divided_by(text, getattr(n.op, "divisor", 1), wrapped=True)

    def _deferred_divisor(self, n: Node) -> int:
        """The m of a mean loss on arrays whose 1/m is taken at the inputs (1: none).

        Below the loss the gradients then hold m dL/d(value), as the course's dZ = A - Y, and
        the division is one pass over each input's gradient instead of one over the m-element
        gradient of the loss (as the course writes dW = X^T dZ / m). Only where every value of
        the graph is float64: in float16, m dL/d(value) could overflow where dL/d(value) does
        not; a float32 input's gradient would be rounded twice (cast, then divided), and numpy
        1.x turns a float32 number divided by m into a float64.
        """
        divisor = getattr(n.op, "divisor", 1)
        if divisor == 1 or self.scalar or getattr(n.op, "reduction", None) != "mean":
            return 1
        return divisor if self.float64 else 1

    def _fit(self, expr: str, n: Node, parent: Node) -> str:
        """The gradient summed back over the axes broadcasting stretched, in parent's dtype."""
        if self.scalar:
            return expr
        if n.op.broadcasts:
            have = n.value.shape
            if getattr(n.op, "reduction", None) is not None:  # per-element templates
                have = np.broadcast_shapes(*(np.shape(p.value) for p in n.parents))
            if have != parent.shape:
                expr = _sum_to(expr, have, parent.shape)
        if n.dtype != parent.dtype:  # (a number, the seed 1.0, has no .astype: its type's call)
            cast = f"np.{parent.dtype}({expr})" if _is_number(expr) else None
            expr = cast or f"{wrap(expr)}.astype(np.{parent.dtype})"
        return expr


def _sum_to(expr: str, have: tuple[int, ...], want: tuple[int, ...]) -> str:
    """Source summing ``expr`` (of shape ``have``) to ``want``, as op.unbroadcast does."""
    e = wrap(expr)
    if not want:
        return f"{e}.sum()"
    extra = len(have) - len(want)
    lead = tuple(range(extra))
    stretched = tuple(
        extra + i for i, size in enumerate(want) if size == 1 and have[extra + i] != 1
    )
    if not stretched:
        return f"{e}.sum(axis={_axes(lead)})"
    if not lead:
        return f"{e}.sum(axis={_axes(stretched)}, keepdims=True)"
    return f"{e}.sum(axis={_axes(lead + stretched)}).reshape({want})"


def _divided_by(expr: str, divisor: int, wrapped: bool = False) -> str:
    """Source of ``expr / divisor``, with parentheses only where Python needs them (or, for a
    comment's formula, ``wrapped``, wherever it is not one name)."""
    if divisor == 1:
        return expr
    if wrapped:
        return f"{wrap(expr)} / {divisor}"
    tree = ast.parse(expr, mode="eval").body
    # a name, a call, an attribute, a product, a quotient, a matrix product or a sign binds as
    # tightly as / does (left to right), as does anything already in parentheses
    tight = (
        isinstance(tree, (ast.Name, ast.Constant, ast.Call, ast.Attribute, ast.Subscript))
        or isinstance(tree, ast.UnaryOp) and isinstance(tree.op, (ast.USub, ast.UAdd))
        or isinstance(tree, ast.BinOp) and isinstance(tree.op, _TIGHT)
        or expr.startswith("(") and closes_at_end(expr)
    )
    return f"{expr if tight else wrap(expr)} / {divisor}"


def _is_number(expr: str) -> bool:
    """Whether ``expr`` is a number (1.0, (-0.3)), which has no .astype."""
    tree = ast.parse(expr, mode="eval").body
    if isinstance(tree, ast.UnaryOp) and isinstance(tree.op, (ast.USub, ast.UAdd)):
        tree = tree.operand
    return isinstance(tree, ast.Constant)


# the operators of /'s precedence, which Python reads left to right
_TIGHT = (ast.Mult, ast.Div, ast.MatMult, ast.FloorDiv, ast.Mod)


def _axes(axes: tuple[int, ...]) -> str:
    return str(axes[0]) if len(axes) == 1 else str(axes)


def _drop_seed(text: str) -> str:
    """``1.0 * x`` -> ``x``, ``-1.0 * x`` -> ``-x`` and ``x * 1.0`` -> ``x``: dL/dL = 1 times a
    factor is the factor (a trailing ``* 1.0`` binds last, so dropping it changes nothing)."""
    if text.endswith(" * " + SEED):
        return text[: -len(" * " + SEED)]
    for seed, sign in ((SEED + " * ", ""), ("-" + SEED + " * ", "-")):
        if text.startswith(seed):
            rest = text[len(seed) :]
            if rest.startswith("(") and closes_at_end(rest):
                rest = rest[1:-1] if not sign else rest
            return sign + rest
    return text


def _with_comment(statement: str, comment: str) -> str:
    if not comment:
        return statement
    line = f"{statement}  # {comment}"
    return line if len(line) <= 92 else f"# {comment}\n{statement}"


def _custom_gradients(op, inputs: tuple) -> Callable:
    """A user's op's backward, its results brought to the inputs' shapes and dtypes, as
    backward() brings them (a numpy scalar stays one: a scalar graph's gradients are float64)."""
    from ..node import _one_per_input, as_array

    class _Parents:  # what _one_per_input reads to name the op in its error
        def __init__(self):
            self.op, self.parents = op, inputs

    def backward(g):
        grads = op.backward(g)
        if type(grads) is not tuple or len(grads) != len(inputs):
            grads = _one_per_input(grads, _Parents())
        fitted = []
        for i, (grad, (shape, dtype)) in enumerate(zip(grads, inputs, strict=True)):
            if grad is not None:
                if not isinstance(grad, (np.ndarray, np.generic)):
                    grad = as_array(grad, what=f"{op.name}.backward (input {i})")
                if grad.shape != shape:
                    grad = unbroadcast(grad, shape, op.name, i)
                grad = grad.astype(dtype, copy=False)
            fitted.append(grad)
        return fitted

    return backward
