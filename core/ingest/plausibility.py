"""Plausibility checks of an import: values that type correctly but would wreck a headline figure.

One function per check returns :class:`Finding` objects (report rows: a mask over the source rows, column, field,
problem, fix, severity); :func:`check` runs them all into the import's :class:`~core.ingest.issues.Issues`, so an
error rejects its row (strict mode refuses the file) and a warning is reported while the row loads. The checks
that read the store take the engine and run one query each. The decisions:

* **Dates** after the import day (+ :data:`FUTURE_TOLERANCE`) or before 1970: an error where the date decides
  where the data ends (:data:`DATA_END_DATES`; one revenue row dated 2099 made MRR read $0), else a warning (ticket
  times, feedback and intervention dates load as given). A renewal date lies ahead by nature: only < 1970 counts.
* **Amounts**: ``inf``, ``-inf``, ``nan`` are errors in every numeric field; negatives follow
  :data:`NEGATIVE_RULES` (negative MRR is an error: a refund is not MRR); other fields allow them (returns, credits).
* **Duplicate MRR** for one customer and month: in the file, an error on the repeat naming the first row; against
  the store in append mode, an error too (the MRR would count twice): import in replace mode or remove the row.
* **Ids already imported** (append mode): a ticket id, or a feedback file's id column (:data:`FEEDBACK_ID_NAMES`,
  kept as an attribute): an error naming the import.
* **Mixed encodings**: a cell that is UTF-8 read in a legacy code page (``ZÃ¼rich``): an error in a key column,
  else a warning. The cell loads as read; repairing it needs the reader to decode line by line.
* **Undated feedback and tickets** never show on Feedback themes: one warning per blank date (the day/month
  ambiguity of a column and a file with no date column are whole-file findings: :mod:`core.ingest.file_findings`).
* **One column holding a delimiter** the reader does not split (``~``, ``^``): an error on every row.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import String, cast, func, select
from sqlalchemy.engine import Engine

from core.ingest import fields as F
from core.ingest.file_findings import DATED_KINDS
from core.ingest.issues import Issues
from core.ingest.reader import RawTable
from core.ingest.repeats import KeyMemory, repeated
from core.ingest.wording import how
from core.store.tables import Feedback, Revenue, Ticket

#: how far after the import day a date may lie before it is reported (exports dated in another time zone)
FUTURE_TOLERANCE = dt.timedelta(days=1)
#: the earliest plausible date
EARLIEST = pd.Timestamp("1970-01-01")
#: (kind, field) of the dates that decide where the data ends: implausible ones are errors, others warnings
DATA_END_DATES = {("revenue", "period"), ("customers", "signup_date"), ("customers", "churn_date"),
                  ("activity", "date"), ("transactions", "date")}
#: why a date out of range is an error where it decides where the data ends
_DATE_WHY = {"after": "a date after today moves where the data ends, so MRR, NRR and churn would be read for a time "
                      "without data", "before": "a date before 1970 is usually a placeholder or a wrong century"}
#: dates that normally lie ahead: only a date before 1970 is reported
_FUTURE_IS_NORMAL = {"renewal_date"}
#: (kind, field) -> (severity, what it is, fix) of a negative value; other numeric fields allow negatives
NEGATIVE_RULES = {
    ("revenue", "mrr"): ("error", "negative MRR", "a refund or credit is not recurring revenue: put it in the amount "
                                                  "column, or correct the sign"),
    ("interventions", "cost"): ("error", "negative cost", "correct the sign (it would inflate the play's ROI)"),
    ("activity", "value"): ("warning", "negative usage value", "check the sign; the row is loaded as given")}
#: normalised names of a feedback file's own id column (kept as an attribute: feedback has no id field)
FEEDBACK_ID_NAMES = {"id", "feedback_id", "review_id", "response_id", "survey_response_id", "comment_id",
                     "tweet_id", "answer_id", "submission_id"}
#: delimiters the reader does not split on (``core.ingest.reader``); a one-column file full of them is suspect
_UNSPLIT_DELIMITERS = ("~", "^")
#: code pages tried on a UTF-8 or XLSX file's text to recognise UTF-8 once read as one of them
_LEGACY = ("cp1252", "cp1250", "latin-1")
_NAN_TEXT = r"^\s*[+-]?nan\s*$"
_KEY_FIELDS = ("customer_id", "ticket_id")
_ARROW_TEXT = (pa.string(), pa.large_string())


def import_day() -> dt.date:
    """The import day: today on this machine (tests replace this function)."""
    return dt.date.today()


@dataclass(frozen=True)
class Finding:
    """Report rows of one problem: the rows in ``mask``; ``fix`` one text or one per row; ``values`` default: cells."""

    mask: np.ndarray
    column: str
    field: str
    problem: str
    fix: str | np.ndarray
    severity: str = "error"
    values: np.ndarray | None = None


@dataclass(frozen=True)
class Context:
    """What the checks read: the file, its typed fields (a field neither in ``used`` nor in ``constants`` was
    derived and is not checked) and the import's options; ``today`` defaults to :func:`import_day`."""

    kind: str
    raw: RawTable
    typed: dict[str, pd.Series]
    used: dict[str, str]
    constants: dict[str, str]
    mode: str = "append"
    date_formats: dict[str, str | None] | None = None
    forced_format: str | None = None
    ignore: tuple[str, ...] = ()
    today: dt.date | None = None
    #: a file read in chunks: the (customer, month) keys of MRR in the earlier chunks
    mrr_memory: KeyMemory | None = None

    @property
    def day(self) -> dt.date:
        return self.today or import_day()

    def column(self, fld: str) -> str | None:
        """The column a field came from, :func:`~core.ingest.wording.how` names a whole-file value, None: derived."""
        return self.used.get(fld) or (how("constant", fld) if fld in self.constants else None)

    def text(self, fld: str) -> pd.Series:
        """The cells of a field's column as read (the whole-file value repeated for a constant)."""
        if fld in self.used:
            return self.raw.frame[self.used[fld]]
        return pd.Series([self.constants[fld]] * len(self.raw.frame), index=self.raw.frame.index, dtype=object)

    def checked(self, *types: str) -> list[tuple[F.FieldSpec, str]]:
        """(field spec, column) of the kind's fields of these types that came from the file or a constant."""
        return [(s, self.column(s.name)) for s in F.KINDS[self.kind]
                if s.type in types and s.name in self.typed and self.column(s.name) is not None]


def check(engine: Engine, issues: Issues, ctx: Context) -> None:
    """Run every check on ``ctx`` and add the report rows to ``issues`` (errors reject their rows); ``engine`` is
    read by :func:`revenue_in_store` and :func:`ids_in_store`, one query each."""
    findings = [*one_column_file(ctx), *implausible_dates(ctx), *nonfinite_numbers(ctx), *negative_amounts(ctx),
                *duplicate_revenue(ctx), *revenue_in_store(engine, ctx), *ids_in_store(engine, ctx),
                *mixed_encodings(ctx), *undated_rows(ctx)]
    for f in findings:
        values = f.values
        if values is None and f.field in ctx.constants and f.field not in ctx.used:  # quote the whole-file value
            values = np.full(int(np.sum(f.mask)), ctx.constants[f.field], dtype=object)
        issues.add(f.mask, f.column, f.field, f.problem, f.fix, severity=f.severity, values=values)


def implausible_dates(ctx: Context) -> list[Finding]:
    """Dates after the import day (plus :data:`FUTURE_TOLERANCE`) or before 1970 (see the module docstring)."""
    out = []
    after = pd.Timestamp(ctx.day + FUTURE_TOLERANCE + dt.timedelta(days=1))  # from the next midnight on
    for spec, col in ctx.checked("date", "datetime"):
        d, error = ctx.typed[spec.name], (ctx.kind, spec.name) in DATA_END_DATES
        cases = [("before", "date before 1970", d < EARLIEST)]
        if spec.name not in _FUTURE_IS_NORMAL:
            cases.insert(0, ("after", f"date after the import day ({ctx.day.isoformat()})", d >= after))
        for key, problem, hit in cases:
            mask = hit.fillna(False).to_numpy(dtype=bool)
            fix = (f"correct the year or remove the row: {_DATE_WHY[key]}" if error
                   else "check the year; the row is loaded as given")
            out.append(Finding(mask, col, spec.name, problem, fix, "error" if error else "warning"))
    return out


def nonfinite_numbers(ctx: Context) -> list[Finding]:
    """``inf``, ``-inf`` or ``nan`` in a numeric field: an error (unless the typing reported it as text)."""
    out = []
    decimal = ctx.raw.details.get("decimal", ".")
    for spec, col in ctx.checked("number", "months"):
        vals = ctx.typed[spec.name].to_numpy(dtype="float64")
        text = ctx.text(spec.name)
        mask = np.isinf(vals)
        maybe = np.isnan(vals) & text.notna().to_numpy()
        if maybe.any():
            nan_text = np.zeros(len(vals), dtype=bool)
            nan_text[maybe] = text[maybe].astype(str).str.match(_NAN_TEXT, flags=re.IGNORECASE).to_numpy()
            if nan_text.any():  # the typing reports "nan" as text when the column was not all plain numbers
                nan_text &= ~F.to_numbers(text.astype(object), decimal)[1].to_numpy(dtype=bool)
            mask |= nan_text
        out.append(Finding(mask, col, spec.name, "not a finite number",
                           "write the number, or leave the cell empty if it is unknown", "error"))
    return out


def negative_amounts(ctx: Context) -> list[Finding]:
    """Negative values of the fields in :data:`NEGATIVE_RULES` (an infinite one is :func:`nonfinite_numbers`')."""
    out = []
    for spec, col in ctx.checked("number"):
        if (rule := NEGATIVE_RULES.get((ctx.kind, spec.name))) is not None:
            vals = ctx.typed[spec.name].to_numpy(dtype="float64")
            mask = np.isfinite(vals) & (vals < 0)
            out.append(Finding(mask, col, spec.name, rule[1], rule[2], rule[0]))
    return out


def _mrr_rows(ctx: Context) -> tuple[np.ndarray, pd.Series, pd.Series] | None:
    """(rows with a customer, a period and an MRR; their customer ids; their periods), or None."""
    if ctx.kind != "revenue" or not {"mrr", "customer_id", "period"} <= set(ctx.typed):
        return None
    cid, period = ctx.typed["customer_id"], ctx.typed["period"]
    ok = (cid.notna() & period.notna() & ctx.typed["mrr"].notna()).to_numpy(dtype=bool)
    return (ok, cid, period) if ok.any() else None


def duplicate_revenue(ctx: Context) -> list[Finding]:
    """A second row with MRR for the same customer and month in the file: an error naming the first row."""
    got = _mrr_rows(ctx)
    if got is None:
        return []
    ok, cid, period = got
    month = (period.dt.year * 12 + period.dt.month).to_numpy()
    keys = pd.DataFrame({"c": cid[ok].to_numpy(dtype=object), "m": month[ok].astype(np.int64)})
    dup_ok, first = repeated(keys, np.asarray(ctx.raw.rows)[ok], ctx.mrr_memory)
    if not dup_ok.any():
        return []
    first = first[dup_ok]
    when = period[ok][dup_ok].dt.strftime("%Y-%m").to_numpy()
    mask = np.isin(np.arange(len(ok)), np.flatnonzero(ok)[dup_ok])
    fix = np.array([f"this customer's MRR for {m} is also at row {r}: keep one row per customer and month "
                    "(add the amounts into one row)" for m, r in zip(when, first)], dtype=object)
    return [Finding(mask, ctx.column("period"), "period", "duplicate MRR for one customer and month", fix, "error")]


def revenue_in_store(engine: Engine, ctx: Context) -> list[Finding]:
    """Append mode: MRR for a customer and month the store holds already (one query over the file's months)."""
    got = _mrr_rows(ctx)
    if got is None or ctx.mode != "append":
        return []
    ok, cid, period = got
    lo = period[ok].min().normalize().replace(day=1)
    hi = period[ok].max().normalize() + pd.offsets.MonthEnd(0)
    t = Revenue.__table__.c
    with engine.connect() as conn:
        stored = conn.execute(select(t.customer_id, func.substr(cast(t.period, String), 1, 7), t.import_id).where(
            t.mrr.is_not(None), t.period >= lo.date(), t.period <= hi.date())).all()
    held = pd.DataFrame(stored, columns=["c", "m", "import_id"]).groupby(["c", "m"])["import_id"].max()
    cand = ok & cid.isin(held.index.get_level_values("c")).to_numpy()
    if not cand.any():
        return []
    months = period[cand].dt.strftime("%Y-%m").to_numpy()
    found = held.reindex(pd.MultiIndex.from_arrays([cid[cand].to_numpy(dtype=object), months])).to_numpy()
    imports = np.full(len(ok), np.nan)
    imports[np.flatnonzero(cand)] = found
    return [Finding(mask, ctx.column("period"), "period", f"MRR for this customer and month already imported in "
                    f"import #{n}", "use replace mode to reload the revenue, or remove the row: appended, the month's "
                    "MRR would count twice", "error") for n, mask in _by_import(imports)]


def _by_import(imports: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """(import id, mask of the rows it holds already) for each import id in ``imports`` (NaN: none)."""
    return [(int(n), imports == n) for n in pd.unique(imports[~np.isnan(imports)])]


def _id_text(values) -> pd.Series:
    """Ids as comparable text: trimmed, a whole number stored as ``12.0`` read as ``12``."""
    return pd.Series(values, dtype=object).astype(str).str.strip().str.replace(r"^(-?\d+)\.0$", r"\1", regex=True)


def _feedback_id_column(ctx: Context) -> str | None:
    """The feedback file's own id column: an unmapped, kept column named like :data:`FEEDBACK_ID_NAMES`."""
    return next((c for c in ctx.raw.frame.columns if c not in ctx.used.values() and c not in ctx.ignore
                 and F.norm(c) in FEEDBACK_ID_NAMES), None)


def ids_in_store(engine: Engine, ctx: Context) -> list[Finding]:
    """Append mode: a ticket id, or a feedback file's id, already in the store (one query): an error."""
    if ctx.mode != "append":
        return []
    if ctx.kind == "tickets" and "ticket_id" in ctx.used:
        col, fld, what, ids = ctx.used["ticket_id"], "ticket_id", "ticket", ctx.typed["ticket_id"]
        t = Ticket.__table__.c
        query = select(t.ticket_id, t.import_id).where(t.ticket_id.is_not(None))
    elif ctx.kind == "feedback" and (col := _feedback_id_column(ctx)) is not None:
        fld, what, ids = "", "feedback", ctx.raw.frame[col].str.strip()
        t = Feedback.__table__.c
        key = t.attributes[col].as_string()  # SQLite: json_extract; PostgreSQL: ->>
        query = select(key, t.import_id).where(key.is_not(None))
    else:
        return []
    with engine.connect() as conn:
        stored = conn.execute(query).all()
    held = pd.DataFrame(stored, columns=["id", "import_id"])
    held = held.assign(id=_id_text(held["id"])).groupby("id")["import_id"].max()
    present = ids.notna().to_numpy(dtype=bool)
    imports = np.full(len(ids), np.nan)
    imports[present] = held.reindex(_id_text(ids[present].to_numpy(dtype=object))).to_numpy(dtype="float64")
    return [Finding(mask, col, fld, f"{what} id already imported in import #{n}", f"remove the row (this {what} is "
                    f"in the store already), or import in replace mode to reload every {what} row", "error")
            for n, mask in _by_import(imports)]


def _text_columns(frame: pd.DataFrame, ignore) -> dict[str, pa.ChunkedArray]:
    """The text columns with a non-ASCII cell, as pyarrow arrays (usually ``{}``): pyarrow text tested in place (no
    cast, no list around a chunked array: 3 s of a 1M-row import), Python text in one pass over all its cells."""
    cols, py = {}, [c for c, s in frame.items() if c not in ignore and s.dtype == object]
    for c, s in frame.items():
        arr = s.array.__arrow_array__() if c not in ignore and hasattr(s.array, "__arrow_array__") else None
        if arr is not None and arr.type in _ARROW_TEXT and pc.all(pc.string_is_ascii(arr)).as_py() is False:
            cols[c] = pa.chunked_array([arr]) if isinstance(arr, pa.Array) else arr
    block = frame[py].to_numpy(dtype=object)  # numbers among Python text count as ASCII
    cells = pa.array([v if isinstance(v, str) else None for v in block.ravel(order="F")], pa.string())
    odd = pc.invert(pc.fill_null(pc.string_is_ascii(cells), True)).to_numpy(zero_copy_only=False)
    for i in np.flatnonzero(odd.reshape(block.shape, order="F").any(axis=0)):
        cols[py[i]] = pa.chunked_array([cells.slice(i * len(block), len(block))])
    return cols


def utf8_reading(text: str, encodings: tuple[str, ...]) -> str | None:
    """``text``'s characters as bytes of one of ``encodings`` read as UTF-8 (``ZÃ¼rich`` -> ``Zürich``), or None."""
    for enc in encodings:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError, LookupError):
            if (fixed := text.encode(enc).decode("utf-8")) != text:
                return fixed
    return None


def mixed_encodings(ctx: Context) -> list[Finding]:
    """Cells that are UTF-8 read in another encoding: an error in a key column, else a warning."""
    enc = str(ctx.raw.details.get("encoding") or "")
    legacy = bool(enc) and not enc.lower().replace("_", "-").startswith("utf")
    encodings = (enc,) if legacy else _LEGACY
    problem = (f"mixed encodings: this cell is UTF-8 in a file read as {enc}" if legacy
               else "garbled text: UTF-8 once read in another encoding")
    out = []
    for col, arr in _text_columns(ctx.raw.frame, ctx.ignore).items():
        s, odd = ctx.raw.frame[col], pc.fill_null(pc.invert(pc.string_is_ascii(arr)), False).to_numpy()
        readings = {v: r for v in pd.unique(s[odd]) if (r := utf8_reading(str(v), encodings)) is not None}
        if not readings:
            continue
        mask = odd & s.isin(list(readings)).to_numpy(dtype=bool)
        fix = np.array([f"it reads '{readings[v]}' in UTF-8: save the whole file as UTF-8 (in Excel: Save As, CSV "
                        "UTF-8) and import it again" for v in s[mask]], dtype=object)
        field = next((f for f in _KEY_FIELDS if ctx.used.get(f) == col), "")
        out.append(Finding(mask, col, field, problem, fix, "error" if field else "warning"))
    return out


def undated_rows(ctx: Context) -> list[Finding]:
    """Feedback without a date and tickets without an opened time: a warning per blank date saying where the row will
    not show (a file with no date column at all is told once, :func:`core.ingest.file_findings.no_date_column_row`)."""
    if ctx.kind not in DATED_KINDS or DATED_KINDS[ctx.kind][0] not in ctx.typed:
        return []
    fld, label, where = DATED_KINDS[ctx.kind]
    mask = (ctx.typed[fld].isna() & F.blank_mask(ctx.text(fld))).to_numpy(dtype=bool)
    return [Finding(mask, ctx.column(fld), fld, f"no {label}: this row will not show on {where}",
                    f"fill in the {label}", "warning")]


def one_column_file(ctx: Context) -> list[Finding]:
    """A text file read as one column whose header and every cell hold the same number of ``~`` (or another
    delimiter the reader does not split): the file is delimited by it; an error on every row."""
    raw = ctx.raw
    if raw.file_format != "csv" or raw.frame.shape[1] != 1 or not raw.details.get("header"):
        return []
    col = raw.frame.columns[0]
    header, s = str((raw.details.get("original_headers") or [col])[0]), raw.frame[col]
    filled = s.notna().to_numpy(dtype=bool)
    for d in _UNSPLIT_DELIMITERS:
        k = header.count(d)
        if k and filled.any() and (s[filled].astype(str).str.count(re.escape(d)) == k).all():
            return [Finding(filled, col, "", f"the file seems separated by '{d}' ({k + 1} columns in the header), "
                            "but it was read as one column", "save the file with commas, semicolons or tabs "
                            "between the columns and import it again")]
    return []
