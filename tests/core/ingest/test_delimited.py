"""Delimited text: the decimal mark found in any column of a wide file, empty cells as missing on every parse
path, a file wider than the column limit refused with one line, the first line and blank lines between rows found
without copying the text, and quoted newlines, cp1252 and ragged files read right, with their row numbers."""

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


# --------------------------------------------------------------------------- the first line and blank lines


@pytest.mark.parametrize(("text", "line"), [
    ("id,name\nA,b\n", "id,name"),
    ("\n\n  \t\nid,name\nA,b\n", "id,name"),  # leading blank lines skipped
    ("\r\n\r\nid,name\r\nA,b\r\n", "id,name"),  # Windows line ends
    (" \r\nid,name\r\n", "id,name"),
    ("id,name", "id,name"),  # a file of one line without a newline
    ("\n\nid,name", "id,name"),
    ("id,name\r\n", "id,name"),
    ("  id , name  \nA,b\n", "  id , name  "),  # only the line end goes
    ("\n \n", ""),
], ids=repr)
def test_first_line_is_the_first_line_with_text(text, line):
    assert delimited.first_line(text) == line


@pytest.mark.parametrize(("text", "blank"), [
    ("a\nb\n", False), ("\n\n\na\nb\n", False), ("a\nb\n\n\n", False), ("a\nb\n \n\t\n", False),
    (" \t\n\r\na\r\nb", False), ("", False), ("\n \n", False), ("a", False), ("a\r\nb\r\n\r\n", False),
    ("a\n\nb\n", True), ("a\n \t\nb\n", True), ("a\r\n\r\nb\r\n", True), ("a\r\n \r\nb", True),
    ("\n\na\n\nb\n\n", True), ("a\nb\n\nc", True),
], ids=repr)
def test_only_a_blank_line_between_lines_of_text_counts(text, blank):
    assert delimited.has_blank_lines(text) is blank


# --------------------------------------------------------------------------- files read right through the reader


def test_a_quoted_newline_inside_a_cell_is_one_row():
    data = b'id,note,n\nA,"x\ny",1\nB,z,2\nC,"p\r\nq, r",3\n'
    t = read_table(data, "notes.csv")
    assert t.frame.dtypes.iloc[1] == delimited.TEXT_DTYPE  # read by pyarrow, from the bytes
    assert t.frame.to_dict("list") == {"id": ["A", "B", "C"], "note": ["x\ny", "z", "p\r\nq, r"], "n": ["1", "2", "3"]}
    assert t.rows.tolist() == [2, 3, 4]
    bare = read_table(b'B,z,2\nA,"x\ny",1\nC,w,3\n', "notes.csv", header=False)  # no header: rows count from 1
    assert bare.frame.dtypes.iloc[1] == delimited.TEXT_DTYPE
    assert bare.frame["column_2"].tolist() == ["z", "x\ny", "w"] and bare.rows.tolist() == [1, 2, 3]


def test_a_quoted_blank_line_and_a_blank_line_between_rows_keep_the_row_numbers():
    data = b'id,note\nA,"x\n\ny"\n\nB,z\n'  # the blank lines send the file to pandas' reader
    t = read_table(data, "notes.csv")
    assert t.frame.to_dict("list") == {"id": ["A", "B"], "note": ["x\n\ny", "z"]}
    assert t.rows.tolist() == [2, 4]  # as Excel shows them: the multi-line cell is one row, the blank line one


@pytest.mark.parametrize("blank_line", [False, True], ids=["pyarrow", "pandas C engine"])
def test_a_cp1252_file_reads_right(blank_line):
    text = 'customer_id,name\nC1,Café\nC2,"naïve – “quoted”\nsecond line"\n' + ("\n" if blank_line else "")
    text += "C3,Zoë €5\n"
    t = read_table(text.encode("cp1252"), "legacy.csv")
    assert t.details["encoding"] == "cp1252"
    assert t.frame["name"].tolist() == ["Café", "naïve – “quoted”\nsecond line", "Zoë €5"]
    assert t.rows.tolist() == ([2, 3, 5] if blank_line else [2, 3, 4])


def test_a_ragged_utf8_file_is_read_from_its_bytes_by_pandas():
    """pyarrow refuses a short row; the decoded text is gone by then, so pandas decodes the bytes again."""
    t = read_table("a,b,c\n1,2\né,4,5\n".encode(), "ragged.csv")
    assert t.frame.to_dict("list") == {"a": ["1", "é"], "b": ["2", "4"], "c": [None, "5"]}
    assert t.rows.tolist() == [2, 3]


def _a_multi_line_cell_across_a_block(block: int = 8 << 20) -> tuple[bytes, list[str]]:
    """A file just over pyarrow's block (arrow_table reads 8 MB at a time) with a quoted two-line cell whose line
    break is the last one before the block's end; and the customer ids of its rows."""
    head = "customer_id,note,score\n"
    k = (block - 100 - len(head)) // 22  # rows of 22 bytes up to about 100 bytes before the block's end
    lead, tail = 'M0000000,"line one', "\nline two, with comma" + "z" * 200
    body = head + "".join(f"C{i:07d},plain note,{i % 10}\n" for i in range(k))
    assert len(body) + len(lead) < block < len(body) + len(lead) + len(tail)
    body += lead + tail + '",3\n' + "".join(f"A{i:07d},after,{i}\n" for i in range(3))
    return body.encode(), [f"C{i:07d}" for i in range(k)] + ["M0000000"] + [f"A{i:07d}" for i in range(3)]


def test_a_multi_line_cell_at_a_block_boundary_stays_one_row():
    data, ids = _a_multi_line_cell_across_a_block()
    t = read_table(data, "feedback.csv")
    got = t.frame["customer_id"].to_numpy(dtype=object)
    assert len(got) == len(ids) and (got[-4:] == np.array(ids[-4:], dtype=object)).all(), got[-5:]
    assert (got == np.array(ids, dtype=object)).all()
    assert t.frame["note"].iloc[-4] == "line one\nline two, with comma" + "z" * 200
    assert t.rows[-4:].tolist() == [len(ids) - 2, len(ids) - 1, len(ids), len(ids) + 1]
