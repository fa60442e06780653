"""Which triggers fire for which customers: a playbook's triggers (:mod:`core.plays.rules`) over one frame of
signals per customer as of a day, giving one candidate action per customer, play and trigger with its reason (the
signal values that fired it, in plain words).

The signals frame (:mod:`core.plays.signals` builds it from the store) holds one row per customer and the columns
:data:`COLUMNS` names; a signal whose column is empty for a customer never fires for them (a customer without a
health score crosses no band). ``used:<feature>`` says whether the customer used a feature (an activity metric),
one column per feature a ``not_adopted`` trigger names.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from core.export import units
from core.plays.rules import Playbook, Trigger

#: the signals frame's columns and what they hold
COLUMNS = {
    "customer_id": "the customer",
    "segment": "the customer's segment (the fatigue cap per segment)",
    "health_band": "the health band as of the day (red, amber, green)",
    "previous_band": "the band at the snapshot before",
    "health_score": "the health score (0-100)",
    "health_drop": "points the score fell since the snapshot before (negative: it rose)",
    "tier": "the churn-risk tier of the saved churn model (high risk, medium risk, low risk)",
    "usage_change": "usage over the last 30 days against the 30 before, as a fraction (-0.4: fell by 40 %)",
    "days_since_signup": "days from signup to the day",
    "days_to_renewal": "days from the day to the next renewal",
    "oldest_open_ticket_days": "days the oldest unresolved ticket has been open",
    "escalated": "an open ticket is escalated (priority urgent or critical, or status escalated)",
    "detractor_days": "days since the last detractor answer (0-6 on the 0-10 scale)",
    "churn_signal_days": "days since the last verbatim with a churn signal",
}
ACTION_COLUMNS = ["customer_id", "segment", "tier", "trigger", "play", "owner", "channel", "due", "reason",
                  "priority"]


def fire(book: Playbook, signals: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """The candidate actions of ``book`` on ``signals`` as of ``day``: :data:`ACTION_COLUMNS`, one row per customer,
    play and trigger (``priority`` is the trigger's place in the book, 0 first), in priority then customer order.
    A customer two triggers send to one play gets one action per trigger; the guards merge or hold them."""
    frames = [_fired(i, t, signals, day) for i, t in enumerate(book.triggers)]
    out = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) else None
    if out is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ACTION_COLUMNS})
    return out.sort_values(["priority", "customer_id"], kind="stable").reset_index(drop=True)[ACTION_COLUMNS]


def _fired(priority: int, t: Trigger, s: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    mask, reason = CONDITIONS[t.signal](t.params, s)
    mask = np.asarray(mask, dtype=bool)
    rows = s.loc[mask]
    return pd.DataFrame({
        "customer_id": rows["customer_id"].astype(str).to_numpy(),
        "segment": _column(rows, "segment"), "tier": _column(rows, "tier"),
        "trigger": t.name, "play": t.play, "owner": t.owner, "channel": t.channel,
        "due": pd.Timestamp(day) + pd.Timedelta(days=t.due_days),
        "reason": np.asarray(reason, dtype=object)[mask] if len(s) else [], "priority": priority})


def _column(rows: pd.DataFrame, name: str) -> np.ndarray:
    return rows[name].to_numpy(dtype=object) if name in rows else np.full(len(rows), None, dtype=object)


def _num(s: pd.DataFrame, name: str) -> pd.Series:
    return pd.to_numeric(s[name], errors="coerce") if name in s else pd.Series(np.nan, index=s.index)


def _text(s: pd.DataFrame, name: str) -> pd.Series:
    return s[name].astype(object).where(s[name].notna(), None) if name in s else pd.Series(None, index=s.index)


def _health_band(p: dict, s: pd.DataFrame):
    band, before = _text(s, "health_band"), _text(s, "previous_band")
    # a band crossed: a customer first scored in it is new, not crossed (the Health scores page's alerts alike)
    mask = band.isin(p["bands"]) & before.notna() & ~before.isin(p["bands"])
    score = _num(s, "health_score")
    reason = [f"Health band {b} (was {w}), score {units.count(round(x))}" if m else None
              for m, b, w, x in zip(mask, band, before, score.fillna(0), strict=True)]
    return mask, reason


def _health_drop(p: dict, s: pd.DataFrame):
    drop = _num(s, "health_drop")
    mask = drop >= p["points"]
    return mask, [f"Health score fell {units.count(round(d))} points" if m else None for m, d in zip(mask, drop,
                                                                                                    strict=True)]


def _churn_tier(p: dict, s: pd.DataFrame):
    tier = _text(s, "tier")
    mask = tier.isin(p["tiers"])
    return mask, [f"Churn risk: {t}" if m else None for m, t in zip(mask, tier, strict=True)]


def _usage_drop(p: dict, s: pd.DataFrame):
    change = _num(s, "usage_change")
    mask = change <= -p["percent"] / 100
    return mask, [f"Usage fell {units.percent(-c, 0)} (last 30 days against the 30 before)" if m else None
                  for m, c in zip(mask, change, strict=True)]


def _not_adopted(p: dict, s: pd.DataFrame):
    used = s[f"used:{p['feature']}"].fillna(False).astype(bool) if f"used:{p['feature']}" in s else \
        pd.Series(False, index=s.index)
    since = _num(s, "days_since_signup")
    mask = ~used & (since >= p["days"])
    return mask, [f"{p['feature']} not used {units.count(d)} days after signup" if m else None
                  for m, d in zip(mask, since.fillna(0).astype(int), strict=True)]


def _renewal_within(p: dict, s: pd.DataFrame):
    days = _num(s, "days_to_renewal")
    mask = (days >= 0) & (days <= p["days"])
    return mask, [f"Renewal in {units.count(d)} days" if m else None
                  for m, d in zip(mask, days.fillna(0).astype(int), strict=True)]


def _ticket_unresolved(p: dict, s: pd.DataFrame):
    days = _num(s, "oldest_open_ticket_days")
    mask = days >= p["days"]
    return mask, [f"A ticket unresolved for {units.count(d)} days" if m else None
                  for m, d in zip(mask, days.fillna(0).astype(int), strict=True)]


def _escalation(p: dict, s: pd.DataFrame):
    mask = s["escalated"].fillna(False).astype(bool) if "escalated" in s else pd.Series(False, index=s.index)
    return mask, ["An open escalated ticket" if m else None for m in mask]


def _recent(column: str, words: str):
    def condition(p: dict, s: pd.DataFrame):
        days = _num(s, column)
        mask = (days >= 0) & (days <= p["days"])
        return mask, [f"{words} {units.count(d)} days ago" if m else None
                      for m, d in zip(mask, days.fillna(0).astype(int), strict=True)]
    return condition


CONDITIONS = {
    "health_band": _health_band, "health_drop": _health_drop, "churn_tier": _churn_tier, "usage_drop": _usage_drop,
    "not_adopted": _not_adopted, "renewal_within": _renewal_within, "ticket_unresolved": _ticket_unresolved,
    "escalation": _escalation, "detractor": _recent("detractor_days", "A detractor answer"),
    "churn_signal": _recent("churn_signal_days", "A churn-signal verbatim"),
}
