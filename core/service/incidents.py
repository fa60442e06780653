"""Incidents and outages as the Service operations page reads them: one row per incident, the customers it hit,
and the comparable customers it did not.

An import holds one row per incident and what it hit (:class:`core.store.tables.Incident`): an affected customer, or
a segment, plan or region (``affected``, matched to the customer file's values, case and spaces aside), or neither
(every customer). Rows with the same incident id are one incident (without ids: the same start, severity and title);
it began at its earliest start and ended at its latest end.

For each incident, on its start day:

* the **affected** are the customers it hit who were customers that day (signed up by then, not churned before);
* the **comparison** customers are the other customers that day whom no incident hit within N days either side of
  this one's start (so neither window holds another incident's effect on them).

An incident is judged only once the N days after its start have passed by the data's last day; one that hit every
customer (or every comparison customer) has nothing to compare with and is left out, with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from core.store.dates import datetimes
from core.store.read import load_columns

#: the incident columns read
INCIDENTS = ["incident_id", "customer_id", "affected", "start", "end", "severity", "title"]
#: the severity of an incident whose rows give none
UNSPECIFIED = "unspecified"
#: the customer columns an affected segment, plan or region is matched against
SCOPES = ("segment", "plan", "region")
NO_INCIDENTS = ("No incidents yet: import an incident or outage export (start, end, severity, and the customers or "
                "the segment, plan or region each one hit) on the Data page to see what an outage costs in churn "
                "and usage.")


@dataclass
class Incident:
    """One incident and the customers on each side of it.

    Attributes
    ----------
    key : str
        Its id (or ``start · title`` without one).
    start, end : pandas.Timestamp
        When it began and when service was back (NaT while ongoing).
    severity, title : str
    affected, comparison : numpy.ndarray
        Customer ids (text): hit and customers that day; not hit and clear of every incident within N days.
    reason : str
        Empty when judged; else why it is left out.
    named : bool
        Its rows name the customers it hit (then only customers still there on its day are named, so their churn
        before it cannot be compared).
    windows : tuple of numpy.ndarray
        For the difference in differences on churn: (affected, comparison) customers on the day N days before the
        start, then (affected, comparison) on the start day, the comparison clear of every incident from 2N days
        before the start to N days after it.
    """

    key: str
    start: pd.Timestamp
    end: pd.Timestamp
    severity: str
    title: str
    affected: np.ndarray
    comparison: np.ndarray
    reason: str = ""
    named: bool = False
    windows: tuple = ()


def load_incidents(engine: Engine) -> pd.DataFrame:
    """The store's incident rows (:data:`INCIDENTS`, times as datetimes)."""
    rows = load_columns(engine, "incident", INCIDENTS)
    for c in ("start", "end"):
        rows[c] = datetimes(rows[c], format="mixed")
    return rows


def _norm(values: pd.Series) -> pd.Series:
    return values.astype("string").str.strip().str.casefold()


def grouped(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per incident: ``key, start, end, severity, title``, earliest first; ``rows`` gain ``key``."""
    ids = rows["incident_id"].astype("string").str.strip()
    fallback = (rows["start"].dt.strftime("%Y-%m-%d %H:%M").astype("string") + " · "
                + rows["title"].astype("string").fillna("") + " · " + rows["severity"].astype("string").fillna(""))
    rows["key"] = ids.where(ids.notna() & (ids != ""), fallback.str.rstrip(" ·")).astype(str)
    g = rows.groupby("key", sort=False)
    out = pd.DataFrame({"start": g["start"].min(), "end": g["end"].max(),
                        "severity": g["severity"].first().fillna(UNSPECIFIED), "title": g["title"].first().fillna("")})
    return out.reset_index().sort_values(["start", "key"], kind="stable").reset_index(drop=True)


def _hit(rows: pd.DataFrame, customers: pd.DataFrame) -> np.ndarray:
    """bool per customer: one of ``rows`` (an incident's) names it, names its segment, plan or region, or names
    nobody (every customer)."""
    named = rows["customer_id"].notna()
    scoped = rows["affected"].notna() & (rows["affected"].astype("string").str.strip() != "")
    if (~named & ~scoped).any():
        return np.ones(len(customers), dtype=bool)
    hit = customers["customer_id"].isin(set(rows.loc[named, "customer_id"].astype(str))).to_numpy()
    scopes = set(_norm(rows.loc[scoped, "affected"]))
    for col in SCOPES:
        hit |= _norm(customers[col]).isin(scopes).fillna(False).to_numpy(dtype=bool)
    return hit


def at_risk(customers: pd.DataFrame, day: pd.Timestamp) -> np.ndarray:
    """bool per customer: a customer on ``day`` (signed up by then; a churn that day follows it)."""
    signed = customers["signup_date"].isna() | (customers["signup_date"].dt.normalize() <= day)
    return (signed & (customers["churn_date"].isna() | (customers["churn_date"] >= day))).to_numpy(dtype=bool)


def incidents(rows: pd.DataFrame, customers: pd.DataFrame, days: int, end: pd.Timestamp) -> list[Incident]:
    """Every incident of ``rows`` with its affected and comparison customers for windows of ``days`` days."""
    if not len(rows):
        return []
    rows = rows.copy()
    c = customers.assign(customer_id=customers["customer_id"].astype(str)).drop_duplicates("customer_id")
    one = grouped(rows)
    # each incident's customers as positions, not a mask per incident: a store of many incidents over a million
    # customers would hold a million booleans per incident
    hits = {k: np.flatnonzero(_hit(r, c)) for k, r in rows.groupby("key", sort=False)}
    named = set(rows.loc[rows["customer_id"].notna(), "key"])
    starts = one.set_index("key")["start"].dt.normalize()
    ids, out = c["customer_id"].to_numpy(), []
    for inc in one.itertuples(index=False):
        day = inc.start.normalize()
        clear, hit = np.ones(len(c), dtype=bool), np.zeros(len(c), dtype=bool)
        for k in (k for k, s in starts.items() if abs((s - day).days) <= days):
            clear[hits[k]] = False
        hit[hits[inc.key]] = True
        risk = at_risk(c, day)
        affected, comparison = ids[hit & risk], ids[clear & risk]
        out.append(Incident(inc.key, inc.start, inc.end, str(inc.severity), str(inc.title), affected, comparison,
                            _reason(day, days, end, affected, comparison), inc.key in named,
                            _windows(c, ids, hit, clear, day, days, starts, hits)))
    return out


def _windows(c: pd.DataFrame, ids: np.ndarray, hit: np.ndarray, clear: np.ndarray, day: pd.Timestamp, days: int,
             starts: pd.Series, hits: dict) -> tuple:
    """:attr:`Incident.windows`: the comparison also clear of the incidents that began from 2N to N days before
    (their effect would fall in the window before)."""
    clear = clear.copy()
    for k in (k for k, s in starts.items() if -2 * days <= (s - day).days < -days):
        clear[hits[k]] = False
    before, on = at_risk(c, day - pd.Timedelta(days=days)), at_risk(c, day)
    return ids[hit & before], ids[clear & before], ids[hit & on], ids[clear & on]


def _reason(day: pd.Timestamp, days: int, end: pd.Timestamp, affected, comparison) -> str:
    """Why an incident is not judged (the words before a colon name the reason), or empty."""
    if day + pd.Timedelta(days=days) > end:
        return f"too recent: its {days} days after end after the data's last day, {end:%Y-%m-%d}"
    if not len(affected):
        return "hit no customer: none of the customers it names was a customer that day"
    if not len(comparison):
        return (f"no one to compare with: every customer that day was hit by it or by another incident within "
                f"{days} days")
    return ""
