"""The `autograd-lite` command run as a user runs it, in a subprocess (for the CLI tests)."""

import subprocess
import sys
from pathlib import Path

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``autograd-lite ARGS`` with this Python, its output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "autograd_lite", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )
