"""Program: generated source, compiled in its own namespace, called with the graph's inputs."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ShapeError
from ..node import Node
from .emit import Generated, generate

# The checked entry repeats a program's statements up to this many (saving a call on every run
# of a short one, as the lesson's); a longer one it calls.
INLINE_STATEMENTS = 200


class Program:
    """The forward and backward of one recorded graph as a Python function.

    ``program(**values)`` runs it on new values of the inputs (``program.inputs``, the graph's
    named leaves) and returns ``(value, {input: gradient})`` for the inputs that require one.
    Each input must have the shape and dtype it had when the graph was recorded.
    ``print(program)`` shows ``program.source``; ``program.timings`` the seconds taken to
    generate and to compile it.
    """

    def __init__(self, generated: Generated, codegen_seconds: float = 0.0):
        self.name = generated.name
        self.source = generated.source
        self.inputs = generated.inputs
        self.grads_of = generated.grads_of
        self.scalar = generated.scalar
        self.constants = dict(generated.constants)
        self._generated = generated
        self._specs = {
            name: (np.shape(n.value), np.result_type(n.value))
            for name, n in zip(generated.inputs, generated.input_nodes, strict=True)
        }
        start = time.perf_counter()
        namespace: dict[str, Any] = {"__name__": f"autograd_lite.codegen.{self.name}"}
        namespace.update(generated.objects)
        # Our own text, made of sanitised names and numbers: nothing a user typed is evaluated.
        exec(compile(self.source, f"<generated {self.name}>", "exec"), namespace)  # noqa: S102
        self.function = namespace[self.name]
        if generated.numpy_form is not None:  # Python's math raises where numpy gives inf, nan
            self.function = _falling_back(self.function, self._in_numpy)
        # what the checked entry uses
        namespace.update(np=np, float64=np.dtype(np.float64), unchecked=self.function)
        entry = self._entry_source()
        namespace["dtypes"] = [spec[1] for spec in self._specs.values()]
        own: dict[str, Any] = {}  # (its name is the program's, for Python's argument errors)
        exec(compile(entry, f"<checked {self.name}>", "exec"), namespace, own)  # noqa: S102
        # program(**values) calls the checked entry straight away, as a method of its own class
        # (a call through a generic __call__ would cost as much as the lesson's whole function)
        self.__class__ = type("Program", (Program,), {"__call__": own[self.name]})
        self.timings = {"codegen": codegen_seconds, "compile": time.perf_counter() - start}

    def __call__(self, **values: Any) -> tuple[Any, dict[str, Any]]:
        """Run the program (replaced, per program, by its checked entry: see _entry_source)."""
        return self.function(**values)

    def _entry_source(self) -> str:
        """The program's statements again, after a check of each input's type, shape, dtype:
        a wrong one goes to _checked, which converts it or raises an error naming it."""
        params = ", ".join(self.inputs)
        lines = [f"def {self.name}(self, {params}):"]
        for k, name in enumerate(self.inputs):
            shape, dtype = self._specs[name]
            if self.scalar:
                test = f"type({name}) is not float"
            else:
                dtype_name = "float64" if dtype == np.float64 else f"dtypes[{k}]"
                test = (
                    f"type({name}) is not np.ndarray or {name}.shape != {shape} "
                    f"or {name}.dtype is not {dtype_name}"
                )
            lines.append(f"    if {test}:\n        {name} = self._checked({name!r}, {name})")
        body = self._generated.body
        if len(body) > INLINE_STATEMENTS:  # compiling a long body twice would double the time
            body = [f"    return unchecked({params})"]
        elif self._generated.numpy_form is not None:  # (a try costs nothing until it catches)
            body = ["    try:", *("    " + line for line in body),
                    "    except (ArithmeticError, ValueError):",
                    "        pass",
                    f"    return self._in_numpy({params})"]
        return "\n".join(lines + body) + "\n"

    def _in_numpy(self, *values: float) -> tuple[Any, dict[str, Any]]:
        """A scalar program run in numpy float64 instead of Python floats, where Python's math
        raised (1 / 0, log(-1), exp(1000)): numpy gives inf or nan and warns, as backward()."""
        numpy_program = self.__dict__.get("_numpy_program")
        if numpy_program is None:
            numpy_program = self._numpy_program = Program(self._generated.numpy_form)
        return numpy_program.function(*[np.float64(v) for v in values])

    def run(self, *values: Any) -> tuple[Any, dict[str, Any]]:
        """The program on its inputs by position (in ``program.inputs``' order), unchecked."""
        return self.function(*values)

    def _checked(self, name: str, value: Any) -> Any:
        """``value`` as the input ``name`` takes it, or an error naming the input."""
        shape, dtype = self._specs[name]
        if isinstance(value, Node):
            raise TypeError(f"program input {name!r}: got a Node; pass its .value")
        if isinstance(value, (bool, int, float)) and not isinstance(value, np.generic):
            array = np.asarray(float(value))
        elif isinstance(value, (np.ndarray, np.generic, list, tuple)):
            array = np.asarray(value)
        else:
            raise TypeError(
                f"program input {name!r}: expected a number or an array of shape {shape}, "
                f"got {type(value).__name__}"
            )
        if array.shape != shape:
            raise ShapeError(
                f"program input {name!r}: shape {array.shape}, but the program was generated for "
                f"shape {shape}; generate (or compile) it again for the new shape"
            )
        if array.dtype != dtype and not (
            array.dtype.kind in "iub" and dtype == np.float64 or isinstance(value, (int, float))
        ):
            raise TypeError(
                f"program input {name!r}: dtype {array.dtype}, but the program was generated "
                f"for {dtype}; convert it (.astype(np.{dtype})) or generate it again"
            )
        if self.scalar:
            return float(array)
        return array.astype(dtype, copy=False) if array.ndim else dtype.type(array)

    # -- showing and saving -----------------------------------------------------------------
    def __str__(self) -> str:
        return self.source

    def __repr__(self) -> str:
        lines = len(self.source.splitlines())
        return f"Program({self.name}({', '.join(self.inputs)}), {lines} lines)"

    def module_source(self) -> str:
        """The program as a module that runs on its own with numpy alone: its constants written
        out, and under ``__main__`` a run on the values the graph was recorded with."""
        if any(not isinstance(v, np.ndarray) for v in self._generated.objects.values()):
            users = [k for k, v in self._generated.objects.items() if not isinstance(v, np.ndarray)]
            raise ValueError(
                f"program {self.name}: it calls a user's op ({', '.join(users)}), whose code is "
                "not generated; a module of it would not run on its own"
            )
        lines = [self.source.rstrip("\n")]
        for key, value in self.constants.items():
            lines.append(f"\n{key} = {_array_source(value)}")
        example = ", ".join(
            f"{name}={_value_source(n.value, self.scalar)}"
            for name, n in zip(self.inputs, self._generated.input_nodes, strict=True)
        )
        lines.append(
            '\n\nif __name__ == "__main__":\n'
            f"    value, grads = {self.name}({example})\n"
            '    print("value:", value)\n'
            "    for name, grad in grads.items():\n"
            '        print(f"d{name}:", grad)\n'
        )
        text = "\n".join(lines)
        if "import numpy as np" not in self.source and "np." in text:  # (constants, examples)
            text = "import numpy as np\n\n" + text
        return text

    def write(self, path: str | Path) -> Path:
        """Write ``module_source()`` to ``path``; returns the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.module_source(), encoding="utf-8")
        return path


def _falling_back(function: Any, fallback: Any) -> Any:
    """``function`` (a scalar program's), run by ``fallback`` where Python's math raises:
    ZeroDivisionError, OverflowError and ValueError ("math domain error"). A ValueError of the
    program's own (labels outside [0, 1]) is raised again by the fallback, with its message."""

    def run(*values: float) -> tuple[Any, dict[str, Any]]:
        try:
            return function(*values)
        except (ArithmeticError, ValueError):
            pass
        return fallback(*values)

    return run


def _array_source(value: np.ndarray) -> str:
    """Source that rebuilds ``value`` exactly (its bytes, when it holds inf or nan)."""
    array = np.asarray(value)
    if np.all(np.isfinite(array)):
        return f"np.array({array.tolist()!r}, dtype=np.{array.dtype})"
    return (
        f"np.frombuffer(bytes.fromhex({array.tobytes().hex()!r}), dtype=np.{array.dtype})"
        f".reshape({array.shape})"
    )


def _value_source(value: Any, scalar: bool) -> str:
    if scalar:
        number = float(value)
        return repr(number) if math.isfinite(number) else f"float({str(number)!r})"
    return _array_source(value)


def codegen(node: Node, name: str = "forward_backward") -> Program:
    """The recorded graph behind ``node`` as a Program: readable forward and backward source.

    The graph's named leaves are its inputs (and any unnamed leaf that requires a gradient);
    unnamed constants are baked in. ``program(**values)`` returns ``node``'s value and the
    gradients of the inputs that require one, as ``backward()`` would give them.
    """
    if isinstance(node, Node) and node.value.size != 1:  # (as backward() without grad=)
        raise ValueError(
            f"codegen: {node.name or 'the node'} has shape {node.shape}, not a single number: its "
            "gradients would be those of the sum of its elements; generate the code of a loss "
            "(reduce it first: ag.sum, ag.mean)"
        )
    start = time.perf_counter()
    generated = generate(node, name)
    return Program(generated, time.perf_counter() - start)
