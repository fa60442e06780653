"""The signals a playbook's triggers read, from the store as of a day: one row per customer active that day, in the
columns :data:`core.plays.fire.COLUMNS` names, and what the guards read (:class:`core.plays.queue.Context`).

Each signal is the store's own definition, shared with the page that shows it:

* health: the score and band of the current health configuration (:func:`core.health.store.current_config`) on the
  measures of the day and of the previous month's end (:func:`core.health.score.measure_frame`), the two snapshots
  the Health scores page's alerts compare; ``health_drop`` is the fall between the two;
* the churn-risk tier: the newest saved churn model's (:func:`core.churn.store.latest_scores`); none without one;
* usage: the usage over the 30 days to the day against the 30 days to the previous month's end, from the Health
  scores page's usage level (the mean daily usage of 30 days, kept as ``log1p``), so ``usage_change`` is
  ``expm1(level) / expm1(level before) - 1``;
* tickets: the oldest ticket open at the end of the day, in whole days, and whether an open one is escalated (its
  priority urgent or critical, or its status escalated): such a ticket is also the quiet period's critical ticket;
* feedback: days since the last NPS answer of 0 to 6 (a detractor) and since the last verbatim with a churn signal
  (:func:`core.feedback.verbatims.churn_signal`);
* ``used:<feature>``: whether the customer has any activity row of that metric up to the day.

Contacts already made (or held out) are the store's interventions (``group`` is the arm); the actions still open
are the saved runs' (:func:`core.plays.runs.open_actions`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Engine

from core.churn.store import latest_scores
from core.errors import InsufficientDataError
from core.feedback.verbatims import churn_signal
from core.health import store as health_store
from core.health.score import measure_frame, score
from core.history.inputs import ChurnInputs, load_inputs
from core.plays.queue import Context
from core.plays.rules import Playbook
from core.plays.runs import contacts, open_actions
from core.service.escalation import is_escalated
from core.service.open_tickets import oldest_open, open_at
from core.store.dates import datetimes
from core.store.read import load_table

#: the NPS answers of a detractor (0-10 scale)
DETRACTOR_MAX = 6


def store_signals(engine: Engine, book: Playbook, day: dt.date | None = None,
                  inputs: ChurnInputs | None = None) -> tuple[pd.DataFrame, Context, pd.Timestamp]:
    """(the signals frame, the guards' context, the day) of the store as of ``day`` (default: the data's last day).

    Raises
    ------
    InsufficientDataError
        No customer is active on the day.
    """
    inputs = inputs if inputs is not None else load_inputs(engine)
    day = pd.Timestamp(day if day is not None else inputs.end()).normalize()
    frame = _health(engine, inputs, day)
    frame = frame.merge(_tiers(engine), on="customer_id", how="left")
    customers = load_table(engine, "customer")
    tickets = load_table(engine, "ticket")
    feedback = load_table(engine, "feedback")
    frame = frame.merge(oldest_open(tickets, day), on="customer_id", how="left")
    frame = frame.merge(_feedback(feedback, day), on="customer_id", how="left")
    frame["escalated"] = frame["escalated"].eq(True)
    for feature in sorted({t.params["feature"] for t in book.triggers if t.signal == "not_adopted"}):
        frame[f"used:{feature}"] = frame["customer_id"].isin(_users(engine, feature, day))
    return frame, _context(customers, tickets, day, engine), day


def previous_month_end(day: pd.Timestamp) -> pd.Timestamp:
    """The last day of the month before ``day``'s: the Health scores page's snapshot before the day's."""
    return (pd.Timestamp(day).to_period("M") - 1).to_timestamp(how="end").normalize()


def _health(engine: Engine, inputs: ChurnInputs, day: pd.Timestamp) -> pd.DataFrame:
    """customer_id, segment, days_since_signup, days_to_renewal, health_score, health_band, previous_band,
    health_drop, usage_change of the customers active at the end of ``day``."""
    try:
        now, _ = measure_frame(inputs, day)
    except InsufficientDataError:
        raise InsufficientDataError(f"No customer is active on {day:%Y-%m-%d}: there is no one to act on.") from None
    config, _ = health_store.current_config(engine, now)
    scored = score(config, now)
    out = pd.DataFrame({"customer_id": now["customer_id"].astype(str), "segment": now["segment"],
                        "days_since_signup": now["tenure_days"], "days_to_renewal": now["days_to_renewal"],
                        "health_score": scored["score"].to_numpy(float), "health_band": scored["band"].to_numpy()})
    try:
        before, _ = measure_frame(inputs, previous_month_end(day))
    except InsufficientDataError:
        before = now.iloc[:0]
    then = score(config, before) if len(before) else pd.DataFrame(columns=["customer_id", "score", "band"])
    then = pd.DataFrame({"customer_id": before["customer_id"].astype(str).to_numpy(),
                         "previous_score": then["score"].to_numpy(float), "previous_band": then["band"].to_numpy(),
                         "usage_before": before["usage_level_30d"].to_numpy(float)
                         if "usage_level_30d" in before else np.nan})
    out = out.merge(then, on="customer_id", how="left")
    out["health_drop"] = out["previous_score"] - out["health_score"]
    level = now["usage_level_30d"].to_numpy(float) if "usage_level_30d" in now else np.full(len(now), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.expm1(level) / np.expm1(out["usage_before"].to_numpy(float))
    out["usage_change"] = np.where(np.isfinite(ratio), ratio - 1, np.nan)
    return out.drop(columns=["previous_score", "usage_before"])


def _tiers(engine: Engine) -> pd.DataFrame:
    """Each customer's tier of the newest saved churn model (none saved: no tier, so no churn_tier trigger fires)."""
    try:
        scores = latest_scores(engine)
    except InsufficientDataError:
        scores = None
    if scores is None or not len(scores):
        return pd.DataFrame({"customer_id": pd.Series(dtype=str), "tier": pd.Series(dtype=object)})
    return pd.DataFrame({"customer_id": scores["customer_id"].astype(str), "tier": scores["tier"]})


def _feedback(feedback: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    empty = pd.DataFrame({"customer_id": pd.Series(dtype=str), "detractor_days": pd.Series(dtype=float),
                          "churn_signal_days": pd.Series(dtype=float)})
    if not len(feedback):
        return empty
    f = feedback.assign(date=datetimes(feedback["date"]).dt.normalize())
    f = f[f["customer_id"].notna() & f["date"].notna() & (f["date"] <= day)]
    if not len(f):
        return empty
    f = f.assign(customer_id=f["customer_id"].astype(str), days=(day - f["date"]).dt.days.astype(float))
    nps = f["channel"].astype(str).str.strip().str.lower().eq("nps") & (pd.to_numeric(f["score"], errors="coerce")
                                                                         <= DETRACTOR_MAX)
    signal = churn_signal(f["text"].fillna("").astype(str)) if "text" in f else np.zeros(len(f), bool)
    detractor = f[nps.to_numpy()].groupby("customer_id")["days"].min().rename("detractor_days")
    churned = f[np.asarray(signal, bool)].groupby("customer_id")["days"].min().rename("churn_signal_days")
    return pd.concat([detractor, churned], axis=1).rename_axis("customer_id").reset_index()


def _users(engine: Engine, feature: str, day: pd.Timestamp) -> set[str]:
    """The customers with an activity row of metric ``feature`` up to ``day``."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT DISTINCT customer_id FROM activity WHERE metric = :m AND date <= :d"),
                            {"m": feature, "d": day.date()}).fetchall()
    return {str(r[0]) for r in rows}


def _context(customers: pd.DataFrame, tickets: pd.DataFrame, day: pd.Timestamp, engine: Engine) -> Context:
    t = open_at(tickets, day)
    critical = t[is_escalated(t)] if len(t) else t
    crit = {} if not len(critical) else (critical.sort_values("opened").groupby(critical["customer_id"].astype(str))
                                         .apply(_ticket_name, include_groups=False).to_dict())
    info = {str(cid): {"attributes": attrs if isinstance(attrs, dict) else {}, "critical_ticket": crit.get(str(cid))}
            for cid, attrs in zip(customers["customer_id"], customers.get("attributes", [None] * len(customers)),
                                  strict=True)}
    return Context(info, contacts(engine), open_actions(engine, day))


def _ticket_name(rows: pd.DataFrame) -> str:
    first = rows.iloc[0]
    name = first.get("ticket_id")
    return f"{name}, opened {first['opened']:%Y-%m-%d}" if isinstance(name, str) and name else \
        f"opened {first['opened']:%Y-%m-%d}"
