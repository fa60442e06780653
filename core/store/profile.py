"""What the store holds: each kind of data, how many rows and over which days, and what sort of store that makes.

A store holds what analysts bring: a recurring-revenue book (monthly MRR, churn dates), a purchase log (dated
purchases, no MRR), a snapshot (a customer list with tenure and a churn flag, counted back from an as-of day),
feedback only, or a mix. :func:`profile` reads it in one aggregate query per table, so the Data page, the command
line (``python -m core status``) and later every page choose defaults and say what they cannot show from the same
facts::

    p = profile(engine)
    p.sort            # "purchase log"
    p.has("purchases"), p.span("purchases")
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Engine

from core.store.tables import Activity, Customer, Feedback, ImportLog, Incident, Intervention, Revenue, Ticket

#: each kind of data, in the order shown, with its words
KINDS = {
    "customers": "customers",
    "recurring_revenue": "recurring revenue (MRR per month)",
    "one_off_revenue": "one-off revenue (sales and returns)",
    "purchases": "purchases",
    "usage": "product usage",
    "churn_dates": "churn dates",
    "snapshot": "a snapshot (tenure and a churn flag as of a day)",
    "tickets": "support tickets",
    "feedback_dated": "feedback with a date",
    "feedback_undated": "feedback without a date",
    "interventions": "interventions (plays and holdouts)",
    "incidents": "incidents and outages",
}
#: the data that decides the sort of store, and its name
_SORTS = (("recurring_revenue", "recurring-revenue book"), ("purchases", "purchase log"), ("snapshot", "snapshot"))


@dataclass(frozen=True)
class Holding:
    """One kind of data in the store: ``rows`` of it from ``first`` to ``last`` (None when undated)."""

    key: str
    rows: int
    first: dt.date | None = None
    last: dt.date | None = None

    @property
    def label(self) -> str:
        return KINDS[self.key]


@dataclass(frozen=True)
class StoreProfile:
    """The store's holdings (only kinds with at least one row), in :data:`KINDS` order."""

    holdings: tuple[Holding, ...]

    def has(self, key: str) -> bool:
        return any(h.key == key for h in self.holdings)

    def get(self, key: str) -> Holding | None:
        return next((h for h in self.holdings if h.key == key), None)

    def span(self, key: str) -> tuple[dt.date | None, dt.date | None]:
        h = self.get(key)
        return (h.first, h.last) if h else (None, None)

    @property
    def sort(self) -> str:
        """One of the sorts (recurring-revenue book, purchase log, snapshot), ``mix`` when more than one of those is
        present; without any: ``usage log``, ``ticket log``, ``feedback only``, ``customer list`` or ``empty``."""
        sorts = [name for key, name in _SORTS if self.has(key)]
        if len(sorts) > 1:
            return "mix"
        if sorts:
            return sorts[0]
        if self.has("usage"):
            return "usage log"
        if self.has("tickets"):
            return "ticket log"
        if self.has("feedback_dated") or self.has("feedback_undated"):
            return "feedback only"
        return "customer list" if self.has("customers") else "empty"

    @property
    def summary(self) -> str:
        """One sentence for the Data page and ``python -m core status``: the sort of store and its dated span."""
        if not self.holdings:
            return "The store is empty: import a file (or load the demo) to see the pages."
        first, last = self.first_day, self.last_day
        span = f", dated {first.isoformat()} to {last.isoformat()}" if first and last else ", with no dates"
        what = "holds feedback only" if self.sort == "feedback only" else f"is a {self.sort}"  # every sort takes "a"
        return f"This store {what}{span}."

    def table_rows(self) -> list[dict]:
        """One row per kind of data held: ``data``, ``rows``, ``from``, ``to`` (ISO days, empty when undated)."""
        return [{"data": h.label, "rows": h.rows, "from": h.first.isoformat() if h.first else "",
                 "to": h.last.isoformat() if h.last else ""} for h in self.holdings]

    @property
    def first_day(self) -> dt.date | None:
        """The store's first dated day over every kind of data (None when nothing is dated)."""
        days = [h.first for h in self.holdings if h.first is not None]
        return min(days) if days else None

    @property
    def last_record_day(self) -> dt.date | None:
        """The last day of the store's records (revenue, purchases, usage, churn, a snapshot, tickets, feedback,
        interventions), signups left out: a customer list says when customers joined, not that the data ends there.
        None when only signups (or nothing) are dated."""
        days = [h.last for h in self.holdings if h.last is not None and h.key != "customers"]
        return max(days) if days else None

    @property
    def last_day(self) -> dt.date | None:
        days = [h.last for h in self.holdings if h.last is not None]
        return max(days) if days else None


def profile(engine: Engine) -> StoreProfile:
    """Read what the store holds (one aggregate query per table)."""
    with engine.connect() as conn:
        found = [
            _span(conn, "customers", Customer, Customer.signup_date),
            _span(conn, "recurring_revenue", Revenue, Revenue.period, Revenue.mrr.is_not(None)),
            _span(conn, "one_off_revenue", Revenue, Revenue.period,
                  and_(Revenue.mrr.is_(None), Revenue.amount.is_not(None))),
            _span(conn, "purchases", Activity, Activity.date, Activity.metric == "purchase"),
            _span(conn, "usage", Activity, Activity.date, Activity.metric != "purchase"),
            _span(conn, "churn_dates", Customer, Customer.churn_date, Customer.churn_date.is_not(None)),
            _snapshot(conn),
            _span(conn, "tickets", Ticket, Ticket.opened),
            _span(conn, "feedback_dated", Feedback, Feedback.date, Feedback.date.is_not(None)),
            _span(conn, "feedback_undated", Feedback, Feedback.date, Feedback.date.is_(None)),
            _span(conn, "interventions", Intervention, Intervention.date),
            _span(conn, "incidents", Incident, Incident.start),
        ]
    return StoreProfile(tuple(h for h in found if h.rows))


def _span(conn, key: str, table, day, where=None) -> Holding:
    """Rows of ``table`` (where ``where``) and the first and last day of ``day``."""
    q = select(func.count(), func.min(day), func.max(day)).select_from(table)
    if where is not None:
        q = q.where(where)
    n, first, last = conn.execute(q).one()
    return Holding(key, int(n or 0), _day(first), _day(last))


def _day(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _snapshot(conn) -> Holding:
    """Customers imported from a snapshot: customer-list imports (not undone) given an as-of day, and those days."""
    rows = conn.execute(select(ImportLog.mapping, ImportLog.rows_loaded).where(
        ImportLog.kind == "customers", ImportLog.undone_at.is_(None))).all()
    days = [(_day(((m or {}).get("options") or {}).get("as_of")), n) for m, n in rows]
    days = [(d, n) for d, n in days if d is not None]
    if not days:
        return Holding("snapshot", 0)
    return Holding("snapshot", sum(int(n) for _, n in days), min(d for d, _ in days), max(d for d, _ in days))
