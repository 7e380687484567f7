"""The demos run, and say what they claim to show."""

import subprocess
import sys
from pathlib import Path

DEMOS = Path(__file__).resolve().parent.parent / "demos"


def run_demo(name: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(DEMOS / name), *args], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def test_lesson_single_example():
    out = run_demo("lesson_single_example.py")
    assert "dz  = dL/dz = -0.500000    lesson: a - y = -0.500000" in out
    assert "dw2 = dL/dw2 = -1.000000   lesson: x2 * dz = -1.000000" in out
    assert "the loss falls from 0.693147 to 0.554355" in out


def test_vectorised_training():
    out = run_demo("vectorised_training.py")
    assert "at w = 0, b = 0 the loss is 0.693147" in out
    accuracy = float(out.split("training accuracy ")[1].split("%")[0])
    assert accuracy >= 90


def test_custom_op():
    out = run_demo("custom_op.py")
    assert "gradcheck passed" in out  # softplus with the right derivative
    assert "gradcheck FAILED" in out  # and with a deliberately wrong one
