"""The demo's incidents, with a known effect on churn (``make_demo(..., incidents=True)``; off by default).

Two incidents, drawn from their own random stream (``default_rng([seed, OUTAGE_STREAM])``):

* a **SEV1 outage** of one region, :data:`SEV1_DAYS_BEFORE` days before the data's last day: each customer of that
  region who was a customer on its day and would otherwise still be one 90 days later leaves, with probability
  :data:`LEAVE_SHARE`, on a day drawn from the 7 to 89 days after it (a voluntary churn);
* a **SEV3 incident** of another region, :data:`SEV3_DAYS_BEFORE` days before the last day, with no effect.

Everything else is drawn first, so every other customer's rows are exactly those of the demo without incidents; a
customer the outage made leave loses the rows dated from its new churn day on (the revenue from its churn month on,
as the demo never bills a churn month). ``truth["incidents"]`` holds, per incident, the customers it hit (customers on
its day), those it made leave and the true effect: the share of the hit it made leave within 90 days, which is what
the Service operations page's churn gap estimates. Off by default because the customers it makes leave move the
churn figures of every page.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

OUTAGE_STREAM = 13
#: the share of the outage's hit customers who would have stayed 90 days and leave because of it
LEAVE_SHARE = 0.2
SEV1_DAYS_BEFORE, SEV3_DAYS_BEFORE = 240, 480
#: the window (days) the effect acts within, and the days after the start a customer it made leave goes
WINDOW, FIRST_DAY, LAST_DAY = 90, 7, 89
INCIDENTS = (("INC-DEMO-1", "SEV1", "Login and API outage", SEV1_DAYS_BEFORE, LEAVE_SHARE),
             ("INC-DEMO-2", "SEV3", "Slow dashboards", SEV3_DAYS_BEFORE, 0.0))


def _day(end: np.datetime64, days_before: int, rng: np.random.Generator) -> pd.Timestamp:
    return pd.Timestamp(end) - pd.Timedelta(days=days_before) + pd.Timedelta(hours=int(rng.integers(0, 24)))


def incidents(seed: int, customers: pd.DataFrame, end: np.datetime64) -> tuple[pd.DataFrame, pd.Series, dict]:
    """(the incident rows, the new churn day of each customer the outage made leave, ``truth["incidents"]``)."""
    rng = np.random.default_rng([seed, OUTAGE_STREAM])
    regions = rng.permutation(sorted(customers["region"].dropna().unique()))
    rows, leaves, truth = [], pd.Series(dtype="datetime64[s]"), {}
    for (key, severity, title, before, share), region in zip(INCIDENTS, regions):
        start = _day(end, before, rng)
        day = start.normalize()
        hit = (customers["region"] == region) & (customers["signup_date"] <= day) & (
            customers["churn_date"].isna() | (customers["churn_date"] >= day))
        stays = hit & (customers["churn_date"].isna() | (customers["churn_date"] > day + pd.Timedelta(days=WINDOW)))
        leave = stays & (rng.random(len(customers)) < share)
        when = day + pd.to_timedelta(rng.integers(FIRST_DAY, LAST_DAY + 1, len(customers)), unit="D")
        leaves = pd.concat([leaves, pd.Series(when[leave.to_numpy()].astype("datetime64[s]"),
                                              index=customers.index[leave.to_numpy()])])
        rows.append({"incident_id": key, "customer_id": None, "affected": str(region), "start": start,
                     "end": start + pd.Timedelta(hours=int(rng.integers(2, 9))), "severity": severity,
                     "title": title})
        truth[key] = {"severity": severity, "region": str(region), "start": str(start), "hit": int(hit.sum()),
                      "made_to_leave": int(leave.sum()), "effect": float(leave.sum() / max(hit.sum(), 1))}
    frame = pd.DataFrame(rows)
    for c in ("start", "end"):
        frame[c] = frame[c].astype("datetime64[s]")
    return frame, leaves, truth


def leave(frames: dict[str, pd.DataFrame], customers: pd.DataFrame, leaves: pd.Series) -> dict[str, pd.DataFrame]:
    """``frames`` (store table -> frame, the customers among them) with each customer of ``leaves`` (index: its row
    in ``customers``) churned on its day and its rows from that day on removed; returns the frames and, under
    ``"kept"``, each frame's kept row positions (for the verbatims' themes)."""
    c = customers.copy()
    c.loc[leaves.index, "churn_date"] = leaves.to_numpy()
    c.loc[leaves.index, "churn_type"] = "voluntary"
    gone = pd.Series(leaves.to_numpy(), index=customers.loc[leaves.index, "customer_id"].to_numpy())
    out, kept = {"customer": c}, {}
    for name, (col, month) in {"revenue": ("period", True), "activity": ("date", False), "ticket": ("opened", False),
                               "feedback": ("date", False), "intervention": ("date", False)}.items():
        df = frames[name]
        cut = df["customer_id"].map(gone)
        if month:
            cut = cut.dt.to_period("M").dt.to_timestamp()
        keep = (cut.isna() | ~(df[col] >= cut)).to_numpy()
        out[name], kept[name] = df[keep].reset_index(drop=True), np.flatnonzero(keep)
    out["kept"] = kept
    return out
