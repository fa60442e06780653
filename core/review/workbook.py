"""The board pack workbook of a quarterly review snapshot (:mod:`core.review.snapshot`): one XLSX file a board can read.

Sheets, in order (:func:`sheet_names`):

* **Summary**: the quarter, as-of date, snapshot id and saved time, the data fingerprint, the churn model, health
  configuration and codebook versions, the parameters, the library versions and how many figures each page has.
* One sheet per page of :data:`core.review.snapshot.PAGES` that has figures, named as the page: the columns of
  :func:`core.review.snapshot.page_table` (``Metric, Group, Value, Low, High, Unit, As shown, Note,
  Definition``). Value,
  Low and High are numbers holding the snapshot's exact floats (formatted by unit: :data:`NUMBER_FORMATS`), so
  they can be recomputed with; ``As shown`` is the review's text (a top driver's name).
* **Comparison** (given a :func:`core.review.compare.compare` output): each figure before and after, the change and its
  known cause.
* **Decisions** and **Assumptions** (given :func:`core.review.log.decisions` and
  :func:`core.review.log.assumptions`): the decision log (latest revisions; due as a date) and the register.
* **Definitions**: every definition of :data:`core.metrics.GLOSSARY` (:func:`core.metrics.definitions_table`),
  with the units of :data:`core.export.units.UNITS` beside them.

Text cells are written as text (never as formulas or links), a missing number (NaN) as an empty cell.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import numbers

import numpy as np
import pandas as pd
import xlsxwriter

from core import metrics
from core.errors import DataValidationError
from core.export import units
from core.review import snapshot as review
from core.review.log import ASSUMPTION_COLUMNS, DECISION_COLUMNS, PARAM_ASSUMPTIONS

#: Excel number format of a figure by its unit (:data:`core.export.units.UNITS`);
#: any other unit keeps Excel's General
NUMBER_FORMATS = {
    "share": "0.0%",
    "points": "+0.0%;-0.0%;0.0%",
    "nps": "+0.0;-0.0;0.0",
    "currency": '"$"#,##0;-"$"#,##0;"$"0',
    "score": "0.000",
    "ratio": '0.00"x"',
    "roi": "+0%;-0%;0%",
    "customers": "#,##0", "contacts": "#,##0", "verbatims": "#,##0",
    "rank": "0",
}
#: the format of a change between two snapshots (a difference of shares is in points)
CHANGE_FORMATS = {
    "share": "+0.0%;-0.0%;0.0%",
    "points": "+0.0%;-0.0%;0.0%",
    "nps": "+0.0;-0.0;0.0",
    "currency": '+"$"#,##0;-"$"#,##0;"$"0',
    "score": "+0.000;-0.000;0.000",
    "ratio": '+0.00"x";-0.00"x";0.00"x"',
    "roi": '+0%" pts";-0%" pts";0%" pts"',
    "customers": "+#,##0;-#,##0;0", "contacts": "+#,##0;-#,##0;0", "verbatims": "+#,##0;-#,##0;0",
    "rank": "+0;-0;0",
}
#: a page sheet's columns: :func:`core.review.snapshot.page_table` column -> header
PAGE_HEADERS = {"metric": "Metric", "group": "Group", "value": "Value", "low": "Low", "high": "High",
                "unit": "Unit", "shown": "As shown", "note": "Note", "definition": "Definition"}
#: the Comparison sheet's columns: :func:`core.review.compare.compare` column (and ``unit``) -> header
COMPARISON_HEADERS = {"page": "Page", "metric": "Metric", "group": "Group", "unit": "Unit", "before": "Before",
                      "after": "After", "change": "Change", "text_before": "Text before", "text_after": "Text after",
                      "cause": "Cause"}
#: the Decisions sheet's columns (:data:`core.review.log.DECISION_COLUMNS`)
DECISION_HEADERS = {"number": "Number", "decision": "Decision", "owner": "Owner", "rationale": "Rationale",
                    "due": "Due", "status": "Status", "revision": "Revision", "recorded_at": "Recorded at (UTC)",
                    "author": "Author"}
#: the Assumptions sheet's columns (:data:`core.review.log.ASSUMPTION_COLUMNS`)
ASSUMPTION_HEADERS = {"name": "Assumption", "value": "Value", "unit": "Unit", "owner": "Owner", "source": "Source",
                      "used_in_figures": "Used in figures"}
#: the Definitions sheet's two tables: the glossary (columns A-B) and, beside it, the units (columns D-F)
DEFINITION_HEADERS = ("Metric", "Definition")
UNIT_HEADERS = ("Unit", "Meaning", "Number format")
NO_DECISIONS = "No decision was recorded for this snapshot."
NO_ASSUMPTIONS = "No assumption was recorded for this snapshot."
_DATE, _DATETIME = "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"
_COMPARISON_COLUMNS = ["page", "metric", "group", "before", "after", "change", "text_before", "text_after", "cause"]


class _Formats:
    """The workbook's cell formats, made once each."""

    def __init__(self, book: xlsxwriter.Workbook):
        self.book = book
        self._made: dict = {}
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.section = book.add_format({"bold": True, "font_size": 11, "bottom": 1})
        self.header = book.add_format({"bold": True, "bottom": 1, "bg_color": "#F2F2F2", "valign": "top",
                                       "text_wrap": True})
        self.note = book.add_format({"italic": True, "font_color": "#595959"})

    def cell(self, num_format: str | None = None, wrap: bool = False):
        key = (num_format, wrap)
        if key not in self._made:
            spec = {"valign": "top"}
            if num_format:
                spec["num_format"] = num_format
            if wrap:
                spec["text_wrap"] = True
            self._made[key] = self.book.add_format(spec)
        return self._made[key]


def _missing(value) -> bool:
    if value is None or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _naive_utc(value) -> dt.datetime:
    """A datetime without its time zone, in UTC (a naive one is taken as UTC already), to the whole second."""
    ts = pd.Timestamp(value)
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return ts.to_pydatetime().replace(microsecond=0)


def _write(ws, row: int, col: int, value, fmt=None) -> None:
    """One cell by the value's type: a number as an exact number (NaN empty, infinity as the text ``inf``), a
    date or datetime as a date cell, a bool as a boolean, anything else as plain text (never a formula); an empty
    text is an empty cell."""
    if _missing(value) or (isinstance(value, str) and not value):
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool | np.bool_):
        ws.write_boolean(row, col, bool(value), fmt)
    elif isinstance(value, numbers.Real):
        x = float(value)
        if math.isinf(x):
            ws.write_string(row, col, "inf" if x > 0 else "-inf", fmt)
        else:
            ws.write_number(row, col, x, fmt)
    elif isinstance(value, dt.datetime):
        ws.write_datetime(row, col, _naive_utc(value), fmt)
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, dt.datetime(value.year, value.month, value.day), fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def _width(values, header: str, low: int = 8, high: int = 60) -> int:
    longest = max([len(header)] + [len(str(v)) for v in values if not _missing(v)][:500])
    return max(low, min(high, longest + 2))


def _table(ws, fm: _Formats, frame: pd.DataFrame, headers: dict[str, str], formats: dict | None = None,
           wrap: tuple[str, ...] = (), widths: dict[str, int] | None = None, first_row: int = 0) -> None:
    """``frame``'s ``headers`` columns as a table: bold header, frozen header row, autofilter, sized columns.

    ``formats`` maps a column to a number format, or to a callable ``(row) -> number format`` (per-row units);
    ``wrap`` columns wrap their text at a fixed width.
    """
    formats, widths = formats or {}, widths or {}
    cols = list(headers)
    for j, c in enumerate(cols):
        ws.write_string(first_row, j, headers[c], fm.header)
        wide = widths.get(c) or _width(frame[c] if c in frame else [], headers[c])
        ws.set_column(j, j, wide)
    for i, r in enumerate(frame[cols].to_dict("records"), start=first_row + 1):
        for j, c in enumerate(cols):
            f = formats.get(c)
            f = f(r) if callable(f) else f
            _write(ws, i, j, r[c], fm.cell(f, c in wrap))
    ws.freeze_panes(first_row + 1, 0)
    ws.autofilter(first_row, 0, first_row + max(len(frame), 1), len(cols) - 1)


def _version(value, none: str) -> str:
    return none if value is None else f"v{value}"


def _pages(snap: review.Snapshot) -> list[str]:
    """The pages with figures: :data:`core.review.snapshot.PAGES` order, then any other page in the order it appears."""
    have = list(dict.fromkeys(snap.figures["page"]))
    return [p for p in review.PAGES if p in have] + [p for p in have if p not in review.PAGES]


def _sheet_title(page: str) -> str:
    for ch in "[]:*?/\\":
        page = page.replace(ch, "-")
    return page[:31]


def sheet_names(snap: review.Snapshot, with_comparison: bool = False, with_log: bool = True) -> list[str]:
    """The sheets :func:`to_xlsx` writes for ``snap``, in order.

    Parameters
    ----------
    snap : core.review.snapshot.Snapshot
    with_comparison : bool, default False
        A comparison is given (a ``Comparison`` sheet).
    with_log : bool, default True
        The decision log and the assumptions register are given (``Decisions`` and ``Assumptions`` sheets).

    Returns
    -------
    list of str
        ``Summary``, the pages with figures (in :data:`core.review.snapshot.PAGES` order), then ``Comparison``,
        ``Decisions``, ``Assumptions`` when present, and ``Definitions``.
    """
    names = ["Summary"] + [_sheet_title(p) for p in _pages(snap)]
    if with_comparison:
        names.append("Comparison")
    if with_log:
        names += ["Decisions", "Assumptions"]
    return names + ["Definitions"]


def _check(frame: pd.DataFrame | None, columns: list[str], what: str) -> None:
    if frame is None:
        return
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataValidationError(f"The {what} has no column {', '.join(missing)}: pass the table core.review.snapshot "
                                  f"or core.review.log returns.")


# --------------------------------------------------------------------------- sheets
def _summary(ws, fm: _Formats, snap: review.Snapshot, extra: dict[str, int]) -> None:
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 68)
    ws.set_column(2, 2, 60)
    ws.write_string(0, 0, f"Quarterly review {snap.quarter}", fm.title)
    ws.write_string(1, 0, "The figures of one review snapshot, frozen when it was built; every figure's definition "
                          "is on the Definitions sheet.", fm.note)
    row = 3

    def section(title: str, *headers: str) -> None:
        nonlocal row
        row += 1 if row > 3 else 0
        ws.write_string(row, 0, title, fm.section)
        for j, h in enumerate(headers, start=1):
            ws.write_string(row, j, h, fm.section)
        row += 1

    def line(label: str, value, fmt=None, note: str = "") -> None:
        nonlocal row
        ws.write_string(row, 0, label)
        _write(ws, row, 1, value, fmt or fm.cell())
        if note:
            ws.write_string(row, 2, note, fm.note)
        row += 1

    v = snap.versions or {}
    section("Snapshot")
    line("Quarter", snap.quarter)
    line("As of", snap.as_of, fm.cell(_DATE))
    line("Snapshot id", "not saved" if snap.id is None else int(snap.id), fm.cell("0"))
    line("Saved (UTC)", "not saved" if snap.created_at is None else snap.created_at, fm.cell(_DATETIME))
    line("Data fingerprint", snap.data_hash, note="SHA-256 of the store's imports and row counts")
    line("Churn model", _version(v.get("churn_model"), "none"))
    line("Health configuration", _version(v.get("health_config"), "default"),
         note="default: the configuration the Health scores page starts from" if v.get("health_config") is None
         else "")
    line("Codebook", _version(v.get("codebook"), "none"), note="the number of changes in the codebook's log")
    line("Figures", len(snap.figures), fm.cell("#,##0"))
    for label, n in extra.items():
        line(label, n, fm.cell("#,##0"))

    section("Parameters", "Value", "Meaning")
    for k, value in (snap.params or {}).items():
        name, unit, where = PARAM_ASSUMPTIONS.get(k, ("", "", ""))
        meaning = f"{name} ({unit}); {where}" if name else ""
        line(k, value, fm.cell(NUMBER_FORMATS.get(unit)), meaning)

    section("Library versions", "Version")
    for lib, version in (v.get("libraries") or {}).items():
        line(lib, str(version))

    section("Pages", "Figures", "Sheet")
    counts = snap.figures["page"].value_counts()
    for page in review.PAGES + tuple(p for p in _pages(snap) if p not in review.PAGES):
        n = int(counts.get(page, 0))
        line(page, n, fm.cell("#,##0"), _sheet_title(page) if n else "no figures in this snapshot: no sheet")


def _page(ws, fm: _Formats, snap: review.Snapshot, page: str) -> None:
    t = review.page_table(snap, page)
    number = {c: (lambda r: NUMBER_FORMATS.get(r["unit"])) for c in ("value", "low", "high")}
    widths = {"value": 14, "low": 14, "high": 14, "unit": 11, "note": 50, "definition": 80,
              "shown": _width(t["shown"], "As shown", 12, 40), "metric": _width(t["metric"], "Metric", 12, 32),
              "group": _width(t["group"], "Group", 8, 44)}
    _table(ws, fm, t, PAGE_HEADERS, number, wrap=("note", "definition"), widths=widths)


def _comparison(ws, fm: _Formats, snap: review.Snapshot, comparison: pd.DataFrame) -> None:
    key = ["page", "metric", "group"]
    units = snap.figures.drop_duplicates(key).set_index(key)["unit"]
    c = comparison[_COMPARISON_COLUMNS].reset_index(drop=True)
    idx = pd.MultiIndex.from_frame(c[key])
    c.insert(3, "unit", units.reindex(idx).fillna("").to_numpy())
    formats = {"before": lambda r: NUMBER_FORMATS.get(r["unit"]), "after": lambda r: NUMBER_FORMATS.get(r["unit"]),
               "change": lambda r: CHANGE_FORMATS.get(r["unit"])}
    widths = {"before": 14, "after": 14, "change": 14, "unit": 11, "text_before": 40, "text_after": 40, "cause": 60,
              "page": _width(c["page"], "Page", 10, 20), "metric": _width(c["metric"], "Metric", 12, 32),
              "group": _width(c["group"], "Group", 8, 44)}
    _table(ws, fm, c, COMPARISON_HEADERS, formats, wrap=("text_before", "text_after", "cause"), widths=widths)


def _log(ws, fm: _Formats, frame: pd.DataFrame, headers: dict[str, str], formats: dict, wrap: tuple, widths: dict,
         empty: str) -> None:
    _table(ws, fm, frame.reset_index(drop=True), headers, formats, wrap=wrap, widths=widths)
    if frame.empty:
        ws.write_string(1, 0, empty, fm.note)


def _definitions(ws, fm: _Formats) -> None:
    d = metrics.definitions_table()
    _table(ws, fm, d, dict(zip(["metric", "definition"], DEFINITION_HEADERS)), wrap=("definition",),
           widths={"metric": _width(d["metric"], "Metric", 12, 30), "definition": 100})
    ws.set_column(2, 2, 3)
    for j, h in enumerate(UNIT_HEADERS, start=3):
        ws.write_string(0, j, h, fm.header)
    ws.set_column(3, 3, 12)
    ws.set_column(4, 4, 60)
    ws.set_column(5, 5, 22)
    for i, (unit, meaning) in enumerate(units.UNITS.items(), start=1):
        ws.write_string(i, 3, unit, fm.cell())
        ws.write_string(i, 4, meaning, fm.cell(None, True))
        ws.write_string(i, 5, NUMBER_FORMATS.get(unit, "General"), fm.cell())


def to_xlsx(snap: review.Snapshot, decisions: pd.DataFrame | None = None, assumptions: pd.DataFrame | None = None,
            comparison: pd.DataFrame | None = None) -> bytes:
    """The board pack workbook of one snapshot (the sheets of :func:`sheet_names`; see the module docstring).

    Parameters
    ----------
    snap : core.review.snapshot.Snapshot
        Saved or not (a snapshot never saved shows ``not saved`` for its id and time).
    decisions : pandas.DataFrame, optional
        :func:`core.review.log.decisions` (:data:`core.review.log.DECISION_COLUMNS`): a ``Decisions`` sheet,
        its header and a note when empty.
    assumptions : pandas.DataFrame, optional
        :func:`core.review.log.assumptions` (:data:`core.review.log.ASSUMPTION_COLUMNS`): an ``Assumptions``
        sheet.
    comparison : pandas.DataFrame, optional
        :func:`core.review.compare.compare` of two snapshots: a ``Comparison`` sheet (units from ``snap``'s figures).

    Returns
    -------
    bytes
        The XLSX file.

    Raises
    ------
    DataValidationError
        A table given lacks the columns core.review.snapshot or core.review.log give it.
    """
    _check(decisions, DECISION_COLUMNS, "decision log")
    _check(assumptions, ASSUMPTION_COLUMNS, "assumptions register")
    _check(comparison, _COMPARISON_COLUMNS, "comparison")
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    fm = _Formats(book)
    extra = {}
    if comparison is not None:
        extra["Compared figures"] = len(comparison)
    if decisions is not None:
        extra["Decisions"] = len(decisions)
    if assumptions is not None:
        extra["Assumptions"] = len(assumptions)
    _summary(book.add_worksheet("Summary"), fm, snap, extra)
    for page in _pages(snap):
        _page(book.add_worksheet(_sheet_title(page)), fm, snap, page)
    if comparison is not None:
        _comparison(book.add_worksheet("Comparison"), fm, snap, comparison)
    if decisions is not None:
        _log(book.add_worksheet("Decisions"), fm, decisions[DECISION_COLUMNS], DECISION_HEADERS,
             {"due": _DATE, "recorded_at": _DATETIME, "number": "0", "revision": "0"},
             wrap=("decision", "rationale"),
             widths={"number": 9, "decision": 50, "owner": 18, "rationale": 50, "due": 12, "status": 12,
                     "revision": 9, "recorded_at": 20, "author": 16}, empty=NO_DECISIONS)
    if assumptions is not None:
        a = assumptions[ASSUMPTION_COLUMNS]
        fmt = {"value": lambda r: {"share": "0.0%", "currency": "#,##0.00"}.get(r["unit"])}
        _log(book.add_worksheet("Assumptions"), fm, a, ASSUMPTION_HEADERS, fmt, wrap=("name", "source"),
             widths={"name": 44, "value": 14, "unit": 11, "owner": 16, "source": 60, "used_in_figures": 15},
             empty=NO_ASSUMPTIONS)
    _definitions(book.add_worksheet("Definitions"), fm)
    book.close()
    return buf.getvalue()


__all__ = ["ASSUMPTION_HEADERS", "CHANGE_FORMATS", "COMPARISON_HEADERS", "DECISION_HEADERS", "DEFINITION_HEADERS",
           "NUMBER_FORMATS", "PAGE_HEADERS", "UNIT_HEADERS", "sheet_names", "to_xlsx"]
