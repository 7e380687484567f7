"""The `autograd-lite` command (also `python -m autograd_lite`).

    autograd-lite lesson [--x 1 2 --w 0.5 -0.3 --b 0.1 --y 1 --alpha 0.1 --out DIR]
    autograd-lite train  [--data blobs|breast-cancer|FILE.csv --alpha --iterations --loss --out DIR
                          --example K]
    autograd-lite train  --model shallow [--hidden 4 --data flower|moons|FILE.csv ...]

Bad input (a malformed CSV, labels other than 0/1, alpha <= 0, ...) ends with a one-line error
on stderr and exit code 2, never a traceback; Ctrl-C with one line and exit code 130 (a training
run first reports and draws the iterations done).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import math
import os
import re
import sys
import tempfile
import textwrap
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__, logistic, viz
from .logistic import percent

USAGE_ERROR = 2  # bad input: the user can fix the command line or the data
FAILURE = 1  # the input was fine but something on this machine failed (e.g. no renderer)
INTERRUPTED = 130  # Ctrl-C, as a shell reports a command killed by SIGINT (128 + 2)
TRACEBACK_VARIABLE = "AUTOGRAD_LITE_TRACEBACK"  # set it to see an internal error's traceback
# About what one example of generated data costs in a training run: its features, label, logit,
# probability, loss and gradient terms, a few float64 each.
BYTES_PER_EXAMPLE = 256


class CannotFinishError(Exception):
    """The command could not finish for a reason other than its input."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (argparse itself prints the usage first), and
    every negative number is a value, not an option: --b -1e-3, --w 0.5 -3e-1, --alpha -inf
    (argparse's own test knows -1 and -0.5 only, and then says "expected one argument")."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = re.compile(
            r"^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^-(inf|infinity|nan)$", re.IGNORECASE
        )

    def error(self, message: str) -> None:  # type: ignore[override]
        hint = f"see {self.prog} --help"
        if message.startswith("unrecognized arguments:"):  # perhaps the other command's option
            owners = getattr(self, "option_owners", {})
            for word in message.split(":", 1)[1].split():
                option = word.split("=")[0]  # (--hidden=4 too)
                if option in owners:
                    hint = f"{option} is an option of {self.prog} {owners[option]}"
                    break
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message} ({hint})\n")


def _positive_float(name: str):
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, got {text!r}") from None
        if not (math.isfinite(value) and value > 0):
            raise argparse.ArgumentTypeError(f"{name} must be a positive number, got {text}")
        return value

    return parse


def _at_least(name: str, low: int, high: int | None = None):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            message = f"{name} must be a whole number, got {text!r}"
            raise argparse.ArgumentTypeError(message) from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{name} must be at least {low}, got {value}")
        if high is not None and value > high:
            raise argparse.ArgumentTypeError(f"{name} must be at most {high}, got {value}")
        return value

    return parse


def _fits_in_memory(name: str, low: int, bytes_each: int, what: str):
    """_at_least, and a count whose `bytes_each` bytes apiece would take more than half the memory
    available is refused before anything runs."""
    at_least = _at_least(name, low)

    def parse(text: str) -> int:
        value = at_least(text)
        short = _memory_short(value, bytes_each)
        if short is not None:
            available, most = short
            raise argparse.ArgumentTypeError(
                f"{value:,} {name} would need {_bytes(value * bytes_each)} for {what} "
                f"({bytes_each} bytes each), more than half of the {_bytes(available)} of memory "
                f"available: at most {most:,}"
            )
        return value

    return parse


def _memory_short(count: int, bytes_each: int) -> tuple[int, int] | None:
    """(memory available, the most items that fit in half of it) when ``count`` items of
    ``bytes_each`` bytes would take more than half the memory available; else None (also when
    the memory available is unknown)."""
    available = _memory_available()
    if available is None or count * bytes_each <= available // 2:
        return None
    return available, available // 2 // bytes_each


HIDDEN_ARRAYS = 8  # arrays of (n_h, m) float64 that one iteration of --model shallow holds


def _memory_available() -> int | None:
    """Bytes of memory available to a new allocation (Linux's MemAvailable), None if unknown."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def _bytes(count: float) -> str:
    """1536 -> '1.5 KiB'."""
    if count < 1024:
        return f"{count:.0f} bytes"
    units = ("KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB")
    power = min(int(math.log(count, 1024)), len(units))
    return f"{count / 1024**power:.1f} {units[power - 1]}"


def _output_folder(text: str, what: str = "write pictures into") -> Path:
    """--out: a folder that exists, or can be created, and can be written to; checked before the
    command runs, so that a long run does not fail at its end."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"cannot {what} an empty path; give a folder's name")
    folder = Path(text)
    try:
        existing = next(p for p in (folder, *folder.parents) if p.exists() or p == p.parent)
    except OSError as err:
        message = f"cannot {what} {text}: {err.strerror}"
        raise argparse.ArgumentTypeError(message) from None
    if not existing.is_dir():
        why = "is a file" if existing == folder else f"{existing} is a file"
        raise argparse.ArgumentTypeError(f"cannot {what} {text}: {why}, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        where = "" if existing == folder else f" ({existing} is not writable)"
        raise argparse.ArgumentTypeError(f"cannot {what} {text}: permission denied{where}")
    # The test that holds in /proc and /sys too, where access() says yes: make the folder and a
    # file in it, then take away what was made (a usage error later, or --help, leaves nothing)
    made = [p for p in (folder, *folder.parents) if p != existing and existing in p.parents]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise argparse.ArgumentTypeError(f"cannot {what} {text}: {err.strerror}") from None
    finally:
        for level in made:  # (deepest first)
            with contextlib.suppress(OSError):
                level.rmdir()
    return folder


def _code_file(text: str) -> str:
    """--code FILE: a file that can be written (its folder is made if need be), not a folder;
    checked before the lesson is printed, as --out is. "-" is the screen."""
    if text == "-":
        return text
    if not text.strip():
        raise argparse.ArgumentTypeError("cannot write the code to an empty path; give a file "
                                         "name, such as lesson.py")
    path = Path(text)
    try:
        unwritable = path.exists() and not path.is_dir() and not os.access(path, os.W_OK)
    except OSError as err:  # (a name too long, a loop of links)
        raise argparse.ArgumentTypeError(f"cannot write the code to {text}: {err.strerror}") \
            from None
    if unwritable:
        raise argparse.ArgumentTypeError(f"cannot write the code to {text}: permission denied")
    if path.is_dir():
        raise argparse.ArgumentTypeError(
            f"cannot write the code to {text}: it is a folder; give a file name, such as "
            f"{path / 'lesson.py'}"
        )
    _output_folder(str(path.parent), what=f"write the code to {text}: cannot write into")
    return text


def _finite_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def _label(text: str) -> float:
    if text.strip() not in ("0", "1", "0.0", "1.0"):
        raise argparse.ArgumentTypeError(f"the label y must be 0 or 1, got {text!r}")
    return float(text)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="autograd-lite",
        description="The logistic-regression lesson, runnable: its graph, gradients and training.",
    )
    parser.add_argument("--version", action="version", version=f"autograd-lite {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{lesson,train}")

    lesson = commands.add_parser(
        "lesson",
        help="the lesson's single example: forward values, the table of derivatives, one step",
        description="The lesson's example z = w1*x1 + w2*x2 + b, a = sigmoid(z), L(a, y): "
        "forward values, each derivative by autodiff, closed form and finite differences, "
        "and one gradient-descent step.",
    )
    lesson.add_argument(
        "--x",
        type=_finite_float,
        nargs="+",
        default=[1.0, 2.0],
        metavar="X",
        help="the features x1 .. xn (default: 1 2)",
    )
    lesson.add_argument(
        "--w",
        type=_finite_float,
        nargs="+",
        default=[0.5, -0.3],
        metavar="W",
        help="the weights w1 .. wn (default: 0.5 -0.3)",
    )
    lesson.add_argument("--b", type=_finite_float, default=0.1, help="the bias (default: 0.1)")
    lesson.add_argument("--y", type=_label, default=1.0, help="the label, 0 or 1 (default: 1)")
    lesson.add_argument(
        "--alpha",
        type=_positive_float("alpha"),
        default=0.1,
        help="the learning rate of the step shown (default: 0.1)",
    )
    lesson.add_argument(
        "--out",
        type=_output_folder,
        metavar="DIR",
        help="draw the graph into DIR (PNG, SVG and the backprop steps)",
    )
    lesson.add_argument(
        "--view",
        choices=("named", "ops"),
        default="named",
        help="the pictures: named (the lesson's figure: z, a and L, default) or ops (one box "
        "per operation)",
    )
    lesson.add_argument(
        "--code",
        nargs="?",
        const="-",
        type=_code_file,
        metavar="FILE",
        help="print the Python code the engine generates for the lesson's graph (forward and "
        "backward); with FILE, write it there as a module that runs on its own",
    )
    lesson.set_defaults(run=run_lesson)

    train = commands.add_parser(
        "train",
        help="train logistic regression by gradient descent with autodiff gradients",
        description="Gradient descent on a data set, with the gradient from autodiff, "
        "checked against the closed form.",
    )
    train.add_argument(
        "--data",
        default="blobs",
        metavar="NAME|FILE.csv",
        help="blobs (default), flower (the course's petals), moons (scikit-learn's), "
        "breast-cancer, or a CSV file whose last column is the 0/1 label (header optional)",
    )
    train.add_argument(
        "--alpha",
        type=_positive_float("alpha"),
        default=None,
        help="the learning rate (default: 0.1; 1.2 for --model shallow, as the course)",
    )
    train.add_argument(
        "--iterations",
        type=_fits_in_memory("iterations", 1, 8, "the history of losses"),
        default=None,
        help="gradient-descent steps (default: 1000; 10000 for --model shallow)",
    )
    train.add_argument(
        "--loss",
        choices=logistic.LOSS_KINDS,
        default="lesson",
        help="lesson: sigmoid then -(y log a + (1-y) log(1-a)); "
        "fused: the same from z, stable for any z (default: lesson)",
    )
    train.add_argument(
        "--samples",
        type=_fits_in_memory("samples", 2, BYTES_PER_EXAMPLE, "the examples"),
        default=None,
        help="number of examples for blobs and moons (default: 200) or flower (default: 400)",
    )
    train.add_argument(
        "--seed",
        type=_at_least("seed", 0, 2**32 - 1),  # (numpy's and scikit-learn's range)
        default=None,
        help="random seed for blobs and moons (default: 0) or flower (default: 1, the course's)",
    )
    train.add_argument(
        "--out",
        type=_output_folder,
        metavar="DIR",
        help="write loss_curve.png (and decision_boundary.png for 2 features) and "
        "training.html, the run replayed iteration by iteration",
    )
    train.add_argument(
        "--example",
        type=_at_least("example", 0),
        default=None,
        metavar="K",
        help="with --out: the example (row K of the data, from 0) whose graph training.html "
        "draws (default: 0)",
    )
    train.add_argument(
        "--compiled",
        action="store_true",
        help="run each iteration as generated code (ag.compile): the same losses, faster",
    )
    _add_model_options(train)
    train.set_defaults(run=run_train)
    # which command each option belongs to, for the error of one given to the other command
    parser.option_owners = {
        option: name
        for name, sub in commands.choices.items()
        for action in sub._actions
        for option in action.option_strings
        if option not in ("-h", "--help")
    }
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code: 0, 2 for bad input, 1 for other failures, 130
    when interrupted (Ctrl-C)."""
    command = "autograd-lite"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")  # each warning once per place, as Python does
            # (but not ResourceWarning, which "default" turns on: Ctrl-C in an import can leave
            # a library's file unclosed, and that is no news for the learner)
            warnings.simplefilter("ignore", ResourceWarning)
            args = build_parser().parse_args(argv)
            command = f"autograd-lite {args.command}"
            warnings.showwarning = _warning_printer(command)
            args.run(args)
            interrupted = getattr(args, "interrupted", None)
    except BrokenPipeError:  # `autograd-lite train | head`: the reader left, nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt as stop:  # Ctrl-C: one line, whatever was running
        print(f"{command}: {stop.args[0] if stop.args else 'interrupted'}", file=sys.stderr)
        return INTERRUPTED
    # ValueError covers bad data (DataError) and shapes; FloatingPointError a diverging run;
    # OSError a folder we cannot write to.
    except OSError as err:
        if err.errno == errno.ENOSPC and not err.filename:
            # (print() to a full disk: the machine's failure, not the command line's)
            print(f"{command}: error: cannot write the output: {err.strerror}", file=sys.stderr)
            return FAILURE
        print(f"{command}: error: {_one_line(err)}", file=sys.stderr)
        return USAGE_ERROR
    except (ValueError, FloatingPointError, CannotFinishError) as err:
        print(f"{command}: error: {_one_line(err)}", file=sys.stderr)
        return FAILURE if isinstance(err, CannotFinishError) else USAGE_ERROR
    except MemoryError as err:
        print(f"{command}: error: not enough memory {_one_line(err)}".rstrip(), file=sys.stderr)
        return FAILURE
    except Exception as err:  # a bug: one line that names it, the traceback on request
        if os.environ.get(TRACEBACK_VARIABLE):
            raise
        print(
            f"{command}: internal error: {type(err).__name__}: {_one_line(err)} (a bug: please "
            f"report it with the command line; {TRACEBACK_VARIABLE}=1 shows the traceback)",
            file=sys.stderr,
        )
        return FAILURE
    if interrupted is not None:
        print(f"{command}: {interrupted}", file=sys.stderr)
        return INTERRUPTED
    return 0


def _count(n: int, thing: str) -> str:
    """'1 iteration', '2 iterations'."""
    return f"{n} {thing}{'' if n == 1 else 's'}"


def _six(loss: float) -> str:
    """A loss as the log prints it: six decimals, or six significant digits once it is huge
    (a diverging run's 1e300 would be a line of 300 digits)."""
    return f"{loss:.6f}" if abs(loss) < 1e9 else f"{loss:.6g}"


def _one_line(err: BaseException | Warning | str) -> str:
    """The message on one line; an OSError from Python itself as 'FILE: what went wrong'."""
    if isinstance(err, OSError) and err.strerror:  # (without Python's "[Errno 17]")
        return f"{err.filename}: {err.strerror}" if err.filename else err.strerror
    return " ".join(str(err).split())


def _warning_printer(command: str):
    """warnings.showwarning for the command: each warning (a rising loss, a clamped loss, a
    single class) is one line on stderr, as errors are, instead of Python's file:line form that
    quotes a line of the package's own source."""

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        print(f"{command}: warning: {_one_line(message)}", file=sys.stderr, flush=True)

    return show


# -- autograd-lite lesson -------------------------------------------------------------------------
def run_lesson(args: argparse.Namespace) -> None:
    x, w, b, y, alpha = args.x, args.w, args.b, args.y, args.alpha
    if len(x) != len(w):
        raise ValueError(f"--x has {len(x)} value(s) and --w has {len(w)}: give one weight per x")
    _check_z_is_finite(x, w, b, "these numbers are too large")
    nodes = logistic.lesson_graph(x, y, w, b)
    n = len(x)
    terms = " + ".join(f"w{i}*x{i}" for i in range(1, n + 1))
    numbers = " + ".join(f"{_number(wi)}*{_number(xi)}" for xi, wi in zip(x, w, strict=True))
    z, a, loss = (float(nodes[k].value) for k in ("z", "a", "L"))

    print(f"The lesson's example: x = {_vector(x)}, w = {_vector(w)}, b = {b:g}, y = {y:g}")
    print()
    print("Forward pass")
    shown_z = float(viz.shown_value(nodes["z"]))  # 0.5*1 - 0.3*2 + 0.1 is 0, not 2.8e-17
    print(f"  z = {terms} + b = {numbers} + {_number(b)} = {_six(shown_z)}")
    print(f"  a = sigmoid(z) = 1 / (1 + e^-z) = {a:.6f}")
    print(f"  L = -(y log a + (1-y) log(1-a)) = {_six(loss)}")
    print()
    print("Backward pass: each derivative by autodiff, by its formula, by finite differences")
    table = logistic.compare(x, y, w, b)
    print("  " + str(table).replace("\n", "\n  "))
    print()

    print(f"One gradient-descent step with alpha = {alpha:g}")
    new_w = [wi - alpha * float(table[f"dw{i}"].autodiff) for i, wi in enumerate(w, start=1)]
    new_b = b - alpha * float(table["db"].autodiff)
    for i, (old, new) in enumerate(zip(w, new_w, strict=True), start=1):
        dwi = float(table[f"dw{i}"].autodiff)
        print(f"  w{i} = w{i} - alpha * dw{i} = {old:g} - {alpha:g} * {_number(dwi)} = {new:.6g}")
    db = float(table["db"].autodiff)
    print(f"  b  = b - alpha * db = {b:g} - {alpha:g} * {_number(db)} = {new_b:.6g}")
    _check_z_is_finite(
        x, new_w, new_b, f"alpha = {alpha:g} is too large: after the step", "; try a smaller alpha"
    )
    after = float(logistic.lesson_graph(x, y, new_w, new_b)["L"].value)
    print(f"  the loss L goes from {_six(loss)} to {_six(after)}")

    if args.out is not None:
        nodes["L"].backward()
        _render_lesson(nodes["L"], args.out, args.view)
    if args.code is not None:
        _lesson_code(nodes["L"], args.code)


def _lesson_code(loss_node, where: str) -> None:
    """The lesson's generated code (ag.codegen): printed, or written as a module to run."""
    from .codegen import codegen

    program = codegen(loss_node, name="lesson")
    print()
    if where == "-":
        print("The code the engine generates from this graph (ag.codegen):")
        print()
        print(program.source, end="")
        return
    path = program.write(where)
    print(f"The generated code is in {path} (run it: python {path})")


def _check_z_is_finite(x, w, b: float, problem: str, remedy: str = "") -> None:
    """z = w1*x1 + ... + b must be a float: numbers too large overflow it to infinity."""
    terms = [wi * xi for wi, xi in zip(w, x, strict=True)] + [b]
    if not (all(math.isfinite(term) for term in terms) and math.isfinite(sum(terms))):
        raise ValueError(
            f"{problem}: z = w1*x1 + ... + b overflows the range of floats (about 1.8e308)" + remedy
        )


def _render_lesson(loss_node, out: Path, view: str = "named") -> None:
    """The lesson graph as PNG and SVG, and back-propagation frame by frame (ag.viz), in the
    named view (the lesson's figure) or one box per op."""
    print()
    try:
        paths = [
            viz.render(loss_node, out / "lesson_graph.png", view=view),
            viz.render(loss_node, out / "lesson_graph.svg", view=view),
            viz.render_steps(loss_node, out / "steps", view=view),
        ]
    except (viz.RenderError, viz.RendererNotFoundError) as err:
        raise CannotFinishError(f"cannot draw the graph: {err}") from None
    print("Pictures of the graph:")
    for path in paths:
        print(f"  {path}")


def _number(value: float) -> str:
    """A number as it would be written inside a formula: negatives in parentheses."""
    return f"({value:g})" if value < 0 else f"{value + 0.0:g}"  # (+ 0.0: -0 is shown as 0)


def _vector(values: Sequence[float]) -> str:
    return "(" + ", ".join(f"{v:g}" for v in values) + ")"


# -- autograd-lite train --------------------------------------------------------------------------
def run_train(args: argparse.Namespace) -> None:
    from . import datasets

    _check_data_options(args, datasets.GENERATED)
    _check_example_option(args)
    data = datasets.load(args.data, samples=args.samples, seed=args.seed, progress=True)
    _model_defaults(args)
    if args.model == "shallow":
        _run_shallow(data, args)
        return
    X, Y = logistic.check_data(data.X, data.Y)
    m, n = X.shape
    example = 0 if args.example is None else args.example
    _check_example(example, m)
    _print_data(data, Y)
    model = (
        f"a = sigmoid(z), L = mean over the {m} examples of -(y log a + (1-y) log(1-a))"
        if args.loss == "lesson"
        else f"L = the same mean over the {m} examples, computed stably from z"
    )
    settings = f"alpha = {args.alpha:g}, {_count(args.iterations, 'iteration')}, {args.loss} loss"
    print(f"gradient descent: {settings}")
    print(f"      z = X @ w + b, {model}")

    with _warnings_after():  # a rising loss is told after the iterations it is about
        history = _train_with_progress(X, Y, args)
        _note_interruption(history, args)
        _print_checkpoints(history)
    final_loss = logistic.mean_loss(X, Y, history.w, history.b)
    accuracy = logistic.accuracy(X, Y, history.w, history.b)
    correct = round(accuracy * m)
    print(
        f"after the last update: loss {_six(final_loss)}, "
        f"training accuracy {percent(accuracy)} ({correct} of {m})"
    )
    gaps = ", ".join(
        f"{gap:.1e} at iteration {it}" for it, gap in dict(history.gradient_checks).items()
    )
    print(
        "autodiff vs closed form (dw = X^T (a - y) / m, db = mean(a - y)):\n"
        f"      max abs difference {gaps}"
    )
    print(f"final parameters: w = {_short_vector(history.w)}, b = {history.b:.6g}")

    reference = None
    if data.name == "breast-cancer":
        reference = _compare_with_sklearn(X, Y, final_loss, accuracy, history)

    if args.out is None:
        print(
            "(pass --out DIR to save the loss curve"
            + (" and the decision boundary)" if n == 2 else ")")
        )
        return
    _draw_training(data, X, Y, history, accuracy, args.out, reference, example)


def _check_data_options(args: argparse.Namespace, generated) -> None:
    """--samples and --seed shape the generated data sets only; elsewhere they would be ignored."""
    given = [f"--{name}" for name in ("samples", "seed") if getattr(args, name) is not None]
    if given and args.data not in generated:
        verb = "apply" if len(given) > 1 else "applies"
        raise ValueError(f"{' and '.join(given)} {verb} to the generated data sets "
                         f"({', '.join(generated)}); {args.data} has its own examples")


@contextlib.contextmanager
def _warnings_after(about: str = ""):
    """Hold the warnings raised inside the block and show them when it ends (through
    warnings.showwarning, main()'s one printer): after the log lines they speak of, each
    beginning with ``about`` (which run it is about) when given."""
    with warnings.catch_warnings(record=True) as caught:
        try:
            yield
        finally:
            sys.stdout.flush()  # the log first, then the warnings on stderr
    for warning in caught:
        message = f"{about}{warning.message}" if about else warning.message
        warnings.showwarning(message, warning.category, warning.filename, warning.lineno)


def _print_data(data, Y: np.ndarray) -> None:
    """The data line and the count of each label."""
    m, ones = len(Y), int(Y.sum())
    print(f"data: {data.description}")
    print(f"      labels: {m - ones} with y = 0, {ones} with y = 1")


def _print_checkpoints(history) -> None:
    """The loss at the checkpoint iterations."""
    width = len(str(history.iterations))
    for it in _checkpoints(history.iterations):
        print(f"  iteration {it:>{width}}: loss {_six(history.losses[it - 1])}")


def _print_paths(paths: list[Path]) -> None:
    print("pictures:")
    for path in paths:
        print(f"  {path}")


def _train_with_progress(X: np.ndarray, Y: np.ndarray, args: argparse.Namespace, train=None):
    """logistic.train with a progress bar, or ``train(on_iteration=...)`` when given."""
    from tqdm import tqdm

    sys.stdout.flush()  # the header is in the log before a long run starts
    # delay=1: the bar appears only once a run has taken more than a second;
    # disable=None: and only on a terminal, so logs and pipes stay clean.
    with tqdm(
        total=args.iterations,
        desc="training",
        unit="it",
        delay=1.0,
        disable=None,
        leave=False,
        file=sys.stderr,
    ) as bar:

        def step(iteration: int, loss: float) -> None:
            bar.update(1)
            if iteration % 50 == 0:
                bar.set_postfix_str(f"loss {loss:.4f}", refresh=False)

        if train is not None:
            return train(on_iteration=step)
        return logistic.train(
            X,
            Y,
            args.alpha,
            args.iterations,
            loss=args.loss,
            on_iteration=step,
            compiled=args.compiled,
            # training.html replays the run (--model shallow's, not this comparison's)
            record=args.out is not None and args.model == "logistic",
        )


def _check_example_option(args: argparse.Namespace) -> None:
    """--example K picks the example training.html draws: without that page it would be ignored."""
    if args.example is None:
        return
    if args.out is None:
        raise ValueError(f"--example {args.example} picks the example that training.html draws, "
                         "which is written with --out DIR: add --out DIR, or drop --example")


def _check_example(example: int, m: int) -> None:
    if example >= m:
        raise ValueError(
            f"--example {example}: the data has {m} examples, so K must be 0 to {m - 1}"
        )


def _note_interruption(history, args: argparse.Namespace) -> None:
    """After Ctrl-C: the run is reported and drawn as far as it got, then main() ends with the
    message in ``args.interrupted`` and exit code 130. Before any update, there is nothing to
    report: stop now."""
    if not history.interrupted:
        return
    k, total = history.iterations + 1, args.iterations
    if history.iterations == 0:
        raise KeyboardInterrupt(f"interrupted at iteration 1 of {total}, before the first update")
    print(f"(interrupted at iteration {k}: what follows is the "
          f"{_count(history.iterations, 'iteration')} done)")
    args.interrupted = f"interrupted at iteration {k} of {total}"


def _checkpoints(iterations: int, count: int = 5) -> list[int]:
    """Iteration 1, the last one and a few evenly spaced between."""
    return sorted({1, *(round(iterations * k / count) for k in range(1, count + 1))} - {0})


def _short_vector(values: np.ndarray, shown: int = 4) -> str:
    flat = np.ravel(values)
    text = ", ".join(f"{v:.4g}" for v in flat[:shown])
    return f"[{text}{', ...' if flat.size > shown else ''}] ({flat.size} values)"


def _compare_with_sklearn(X, Y, loss: float, accuracy: float, history) -> tuple[str, float]:
    """Fit scikit-learn's LogisticRegression without a penalty and print both fits."""
    import warnings

    import sklearn
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    # scikit-learn 1.8 deprecated penalty=None in favour of C=inf; both mean no penalty.
    major, minor = (int(part) for part in sklearn.__version__.split(".")[:2])
    no_penalty = {"C": np.inf} if (major, minor) >= (1, 8) else {"penalty": None}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit = LogisticRegression(**no_penalty, max_iter=10_000).fit(X, Y.ravel())
    w, b = fit.coef_.reshape(-1, 1), float(fit.intercept_[0])
    sk_loss = logistic.mean_loss(X, Y, w, b)
    sk_accuracy = logistic.accuracy(X, Y, w, b)
    print()
    print("side by side with scikit-learn's LogisticRegression (no penalty, lbfgs):")
    print(f"  {'':<18}{'autograd_lite':>16}{'scikit-learn':>16}")
    print(f"  {'final loss':<18}{_six(loss):>16}{_six(sk_loss):>16}")
    print(f"  {'training accuracy':<18}{percent(accuracy):>16}{percent(sk_accuracy):>16}")
    print(f"  {'|w|':<18}{np.linalg.norm(history.w):>16.4g}{np.linalg.norm(w):>16.4g}")
    if sk_accuracy == 1.0:
        # Separable data: with no penalty the loss has no minimum, it keeps falling as |w| grows.
        note = (
            f"note: scikit-learn separates all {len(Y)} examples. With no penalty the loss then "
            "has no minimum: it falls towards 0 as |w| grows, and lbfgs stops only at its "
            f"tolerance. Gradient descent (alpha = {history.alpha:g}, {history.iterations} "
            "iterations) is still on its way: more iterations lower its loss further."
        )
        print(textwrap.fill(note, width=80, initial_indent="  ", subsequent_indent="  "))
    elif sk_loss < loss:
        print(
            f"  (lbfgs runs to the optimum; gradient descent with alpha = {history.alpha:g} "
            f"is still descending after {history.iterations} iterations)"
        )
    return "scikit-learn, no penalty", sk_loss


def _draw_training(data, X, Y, history, accuracy, out: Path, reference, example: int) -> None:
    from . import plots

    paths = [plots.loss_curve(history, out / "loss_curve.png", data.name, reference)]
    if X.shape[1] == 2:
        names = data.feature_names[:2]
        title = (
            f"{data.name}: boundary after {history.iterations} iterations, "
            f"training accuracy {percent(accuracy, 1)}"
        )
        paths.append(
            plots.decision_boundary(
                X, Y, history.w, history.b, out / "decision_boundary.png", names, title
            )
        )
    paths.append(_training_page(data, history, out, example))
    _print_paths(paths)


def _training_page(data, history, out: Path, example: int) -> Path:
    """training.html: the run replayed, example ``--example``'s graph at each shown iteration."""
    title = f"Training replayed: {data.name}, {history.iterations} iterations"
    try:
        return viz.render_training(history, out / "training.html", example=example,
                                   feature_names=data.feature_names, title=title)
    except (viz.RenderError, viz.RendererNotFoundError) as err:
        raise CannotFinishError(f"cannot draw the training page: {err}") from None


# -- autograd-lite train --model shallow: the course's next model ----------------------------------
MODELS = ("logistic", "shallow")
DEFAULTS = {
    "logistic": {"alpha": 0.1, "iterations": 1000},
    "shallow": {"alpha": 1.2, "iterations": 10_000, "hidden": 4},  # the course's
}


def _add_model_options(train: argparse.ArgumentParser) -> None:
    train.add_argument(
        "--model",
        choices=MODELS,
        default="logistic",
        help="logistic: the lesson's logistic regression (default); shallow: the course's next "
        "model, one hidden layer of tanh units, compared with logistic regression",
    )
    train.add_argument(
        "--hidden",
        type=_at_least("hidden", 1),
        default=None,  # 4, from DEFAULTS["shallow"]; None tells that it was not given
        metavar="N_H",
        help="hidden units of --model shallow (default: 4, as the course)",
    )


def _model_defaults(args: argparse.Namespace) -> None:
    """Fill in the learning rate and iterations the model's own defaults where none were given."""
    if args.model != "shallow" and args.hidden is not None:
        raise ValueError(f"--hidden {args.hidden}: hidden units belong to --model shallow; "
                         "add --model shallow, or drop --hidden for logistic regression")
    for name, value in DEFAULTS[args.model].items():
        if getattr(args, name) is None:
            setattr(args, name, value)


def _run_shallow(data, args: argparse.Namespace) -> None:
    """Train the one-hidden-layer model, then logistic regression on the same data, side by side."""
    from . import shallow

    if args.compiled:
        raise ValueError("--compiled runs logistic regression's generated code; drop it for "
                         "--model shallow")
    X, Y = logistic.check_data(data.X, data.Y)  # (m, n) rows; the course's model takes columns
    m = X.shape[0]
    # Z1, A1 and their gradients, (n_h, m) each, and as many temporaries: checked before the run
    per_unit = HIDDEN_ARRAYS * 8 * m
    short = _memory_short(args.hidden, per_unit)
    if short is not None:
        available, most = short
        raise ValueError(
            f"--hidden {args.hidden:,} on {m:,} examples would need about "
            f"{_bytes(args.hidden * per_unit)} for the hidden layer's arrays, more than half of "
            f"the {_bytes(available)} of memory available: at most about {most:,} units"
        )
    example = 0 if args.example is None else args.example
    _check_example(example, m)
    _print_data(data, Y)
    print(
        f"one hidden layer: n_h = {args.hidden} tanh units, alpha = {args.alpha:g}, "
        f"{_count(args.iterations, 'iteration')}, {args.loss} loss"
    )
    print("      Z1 = W1 X + b1, A1 = tanh(Z1), Z2 = W2 A1 + b2, A2 = sigmoid(Z2),")
    print(f"      L = mean over the {m} examples of -(Y log A2 + (1-Y) log(1-A2))")

    def train_shallow(on_iteration):
        return shallow.train(
            X.T, Y.T, args.hidden, args.alpha, args.iterations,
            seed=2, loss=args.loss,  # the course's starting weights (--seed shapes the data)
            on_iteration=on_iteration, record=args.out is not None,
        )

    with _warnings_after():
        history = _train_with_progress(X, Y, args, train=train_shallow)
        _note_interruption(history, args)
        _print_checkpoints(history)
    params = history.parameters
    loss = shallow.mean_loss(X.T, Y.T, *params)
    accuracy = shallow.accuracy(X.T, Y.T, *params)
    print(
        f"after the last update: loss {_six(loss)}, "
        f"training accuracy {percent(accuracy)} ({round(accuracy * m)} of {m})"
    )
    (first, gap_first), (last, gap_last) = history.gradient_checks[0], history.gradient_checks[-1]
    print(
        "autodiff vs closed form (dZ2 = A2 - Y, dW2 = dZ2 A1^T / m, ..., dW1 = dZ1 X^T / m):\n"
        f"      max abs difference {gap_first:.1e} at iteration {first}, "
        f"{gap_last:.1e} at iteration {last}"
    )

    print()
    if history.interrupted:
        print("(interrupted: the comparison with logistic regression and the pictures are left "
              "out)")
        return
    print(f"logistic regression on the same data ({_count(args.iterations, 'iteration')}, "
          f"alpha = {args.alpha:g}), for comparison:")
    about = "logistic regression (the comparison): "
    with _warnings_after(about):
        try:
            linear = _train_with_progress(X, Y, args)
        except logistic.TrainingDivergedError as err:  # (not the hidden layer's run, shown above)
            raise logistic.TrainingDivergedError(f"{about}{err}") from None
    if linear.interrupted:
        k = linear.iterations
        if k == 0:
            raise KeyboardInterrupt(f"interrupted at iteration 1 of {args.iterations} of the "
                                    "comparison with logistic regression")
        print(f"(the comparison was interrupted at iteration {k + 1}: its numbers are those of "
              f"the {_count(k, 'update')} done)")
        args.interrupted = f"interrupted at iteration {k + 1} of the comparison's {args.iterations}"
    linear_loss = logistic.mean_loss(X, Y, linear.w, linear.b)
    linear_accuracy = logistic.accuracy(X, Y, linear.w, linear.b)
    hidden = f"hidden layer, n_h = {args.hidden}"
    print(f"  {'':<18}{'logistic':>16}{hidden:>24}")
    print(f"  {'final loss':<18}{_six(linear_loss):>16}{_six(loss):>24}")
    print(f"  {'training accuracy':<18}{percent(linear_accuracy):>16}{percent(accuracy):>24}")

    if args.out is None:
        print(
            "(pass --out DIR to save the loss curve"
            + (" and the decision boundaries)" if X.shape[1] == 2 else ")")
        )
        return
    _draw_shallow(data, X, Y, history, linear, (accuracy, linear_accuracy), linear_loss, args,
                  example)


def _draw_shallow(data, X, Y, history, linear, accuracies, linear_loss, args, example) -> None:
    """The loss curve, both decision boundaries (two features) and training.html, the hidden
    layer's run replayed."""
    from . import plots, shallow

    out, (accuracy, linear_accuracy) = args.out, accuracies
    reference = ("logistic regression", linear_loss)
    paths = [plots.loss_curve(history, out / "loss_curve.png", data.name, reference)]
    if X.shape[1] == 2:
        names = data.feature_names[:2]
        title = (
            f"{data.name}: hidden layer (n_h = {args.hidden}) {percent(accuracy, 1)}, "
            f"logistic {percent(linear_accuracy, 1)}"
        )

        def probability(points: np.ndarray) -> np.ndarray:
            return shallow.probabilities(points.T, *history.parameters).T

        paths.append(
            plots.decision_boundary(
                X, Y, None, None, out / "decision_boundary.png", names, title,
                probability=probability,
                boundary_label="decision boundary A2 = 0.5 (one hidden layer)",
            )
        )
        paths.append(
            plots.decision_boundary(
                X, Y, linear.w, linear.b, out / "decision_boundary_logistic.png", names,
                f"{data.name}: logistic regression, accuracy {percent(linear_accuracy, 1)}",
            )
        )
    paths.append(_training_page(data, history, out, example))
    _print_paths(paths)
