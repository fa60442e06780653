"""The board pack workbook of a quarterly review snapshot (:mod:`core.review.snapshot`): one XLSX file a board can read.

Sheets, in order (:func:`sheet_names`):

* **Summary** (:func:`core.review.workbook_sheets.summary`): first the headline figures as the printed report shows
  them (:data:`core.review.report.HEADLINE_FIGURES`) and the assumptions the figures rest on (with those the board
  added), then the quarter, as-of date, snapshot id and saved time, the data fingerprint, the churn model, health
  configuration and codebook versions, how many figures each page has and the library versions.
* One sheet per page of :data:`core.review.snapshot.PAGES` that has figures, named as the page: the columns of
  :func:`core.review.snapshot.page_table` (``Metric, Group, Value, Low, High, Unit, As shown, Note,
  Definition``). Value,
  Low and High are numbers holding the snapshot's exact floats (formatted by unit: :data:`NUMBER_FORMATS`), so
  they can be recomputed with; ``As shown`` is the review's text (a top driver's name).
* **MRR at risk** (when the Overview has MRR-at-risk figures): the customers behind MRR at high churn risk and MRR
  in red (:data:`core.review.at_risk.CUSTOMER_COLUMNS`), each with its MRR in the as-of month. Left out for a
  reader without the risk-list right (``risk_lists=False``); the Definitions sheet then says so
  (:data:`RISK_LISTS_LEFT_OUT`).
* **Comparison** (given a :func:`core.review.compare.compare` output): each figure before and after, the change and its
  known cause.
* **Decisions** and **Assumptions** (given :func:`core.review.log.decisions` and
  :func:`core.review.log.assumptions`): the decision log (latest revisions; due as a date) and the register.
* **Definitions**: one table ``Term, Definition, Unit``: every definition of :data:`core.metrics.GLOSSARY` with the
  unit of its figures, then every unit of :data:`core.export.units.UNITS`
  (:func:`core.review.workbook_sheets.definitions_frame`).

Text cells are written as text (never as formulas or links), a missing number (NaN) as an empty cell.
"""

from __future__ import annotations

import io

import pandas as pd
import xlsxwriter

from core.errors import DataValidationError
from core.review import snapshot as review
from core.review.at_risk import CUSTOMER_COLUMNS, CUSTOMER_HEADERS
from core.review.log import ASSUMPTION_COLUMNS, DECISION_COLUMNS
from core.review.workbook_sheets import (
    DATE,
    DATETIME,
    DEFINITION_HEADERS,
    NUMBER_FORMATS,
    Formats,
    definitions,
    definitions_frame,
    pages,
    sheet_title,
    summary,
    table,
    width,
)

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
#: the sheet of the customers behind the MRR-at-risk figures, and what it says when there are none
AT_RISK_SHEET = "MRR at risk"
NO_AT_RISK = "No customer is behind the MRR-at-risk figures (see their notes on the Overview sheet)."
#: the Definitions sheet's last line when the per-customer sheets are left out (no risk-list right)
RISK_LISTS_LEFT_OUT = ("The per-customer sheet (MRR at risk: the customers behind MRR at high churn risk and MRR in "
                       "red) is left out: per-customer risk lists are shown to admins and the roles an admin allows.")
NO_DECISIONS = "No decision was recorded for this snapshot."
NO_ASSUMPTIONS = "No assumption was recorded for this snapshot."
_AT_RISK_FIGURES = ("MRR at high churn risk", "MRR in red")
_COMPARISON_COLUMNS = ["page", "metric", "group", "before", "after", "change", "text_before", "text_after", "cause"]


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
    names = ["Summary"] + [sheet_title(p) for p in pages(snap)] + ([AT_RISK_SHEET] if has_at_risk(snap) else [])
    if with_comparison:
        names.append("Comparison")
    if with_log:
        names += ["Decisions", "Assumptions"]
    return names + ["Definitions"]


def has_at_risk(snap: review.Snapshot) -> bool:
    """The snapshot's Overview has the MRR-at-risk figures (a store with recurring revenue)."""
    f = snap.figures
    return bool(((f["page"] == "Overview") & f["metric"].isin(_AT_RISK_FIGURES)).any())


def _check(frame: pd.DataFrame | None, columns: list[str], what: str) -> None:
    if frame is None:
        return
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataValidationError(f"The {what} has no column {', '.join(missing)}: pass the table core.review.snapshot "
                                  f"or core.review.log returns.")


# --------------------------------------------------------------------------- sheets
def _page(ws, fm: Formats, snap: review.Snapshot, page: str) -> None:
    t = review.page_table(snap, page)
    number = {c: (lambda r: NUMBER_FORMATS.get(r["unit"])) for c in ("value", "low", "high")}
    widths = {"value": 14, "low": 14, "high": 14, "unit": 11, "note": 50, "definition": 80,
              "shown": width(t["shown"], "As shown", 12, 40), "metric": width(t["metric"], "Metric", 12, 32),
              "group": width(t["group"], "Group", 8, 44)}
    table(ws, fm, t, PAGE_HEADERS, number, wrap=("note", "definition"), widths=widths)


def _comparison(ws, fm: Formats, snap: review.Snapshot, comparison: pd.DataFrame) -> None:
    key = ["page", "metric", "group"]
    units = snap.figures.drop_duplicates(key).set_index(key)["unit"]
    c = comparison[_COMPARISON_COLUMNS].reset_index(drop=True)
    idx = pd.MultiIndex.from_frame(c[key])
    c.insert(3, "unit", units.reindex(idx).fillna("").to_numpy())
    formats = {"before": lambda r: NUMBER_FORMATS.get(r["unit"]), "after": lambda r: NUMBER_FORMATS.get(r["unit"]),
               "change": lambda r: CHANGE_FORMATS.get(r["unit"])}
    widths = {"before": 14, "after": 14, "change": 14, "unit": 11, "text_before": 40, "text_after": 40, "cause": 60,
              "page": width(c["page"], "Page", 10, 20), "metric": width(c["metric"], "Metric", 12, 32),
              "group": width(c["group"], "Group", 8, 44)}
    table(ws, fm, c, COMPARISON_HEADERS, formats, wrap=("text_before", "text_after", "cause"), widths=widths)


def _log(ws, fm: Formats, frame: pd.DataFrame, headers: dict[str, str], formats: dict, wrap: tuple, widths: dict,
         empty: str) -> None:
    table(ws, fm, frame.reset_index(drop=True), headers, formats, wrap=wrap, widths=widths)
    if frame.empty:
        ws.write_string(1, 0, empty, fm.note)


def to_xlsx(snap: review.Snapshot, decisions: pd.DataFrame | None = None, assumptions: pd.DataFrame | None = None,
            comparison: pd.DataFrame | None = None, risk_lists: bool = True) -> bytes:
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
    risk_lists : bool
        Whether the reader may see per-customer risk lists (:func:`core.access.guard.allowed` with
        :data:`core.access.rights.RISK_LISTS`); without it the MRR-at-risk sheet is left out and the Definitions
        sheet says so.

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
    fm = Formats(book)
    extra = {}
    if comparison is not None:
        extra["Compared figures"] = len(comparison)
    if decisions is not None:
        extra["Decisions"] = len(decisions)
    if assumptions is not None:
        extra["Assumptions"] = len(assumptions)
    summary(book.add_worksheet("Summary"), fm, snap, extra, assumptions)
    for page in pages(snap):
        _page(book.add_worksheet(sheet_title(page)), fm, snap, page)
    if risk_lists and has_at_risk(snap):
        _log(book.add_worksheet(AT_RISK_SHEET), fm, snap.at_risk[CUSTOMER_COLUMNS], CUSTOMER_HEADERS,
             {"mrr": NUMBER_FORMATS["currency"]}, wrap=(), widths={"figure": 24, "customer_id": 16, "mrr": 14,
                                                                    "group": 24}, empty=NO_AT_RISK)
    if comparison is not None:
        _comparison(book.add_worksheet("Comparison"), fm, snap, comparison)
    if decisions is not None:
        _log(book.add_worksheet("Decisions"), fm, decisions[DECISION_COLUMNS], DECISION_HEADERS,
             {"due": DATE, "recorded_at": DATETIME, "number": "0", "revision": "0"},
             wrap=("decision", "rationale"),
             widths={"number": 9, "decision": 50, "owner": 18, "rationale": 50, "due": 12, "status": 12,
                     "revision": 9, "recorded_at": 20, "author": 16}, empty=NO_DECISIONS)
    if assumptions is not None:
        a = assumptions[ASSUMPTION_COLUMNS]
        fmt = {"value": lambda r: {"share": "0.0%", "currency": "#,##0.00"}.get(r["unit"])}
        _log(book.add_worksheet("Assumptions"), fm, a, ASSUMPTION_HEADERS, fmt, wrap=("name", "source"),
             widths={"name": 44, "value": 14, "unit": 11, "owner": 16, "source": 60, "used_in_figures": 15},
             empty=NO_ASSUMPTIONS)
    ws = book.add_worksheet("Definitions")
    definitions(ws, fm, snap)
    if not risk_lists:
        ws.write_string(len(definitions_frame(snap)) + 2, 0, RISK_LISTS_LEFT_OUT, fm.note)
    book.close()
    return buf.getvalue()


__all__ = ["ASSUMPTION_HEADERS", "CHANGE_FORMATS", "COMPARISON_HEADERS", "DECISION_HEADERS", "DEFINITION_HEADERS",
           "NUMBER_FORMATS", "PAGE_HEADERS", "RISK_LISTS_LEFT_OUT", "has_at_risk", "sheet_names", "to_xlsx"]
