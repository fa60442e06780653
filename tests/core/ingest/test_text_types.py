"""Text cells typed: an Arrow-backed column (how a CSV is read) gives exactly what the same cells as Python objects
give (how a workbook or a blank-lined CSV is read) for blank cells, trimming, dates and numbers; a column that needs
no trimming is not copied; the first filled cells are found beyond the head of a long column."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from core.ingest import text_types as T
from core.ingest.delimited import TEXT_DTYPE

PROPERTY = settings(max_examples=300, deadline=None, derandomize=True)
DATE_FORMATS = ("%Y-%m-%d", "ISO8601", "%d/%m/%Y")

#: cells that are blank, or blank-looking, or dates at the edges of what datetime64[ns] holds
EDGE = [None, "", "  ", "\t", "\xa0x", "x\u3000", "a b", " a", "é", "\x1cx", "x\x1c", "\x1c", "\x1fx\x1e",
        "0001-01-01", "2024-02-30", "2024-2-3", " 2024-02-03", "2024-02-03 ", "2262-04-12", "1677-09-20",
        "2262-04-11", "1677-09-21", "2262-04-10", "1677-09-22", "2024-02-29", "2023-02-29", "03/02/2024",
        "31/12/1999", "2024-02-03T10:30", "20240203", "\x85", "x\x85", "\u2028", "\x0b", "\u200b", "\ufeffx",
        "1,200", "$5", " 12 ", "1.5e3", "-0", "inf", "nan", "12 %", "1.234,56"]
#: columns the Arrow path types in Arrow (plain YYYY-MM-DD dates and missing cells, numbers), not through pandas
ARROW_COLUMNS = [
    ["2024-02-03", None, "2024-02-29", "1999-12-31"],
    ["0001-01-01", "2024-02-03"],  # beyond datetime64[ns]: pandas decides (a failed cell)
    ["2262-04-12", None], ["1677-09-20"], ["2262-04-11", "1677-09-21"], ["2262-04-10", "1677-09-22", None],
    [None, None], ["2024-02-30", "2024-02-03"], ["2024-2-3", "2024-12-01"],
    ["1", "2.5", None, "-3", "1e3"], ["nan", "inf", "0"],
]
#: characters str.strip removes (and some it keeps: zero-width space, BOM), beside ordinary ones
AWKWARD = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2028\u2029\u202f\u205f\u3000\u200b\ufeffaé0123-./,$%:T"


def _both(values: list, index=None) -> tuple[pd.Series, pd.Series]:
    """The same cells as an Arrow-backed column and as a column of Python objects (a non-default index)."""
    index = index if index is not None else pd.RangeIndex(10, 10 + len(values))
    return pd.Series(values, dtype=TEXT_DTYPE, index=index), pd.Series(values, dtype=object, index=index)


def _cells(s: pd.Series) -> list:
    """Cell values with every missing marker (NaN, None) as None."""
    return [None if v is None or (isinstance(v, float) and np.isnan(v)) else v for v in s.tolist()]


def _assert_same_typing(values: list, index=None) -> None:
    arrow, obj = _both(values, index)
    blank_a, blank_o = T.blank_mask(arrow), T.blank_mask(obj)
    pd.testing.assert_series_equal(blank_a, blank_o, obj="blank_mask")
    expected = obj.str.strip().where(~blank_o, None)
    got = T.trimmed(arrow, blank_a)
    assert got.index.equals(obj.index) and _cells(got) == _cells(expected), (values, _cells(got))
    for fmt in DATE_FORMATS:
        (days_a, bad_a), (days_o, bad_o) = T.to_dates(arrow, fmt), T.to_dates(obj, fmt)
        pd.testing.assert_series_equal(days_a, days_o, obj=f"to_dates {fmt} {values!r}")
        pd.testing.assert_series_equal(bad_a, bad_o, obj=f"to_dates bad {fmt} {values!r}")
    for decimal in (".", ","):
        (num_a, bad_a), (num_o, bad_o) = T.to_numbers(arrow, decimal), T.to_numbers(obj, decimal)
        pd.testing.assert_series_equal(num_a, num_o, obj=f"to_numbers {decimal} {values!r}")
        pd.testing.assert_series_equal(bad_a, bad_o, obj=f"to_numbers bad {decimal} {values!r}")


@pytest.mark.parametrize("value", EDGE, ids=repr)
def test_each_edge_cell_is_typed_alike_on_both_paths(value):
    _assert_same_typing([value])


def test_a_column_of_every_edge_cell_is_typed_alike_on_both_paths():
    _assert_same_typing(EDGE)
    _assert_same_typing(EDGE[::-1], index=pd.Index([f"r{i}" for i in range(len(EDGE))]))


@pytest.mark.parametrize("values", ARROW_COLUMNS, ids=repr)
def test_columns_arrow_types_in_place_are_typed_alike_on_both_paths(values):
    _assert_same_typing(values)


def test_the_plain_dates_and_their_failures_are_what_they_should_be():
    """Not only alike: right. A day datetime64[ns] cannot hold is a failed cell, not a wrapped-around date."""
    arrow, _ = _both(["2024-02-29", None, "2262-04-12", "1677-09-20", "2262-04-11"])
    days, bad = T.to_dates(arrow, "%Y-%m-%d")
    assert days.iloc[0] == pd.Timestamp("2024-02-29") and days.iloc[4] == pd.Timestamp("2262-04-11")
    assert days.iloc[1:4].isna().all() and bad.tolist() == [False, False, True, True, False]


def test_a_column_of_several_arrow_chunks_with_an_offset_is_typed_alike():
    """The reader's columns are chunked large_string arrays; a row selection keeps them chunked."""
    chunks = pa.chunked_array([pa.array(["x", "2024-01-01", None], pa.large_string()),
                               pa.array(["2024-01-03", "  ", "2024-02-30"], pa.large_string())])
    arrow = pd.Series(TEXT_DTYPE.__from_arrow__(chunks)).iloc[1:]
    obj = arrow.astype(object).where(arrow.notna(), None)
    for s in (arrow, arrow.iloc[[0, 2]]):  # with a blank, then plain dates only (parsed by Arrow)
        o = obj.loc[s.index]
        pd.testing.assert_series_equal(T.blank_mask(s), T.blank_mask(o))
        for fmt in DATE_FORMATS:
            pd.testing.assert_series_equal(T.to_dates(s, fmt)[0], T.to_dates(o, fmt)[0])
            pd.testing.assert_series_equal(T.to_dates(s, fmt)[1], T.to_dates(o, fmt)[1])


_CELL = hs.one_of(hs.none(), hs.sampled_from(EDGE), hs.text(alphabet=AWKWARD, max_size=5))
_ISO_DAY = hs.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(dt.date.isoformat)
_NUMBER = hs.floats(allow_nan=False, allow_infinity=False, width=32).map(repr)


@PROPERTY
@given(hs.lists(_CELL, min_size=1, max_size=8))
def test_any_column_of_awkward_cells_is_typed_alike_on_both_paths(values):
    _assert_same_typing(values)


@PROPERTY
@given(hs.lists(hs.one_of(hs.none(), _ISO_DAY, _NUMBER), min_size=1, max_size=8))
def test_any_column_of_plain_dates_or_numbers_is_typed_alike_on_both_paths(values):
    """Mostly columns Arrow types in place (every cell a plain date, or every cell a number)."""
    _assert_same_typing(values)


# --------------------------------------------------------------------------- no copy when nothing to trim


def test_trimmed_returns_the_very_column_when_nothing_needs_stripping():
    s = pd.Series(["a", None, "b c", "é", "\u200b"], dtype=TEXT_DTYPE)
    assert T.trimmed(s, T.blank_mask(s)) is s


@pytest.mark.parametrize("cell", [" a", "a\t", "\x1ca", "a\u3000", "  ", ""])
def test_trimmed_copies_when_a_cell_needs_stripping_or_is_blank(cell):
    s = pd.Series(["a", cell, None], dtype=TEXT_DTYPE)
    out = T.trimmed(s, T.blank_mask(s))
    assert out is not s and _cells(out) == ["a", cell.strip() or None, None]


# --------------------------------------------------------------------------- the first filled cells


@pytest.mark.parametrize("dtype", [TEXT_DTYPE, object], ids=["arrow", "object"])
def test_first_filled_finds_cells_beyond_the_head_window(dtype):
    n = 3  # the head window is 4 * n = 12 cells
    late = pd.Series([None] * 10 + ["", "  "] * 5 + ["a", "\t", "b", "c", "d"], dtype=dtype)
    got = T._first_filled(late, n)
    assert got.tolist() == ["a", "b", "c"] and got.index.tolist() == [20, 22, 23]
    split = pd.Series(["x"] + [None] * 30 + ["y", "z", "w"], dtype=dtype)  # one in the head, the rest far beyond
    assert T._first_filled(split, n).tolist() == ["x", "y", "z"]
    few = pd.Series([None] * 40 + ["only"], dtype=dtype)
    assert T._first_filled(few, n).tolist() == ["only"]
    assert T._first_filled(pd.Series([None] * 40, dtype=dtype), n).empty


def test_type_guesses_look_past_a_blank_head():
    s = pd.Series([None] * 25_000 + ["1", "2.5", "3"], dtype=TEXT_DTYPE)  # past 4 x 5,000 blank cells
    assert T.infer_extra_type(s) == "number" and T.type_share(s, "number") == 1.0


def test_iso_date_text_is_arrow_text_of_the_days():
    days = pd.Series(pd.to_datetime(["2024-02-29 00:00", None, "1999-12-31 13:00"]))
    text = pd.Series(T.iso_date_text(days))
    assert text.dtype == TEXT_DTYPE and _cells(text) == ["2024-02-29", None, "1999-12-31"]
    assert list(T.iso_dates(days)) == ["2024-02-29", None, "1999-12-31"]
