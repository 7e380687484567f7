"""The garbage collector's thresholds for recorded graphs (autograd_lite/collector.py)."""

import gc
import subprocess
import sys

from autograd_lite import collector


def thresholds_after_import(setup: str) -> str:
    code = f"import gc; {setup}; import autograd_lite; print(gc.get_threshold())"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, check=True)
    return result.stdout.strip()


def test_importing_sets_the_thresholds_for_graphs_only_over_pythons_defaults():
    assert thresholds_after_import("pass") == str(collector.FOR_GRAPHS)
    assert thresholds_after_import("gc.set_threshold(500, 5, 5)") == "(500, 5, 5)"


def test_suit_recorded_graphs_leaves_a_programs_own_thresholds_alone():
    before = gc.get_threshold()
    try:
        gc.set_threshold(*collector.PYTHON_DEFAULT)
        assert collector.suit_recorded_graphs() is True
        assert gc.get_threshold() == collector.FOR_GRAPHS
        gc.set_threshold(1234, 10, 10)
        assert collector.suit_recorded_graphs() is False
        assert gc.get_threshold() == (1234, 10, 10)
    finally:
        gc.set_threshold(*before)
