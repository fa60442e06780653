"""Import a spreadsheet into the store: read, map, type, validate, then load in one transaction.

Two steps, so the UI can show a preview and the report before anything is written::

    plan = prepare_import(engine, data, "telco.csv", "customers", as_of="2024-01-31")
    plan.report            # every problem: row, column, value, problem, fix, severity
    result = commit_import(engine, plan, strict=False)

Nothing touches the store until :func:`commit_import`, and that runs as one database
transaction: a failure midway, or a killed process, leaves the store as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine

from core.errors import DataValidationError, DuplicateImportError, FileFormatError
from core.ingest import fields as F
from core.ingest.reader import RawTable, read_table
from core.store import columnar
from core.store.tables import TABLES, Customer, ImportLog

#: kind -> store tables it loads into
KIND_TABLES = {
    "customers": ("customer",),
    "revenue": ("revenue",),
    "activity": ("activity",),
    "transactions": ("activity", "revenue"),
    "tickets": ("ticket",),
    "feedback": ("feedback",),
    "interventions": ("intervention",),
}
MODES = ("append", "replace")
REPORT_COLUMNS = ["row", "column", "field", "value", "problem", "fix", "severity"]
BATCH = 100_000
#: loads at least this large (and at least as large as the table) rebuild the table's indexes
REBUILD_INDEXES_FROM = 50_000
Progress = Callable[[float, str], None]


@dataclass
class ImportPlan:
    """Everything :func:`commit_import` needs, computed without writing to the store.

    Attributes
    ----------
    mapping : dict
        field -> source column actually used (automatic guesses with the overrides applied).
    constants : dict
        field -> value given for the whole file (``--set``).
    report : pandas.DataFrame
        Columns ``row, column, field, value, problem, fix, severity``; ``row`` is the
        spreadsheet row number (header = row 1 for a CSV with a header).
    rejected : pandas.DataFrame
        The source rows with at least one error, their row number and reasons.
    tables : dict of str to pandas.DataFrame
        The valid rows, typed, keyed by store table.
    """

    kind: str
    file_name: str
    sha256: str
    raw: RawTable
    mapping: dict[str, str]
    constants: dict[str, str]
    options: dict
    date_formats: dict[str, str | None]
    report: pd.DataFrame
    rejected: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    new_customers: pd.DataFrame
    duplicate_of: int | None = None

    @property
    def rows_read(self) -> int:
        return len(self.raw.frame)

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)

    @property
    def rows_valid(self) -> int:
        return self.rows_read - self.rows_rejected

    @property
    def n_errors(self) -> int:
        return int((self.report["severity"] == "error").sum())

    @property
    def n_warnings(self) -> int:
        return int((self.report["severity"] == "warning").sum())

    def preview(self, n: int = 20) -> pd.DataFrame:
        """The first ``n`` source rows under their mapped field names (as text)."""
        head = self.raw.frame.head(n)
        out = pd.DataFrame({"row": self.raw.rows[: len(head)]})
        for spec in F.KINDS[self.kind]:  # in the schema's order, whatever order columns matched in
            if spec.name in self.mapping:
                out[spec.name] = head[self.mapping[spec.name]].to_numpy()
            elif spec.name in self.constants:
                out[spec.name] = self.constants[spec.name]
        return out

    def rejected_csv(self) -> bytes:
        """The rejected rows with their reasons, as CSV bytes (UTF-8)."""
        return self.rejected.to_csv(index=False).encode("utf-8")

    def summary(self) -> str:
        """One line: rows read, valid, rejected, and the first problem."""
        line = (f"{self.file_name}: {self.rows_read:,} rows read, {self.rows_valid:,} valid, "
                f"{self.rows_rejected:,} rejected; {self.n_errors:,} errors, {self.n_warnings:,} warnings")
        if len(self.report):
            first = self.report.sort_values(["severity", "row"]).iloc[0]
            line += (f". First: row {first['row']}, column {first['column']}: {first['problem']}"
                     f" ({first['fix']})")
        return line


@dataclass
class ImportResult:
    """What :func:`commit_import` loaded."""

    import_id: int
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    tables: dict[str, int]
    report: pd.DataFrame
    rejected: pd.DataFrame
    customers_created: int = 0


class _Issues:
    """Collects validation problems as masks, turned into one report frame at the end."""

    def __init__(self, raw: RawTable):
        self.raw = raw
        self.parts: list[pd.DataFrame] = []
        self.error_rows = np.zeros(len(raw.frame), dtype=bool)
        self.reasons: list[tuple[np.ndarray, str]] = []

    def add(self, mask, column, fld, problem, fix, severity="error", values=None):
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        if values is None:
            values = self.raw.frame[column].to_numpy()[mask] if column in self.raw.frame else ""
        self.parts.append(pd.DataFrame({
            "row": self.raw.rows[mask], "column": column or "", "field": fld or "",
            "value": values, "problem": problem, "fix": fix, "severity": severity,
        }))
        if severity == "error":
            self.error_rows |= mask
            self.reasons.append((mask, f"{column or fld}: {problem}"))

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame(columns=REPORT_COLUMNS)
        rep = pd.concat(self.parts, ignore_index=True)
        rep["value"] = rep["value"].astype(object).where(rep["value"].notna(), "")
        return rep.sort_values(["row", "severity"], kind="stable").reset_index(drop=True)[REPORT_COLUMNS]

    def rejected(self) -> pd.DataFrame:
        rows = self.raw.frame[self.error_rows].copy()
        reasons = pd.Series("", index=self.raw.frame.index, dtype=object)
        for mask, text in self.reasons:
            reasons[mask] = reasons[mask] + np.where(reasons[mask] == "", "", "; ") + text
        row_col, why_col = _free_name("row", rows.columns), _free_name("reasons", rows.columns)
        rows.insert(0, row_col, self.raw.rows[self.error_rows])
        rows[why_col] = reasons[self.error_rows].to_numpy()
        return rows.reset_index(drop=True)


def _free_name(name: str, taken) -> str:
    """``name``, or ``_name``, ``__name`` ... whichever the source columns do not use."""
    while name in set(taken):
        name = "_" + name
    return name


def _sheet_hint(raw: RawTable) -> str:
    if len(raw.sheets) > 1:
        return f" Is '{raw.details.get('sheet')}' the right sheet? This workbook has: {', '.join(raw.sheets)}."
    return ""


def _apply_overrides(raw, kind, mapping, constants, ignore):
    specs = {s.name: s for s in F.KINDS[kind]}
    cols = list(raw.frame.columns)
    guessed = F.guess_mapping(raw.frame, kind, raw.details.get("decimal", "."))
    for col in ignore:
        if col not in cols:
            raise DataValidationError(f"Column '{col}' (to ignore) is not in the file. Columns: {', '.join(cols)}.")
    guessed = {f: c for f, c in guessed.items() if c not in ignore}
    for fld, col in (mapping or {}).items():
        if fld not in specs:
            raise DataValidationError(
                f"'{fld}' is not a field of {kind}. Fields: {', '.join(specs)}.")
        if col in (None, ""):
            guessed.pop(fld, None)
            continue
        if col not in cols:
            raise DataValidationError(
                f"Column '{col}' (mapped to {fld}) is not in the file. Columns: {', '.join(cols)}.")
        guessed = {f: c for f, c in guessed.items() if c != col}  # a column feeds one field
        guessed[fld] = col
    for fld in constants:
        if fld not in specs:
            raise DataValidationError(f"'{fld}' is not a field of {kind}. Fields: {', '.join(specs)}.")
        guessed.pop(fld, None)
    return guessed


def _missing_field_error(raw, kind, fld, extra=""):
    cols = ", ".join(raw.frame.columns)
    how = f"--map COLUMN={fld}" if fld != "channel" else "--map COLUMN=channel or --set channel=VALUE"
    return DataValidationError(
        f"No column of the file maps to '{fld}', which {kind} needs{extra}. "
        f"Columns in the file: {cols}. Choose one ({how}).{_sheet_hint(raw)}")


def prepare_import(engine: Engine, data: bytes, file_name: str, kind: str, *,
                   sheet: str | int | None = None, mapping: dict[str, str | None] | None = None,
                   constants: dict[str, str] | None = None, ignore: tuple[str, ...] = (),
                   as_of: str | dt.date | None = None, date_format: str | None = None,
                   create_customers: bool | None = None, mode: str = "append",
                   header: bool | None = None) -> ImportPlan:
    """Read, map, type and validate a file for ``kind`` without writing anything.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
        The store, read to check customer keys and earlier imports.
    data : bytes
        The file's content (CSV/TXT in any common delimiter and encoding, or XLSX).
    file_name : str
        Shown in messages and the import log.
    kind : {'customers', 'revenue', 'activity', 'transactions', 'tickets', 'feedback', 'interventions'}
        What the file holds. ``transactions`` (a purchase log such as CDNOW) fills both
        activity and revenue and creates the customers it names.
    sheet : str or int, optional
        Workbook sheet (name or 0-based number); default the first.
    mapping : dict, optional
        field -> column overrides of the automatic mapping; a ``None`` value un-maps a field.
    constants : dict, optional
        field -> value for the whole file (e.g. ``{"channel": "review"}``).
    ignore : tuple of str
        Columns to leave out entirely (not even kept as attributes), e.g. e-mail addresses.
    as_of : str or date, optional
        Snapshot date for a customer file with a tenure column and/or a churn flag: signup
        date = as-of minus tenure months, churn date = as-of for churned rows.
    date_format : str, optional
        strftime format forced on every date column (default: detected per column).
    create_customers : bool, optional
        Create customers that child rows name but the store lacks (default: only for
        ``transactions``); otherwise such rows are errors.
    mode : {'append', 'replace'}
        ``replace`` empties the tables this kind loads into before loading.
    header : bool, optional
        Whether delimited text has a header line (detected when not given).

    Returns
    -------
    ImportPlan

    Raises
    ------
    FileFormatError
        The file is empty, not a spreadsheet, or the sheet does not exist.
    DataValidationError
        A required field has no column, an option is invalid, or a mapping names a missing column.
    """
    if kind not in F.KINDS:
        raise DataValidationError(f"Unknown kind '{kind}'. Choose one of: {', '.join(F.KINDS)}.")
    if mode not in MODES:
        raise DataValidationError(f"Unknown mode '{mode}'. Choose append or replace.")
    constants = {k: v for k, v in (constants or {}).items()}
    as_of_ts = _parse_as_of(as_of)
    raw = read_table(data, file_name, sheet=sheet, header=header)
    if raw.frame.empty:
        raise FileFormatError(f"'{file_name}' has a header but no data rows.{_sheet_hint(raw)}")
    used = _apply_overrides(raw, kind, mapping, constants, tuple(ignore))
    specs = {s.name: s for s in F.KINDS[kind]}
    for s in specs.values():
        if s.required and s.name not in used and s.name not in constants:
            raise _missing_field_error(raw, kind, s.name)
    if kind == "revenue" and not ({"mrr", "amount"} & (set(used) | set(constants))):
        raise DataValidationError(
            "No column of the file maps to 'mrr' (recurring amount) or 'amount' (transaction amount); "
            f"revenue needs one. Columns in the file: {', '.join(raw.frame.columns)}. Choose one "
            f"(--map COLUMN=mrr or --map COLUMN=amount).{_sheet_hint(raw)}")
    if not used:
        raise DataValidationError(
            f"None of the file's columns matches a field of {kind} ({', '.join(specs)}). "
            f"Columns in the file: {', '.join(raw.frame.columns)}. Map them (--map COLUMN=FIELD), "
            f"or check the kind.{_sheet_hint(raw)}")
    if kind == "customers" and ("tenure" in used or "churned" in used) and as_of_ts is None:
        raise DataValidationError(
            "This customer file has a tenure column or a churn flag: give the snapshot date "
            "(--as-of YYYY-MM-DD) so signup and churn dates can be derived.")

    frame, n = raw.frame, len(raw.frame)
    issues = _Issues(raw)
    typed: dict[str, pd.Series] = {}
    date_formats: dict[str, str | None] = {}
    for fld, col in used.items():
        typed[fld] = _type_field(specs[fld], frame[col], col, issues, date_format, date_formats, kind)
    for fld, val in constants.items():
        src = pd.Series([val] * n, index=frame.index, dtype="str")
        typed[fld] = _type_field(specs[fld], src, f"(--set {fld})", issues, date_format, date_formats,
                                 kind, values_given=True)

    create = (kind == "transactions") if create_customers is None else bool(create_customers)
    with engine.connect() as conn:
        known = pd.Index(conn.execute(select(Customer.customer_id)).scalars().all(), dtype=object)
        dup = conn.execute(select(ImportLog.id).where(ImportLog.sha256 == _sha(data),
                                                      ImportLog.kind == kind)
                           .order_by(ImportLog.id.desc())).scalars().first()
    _kind_rules(kind, typed, used, issues, known, create, mode, as_of_ts)

    extras = [c for c in frame.columns if c not in used.values() and c not in ignore]
    attrs = _attributes(frame, extras, issues)
    report = issues.frame()
    valid = ~issues.error_rows
    tables, new_customers = _build_tables(kind, typed, attrs, valid, known, create)
    return ImportPlan(
        kind=kind, file_name=file_name, sha256=_sha(data), raw=raw, mapping=used, constants=constants,
        options={"sheet": raw.details.get("sheet"), "as_of": as_of_ts.date().isoformat() if as_of_ts is not None
                 else None, "date_format": date_format, "create_customers": create, "mode": mode,
                 "ignore": list(ignore), "detected": {k: v for k, v in raw.details.items()
                                                      if k != "original_headers"}},
        date_formats=date_formats, report=report, rejected=issues.rejected(), tables=tables,
        new_customers=new_customers, duplicate_of=dup,
    )


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _parse_as_of(as_of) -> pd.Timestamp | None:
    if as_of in (None, ""):
        return None
    try:
        return pd.Timestamp(as_of).normalize()
    except (ValueError, TypeError) as exc:
        raise DataValidationError(f"--as-of '{as_of}' is not a date; write it as YYYY-MM-DD.") from exc


_EXAMPLE_DAY = dt.date(2024, 3, 31)


def _type_field(spec, s, col, issues, forced_fmt, date_formats, kind, values_given=False):
    decimal = issues.raw.details.get("decimal", ".")
    blank = F.blank_mask(s).to_numpy()
    name = spec.name
    if spec.required:
        what = "customer id" if name == "customer_id" else name.replace("_", " ")
        issues.add(blank, col, name, f"missing {what}",
                   f"fill in the {what} or remove the row", values=s.to_numpy()[blank])
    if spec.type in ("key", "text"):
        out = s.str.strip()
        return out.where(~blank, None)
    if spec.type in ("date", "datetime"):
        fmt = forced_fmt or F.detect_date_format(s)[0]
        date_formats[name] = fmt
        out, bad = F.to_dates(s, fmt)
        example = _EXAMPLE_DAY.strftime(fmt) if fmt and fmt != "ISO8601" else "2024-03-31"
        fix = (f"write it like the rest of the column ({example}), or force a format with --date-format"
               if fmt else "write dates as YYYY-MM-DD (e.g. 2024-03-31), or give the format with --date-format")
        issues.add(bad.to_numpy(), col, name, "unparseable date", fix)
        return out
    if spec.type in ("number", "months"):
        out, bad = F.to_numbers(s, decimal)
        issues.add(bad.to_numpy(), col, name, "text in a numeric column",
                   "replace it with a number (or leave the cell empty if unknown)")
        if spec.type == "months":
            neg = (out < 0) | (out.notna() & (out % 1 != 0))
            issues.add(neg.to_numpy(), col, name, "tenure must be a whole, non-negative number of months",
                       "correct the tenure")
            out = out.where(~neg)
        return out
    if spec.type == "flag":
        out, bad = F.to_flags(s)
        issues.add(bad.to_numpy(), col, name, "not a yes/no value", "write Yes or No (or 1/0, true/false)")
        return out
    if spec.type == "group":  # any label is an arm; holdout and treatment words are normalised
        return F.to_groups(s)[0]
    raise AssertionError(spec.type)


def _kind_rules(kind, typed, used, issues, known, create, mode, as_of):
    raw = issues.raw
    n = len(raw.frame)
    col = lambda f: used.get(f, f"(--set {f})")  # noqa: E731
    key = typed.get("customer_id")
    if kind == "customers":
        if "tenure" in typed and "signup_date" not in typed:
            typed["signup_date"] = _months_before(as_of, typed["tenure"])
        if "churned" in typed and "churn_date" not in typed:
            typed["churn_date"] = pd.Series(
                np.where(typed["churned"].fillna(False).to_numpy(dtype=bool), as_of, pd.NaT),
                index=raw.frame.index, dtype="datetime64[us]")
        dup = key.duplicated(keep="first") & key.notna()
        if dup.any():
            first_row = pd.Series(raw.rows, index=key.index).groupby(key).transform("first")
            issues.add(dup.to_numpy(), col("customer_id"), "customer_id", "duplicate customer id",
                       ("keep one row per customer: this id is first at row " + first_row[dup].astype(str)
                        + "; remove or merge the repeat").to_numpy())
        if mode == "append" and len(known):
            exists = key.isin(known) & ~dup
            issues.add(exists.to_numpy(), col("customer_id"), "customer_id", "customer already in the store",
                       "import in replace mode to reload all customers, or remove this row")
        if "signup_date" in typed and "churn_date" in typed:
            bad = (typed["churn_date"] < typed["signup_date"]).fillna(False)
            issues.add(bad.to_numpy(), col("churn_date"), "churn_date", "churn date before signup date",
                       "check both dates")
        return
    if key is not None and not create:
        unknown = key.notna() & ~key.isin(known)
        issues.add(unknown.to_numpy(), col("customer_id"), "customer_id",
                   "customer not in the store",
                   "import the customers first, or allow creating them (--create-customers)")
    if kind == "feedback":
        ch = typed["channel"].str.lower()
        typed["channel"] = ch
        for name, (lo, hi) in F.SCORE_RANGES.items():
            if "score" in typed:
                bad = (ch == name) & ((typed["score"] < lo) | (typed["score"] > hi)).fillna(False)
                issues.add(bad.to_numpy(), col("score"), "score", f"{name} score outside {lo}-{hi}",
                           f"use a score from {lo} to {hi}, or check the channel")
    if kind == "tickets":
        if "satisfaction" in typed:
            lo, hi = F.SATISFACTION_RANGE
            bad = ((typed["satisfaction"] < lo) | (typed["satisfaction"] > hi)).fillna(False)
            issues.add(bad.to_numpy(), col("satisfaction"), "satisfaction", f"satisfaction outside {lo}-{hi}",
                       f"use a rating from {lo} to {hi}")
        if "ticket_id" in typed:
            tid = typed["ticket_id"]
            dup = tid.duplicated(keep="first") & tid.notna()
            issues.add(dup.to_numpy(), col("ticket_id"), "ticket_id", "duplicate ticket id",
                       "keep one row per ticket")
        if "opened" in typed and "resolved" in typed:
            bad = (typed["resolved"] < typed["opened"]).fillna(False)
            issues.add(bad.to_numpy(), col("resolved"), "resolved", "resolved before it was opened",
                       "check the two times; the row is loaded as given", severity="warning")
    if kind == "revenue":
        both = pd.Series(True, index=raw.frame.index)
        for f in ("mrr", "amount"):
            if f in typed:
                both &= typed[f].isna()
        c = used.get("mrr") or used.get("amount")
        issues.add(both.to_numpy() & np.ones(n, bool), c, "mrr/amount", "no amount in this row",
                   "fill in the recurring (mrr) or transaction amount")


def _months_before(as_of: pd.Timestamp, months: pd.Series) -> pd.Series:
    """``as_of`` minus whole months, day clipped to the month's length (Jan 31 - 1 month = Dec 31)."""
    m = months.to_numpy(dtype="float64")
    ok = ~np.isnan(m)
    total = as_of.year * 12 + (as_of.month - 1) - np.where(ok, m, 0).astype(np.int64)
    first = pd.to_datetime({"year": total // 12, "month": total % 12 + 1, "day": 1})
    day = np.minimum(as_of.day, first.dt.days_in_month.to_numpy())
    out = first + pd.to_timedelta(day - 1, unit="D")
    out.index = months.index
    return out.where(ok)


def _attributes(frame, extras, issues) -> np.ndarray | None:
    """Extra columns as one JSON object per row (None when the file has no extra columns)."""
    if not extras:
        return None
    sub = pd.DataFrame(index=frame.index)
    for c in extras:
        s = frame[c]
        decimal = issues.raw.details.get("decimal", ".")
        if F.infer_extra_type(s, decimal) == "number":
            num, bad = F.to_numbers(s, decimal)
            ws = s.notna() & (s.str.strip() == "")
            issues.add(ws.to_numpy(), c, "", "blank value in a numeric column",
                       "stored as empty; fill in the number if it is known", severity="warning")
            text = bad & ~ws
            issues.add(text.to_numpy(), c, "", "text in a numeric column",
                       "stored as empty; replace it with a number", severity="warning")
            sub[c] = num
        else:
            sub[c] = s
    lines = sub.to_json(orient="records", lines=True, force_ascii=False).splitlines()
    return np.array(lines, dtype=object)


def _build_tables(kind, typed, attrs, valid, known, create):
    def take(f, conv=None):
        s = typed.get(f)
        if s is None:
            return np.full(int(valid.sum()), None, dtype=object)
        s = s[valid]
        if conv is not None:
            return conv(s)
        arr = s.to_numpy(dtype=object, copy=True)
        arr[pd.isna(arr)] = None
        return arr

    def num(s):
        arr = s.to_numpy(dtype="float64").astype(object)
        arr[np.isnan(s.to_numpy(dtype="float64"))] = None
        return arr

    a = attrs[valid] if attrs is not None else None
    dates, stamps = F.iso_dates, F.iso_datetimes
    nv = int(valid.sum())
    out: dict[str, pd.DataFrame] = {}
    if kind == "customers":
        churned = typed.get("churned")
        ctype = take("churn_type")
        out["customer"] = pd.DataFrame({
            "customer_id": take("customer_id"), "name": take("name"), "segment": take("segment"),
            "plan": take("plan"), "region": take("region"), "channel": take("channel"),
            "signup_date": take("signup_date", dates), "churn_date": take("churn_date", dates),
            "churn_type": ctype, "renewal_date": take("renewal_date", dates), "attributes": a,
        })
        del churned
    elif kind == "revenue":
        out["revenue"] = pd.DataFrame({"customer_id": take("customer_id"), "period": take("period", dates),
                                       "mrr": take("mrr", num), "amount": take("amount", num),
                                       "payment_failed": take("payment_failed"), "attributes": a})
    elif kind == "activity":
        out["activity"] = pd.DataFrame({"customer_id": take("customer_id"), "date": take("date", dates),
                                        "metric": take("metric"), "value": take("value", num),
                                        "attributes": a})
    elif kind == "transactions":
        qty = take("quantity", num) if "quantity" in typed else np.ones(nv)
        qty = np.where(pd.isna(qty), 1.0, qty)
        cid, day = take("customer_id"), take("date", dates)
        out["activity"] = pd.DataFrame({"customer_id": cid, "date": day, "metric": "purchase",
                                        "value": qty.astype(float), "attributes": a})
        out["revenue"] = pd.DataFrame({"customer_id": cid, "period": day, "mrr": None,
                                       "amount": take("amount", num), "attributes": None})
    elif kind == "tickets":
        out["ticket"] = pd.DataFrame({
            "ticket_id": take("ticket_id"), "customer_id": take("customer_id"),
            "opened": take("opened", stamps), "first_response": take("first_response", stamps),
            "resolved": take("resolved", stamps), "priority": take("priority"), "category": take("category"),
            "channel": take("channel"), "status": take("status"), "satisfaction": take("satisfaction", num),
            "attributes": a})
    elif kind == "feedback":
        out["feedback"] = pd.DataFrame({"customer_id": take("customer_id"), "date": take("date", dates),
                                        "channel": take("channel"), "score": take("score", num),
                                        "text": take("text"), "attributes": a})
    elif kind == "interventions":
        out["intervention"] = pd.DataFrame({
            "customer_id": take("customer_id"), "play": take("play"), "channel": take("channel"),
            "date": take("date", dates), "group": take("group"), "cost": take("cost", num), "attributes": a})

    new_customers = pd.DataFrame(columns=["customer_id", "signup_date"])
    if kind != "customers" and create and "customer_id" in typed:
        key = typed["customer_id"][valid]
        fresh = key.notna() & ~key.isin(known)
        if fresh.any():
            date_field = "date" if "date" in typed else ("period" if "period" in typed else None)
            if date_field and kind in ("transactions", "activity", "revenue"):
                first = typed[date_field][valid][fresh].groupby(key[fresh]).min()
                new_customers = pd.DataFrame({"customer_id": first.index.astype(object),
                                              "signup_date": F.iso_dates(first)})
            else:
                ids = key[fresh].unique()
                new_customers = pd.DataFrame({"customer_id": ids.astype(object), "signup_date": None})
    return out, new_customers


def _driver_executemany(conn) -> bool:
    """True where the DB-API cursor's own ``executemany`` is used (SQLite); other databases go
    through SQLAlchemy Core's executemany, which each dialect batches its own way."""
    return conn.dialect.name == "sqlite"


def _bulk_insert(conn, table: str, df: pd.DataFrame, import_id: int, progress, done, total) -> int:
    """Insert ``df`` into ``table`` in batches: raw ``executemany`` on SQLite, Core executemany elsewhere."""
    if df.empty:
        return done
    df = df.assign(import_id=import_id)
    cols = list(df.columns)
    sa_table = TABLES[table].__table__
    sqlite = conn.dialect.name == "sqlite"
    indexes = []
    if sqlite:
        existing = conn.execute(select(func.count()).select_from(sa_table)).scalar_one()
        if len(df) >= REBUILD_INDEXES_FROM and len(df) >= existing:
            # Maintaining secondary indexes row by row in random key order costs ~4x the insert
            # itself; building them once afterwards is far cheaper. DDL is transactional in
            # SQLite, so a rollback restores the indexes too.
            indexes = list(sa_table.indexes)
            for ix in indexes:
                ix.drop(conn)
        cur = conn.connection.driver_connection.cursor()
        sql = (f'INSERT INTO "{table}" ({", ".join(chr(34) + c + chr(34) for c in cols)}) '
               f'VALUES ({", ".join("?" * len(cols))})')
    for start in range(0, len(df), BATCH):
        chunk = df.iloc[start:start + BATCH]
        arrays = [chunk[c].to_numpy(dtype=object, copy=True) for c in cols]
        for arr in arrays:  # NaN and NaT become NULL
            arr[pd.isna(arr)] = None
        if sqlite:
            cur.executemany(sql, zip(*arrays))
        else:
            records = [dict(zip(cols, r)) for r in zip(*arrays)]
            for r in records:
                for c in ("signup_date", "churn_date", "renewal_date", "period", "date"):
                    if isinstance(r.get(c), str):
                        r[c] = dt.date.fromisoformat(r[c])
                for c in ("opened", "first_response", "resolved"):
                    if isinstance(r.get(c), str):
                        r[c] = dt.datetime.fromisoformat(r[c])
                if isinstance(r.get("attributes"), str):
                    r["attributes"] = json.loads(r["attributes"])
            conn.execute(sa_table.insert(), records)
        done += len(chunk)
        if progress:
            progress(min(done / total, 1.0), f"Loaded {done:,} of {total:,} rows into {table}")
    for ix in indexes:
        ix.create(conn)
    return done


def commit_import(engine: Engine, plan: ImportPlan, *, strict: bool = True,
                  progress: Progress | None = None) -> ImportResult:
    """Load a prepared import in one transaction.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
    plan : ImportPlan
        From :func:`prepare_import`.
    strict : bool
        True: any error rejects the whole file and nothing is written. False (lenient): the
        valid rows are loaded and the rejected ones are returned (``result.rejected``).
    progress : callable, optional
        Called as ``progress(fraction, message)`` after each batch.

    Returns
    -------
    ImportResult

    Raises
    ------
    DataValidationError
        Strict mode and the report has errors, or no row is valid; carries ``report``.
    DuplicateImportError
        The same file was already imported as this kind and the mode is append.
    """
    if plan.duplicate_of is not None and plan.options["mode"] == "append":
        raise DuplicateImportError(
            f"'{plan.file_name}' was already imported as {plan.kind} (import #{plan.duplicate_of}, same "
            "sha256); nothing was loaded. Use replace mode to load it again in place of the old rows.")
    if strict and plan.n_errors:
        raise DataValidationError(
            f"File rejected (strict mode), nothing was loaded. {plan.summary()}. Fix the file, or import "
            "leniently to load the valid rows and get the rejected ones back as CSV.", report=plan.report)
    if plan.rows_valid == 0:
        raise DataValidationError(f"No valid rows to load, nothing was loaded. {plan.summary()}.",
                                  report=plan.report)
    started = dt.datetime.now(dt.UTC)
    total = sum(len(t) for t in plan.tables.values()) + len(plan.new_customers)
    counts = {name: len(t) for name, t in plan.tables.items()}
    with columnar.Staging(engine) as stage, engine.begin() as conn:
        if plan.options["mode"] == "append":  # again, inside the transaction: the plan may be stale
            dup = conn.execute(select(ImportLog.id).where(ImportLog.sha256 == plan.sha256,
                                                          ImportLog.kind == plan.kind)
                               .order_by(ImportLog.id.desc())).scalars().first()
            if dup is not None:
                raise DuplicateImportError(
                    f"'{plan.file_name}' was already imported as {plan.kind} (import #{dup}, same sha256); "
                    "nothing was loaded. Use replace mode to load it again in place of the old rows.")
        if plan.options["mode"] == "replace":
            for name in KIND_TABLES[plan.kind]:
                conn.execute(delete(TABLES[name].__table__))
            if "activity" in KIND_TABLES[plan.kind]:
                stage.remove_all()
        log = conn.execute(ImportLog.__table__.insert().values(
            file_name=plan.file_name, sha256=plan.sha256, kind=plan.kind, mode=plan.options["mode"],
            strict=strict, rows_read=plan.rows_read, rows_loaded=plan.rows_valid,
            rows_rejected=plan.rows_rejected,
            mapping={"columns": plan.mapping, "constants": plan.constants, "date_formats": plan.date_formats,
                     "options": plan.options},
            tables={**counts, "customer_created": len(plan.new_customers)},
            started_at=started, finished_at=started))
        import_id = log.inserted_primary_key[0]
        done = 0
        if len(plan.new_customers):
            done = _bulk_insert(conn, "customer", plan.new_customers, import_id, progress, done, total)
        for name, frame in plan.tables.items():
            done = _bulk_insert(conn, name, frame, import_id, progress, done, total)
            if name == "activity":
                stage.add(import_id, frame)
        conn.execute(ImportLog.__table__.update().where(ImportLog.__table__.c.id == import_id)
                     .values(finished_at=dt.datetime.now(dt.UTC)))
    return ImportResult(import_id=import_id, rows_read=plan.rows_read, rows_loaded=plan.rows_valid,
                        rows_rejected=plan.rows_rejected, tables=counts, report=plan.report,
                        rejected=plan.rejected, customers_created=len(plan.new_customers))
