"""The cells of the review workbook (:mod:`core.review.workbook`) and its two sheets for leaders.

* **Summary**, read first: the headline figures as the printed report's cover shows them
  (:data:`core.review.report.HEADLINE_FIGURES`, written by :func:`core.export.units.format_value`), the assumptions
  the figures rest on and those the board added (:func:`core.review.log.used_assumptions` or the register given),
  then what makes the figures reproducible (quarter, as-of date, snapshot id, data fingerprint, versions), the pages
  and the library versions.
* **Definitions**: one table, ``Term, Definition, Unit``: every metric of :data:`core.metrics.GLOSSARY` with the unit
  its figures have in the snapshot, then every unit of :data:`core.export.units.UNITS`.

Cells are written by their type (:func:`write_cell`); text is always a text cell, never a formula or a link.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers

import numpy as np
import pandas as pd
import xlsxwriter

from core import metrics
from core.export import units
from core.review import snapshot as review
from core.review.log import used_assumptions
from core.review.report import HEADLINE_FIGURES

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
#: the Definitions sheet's one table
DEFINITION_HEADERS = ("Term", "Definition", "Unit")
#: the Summary sheet's headline section: (title, the columns after the figure's name)
HEADLINE_SECTION = ("Headline", "Value", "95 % interval or note")
NO_HEADLINE = "This snapshot has no headline figures."
DATE, DATETIME = "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"


class Formats:
    """The workbook's cell formats, made once each."""

    def __init__(self, book: xlsxwriter.Workbook):
        self.book = book
        self._made: dict = {}
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.section = book.add_format({"bold": True, "font_size": 11, "bottom": 1})
        self.header = book.add_format({"bold": True, "bottom": 1, "bg_color": "#F2F2F2", "valign": "top",
                                       "text_wrap": True})
        self.note = book.add_format({"italic": True, "font_color": "#595959"})
        self.figure = book.add_format({"bold": True, "font_size": 12, "align": "left"})

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


def missing(value) -> bool:
    if value is None or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def naive_utc(value) -> dt.datetime:
    """A datetime without its time zone, in UTC (a naive one is taken as UTC already), to the whole second."""
    ts = pd.Timestamp(value)
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return ts.to_pydatetime().replace(microsecond=0)


def write_cell(ws, row: int, col: int, value, fmt=None) -> None:
    """One cell by the value's type: a number as an exact number (NaN empty, infinity as the text ``inf``), a
    date or datetime as a date cell, a bool as a boolean, anything else as plain text (never a formula); an empty
    text is an empty cell."""
    if missing(value) or (isinstance(value, str) and not value):
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
        ws.write_datetime(row, col, naive_utc(value), fmt)
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, dt.datetime(value.year, value.month, value.day), fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def width(values, header: str, low: int = 8, high: int = 60) -> int:
    longest = max([len(header)] + [len(str(v)) for v in values if not missing(v)][:500])
    return max(low, min(high, longest + 2))


def table(ws, fm: Formats, frame: pd.DataFrame, headers: dict[str, str], formats: dict | None = None,
          wrap: tuple[str, ...] = (), widths: dict[str, int] | None = None, first_row: int = 0) -> None:
    """``frame``'s ``headers`` columns as a table: bold header, frozen header row, autofilter, sized columns.

    ``formats`` maps a column to a number format, or to a callable ``(row) -> number format`` (per-row units);
    ``wrap`` columns wrap their text at a fixed width.
    """
    formats, widths = formats or {}, widths or {}
    cols = list(headers)
    for j, c in enumerate(cols):
        ws.write_string(first_row, j, headers[c], fm.header)
        wide = widths.get(c) or width(frame[c] if c in frame else [], headers[c])
        ws.set_column(j, j, wide)
    for i, r in enumerate(frame[cols].to_dict("records"), start=first_row + 1):
        for j, c in enumerate(cols):
            f = formats.get(c)
            f = f(r) if callable(f) else f
            write_cell(ws, i, j, r[c], fm.cell(f, c in wrap))
    ws.freeze_panes(first_row + 1, 0)
    ws.autofilter(first_row, 0, first_row + max(len(frame), 1), len(cols) - 1)


def pages(snap: review.Snapshot) -> list[str]:
    """The pages with figures: :data:`core.review.snapshot.PAGES` order, then any other page in the order it appears."""
    have = list(dict.fromkeys(snap.figures["page"]))
    return [p for p in review.PAGES if p in have] + [p for p in have if p not in review.PAGES]


def sheet_title(page: str) -> str:
    for ch in "[]:*?/\\":
        page = page.replace(ch, "-")
    return page[:31]


# --------------------------------------------------------------------------- Summary
def headline(snap: review.Snapshot) -> list[tuple[str, str, str]]:
    """(label, value as shown, 95 % interval or note) of each headline figure the snapshot has, as the printed
    report's cover shows them; a figure the snapshot lacks is left out."""
    f, out = snap.figures, []
    for label, page, metric, group in HEADLINE_FIGURES:
        hit = f[(f["page"] == page) & (f["metric"] == metric) & (f["group"] == group) & f["value"].notna()]
        if hit.empty:
            continue
        r = hit.iloc[0]
        detail = r["text"] if isinstance(r["text"], str) else ""
        if pd.notna(r["low"]) and pd.notna(r["high"]) and r["low"] != r["high"]:  # a known figure has no interval
            detail = f"{units.format_value(r['low'], r['unit'])} to {units.format_value(r['high'], r['unit'])}"
        out.append((label, units.format_value(r["value"], r["unit"]), detail))
    return out


def assumption_value(value, unit: str) -> str:
    """An assumption's value with its unit: ``0.82, 'share' -> '82.0%'``, ``90, 'days' -> '90 days'``."""
    if missing(value):
        return units.MISSING
    if unit in units.UNITS:
        return units.format_value(value, unit)
    x = float(value)
    return f"{x:,.0f} {unit}".strip() if x.is_integer() else f"{x:,.6g} {unit}".strip()


def _assumption_note(r: dict) -> str:
    who = f"owner {r['owner']}" if r.get("owner") else ""
    used = "" if r.get("used_in_figures") is True else "added by the board, not used in the figures"
    return "; ".join(x for x in (str(r.get("source") or ""), who, used) if x)


def _version(value, none: str) -> str:
    return none if value is None else f"v{value}"


class _Lines:
    """The Summary's rows: a section title (bold, underlined), then label | value | note lines."""

    def __init__(self, ws, fm: Formats, row: int):
        self.ws, self.fm, self.row, self.first = ws, fm, row, True

    def section(self, title: str, *headers: str) -> None:
        self.row += 0 if self.first else 1
        self.first = False
        for j, h in enumerate((title, *headers)):
            self.ws.write_string(self.row, j, h, self.fm.section)
        self.row += 1

    def line(self, label: str, value, fmt=None, note: str = "") -> None:
        self.ws.write_string(self.row, 0, label)
        write_cell(self.ws, self.row, 1, value, fmt or self.fm.cell())
        if note:
            self.ws.write_string(self.row, 2, note, self.fm.note)
        self.row += 1


def summary(ws, fm: Formats, snap: review.Snapshot, extra: dict[str, int],
            assumptions: pd.DataFrame | None = None) -> None:
    """The Summary sheet: headline figures, assumptions, then the snapshot's metadata (see the module docstring)."""
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 68)
    ws.set_column(2, 2, 70)
    ws.write_string(0, 0, f"Quarterly review {snap.quarter}", fm.title)
    ws.write_string(1, 0, f"Figures as of {snap.as_of:%d %B %Y}, frozen when the snapshot was built. Each page's "
                          "figures are on its own sheet; every definition is on the Definitions sheet.", fm.note)
    out, figures = _Lines(ws, fm, 3), headline(snap)
    out.section(*HEADLINE_SECTION)
    for label, shown, detail in figures:
        out.line(label, shown, fm.figure, detail)
    if not figures:
        out.line(NO_HEADLINE, "")

    out.section("Assumptions behind the figures", "Value", "Source")
    register = used_assumptions(snap) if assumptions is None else assumptions
    for r in register.to_dict("records"):
        out.line(str(r["name"]), assumption_value(r["value"], str(r["unit"] or "")), note=_assumption_note(r))

    v = snap.versions or {}
    out.section("Snapshot", "Value", "Note")
    out.line("Quarter", snap.quarter)
    out.line("As of", snap.as_of, fm.cell(DATE))
    out.line("Snapshot id", "not saved" if snap.id is None else int(snap.id), fm.cell("0"))
    out.line("Saved (UTC)", "not saved" if snap.created_at is None else snap.created_at, fm.cell(DATETIME))
    out.line("Data fingerprint", snap.data_hash, note=review.fingerprint_note(v))
    out.line("Churn model", review.churn_model_text(v))
    out.line("Health configuration", _version(v.get("health_config"), "default"),
             note="default: the configuration the Health scores page starts from" if v.get("health_config") is None
             else "")
    out.line("Codebook", _version(v.get("codebook"), "none"), note="the number of changes in the codebook's log")
    out.line("Figures", len(snap.figures), fm.cell("#,##0"))
    for label, n in extra.items():
        out.line(label, n, fm.cell("#,##0"))

    out.section("Pages", "Figures", "Sheet")
    counts = snap.figures["page"].value_counts()
    for page in review.PAGES + tuple(p for p in pages(snap) if p not in review.PAGES):
        n = int(counts.get(page, 0))
        out.line(page, n, fm.cell("#,##0"), sheet_title(page) if n else "no figures in this snapshot: no sheet")

    out.section("Library versions", "Version")
    for lib, version in (v.get("libraries") or {}).items():
        out.line(lib, str(version))


# --------------------------------------------------------------------------- Definitions
def definitions_frame(snap: review.Snapshot) -> pd.DataFrame:
    """``term, definition, unit``: every glossary metric with the unit(s) of its figures in ``snap`` (empty when the
    snapshot has none; ``Revenue saved (window)`` counts as ``Revenue saved``), then every unit, named
    ``Unit: <unit>``."""
    d = metrics.definitions_table()
    f = snap.figures[["metric", "unit"]]
    # a figure named "Revenue saved (window)" is the glossary's "Revenue saved" (core.metrics.definition)
    term = f["metric"].where(f["metric"].isin(metrics.GLOSSARY.keys()), f["metric"].str.rsplit(" (", n=1).str[0])
    unit = f.assign(term=term).drop_duplicates(["term", "unit"]).groupby("term", sort=False)["unit"].agg(", ".join)
    glossary = pd.DataFrame({"term": d["metric"], "definition": d["definition"],
                             "unit": d["metric"].map(unit).fillna("")})
    kinds = pd.DataFrame({"term": [f"Unit: {u}" for u in units.UNITS], "definition": list(units.UNITS.values()),
                          "unit": ""})
    return pd.concat([glossary, kinds], ignore_index=True)


def definitions(ws, fm: Formats, snap: review.Snapshot) -> None:
    d = definitions_frame(snap)
    table(ws, fm, d, dict(zip(["term", "definition", "unit"], DEFINITION_HEADERS)), wrap=("definition",),
          widths={"term": width(d["term"], "Term", 12, 32), "definition": 100, "unit": 12})


__all__ = ["DATE", "DATETIME", "DEFINITION_HEADERS", "HEADLINE_SECTION", "NO_HEADLINE", "NUMBER_FORMATS", "Formats",
           "assumption_value", "definitions", "definitions_frame", "headline", "pages", "sheet_title", "summary",
           "table", "width", "write_cell"]
