"""The trigger-driven play (:data:`TRIGGERED`): a year of weekly playbook runs over the demo, each run the
workbench's own (:func:`core.plays.queue.run`: the trigger fires, the guards hold back, the holdout is drawn in
permuted blocks), so the Intervention ROI page measures a play exactly as a real playbook makes it. It leaves churn
and usage alone: its outcome is ``recovered`` (the customer's usage came back within 30 days, an attribute of each
contact row), raised by a known lift for the customers reached. Its own random stream (``default_rng([seed, 10])``)
keeps every other figure of the demo as it was.

The signal is the playbook's ``usage_drop``: usage this month against last month (the latent usage index is a log
level, so the change is ``exp(u[m] - u[m - 1]) - 1``), for customers past their first month. The runs are on
Mondays, over the 12 months ending two months before the end of the data (so every outcome window has passed, and
no run touches the calendar of a playbook run on the data's last day).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.demo.customers import SEGMENTS, Accounts
from core.demo.hazard import sigmoid
from core.demo.timeline import Window
from core.plays.queue import TREATMENT, Context, run
from core.plays.rules import Guards, Playbook, Trigger

TRIGGERED = {"play": "Usage drop check-in", "trigger": "Usage fell", "owner": "Customer success",
             "channel": "phone", "percent": 20.0, "holdout_share": 0.15, "months": 12, "months_back": 2,
             "recovered_logodds": -0.8, "recovered_usage": 0.6, "lift": 0.12, "cost": 25.0,
             "guards": {"fatigue_contacts": 2, "fatigue_days": 30, "gap_days": 28},
             "targeting": "weekly playbook runs (Mondays) over the 12 months ending two months before the end of "
                          "the data: customers past their first month whose usage fell 20 % or more from last month"}
TRIGGERED_STREAM = 10
_COLUMNS = ["customer_id", "play", "channel", "date", "group", "cost", "attributes"]
_HISTORY = ["customer_id", "play", "date", "arm"]


def book() -> Playbook:
    """The one-trigger playbook the weekly runs use."""
    s = TRIGGERED
    return Playbook((Trigger(s["trigger"], "usage_drop", s["play"], s["owner"], s["channel"],
                             {"percent": s["percent"]}, due_days=7, holdout=s["holdout_share"]),),
                    Guards(**s["guards"]))


def mondays(win: Window) -> list[np.datetime64]:
    """The run days: every Monday of the runs' months."""
    s, M = TRIGGERED, win.n_months
    last = M - s["months_back"]
    first = max(1, last - s["months"])
    days = np.arange(win.ms[first], win.ms[last], dtype="datetime64[D]")
    return [d for d in days if pd.Timestamp(d).weekday() == 0]


def check_ins(seed: int, acc: Accounts, win: Window, churn_date: np.ndarray,
              usage_ix: np.ndarray) -> tuple[pd.DataFrame, dict]:
    """The check-ins as ``intervention`` rows with a ``recovered`` attribute, and their truth.

    ``recovered`` is 1 with probability ``logistic(a + b x usage)`` (the month's usage index) for a held-out
    customer, and that plus ``lift`` (at most 1) for one reached.
    """
    s, playbook = TRIGGERED, book()
    rng = np.random.default_rng([seed, TRIGGERED_STREAM])
    empty = pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c == "date" else object) for c in _HISTORY})
    stop = np.where(pd.isna(churn_date), win.end64 + 1, churn_date.astype("datetime64[D]"))
    rows, booked = [], []
    for k, day in enumerate(mondays(win)):
        signals, where = _signals(acc, win, stop, usage_ix, day)
        history = pd.concat(booked, ignore_index=True) if booked else empty
        queue = run(playbook, signals, pd.Timestamp(day).date(), Context({}, history), seed=seed * 1000 + k)
        made = queue[queue["status"] == "queued"].merge(where, on="customer_id")
        if not len(made):
            continue
        rows.append(made.assign(date=pd.Timestamp(day)))
        booked.append(pd.DataFrame({"customer_id": made["customer_id"], "play": s["play"],
                                    "date": pd.Timestamp(day), "arm": made["arm"]}))
    if not rows:
        return pd.DataFrame(columns=_COLUMNS), {"play_kind": "triggered", "n_targeted": 0}
    c = pd.concat(rows, ignore_index=True)
    hold = (c["arm"] != TREATMENT).to_numpy()  # the holdout arm
    p0 = sigmoid(s["recovered_logodds"] + s["recovered_usage"] * c["_u"].to_numpy())
    p1 = np.minimum(p0 + s["lift"], 1.0)
    recovered = (rng.random(len(c)) < np.where(hold, p0, p1)).astype(int)
    out = pd.DataFrame({"customer_id": c["customer_id"], "play": s["play"], "channel": s["channel"],
                        "date": c["date"].astype("datetime64[s]"), "group": c["arm"],
                        "cost": np.where(hold, 0.0, s["cost"]),
                        "attributes": [{"recovered": int(r)} for r in recovered]})
    return out[_COLUMNS], _truth(p1 - p0, hold, mondays(win))


def _signals(acc: Accounts, win: Window, stop: np.ndarray, usage_ix: np.ndarray,
             day: np.datetime64) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the playbook's signals of the customers active on ``day`` past their first month, their usage index)."""
    m = int(np.searchsorted(win.ms, day, side="right") - 1)
    alive = (acc.signup < day) & (stop > day) & (acc.tenure[:, m] >= 1)
    i = np.nonzero(alive)[0]
    change = np.exp(usage_ix[i, m] - usage_ix[i, m - 1]) - 1
    ids = acc.ids[i]
    signals = pd.DataFrame({"customer_id": ids, "segment": np.asarray(SEGMENTS)[acc.seg[i]], "tier": None,
                            "usage_change": change})
    return signals, pd.DataFrame({"customer_id": ids, "_u": usage_ix[i, m]})


def _truth(lift: np.ndarray, hold: np.ndarray, days: list[np.datetime64]) -> dict:
    s = TRIGGERED
    return {"play_kind": "triggered", "channel": s["channel"], "uplift_logodds": 0.0, "abs_reduction": 0.0,
            "horizon_months": 0, "holdout_share": s["holdout_share"], "targeting": s["targeting"],
            "n_targeted": int(len(lift)), "n_held_out": int(hold.sum()), "outcome": "recovered",
            "effect_window": "recovered: usage came back within 30 days of the check-in; churn is not changed",
            "runs": len(days), "first_run": f"{pd.Timestamp(days[0]):%Y-%m-%d}",
            "last_run": f"{pd.Timestamp(days[-1]):%Y-%m-%d}", "playbook": book().to_dict(),
            # the expected difference in the recovery rate, reached minus held out, over the contacts made
            "recovered_lift": float(lift.mean())}
