"""CSV files for `train`: delimiters, headers, errors with row and column, a single class, and a
mid-size file parsed exactly (csvdata.read_labelled_csv, datasets.from_csv)."""

import io
import re
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import csvdata, datasets
from autograd_lite.errors import DataError, DataWarning

ROWS = [[1.5, -2.0, 0.0], [3.25, 4e-3, 1.0], [-0.5, 6.0, 1.0]]
DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t", "bar": "|", "space": " "}


def write(tmp_path, text: str, name: str = "points.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def table_text(delimiter: str, rows=ROWS, header: bool = True) -> str:
    lines = [delimiter.join(("height", "weight", "label"))] if header else []
    lines += [delimiter.join(f"{v:g}" for v in row) for row in rows]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("name", DELIMITERS)
@pytest.mark.parametrize("header", [True, False])
def test_each_delimiter_is_detected(tmp_path, name, header):
    delimiter = DELIMITERS[name]
    table = csvdata.read_labelled_csv(write(tmp_path, table_text(delimiter, header=header)))
    np.testing.assert_array_equal(table.values, ROWS)
    assert table.delimiter == (None if delimiter == " " else delimiter)
    assert table.header == (("height", "weight", "label") if header else None)


def test_the_description_names_a_delimiter_other_than_comma(tmp_path):
    semi = datasets.from_csv(write(tmp_path, table_text(";"), "semi.csv"))
    assert semi.description.endswith("3 examples x 2 features, separated by ';'")
    assert semi.feature_names == ("height", "weight")
    comma = datasets.from_csv(write(tmp_path, table_text(","), "comma.csv"))
    assert comma.description.endswith("3 examples x 2 features")


@pytest.mark.parametrize(
    "text",
    [
        "1.5 \t -2   0\n 3.25\t0.004 1\n-0.5  6 1\n",  # runs of spaces and tabs
        "1.5, -2, 0\r\n3.25, 0.004, 1\r\n-0.5, 6, 1\r\n",  # Windows line ends, spaces after ','
        '"1.5","-2","0"\n"3.25","0.004","1"\n"-0.5","6","1"\n',  # quoted, as spreadsheets do
        "\n\n1.5,-2,0\n   \n3.25,0.004,1\n\t\n-0.5,6,1",  # blank lines, no final line end
        "\ufeff1.5;-2;0\n3.25;0.004;1\n-0.5;6;1\n",  # a UTF-8 byte order mark (Excel)
    ],
)
def test_the_files_people_write_are_read(tmp_path, text):
    np.testing.assert_array_equal(csvdata.read_labelled_csv(write(tmp_path, text)).values, ROWS)


@pytest.mark.parametrize(
    "text, message",
    [
        ("x1,x2,y\n1,2,0\n3,abc,1\n", "points.csv, row 3, column 2: 'abc' is not a number"),
        ("x1;x2;y\n1;2;0\n\n3;4;1\n5;x;0\n", "points.csv, row 5, column 2: 'x' is not a number"),
        ("1\t2\t0\n3\t\t1\n", "points.csv, row 2, column 2: '' is not a number"),
        ("1,2,0\n3,4,2\n", "points.csv, row 2, column 3: the label '2' is not 0 or 1"),
        ("1 2 0\n3 4 0.5\n", "points.csv, row 2, column 3: the label '0.5' is not 0 or 1"),
        (
            "1,2,0\n\n  \ninf,4,1\n",
            "points.csv, row 4, column 1: the feature 'inf' is not a finite",
        ),
        ("1,2,0\n3,4\n", "points.csv, row 2: 2 values, expected 3 (separated by ',')"),
        (
            "1,2,0\n3,4,1\n5;6;1\n",
            "points.csv, row 3: 1 value, expected 3 (separated by ','); this row is separated "
            "by ';'",
        ),
        (
            "a;b;y\n1,5;2;0\n",
            "points.csv, row 2, column 1: '1,5' is not a number (a decimal comma? write it with a "
            "point: 1.5)",
        ),
        ("a b y\n1,2,0\n", "points.csv, row 2: 1 value, expected 3 (separated by spaces); this"),
        ("a,b,c\n1,2\n", "points.csv, row 2: 2 values, expected 3"),
        ("1_0,2,0\n", "points.csv, row 1, column 1: '1_0' is not a number"),
        ("1,5;2,5;0\n", "points.csv, row 1, column 1: '1,5' is not a number (a decimal comma?"),
        ("", "points.csv: the file is empty"),
        ("\n \n\t\n", "points.csv: the file is empty"),
        ("a,b,y\n", "points.csv: has a header but no data rows"),
        ("0\n1\n", "points.csv: needs at least one feature column and a last column of labels"),
    ],
)
def test_errors_name_the_row_and_column(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(DataError) as caught:
        csvdata.read_labelled_csv(path)
    assert str(caught.value).startswith(f"{tmp_path}/{message}"), str(caught.value)


def test_files_that_are_not_csv_text(tmp_path):
    cases = {
        write(tmp_path, b"\x7fELF\x02\x01\x00\x00binary", "program"): "looks like a binary file",
        write(tmp_path, "x,y\n1,0\ngr\xf6\xdfe,1\n", "latin.csv", "latin-1"): (
            "row 3: not UTF-8 text (byte 0xf6); save the file as UTF-8"
        ),
        tmp_path / "missing.csv": "no such file",
        tmp_path: "is a directory, not a CSV file",
    }
    for path, message in cases.items():
        with pytest.raises(DataError, match=re.escape(message)):
            csvdata.read_labelled_csv(path)


def test_a_file_with_a_single_class_loads_with_a_warning(tmp_path):
    path = write(tmp_path, "1,2,1\n3,4,1\n5,6,1\n")
    with pytest.warns(DataWarning, match="every one of the 3 labels is 1 \\(a single class\\)"):
        data = datasets.from_csv(path)
    assert data.Y.ravel().tolist() == [1, 1, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        datasets.from_csv(write(tmp_path, "1,2,1\n3,4,0\n", "two.csv"))  # two classes: silent


def test_a_mid_size_file_is_parsed_exactly(tmp_path):
    rng = np.random.default_rng(7)
    m = 30_000
    X = rng.normal(size=(m, 3)) * 10.0 ** rng.integers(-5, 6, size=(m, 3))
    Y = rng.integers(0, 2, size=(m, 1)).astype(float)
    path = tmp_path / "mid.csv"
    with path.open("w") as file:
        file.write("a,b,c,label\n")
        np.savetxt(file, np.hstack([X, Y]), fmt=["%.17g"] * 3 + ["%d"], delimiter=",")
    data = datasets.from_csv(path)
    np.testing.assert_array_equal(data.X, X)  # %.17g round-trips a float64 exactly
    np.testing.assert_array_equal(data.Y, Y)
    assert data.feature_names == ("a", "b", "c")

    # a bad cell far down the file: the row counts the header and every line before it
    lines = path.read_text().splitlines()
    lines[m - 10] = lines[m - 10].replace(",", ",oops", 1)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=f"row {m - 9}, column 2: 'oops"):
        datasets.from_csv(path)


@given(
    values=st.lists(
        st.tuples(
            st.floats(allow_nan=False, allow_infinity=False, width=64),
            st.floats(allow_nan=False, allow_infinity=False, width=64),
            st.sampled_from([0.0, 1.0]),
        ),
        min_size=1,
        max_size=30,
    ),
    delimiter=st.sampled_from([",", ";", "\t", "|", " ", "  "]),
    header=st.booleans(),
)
def test_any_table_round_trips(tmp_path_factory, values, delimiter, header):
    text = ("x1" + delimiter + "x2" + delimiter + "y\n") if header else ""
    text += "".join(delimiter.join(repr(v) for v in row) + "\n" for row in values)
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_text(text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)  # one class, when every label is the same
        table = csvdata.read_labelled_csv(path)
    np.testing.assert_array_equal(table.values, np.array(values))


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("terminal", [True, False])
def test_the_progress_bar_shows_on_a_terminal_only(tmp_path, monkeypatch, terminal):
    monkeypatch.setattr(csvdata, "PROGRESS_DELAY", 0.0)  # at once, instead of after a second
    stderr = _Terminal() if terminal else io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    path = write(tmp_path, table_text(","))
    csvdata.read_labelled_csv(path, progress=True)
    assert ("reading points.csv" in stderr.getvalue()) == terminal
    stderr.truncate(0)
    csvdata.read_labelled_csv(path)  # not asked for: never
    assert stderr.getvalue() == ""


@pytest.mark.parametrize(
    "text",
    ["# made by hand\n1,2,1\n3,4,0\n", "x1,x2,y\n# a note\n1,2,1\n  # indented\n3,4,0\n",
     "x1,x2,y\n1,2,1 # the first\n3,4,0\n"],
)
def test_comment_lines_are_skipped_as_numpy_loadtxt_skips_them(tmp_path, text):
    data = datasets.from_csv(write(tmp_path, text))
    np.testing.assert_array_equal(data.X, [[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(data.Y.ravel(), [1.0, 0.0])
