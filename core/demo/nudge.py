"""The usage-nudge e-mails (:data:`NUDGE`): a frequent, cheap play that leaves churn alone but brings customers
back, less so the more e-mails they got lately (fatigue). Its own random stream keeps every other figure of
the demo as it was."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.demo.customers import Accounts
from core.demo.hazard import sigmoid
from core.demo.timeline import Window
from core.store.dates import datetimes

#: a frequent, cheap play with its own random stream (``default_rng([seed, 9])``), so every other figure of the
#: demo stays as it was: weekly e-mails to low-usage customers for six months. It does not change churn; it
#: brings customers back (``responded``: used the product within 7 days, an attribute of each contact row),
#: less so the more e-mails they got lately (fatigue). Each e-mail is held out on its own (15 %).
NUDGE = {"play": "Usage nudge e-mail", "channel": "email", "cost": 0.05, "months": 6, "last_month_back": 4,
         "send_days": (2, 9, 16, 23), "send_prob": 0.5, "usage_below": -0.3, "holdout_share": 0.15,
         "response_logodds": -1.4, "response_usage": 0.5, "lift": 0.20, "fatigue": 0.5, "fatigue_days": 30,
         "targeting": "customers past their first month whose usage index last month was below -0.3, in the six "
                      "months ending four months before the end of the data; each of four weekly send days "
                      "with probability 0.5"}
NUDGE_STREAM = 9
_COLUMNS = ["customer_id", "play", "channel", "date", "group", "cost", "attributes"]


def usage_nudges(seed: int, acc: Accounts, win: Window, churn_date: np.ndarray, usage_ix: np.ndarray,
                 iv: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """The e-mails as ``intervention`` rows with a ``responded`` attribute, and their truth.

    ``responded`` is 1 with probability ``logistic(a + b x usage)`` for a held-out e-mail and that plus
    ``lift x fatigue^k`` for a sent one, where ``k`` counts the other contacts (any play, ``iv`` and these
    e-mails) actually made to the customer in the 30 days up to and including the e-mail's day, as
    :func:`core.roi.fatigue.contacts_before`.
    """
    spec = NUDGE
    rng = np.random.default_rng([seed, NUDGE_STREAM])
    nd = _sends(rng, acc, win, churn_date, usage_ix)
    if nd is None:
        return pd.DataFrame(columns=_COLUMNS), {"play_kind": "nudge", "n_targeted": 0}
    k_rows = len(nd)
    hold = rng.random(k_rows) < spec["holdout_share"]
    k = _contacts_before(nd, hold, acc.ids, iv)
    u = usage_ix[nd["_i"].to_numpy(), nd["_m"].to_numpy() - 1]
    p0 = sigmoid(spec["response_logodds"] + spec["response_usage"] * u)
    lift = spec["lift"] * spec["fatigue"] ** k
    responded = (rng.random(k_rows) < p0 + np.where(hold, 0.0, lift)).astype(int)
    out = pd.DataFrame({"customer_id": acc.ids[nd["_i"].to_numpy()], "play": spec["play"],
                        "channel": spec["channel"], "date": datetimes(nd["date"]).astype("datetime64[s]"),
                        "group": np.where(hold, "holdout", "treatment"),
                        "cost": np.where(hold, 0.0, spec["cost"]),
                        "attributes": [{"responded": int(r)} for r in responded]})
    out = out.sort_values(["date", "customer_id"], kind="stable").reset_index(drop=True)
    return out[_COLUMNS], _truth(lift, k)


def _sends(rng, acc: Accounts, win: Window, churn_date: np.ndarray, usage_ix: np.ndarray) -> pd.DataFrame | None:
    """The e-mails to send (``_i`` customer position, ``_m`` month, ``date``); None when there are none."""
    spec = NUDGE
    n, M = usage_ix.shape
    ms, end64 = win.ms, win.end64
    first, last = max(3, M - spec["last_month_back"] - spec["months"]), M - spec["last_month_back"]
    parts = []
    stop = np.where(pd.isna(churn_date), end64 + 1, churn_date.astype("datetime64[D]"))
    for m in range(first, last):
        low = (acc.tenure[:, m] >= 1) & (usage_ix[:, m - 1] < spec["usage_below"])
        for d in spec["send_days"]:
            day = ms[m] + np.timedelta64(d - 1, "D")
            who = np.nonzero(low & (acc.signup < day) & (stop > day) & (day <= end64)
                             & (rng.random(n) < spec["send_prob"]))[0]
            parts.append(pd.DataFrame({"_i": who, "_m": m, "date": day}))
    if not parts or not sum(len(p) for p in parts):
        return None
    return pd.concat(parts, ignore_index=True)


def _contacts_before(nd: pd.DataFrame, hold: np.ndarray, ids: np.ndarray, iv: pd.DataFrame) -> np.ndarray:
    """For each e-mail, the other contacts made (every play's treatment rows, the sent e-mails) to its customer
    in the ``fatigue_days`` up to and including its day."""
    k_rows = len(nd)
    sent = iv["group"] != "holdout"
    made = pd.concat([pd.DataFrame({"customer_id": iv.loc[sent, "customer_id"].to_numpy(),
                                    "date": datetimes(iv.loc[sent, "date"]).to_numpy("datetime64[D]"),
                                    "_row": -1}),
                      pd.DataFrame({"customer_id": ids[nd["_i"].to_numpy()][~hold],
                                    "date": nd["date"].to_numpy()[~hold], "_row": np.nonzero(~hold)[0]})])
    q = pd.DataFrame({"customer_id": ids[nd["_i"].to_numpy()], "date": nd["date"].to_numpy(),
                      "_q": np.arange(k_rows)})
    pairs = q.merge(made, on="customer_id", suffixes=("", "_o"))
    age = (pairs["date"] - pairs["date_o"]).dt.days
    pairs = pairs[(age >= 0) & (age <= NUDGE["fatigue_days"]) & (pairs["_row"] != pairs["_q"])]
    return np.bincount(pairs["_q"].to_numpy(), minlength=k_rows)


def _truth(lift: np.ndarray, k: np.ndarray) -> dict:
    """The e-mails' parameters and true response lift, overall and by the number of other recent contacts."""
    spec = NUDGE
    bucket = np.where(k >= 3, "3+", k.astype(str))
    return {"play_kind": "nudge", "channel": spec["channel"], "uplift_logodds": 0.0, "abs_reduction": 0.0,
            "horizon_months": 0, "holdout_share": spec["holdout_share"], "targeting": spec["targeting"],
            "n_targeted": int(len(k)), "outcome": "responded",
            "effect_window": "responded: used the product within 7 days of the e-mail; churn is not changed",
            "response_lift": spec["lift"], "fatigue_factor": spec["fatigue"], "fatigue_days": spec["fatigue_days"],
            # the expected difference in the response rate, sent minus held out, per bucket of other contacts
            # made in the look-back (averaged over the bucket's rows, both arms)
            "responded_lift_by_contacts": {b: float(lift[bucket == b].mean()) if (bucket == b).any() else None
                                           for b in ("0", "1", "2", "3+")},
            "responded_lift_all": float(lift.mean())}
