"""The row rules of each kind, checked on the typed fields: unique keys, customers known to the store, scores
in range, dates in order. A customer snapshot (tenure, churn flag) gets its dates derived here first."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.ingest import fields as F
from core.ingest.issues import Issues
from core.ingest.repeats import KeyMemory, is_known, repeated
from core.ingest.wording import how
from core.store.dates import datetimes


def check_rows(kind: str, typed: dict[str, pd.Series], used: dict[str, str], issues: Issues, known: pd.Index,
               create: bool, mode: str, as_of: pd.Timestamp | None,
               memories: dict[str, KeyMemory] | None = None) -> None:
    """Report every row that breaks a rule of ``kind`` into ``issues``; ``typed`` gains derived fields.

    ``known`` are the store's customer ids; ``create`` allows rows naming other customers (created on load).
    ``memories`` (a file read in chunks): key field -> the keys of the earlier chunks
    (:class:`~core.ingest.repeats.KeyMemory`), so a repeat of an earlier chunk's customer or ticket id is found.
    """
    memories = memories or {}
    if kind == "customers":
        _snapshot_dates(typed, as_of, issues.raw.frame.index)
        _customer_rules(typed, used, issues, known, mode, memories.get("customer_id"))
        return
    key = typed.get("customer_id")
    if key is not None and not create:
        unknown = key.notna() & ~is_known(key, known)
        issues.add(unknown.to_numpy(), _source(used, "customer_id"), "customer_id",
                   "customer not in the store",
                   f"import the customers first{how('create_customers')}")
    if kind == "tickets":
        _ticket_rules(typed, used, issues, memories.get("ticket_id"))
    rules = {"feedback": _feedback_rules, "revenue": _revenue_rules, "incidents": _incident_rules}.get(kind)
    if rules is not None:
        rules(typed, used, issues)


def _source(used: dict[str, str], fld: str) -> str:
    """The column a field came from, or (CLI) ``(--set FIELD)`` for a whole-file value."""
    return used.get(fld, how("constant", fld))


def _snapshot_dates(typed: dict[str, pd.Series], as_of: pd.Timestamp | None, index: pd.Index) -> None:
    """Signup date = as-of minus tenure, churn date = as-of for churned rows (when the file has no such dates)."""
    if "tenure" in typed and "signup_date" not in typed:
        typed["signup_date"] = _months_before(as_of, typed["tenure"])
    if "churned" in typed and "churn_date" not in typed:
        typed["churn_date"] = pd.Series(
            np.where(typed["churned"].fillna(False).to_numpy(dtype=bool), as_of, pd.NaT),
            index=index, dtype="datetime64[us]")


def _months_before(as_of: pd.Timestamp, months: pd.Series) -> pd.Series:
    """``as_of`` minus whole months, day clipped to the month's length (Jan 31 - 1 month = Dec 31)."""
    m = months.to_numpy(dtype="float64")
    ok = ~np.isnan(m)
    total = as_of.year * 12 + (as_of.month - 1) - np.where(ok, m, 0).astype(np.int64)
    first = datetimes({"year": total // 12, "month": total % 12 + 1, "day": 1})
    day = np.minimum(as_of.day, first.dt.days_in_month.to_numpy())
    out = first + pd.to_timedelta(day - 1, unit="D")
    out.index = months.index
    return out.where(ok)


def _repeats(key: pd.Series, rows, memory: KeyMemory | None) -> tuple[pd.Series, np.ndarray]:
    """(the rows whose key an earlier row gave, as a mask on ``key``'s index; each row's first row, 0 if no key)."""
    present = key.notna().to_numpy(dtype=bool)
    dup, first = np.zeros(len(key), dtype=bool), np.zeros(len(key), dtype=np.int64)
    dup[present], first[present] = repeated(key[present], np.asarray(rows)[present], memory)
    return pd.Series(dup, index=key.index), first


def _customer_rules(typed, used, issues: Issues, known: pd.Index, mode: str, memory: KeyMemory | None) -> None:
    key = typed.get("customer_id")
    col = _source(used, "customer_id")
    dup, first_row = _repeats(key, issues.raw.rows, memory)
    if dup.any():
        issues.add(dup.to_numpy(), col, "customer_id", "duplicate customer id",
                   np.array([f"keep one row per customer: this id is first at row {r}; remove or merge the repeat"
                             for r in first_row[dup.to_numpy()]], dtype=object))
    if mode == "append" and len(known):
        exists = is_known(key, known) & ~dup
        issues.add(exists.to_numpy(), col, "customer_id", "customer already in the store",
                   "import in replace mode to reload all customers, or remove this row")
    if "signup_date" in typed and "churn_date" in typed:
        bad = (typed["churn_date"] < typed["signup_date"]).fillna(False)
        issues.add(bad.to_numpy(), _source(used, "churn_date"), "churn_date", "churn date before signup date",
                   "check both dates")


def _counts(typed, used, issues: Issues, names) -> None:
    """Each of ``names`` given must be a whole number, 0 or more (blank is allowed)."""
    for count in names:
        if count in typed:
            bad = (typed[count].notna() & ((typed[count] < 0) | (typed[count] % 1 != 0))).fillna(False)
            issues.add(bad.to_numpy(), _source(used, count), count, f"{count} not a count",
                       "use a whole number, 0 or more")


def _before(typed, used, issues: Issues, first: str, later: str, what: str) -> None:
    """Warn about rows whose ``later`` time comes before their ``first`` (loaded as given)."""
    if first in typed and later in typed:
        bad = (typed[later] < typed[first]).fillna(False)
        issues.add(bad.to_numpy(), _source(used, later), later, what, "check the two times; the row is loaded as given",
                   severity="warning")


def _feedback_rules(typed, used, issues: Issues) -> None:
    ch = typed["channel"].str.lower()
    typed["channel"] = ch
    _counts(typed, used, issues, ("reopens",))
    _before(typed, used, issues, "date", "followed_up", "followed up before the answer was given")
    _before(typed, used, issues, "date", "closed", "closed before the answer was given")
    for name, (lo, hi) in F.SCORE_RANGES.items():
        if "score" in typed:
            bad = (ch == name) & ((typed["score"] < lo) | (typed["score"] > hi)).fillna(False)
            issues.add(bad.to_numpy(), _source(used, "score"), "score", f"{name} score outside {lo}-{hi}",
                       f"use a score from {lo} to {hi}, or check the channel")


def _ticket_rules(typed, used, issues: Issues, memory: KeyMemory | None = None) -> None:
    if "satisfaction" in typed:
        lo, hi = F.SATISFACTION_RANGE
        bad = ((typed["satisfaction"] < lo) | (typed["satisfaction"] > hi)).fillna(False)
        issues.add(bad.to_numpy(), _source(used, "satisfaction"), "satisfaction", f"satisfaction outside {lo}-{hi}",
                   f"use a rating from {lo} to {hi}")
    if "effort" in typed:
        lo, hi = F.EFFORT_RANGE
        bad = ((typed["effort"] < lo) | (typed["effort"] > hi)).fillna(False)
        issues.add(bad.to_numpy(), _source(used, "effort"), "effort", f"effort score outside {lo}-{hi}",
                   f"use a score from {lo} to {hi} (higher = easier)")
    _counts(typed, used, issues, ("reopens", "replies"))
    if "ticket_id" in typed:
        dup, _ = _repeats(typed["ticket_id"], issues.raw.rows, memory)
        issues.add(dup.to_numpy(), _source(used, "ticket_id"), "ticket_id", "duplicate ticket id",
                   "keep one row per ticket")
    _before(typed, used, issues, "opened", "resolved", "resolved before it was opened")


def _incident_rules(typed, used, issues: Issues) -> None:
    """An incident cannot end before it began: the before-and-after windows are cut at its start and end."""
    if "end" in typed:
        bad = (typed["end"] < typed["start"]).fillna(False)
        issues.add(bad.to_numpy(), _source(used, "end"), "end", "incident ended before it began",
                   "check the start and end times (blank the end while the incident is ongoing)")


def _revenue_rules(typed, used, issues: Issues) -> None:
    both = pd.Series(True, index=issues.raw.frame.index)  # neither a recurring nor a transaction amount
    for f in ("mrr", "amount"):
        if f in typed:
            both &= typed[f].isna()
    issues.add(both.to_numpy(), used.get("mrr") or used.get("amount"), "mrr/amount", "no amount in this row",
               "fill in the recurring (mrr) or transaction amount")
