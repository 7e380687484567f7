"""The `autograd-lite` command, run as a user runs it: in a subprocess."""

import re
import struct
from pathlib import Path

import pytest
from cli_run import PNG_SIGNATURE, run


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk, after checking the signature."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    return struct.unpack(">II", data[16:24])


# -- lesson ----------------------------------------------------------------------------------------
def test_lesson_prints_the_lessons_numbers():
    result = run("lesson")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "z = w1*x1 + w2*x2 + b = 0.5*1 + (-0.3)*2 + 0.1 = 0.000000" in out
    assert "a = sigmoid(z) = 1 / (1 + e^-z) = 0.500000" in out
    assert "L = -(y log a + (1-y) log(1-a)) = 0.693147" in out
    rows = {
        line.split()[0]: line.split()
        for line in out.splitlines()
        if line.strip().startswith(("da ", "dz ", "dw1 ", "dw2 ", "db "))
    }
    assert set(rows) == {"da", "dz", "dw1", "dw2", "db"}
    expected = {"da": -2.0, "dz": -0.5, "dw1": -0.5, "dw2": -1.0, "db": -0.5}
    for name, want in expected.items():
        autodiff, closed, numeric, largest = (float(v) for v in rows[name][-4:])
        assert autodiff == closed == want
        assert numeric == pytest.approx(want, abs=1e-8) and largest < 1e-8
    assert "w1 = w1 - alpha * dw1 = 0.5 - 0.1 * (-0.5) = 0.55" in out
    assert "w2 = w2 - alpha * dw2 = -0.3 - 0.1 * (-1) = -0.2" in out
    assert "b  = b - alpha * db = 0.1 - 0.1 * (-0.5) = 0.15" in out
    before, after = map(float, re.search(r"goes from (\S+) to (\S+)", out).groups())
    assert after < before
    assert result.stderr == ""


def test_lesson_with_other_numbers():
    result = run(
        "lesson",
        "--x",
        "1",
        "2",
        "3",
        "--w",
        "0.1",
        "0.2",
        "0.3",
        "--b",
        "-1",
        "--y",
        "0",
        "--alpha",
        "0.5",
    )
    assert result.returncode == 0, result.stderr
    # z = 0.1 + 0.4 + 0.9 - 1 = 0.4, a = sigmoid(0.4), dz = a - 0
    a = 1 / (1 + 2.718281828459045**-0.4)
    assert f"a = sigmoid(z) = 1 / (1 + e^-z) = {a:.6f}" in result.stdout
    dw3 = next(line for line in result.stdout.splitlines() if line.strip().startswith("dw3"))
    assert float(dw3.split()[-4]) == pytest.approx(3 * a, abs=1e-9)


# -- train -----------------------------------------------------------------------------------------
def test_train_on_blobs_writes_labelled_pictures(tmp_path):
    out = tmp_path / "pictures"
    result = run("train", "--iterations", "200", "--out", str(out))
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "blobs: 200 examples x 2 features" in text
    losses = [float(v) for v in re.findall(r"iteration +\d+: loss (\S+)", text)]
    assert losses[0] == pytest.approx(0.693147) and losses[-1] < losses[0]
    accuracy = float(re.search(r"training accuracy (\S+)%", text).group(1))
    assert accuracy >= 90
    gaps = [
        float(g)
        for g in re.search(
            r"max abs difference (\S+) at iteration 1, (\S+) at iteration 200", text
        ).groups()
    ]
    assert max(gaps) < 1e-12
    assert png_size(out / "loss_curve.png") == (770, 495)
    assert png_size(out / "decision_boundary.png") == (715, 682)
    assert str(out / "loss_curve.png") in text and str(out / "decision_boundary.png") in text
    assert result.stderr == ""  # no progress bar off a terminal, no warnings


def test_train_on_breast_cancer_beside_sklearn(tmp_path):
    pytest.importorskip("sklearn")
    result = run(
        "train",
        "--data",
        "breast-cancer",
        "--alpha",
        "0.5",
        "--iterations",
        "300",
        "--loss",
        "fused",
        "--out",
        str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "569 examples x 30 features (standardised)" in text
    ours, theirs = (
        float(v) for v in re.search(r"training accuracy +(\S+)% +(\S+)%", text).groups()
    )
    assert ours >= 97 and theirs >= 97
    assert re.search(r"final loss +\d\.\d+ +\d\.\d+", text)
    assert png_size(tmp_path / "loss_curve.png") == (770, 495)
    assert not (tmp_path / "decision_boundary.png").exists()  # 30 features: no boundary


def test_train_on_a_csv_with_a_header(tmp_path):
    csv = tmp_path / "points.csv"
    csv.write_text("height,weight,label\n1,1,0\n2,1,0\n1,2,0\n4,5,1\n5,4,1\n5,5,1\n")
    result = run(
        "train",
        "--data",
        str(csv),
        "--alpha",
        "0.5",
        "--iterations",
        "300",
        "--out",
        str(tmp_path / "out"),
    )
    assert result.returncode == 0, result.stderr
    assert "6 examples x 2 features" in result.stdout
    assert "training accuracy 100.00%" in result.stdout
    assert png_size(tmp_path / "out" / "decision_boundary.png") == (715, 682)


def test_train_on_a_csv_without_a_header(tmp_path):
    csv = tmp_path / "points.csv"
    csv.write_text("0.5,0\n1.5,0\n3.5,1\n4.5,1\n")
    result = run("train", "--data", str(csv), "--iterations", "50")
    assert result.returncode == 0, result.stderr
    assert "4 examples x 1 features" in result.stdout
    assert "--out DIR" in result.stdout


# -- bad input: one line on stderr, exit code 2, no traceback --------------------------------------
BAD_FILES = {
    "bad_value.csv": ("x1,x2,y\n1,2,0\n3,abc,1\n", "bad_value.csv, row 3, column 2: 'abc'"),
    "bad_label.csv": ("1,2,0\n3,4,2\n", "bad_label.csv, row 2, column 3: the label '2'"),
    "nan.csv": ("1,2,0\nnan,4,1\n", "nan.csv, row 2, column 1: the feature 'nan'"),
    "short.csv": ("1,2,0\n3,4\n", "short.csv, row 2: 2 values, expected 3"),
    "empty.csv": ("", "empty.csv: the file is empty"),
    "header_only.csv": ("a,b,y\n", "header_only.csv: has a header but no data rows"),
    "one_column.csv": ("0\n1\n", "one_column.csv: needs at least one feature column"),
}


@pytest.mark.parametrize(
    "args, message",
    [
        (("train", "--data", "missing.csv"), "missing.csv: no such file"),
        *((("train", "--data", name), message) for name, (_, message) in BAD_FILES.items()),
        (("train", "--alpha", "0"), "alpha must be a positive number, got 0"),
        (("train", "--alpha", "-0.5"), "alpha must be a positive number, got -0.5"),
        (("train", "--alpha", "fast"), "alpha must be a number, got 'fast'"),
        (("train", "--iterations", "0"), "iterations must be at least 1, got 0"),
        (("train", "--iterations", "ten"), "iterations must be a whole number"),
        (("train", "--loss", "mse"), "invalid choice: 'mse'"),
        (
            ("train", "--alpha", "1e308", "--iterations", "5"),
            "diverged at iteration 2: .* try a smaller alpha",
        ),
        (("lesson", "--y", "2"), "the label y must be 0 or 1, got '2'"),
        (("lesson", "--x", "1", "2", "3"), "--x has 3 value\\(s\\) and --w has 2"),
        (("lesson", "--b", "nan"), "'nan' is not a finite number"),
        (("lesson", "--alpha", "-1"), "alpha must be a positive number"),
        ((), "required: {lesson,train}"),
        (("fly",), "invalid choice: 'fly'"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(tmp_path, args, message):
    for name, (content, _) in BAD_FILES.items():
        (tmp_path / name).write_text(content)
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("autograd-lite")
    assert re.search(message, lines[0]), lines[0]


def test_an_unwritable_out_folder_is_named(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run("train", "--iterations", "5", "--out", str(blocker / "pictures"))
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    assert (
        f"cannot write pictures into {blocker / 'pictures'}: {blocker} is a file" in result.stderr
    )
    assert result.stdout == ""  # refused before training
