"""A workbook measured against the read limits before the native reader sees it: far cells, stray cells, lying
or missing dimensions, shared-string and zip bombs, understated sizes; and ordinary workbooks still read."""

from __future__ import annotations

import io
import zipfile

import pytest

from core.errors import FileFormatError
from core.ingest import reader
from core.ingest import sheet_bounds as sb
from core.ingest.limits import ReadLimits
from core.ingest.reader import read_table
from tests.core.ingest import hostile_files as H


@pytest.fixture
def no_native_reader(monkeypatch):
    """Fail the test if the native reader is called at all."""
    def refuse(*_args, **_kwargs):
        raise AssertionError("the native reader was called on a file beyond the limits")

    monkeypatch.setattr(reader, "_open_workbook", refuse)


def _refusal(data: bytes, **limits) -> str:
    with pytest.raises(FileFormatError) as exc:
        read_table(data, "hostile.xlsx", limits=ReadLimits(**limits) if limits else None)
    message = str(exc.value)
    assert "\n" not in message
    return message


def test_far_cell_is_refused_before_the_native_reader(no_native_reader):
    msg = _refusal(H.far_cell_xlsx("XFD1048576"))
    assert "spans A1:XFD1048576" in msg and "17,179,869,184 cells" in msg  # the file's size
    assert "over the limit of 5,000,000 cells" in msg and "RETENTION_MAX_CELLS" in msg  # the limit
    assert "delete the far cell" in msg and "save the sheet as CSV" in msg  # the fix
    assert "holds only 13 cells" in msg


@pytest.mark.parametrize("dimension", [None, "A1:D3"], ids=["missing", "lying small"])
def test_far_cell_is_found_whatever_the_dimension_says(no_native_reader, dimension):
    msg = _refusal(H.far_cell_xlsx("XFD1048576", dimension=dimension))
    assert "spans A1:XFD1048576" in msg
    assert ("its dimension says A1:D3" in msg) == (dimension is not None)


def test_a_dimension_that_lies_large_is_harmless():
    data = H.patch_xlsx(H.base_xlsx(), {H.SHEET: lambda x: H._set_dimension(x, "A1:XFD1048576")})
    assert read_table(data, "ok.xlsx").frame.shape == (2, 4)


def test_stray_cell_at_z100000_is_refused_and_reads_when_allowed(no_native_reader, monkeypatch):
    msg = _refusal(H.far_cell_xlsx("Z100000"))
    assert "spans A1:Z100000 (100,000 rows x 26 columns = 2,600,000 cells)" in msg
    assert "a stray cell" in msg and "delete the far cell" in msg.lower() and "RETENTION_MIN_FILL" in msg
    monkeypatch.undo()  # the native reader again
    t = read_table(H.far_cell_xlsx("Z100000"), "z.xlsx", limits=ReadLimits(min_fill=0))
    assert t.rows.tolist() == [2, 3, 100000] and t.frame.shape[1] == 26


def test_shared_string_bomb_is_refused(no_native_reader):
    data = H.shared_string_bomb_xlsx()
    assert len(data) < 400_000  # small on disk, 2 GB of text once expanded
    msg = _refusal(data)
    assert "holds 1,967 MB of text" in msg  # 60,000 cells x 32,767 characters, and the header's few
    assert "over the limit of 250 MB" in msg and "RETENTION_MAX_TEXT_BYTES" in msg


def test_shared_text_is_measured_exactly():
    data = H.shared_string_bomb_xlsx(cells=100, length=1000)
    book = sb.open_book(data, ReadLimits())
    extent = sb.check_sheet(data, book, "Activity", ReadLimits())
    assert 100 * 1000 < extent.text_bytes < 100 * 1000 + 3000  # the header strings and tags add a little
    assert extent.cells == 4 * 3 + 100 and extent.rows == 13 and extent.columns == 10 and extent.complete


def test_zip_bomb_is_refused_from_the_zip_directory(no_native_reader):
    msg = _refusal(H.zip_bomb_xlsx(50))
    assert "xl/worksheets/sheet1.xml" in msg and "50 MB" in msg and "zip bomb" in msg
    assert "over the limit of 100 times" in msg and "RETENTION_MAX_RATIO" in msg


def test_a_part_that_unpacks_to_more_than_declared_is_refused(no_native_reader):
    msg = _refusal(H.understated_size_xlsx(100))
    assert "unpacks to more than the 100 bytes its zip directory declares" in msg


@pytest.mark.parametrize(("limits", "words"), [
    ({"max_uncompressed_bytes": 1000}, "This workbook unpacks to"),
    ({"max_shared_strings_bytes": 50}, "The shared strings of this workbook"),
    ({"max_rows": 2}, "has cells down to row 3, over the limit of 2 rows"),
    ({"max_columns": 3}, "has cells out to column D (4 columns), over the limit of 3 columns"),
    ({"max_cells": 10}, "spans A1:D3 (3 rows x 4 columns = 12 cells), over the limit of 10 cells"),
    ({"max_text_bytes": 10}, "of text once its shared strings are copied"),
], ids=lambda v: next(iter(v)) if isinstance(v, dict) else "")
def test_each_limit_refuses_an_ordinary_workbook_when_set_low(no_native_reader, limits, words):
    assert words in _refusal(H.base_xlsx(), **limits)


def test_limits_come_from_the_environment(monkeypatch, no_native_reader):
    monkeypatch.setenv("RETENTION_MAX_CELLS", "10")
    with pytest.raises(FileFormatError, match="over the limit of 10 cells"):
        read_table(H.base_xlsx(), "a.xlsx")


def test_namespace_prefixed_and_unreferenced_cells_are_counted():
    for data, columns in ((H.prefixed_xlsx(), 4), (H.unreferenced_cells_xlsx(20), 20)):
        book = sb.open_book(data, ReadLimits())
        assert sb.check_sheet(data, book, book.sheets[0], ReadLimits()).columns == columns


def test_a_zip_that_is_not_a_workbook():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("content.xml", "<office:document/>")
    with pytest.raises(FileFormatError, match="not a readable XLSX workbook .*no workbook part"):
        read_table(buf.getvalue(), "sheet.ods")


def test_sheet_names_and_numbers_resolve_from_the_zip():
    data = H.patch_xlsx(H.base_xlsx(), {"xl/workbook.xml": lambda x: x.replace('name="Activity"',
                                                                              'name="Q1 &amp; Q2"')})
    assert reader.workbook_sheets(data) == ["Q1 & Q2"]
    assert read_table(data, "a.xlsx", sheet=0).details["sheet"] == "Q1 & Q2"
    with pytest.raises(FileFormatError, match="no sheet number 3"):
        read_table(data, "a.xlsx", sheet=3)


def test_the_scan_of_a_large_sheet_is_streamed_in_chunks(monkeypatch):
    """Elements cut across chunk boundaries are counted once: the same figures with tiny chunks."""
    data = H.base_xlsx(rows=300)
    book = sb.open_book(data, ReadLimits())
    whole = sb.check_sheet(data, book, "Activity", ReadLimits())
    monkeypatch.setattr(sb, "_CHUNK", 97)
    assert sb.check_sheet(data, book, "Activity", ReadLimits()) == whole
    assert (whole.rows, whole.columns, whole.cells) == (301, 4, 1204)


@pytest.mark.parametrize(("n", "letters"), [(1, "A"), (26, "Z"), (27, "AA"), (702, "ZZ"), (703, "AAA"),
                                            (16384, "XFD")])
def test_column_letters(n, letters):
    assert sb.column_letters(n) == letters and sb.column_number(letters) == n
