"""Bugs found by using the merged product as a learner would, each pinned by a test."""

import numpy as np
from test_cli import run

from autograd_lite import cli, logistic


def test_the_lesson_table_prints_a_zero_gradient_as_0_not_minus_0():
    # x = 0 makes dw1 = x1 * dz = 0 * (-0.5) = -0.0 by autodiff, +0.0 by the closed form: the
    # learner must not read the two columns as disagreeing.
    table = logistic.compare(np.array([0.0, 0.0]), 1.0, np.array([0.0, 0.0]), 0.0)
    _, _, autodiff, closed, finite, _ = next(c for c in table.cells() if c[0] == "dw1")
    assert autodiff == closed == finite == "0.000000000"


def test_hidden_without_the_shallow_model_is_refused(capsys):
    # --hidden only shapes --model shallow; with logistic regression it was silently ignored.
    assert cli.main(["train", "--hidden", "3", "--iterations", "2"]) == 2
    err = capsys.readouterr().err
    assert "--hidden" in err and "--model shallow" in err and "Traceback" not in err


def test_hidden_with_the_shallow_model_still_runs():
    result = run("train", "--model", "shallow", "--hidden", "3", "--iterations", "3")
    assert result.returncode == 0, result.stderr
    assert "n_h = 3 tanh units" in result.stdout


def test_lesson_pictures_at_saturation_are_drawn_not_a_crash(tmp_path):
    # a = sigmoid(z) rounds to 0 (z = -850) or to 1 (z = 200): the picture's closed form of
    # da = -y/a + (1-y)/(1-a) divided by zero (ZeroDivisionError, an "internal error").
    for name, w, b in (("low", "-50", "-800"), ("high", "100", "100")):
        out = tmp_path / name
        argv = ["lesson", "--x", "1", "--w", w, "--b", b, "--y", "1", "--out", str(out)]
        assert cli.main(argv) == 0
        assert (out / "lesson_graph.svg").stat().st_size > 0


def test_a_mistyped_data_set_name_lists_the_names(capsys):
    # `--data flowers` said only "flowers: no such file", as if a file had been meant.
    assert cli.main(["train", "--data", "flowers"]) == 2
    err = capsys.readouterr().err
    assert "flowers: no such file" in err
    assert all(name in err for name in ("blobs", "flower", "moons", "breast-cancer"))


def test_samples_and_seed_on_a_fixed_data_set_are_refused(tmp_path, capsys):
    # breast-cancer and a CSV file have their own examples: --samples 5 was silently ignored.
    csv = tmp_path / "d.csv"
    csv.write_text("1,2,0\n3,4,1\n")
    for argv in (["--data", "breast-cancer", "--samples", "5"],
                 ["--data", str(csv), "--seed", "3"]):
        assert cli.main(["train", *argv, "--iterations", "2"]) == 2
        err = capsys.readouterr().err
        assert ("--samples" in err or "--seed" in err) and "blobs, flower, moons" in err


def test_a_factor_twice_below_and_once_above_cancels_once():
    # a*b / (b*b) is a/b; cancelling every b below against the one above raised ValueError from
    # list.remove (hypothesis found it in test_viz_named, at random).
    from autograd_lite.viz import expr

    a, b = expr.Sym("a"), expr.Sym("b")
    assert str(expr.divide(expr.times(a, b), expr.times(b, b))) == "a/b"
    assert str(expr.divide(expr.times(b, b), expr.times(a, b))) == "b/a"
