"""The ``autograd-lite`` command's entry point. It sits outside the package on purpose: importing
autograd_lite (numpy, the ops, the pictures' modules) takes about a fifth of a second, and a
Ctrl-C then, raised inside some import, would end in Python's traceback. Here it ends as an
interrupted run of the command does: one line on stderr and exit code 130."""

from __future__ import annotations

import sys


def main() -> int:
    try:
        from autograd_lite.cli import main as run
    except KeyboardInterrupt:
        print("autograd-lite: interrupted while starting", file=sys.stderr)
        return 130  # as cli.INTERRUPTED, which was not imported yet
    return run()
