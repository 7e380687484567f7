"""The CSV row: `train --data FILE.csv` reads a generated file of 1.5 million rows (about 50 MB)
with datasets.from_csv; the floor is numpy.loadtxt on the same file (the issue's target: at most
2x its time, with the delimiter detected and errors naming the row and column)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import numpy as np

from autograd_lite import datasets

from .workloads import Case, Contender, Result

CSV_ROWS = 1_500_000


def csv_file(rows: int, seed: int = 3) -> tuple[Path, np.ndarray, np.ndarray]:
    """A file of 4 features and a 0/1 label; the features are multiples of 1/8, which print
    and parse exactly, so both readers must give exactly X and Y."""
    rng = np.random.default_rng(seed)
    X = rng.integers(-80_000, 80_001, size=(rows, 4)) / 8.0
    Y = rng.integers(0, 2, size=(rows, 1)).astype(np.float64)
    folder = Path(tempfile.mkdtemp(prefix="autograd-lite-csv-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "points.csv"
    with path.open("w") as file:
        file.write("x1,x2,x3,x4,y\n")
        np.savetxt(file, np.hstack([X, Y]), fmt=["%.10g"] * 4 + ["%d"], delimiter=",")
    return path, X, Y


def loadtxt_floor(path: Path) -> Result:
    values = np.loadtxt(path, delimiter=",", skiprows=1)
    return {"X": values[:, :-1], "Y": values[:, -1:]}


def from_csv_engine(path: Path) -> Result:
    data = datasets.from_csv(path)
    return {"X": data.X, "Y": data.Y}


def csv_case(rows: int = CSV_ROWS) -> Case:
    path, X, Y = csv_file(rows)
    size = path.stat().st_size
    return Case(
        key="CSV",
        title=f"CSV parse: {rows:,} rows x 5 columns, {size / 2**20:.0f} MiB",
        floor=Contender("numpy.loadtxt", lambda: loadtxt_floor(path), role="floor"),
        contenders=[
            Contender("autograd_lite datasets.from_csv", lambda: from_csv_engine(path), "engine")
        ],
        expected={"X": X, "Y": Y},
        rtol=0.0,
        target=2.0,
        target_of="autograd_lite datasets.from_csv",
        notes=["from_csv detects the delimiter and header, then checks every label and value"],
        data=path,
    )
