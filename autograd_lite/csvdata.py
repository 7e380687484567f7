"""Reading a CSV file of numbers whose last column is a 0/1 label: fast, with errors that name
the row and the column.

The delimiter is detected from the first rows: ',', ';', a tab, '|' or runs of spaces. numpy's
loadtxt then parses the whole file in C; only if it refuses the file is the file read again row
by row in Python, to say which row and column is wrong and why. Rows are numbered as an editor
numbers lines, from 1; blank lines are skipped.
"""

from __future__ import annotations

import csv
import os
import re
import stat
import sys
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import DataError

DELIMITERS: tuple[str | None, ...] = (";", ",", "\t", "|", None)  # None: runs of blanks
SAMPLE_ROWS = 50  # rows the delimiter is detected from
PROGRESS_DELAY = 1.0  # seconds of reading before the progress bar shows
_DECIMAL_COMMA = re.compile(r"\s*[+-]?\d+,\d+\s*")


@dataclass(frozen=True)
class LabelledTable:
    """The numbers of a CSV file, (rows, columns) float64: features, then the 0/1 label."""

    values: np.ndarray
    header: tuple[str, ...] | None  # the column names, if the first row held no number
    delimiter: str | None  # None: runs of spaces or tabs


def delimiter_name(delimiter: str | None) -> str:
    return {"\t": "tabs", None: "spaces"}.get(delimiter, repr(delimiter))


def read_labelled_csv(path: str | Path, progress: bool = False) -> LabelledTable:
    """The file's numbers, every label checked to be 0 or 1 and every feature finite.

    ``progress``: show a progress bar (tqdm, on a terminal only) once reading takes a second.
    Raises DataError naming the file, and the row and column where that is the problem.
    """
    path = Path(path)
    size = _regular_file_size(path)
    _refuse_binary(path)
    try:
        file = path.open(encoding="utf-8-sig")
    except OSError as err:
        raise DataError(f"{path}: cannot read it ({err.strerror})") from None
    with file, _ProgressBar(path, file, size, shown=progress):
        layout = _find_layout(path, file)
        values = _load(path, file, layout)
        _check_values(path, file, layout, values)
    return LabelledTable(values, layout.header, layout.delimiter)


# -- the file ------------------------------------------------------------------------------------
def _regular_file_size(path: Path) -> int:
    """The file's size in bytes, or a DataError saying why it cannot be read."""
    try:
        mode = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise DataError(f"{path}: no such file") from None
    except OSError as err:
        raise DataError(f"{path}: cannot read it ({err.strerror})") from None
    if stat.S_ISDIR(mode.st_mode):
        raise DataError(f"{path}: is a directory, not a CSV file")
    if not stat.S_ISREG(mode.st_mode):
        raise DataError(f"{path}: is not a regular file (a pipe or a device?); save it to a file")
    return mode.st_size


def _refuse_binary(path: Path) -> None:
    try:
        with path.open("rb") as file:
            start = file.read(1 << 16)
    except OSError as err:
        raise DataError(f"{path}: cannot read it ({err.strerror})") from None
    if b"\0" in start:
        raise DataError(f"{path}: looks like a binary file, not CSV text (it holds NUL bytes)")


def _undecodable(path: Path) -> DataError:
    """The error for a file that is not UTF-8, naming the first row that is not."""
    with path.open("rb") as file:
        for row, line in enumerate(file, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as err:
                return DataError(
                    f"{path}, row {row}: not UTF-8 text (byte 0x{line[err.start]:02x}); "
                    "save the file as UTF-8"
                )
    return DataError(f"{path}: not UTF-8 text; save the file as UTF-8")


class _ProgressBar:
    """tqdm, fed by the position of the file's descriptor polled from a thread: numpy reads the
    file in C, with no hook to report how far it got. Only on a terminal, and only once
    reading has taken a second."""

    def __init__(self, path: Path, file, size: int, shown: bool) -> None:
        self.path, self.fd, self.size, self.shown = path, file.fileno(), size, shown
        self.stop = threading.Event()
        self.bar = self.thread = None

    def __enter__(self) -> _ProgressBar:
        if not self.shown:
            return self
        from tqdm import tqdm

        self.bar = tqdm(
            total=self.size,
            desc=f"reading {self.path.name}",
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            delay=PROGRESS_DELAY,
            disable=None,
            leave=False,
            file=sys.stderr,
        )
        if not self.bar.disable:
            self.thread = threading.Thread(target=self._poll, daemon=True)
            self.thread.start()
        return self

    def _poll(self) -> None:
        while not self.stop.wait(0.1):
            try:
                position = os.lseek(self.fd, 0, os.SEEK_CUR)
            except OSError:  # closed
                return
            self.bar.update(position - self.bar.n)

    def __exit__(self, *exc) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join()
        if self.bar is not None:
            self.bar.close()


def _rows(path: Path, file, start: tuple[int, int]) -> Iterator[tuple[int, str]]:
    """(row number, line) for the non-blank lines from ``start`` = (offset, row) on."""
    offset, first_row = start
    file.seek(offset)
    try:
        for row, line in enumerate(file, start=first_row):
            if _holds_data(line):
                yield row, line
    except UnicodeDecodeError:
        raise _undecodable(path) from None


def _holds_data(line: str) -> bool:
    """Not blank, and not a comment: a line whose first character (after spaces) is #, as
    numpy.loadtxt skips them."""
    text = line.lstrip()
    return bool(text) and not text.startswith("#")


# -- the first rows: header and delimiter --------------------------------------------------------
@dataclass(frozen=True)
class _Layout:
    header: tuple[str, ...] | None
    delimiter: str | None
    columns: int
    data: tuple[int, int]  # where the data rows start: (file offset, row number)


def _find_layout(path: Path, file) -> _Layout:
    """The header (a first row without any number), the delimiter and the number of columns,
    from the first rows of the file."""
    sample: list[str] = []
    first = after = None  # (offset, row) of the first non-blank line, and of the line after it
    row = 0
    try:
        while len(sample) <= SAMPLE_ROWS:
            offset, line = file.tell(), file.readline()
            if not line:
                break
            row += 1
            if _holds_data(line):
                if first is None:
                    first, after = (offset, row), (file.tell(), row + 1)
                sample.append(line.rstrip("\r\n"))
    except UnicodeDecodeError:
        raise _undecodable(path) from None
    if not sample:
        raise DataError(f"{path}: the file is empty")
    delimiter = _detect_delimiter(sample)
    cells = _split(sample[0], delimiter)
    header = None
    if not any(_is_number(cell) for cell in cells):
        header = tuple(cell.strip() for cell in cells)
    if len(cells) < 2:
        raise DataError(
            f"{path}: needs at least one feature column and a last column of labels; "
            f"found one column (no ',', ';', tab, '|' or spaces between values)"
        )
    return _Layout(header, delimiter, len(cells), after if header else first)


def _detect_delimiter(sample: list[str]) -> str | None:
    """The delimiter that splits the first row into 2 cells or more and the most rows into as
    many cells as the first, then the one that gives the most numbers; ties go to the earlier of
    DELIMITERS (';' before ',': where both split every row alike, ',' is the decimal comma)."""
    best, best_score = ",", None
    for delimiter in DELIMITERS:
        cells = [_split(line, delimiter) for line in sample]
        if len(cells[0]) < 2:
            continue
        alike = sum(len(row) == len(cells[0]) for row in cells)
        numbers = sum(_is_number(cell) for row in cells for cell in row)
        score = (alike, numbers / sum(len(row) for row in cells))
        if best_score is None or score > best_score:
            best, best_score = delimiter, score
    return best


def _split(line: str, delimiter: str | None) -> list[str]:
    if delimiter is None:
        return line.split()
    if '"' in line:
        return next(csv.reader([line], delimiter=delimiter))
    return line.split(delimiter)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return "_" not in cell  # float() takes 1_000, numpy.loadtxt does not


# -- the numbers -------------------------------------------------------------------------------
def _load(path: Path, file, layout: _Layout) -> np.ndarray:
    """numpy.loadtxt on the data rows; if it refuses them, the rows one by one, to say where."""
    options = dict(delimiter=layout.delimiter, comments="#", quotechar='"', ndmin=2)
    lines = _rows(path, file, layout.data)
    file.seek(layout.data[0])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "input contained no data"
            # the file itself first (C all the way), then without blank lines, which
            # loadtxt skips only when they are empty, not when they hold spaces
            try:
                values = np.loadtxt(file, dtype=np.float64, **options)
            except ValueError:
                values = np.loadtxt((line for _, line in lines), dtype=np.float64, **options)
    except UnicodeDecodeError:
        raise _undecodable(path) from None
    except ValueError as err:
        _raise_first_error(path, file, layout)
        raise DataError(f"{path}: {err}") from None  # numpy refused what Python accepts
    if values.shape[0] == 0:
        raise DataError(f"{path}: has a header but no data rows")
    if values.shape[1] != layout.columns:
        _raise_first_error(path, file, layout)
        raise DataError(f"{path}: {values.shape[1]} columns, expected {layout.columns}")
    return values


def _raise_first_error(path: Path, file, layout: _Layout) -> None:
    """The slow way, one row at a time: raises DataError at the first cell that is wrong."""
    for row, line in _rows(path, file, layout.data):
        cells = _split(line, layout.delimiter)
        if len(cells) != layout.columns:
            raise DataError(_wrong_count(path, row, line, cells, layout))
        for column, cell in enumerate(cells, start=1):
            if not _is_number(cell):
                raise DataError(f"{path}, row {row}, column {column}: {_not_a_number(cell)}")


def _wrong_count(path: Path, row: int, line: str, cells: list[str], layout: _Layout) -> str:
    text = (
        f"{path}, row {row}: {len(cells)} value{'s' if len(cells) != 1 else ''}, "
        f"expected {layout.columns} (separated by {delimiter_name(layout.delimiter)})"
    )
    others = [
        d for d in DELIMITERS if d != layout.delimiter and len(_split(line, d)) == layout.columns
    ]
    if others:
        text += f"; this row is separated by {delimiter_name(others[0])}"
    return text


def _not_a_number(cell: str) -> str:
    text = f"{cell.strip()!r} is not a number"
    if _DECIMAL_COMMA.fullmatch(cell):
        text += " (a decimal comma? write it with a point: " + cell.strip().replace(",", ".") + ")"
    return text


def _check_values(path: Path, file, layout: _Layout, values: np.ndarray) -> None:
    """Labels must be 0 or 1, features finite: the first bad cell, by row then column."""
    labels = values[:, -1]
    if np.isfinite(values[:, :-1]).all() and ((labels == 0) | (labels == 1)).all():
        return
    bad = ~np.isfinite(values)
    bad[:, -1] = (labels != 0) & (labels != 1)
    index, column = (int(i) for i in np.argwhere(bad)[0])
    row, line = next(item for i, item in enumerate(_rows(path, file, layout.data)) if i == index)
    cell = _split(line, layout.delimiter)[column].strip()
    where = f"{path}, row {row}, column {column + 1}"
    if column == layout.columns - 1:
        raise DataError(f"{where}: the label {cell!r} is not 0 or 1")
    raise DataError(f"{where}: the feature {cell!r} is not a finite number")
