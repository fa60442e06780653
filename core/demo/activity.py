"""Daily product usage per metric, from each customer's usage index and seats."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.demo.customers import Accounts
from core.demo.timeline import Window

#: usage metrics and their mean count per seat-unit per week (spread over the days by daily_activity)
FEATURES = {"logins": 3.0, "reports_run": 0.8, "dashboards_viewed": 1.5, "api_calls": 4.0}
_CHUNK = 1000  # customers built at a time, to bound memory


def daily_activity(rng: np.random.Generator, acc: Accounts, win: Window, stop: np.ndarray,
                   usage_ix: np.ndarray) -> pd.DataFrame:
    """The ``activity`` table: daily usage per metric from signup up to ``stop``; zero days are left out.

    Weekdays carry 1.3/7 and weekend days 0.25/7 of the weekly rate (so a week still averages
    :data:`FEATURES`' rate): ``Poisson(rate x seats^0.7 x exp(usage index) x day share x lognormal noise)``.
    """
    ms, ids, signup = win.ms, acc.ids, acc.signup
    days = np.arange(ms[0], win.end64 + 1, np.timedelta64(1, "D"))
    d_month = np.searchsorted(ms, days, side="right") - 1
    day_share = np.where(pd.DatetimeIndex(days).day_of_week.to_numpy() < 5, 1.3, 0.25) / 7
    parts = []
    for lo in range(0, len(ids), _CHUNK):
        sl = slice(lo, lo + _CHUNK)
        c, d = np.nonzero((days[None, :] >= signup[sl, None]) & (days[None, :] < stop[sl, None]))
        c = c + lo
        base = acc.seat_mult[c] * np.exp(usage_ix[c, d_month[d]]) * day_share[d]
        for metric, rate in FEATURES.items():
            val = rng.poisson(rate * base * np.exp(rng.normal(0, 0.25, len(c))))
            keep = val > 0
            parts.append(pd.DataFrame({"customer_id": ids[c[keep]], "date": days[d[keep]].astype("datetime64[s]"),
                                       "metric": metric, "value": val[keep].astype(float)}))
    return pd.concat(parts, ignore_index=True)
