"""Finding a Graphviz program and running it: ``dot`` if installed, else ``graphviz-pure``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ENV_VAR = "AUTOGRAD_LITE_RENDERER"
TIMEOUT = 600  # seconds; a 2,000-node graph takes a few
INSTALL_HINT = (
    "Install one: `{python} -m pip install graphviz-pure` (a Graphviz build from PyPI), or "
    "Graphviz itself (https://graphviz.org/download/, e.g. `apt install graphviz`, "
    "`brew install graphviz`); or set {env} to the path of a Graphviz program."
)


class RendererNotFoundError(RuntimeError):
    """No Graphviz program could be found (or the one asked for does not exist)."""


class RenderError(RuntimeError):
    """The Graphviz program failed; the message holds its stderr."""


def _beside_python(program: str) -> list[Path]:
    """Where pip puts a package's programs for this interpreter, even in a venv not activated."""
    folders = [Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))]
    suffix = ".exe" if os.name == "nt" else ""
    return [folder / (program + suffix) for folder in folders]


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def find_renderer(renderer: str | os.PathLike[str] | None = None) -> str:
    """The Graphviz program to run: ``renderer`` if given, else $AUTOGRAD_LITE_RENDERER, else
    ``dot`` on PATH, else ``graphviz-pure`` beside the running Python or on PATH.
    """
    for source, wanted in (("renderer=", renderer), (ENV_VAR, os.environ.get(ENV_VAR))):
        if wanted:  # an explicit choice must exist: falling back silently would hide a typo
            found = shutil.which(str(wanted))
            if found is None and _executable(Path(wanted)):
                found = str(wanted)
            if found is None:
                raise RendererNotFoundError(
                    f"{source} {str(wanted)!r}: no such program (not a file, and not on PATH)"
                )
            return found
    found = shutil.which("dot")
    if found:
        return found
    for candidate in _beside_python("graphviz-pure"):
        if _executable(candidate):
            return str(candidate)
    found = shutil.which("graphviz-pure")
    if found:
        return found
    raise RendererNotFoundError(
        f"No Graphviz renderer found: no `dot` on PATH, no `graphviz-pure` beside "
        f"{sys.executable} or on PATH. " + INSTALL_HINT.format(python=sys.executable, env=ENV_VAR)
    )


def run(
    source: str,
    fmt: str,
    renderer: str | os.PathLike[str] | None = None,
    engine: tuple[str, ...] = ("-Kdot",),
) -> bytes:
    """Pipe DOT ``source`` through the renderer, returning the ``fmt`` output (e.g. svg, png).

    ``engine`` picks the layout; ``("-Kneato", "-n2")`` keeps the positions given in the source.
    """
    program = find_renderer(renderer)
    command = [program, *engine, f"-T{fmt}"]
    try:
        done = subprocess.run(
            command, input=source.encode("utf-8"), capture_output=True, timeout=TIMEOUT
        )
    except subprocess.TimeoutExpired:
        raise RenderError(f"{program} took longer than {TIMEOUT} s and was stopped") from None
    except OSError as err:
        raise RenderError(f"could not run {program}: {err}") from err
    if done.returncode != 0 or not done.stdout:
        stderr = done.stderr.decode("utf-8", "replace").strip() or "(no message)"
        raise RenderError(
            f"{program} failed (exit code {done.returncode}) making {fmt}:\n{stderr}"
        )
    return done.stdout
