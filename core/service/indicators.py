"""Leading indicators: the operational signals that fire before churn, checked at each month's end.

At every month end, each customer active that day (signed up and not churned: the churn model's own definition,
:func:`core.history.features.temporal_features`) is flagged or not by each signal of :data:`SIGNALS`:

* repeated escalations: two or more escalated tickets (:mod:`core.service.escalation`) opened in the 90 days up to
  the day;
* a ticket unresolved past N days: a ticket open at the day's end that was opened N or more days before (the
  playbooks' oldest open ticket, :func:`core.service.open_tickets.oldest_open`);
* declining usage: usage per day over the 30 days to the month's end at most half that over the 30 days to the
  previous month's end (the usage level every page reads, compared as the playbooks' usage change is).

A month end's outcome is churn within H days after it, known once H days of data have followed it. A churner is
*caught* by a signal that flagged them at a month end in the H days before they left; the *lead* is how many days
before the churn the first such month end came (:mod:`core.service.leads`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.errors import InsufficientDataError
from core.history.features import asked_ahead, temporal_features
from core.history.inputs import ChurnInputs
from core.service.escalation import is_escalated
from core.service.open_tickets import oldest_open
from core.store.dates import datetimes

#: escalated tickets in the 90 days up to a month end that make "repeated escalations"
REPEATED = 2
#: days a ticket may stay open before it counts (the default)
OPEN_DAYS = 14
#: usage per day at most this share of the month before's is a decline
DECLINE = 0.5
#: the usage levels are log1p of a mean, so a ratio read back from them is off by a few ulps: exactly half of the
#: month before's usage reads 0.5000000000000001 (1.0 a day against 2.0); within this relative slack it still fires
SLACK = 1e-9
#: the only behaviour the signals read from the churn features: the usage level (tickets are read from the tickets)
USAGE = ("usage",)


@dataclass(frozen=True)
class Signal:
    """One leading indicator: its column in the flags, its name on the page, and its definition."""

    key: str
    title: str
    definition: str


def signals(open_days: int = OPEN_DAYS) -> dict[str, Signal]:
    """The signals, their definitions naming ``open_days``."""
    return {s.key: s for s in (
        Signal("escalations", "Repeated escalations",
               f"{REPEATED} or more escalated tickets (priority urgent or critical, or status escalated) opened in the "
               "90 days up to the month's end."),
        Signal("unresolved", f"A ticket open {open_days}+ days",
               f"A ticket still open at the month's end that was opened {open_days} or more days before."),
        Signal("usage_decline", "Usage halved",
               f"Usage per day over the 30 days to the month's end at most {DECLINE:.0%} of that over the 30 days to "
               "the previous month's end."))}


@dataclass
class Flags:
    """Every active customer at every month end, with each signal's flag and what followed.

    Attributes
    ----------
    rows : pandas.DataFrame
        ``month_end, customer_id, churn_date`` (NaT: still a customer), ``churned`` (churn within ``horizon`` days
        of the month end: 1.0 or 0.0, NaN while those days have not passed) and one bool column per signal (False
        where the signal cannot be read: usage without a month before).
    horizon : int
        Days after a month end in which a churn counts.
    open_days : int
        Days a ticket may stay open before "unresolved" fires.
    end : pandas.Timestamp
        The data's last day.
    usage : bool
        Whether the store has usage to read (without it the usage signal never fires, and the page says so).
    """

    rows: pd.DataFrame
    horizon: int
    open_days: int
    end: pd.Timestamp
    usage: bool


def month_ends(inputs: ChurnInputs) -> pd.DatetimeIndex:
    """The month ends from the first signup's month to the data's last day (:meth:`ChurnInputs.end`)."""
    first = inputs.customers["signup_date"].min()
    if pd.isna(first):
        raise InsufficientDataError("No customer has a signup date, so no month end has active customers to check.")
    return pd.date_range(pd.Timestamp(first).normalize(), inputs.end(), freq="ME")


def escalations(tickets: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    """Escalated tickets opened in the 90 days up to the end of ``day``, per customer id (str)."""
    opened = datetimes(tickets["opened"])
    next_day = day + pd.Timedelta(days=1)
    recent = tickets[(opened < next_day) & (opened >= next_day - pd.Timedelta(days=90))
                     & tickets["customer_id"].notna()]
    return recent[is_escalated(recent).to_numpy()].groupby(recent["customer_id"].astype(str)).size()


def _month(inputs: ChurnInputs, tickets: pd.DataFrame, c: pd.Timestamp, horizon: int, open_days: int,
           before: pd.Series | None) -> tuple[pd.DataFrame, pd.Series]:
    """One month end's rows, and its usage levels by customer (the next month's "before")."""
    matured = c + pd.Timedelta(days=horizon) <= inputs.end()
    data = temporal_features(inputs, c, horizon, label=matured, groups=USAGE)
    ids = data.customer_id.astype(str).to_numpy()
    level = pd.Series(data.X["usage_level_30d"].to_numpy(float) if "usage_level_30d" in data.X else np.nan,
                      index=ids)
    previous = before.reindex(ids).to_numpy(float) if before is not None else np.full(len(ids), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.expm1(level.to_numpy()) / np.expm1(previous)
    oldest = oldest_open(tickets, c).set_index("customer_id")["oldest_open_ticket_days"]
    rows = pd.DataFrame({
        "month_end": c, "customer_id": ids,
        "churned": data.y.astype(float) if matured else np.nan,
        "escalations": escalations(tickets, c).reindex(ids).fillna(0).to_numpy() >= REPEATED,
        "unresolved": oldest.reindex(ids).to_numpy(float) >= open_days,
        "usage_decline": np.isfinite(ratio) & (ratio <= DECLINE * (1 + SLACK))})
    return rows, level


def flags(inputs: ChurnInputs, tickets: pd.DataFrame, horizon: int = 90, open_days: int = OPEN_DAYS) -> Flags:
    """Each signal's flag on every customer active at every month end (:class:`Flags`).

    Parameters
    ----------
    inputs : ChurnInputs
        The store's customers, usage and churn (:func:`core.history.inputs.load_inputs`).
    tickets : pandas.DataFrame
        ``customer_id, opened, resolved, priority, status`` (:data:`core.service.inputs.TICKETS`).
    horizon : int
        Days after a month end in which a churn counts.
    open_days : int
        Days a ticket may stay open before it counts as unresolved.

    Raises
    ------
    InsufficientDataError
        No month end has an active customer.
    """
    parts, before, usage = [], None, False
    ends = month_ends(inputs)
    with asked_ahead(inputs, list(ends), USAGE):
        for c in ends:
            try:
                rows, before = _month(inputs, tickets, c, horizon, open_days, before)
            except InsufficientDataError:  # nobody active yet at this month end
                before = None
                continue
            parts.append(rows)
            usage = usage or bool(before.notna().any())
    if not parts:
        raise InsufficientDataError("No customer was active at any month end, so no signal can be checked.")
    rows = pd.concat(parts, ignore_index=True)
    churn = inputs.customers.set_index(inputs.customers["customer_id"].astype(str))["churn_date"]
    rows.insert(2, "churn_date", churn.reindex(rows["customer_id"]).to_numpy())
    return Flags(rows, horizon, open_days, inputs.end(), usage)
