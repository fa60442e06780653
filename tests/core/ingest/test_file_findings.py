"""Findings about a whole file gathered over its chunks (:mod:`core.ingest.file_findings`): the day/month evidence
of the chunks, merged, is the evidence of the whole column; a file with no date column is told once."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from core.ingest import file_findings as ff
from core.ingest.issues import REPORT_COLUMNS
from core.ingest.plausibility import Context
from core.ingest.reader import RawTable


def context(cells: list[str | None], rows: np.ndarray, fmt: str = "%d/%m/%Y", forced: str | None = None) -> Context:
    """An activity file's date column as read and as typed in ``fmt``."""
    text = pd.Series(cells, dtype=object)
    frame = pd.DataFrame({"when": text})
    typed = {"date": pd.to_datetime(text, format=fmt, errors="coerce")}
    raw = RawTable(frame=frame, rows=np.asarray(rows), file_format="csv", details={})
    return Context("activity", raw, typed, {"date": "when"}, {}, date_formats={"date": fmt}, forced_format=forced)


def evidence(cells, rows, **kwargs) -> list[ff.DayMonth]:
    return ff.day_month_evidence(context(cells, rows, **kwargs))


def test_the_first_row_whose_day_and_month_differ_is_the_evidence():
    (ev,) = evidence(["03/03/2024", None, "04/05/2024", "06/07/2024"], np.array([2, 3, 4, 5]))
    assert (ev.field, ev.column, ev.fmt, ev.late_day, ev.row, ev.cell) == ("date", "when", "%d/%m/%Y", False, 4,
                                                                           "04/05/2024")
    assert ev.read == pd.Timestamp("2024-05-04")
    (ev,) = evidence(["03/03/2024", "13/05/2024"], np.array([2, 3]))
    assert ev.late_day and ev.row == 3
    (ev,) = evidence(["03/03/2024", "05/05/2024"], np.array([2, 3]))
    assert ev.row is None and not ev.late_day


def test_no_evidence_for_a_forced_or_unswappable_format():
    assert evidence(["04/05/2024"], np.array([2]), forced="%d/%m/%Y") == []
    assert evidence(["2024-05-04"], np.array([2]), fmt="%Y-%m-%d") == []


def test_merge_keeps_the_earliest_row_and_any_late_day():
    a = ff.DayMonth("date", "when", "%d/%m/%Y")
    b = ff.DayMonth("date", "when", "%d/%m/%Y", row=40, cell="04/05/2024", read=pd.Timestamp("2024-05-04"))
    c = ff.DayMonth("date", "when", "%d/%m/%Y", late_day=True, row=90, cell="13/05/2024",
                    read=pd.Timestamp("2024-05-13"))
    other = ff.DayMonth("churn_date", "left", "%m/%d/%Y", row=5, cell="01/02/2024", read=pd.Timestamp("2024-01-02"))
    assert ff.merge([], [a, other]) == [a, other]
    assert ff.merge([a, other], [b]) == [b, other]  # a row only a later chunk shows; a column it lacks is kept
    merged = ff.merge(ff.merge([a], [b]), [c])
    assert merged == [ff.DayMonth("date", "when", "%d/%m/%Y", late_day=True, row=40, cell="04/05/2024",
                                  read=pd.Timestamp("2024-05-04"))]


def test_an_ambiguous_column_is_one_warning_naming_both_readings():
    b = ff.DayMonth("date", "when", "%d/%m/%Y", row=40, cell=" 04/05/2024", read=pd.Timestamp("2024-05-04"))
    rep = ff.ambiguity_rows([b, ff.DayMonth("period", "p", "%m/%d/%Y"),
                             ff.DayMonth("x", "y", "%m/%d/%Y", late_day=True, row=3, cell="01/02/2024",
                                         read=pd.Timestamp("2024-01-02"))])
    assert list(rep.columns) == REPORT_COLUMNS
    assert rep[["row", "column", "field", "value", "severity"]].values.tolist() == \
        [[40, "when", "date", " 04/05/2024", "warning"]]
    assert rep["problem"][0] == "day and month can be read either way: read as DD/MM/YYYY ('04/05/2024' is 4 May 2024)"
    assert rep["fix"][0].startswith("if the column is MM/DD/YYYY, write the dates as YYYY-MM-DD")
    assert ff.ambiguity_rows([]).empty


@settings(max_examples=200, derandomize=True, deadline=None)
@given(days=st.lists(st.tuples(st.integers(1, 14), st.integers(1, 12)) | st.none(), min_size=1, max_size=40),
       cuts=st.lists(st.integers(1, 39), max_size=6))
def test_the_chunks_evidence_merged_is_the_whole_columns(days, cuts):
    """Any column of DD/MM dates (some blank, a few days over 12), cut anywhere: the merged evidence of the chunks is
    the evidence of the column read whole, and so is the report."""
    cells = [None if d is None else f"{d[0]:02d}/{d[1]:02d}/2024" for d in days]
    rows = np.arange(2, len(cells) + 2)
    whole = evidence(cells, rows)
    edges = [0, *sorted({c for c in cuts if c < len(cells)}), len(cells)]
    merged: list = []
    for a, b in zip(edges, edges[1:]):
        merged = ff.merge(merged, evidence(cells[a:b], rows[a:b]))
    assert merged == whole
    pd.testing.assert_frame_equal(ff.ambiguity_rows(merged), ff.ambiguity_rows(whole))


def test_a_feedback_or_ticket_file_with_no_date_column_is_told_once_counting_every_row():
    rep = ff.no_date_column_row("feedback", {"channel", "score", "text"}, 5_000_000, 2)
    assert rep[["row", "column", "field", "severity"]].values.tolist() == [[2, "", "date", "warning"]]
    assert rep["problem"][0].startswith("no date column: none of the 5,000,000 rows will show on the Feedback themes")
    rep = ff.no_date_column_row("tickets", {"ticket_id"}, 3, 1)
    assert rep["field"].tolist() == ["opened"] and "none of the 3 rows" in rep["problem"][0]
    assert ff.no_date_column_row("tickets", {"ticket_id", "opened"}, 3, 2).empty
    assert ff.no_date_column_row("revenue", {"customer_id"}, 3, 2).empty
    assert list(ff.no_date_column_row("activity", set(), 3, 2).columns) == REPORT_COLUMNS


def test_the_first_row_number():
    assert ff.first_row_number(np.array([4, 5])) == 4
    assert ff.first_row_number(np.array([], dtype=np.int64)) == 1
