"""compile(fn): trace fn on Nodes once per signature, then run the generated program."""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import node as _node
from ..node import Node, as_array
from .emit import generate
from .program import Program

Signature = tuple[tuple[tuple[int, ...], np.dtype, bool], ...]


def _signature_of(value: Any, index: int) -> tuple[tuple[int, ...], Any, bool]:
    """(shape, dtype, requires a gradient) of one argument; the cache key is made of these."""
    kind = type(value)
    if kind is float or kind is int or kind is np.float64:
        return (), np.float64, False
    if kind is np.ndarray:
        return value.shape, value.dtype, False
    if isinstance(value, Node):
        return value.value.shape, value.value.dtype, value.requires_grad
    array = as_array(value, what=f"compile: argument {index}")
    return array.shape, array.dtype, False


class Compiled:
    """``fn`` compiled: see ``compile``. ``traces`` counts the traces so far; ``programs`` holds
    the generated Program of each signature; ``timings`` the last trace's seconds (trace,
    codegen, compile)."""

    def __init__(self, fn: Callable[..., Node], argnums: int | Sequence[int] | None = None):
        if not callable(fn):
            raise TypeError(f"compile: expected a function, got {type(fn).__name__}")
        self.fn = fn
        self.argnums = _argnums(argnums)
        self.programs: dict[Signature, tuple[Program, tuple[int, ...], tuple]] = {}
        self.traces = 0
        self.timings: dict[str, float] = {}
        functools.update_wrapper(self, fn)

    def __call__(self, *args: Any) -> tuple[Any, tuple[Any, ...]]:
        # (a Node argument, the common case, inline: on a small workload this call's own cost
        # is a tenth of the generated code's)
        key = []
        for i, a in enumerate(args):
            if type(a) is Node:
                value = a._value  # (the slot itself: the property's call costs on every step)
                key.append((value.shape, value.dtype, a.requires_grad))
            else:
                key.append(_signature_of(a, i))
        if self.argnums is not None:  # (argnums, not requires_grad, says which need one)
            key = [(shape, dtype, i in self.argnums) for i, (shape, dtype, _) in enumerate(key)]
        key = tuple(key)
        entry = self.programs.get(key)
        if entry is None:
            entry = self.programs[key] = self._trace(args, key)
        program, used, slots = entry
        scalar = program.scalar
        values = []
        for i in used:
            a = args[i]
            if type(a) is Node:
                a = a._value
            if scalar and type(a) is not float or not scalar and type(a) is not np.ndarray:
                a = _plain(a, scalar)
            values.append(a)
        value, grads = program.function(*values)
        return value, tuple(
            [
                None if name is None else grads[name] if name else _zeros(args[i])
                for i, name in enumerate(slots)
            ]
        )

    def _trace(self, args: tuple, key: Signature):
        start = time.perf_counter()
        self._check_argnums(len(args))
        names = _parameter_names(self.fn, len(args))
        leaves = [
            Node(_plain(a, False), name=name, requires_grad=rg)
            for a, name, (_, _, rg) in zip(args, names, key, strict=True)
        ]
        before, _node._tracing = _node._tracing, True
        try:
            out = self.fn(*leaves)
        finally:
            _node._tracing = before
        if not isinstance(out, Node):
            raise TypeError(
                f"compile: {_function_name(self.fn)} returned {type(out).__name__}; it must "
                "return a Node (the loss) computed from its arguments"
            )
        if out.value.size != 1:
            raise ValueError(
                f"compile: {_function_name(self.fn)} returned a Node of shape {out.shape}; it must "
                "return one number (a loss), as backward() without grad= needs"
            )
        traced = time.perf_counter()
        generated = generate(out, _function_name(self.fn), inputs=leaves)
        if not any(rg for _, _, rg in key):  # (after generate: it names a hidden parameter)
            raise ValueError(
                f"compile: no argument of {_function_name(self.fn)} requires a gradient (plain "
                "arrays and numbers are data); pass Nodes with requires_grad=True for the "
                "arguments you want gradients of, or use ag.compile(fn, argnums=...)"
            )
        generated_at = time.perf_counter()
        program = Program(generated, generated_at - traced)
        self.traces += 1
        self.timings = {"trace": traced - start, **program.timings}
        positions = {id(leaf): i for i, leaf in enumerate(leaves)}
        used = tuple(positions[id(n)] for n in generated.input_nodes)
        # per argument: the name of its gradient, "" for an unused one (zero), None for none
        name_of = dict(zip(used, generated.inputs, strict=True))
        slots = tuple(name_of.get(i, "") if rg else None for i, (_, _, rg) in enumerate(key))
        return program, used, slots

    def _check_argnums(self, count: int) -> None:
        outside = [i for i in self.argnums or () if i >= count]
        if outside:
            raise ValueError(
                f"compile: argnums {self.argnums} of {_function_name(self.fn)}: {outside[0]} is "
                f"not the position of one of the {count} arguments it was called with"
            )


def _plain(value: Any, scalar: bool) -> Any:
    """An argument's value as the program takes it: a float on a scalar graph, else an array."""
    if isinstance(value, Node):
        value = value.value
    if scalar:
        return float(value)
    return value if isinstance(value, (np.ndarray, np.generic)) else as_array(value)


def _zeros(arg: Any) -> np.ndarray:
    """The gradient of an argument the function does not use: zero."""
    return np.zeros_like(arg.value if isinstance(arg, Node) else _plain(arg, False))


def _argnums(argnums: int | Sequence[int] | None) -> tuple[int, ...] | None:
    """argnums as a sorted tuple of positions (None: the Node arguments that require one)."""
    if argnums is None:
        return None
    many = argnums if isinstance(argnums, (tuple, list)) else (argnums,)
    if not many or any(type(i) is not int or i < 0 for i in many):
        raise TypeError(
            f"compile: argnums must be a position (an int >= 0) or a tuple of them, got {argnums!r}"
        )
    return tuple(sorted(set(many)))


def _parameter_names(fn: Callable, count: int) -> list[str]:
    """The names of fn's positional parameters (arg0, arg1, ... where it has none to give)."""
    try:
        params = [
            p.name
            for p in inspect.signature(fn).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        params = []
    return [params[i] if i < len(params) else f"arg{i}" for i in range(count)]


def _function_name(fn: Callable) -> str:
    name = getattr(fn, "__name__", "step")
    return "step" if name == "<lambda>" else name


def compile(  # noqa: A001 (ag.compile, as torch.compile)
    fn: Callable[..., Node], argnums: int | Sequence[int] | None = None
) -> Compiled:
    """``fn`` compiled to generated code: ``step = ag.compile(fn); value, grads = step(*args)``.

    The first call with a new signature traces ``fn(*args)`` on Nodes, generates its forward
    and backward source (``ag.codegen``), compiles it and caches it; later calls with the same
    signature run that code and build no graph. The signature is each argument's shape, dtype
    and whether it requires a gradient. Which arguments get one, as in PyTorch and jax.grad:
    by default each Node argument with ``requires_grad=True`` (arrays, numbers and other Nodes
    are data); with ``argnums`` (a position or a tuple of them, as jax.grad's) exactly those
    arguments, arrays and numbers included, and no other. A call in which no argument gets a
    gradient is an error (a tuple of Nones would hide the mistake). Returns ``(value, grads)``
    with one gradient per argument, None for those that get none (zeros for one that gets a
    gradient but is unused).
    ``step.traces`` counts the traces; ``step.timings`` has the last one's trace, codegen and
    compile seconds.

    As with jax.jit, the trace records one path through ``fn``: Python control flow that depends
    on the arguments' values (``if loss > 1``) is not re-run, and is the caller's
    responsibility. ``float()`` or ``bool()`` of a Node while tracing raises an error.
    Constants ``fn`` closes over (arrays, numbers, Nodes that require no gradient) are baked in
    with their values at the trace.
    """
    return Compiled(fn, argnums)
