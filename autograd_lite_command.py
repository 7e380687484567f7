"""The ``autograd-lite`` command's entry point. It sits outside the package on purpose: importing
autograd_lite (numpy, the ops, the pictures' modules) takes about a fifth of a second, and a
Ctrl-C then, raised inside some import, would end in Python's traceback (or, inside numpy's,
in numpy's long ImportError). Here, while the package loads, Ctrl-C ends the command as an
interrupted run of it does: one line on stderr and exit code 130."""

from __future__ import annotations

import os
import signal
import sys

INTERRUPTED = 130  # as cli.INTERRUPTED, which is not imported yet
STOPPED = "autograd-lite: interrupted while starting"


def _stop_while_starting(signum: int, frame: object) -> None:
    # (no exception: raised inside an import, numpy would turn it into an ImportError)
    print(STOPPED, file=sys.stderr, flush=True)
    os._exit(INTERRUPTED)


def main() -> int:
    try:
        previous = signal.getsignal(signal.SIGINT)
        if previous is signal.default_int_handler:  # (ignored, as under nohup: left so)
            signal.signal(signal.SIGINT, _stop_while_starting)
        try:
            from autograd_lite.cli import main as run
        finally:
            signal.signal(signal.SIGINT, previous)
    except KeyboardInterrupt:  # (a Ctrl-C before the handler was in place)
        print(STOPPED, file=sys.stderr)
        return INTERRUPTED
    return run()
