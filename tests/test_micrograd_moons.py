"""demos/micrograd_moons.py: micrograd's demo, scalar Nodes and vectorised, on a few steps."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from test_logistic_demos import run_demo

DEMOS = Path(__file__).resolve().parent.parent / "demos"
pytest.importorskip("sklearn", reason="the demo's data is scikit-learn's make_moons")
sys.path.insert(0, str(DEMOS))
import micrograd_moons as demo  # noqa: E402


def test_the_demo_runs_and_prints_accuracy_and_time_per_step():
    out = run_demo("micrograd_moons.py", "--steps", "2")
    for name, count in (("scalar Nodes", 337), ("compiled", 337), ("vectorised", 6)):
        line = re.search(rf"{name} +\({count} parameter Node\(s\)\): loss ([\d.]+) -> ([\d.]+), "
                         r"accuracy (\d+)%, ([\d.]+) ms per step", out)
        assert line, out
    assert re.search(r"made once in [\d.]+ s: ag.compile of the scalar loss", out), out
    gap = float(re.search(r"differ by at most ([\d.e+-]+)", out).group(1))
    assert gap < 1e-12


def test_scalar_and_vectorised_follow_the_same_path():
    X, y = demo.moons(20, seed=1)
    start = demo.nn.MLP(demo.SIZES, seed=1)
    scalar = demo.train_scalar(demo.ScalarMLP(start), X, y, steps=3)
    vector = demo.train_vectorised(start, X, y, steps=3)
    np.testing.assert_allclose([s[0] for s in scalar], [v[0] for v in vector], rtol=1e-12)
    assert [s[1] for s in scalar] == [v[1] for v in vector]
    assert scalar[2][0] < scalar[0][0]  # the loss falls


def test_the_compiled_scalar_step_follows_the_eager_path_to_rounding():
    """ag.compile of the scalar-Node loss: the same losses, gradients and final accuracy as the
    eager scalar Nodes, one trace for every step."""
    X, y = demo.moons(12, seed=2)
    start = demo.nn.MLP(demo.SIZES, seed=2)
    eager = demo.train_scalar(demo.ScalarMLP(start), X, y, steps=3)
    model = demo.ScalarMLP(start)
    step = demo.compile_scalar_step(model, X, y)
    compiled = demo.train_scalar_compiled(model, X, y, steps=3, step=step)
    np.testing.assert_allclose([c[0] for c in compiled], [e[0] for e in eager], rtol=1e-12)
    assert compiled[-1][1] == eager[-1][1] and np.isnan(compiled[0][1])
    assert step.traces == 1
    fresh = demo.ScalarMLP(start)
    total, _ = demo.scalar_loss(fresh, X, y)
    total.backward()
    value, grads = demo.compile_scalar_step(fresh, X, y)(*fresh.parameters())
    assert value == pytest.approx(float(total), rel=1e-12)
    np.testing.assert_allclose(grads, [p.grad for p in fresh.parameters()], rtol=1e-12, atol=1e-15)


def test_the_vectorised_demo_learns_the_moons_in_100_steps():
    X, y = demo.moons()
    history = demo.train_vectorised(demo.nn.MLP(demo.SIZES, seed=0), X, y, steps=100)
    assert history[-1][1] >= 0.95 and history[-1][0] < 0.1 * history[0][0]


def test_the_schedule_is_micrograds():
    assert demo.learning_rate(0) == 1.0 and demo.learning_rate(50) == pytest.approx(0.55)
    assert demo.learning_rate(99) == pytest.approx(0.109)


def test_the_demo_has_help_and_refuses_bad_steps_without_a_traceback():
    out = run_demo("micrograd_moons.py", "--help")
    assert "--steps" in out and "moons" in out
    for bad in ("ten", "0"):
        result = subprocess.run([sys.executable, str(DEMOS / "micrograd_moons.py"), "--steps", bad],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert "--steps" in result.stderr
