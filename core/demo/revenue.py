"""Revenue: each customer's MRR path (expansion and contraction follow health) and failed payments."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.demo.churn import Churn
from core.demo.customers import Accounts
from core.demo.timeline import Window

MRR_MEDIAN = (450.0, 3000.0, 16000.0)  # by segment
PAYMENT_FAIL_RATE = 0.006  # monthly share of payments that fail and are then recovered
#: chance that an involuntary churner's last paid month, and the month before it, had a failed payment
FAILED_BEFORE_INVOLUNTARY = {"last_paid_month": 0.9, "month_before": 0.5}
PAYMENT_STREAM = 7  # failed payments draw from ``default_rng([seed, PAYMENT_STREAM])``


def mrr_paths(rng: np.random.Generator, acc: Accounts, health: np.ndarray) -> np.ndarray:
    """(customers, months) MRR: a starting MRR by segment, then monthly expansions (more likely when healthy)
    and contractions (more likely when not)."""
    n, M = health.shape
    tenure = acc.tenure
    mrr0 = np.round(np.array(MRR_MEDIAN)[acc.seg] * rng.lognormal(0, 0.45, n), 0)
    u_e, u_c = rng.random((n, M)), rng.random((n, M))
    expand = (u_e < 0.035 * np.exp(0.6 * health)) & (tenure > 0)
    contract = ~expand & (u_c < 0.025 * np.exp(-0.6 * health)) & (tenure > 0)
    factor = np.where(expand, 1 + rng.uniform(0.05, 0.35, (n, M)), 1.0)
    factor = np.where(contract, 1 - rng.uniform(0.05, 0.3, (n, M)), factor)
    factor[tenure <= 0] = 1.0
    return np.round(mrr0[:, None] * np.cumprod(factor, axis=1), 2)


def revenue_frame(seed: int, acc: Accounts, win: Window, mrr: np.ndarray, churn: Churn) -> pd.DataFrame:
    """The ``revenue`` table: one row per paying month (none in the churn month), with ``payment_failed``.

    Failed payments come from their own random stream, so every other figure of the demo stays as it was:
    an involuntary churner's last paid month failed (90 %) and often the one before (50 %); any other month
    fails now and then (:data:`PAYMENT_FAIL_RATE`) and is recovered.
    """
    last_m = np.where(churn.month >= 0, churn.month - 1, win.n_months - 1)
    paying = acc.exists & (win.m_idx[None, :] <= last_m[:, None])
    r_c, r_m = np.nonzero(paying)
    revenue = pd.DataFrame({"customer_id": acc.ids[r_c], "period": win.ms[r_m].astype("datetime64[s]"),
                            "mrr": mrr[r_c, r_m], "amount": np.nan})
    rng_pay = np.random.default_rng([seed, PAYMENT_STREAM])
    months_left = last_m[r_c] - r_m  # 0 = the customer's last paying month
    inv = (churn.kind == "involuntary")[r_c]
    p_fail = np.where(inv & (months_left == 0), FAILED_BEFORE_INVOLUNTARY["last_paid_month"],
                      np.where(inv & (months_left == 1), FAILED_BEFORE_INVOLUNTARY["month_before"],
                               PAYMENT_FAIL_RATE))
    revenue["payment_failed"] = rng_pay.random(len(r_c)) < p_fail
    return revenue
