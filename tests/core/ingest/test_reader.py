"""Reading uploads as text: delimiters, encodings, messy headers, header detection, workbooks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from core.errors import FileFormatError
from core.ingest.reader import clean_headers, read_table, workbook_sheets
from tests.conftest import xlsx_bytes

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data"
CDNOW_MASTER = SHARED / "cdnow" / "CDNOW_master.txt"
CDNOW_SAMPLE = SHARED / "cdnow" / "CDNOW_sample.txt"


# --------------------------------------------------------------------------- delimiters


@pytest.mark.parametrize(("sep", "name"), [(",", "comma"), (";", "semicolon"), ("\t", "tab"), ("|", "pipe")])
def test_delimiter_detection(sep, name):
    text = sep.join(["customer_id", "plan", "mrr"]) + "\n"
    text += "".join(sep.join([f"C{i}", "Pro plan", f"{i}.50"]) + "\n" for i in range(1, 6))
    t = read_table(text.encode(), "upload.csv")
    assert t.details["delimiter"] == name
    assert list(t.frame.columns) == ["customer_id", "plan", "mrr"]
    assert t.frame.iloc[0].tolist() == ["C1", "Pro plan", "1.50"]
    assert t.rows.tolist() == [2, 3, 4, 5, 6]


def test_semicolon_file_keeps_decimal_commas_inside_the_cell():
    t = read_table(b"customer_id;amount\nC1;1,50\nC2;2,75\n", "eu.csv")
    assert t.details["delimiter"] == "semicolon"
    assert t.frame["amount"].tolist() == ["1,50", "2,75"]


def test_quoted_delimiters_and_line_breaks_stay_in_one_cell():
    data = b'customer_id,comment\nC1,"late, again"\nC2,"two\nlines"\nC3,ok\n'
    t = read_table(data, "c.csv")
    assert t.frame["comment"].tolist() == ["late, again", "two\nlines", "ok"]
    assert t.rows.tolist() == [2, 3, 4]  # one row per record, as Excel shows it


def test_whitespace_aligned_log_like_cdnow():
    data = (b" customer_id  date number_of_cds  dollar_value\r\n"
            b" 00001 19970101  1   11.77\r\n"
            b" 00002 19970112  1   12.00\r\n"
            b" 00002 19970112  5   77.00\r\n")
    t = read_table(data, "cdnow.txt")
    assert t.details["delimiter"] == "whitespace"
    assert list(t.frame.columns) == ["customer_id", "date", "number_of_cds", "dollar_value"]
    assert t.frame["customer_id"].tolist() == ["00001", "00002", "00002"]  # zero padding kept
    assert t.frame["dollar_value"].tolist() == ["11.77", "12.00", "77.00"]
    assert t.rows.tolist() == [2, 3, 4]


def test_real_cdnow_master_file():
    t = read_table(CDNOW_MASTER.read_bytes(), CDNOW_MASTER.name)
    assert t.details["delimiter"] == "whitespace"
    assert t.details["header"] is True
    assert list(t.frame.columns) == ["customer_id", "date", "number_of_cds", "dollar_value"]
    assert len(t.frame) == 69_659
    assert t.frame["customer_id"].str.len().eq(5).all()
    assert t.frame["customer_id"].iloc[0] == "00001"
    assert t.frame["customer_id"].nunique() == 23_570


def test_real_cdnow_sample_has_no_header():
    t = read_table(CDNOW_SAMPLE.read_bytes(), CDNOW_SAMPLE.name)
    assert t.details["header"] is False
    assert list(t.frame.columns) == [f"column_{i}" for i in range(1, 6)]
    assert len(t.frame) == 6_919
    assert t.rows[0] == 1


# --------------------------------------------------------------------------- encodings


def test_utf8_bom_is_not_part_of_the_first_header():
    t = read_table("\ufeffcustomer_id,name\nC1,Zoë\n".encode("utf-8"), "bom.csv")
    assert t.details["encoding"] == "utf-8-sig"
    assert list(t.frame.columns) == ["customer_id", "name"]
    assert t.frame["name"].tolist() == ["Zoë"]


def test_utf8_without_bom():
    t = read_table("customer_id,name\nC1,Jürgen\nC2,東京\n".encode(), "u.csv")
    assert t.details["encoding"] == "utf-8"
    assert t.frame["name"].tolist() == ["Jürgen", "東京"]


def test_cp1252_cafe():
    data = "customer_id,name\nC1,Café\n".encode("cp1252")
    assert b"Caf\xe9" in data
    t = read_table(data, "w.csv")
    assert t.frame["name"].tolist() == ["Café"]
    assert t.details["encoding"] not in ("utf-8", "utf-8-sig")


def test_cp1252_typographic_quotes_and_dashes():
    names = ["Crème brûlée – “quoted”", "Café"]
    data = ("customer_id,name\n" + "".join(f"C{i},{n}\n" for i, n in enumerate(names))).encode("cp1252")
    t = read_table(data, "w.csv")
    assert t.frame["name"].tolist() == names


def test_cp1252_western_names_are_not_mangled():
    """A short Windows-1252 export (Excel "CSV" on a Western Windows) with everyday accented names."""
    names = ["Hélène Dupont", "José Núñez", "Zoë Åström", "François Müller"]
    data = ("customer_id,name\n" + "".join(f"C{i},{n}\n" for i, n in enumerate(names))).encode("cp1252")
    t = read_table(data, "w.csv")
    assert t.frame["name"].tolist() == names


def test_utf16_unicode_text_export_is_read():
    """Excel's "Unicode Text" export: UTF-16 with a BOM, tab separated. It is text, not binary."""
    data = "customer_id\tname\nC1\tZoë\nC2\tJosé\n".encode("utf-16")
    assert data[:2] in (b"\xff\xfe", b"\xfe\xff")
    t = read_table(data, "export.txt")
    assert list(t.frame.columns) == ["customer_id", "name"]
    assert t.frame["name"].tolist() == ["Zoë", "José"]


# --------------------------------------------------------------------------- messy headers


def test_messy_csv_headers():
    data = b" Customer  ID ,Plan\t,,name,name\nC1,Pro,x,a,b\n"
    t = read_table(data, "m.csv")
    cols = list(t.frame.columns)
    assert cols[0] == "Customer ID"  # stripped, inner white space collapsed
    assert cols[1] == "Plan"
    assert cols[2] == "column_3"     # blank header named by its position
    assert cols[3] == "name"
    assert len(set(cols)) == 5 and cols[4] != "name" and cols[4].startswith("name")
    assert t.frame.iloc[0].tolist() == ["C1", "Pro", "x", "a", "b"]  # no cell lost


def test_clean_headers_examples():
    assert clean_headers(["  a  b ", None, float("nan"), "", "Unnamed: 4", "A", "a"]) == [
        "a b", "column_2", "column_3", "column_4", "column_5", "A", "a_2"]
    assert clean_headers(["\ufeffid", "id", "ID"]) == ["id", "id_2", "ID_3"]


def test_messy_xlsx_headers():
    data = xlsx_bytes({"S": [["  customer_id ", "Plan", "plan", "Signup  date", None, "x"],
                             ["C1", "Pro", "Basic", "2024-01-01", "y", "z"]]})
    t = read_table(data, "m.xlsx")
    assert list(t.frame.columns) == ["customer_id", "Plan", "plan_2", "Signup date", "column_5", "x"]
    assert t.frame.iloc[0].tolist() == ["C1", "Pro", "Basic", "2024-01-01", "y", "z"]


def test_xlsx_blank_header_cell_in_a_narrow_table_is_still_the_header():
    """Three columns, one without a header (an unnamed index column, say): the header row is
    the header, and no data row is swallowed as a header."""
    data = xlsx_bytes({"S": [["customer_id", None, "plan"],
                             ["C1", "1", "Pro"], ["C2", "2", "Basic"], ["C3", "3", "Pro"]]})
    t = read_table(data, "m.xlsx")
    assert t.details["header_row"] == 1
    assert list(t.frame.columns) == ["customer_id", "column_2", "plan"]
    assert t.frame["customer_id"].tolist() == ["C1", "C2", "C3"]
    assert t.rows.tolist() == [2, 3, 4]


def test_xlsx_headers_that_collide_with_generated_names_stay_unique():
    """``amount_2, amount, amount``: the generated ``amount_2`` must not clash with the real one."""
    data = xlsx_bytes({"S": [["customer_id", "amount_2", "amount", "amount"], ["C1", "1", "2", "3"]]})
    t = read_table(data, "m.xlsx")
    cols = list(t.frame.columns)
    assert len(cols) == 4
    assert len(set(cols)) == 4, cols


# --------------------------------------------------------------------------- header detection


def test_headerless_numeric_file_is_detected():
    t = read_table(b"1001,2024-01-01,12.50\n1002,2024-01-02,3\n", "h.csv")
    assert t.details["header"] is False
    assert list(t.frame.columns) == ["column_1", "column_2", "column_3"]
    assert t.frame.iloc[0].tolist() == ["1001", "2024-01-01", "12.50"]
    assert t.rows.tolist() == [1, 2]


def test_text_first_row_is_a_header():
    t = read_table(b"id,date,amount\n1001,2024-01-01,12.50\n", "h.csv")
    assert t.details["header"] is True
    assert list(t.frame.columns) == ["id", "date", "amount"]
    assert t.rows.tolist() == [2]


def test_header_can_be_forced_off():
    t = read_table(b"C1,Pro\nC2,Basic\n", "h.csv", header=False)
    assert t.details["header"] is False
    assert t.frame["column_1"].tolist() == ["C1", "C2"]
    assert t.rows.tolist() == [1, 2]


def test_white_space_cells_are_kept_and_empty_cells_are_missing():
    t = read_table(b"customer_id,total\nC1, \nC2,\nC3,5\n", "w.csv")
    total = t.frame["total"]
    assert total.iloc[0] == " "
    assert total.isna().tolist() == [False, True, False]


# --------------------------------------------------------------------------- workbooks


def test_xlsx_title_rows_are_skipped_and_rows_are_excel_rows():
    data = xlsx_bytes({"Report": [
        ["Customer export"],
        ["generated 2024-03-31"],
        [],
        ["customer_id", "name", "signup_date", "mrr"],
        ["C1", "Acme", dt.date(2024, 1, 1), 10],
        [],
        ["C2", "Beta", dt.date(2024, 2, 1), 20],
    ]})
    t = read_table(data, "r.xlsx")
    assert t.file_format == "xlsx"
    assert t.details["sheet"] == "Report"
    assert t.details["header_row"] == 4
    assert list(t.frame.columns) == ["customer_id", "name", "signup_date", "mrr"]
    assert t.frame["customer_id"].tolist() == ["C1", "C2"]  # the empty row is dropped ...
    assert t.rows.tolist() == [5, 7]                         # ... but the numbering is Excel's


def test_xlsx_cells_are_read_as_the_text_a_user_sees():
    data = xlsx_bytes({"S": [
        ["customer_id", "signup", "opened", "mrr", "seats", "active", "note"],
        [1001.0, dt.date(2024, 3, 31), dt.datetime(2024, 3, 31, 14, 30), 12.5, 3, True, "ok"],
        ["00042", dt.date(2023, 12, 1), dt.datetime(2024, 1, 2, 0, 0), -0.25, 1e6, False, None],
    ]})
    t = read_table(data, "s.xlsx")
    first, second = t.frame.iloc[0], t.frame.iloc[1]
    assert first["customer_id"] == "1001"  # not "1001.0"
    assert first["signup"] == "2024-03-31"  # not a serial number or "2024-03-31 00:00:00"
    assert first["opened"] == "2024-03-31 14:30:00"
    assert first["mrr"] == "12.5"
    assert first["seats"] == "3"
    assert first["active"] == "true"
    assert second["customer_id"] == "00042"  # text cells keep their zeros
    assert second["signup"] == "2023-12-01"
    assert second["opened"] == "2024-01-02"
    assert second["mrr"] == "-0.25"
    assert second["seats"] == "1000000"
    assert second["active"] == "false"
    assert second["note"] is None or second["note"] != second["note"]  # missing, not "None"


def test_xlsx_sheet_choice():
    data = xlsx_bytes({"First": [["a", "b"], ["1", "2"]], "Second": [["customer_id"], ["C9"]]})
    assert workbook_sheets(data) == ["First", "Second"]
    assert read_table(data, "w.xlsx").details["sheet"] == "First"
    by_name = read_table(data, "w.xlsx", sheet="Second")
    by_number = read_table(data, "w.xlsx", sheet=1)
    assert by_name.frame["customer_id"].tolist() == by_number.frame["customer_id"].tolist() == ["C9"]
    assert by_name.sheets == ["First", "Second"]
    with pytest.raises(FileFormatError, match="no sheet named 'Third'. Its sheets are: First, Second"):
        read_table(data, "w.xlsx", sheet="Third")


def test_xlsx_is_recognised_by_content_not_name():
    data = xlsx_bytes({"S": [["customer_id"], ["C1"]]})
    t = read_table(data, "download.csv")
    assert t.file_format == "xlsx"
    assert t.frame["customer_id"].tolist() == ["C1"]


# --------------------------------------------------------------------------- cells our exports neutralised


NEUTRALISED_CSV = (b"customer_id,'=total,note\n"
                   b"'+44 20 7946 0000,'-3,'Acme\n"
                   b"C2,'@x,O'Brien\n"
                   b"'-,''-3,'\n")
AS_WRITTEN = [["+44 20 7946 0000", "-3", "'Acme"], ["C2", "@x", "O'Brien"], ["-", "''-3", "'"]]


@pytest.mark.parametrize("data", [NEUTRALISED_CSV, NEUTRALISED_CSV.replace(b"\nC2", b"\n\nC2"),
                                  NEUTRALISED_CSV.replace(b",", b";")],
                         ids=["comma", "with-a-blank-line", "semicolon"])
def test_neutralised_csv_cells_and_headers_read_as_they_were_written(data):
    t = read_table(data, "rejected.csv")
    assert list(t.frame.columns) == ["customer_id", "=total", "note"]
    assert t.frame.to_numpy().tolist() == AS_WRITTEN


def test_neutralised_workbook_cells_and_headers_read_as_they_were_written():
    rows = [["customer_id", "'=total", "note"], ["'+44 20 7946 0000", "'-3", "'Acme"], ["C2", "'@x", "O'Brien"],
            ["'-", "''-3", "'"]]
    t = read_table(xlsx_bytes({"S": rows}), "rejected.xlsx")
    assert list(t.frame.columns) == ["customer_id", "=total", "note"]
    assert t.frame.to_numpy().tolist() == AS_WRITTEN


def test_clean_headers_drops_the_apostrophe_of_a_neutralised_name_only():
    assert clean_headers(["'=total", "'-x", "\ufeff'@id", "'Acme", "O'Brien"]) == ["=total", "-x", "@id", "'Acme",
                                                                                 "O'Brien"]


# --------------------------------------------------------------------------- unreadable text


def test_ragged_csv_names_the_line():
    with pytest.raises(FileFormatError, match="line 3"):
        read_table(b"customer_id,name\nC1,A\nC2,B,extra,cells\n", "r.csv")


def test_empty_and_blank_files():
    for data in (b"", b"\n\n  \n"):
        with pytest.raises(FileFormatError, match="'x.csv' is empty"):
            read_table(data, "x.csv")


def test_control_characters_without_nul_bytes_are_binary_but_a_stray_one_is_not():
    controls = bytes(c for c in range(1, 32) if chr(c) not in "\t\r\n")
    blob = b"id,plan\n" + (controls + b"abc,def\n") * 200  # no NUL byte, 29 of 37 characters are controls
    with pytest.raises(FileFormatError, match="This file is binary, not a spreadsheet"):
        read_table(blob, "export.csv")
    text = b"id,plan\n" + b"".join(b"C%d,Pro\n" % i for i in range(200)) + b"C200,Pro\x0b\n"  # one stray control
    assert len(read_table(text, "export.csv").frame) == 201
