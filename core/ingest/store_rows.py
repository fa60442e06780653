"""The valid rows as store tables: each kind's columns (dates as ISO text, blanks as NULL), the file's extra
columns as one JSON ``attributes`` object per row, and the customers a file names that the store lacks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.ingest import fields as F
from core.ingest.field_types import extra_columns
from core.ingest.issues import Issues
from core.ingest.repeats import is_known

_NEW_CUSTOMER_COLUMNS = ["customer_id", "signup_date"]


def typed_extras(frame: pd.DataFrame, extras: list[str], issues: Issues,
                 decided: dict[str, str] | None = None) -> pd.DataFrame | None:
    """The extra columns typed for the ``attributes`` JSON (None when the file has none): a column that is mostly
    numbers is stored as numbers; its blank and text cells are warned about (``decided``: the types the first
    chunk of a long file chose, :func:`core.ingest.field_types.extra_columns`)."""
    if not extras:
        return None
    return extra_columns(frame, extras, issues, decided)  # typed and warned about there, linear in cells


def json_lines(extras: pd.DataFrame | None) -> np.ndarray | None:
    """One JSON object per row of ``extras`` (None when there are no extra columns)."""
    if extras is None:
        return None
    if extras.empty:  # to_json of no rows is one empty line
        return np.array([], dtype=object)
    # split at the row ends only: a cell's own line break is written escaped, but U+2028 and the like are not
    text = extras.to_json(orient="records", lines=True, force_ascii=False, double_precision=15)
    return np.array(text.split("\n")[:len(extras)], dtype=object)


def attributes(frame: pd.DataFrame, extras: list[str], issues: Issues) -> np.ndarray | None:
    """Extra columns as one JSON object per row (None when the file has no extra columns)."""
    return json_lines(typed_extras(frame, extras, issues))


class _Valid:
    """The valid rows of the typed fields as compact columns for the store: text stays Arrow-backed, numbers
    float64 with NaN for missing (the bulk load turns each batch into Python values as it inserts it, so a
    million-row import never holds a million Python strings per column)."""

    def __init__(self, typed: dict[str, pd.Series], valid: np.ndarray):
        self.typed, self.valid, self.n = typed, valid, int(valid.sum())

    def __contains__(self, f: str) -> bool:
        return f in self.typed

    def __call__(self, f: str, conv=None) -> np.ndarray | pd.api.extensions.ExtensionArray:
        """Field ``f`` (all None when the file lacks it), through ``conv`` if given."""
        s = self.typed.get(f)
        if s is None:
            return np.full(self.n, None, dtype=object)
        s = s[self.valid]
        if conv is not None:
            return conv(s)
        if getattr(s.dtype, "storage", None) == "pyarrow" or s.dtype == bool:
            return s.array  # compact: no Python object per cell
        arr = s.to_numpy(dtype=object, copy=True)
        arr[pd.isna(arr)] = None
        return arr


def _num(s: pd.Series) -> np.ndarray:
    """float64, NaN where missing (NULL once loaded)."""
    return s.to_numpy(dtype="float64", na_value=np.nan)


def _days(s: pd.Series) -> pd.api.extensions.ExtensionArray:
    """``YYYY-MM-DD`` text, Arrow-backed (missing where NaT)."""
    return F.iso_date_text(s)


def _customers(take: _Valid, a) -> dict[str, pd.DataFrame]:
    dates = _days
    return {"customer": pd.DataFrame({
        "customer_id": take("customer_id"), "name": take("name"), "segment": take("segment"),
        "plan": take("plan"), "region": take("region"), "channel": take("channel"),
        "signup_date": take("signup_date", dates), "churn_date": take("churn_date", dates),
        "churn_type": take("churn_type"), "renewal_date": take("renewal_date", dates), "attributes": a,
    })}


def _revenue(take: _Valid, a) -> dict[str, pd.DataFrame]:
    return {"revenue": pd.DataFrame({"customer_id": take("customer_id"), "period": take("period", _days),
                                     "mrr": take("mrr", _num), "amount": take("amount", _num),
                                     "payment_failed": take("payment_failed"), "attributes": a})}


def _activity(take: _Valid, a) -> dict[str, pd.DataFrame]:
    return {"activity": pd.DataFrame({"customer_id": take("customer_id"), "date": take("date", _days),
                                      "metric": take("metric"), "value": take("value", _num), "attributes": a})}


def _transactions(take: _Valid, a) -> dict[str, pd.DataFrame]:
    """A purchase log: each purchase a ``purchase`` activity (its quantity, default 1) and a revenue amount; each
    return (:func:`core.ingest.line_items.mark_returns`) only a negative revenue amount flagged ``is_return``,
    with its attributes (a return is never a purchase, so never activity)."""
    qty = take("quantity", _num) if "quantity" in take else np.ones(take.n)
    qty = np.where(pd.isna(qty), 1.0, qty)
    cid, day = take("customer_id"), take("date", _days)
    ret = take("is_return").astype(bool) if "is_return" in take else np.zeros(take.n, dtype=bool)
    buy = ~ret
    rev_attrs = None if a is None or not ret.any() else np.where(ret, a, None)
    return {"activity": pd.DataFrame({"customer_id": cid[buy], "date": day[buy], "metric": "purchase",
                                      "value": qty[buy].astype(float), "attributes": None if a is None else a[buy]}),
            "revenue": pd.DataFrame({"customer_id": cid, "period": day, "mrr": None,
                                     "amount": take("amount", _num), "order_id": take("order_id"),
                                     "is_return": ret if "is_return" in take else None, "attributes": rev_attrs})}


def _tickets(take: _Valid, a) -> dict[str, pd.DataFrame]:
    stamps = F.iso_datetimes
    return {"ticket": pd.DataFrame({
        "ticket_id": take("ticket_id"), "customer_id": take("customer_id"),
        "opened": take("opened", stamps), "first_response": take("first_response", stamps),
        "resolved": take("resolved", stamps), "priority": take("priority"), "category": take("category"),
        "channel": take("channel"), "status": take("status"), "satisfaction": take("satisfaction", _num),
        "reopens": take("reopens", _num), "replies": take("replies", _num), "first_contact": take("first_contact"),
        "effort": take("effort", _num), "text": take("text"), "attributes": a})}


def _feedback(take: _Valid, a) -> dict[str, pd.DataFrame]:
    return {"feedback": pd.DataFrame({"customer_id": take("customer_id"), "date": take("date", _days),
                                      "channel": take("channel"), "score": take("score", _num),
                                      "text": take("text"), "status": take("status"),
                                      "followed_up": take("followed_up", _days), "closed": take("closed", _days),
                                      "reopens": take("reopens", _num), "attributes": a})}


def _interventions(take: _Valid, a) -> dict[str, pd.DataFrame]:
    return {"intervention": pd.DataFrame({
        "customer_id": take("customer_id"), "play": take("play"), "channel": take("channel"),
        "date": take("date", _days), "group": take("group"), "cost": take("cost", _num), "attributes": a})}


def _incidents(take: _Valid, a) -> dict[str, pd.DataFrame]:
    stamps = F.iso_datetimes
    return {"incident": pd.DataFrame({
        "incident_id": take("incident_id"), "customer_id": take("customer_id"), "affected": take("affected"),
        "start": take("start", stamps), "end": take("end", stamps), "severity": take("severity"),
        "title": take("title"), "attributes": a})}


_BUILDERS = {"customers": _customers, "revenue": _revenue, "activity": _activity, "transactions": _transactions,
             "tickets": _tickets, "feedback": _feedback, "interventions": _interventions,
             "incidents": _incidents}


@dataclass
class StoreRows:
    """The rows an import will load, kept as the typed columns of the source rows (compact: Arrow-backed text,
    float64 numbers, datetime64 dates) and turned into store tables a slice of source rows at a time, so the
    load holds one batch of Python values, never a whole table of them.

    Attributes
    ----------
    kind : str
    typed : dict of str to pandas.Series
        field -> typed column over every source row.
    extras : pandas.DataFrame or None
        The file's extra columns, typed (:func:`typed_extras`), over every source row.
    valid : numpy.ndarray
        bool per source row: loaded (no error).
    """

    kind: str
    typed: dict[str, pd.Series]
    extras: pd.DataFrame | None
    valid: np.ndarray

    def tables(self, rows: slice = slice(None)) -> dict[str, pd.DataFrame]:
        """Store table -> the valid rows among source rows ``rows`` (all by default)."""
        typed = {f: s.iloc[rows] for f, s in self.typed.items()}
        valid = self.valid[rows]
        extras = None if self.extras is None else self.extras.iloc[rows][valid]
        return _BUILDERS[self.kind](_Valid(typed, valid), json_lines(extras))

    def batches(self, size: int):
        """The store tables ``size`` source rows at a time: ``(table, frame)`` pairs, in source-row order."""
        for start in range(0, max(len(self.valid), 1), size):
            yield from self.tables(slice(start, start + size)).items()

    def counts(self) -> dict[str, int]:
        """Store table -> rows it will receive: every valid row, but a purchase log's returns are never activity."""
        n = int(self.valid.sum())
        if self.kind != "transactions":
            return {name: n for name in _TABLES[self.kind]}
        returns = self.typed["is_return"].to_numpy(dtype=bool)[self.valid].sum() if "is_return" in self.typed else 0
        return {"activity": n - int(returns), "revenue": n}


_TABLES = {"customers": ("customer",), "revenue": ("revenue",), "activity": ("activity",),
           "transactions": ("activity", "revenue"), "tickets": ("ticket",), "feedback": ("feedback",),
           "interventions": ("intervention",), "incidents": ("incident",)}


def build_tables(kind: str, typed: dict[str, pd.Series], extras: pd.DataFrame | None, valid: np.ndarray,
                 known: pd.Index, create: bool) -> tuple[StoreRows, pd.DataFrame]:
    """The rows to load (:class:`StoreRows`, from the ``valid`` rows); and the customers to create first."""
    return StoreRows(kind, typed, extras, valid), new_customers(kind, typed, valid, known, create)


def new_customers(kind: str, typed: dict[str, pd.Series], valid: np.ndarray, known: pd.Index,
                  create: bool) -> pd.DataFrame:
    """Customers the valid rows name but the store lacks (when ``create``): signup = their first date for
    dated kinds (activity, revenue, transactions), unknown otherwise."""
    if kind == "customers" or not create or "customer_id" not in typed:
        return pd.DataFrame(columns=_NEW_CUSTOMER_COLUMNS)
    key = typed["customer_id"][valid]
    fresh = key.notna() & ~is_known(key, known)
    if not fresh.any():
        return pd.DataFrame(columns=_NEW_CUSTOMER_COLUMNS)
    date_field = "date" if "date" in typed else ("period" if "period" in typed else None)
    if date_field and kind in ("transactions", "activity", "revenue"):
        # signup = the first purchase: a return is never one (a customer with returns only has no signup date)
        buy = fresh & ~typed["is_return"][valid] if "is_return" in typed else fresh
        first = typed[date_field][valid][buy].groupby(key[buy]).min()
        first = first.reindex(pd.Index(key[fresh].unique(), dtype=object).sort_values())
        return pd.DataFrame({"customer_id": first.index.astype(object), "signup_date": F.iso_dates(first)})
    ids = key[fresh].unique()
    return pd.DataFrame({"customer_id": ids.astype(object), "signup_date": None})
