"""Delimited text: the decimal mark found in any column of a wide file, empty cells as missing on every parse
path, and a file wider than the column limit refused with one line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.errors import FileFormatError
from core.ingest import delimited
from core.ingest.limits import ReadLimits
from core.ingest.reader import read_table


def _semicolon_file(columns: int, comma_at: int | None, rows: int = 30) -> bytes:
    head = ";".join(f"c{i}" for i in range(columns))
    lines = [head]
    for r in range(rows):
        cells = [f"{r}{i}" for i in range(columns)]
        if comma_at is not None:
            cells[comma_at] = f"{r},50"
        lines.append(";".join(cells))
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(("comma_at", "decimal"), [(None, "."), (0, ","), (300, ",")])
def test_decimal_comma_is_found_in_any_column_of_a_wide_file(comma_at, decimal):
    t = read_table(_semicolon_file(400, comma_at), "eu.csv")
    assert t.details["delimiter"] == "semicolon" and t.details["decimal"] == decimal


def test_decimal_looks_at_the_first_500_cells_of_each_column():
    mostly = pd.DataFrame({"a": [None] * 100 + ["1,5"] * 300 + ["7"] * 700}, dtype=object)
    assert delimited.detect_decimal(mostly, ";") == ","  # 300 of its first 500 cells have a decimal comma
    late = pd.DataFrame({"a": ["7"] * 500 + ["1,5"] * 600}, dtype=object)
    assert delimited.detect_decimal(late, ";") == "."
    assert delimited.detect_decimal(late, ",") == "."  # a comma file never has decimal commas


@pytest.mark.parametrize("blank_line", [False, True], ids=["pyarrow", "pandas C engine"])
def test_empty_cells_are_missing_and_white_space_is_kept(blank_line):
    data = b'customer_id,note,code\nC1,,"\'-3"\n' + (b"\n" if blank_line else b"") + b'C2," ",""\n'
    t = read_table(data, "x.csv")
    assert t.frame["note"].isna().tolist() == [True, False] and t.frame["note"].iloc[1] == " "
    assert t.frame["code"].iloc[0] == "-3" and pd.isna(t.frame["code"].iloc[1])
    assert t.rows.tolist() == ([2, 4] if blank_line else [2, 3])


def test_pyarrow_path_keeps_text_as_written_and_the_original_header():
    t = read_table(b"'=total,id\n00042,12.50\n", "x.csv")
    assert list(t.frame.columns) == ["=total", "id"] and t.details["original_headers"] == ["'=total", "id"]
    assert t.frame.iloc[0].tolist() == ["00042", "12.50"]
    assert isinstance(t.frame.dtypes.iloc[0], pd.StringDtype)


def test_a_file_wider_than_the_limit_is_refused_in_one_line():
    data = (",".join(f"c{i}" for i in range(5)) + "\n" + ",".join("1" * 5) + "\n").encode()
    with pytest.raises(FileFormatError) as exc:
        read_table(data, "wide.csv", limits=ReadLimits(max_columns=4))
    assert str(exc.value) == ("The file has 5 columns, over the limit of 4: delete the columns you do not need and "
                              "save again, or raise the limit (RETENTION_MAX_COLUMNS).")
    assert read_table(data, "wide.csv", limits=ReadLimits(max_columns=5)).frame.shape == (1, 5)


def test_text_frame_converts_once_with_numbered_columns():
    import pyarrow as pa

    frame = delimited.text_frame(pa.table({"x": ["a", None], "y": ["1", "2"]}))
    assert list(frame.columns) == [0, 1] and frame[0].isna().tolist() == [False, True]
    assert frame.dtypes.iloc[0] == delimited.TEXT_DTYPE and np.isnan(frame[0].iloc[1])


def test_a_wide_short_table_is_one_block_of_text_with_the_same_cells():
    import pyarrow as pa

    wide = pa.table({f"c{i}": ["1", None, "x"] for i in range(delimited.WIDE_COLUMNS + 1)})
    frame = delimited.text_frame(wide)
    assert {str(d) for d in frame.dtypes} == {"object"} and len(frame._mgr.blocks) == 1
    assert frame[5].tolist() == ["1", None, "x"]
    narrow = delimited.text_frame(wide.select([0, 1]))
    assert narrow.dtypes.iloc[0] == delimited.TEXT_DTYPE and narrow[0].iloc[0] == "1"


# --------------------------------------------------------------------------- colon-delimited files


def _colon_file(rows: int = 40) -> bytes:
    rng = np.random.default_rng(7)
    lines = ["customer_id:date:metric:value"]
    lines += [f"C{int(i):04d}:2024-03-{int(d):02d}:login:{int(v)}"
              for i, d, v in zip(rng.integers(0, 500, rows), rng.integers(1, 29, rows), rng.integers(1, 9, rows))]
    return ("\n".join(lines) + "\n").encode()


def test_a_colon_delimited_file_is_split_into_its_columns():
    t = read_table(_colon_file(), "usage.txt")
    assert t.details["delimiter"] == "colon"
    assert list(t.frame.columns) == ["customer_id", "date", "metric", "value"] and len(t.frame) == 40
    assert t.frame["metric"].eq("login").all() and t.frame["date"].str.match(r"2024-03-\d\d$").all()


@pytest.mark.parametrize("header", [True, False])
def test_times_in_a_comma_file_do_not_make_it_colon_delimited(header):
    rows = [f"T{i},C{i % 7},2024-03-0{1 + i % 9} 08:{10 + i}:00,{i}:{i + 1}" for i in range(30)]
    text = "\n".join((["ticket_id,customer_id,opened,span"] if header else []) + rows) + "\n"
    t = read_table(text.encode(), "tickets.csv", header=header)
    assert t.details["delimiter"] == "comma" and t.frame.shape == (30, 4)
    assert t.frame.iloc[0, 2] == "2024-03-01 08:10:00"


def test_a_colon_is_taken_only_when_it_alone_gives_one_column_count():
    assert delimited.detect_delimiter("a:b:c\n1:2:3\n4:5:6\n") == ":"
    assert delimited.detect_delimiter("a:b:c\n1:2\n4:5:6\n") == ","  # ragged under ':' as well
    assert delimited.detect_delimiter("a,b\n08:26,1\n09:30,2\n") == ","  # header has no colon
    assert delimited.detect_delimiter("a;b\n08:26;1\n09:30;2\n") == ";"
    assert delimited.delim_name(":") == "colon"
