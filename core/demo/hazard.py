"""The churn hazard: its drivers, observed at the end of the previous month, and its log-odds.

Voluntary churn in month ``m`` has the probability ``logistic(intercept + segment + b . drivers + plays)``;
involuntary churn (failed payment) a small monthly rate per segment, whatever the customer's health.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.demo.customers import SEGMENTS, Accounts

INVOLUNTARY_RATE = (0.004, 0.0015, 0.0005)  # monthly failed-payment churn by segment
HAZARD = {
    "intercept": -4.85,
    "segment": {"SMB": 0.0, "Mid-Market": -0.3, "Enterprise": -0.7},
    "coefficients": {"usage_trend": -1.2, "usage_level": -0.6, "open_tickets": 0.4,
                     "nps_detractor": 0.8, "renewal_month": 2.4},
    "drivers": {
        "usage_trend": "log usage index at the end of the previous month minus its value three months "
                       "earlier (0 in the first months)",
        "usage_level": "log usage index of the previous month (about 0 for a typical customer; weekly "
                       "usage per metric = base x seats^0.7 x exp(index), spread over the days)",
        "open_tickets": "tickets opened in the previous three months that were never resolved",
        "nps_detractor": "1 if the customer's latest NPS answer (before this month) was 0-6",
        "renewal_month": "1 in the month of the annual contract anniversary",
    },
}


def sigmoid(x):
    """The logistic function."""
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class Hazard:
    """The churn hazard of every customer and month, (customers, months) arrays.

    Attributes
    ----------
    drivers : dict of str to numpy.ndarray
        The :data:`HAZARD` drivers of each month, as observed at the end of the month before.
    logit : numpy.ndarray
        Log-odds of voluntary churn without any play.
    p_inv : numpy.ndarray
        Monthly probability of involuntary churn, per customer.
    adj : numpy.ndarray
        The shift of the log-odds by the plays a customer was treated with; the plays fill it in as they run.
    """

    drivers: dict[str, np.ndarray]
    logit: np.ndarray
    p_inv: np.ndarray
    adj: np.ndarray

    def p_voluntary(self, m: int) -> np.ndarray:
        """Probability of voluntary churn in month ``m``, with the plays run so far."""
        return sigmoid(self.logit[:, m] + self.adj[:, m])


def _lag(a: np.ndarray, k: int, fill: float = 0.0) -> np.ndarray:
    """``a`` shifted ``k`` months later along axis 1 (the first ``k`` months are ``fill``)."""
    out = np.full_like(a, fill, dtype=float)
    out[:, k:] = a[:, :-k]
    return out


def hazard_drivers(acc: Accounts, usage_ix: np.ndarray, unresolved: np.ndarray, nps_due: np.ndarray,
                   nps_score: np.ndarray) -> dict[str, np.ndarray]:
    """The drivers of month ``m`` from the signals up to month ``m - 1`` (see ``HAZARD["drivers"]``)."""
    tenure = acc.tenure
    last_nps = pd.DataFrame(np.where(nps_due, nps_score, np.nan)).ffill(axis=1).to_numpy()
    trend = _lag(usage_ix, 1) - _lag(usage_ix, 4)
    trend[~(tenure >= 4)] = 0.0
    return {
        "usage_trend": trend,
        "usage_level": _lag(usage_ix, 1),
        "open_tickets": _lag(unresolved, 1) + _lag(unresolved, 2) + _lag(unresolved, 3),
        "nps_detractor": (_lag(np.nan_to_num(last_nps, nan=99.0), 1, 99.0) <= 6).astype(float),
        "renewal_month": ((tenure > 0) & (tenure % 12 == 0)).astype(float),
    }


def hazard(acc: Accounts, drivers: dict[str, np.ndarray]) -> Hazard:
    """The hazard of every customer and month from its drivers, before any play."""
    seg_off = np.array([HAZARD["segment"][s] for s in SEGMENTS])[acc.seg]
    logit = HAZARD["intercept"] + seg_off[:, None] + sum(HAZARD["coefficients"][k] * v for k, v in drivers.items())
    return Hazard(drivers=drivers, logit=logit, p_inv=np.array(INVOLUNTARY_RATE)[acc.seg],
                  adj=np.zeros(logit.shape))
