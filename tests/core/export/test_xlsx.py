"""XLSX workbooks read back with openpyxl: text stays text, the Definitions sheet ends every workbook."""

import io

import openpyxl
import pandas as pd
import pytest

from core.errors import DataValidationError
from core.export.xlsx import to_xlsx
from core.metrics import definitions_table


def read(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def values(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


@pytest.fixture(scope="module")
def book():
    df = pd.DataFrame({"name": ["=1+2", "http://x", "+cmd|x", "Acme"], "n": [1, -3, 2, 4]})
    return read(to_xlsx({"Customers": df}))


def test_text_that_looks_like_a_formula_is_stored_as_text(book):
    ws = book["Customers"]
    assert values(ws) == [("name", "n"), ("=1+2", 1), ("http://x", -3), ("+cmd|x", 2), ("Acme", 4)]
    assert [ws[f"A{r}"].data_type for r in range(2, 6)] == ["s", "s", "s", "s"]
    assert [ws[f"B{r}"].data_type for r in range(2, 6)] == ["n", "n", "n", "n"]


def test_a_url_is_not_a_link(book):
    assert [cell.hyperlink for row in book["Customers"].iter_rows() for cell in row] == [None] * 10


def test_the_last_sheet_is_the_definitions(book):
    assert book.sheetnames == ["Customers", "Definitions"]
    rows = values(book["Definitions"])
    assert rows[0] == ("metric", "definition")
    expected = definitions_table()
    assert len(rows) == len(expected) + 1 > 2
    for row, (metric, definition) in zip(rows[1:], expected.itertuples(index=False)):
        assert row == (metric, definition)


def test_every_sheet_has_its_header_row_frozen(book):
    assert [ws.freeze_panes for ws in book.worksheets] == ["A2", "A2"]


def test_definitions_can_be_left_out():
    wb = read(to_xlsx({"A": pd.DataFrame({"x": [1]}), "B": pd.DataFrame({"y": [2]})}, definitions=False))
    assert wb.sheetnames == ["A", "B"]


def test_a_definitions_sheet_of_the_caller_is_kept_once():
    sheets = {"Definitions": pd.DataFrame({"metric": ["own"], "definition": ["mine"]}), "A": pd.DataFrame({"x": [1]})}
    wb = read(to_xlsx(sheets))
    assert wb.sheetnames == ["Definitions", "A"]
    assert values(wb["Definitions"]) == [("metric", "definition"), ("own", "mine")]


def test_the_callers_sheets_are_not_modified():
    sheets = {"A": pd.DataFrame({"x": [1]})}
    to_xlsx(sheets)
    assert list(sheets) == ["A"]


def test_a_long_sheet_name_is_cut_to_31_characters():
    wb = read(to_xlsx({"Customers at risk by segment and plan": pd.DataFrame({"x": [1]})}, definitions=False))
    assert wb.sheetnames == ["Customers at risk by segment an"]
    assert values(wb.worksheets[0]) == [("x",), (1,)]


@pytest.mark.parametrize("second", ["Customers at risk by segment and region", "CUSTOMERS AT RISK BY SEGMENT AN"])
def test_two_names_alike_in_31_characters_are_refused(second):
    sheets = {"Customers at risk by segment and plan": pd.DataFrame({"x": [1]}), second: pd.DataFrame({"y": [2]})}
    with pytest.raises(DataValidationError, match="31 characters"):
        to_xlsx(sheets)


def test_index_true_writes_the_index_as_the_first_column():
    df = pd.DataFrame({"m0": [1.0, 0.5], "m1": [0.9, None]}, index=pd.Index(["2024-01", "2024-02"], name="cohort"))
    wb = read(to_xlsx({"Cohorts": df}, index=True, definitions=False))
    assert values(wb["Cohorts"]) == [("cohort", "m0", "m1"), ("2024-01", 1, 0.9), ("2024-02", 0.5, None)]
    assert wb["Cohorts"].freeze_panes == "A2"


def test_index_false_leaves_the_index_out():
    df = pd.DataFrame({"m0": [1.0]}, index=pd.Index(["2024-01"], name="cohort"))
    assert values(read(to_xlsx({"Cohorts": df}, definitions=False))["Cohorts"]) == [("m0",), (1,)]


def test_columns_are_sized_to_their_contents_up_to_a_limit():
    df = pd.DataFrame({"id": [1], "verbatim": ["x" * 200], "segment": ["Enterprise customers"]})
    ws = read(to_xlsx({"V": df}, definitions=False))["V"]
    widths = [ws.column_dimensions[c].width for c in "ABC"]
    # xlsxwriter stores a width w as w plus a padding under one character
    assert 4 <= widths[0] < 5  # "id" + 2
    assert 60 <= widths[1] < 61  # capped
    assert 22 <= widths[2] < 23  # "Enterprise customers" + 2
