"""The usage features of the churn and health models as of a cutoff, with the sums over activity done by an engine
(:mod:`core.query.sources`): per customer, the amount in the last 30 days and in days 90-119 before the cutoff, the
distinct active days of the last 30 and the last active day of the year. The features are then
:func:`core.history.features.temporal_features`' usage group: ``usage_level_30d`` (log1p of the daily mean),
``usage_trend_90d`` (its change against 90-119 days before; none for customers younger than 120 days),
``active_days_30d`` and ``days_since_active`` (at most 365).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from core.query.exact import exact_sum
from core.query.sources import Source

#: the windows (days before the cutoff, from .. to, the cutoff's own day being 0)
RECENT, BEFORE, YEAR = (0, 30), (90, 120), 365


def usage_features(source: Source, customers: pd.DataFrame, cutoff) -> dict[str, np.ndarray]:
    """The usage features of ``customers`` (``customer_id, signup_date``; in this order) as of the end of day
    ``cutoff``; {} when the source has no activity at all.

    Returns
    -------
    dict of numpy.ndarray
        ``usage_level_30d, usage_trend_90d, active_days_30d, days_since_active``, one value per customer.
    """
    if source.activity is None or not source.remembered("any activity",
                                                         lambda: bool(source.con.execute(source.activity.count()))):
        return {}
    c = pd.Timestamp(cutoff).normalize()
    sums = source.con.execute(window_sums(source.activity, source.customers(customers), c)).set_index("customer_id")
    ids = customers["customer_id"].astype(str)
    got = sums.reindex(ids)
    level = np.log1p(got["recent"].fillna(0).to_numpy(float) / 30)
    before = np.log1p(got["before"].fillna(0).to_numpy(float) / 30)
    young = (c - pd.to_datetime(customers["signup_date"])).dt.days.to_numpy() < 120
    return {"usage_level_30d": level, "usage_trend_90d": np.where(young, np.nan, level - before),
            "active_days_30d": got["active_days"].fillna(0).to_numpy(float),
            "days_since_active": np.minimum(got["since"].fillna(YEAR).to_numpy(float), YEAR)}


def window_sums(activity: ir.Table, customers: ir.Table, c: pd.Timestamp) -> ir.Table:
    """``customer_id, recent, before, active_days, since``: one row per customer of ``customers`` active in the year
    to ``c``."""
    day = ibis.date(c.year, c.month, c.day)
    a = activity.semi_join(customers, "customer_id")
    a = a.mutate(ago=day.delta(a.date, unit="day"))
    a = a.filter((a.ago >= 0) & (a.ago < YEAR))
    recent = (a.ago >= RECENT[0]) & (a.ago < RECENT[1])
    return a.group_by("customer_id").agg(recent=exact_sum(a.value, where=recent),
                                         before=exact_sum(a.value, where=(a.ago >= BEFORE[0]) & (a.ago < BEFORE[1])),
                                         active_days=a.date.nunique(where=recent), since=a.ago.min())
