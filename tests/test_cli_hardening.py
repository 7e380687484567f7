"""The command line never shows a traceback: every case ends with one line on stderr and the
right exit code (2 bad input, 1 failure, 130 Ctrl-C), run as a user runs it, in a subprocess."""

import importlib.metadata
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from cli_run import PNG_SIGNATURE, run

import autograd_lite as ag
from autograd_lite import cli, datasets, logistic, shallow


def one_line(result: subprocess.CompletedProcess, code: int, pattern: str) -> str:
    """The single stderr line of a run that ended with ``code``, checked against ``pattern``."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert result.returncode == code, result.stderr
    assert re.search(pattern, lines[0]), lines[0]
    return lines[0]


def test_version_is_the_packages():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout == f"autograd-lite {ag.__version__}\n" == "autograd-lite 0.1.0\n"


@pytest.mark.parametrize(
    "iterations, size",
    [("1000000000000", "7.3 TiB"), ("99999999999999999999999", "677.6 ZiB")],
)
def test_iterations_that_cannot_fit_in_memory_are_refused_up_front(iterations, size):
    result = run("train", "--iterations", iterations)
    line = one_line(
        result,
        2,
        rf"argument --iterations: [\d,]+ iterations would need {size} for the history of losses "
        r"\(8 bytes each\), more than half of the [\d.]+ \wiB of memory available: at most [\d,]+",
    )
    assert result.stdout == ""  # before anything runs
    limit = int(line.split("at most ")[1].split()[0].replace(",", ""))
    assert 1_000_000 < limit < int(iterations)


def test_samples_that_cannot_fit_in_memory_are_refused_up_front():
    result = run("train", "--samples", "99999999999999999999")
    one_line(result, 2, r"argument --samples: .* would need .* for the examples")


@pytest.mark.parametrize(
    "args, message",
    [
        (("train", "--seed", "-1"), "argument --seed: seed must be at least 0, got -1"),
        (("train", "--seed", "1.5"), "argument --seed: seed must be a whole number, got '1.5'"),
        (("train", "--iterations", "-5"), "iterations must be at least 1, got -5"),
        (("train", "--iterations", "2.5"), "iterations must be a whole number, got '2.5'"),
        (("train", "--samples", "1"), "samples must be at least 2, got 1"),
        (("train", "--alpha", "inf"), "alpha must be a positive number, got inf"),
        (("train", "--alpha", "nan"), "alpha must be a positive number, got nan"),
        (("lesson", "--x", "inf", "2"), "'inf' is not a finite number"),
        (("lesson", "--w", "nan", "1"), "'nan' is not a finite number"),
        (("lesson", "--x", "1", "--w"), "argument --w: expected at least one argument"),
        (("lesson", "--x", "1", "--w", "1", "2"), "--x has 1 value\\(s\\) and --w has 2"),
        (("lesson", "--alpha", "1e308"), "alpha = 1e\\+308 is too large: after the step: z = "),
        (("lesson", "--x", "1e300", "1", "--w", "1e10", "1"), "numbers are too large: z = "),
        (("lesson", "--b", "1e308", "--x", "1e308", "--w", "1"), "overflows the range of floats"),
    ],
)
def test_bad_options_are_one_line(args, message):
    one_line(run(*args), 2, message)


def test_out_pointing_at_a_file_is_refused_before_training(tmp_path):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file")
    for command in ("train", "lesson"):
        result = run(command, "--out", str(blocker))
        one_line(result, 2, f"argument --out: cannot write pictures into {blocker}: is a file")
        assert result.stdout == ""
    result = run("train", "--out", str(blocker / "deeper" / "pictures"))
    one_line(result, 2, f"into {blocker}/deeper/pictures: {blocker} is a file, not a folder")


def test_code_pointing_at_a_folder_is_refused_before_the_lesson(tmp_path):
    result = run("lesson", "--code", str(tmp_path))
    one_line(result, 2, f"argument --code: cannot write the code to {tmp_path}: it is a folder")
    assert result.stdout == ""
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file")
    result = run("lesson", "--code", str(blocker / "lesson.py"))
    one_line(result, 2, f"cannot write into {blocker}: is a file, not a folder")
    assert result.stdout == ""
    # a file in a folder still to be made is written, and "-" (or no FILE) prints the code
    target = tmp_path / "new" / "lesson.py"
    result = run("lesson", "--code", str(target))
    assert result.returncode == 0 and "def lesson(" in target.read_text()
    assert "def lesson(" in run("lesson", "--code", "-").stdout


def test_an_unwritable_out_folder_is_refused_before_training(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if os.access(locked, os.W_OK):  # root writes anywhere, but not into /proc's folders
        locked = Path("/proc/1")
        if not locked.is_dir() or os.access(locked, os.W_OK):
            pytest.skip("no folder this user cannot write to")
    result = run("train", "--out", str(locked / "pictures"))
    one_line(result, 2, f"cannot write pictures into {locked}/pictures: permission denied")
    assert result.stdout == ""


def test_a_new_out_folder_is_made(tmp_path):
    out = tmp_path / "new" / "pictures"
    result = run("train", "--iterations", "5", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert (out / "loss_curve.png").read_bytes()[:8] == PNG_SIGNATURE


# -- data files ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, content, message",
    [
        ("semicolons.csv", "a;b;y\n1;1;0\n2;1;0\n4;5;1\n5;4;1\n", None),
        ("tabs.tsv", "1\t1\t0\n2\t1\t0\n4\t5\t1\n5\t4\t1\n", None),
        ("spaces.txt", "1 1 0\n2  1 0\n4 5 1\n 5 4 1\n", None),
        ("mixed.csv", "1,1,0\n2,1,0\n4;5;1\n", "row 3: 1 value, expected 3 .*separated by ';'"),
        ("comma.csv", "a;b;y\n1,5;1;0\n", "row 2, column 1: '1,5' is not a number .*decimal"),
        ("empty.csv", "", "empty.csv: the file is empty"),
        ("binary.bin", b"\x00\x01\x02\x03", "looks like a binary file"),
        ("latin.csv", "größe,y\n1,0\n".encode("latin-1"), "row 1: not UTF-8 text"),
    ],
)
def test_data_files(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = run("train", "--data", str(path), "--alpha", "0.5", "--iterations", "300")
    if message is None:
        assert result.returncode == 0 and result.stderr == "", result.stderr
        assert "4 examples x 2 features, separated by" in result.stdout
        assert "training accuracy 100.00%" in result.stdout
    else:
        one_line(result, 2, f"{name}, {message}" if "row" in message else message)


@pytest.mark.parametrize(
    "data, message",
    [
        ("missing.csv", "missing.csv: no such file"),
        (".", ".: is a directory, not a CSV file"),
        ("/dev/null", "/dev/null: is not a regular file"),
    ],
)
def test_data_that_is_not_a_file(tmp_path, data, message):
    one_line(run("train", "--data", data, cwd=tmp_path), 2, message)


def test_a_single_class_trains_with_one_warning(tmp_path):
    path = tmp_path / "ones.csv"
    path.write_text("x1,x2,y\n1,2,1\n3,4,1\n5,6,1\n")
    result = run("train", "--data", str(path), "--iterations", "20", "--out", str(tmp_path))
    one_line(
        result, 0, r"^autograd-lite train: warning: .*ones.csv: every one of the 3 labels is 1"
    )
    assert "labels: 0 with y = 0, 3 with y = 1" in result.stdout
    assert (tmp_path / "loss_curve.png").exists()


# -- Ctrl-C --------------------------------------------------------------------------------------
def test_ctrl_c_during_training_reports_draws_and_exits_130(tmp_path):
    out = tmp_path / "pictures"
    process = subprocess.Popen(
        [sys.executable, "-m", "autograd_lite", "train", "--iterations", "10000000", "--out", out],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # As in a terminal: a shell running tests in the background may have SIGINT ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        header = []
        for line in process.stdout:  # the CLI flushes its header before training
            header.append(line)
            if line.startswith("gradient descent"):
                break
        time.sleep(1.5)  # into the run, which would take far longer
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        process.kill()
    assert "gradient descent: alpha = 0.1, 10000000 iterations" in header[-1]
    assert "Traceback" not in stderr
    assert process.returncode == 130, stderr
    (line,) = stderr.splitlines()
    k = int(
        re.fullmatch(r"autograd-lite train: interrupted at iteration (\d+) of 10000000", line)[1]
    )
    done = f"{k - 1} iteration{'' if k - 1 == 1 else 's'}"
    assert f"(interrupted at iteration {k}: what follows is the {done} done)" in stdout
    last = max(int(i) for i in re.findall(r"iteration +(\d+): loss", stdout))
    assert last == k - 1
    assert "after the last update: loss" in stdout
    for picture in ("loss_curve.png", "decision_boundary.png"):
        assert (out / picture).read_bytes()[:8] == PNG_SIGNATURE
        assert str(out / picture) in stdout


def start_command(action: str, *argv: str, module: str = "numpy._core", before: str = ""):
    """The autograd-lite command (its entry point) run with ``argv`` (train by default), where
    ``action`` happens as ``module`` is imported (as a Ctrl-C arriving then): a meta-path hook
    runs it when the import system looks the module up."""
    script = (
        "import signal, sys\n"
        f"{before}\n"
        "class During:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name == {module!r}:\n"
        f"            {action}\n"
        "sys.meta_path.insert(0, During())\n"
        "from autograd_lite_command import main\n"
        "sys.exit(main())\n"
    )
    return subprocess.run([sys.executable, "-c", script, *(argv or ("train",))],
                          capture_output=True, text=True)


def test_ctrl_c_while_the_command_starts_is_one_line_not_a_traceback():
    """Ctrl-C in the first fifth of a second lands inside an import (numpy's, the package's):
    the command's entry point, outside the package, catches it there too."""
    scripts = importlib.metadata.entry_points(group="console_scripts")
    (script,) = [s for s in scripts if s.name == "autograd-lite"]
    assert script.value == "autograd_lite_command:main"
    result = start_command("raise KeyboardInterrupt", module="numpy")
    one_line(result, 130, r"^autograd-lite: interrupted while starting$")


def test_a_real_ctrl_c_inside_numpys_import_is_one_line_not_numpys_import_error():
    """SIGINT itself (not a KeyboardInterrupt raised by hand) while numpy is imported: raised
    inside numpy's import it would become numpy's 40-line ImportError; the entry point's
    handler ends the command first."""
    result = start_command("signal.raise_signal(signal.SIGINT)")
    one_line(result, 130, r"^autograd-lite: interrupted while starting$")


def test_train_returns_the_updates_done_when_interrupted():
    data = datasets.blobs(100, seed=3)

    def stop_at_5(iteration, loss):
        if iteration == 5:
            raise KeyboardInterrupt

    history = logistic.train(data.X, data.Y, 0.1, 100, on_iteration=stop_at_5)
    five = logistic.train(data.X, data.Y, 0.1, 5)  # the 5th update was done before the callback
    assert history.interrupted and not five.interrupted
    assert history.iterations == 5
    np.testing.assert_array_equal(history.losses, five.losses)
    np.testing.assert_array_equal(history.w, five.w)
    assert history.b == five.b
    assert [it for it, _ in history.gradient_checks] == [1]


def test_ctrl_c_before_the_first_update(monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(logistic, "loss_of_logits", interrupted)
    assert cli.main(["train", "--iterations", "50"]) == 130
    err = capsys.readouterr().err
    assert err == "autograd-lite train: interrupted at iteration 1 of 50, before the first update\n"


def test_ctrl_c_anywhere_else_is_one_line(monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(datasets, "load", interrupted)
    assert cli.main(["train"]) == 130
    assert capsys.readouterr().err == "autograd-lite train: interrupted\n"


# -- the last resort: a bug is one line too, its traceback on request ---------------------------
def test_an_unexpected_error_is_one_line_naming_it(monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("something\nunexpected")

    monkeypatch.setattr(datasets, "load", broken)
    monkeypatch.delenv(cli.TRACEBACK_VARIABLE, raising=False)
    assert cli.main(["train"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("autograd-lite train: internal error: RuntimeError: something unexpected")
    assert "please report it" in err and f"{cli.TRACEBACK_VARIABLE}=1" in err
    monkeypatch.setenv(cli.TRACEBACK_VARIABLE, "1")
    with pytest.raises(RuntimeError):
        cli.main(["train"])


def test_an_os_error_names_the_file(tmp_path):
    # (--code with a folder, which raised this one, is now refused up front: see above)
    missing = tmp_path / "missing" / "file.py"
    with pytest.raises(OSError) as caught:
        missing.read_text()
    assert cli._one_line(caught.value) == f"{missing}: No such file or directory"


# -- Ctrl-C and a rising loss with --model shallow: the hidden layer's run, then the comparison
def _interrupted_at(call: int, function):
    """``function``, which raises KeyboardInterrupt (as Ctrl-C) at its ``call``-th call."""
    calls = []

    def wrapped(*args, **kwargs):
        calls.append(1)
        if len(calls) == call:
            raise KeyboardInterrupt
        return function(*args, **kwargs)

    return wrapped


def test_shallow_train_returns_the_updates_done_when_interrupted():
    data = datasets.flower(seed=1)
    X, Y = data.X.T, data.Y.T

    def stop_at_5(iteration, loss):
        if iteration == 5:
            raise KeyboardInterrupt

    history = shallow.train(X, Y, iterations=100, on_iteration=stop_at_5, record=True)
    five = shallow.train(X, Y, iterations=5)
    assert history.interrupted and not five.interrupted and "interrupted" in repr(history)
    np.testing.assert_array_equal(history.losses, five.losses)
    for got, expected in zip(history.parameters, five.parameters, strict=True):
        np.testing.assert_array_equal(got, expected)
    assert [it for it, _ in history.gradient_checks] == [1]
    assert history.recording.iterations.max() <= 5
    assert len(history.recording.parameters) == len(history.recording.iterations)


def test_ctrl_c_in_the_hidden_layers_run_reports_it_and_leaves_out_the_comparison(
    monkeypatch, capsys
):
    monkeypatch.setattr(shallow, "loss_of_logits", _interrupted_at(8, shallow.loss_of_logits))
    assert cli.main(["train", "--model", "shallow", "--iterations", "50"]) == 130
    out, err = capsys.readouterr()
    assert "(interrupted at iteration 8: what follows is the 7 iterations done)" in out
    assert "comparison with logistic regression and the pictures are left out" in out
    assert "for comparison" not in out
    assert err == "autograd-lite train: interrupted at iteration 8 of 50\n"


def test_ctrl_c_in_the_comparison_says_so_and_exits_130(monkeypatch, capsys):
    monkeypatch.setattr(logistic, "loss_of_logits", _interrupted_at(6, logistic.loss_of_logits))
    assert cli.main(["train", "--model", "shallow", "--iterations", "50"]) == 130
    out, err = capsys.readouterr()
    assert ("(the comparison was interrupted at iteration 6: its numbers are those of the "
            "5 updates done)") in out
    assert err == "autograd-lite train: interrupted at iteration 6 of the comparison's 50\n"


def test_a_rising_loss_of_either_run_of_model_shallow_is_told_and_named(capsys):
    assert cli.main(["train", "--model", "shallow", "--alpha", "1e6", "--iterations", "30"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2, err
    assert re.match(r"autograd-lite train: warning: the loss rose", err[0])  # the hidden layer's
    assert re.match(r"autograd-lite train: warning: logistic regression \(the comparison\): "
                    r"the loss rose", err[1])
    with pytest.warns(logistic.LossRisingWarning):
        data = datasets.flower(seed=1)
        shallow.train(data.X.T, data.Y.T, alpha=1e6, iterations=30)


def test_a_comparison_that_diverges_is_named(tmp_path, capsys):
    path = tmp_path / "huge.csv"
    path.write_text("1,2,1\n1e308,1e308,0\n")
    assert cli.main(["train", "--model", "shallow", "--data", str(path),
                     "--iterations", "20"]) == 2
    out, err = capsys.readouterr()
    assert "after the last update" in out  # the hidden layer's run is reported
    assert err.splitlines()[-1].startswith(
        "autograd-lite train: error: logistic regression (the comparison): training diverged"
    )


# -- numbers as a learner types them, and as the log prints them ---------------------------------
@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (["lesson", "--b", "-1e-3"], "b = -0.001"),
        (["lesson", "--w", "0.5", "-3E-1"], "w = (0.5, -0.3)"),
        (["lesson", "--x", "-1", "-.5"], "x = (-1, -0.5)"),
    ],
)
def test_negative_numbers_in_any_notation_are_values(argv, shown, capsys):
    assert cli.main(argv) == 0
    assert shown in capsys.readouterr().out.splitlines()[0]


def test_a_negative_infinity_is_refused_as_a_value_not_taken_for_an_option(capsys):
    with pytest.raises(SystemExit, match="2"):  # (argparse's usage error, as the command's)
        cli.main(["lesson", "--alpha", "-inf"])
    assert "alpha must be a positive number, got -inf" in capsys.readouterr().err


@pytest.mark.parametrize("data", ["flower", "moons", "blobs"])
def test_a_seed_outside_numpys_range_names_the_option(data, capsys):
    with pytest.raises(SystemExit, match="2"):
        cli.main(["train", "--data", data, "--seed", str(2**32)])
    assert "argument --seed: seed must be at most 4294967295" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("share", "text"),
    [(29_999 / 30_000, "99.99%"), (1.0, "100.00%"), (1 / 30_000, "0.01%"), (0.0, "0.00%"),
     (0.5, "50.00%"), (0.9996, "99.96%")],
)
def test_an_accuracy_shows_100_percent_only_when_every_example_is_right(share, text):
    assert logistic.percent(share) == text


def test_a_huge_loss_is_printed_in_six_significant_digits(capsys):
    assert cli.main(["train", "--model", "shallow", "--alpha", "1e300", "--iterations", "20"]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) < 100
    assert re.search(r"loss \d\.\d{5}e\+\d+", out)


def test_a_finite_difference_that_cannot_be_taken_is_explained_not_warned(capsys):
    assert cli.main(["lesson", "--b", "1e308"]) == 0
    out, err = capsys.readouterr()
    assert err == ""  # (numpy's 0 / 0 warning said nothing of why)
    assert "(finite diff nan: no difference could be taken there" in out
    assert "= 1e+308" in out and max(len(line) for line in out.splitlines()) < 100


def test_a_file_in_the_way_of_a_folder_is_named(tmp_path, capsys):
    (tmp_path / "steps").write_text("a file where the frames' folder goes")
    assert cli.main(["lesson", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err == (f"autograd-lite lesson: error: cannot write {tmp_path}/steps/step_00.png: "
                   f"{tmp_path}/steps: File exists\n")


# -- paths and sizes refused before anything runs --------------------------------------------
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "--out", ""], r"argument --out: cannot write pictures into an empty path"),
        (["train", "--out", "/proc/autograd_lite_x"],
         r"argument --out: cannot write pictures into /proc/autograd_lite_x: "),
        (["lesson", "--code", ""], r"argument --code: cannot write the code to an empty path"),
        (["lesson", "--code", "/tmp/" + "a" * 300 + ".py"],
         r"argument --code: cannot write the code to /tmp/a+\.py: File name too long"),
    ],
)
def test_a_path_that_cannot_be_written_is_refused_before_the_run(argv, message, capsys):
    with pytest.raises(SystemExit, match="2"):
        cli.main(argv)
    out, err = capsys.readouterr()
    assert out == "" and re.search(message, err), err


def test_no_data_name_is_an_error_listing_the_names(capsys):
    assert cli.main(["train", "--data", ""]) == 2
    assert "no data named: give one of blobs, flower" in capsys.readouterr().err


def test_a_hidden_layer_too_large_for_memory_names_hidden_before_the_run(capsys):
    assert cli.main(["train", "--model", "shallow", "--hidden", "100000000000"]) == 2
    out, err = capsys.readouterr()
    assert "one hidden layer" not in out  # refused before the run starts
    assert re.search(r"error: --hidden 100,000,000,000 on 200 examples would need about .* "
                     r"at most about [\d,]+ units", err)


def test_divergence_from_huge_features_says_to_scale_them_not_to_lower_alpha(tmp_path, capsys):
    path = tmp_path / "huge.csv"
    path.write_text("1,2,1\n1e308,1e308,0\n")
    assert cli.main(["train", "--data", str(path), "--alpha", "1e-300"]) == 2
    err = capsys.readouterr().err
    assert "the features are very large (up to 1e+308 in size)" in err
    assert "scale each to about 1 first" in err and "1e-301" not in err


def test_the_shallow_models_starting_weights_do_not_follow_the_data_seed(capsys):
    """--seed shapes the data; the starting weights are the course's (seed 2) either way, so
    flower's own default seed given by hand changes nothing."""
    argv = ["train", "--model", "shallow", "--data", "flower", "--iterations", "30"]
    assert cli.main(argv) == 0
    without = capsys.readouterr().out
    assert cli.main([*argv, "--seed", "1"]) == 0
    assert capsys.readouterr().out.replace("--seed 1", "") == without


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["train", "--view", "ops"], "(--view is an option of autograd-lite lesson)"),
        (["lesson", "--data", "flower"], "(--data is an option of autograd-lite train)"),
        (["lesson", "--hidden=4"], "(--hidden is an option of autograd-lite train)"),
        (["lesson", "--bogus"], "(see autograd-lite --help)"),
    ],
)
def test_an_option_of_the_other_command_says_whose_it_is(argv, hint, capsys):
    with pytest.raises(SystemExit, match="2"):
        cli.main(argv)
    assert capsys.readouterr().err.rstrip().endswith(hint)


def test_the_out_check_leaves_no_folder_behind_a_usage_error(tmp_path):
    result = run("lesson", "--out", str(tmp_path / "new" / "sub"), "--b", "abc")
    assert result.returncode == 2 and not (tmp_path / "new").exists()


def test_a_ctrl_c_ignored_by_the_parent_stays_ignored_while_starting():
    """Under nohup (SIGINT ignored) the start keeps it ignored, as Python would."""
    result = start_command("signal.raise_signal(signal.SIGINT)", "--version",
                           before="signal.signal(signal.SIGINT, signal.SIG_IGN)")
    assert result.returncode == 0 and result.stdout.startswith("autograd-lite "), result.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full (a Linux device)")
def test_a_full_disk_under_the_output_is_the_machines_failure_not_a_usage_error():
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "autograd_lite", "lesson"], stdout=full,
                                stderr=subprocess.PIPE, text=True)
    assert result.returncode == 1, result.stderr
    assert result.stderr == ("autograd-lite lesson: error: cannot write the output: No space "
                             "left on device\n")
