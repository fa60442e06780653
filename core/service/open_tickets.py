"""Which tickets are open at the end of a day, and each customer's oldest one: one definition for the playbooks'
ticket signals (core.plays.signals) and the Service operations page's leading indicators (core.service.indicators).
"""

from __future__ import annotations

import pandas as pd

from core.service.escalation import is_escalated
from core.store.dates import datetimes


def open_at(tickets: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """The tickets of a known customer opened by the end of ``day`` and not resolved by then (times as datetimes).

    Examples
    --------
    >>> t = pd.DataFrame({"customer_id": ["a", "a", None], "opened": ["2026-01-01", "2026-01-05", "2026-01-01"],
    ...                   "resolved": ["2026-01-02 09:00", None, None]})
    >>> open_at(t, pd.Timestamp("2026-01-01"))["opened"].dt.strftime("%d").tolist()  # resolved the next day
    ['01']
    >>> len(open_at(t, pd.Timestamp("2026-01-02")))  # resolved during the day: not open at its end
    0
    """
    if not len(tickets):
        return tickets
    end = day + pd.Timedelta(days=1)
    t = tickets.assign(opened=datetimes(tickets["opened"]), resolved=datetimes(tickets["resolved"]))
    return t[t["customer_id"].notna() & (t["opened"] < end) & (t["resolved"].isna() | (t["resolved"] >= end))]


def oldest_open(tickets: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """Each customer with a ticket open at the end of ``day``: the oldest one's age in whole days (from its opening
    day) and whether an open one is escalated (:func:`core.service.escalation.is_escalated`).

    Returns
    -------
    pandas.DataFrame
        ``customer_id`` (str), ``oldest_open_ticket_days`` (float), ``escalated`` (bool).
    """
    t = open_at(tickets, day)
    if not len(t):
        return pd.DataFrame({"customer_id": pd.Series(dtype=str), "oldest_open_ticket_days": pd.Series(dtype=float),
                             "escalated": pd.Series(dtype=bool)})
    t = t.assign(customer_id=t["customer_id"].astype(str), age=(day - t["opened"].dt.normalize()).dt.days,
                 escalated=is_escalated(t))
    g = t.groupby("customer_id")
    return pd.DataFrame({"oldest_open_ticket_days": g["age"].max().astype(float),
                         "escalated": g["escalated"].any()}).reset_index()
