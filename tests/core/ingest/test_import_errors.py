"""Every bad input the import issue lists: the report names row, column, value and fix,
and an attempted strict commit leaves the store exactly as it was.

Row numbers are spreadsheet row numbers: the header is row 1, the first data row is row 2
(for a workbook, the Excel row number of the cell).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import core
from core.cli import main as cli
from core.errors import DataValidationError, DuplicateImportError, FileFormatError
from tests.conftest import xlsx_bytes

ROOT = Path(__file__).resolve().parents[3]
SHARED = ROOT.parent / "shared" / "data"
TELCO = SHARED / "telco_churn" / "WA_Fn-UseC_-Telco-Customer-Churn.csv"

SEED_CSV = b"customer_id,name,signup_date\nC1,Acme,2024-01-01\nC2,Beta,2024-01-15\nC3,Gamma,2024-02-01\n"
SEED_IDS = ["C1", "C2", "C3"]

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
RANDOM_BINARY = random.Random(20240331).randbytes(4096)


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def seeded():
    """An in-memory store seeded with three customers, so that "unchanged" means something."""
    eng = core.make_engine("sqlite://")
    core.commit_import(eng, core.prepare_import(eng, SEED_CSV, "seed.csv", "customers"))
    assert core.table_counts(eng)["customer"] == 3
    yield eng
    eng.dispose()


def snapshot(eng) -> tuple[dict, list, list]:
    """Table counts, the customer ids and the import-log ids: what "the store" looks like."""
    ids = sorted(core.load_table(eng, "customer")["customer_id"].tolist())
    log = sorted(core.import_history(eng)["id"].tolist())
    return core.table_counts(eng), ids, log


def revenue_csv(rows: list[tuple[str, str, str]]) -> bytes:
    return ("customer_id,period,mrr\n" + "".join(f"{c},{p},{m}\n" for c, p, m in rows)).encode()


def good_revenue_rows(n: int = 10) -> list[tuple[str, str, str]]:
    return [(SEED_IDS[i % 3], f"2024-{i % 12 + 1:02d}-01", str(10 * (i + 1))) for i in range(n)]


def issues(plan, problem: str) -> pd.DataFrame:
    rep = plan.report
    return rep[rep["problem"] == problem].reset_index(drop=True)


def strict_commit_is_rejected(eng, plan) -> DataValidationError:
    """Commit strictly; it must raise with the report attached and leave the store as it was."""
    before = snapshot(eng)
    with pytest.raises(DataValidationError) as info:
        core.commit_import(eng, plan, strict=True)
    assert not isinstance(info.value, DuplicateImportError)
    assert "nothing was loaded" in str(info.value)
    assert info.value.report is not None
    pd.testing.assert_frame_equal(info.value.report, plan.report)
    assert snapshot(eng) == before
    return info.value


def prepare_is_refused(eng, exc_type, data, name, kind, **kw) -> Exception:
    """prepare_import must refuse the file; the store must be untouched."""
    before = snapshot(eng)
    with pytest.raises(exc_type) as info:
        core.prepare_import(eng, data, name, kind, **kw)
    assert snapshot(eng) == before
    return info.value


def customers_workbook() -> bytes:
    """A notes sheet first, then a customer sheet with a title line and a blank row above the header."""
    return xlsx_bytes({
        "Notes": [["This workbook holds the customer export"], ["see the sheet Customers"]],
        "Customers": [
            ["Customer export, March 2024"],
            [],
            ["customer_id", "name", "signup_date"],
            ["C10", "Delta", dt.date(2024, 3, 1)],
            [None, "Echo", dt.date(2024, 3, 2)],
            ["C12", "Foxtrot", dt.date(2024, 3, 3)],
        ],
        "Empty": [],
        "HeaderOnly": [["customer_id", "name"]],
    })


# --------------------------------------------------------------------------- missing customer id


def test_missing_customer_id_is_reported_with_row_column_value_and_fix(seeded):
    data = b"customer_id,name\nC10,Delta\n,Echo\n  ,Foxtrot\nC11,Golf\n"
    plan = core.prepare_import(seeded, data, "customers.csv", "customers")

    rep = issues(plan, "missing customer id")
    assert rep["row"].tolist() == [3, 4]
    assert rep["column"].tolist() == ["customer_id", "customer_id"]
    assert rep["field"].tolist() == ["customer_id", "customer_id"]
    assert rep["value"].tolist() == ["", "  "]  # the cell as typed: empty, and white space only
    assert (rep["severity"] == "error").all()
    assert rep["fix"].str.contains("fill in the customer id").all()
    assert plan.n_errors == 2 and plan.rows_valid == 2

    exc = strict_commit_is_rejected(seeded, plan)
    assert "row 3, column customer_id: missing customer id" in str(exc)


def test_missing_customer_id_in_child_rows(seeded):
    rows = good_revenue_rows(6)
    rows[3] = ("", "2024-04-01", "40")
    plan = core.prepare_import(seeded, revenue_csv(rows), "revenue.csv", "revenue")

    rep = issues(plan, "missing customer id")
    assert rep[["row", "column", "value"]].values.tolist() == [[5, "customer_id", ""]]
    assert rep.loc[0, "fix"]
    assert issues(plan, "customer not in the store").empty  # a blank id is not an unknown customer
    strict_commit_is_rejected(seeded, plan)


# --------------------------------------------------------------------------- unparseable date


def test_unparseable_date_is_reported(seeded):
    rows = good_revenue_rows(10)
    rows[4] = ("C2", "2024-13-45", "50")
    rows[7] = ("C2", "next tuesday", "80")
    plan = core.prepare_import(seeded, revenue_csv(rows), "revenue.csv", "revenue")

    assert plan.mapping["period"] == "period"
    assert plan.date_formats["period"] == "ISO8601"
    rep = issues(plan, "unparseable date")
    assert rep["row"].tolist() == [6, 9]
    assert rep["column"].tolist() == ["period", "period"]
    assert rep["value"].tolist() == ["2024-13-45", "next tuesday"]
    assert rep["fix"].str.contains("2024-03-31").all()
    assert rep["fix"].str.contains("--date-format").all()

    exc = strict_commit_is_rejected(seeded, plan)
    assert "unparseable date" in str(exc) and "row 6" in str(exc)


def test_unparseable_date_fix_shows_the_columns_own_format(seeded):
    """A dd/mm/yyyy column: the fix shows an example in that format, not ISO."""
    lines = ["customer_id,name,signup_date"] + [f"C{10 + i},N{i},{13 + i:02d}/0{i % 9 + 1}/2023" for i in range(9)]
    lines.append("C30,Late,31/02/2023")  # no 31 February
    plan = core.prepare_import(seeded, ("\n".join(lines) + "\n").encode(), "c.csv", "customers")

    assert plan.date_formats["signup_date"] == "%d/%m/%Y"
    rep = issues(plan, "unparseable date")
    assert rep[["row", "column", "value"]].values.tolist() == [[11, "signup_date", "31/02/2023"]]
    assert "31/03/2024" in rep.loc[0, "fix"]
    strict_commit_is_rejected(seeded, plan)


def test_bad_cells_in_a_column_named_exactly_like_the_field_are_reported_per_row(seeded):
    """A small file whose column is literally ``period``: one bad date out of three must give a
    row-level report, not "no column of the file maps to 'period'" (the file has that column)."""
    data = revenue_csv([("C1", "2024-01-01", "10"), ("C2", "notadate", "20"), ("C3", "2024-03-01", "30")])
    before = snapshot(seeded)
    plan = core.prepare_import(seeded, data, "revenue.csv", "revenue")
    rep = issues(plan, "unparseable date")
    assert rep[["row", "column", "value"]].values.tolist() == [[3, "period", "notadate"]]
    strict_commit_is_rejected(seeded, plan)
    assert snapshot(seeded) == before


# --------------------------------------------------------------------------- text in a numeric column


def test_text_in_a_mapped_numeric_column_is_an_error(seeded):
    rows = good_revenue_rows(10)
    rows[2] = ("C3", "2024-03-01", "abc")
    plan = core.prepare_import(seeded, revenue_csv(rows), "revenue.csv", "revenue")

    assert plan.mapping["mrr"] == "mrr"
    rep = issues(plan, "text in a numeric column")
    assert rep[["row", "column", "field", "value", "severity"]].values.tolist() == [
        [4, "mrr", "mrr", "abc", "error"]]
    assert "replace it with a number" in rep.loc[0, "fix"]

    exc = strict_commit_is_rejected(seeded, plan)
    assert "row 4, column mrr: text in a numeric column" in str(exc)


def test_text_in_an_explicitly_mapped_numeric_column_is_an_error(seeded):
    data = revenue_csv([("C1", "2024-01-01", "10"), ("C2", "2024-02-01", "abc")])
    plan = core.prepare_import(seeded, data, "revenue.csv", "revenue", mapping={"mrr": "mrr"})
    rep = issues(plan, "text in a numeric column")
    assert rep[["row", "column", "value"]].values.tolist() == [[3, "mrr", "abc"]]
    assert rep.loc[0, "fix"]
    strict_commit_is_rejected(seeded, plan)


def test_currency_formatted_numbers_are_not_errors(seeded):
    """Positive control: "$1,200.50" is a number, not text."""
    rows = good_revenue_rows(4)
    rows[1] = ("C2", "2024-02-01", '"$1,200.50"')
    plan = core.prepare_import(seeded, revenue_csv(rows), "revenue.csv", "revenue")
    assert plan.n_errors == 0
    core.commit_import(seeded, plan)
    mrr = core.load_table(seeded, "revenue").sort_values("period")["mrr"].tolist()
    assert mrr[1] == 1200.5


def _telco_blank_total_charges_rows() -> list[int]:
    """Spreadsheet row numbers of the telco rows whose TotalCharges is a single space (own reading)."""
    with TELCO.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        col = header.index("TotalCharges")
        return [i for i, rec in enumerate(reader, start=2) if rec[col] == " "]


def test_telco_blank_total_charges_are_eleven_warnings_at_the_right_rows(seeded):
    expected_rows = _telco_blank_total_charges_rows()
    assert len(expected_rows) == 11  # known fact of the file

    plan = core.prepare_import(seeded, TELCO.read_bytes(), TELCO.name, "customers", as_of="2024-01-31")
    rep = plan.report[plan.report["column"] == "TotalCharges"]
    assert rep["row"].tolist() == expected_rows
    assert rep["value"].tolist() == [" "] * 11
    assert (rep["severity"] == "warning").all()
    assert rep["problem"].str.contains("numeric column").all()
    assert rep["fix"].str.len().gt(0).all()
    assert plan.n_errors == 0 and plan.n_warnings == 11 and plan.rows_valid == 7043

    # warnings do not block a strict import; the blank becomes an empty value, not text
    before = core.table_counts(seeded)
    result = core.commit_import(seeded, plan, strict=True)
    assert result.rows_loaded == 7043
    after = core.table_counts(seeded)
    assert after["customer"] == before["customer"] + 7043
    cust = core.load_table(seeded, "customer").set_index("customer_id")
    first_blank = plan.raw.frame["customerID"].iloc[expected_rows[0] - 2]
    assert cust.loc[first_blank, "attributes"]["TotalCharges"] is None
    assert cust.loc["7590-VHVEG", "attributes"]["TotalCharges"] == pytest.approx(29.85)


# --------------------------------------------------------------------------- duplicate keys


def test_duplicate_customer_id_in_the_file(seeded):
    data = b"customer_id,name\nC10,Delta\nC11,Echo\nC10,Delta again\n"
    plan = core.prepare_import(seeded, data, "customers.csv", "customers")
    rep = issues(plan, "duplicate customer id")
    assert rep[["row", "column", "value"]].values.tolist() == [[4, "customer_id", "C10"]]
    assert "first at row 2" in rep.loc[0, "fix"]
    exc = strict_commit_is_rejected(seeded, plan)
    assert "duplicate customer id" in str(exc)


def test_customer_id_already_in_the_store(seeded):
    data = b"customer_id,name\nC1,Acme again\nC11,Echo\n"
    plan = core.prepare_import(seeded, data, "customers.csv", "customers")
    rep = issues(plan, "customer already in the store")
    assert rep[["row", "column", "value"]].values.tolist() == [[2, "customer_id", "C1"]]
    assert "replace mode" in rep.loc[0, "fix"]
    strict_commit_is_rejected(seeded, plan)


def test_duplicate_ticket_id(seeded):
    data = (b"ticket_id,customer_id,opened,priority\n"
            b"T1,C1,2024-01-01 09:00,High\nT2,C2,2024-01-02 10:00,Low\nT1,C3,2024-01-03 11:00,Low\n")
    plan = core.prepare_import(seeded, data, "tickets.csv", "tickets")
    rep = issues(plan, "duplicate ticket id")
    assert rep[["row", "column", "value"]].values.tolist() == [[4, "ticket_id", "T1"]]
    assert rep.loc[0, "fix"]
    strict_commit_is_rejected(seeded, plan)


# --------------------------------------------------------------------------- unknown customers


CHILD_FILES = {
    "revenue": b"customer_id,period,mrr\nC1,2024-01-01,10\nZZ9,2024-02-01,5\nC2,2024-02-01,7\n",
    "activity": (b"customer_id,date,metric,value\nC1,2024-01-01,logins,3\nZZ9,2024-01-02,logins,1\n"
                 b"C3,2024-01-02,logins,2\n"),
    "interventions": (b"customer_id,play,date,group\nC1,call,2024-01-01,treatment\nZZ9,call,2024-01-01,holdout\n"
                      b"C2,call,2024-01-01,control\n"),
}


@pytest.mark.parametrize("kind", sorted(CHILD_FILES))
def test_child_rows_for_unknown_customers(seeded, kind):
    plan = core.prepare_import(seeded, CHILD_FILES[kind], f"{kind}.csv", kind)
    rep = issues(plan, "customer not in the store")
    assert rep[["row", "column", "value"]].values.tolist() == [[3, "customer_id", "ZZ9"]]
    assert "--create-customers" in rep.loc[0, "fix"]
    assert plan.n_errors == 1
    exc = strict_commit_is_rejected(seeded, plan)
    assert "customer not in the store" in str(exc)


def test_unknown_customers_can_be_created_on_request(seeded):
    plan = core.prepare_import(seeded, CHILD_FILES["revenue"], "revenue.csv", "revenue", create_customers=True)
    assert plan.n_errors == 0
    core.commit_import(seeded, plan)
    counts = core.table_counts(seeded)
    assert counts["customer"] == 4 and counts["revenue"] == 3
    assert "ZZ9" in core.load_table(seeded, "customer")["customer_id"].tolist()


# --------------------------------------------------------------------------- empty file


@pytest.mark.parametrize("data", [b"", b"   \r\n\n\t\n"], ids=["zero-bytes", "white-space-only"])
def test_empty_file(seeded, data):
    exc = prepare_is_refused(seeded, FileFormatError, data, "empty.csv", "customers")
    assert "'empty.csv' is empty" in str(exc)


@pytest.mark.parametrize("data", [b"customer_id,name\n", b"customer_id,name", b"customer_id,name\r\n\r\n"])
def test_header_only_file(seeded, data):
    exc = prepare_is_refused(seeded, FileFormatError, data, "header.csv", "customers")
    assert "'header.csv' has a header but no data rows" in str(exc)


# --------------------------------------------------------------------------- wrong sheet


def test_missing_sheet_lists_the_sheets(seeded):
    exc = prepare_is_refused(seeded, FileFormatError, customers_workbook(), "export.xlsx", "customers",
                             sheet="Customer")
    assert "no sheet named 'Customer'" in str(exc)
    assert "Notes, Customers, Empty, HeaderOnly" in str(exc)


def test_sheet_number_out_of_range_lists_the_sheets(seeded):
    exc = prepare_is_refused(seeded, FileFormatError, customers_workbook(), "export.xlsx", "customers", sheet=7)
    assert "no sheet number 7" in str(exc)
    assert "Notes, Customers, Empty, HeaderOnly" in str(exc)


def test_sheet_without_the_required_columns_hints_at_the_other_sheets(seeded):
    """The default (first) sheet is the notes sheet: the message says so and names the others."""
    exc = prepare_is_refused(seeded, DataValidationError, customers_workbook(), "export.xlsx", "customers")
    msg = str(exc)
    assert "No column of the file maps to 'customer_id'" in msg
    assert "Is 'Notes' the right sheet?" in msg
    assert "Customers" in msg


def test_empty_sheet_and_header_only_sheet(seeded):
    exc = prepare_is_refused(seeded, FileFormatError, customers_workbook(), "export.xlsx", "customers",
                             sheet="Empty")
    assert "Sheet 'Empty' is empty" in str(exc) and "Customers" in str(exc)
    exc = prepare_is_refused(seeded, FileFormatError, customers_workbook(), "export.xlsx", "customers",
                             sheet="HeaderOnly")
    assert "has a header but no data rows" in str(exc) and "Customers" in str(exc)


def test_sheet_asked_of_a_csv_file(seeded):
    exc = prepare_is_refused(seeded, FileFormatError, b"customer_id,name\nC10,A\n", "c.csv", "customers",
                             sheet="Customers")
    assert "has no sheets" in str(exc)


def test_right_sheet_reports_excel_row_numbers(seeded):
    """Title line and blank row above the header: the missing id is in Excel row 5."""
    plan = core.prepare_import(seeded, customers_workbook(), "export.xlsx", "customers", sheet="Customers")
    assert plan.raw.details["header_row"] == 3
    rep = issues(plan, "missing customer id")
    assert rep[["row", "column", "value"]].values.tolist() == [[5, "customer_id", ""]]
    strict_commit_is_rejected(seeded, plan)


# --------------------------------------------------------------------------- not a spreadsheet


def _zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("notes.txt", "not a workbook")
    return buf.getvalue()


NOT_SPREADSHEETS = [
    ("photo.png", PNG, "This file is a PNG image, not a spreadsheet"),
    ("photo.csv", PNG, "This file is a PNG image, not a spreadsheet"),  # the content decides, not the name
    ("invoice.pdf", PDF, "This file is a PDF document, not a spreadsheet"),
    ("blob.bin", RANDOM_BINARY, "This file is binary, not a spreadsheet"),
    ("blob.csv", RANDOM_BINARY, "This file is binary, not a spreadsheet"),
    ("customers.xlsx", b"customer_id,name\nC10,A\n", "named like a workbook but is not an XLSX file"),
    ("archive.xlsx", _zip_bytes(), "not a readable XLSX workbook"),
    ("legacy.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "old binary Office file"),
    ("data.csv.gz", b"\x1f\x8b\x08\x00" + b"\x00" * 64, "gzip archive"),
]


@pytest.mark.parametrize(("name", "data", "message"), NOT_SPREADSHEETS, ids=[n[0] for n in NOT_SPREADSHEETS])
def test_not_a_spreadsheet(seeded, name, data, message):
    exc = prepare_is_refused(seeded, FileFormatError, data, name, "customers")
    assert message in str(exc)
    assert "csv" in str(exc).lower() or "xlsx" in str(exc).lower()  # says what to upload instead


# --------------------------------------------------------------------------- row numbers


def test_row_numbers_count_blank_lines_like_a_spreadsheet(seeded):
    """A blank line is an (empty) row in Excel and a line in an editor: the row after it is row 4."""
    data = b"customer_id,name\nC10,Delta\n\n,Echo\nC12,Foxtrot\n"
    plan = core.prepare_import(seeded, data, "customers.csv", "customers")
    rep = issues(plan, "missing customer id")
    assert rep[["row", "value"]].values.tolist() == [[4, ""]]


def test_row_numbers_of_a_headerless_file_start_at_one(seeded):
    data = b"10,2024-01-01,10\n,2024-01-02,5\n"
    plan = core.prepare_import(seeded, data, "tx.csv", "transactions",
                               mapping={"customer_id": "column_1", "date": "column_2", "amount": "column_3"})
    assert plan.raw.details["header"] is False
    rep = issues(plan, "missing customer id")
    assert rep[["row", "column"]].values.tolist() == [[2, "column_1"]]


# --------------------------------------------------------------------------- lenient mode


MIXED_CUSTOMERS = (
    b"customer_id,name,signup_date\n"
    b"00042,Delta,2024-03-01\n"       # row 2 valid (leading zeros kept)
    b",Echo,2024-03-02\n"             # row 3 missing id
    b"C11,Foxtrot,2024-03-03\n"       # row 4 valid
    b"00042,Delta twin,2024-03-04\n"  # row 5 duplicate of row 2
    b"C13,Golf,someday\n"             # row 6 unparseable date
    b"C14,Hotel,2024-03-06\n"         # row 7 valid
    b"C15,India,2024-03-07\n"         # row 8 valid
    b"C16,Juliet,2024-03-08\n"        # row 9 valid
)


def test_lenient_loads_exactly_the_valid_rows_and_returns_the_rest_as_csv(seeded):
    plan = core.prepare_import(seeded, MIXED_CUSTOMERS, "mixed.csv", "customers")
    assert plan.rows_read == 8 and plan.rows_rejected == 3 and plan.rows_valid == 5

    before = core.table_counts(seeded)
    result = core.commit_import(seeded, plan, strict=False)
    assert result.rows_loaded == 5 and result.rows_rejected == 3
    assert core.table_counts(seeded)["customer"] == before["customer"] + 5
    ids = set(core.load_table(seeded, "customer")["customer_id"])
    assert ids == set(SEED_IDS) | {"00042", "C11", "C14", "C15", "C16"}
    stored = core.load_table(seeded, "customer").set_index("customer_id")
    assert stored.loc["00042", "name"] == "Delta"  # the first row of a duplicate pair is kept

    rejected = pd.read_csv(io.BytesIO(plan.rejected_csv()), dtype=str, keep_default_na=False)
    assert list(rejected.columns) == ["row", "customer_id", "name", "signup_date", "reasons"]
    assert rejected["row"].tolist() == ["3", "5", "6"]
    assert rejected["customer_id"].tolist() == ["", "00042", "C13"]
    assert rejected["signup_date"].tolist() == ["2024-03-02", "2024-03-04", "someday"]
    reasons = rejected["reasons"].tolist()
    assert "missing customer id" in reasons[0]
    assert "duplicate customer id" in reasons[1]
    assert "signup_date: unparseable date" in reasons[2]
    pd.testing.assert_frame_equal(result.rejected, plan.rejected)


def test_lenient_rejected_rows_list_every_reason(seeded):
    data = (b"customer_id,period,mrr\nC1,2024-01-01,10\nZZ9,someday,5\nC2,2024-02-01,7\n"
            b"C3,2024-03-01,9\nC1,2024-04-01,3\n")
    plan = core.prepare_import(seeded, data, "revenue.csv", "revenue")
    rejected = pd.read_csv(io.BytesIO(plan.rejected_csv()), dtype=str, keep_default_na=False)
    assert rejected["row"].tolist() == ["3"]
    assert "unparseable date" in rejected.loc[0, "reasons"]
    assert "customer not in the store" in rejected.loc[0, "reasons"]
    core.commit_import(seeded, plan, strict=False)
    assert core.table_counts(seeded)["revenue"] == 4


def test_lenient_with_no_valid_row_loads_nothing(seeded):
    data = b"customer_id,name\n,Echo\n ,Foxtrot\n"
    plan = core.prepare_import(seeded, data, "c.csv", "customers")
    before = snapshot(seeded)
    with pytest.raises(DataValidationError, match="No valid rows to load, nothing was loaded"):
        core.commit_import(seeded, plan, strict=False)
    assert snapshot(seeded) == before


def test_source_column_named_row_does_not_break_the_rejected_csv(seeded):
    """An export with its own ``row`` column: the import must still validate, and the rejected CSV
    must keep the user's ``row`` values next to the spreadsheet row number."""
    data = b"row,customer_id,name\n101,C10,Delta\n102,,Echo\n"
    plan = core.prepare_import(seeded, data, "c.csv", "customers")
    assert issues(plan, "missing customer id")["row"].tolist() == [3]
    rejected = pd.read_csv(io.BytesIO(plan.rejected_csv()), dtype=str, keep_default_na=False)
    assert "102" in rejected.iloc[0].tolist()  # the user's own row value survives
    assert "3" in rejected.iloc[0].tolist()    # and so does the spreadsheet row number


# --------------------------------------------------------------------------- rejected rows, fixed and imported again


def fix_cell(rejected_csv: bytes, column: str, old: str, new: str) -> bytes:
    """The rejected-rows CSV as an analyst fixes it: one cell rewritten, every other cell kept byte for byte."""
    rows = list(csv.reader(io.StringIO(rejected_csv.decode("utf-8"))))
    col = rows[0].index(column)
    assert [r[col] for r in rows[1:]].count(old) == 1
    for r in rows[1:]:
        if r[col] == old:
            r[col] = new
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def test_a_fixed_rejected_revenue_row_loads_its_negative_amount_as_a_number(seeded):
    """A refund of -3 in a row rejected for its date: the rejected CSV writes it as "'-3" (no formula leaves);
    once the date is fixed, the import reads the cell back as the number -3. (An amount: a negative MRR is an
    error of its own, core.ingest.plausibility.)"""
    data = b"customer_id,period,amount\nC1,2024-01-01,10\nC2,someday,-3\nC3,2024-02-01,7\n"
    plan = core.prepare_import(seeded, data, "revenue.csv", "revenue")
    core.commit_import(seeded, plan, strict=False)
    rejected = plan.rejected_csv()
    assert b",'-3," in rejected  # neutralised on the way out

    fixed = core.prepare_import(seeded, fix_cell(rejected, "period", "someday", "2024-01-15"),
                                "revenue_fixed.csv", "revenue")
    assert fixed.n_errors == 0, fixed.report
    core.commit_import(seeded, fixed)  # strict: "'-3" as text in the mrr column would refuse the file
    revenue = core.load_table(seeded, "revenue").set_index("customer_id")
    assert revenue.loc["C2", "amount"] == -3.0
    assert revenue.loc["C2", "period"] == pd.Timestamp("2024-01-15")
    assert sorted(revenue["amount"].tolist()) == [-3.0, 7.0, 10.0]


def test_a_fixed_rejected_customer_keeps_its_id_name_and_headers_without_apostrophes(seeded):
    """Ids, names and column names that start like a formula come back as they were written; an apostrophe that
    is not before a formula start ("O'Brien", "'Quoted") is the customer's own and stays."""
    data = (b"customer_id,name,signup_date,=score,note\n"
            b"+44 20 7946 0000,-,someday,-5,'Quoted\n"
            b"C20,O'Brien,2024-03-01,4,ok\n")
    plan = core.prepare_import(seeded, data, "customers.csv", "customers")
    core.commit_import(seeded, plan, strict=False)
    rejected = plan.rejected_csv()
    assert rejected.splitlines()[:2] == [b"row,customer_id,name,signup_date,'=score,note,reasons",
                                         b"2,'+44 20 7946 0000,'-,someday,'-5,'Quoted,signup_date: unparseable date"]

    fixed = core.prepare_import(seeded, fix_cell(rejected, "signup_date", "someday", "2024-03-02"),
                                "customers_fixed.csv", "customers")
    assert fixed.n_errors == 0, fixed.report
    core.commit_import(seeded, fixed)
    stored = core.load_table(seeded, "customer").set_index("customer_id")
    assert "+44 20 7946 0000" in stored.index
    new = stored.loc["+44 20 7946 0000"]
    assert new["name"] == "-"
    assert new["signup_date"] == pd.Timestamp("2024-03-02")
    assert new["attributes"]["=score"] == -5
    assert new["attributes"]["note"] == "'Quoted"
    assert stored.loc["C20", "name"] == "O'Brien"
    assert not any(i.startswith("'") for i in stored.index)


# --------------------------------------------------------------------------- duplicate file, modes


def test_same_file_twice_is_refused_and_not_double_counted(seeded):
    data = revenue_csv(good_revenue_rows(5))
    core.commit_import(seeded, core.prepare_import(seeded, data, "revenue.csv", "revenue"))
    before = snapshot(seeded)
    assert before[0]["revenue"] == 5

    again = core.prepare_import(seeded, data, "revenue-copy.csv", "revenue")  # renamed: the hash decides
    assert again.duplicate_of is not None
    for strict in (True, False):
        with pytest.raises(DuplicateImportError) as info:
            core.commit_import(seeded, again, strict=strict)
        assert "already imported" in str(info.value) and "replace mode" in str(info.value)
        assert f"#{again.duplicate_of}" in str(info.value)
        assert snapshot(seeded) == before


def test_committing_the_same_import_twice_is_not_double_counted(seeded):
    """Two plans of the same file prepared before either is committed (a re-run page, a double
    click): the second commit must be detected by the hash, not load the rows again."""
    data = revenue_csv(good_revenue_rows(5))
    first = core.prepare_import(seeded, data, "revenue.csv", "revenue")
    second = core.prepare_import(seeded, data, "revenue.csv", "revenue")
    core.commit_import(seeded, first)
    before = snapshot(seeded)
    assert before[0]["revenue"] == 5
    with pytest.raises(DuplicateImportError):
        core.commit_import(seeded, second)
    assert snapshot(seeded) == before


def test_replace_mode_reloads_instead_of_adding(seeded):
    data = revenue_csv(good_revenue_rows(5))
    core.commit_import(seeded, core.prepare_import(seeded, data, "revenue.csv", "revenue"))
    counts = core.table_counts(seeded)

    plan = core.prepare_import(seeded, data, "revenue.csv", "revenue", mode="replace")
    assert plan.duplicate_of is not None
    core.commit_import(seeded, plan)
    after = core.table_counts(seeded)
    assert after["revenue"] == counts["revenue"] == 5
    assert after["importlog"] == counts["importlog"] + 1
    assert core.import_history(seeded).iloc[0]["mode"] == "replace"

    smaller = revenue_csv(good_revenue_rows(2))
    core.commit_import(seeded, core.prepare_import(seeded, smaller, "revenue-v2.csv", "revenue", mode="replace"))
    assert core.table_counts(seeded)["revenue"] == 2


def test_append_adds_a_different_file(seeded):
    core.commit_import(seeded, core.prepare_import(seeded, revenue_csv(good_revenue_rows(5)), "a.csv", "revenue"))
    # months the store lacks: MRR of a customer and month already loaded would be an error (counted twice)
    core.commit_import(seeded, core.prepare_import(seeded, revenue_csv(good_revenue_rows(7)[5:]), "b.csv", "revenue"))
    assert core.table_counts(seeded)["revenue"] == 7


def test_unknown_mode_is_refused(seeded):
    exc = prepare_is_refused(seeded, DataValidationError, revenue_csv(good_revenue_rows(2)), "r.csv", "revenue",
                             mode="upsert")
    assert "Unknown mode 'upsert'" in str(exc) and "append or replace" in str(exc)


# --------------------------------------------------------------------------- one transaction


def test_an_import_that_fails_midway_leaves_the_store_unchanged(seeded):
    """transactions load activity then revenue; a failure after the first batch rolls back both."""
    data = b"customer_id,date,amount\nC1,2024-01-05,10\nC2,2024-01-06,20\nNEW1,2024-01-07,5\n"
    plan = core.prepare_import(seeded, data, "tx.csv", "transactions")
    assert len(plan.new_customers) == 1
    before = snapshot(seeded)
    calls = []

    def killed(fraction, message):
        calls.append(message)
        if len(calls) == 2:  # after the new customer and the activity rows were written
            raise RuntimeError("process killed")

    with pytest.raises(RuntimeError, match="process killed"):
        core.commit_import(seeded, plan, progress=killed)
    assert len(calls) == 2
    assert snapshot(seeded) == before
    # and the same plan then loads cleanly: nothing of the failed attempt was left behind
    core.commit_import(seeded, plan)
    assert core.table_counts(seeded)["activity"] == 3


# --------------------------------------------------------------------------- CLI


def _cli(argv, capsys) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def store_url(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    seed = tmp_path / "seed.csv"
    seed.write_bytes(SEED_CSV)
    code, _, err = _cli(["--db", url, "import", seed, "--kind", "customers"], capsys)
    assert code == 0, err
    return url


def _store_snapshot(url):
    eng = core.make_engine(url)
    try:
        return snapshot(eng)
    finally:
        eng.dispose()


def _rev_rows_with(index, row):
    rows = good_revenue_rows(10)
    rows[index] = row
    return revenue_csv(rows)


CLI_CASES = [
    # id, file name, content, extra args, expected in the error line
    ("missing-id", "c.csv", b"customer_id,name\nC10,A\n,B\n", ["--kind", "customers"],
     "row 3, column customer_id: missing customer id"),
    ("bad-date", "r.csv", _rev_rows_with(4, ("C2", "2024-13-45", "5")), ["--kind", "revenue"],
     "row 6, column period: unparseable date"),
    ("text-in-number", "r.csv", _rev_rows_with(2, ("C2", "2024-03-01", "abc")), ["--kind", "revenue"],
     "row 4, column mrr: text in a numeric column"),
    ("duplicate-key", "c.csv", b"customer_id,name\nC10,A\nC10,B\n", ["--kind", "customers"],
     "duplicate customer id"),
    ("unknown-customer", "r.csv", CHILD_FILES["revenue"], ["--kind", "revenue"], "customer not in the store"),
    ("empty", "empty.csv", b"", ["--kind", "customers"], "is empty"),
    ("header-only", "h.csv", b"customer_id,name\n", ["--kind", "customers"], "no data rows"),
    ("wrong-sheet", "w.xlsx", customers_workbook(), ["--kind", "customers", "--sheet", "Nope"],
     "no sheet named 'Nope'"),
    ("sheet-lacks-columns", "w.xlsx", customers_workbook(), ["--kind", "customers"], "Is 'Notes' the right sheet?"),
    ("png", "p.png", PNG, ["--kind", "customers"], "PNG image"),
    ("pdf", "d.pdf", PDF, ["--kind", "customers"], "PDF document"),
    ("random-binary", "b.csv", RANDOM_BINARY, ["--kind", "customers"], "binary"),
    ("text-named-xlsx", "t.xlsx", b"customer_id,name\nC10,A\n", ["--kind", "customers"], "not an XLSX file"),
    ("ragged-csv", "g.csv", b"customer_id,name\nC10,A\nC11,B,extra,cells\n", ["--kind", "customers"],
     "could not be read"),
    ("unknown-field", "c.csv", b"customer_id,name\nC10,A\n", ["--kind", "customers", "--set", "colour=red"],
     "'colour' is not a field of customers"),
    ("missing-as-of", "c.csv", b"customer_id,tenure\nC10,3\nC11,5\n", ["--kind", "customers"], "--as-of"),
    ("bad-as-of", "c.csv", b"customer_id,tenure\nC10,3\nC11,5\n", ["--kind", "customers", "--as-of", "soon"],
     "--as-of 'soon' is not a date"),
    ("lenient-nothing-valid", "c.csv", b"customer_id,name\n,A\n,B\n", ["--kind", "customers", "--lenient"],
     "No valid rows"),
]


@pytest.mark.parametrize(("name", "data", "args", "expected"), [c[1:] for c in CLI_CASES],
                         ids=[c[0] for c in CLI_CASES])
def test_cli_bad_input_exits_2_with_one_error_line(tmp_path, capsys, store_url, monkeypatch, name, data, args,
                                                   expected):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / name
    path.write_bytes(data)
    before = _store_snapshot(store_url)
    code, out, err = _cli(["--db", store_url, "import", path, *args], capsys)
    assert code == 2
    assert "Traceback" not in err and "Traceback" not in out
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert expected in lines[0]
    assert _store_snapshot(store_url) == before
    assert not list(tmp_path.glob("*.rejected.csv"))


def test_cli_missing_file(tmp_path, capsys, store_url):
    code, out, err = _cli(["--db", store_url, "import", tmp_path / "nope.csv", "--kind", "customers"], capsys)
    assert code == 2
    assert err.splitlines() == [f"error: No file at {tmp_path / 'nope.csv'}."]


def test_cli_duplicate_import_via_environment_url(tmp_path, capsys, store_url, monkeypatch):
    monkeypatch.setenv("RETENTION_DB_URL", store_url)
    path = tmp_path / "revenue.csv"
    path.write_bytes(revenue_csv(good_revenue_rows(4)))
    code, out, err = _cli(["import", path, "--kind", "revenue"], capsys)
    assert code == 0, err
    assert "import #" in out
    before = _store_snapshot(store_url)
    assert before[0]["revenue"] == 4

    code, out, err = _cli(["import", path, "--kind", "revenue"], capsys)
    assert code == 2
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1 and "already imported" in err
    assert _store_snapshot(store_url) == before

    code, out, err = _cli(["import", path, "--kind", "revenue", "--mode", "replace"], capsys)
    assert code == 0, err
    assert _store_snapshot(store_url)[0]["revenue"] == 4


def test_cli_lenient_writes_the_rejected_rows(tmp_path, capsys, store_url):
    path = tmp_path / "mixed.csv"
    path.write_bytes(MIXED_CUSTOMERS)
    rejects = tmp_path / "out" / "rejects.csv"
    rejects.parent.mkdir()
    code, out, err = _cli(["--db", store_url, "import", path, "--kind", "customers", "--lenient",
                           "--rejects", rejects], capsys)
    assert code == 0, err
    assert err == ""
    assert "3 rows rejected" in out
    rejected = pd.read_csv(rejects, dtype=str, keep_default_na=False)
    assert rejected["row"].tolist() == ["3", "5", "6"]
    assert rejected["reasons"].str.len().gt(0).all()
    assert _store_snapshot(store_url)[0]["customer"] == 3 + 5


def test_cli_dry_run_writes_nothing(tmp_path, capsys, store_url):
    path = tmp_path / "mixed.csv"
    path.write_bytes(MIXED_CUSTOMERS)
    report = tmp_path / "report.csv"
    before = _store_snapshot(store_url)
    code, out, err = _cli(["--db", store_url, "import", path, "--kind", "customers", "--dry-run",
                           "--report", report], capsys)
    assert code == 0, err
    assert _store_snapshot(store_url) == before
    rep = pd.read_csv(report, dtype=str, keep_default_na=False)
    assert list(rep.columns) == ["row", "column", "field", "value", "problem", "fix", "severity"]
    assert rep["row"].tolist() == ["3", "5", "6"]
