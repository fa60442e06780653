"""Findings about a whole column or a whole file, gathered over its chunks and reported once at the end.

Most checks of an import judge each row by itself (:mod:`core.ingest.plausibility`), so a long file validated a
chunk at a time (:mod:`core.ingest.chunked_prepare`) reports them chunk by chunk. Two are about the whole file:

* **Day/month ambiguity**: a detected numeric day/month format where every day of the column is 12 or less: one
  warning per column, on the first row whose day and month differ, naming the reading chosen and the other.
  Each chunk gives its :class:`DayMonth` evidence; :func:`merge` joins them; :func:`ambiguity_rows` reports.
* **No date column** in a feedback or ticket file: one warning saying that none of the file's rows will show where
  a date is needed (:func:`no_date_column_row`), with the count of every row of the file.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from core.ingest.issues import REPORT_COLUMNS
from core.ingest.wording import how

#: detected date formats whose day and month could be swapped -> the other reading
SWAPPED = {"%m/%d/%Y": "%d/%m/%Y", "%d/%m/%Y": "%m/%d/%Y", "%m/%d/%y": "%d/%m/%y", "%d/%m/%y": "%m/%d/%y",
           "%d.%m.%Y": "%m.%d.%Y", "%d-%m-%Y": "%m-%d-%Y", "%m-%d-%Y": "%d-%m-%Y"}
#: where undated feedback and tickets do not show
_NOT_SHOWN = "the Feedback themes page (nor in the {} measures of Health scores and Churn drivers)"
#: kind -> (date field, its name in messages, where undated rows do not show)
DATED_KINDS = {"feedback": ("date", "date", _NOT_SHOWN.format("survey")),
               "tickets": ("opened", "opened date", _NOT_SHOWN.format("ticket"))}


@dataclass(frozen=True)
class DayMonth:
    """One date column's evidence: a day over 12 seen, and the first row whose day and month differ."""

    field: str
    column: str
    fmt: str
    late_day: bool = False
    row: int | None = None
    cell: object = None
    read: pd.Timestamp | None = None


def pattern(fmt: str) -> str:
    """``%d/%m/%Y`` -> ``DD/MM/YYYY``."""
    return fmt.replace("%d", "DD").replace("%m", "MM").replace("%Y", "YYYY").replace("%y", "YY")


def day_month_evidence(ctx) -> list[DayMonth]:
    """Each swappable date column's evidence in one chunk (``ctx``: a :class:`core.ingest.plausibility.Context`);
    none when the analyst forced a format."""
    if ctx.forced_format:
        return []
    out = []
    for spec, col in ctx.checked("date", "datetime"):
        fmt = (ctx.date_formats or {}).get(spec.name)
        if fmt not in SWAPPED:
            continue
        d = ctx.typed[spec.name]
        known = d.notna()
        differ = (known & (d.dt.day != d.dt.month)).to_numpy(dtype=bool)  # 03/03 reads the same either way
        ev = DayMonth(spec.name, col, fmt, late_day=bool((d[known].dt.day > 12).any()))
        if differ.any():
            i = int(differ.argmax())
            ev = replace(ev, row=int(ctx.raw.rows[i]), cell=ctx.text(spec.name).iloc[i], read=d.iloc[i])
        out.append(ev)
    return out


def merge(earlier: list[DayMonth], chunk: list[DayMonth]) -> list[DayMonth]:
    """The evidence of the chunks so far joined with the next chunk's (same columns, same formats)."""
    if not earlier:
        return list(chunk)
    by_field = {e.field: e for e in chunk}
    out = []
    for e in earlier:
        c = by_field.get(e.field)
        if c is None:
            out.append(e)
            continue
        e = replace(e, late_day=e.late_day or c.late_day)
        out.append(e if e.row is not None else replace(e, row=c.row, cell=c.cell, read=c.read))
    return out


def ambiguity_rows(evidence: list[DayMonth]) -> pd.DataFrame:
    """The report rows (warnings) of the columns whose every day is 12 or less and whose reading matters."""
    rows = []
    for e in evidence:
        if e.late_day or e.row is None:
            continue
        cell, other = str(e.cell).strip(), SWAPPED[e.fmt]
        rows.append({"row": e.row, "column": e.column, "field": e.field, "value": e.cell,
                     "problem": f"day and month can be read either way: read as {pattern(e.fmt)} ('{cell}' is "
                                f"{e.read.day} {e.read:%B %Y})",
                     "fix": f"if the column is {pattern(other)}, write the dates as YYYY-MM-DD"
                            f"{how('date_format_as', other)}", "severity": "warning"})
    return pd.DataFrame(rows, columns=REPORT_COLUMNS)


def no_date_column_row(kind: str, typed: dict, n_rows: int, first_row: int) -> pd.DataFrame:
    """A feedback or ticket file with no date column: one warning on its first row counting every row (no rows
    otherwise)."""
    if kind not in DATED_KINDS or DATED_KINDS[kind][0] in typed:
        return pd.DataFrame(columns=REPORT_COLUMNS)
    fld, label, where = DATED_KINDS[kind]
    return pd.DataFrame([{"row": first_row, "column": "", "field": fld, "value": "",
                          "problem": f"no {label} column: none of the {n_rows:,} rows will show on {where}",
                          "fix": f"map the file's date column to {fld}, or add a column with the date (YYYY-MM-DD)",
                          "severity": "warning"}], columns=REPORT_COLUMNS)


def first_row_number(rows) -> int:
    """The first data row's spreadsheet number (1 when the file has none)."""
    rows = np.asarray(rows)
    return int(rows[0]) if len(rows) else 1
