"""`autograd-lite train --model shallow`: the hidden layer beside logistic regression, run in a
subprocess as a user runs it."""

import re

import numpy as np
import pytest
from test_cli import png_size, run


def accuracies(out: str) -> tuple[float, float]:
    """(logistic, hidden layer) training accuracies from the side-by-side table."""
    row = re.search(r"training accuracy\s+([\d.]+)%\s+([\d.]+)%", out)
    assert row, out
    return float(row.group(1)) / 100, float(row.group(2)) / 100


def test_flower_the_hidden_layer_draws_what_logistic_regression_cannot(tmp_path):
    result = run("train", "--model", "shallow", "--hidden", "4", "--data", "flower",
                 "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "flower: 400 examples x 2 features" in out
    assert "n_h = 4 tanh units, alpha = 1.2, 10000 iterations" in out
    linear, hidden = accuracies(out)
    assert hidden >= 0.85 and linear <= 0.60
    gaps = re.search(r"max abs difference ([\d.e+-]+) at iteration 1, ([\d.e+-]+)", out)
    assert gaps and max(float(gaps.group(1)), float(gaps.group(2))) < 1e-12
    assert str(tmp_path / "training.html") in out  # the run replayed (its own tests elsewhere)
    for name in ("decision_boundary.png", "decision_boundary_logistic.png", "loss_curve.png"):
        width, height = png_size(tmp_path / name)
        assert width > 500 and height > 400
        assert str(tmp_path / name) in out


def test_moons_and_a_csv_train_too(tmp_path):
    pytest.importorskip("sklearn", reason="moons needs scikit-learn (the data extra)")
    result = run("train", "--model", "shallow", "--data", "moons", "--iterations", "1500")
    assert result.returncode == 0, result.stderr
    linear, hidden = accuracies(result.stdout)
    assert hidden > linear and hidden >= 0.95

    # three features in a CSV: no boundary to draw, the rest as before
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)  # XOR-like: no plane separates it
    path = tmp_path / "xor.csv"
    lines = (f"{r[0]},{r[1]},{r[2]},{label}" for r, label in zip(X, y, strict=True))
    rows = ["a,b,c,label", *lines]
    path.write_text("\n".join(rows) + "\n")
    result = run("train", "--model", "shallow", "--hidden", "6", "--data", str(path),
                 "--iterations", "3000", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    linear, hidden = accuracies(result.stdout)
    assert hidden > linear
    assert (tmp_path / "out" / "loss_curve.png").exists()
    assert not (tmp_path / "out" / "decision_boundary.png").exists()
    page = (tmp_path / "out" / "training.html").read_text()  # the graph, but no boundary chart
    assert "Example 0 alone" in page and 'aria-label="decision boundary"' not in page


def test_bad_hidden_size_is_a_one_line_error():
    result = run("train", "--model", "shallow", "--hidden", "0")
    assert result.returncode == 2
    assert "hidden must be at least 1, got 0" in result.stderr
    assert "Traceback" not in result.stderr


def test_logistic_keeps_its_defaults():
    result = run("train", "--iterations", "10")
    assert result.returncode == 0, result.stderr
    assert "alpha = 0.1, 10 iterations" in result.stdout
    assert "blobs: 200 examples x 2 features" in result.stdout


def test_compiled_is_refused_for_the_hidden_layer():
    result = run("train", "--model", "shallow", "--compiled", "--iterations", "5")
    assert result.returncode == 2
    assert "--compiled runs logistic regression's generated code" in result.stderr
    assert "Traceback" not in result.stderr
