"""Purchase recency: days since a buyer's last purchase, the health measure of customers without a contract.

A purchase log's buyers churn by the lapse rule (:mod:`core.buyers.lapse`: no purchase within N days of the last
one), never at a renewal: the next anniversary of a first purchase only restates when a buyer started. So for the
customers the rule covers (:attr:`core.history.inputs.ChurnInputs.lapse`), health reads *Purchase recency* (days
since the last purchase day up to the day scored; 0 days is best, N days or more worst) and no renewal: they have
no days to renewal, so no *Renewal proximity* and never the renewal stage. Every other customer keeps its renewal
and has no purchase recency.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.history.features import engine_recency
from core.history.inputs import ChurnInputs
from core.store.dates import datetimes

#: N of the default rule when no store is at hand (a year: the lapse rule's own fallback)
FALLBACK_LAPSE_DAYS = 365


def purchase_recency(inputs: ChurnInputs, customer_ids, day) -> tuple[np.ndarray, np.ndarray]:
    """Per customer: (days since its last purchase day on or before ``day``, N of the lapse rule).

    Both are NaN for a customer the lapse rule does not cover (every customer of a store without it), and the
    days are NaN for a covered customer without a purchase by ``day``.
    """
    ids = pd.Index(pd.Series(customer_ids, dtype=object).astype(str))
    days, lapse = np.full(len(ids), np.nan), np.full(len(ids), np.nan)
    rule = inputs.lapse
    if rule is None or (rule.purchases is None and inputs.source is None) or not len(ids):
        return days, lapse
    c = pd.Timestamp(day).normalize()
    covered = ids.isin(rule.churn_dates.index.astype(str))
    if rule.purchases is None:  # the rule left the purchases on the engine
        since = engine_recency(inputs, ids, c)
    else:
        p = rule.purchases
        last = p[p["date"] <= c].groupby("customer_id")["date"].max()
        since = (c - datetimes(last.reindex(ids))).dt.days.to_numpy(float)
    days[covered] = since[covered]
    lapse[covered] = float(rule.days)
    return days, lapse


def lapse_days(frame: pd.DataFrame) -> float | None:
    """N of the lapse rule behind a measure frame's purchase recency (None when no customer has one)."""
    n = frame["lapse_days"].dropna() if "lapse_days" in frame else pd.Series(dtype=float)
    return float(n.max()) if len(n) else None


def with_recency_weight(weights: dict, renewals: bool) -> dict:
    """Weight profiles (stage -> measure -> weight) with each stage's renewal weight given to purchase recency, half
    of it when other customers have renewals (a mix): the default's weights on a store whose buyers have a purchase
    recency. Each stage's sum is kept."""
    out = {}
    for stage, w in weights.items():
        renewal = w.get("renewal", 0)
        recency = renewal // 2 if renewals else renewal
        out[stage] = {**w, "recency": recency, "renewal": renewal - recency}
    return out


def predates_recency(saved: dict) -> bool:
    """Whether a saved configuration (its stored dictionary) was saved before Purchase recency existed: no stage
    weighs it at all (a later one always holds its weight, 0 or more, in every stage)."""
    weights = saved.get("weights") if isinstance(saved, dict) else None
    return bool(weights) and all(isinstance(w, dict) and "recency" not in w for w in weights.values())
