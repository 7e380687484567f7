"""`autograd-lite train --out DIR` writes DIR/training.html; --example K picks its graph."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cli_run import run

MAX_PAGE_BYTES = 5_000_000


def test_default_run_writes_a_training_page_under_5_mb(tmp_path: Path):
    result = run("train", "--out", str(tmp_path))  # the default: blobs, 1000 iterations
    assert result.returncode == 0, result.stderr
    page = tmp_path / "training.html"
    assert str(page) in result.stdout
    size = page.stat().st_size
    assert 100_000 < size < MAX_PAGE_BYTES, size
    text = page.read_text()
    frames = {int(k) for k in re.findall(r'data-frame="(\d+)"', text)}
    assert 195 <= len(frames) <= 200 and frames == set(range(len(frames)))
    assert "iteration 1000 of 1000" in text and "Example 0 alone" in text
    assert "Training replayed: blobs, 1000 iterations" in text


def test_example_picks_the_drawn_example(tmp_path: Path):
    result = run("train", "--iterations", "5", "--samples", "10", "--example", "9",
                 "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "Example 9 alone" in (tmp_path / "training.html").read_text()


@pytest.mark.parametrize(
    ("example", "message"),
    [("10", "--example 10: the data has 10 examples, so K must be 0 to 9"),
     ("-1", "example must be at least 0, got -1"),
     ("two", "example")],
)
def test_an_example_outside_the_data_is_a_one_line_error(tmp_path: Path, example, message):
    result = run("train", "--samples", "10", "--example", example, "--out", str(tmp_path))
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "training.html").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [(("--example", "3"), "--example 3 picks the example that training.html draws, which is "
      "written with --out DIR: add --out DIR, or drop --example"),
     (("--example", "0", "--model", "shallow"), "--example 0 picks the example that "
      "training.html draws, which is written with --out DIR")],
)
def test_example_where_no_training_page_is_written_is_refused(tmp_path: Path, args, message):
    args = tuple(str(tmp_path) if a == "OUT" else a for a in args)
    result = run("train", "--iterations", "5", "--samples", "10", *args)
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"autograd-lite train: error: {message}")


def test_the_hidden_layers_run_is_replayed_too(tmp_path: Path):
    result = run("train", "--model", "shallow", "--data", "flower", "--iterations", "300",
                 "--example", "7", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    page = tmp_path / "training.html"
    assert str(page) in result.stdout
    text = page.read_text()
    assert 100_000 < len(text) < MAX_PAGE_BYTES
    assert "Training replayed: flower, 300 iterations" in text and "Example 7 alone" in text
    assert "one hidden layer of 4 tanh units" in text and "decision boundary A2 = 0.5" in text
    frames = {int(k) for k in re.findall(r'data-frame="(\d+)"', text)}
    assert 195 <= len(frames) <= 200 and frames == set(range(len(frames)))

    result = run("train", "--model", "shallow", "--data", "flower", "--iterations", "5",
                 "--example", "400", "--out", str(tmp_path / "more"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--example 400: the data has 400 examples, so K must be 0 to 399" in result.stderr
    assert not (tmp_path / "more" / "training.html").exists()
