"""The behavioural features of :func:`core.history.features.temporal_features`, summed by pandas and numpy from
the frames of :class:`core.history.inputs.ChurnInputs` (the reference the engines' sums,
:mod:`core.history.engine_behaviour`, are tested against): usage, tickets, NPS and CSAT, MRR and failed payments,
each group as of the end of a cutoff day, {} when the store has no rows for it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.history.inputs import ChurnInputs
from core.store.columnar import ActivityPairs

_EPOCH = pd.Timestamp("1970-01-01")
SURVEYS = ("nps", "csat")
#: what is missing when a group is empty (the model card lists it), by group; the engines' sums say the same
GAPS = {"usage": "product usage (no activity rows)", "tickets": "support tickets (no ticket rows)",
        **{ch: f"{ch.upper()} surveys (no {ch} feedback rows)" for ch in SURVEYS},
        "revenue": "recurring revenue (no MRR rows)",
        "payments": "failed payments (no revenue row says whether its payment failed)"}


def latest_two_values(df: pd.DataFrame, pos: np.ndarray, n: int, col: str, sort_by: str) -> tuple[np.ndarray, ...]:
    """The latest and the previous value of ``col`` of each of ``n`` customers.

    Parameters
    ----------
    df : pandas.DataFrame
        Dated rows of the customers (surveys, revenue months ...), already cut at the day described.
    pos : numpy.ndarray
        Each row's customer position in ``0 .. n-1``.
    n : int
        The number of customers.
    col : str
        The value column.
    sort_by : str
        The date column that orders each customer's rows (ties keep the row order).

    Returns
    -------
    tuple of numpy.ndarray
        (latest, previous), each of length ``n``; NaN where a customer has no such row.
    """
    last, prev = np.full(n, np.nan), np.full(n, np.nan)
    if len(df):
        d = pd.DataFrame({"pos": pos, "v": df[col].to_numpy(float), "t": df[sort_by].to_numpy()})
        d = d.sort_values(["pos", "t"], kind="stable")
        g = d.groupby("pos")["v"]
        tail = g.nth(-1)
        last[d.loc[tail.index, "pos"].to_numpy()] = tail.to_numpy()
        before = g.nth(-2)
        prev[d.loc[before.index, "pos"].to_numpy()] = before.to_numpy()
    return last, prev


def _located(df: pd.DataFrame, index: pd.Index) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows of ``df`` whose customer is in ``index``, and that customer's position."""
    pos = index.get_indexer(df["customer_id"].astype(str))
    return df[pos >= 0], pos[pos >= 0]


def _usage(acts: ActivityPairs, index: pd.Index, signup: pd.Series, c: pd.Timestamp) -> dict[str, np.ndarray]:
    """Usage level, trend, active days and days since active: daily values summed over metrics, in windows
    ending at the cutoff ({} without activity rows)."""
    if not len(acts):
        return {}
    n, cd = len(index), (c - _EPOCH).days
    pos = acts.rows_in(index.to_numpy())
    keep = (pos >= 0) & (acts.days <= cd) & (acts.days > cd - 365)
    p, d = pos[keep], acts.days[keep].astype(np.int64)
    v = acts.value[keep] if acts.value is not None else np.ones(len(p))

    def total(lo, hi):  # sum over days in (cd - hi, cd - lo]
        m = (d > cd - hi) & (d <= cd - lo)
        return np.bincount(p[m], weights=v[m], minlength=n)

    level = np.log1p(total(0, 30) / 30)
    before = np.log1p(total(90, 120) / 30)
    young = (c - signup).dt.days.to_numpy() < 120
    recent = d > cd - 30
    pairs = np.unique(p[recent] * 64 + (cd - d[recent]))
    last = np.full(n, -1 << 40, dtype=np.int64)
    np.maximum.at(last, p, d)
    return {"usage_level_30d": level, "usage_trend_90d": np.where(young, np.nan, level - before),
            "active_days_30d": np.bincount(pairs // 64, minlength=n).astype(float),
            "days_since_active": np.minimum(cd - last, 365).astype(float)}


def _tickets(tickets: pd.DataFrame, index: pd.Index, next_day: pd.Timestamp) -> dict[str, np.ndarray]:
    """Tickets of the last 90 days, those still open at the cutoff, and the median hours to resolve
    ({} without ticket rows)."""
    if not len(tickets):
        return {}
    n = len(index)
    t, pos = _located(tickets[tickets["opened"] < next_day], index)
    recent = (t["opened"] >= next_day - pd.Timedelta(days=90)).to_numpy()
    open_at = (t["resolved"].isna() | (t["resolved"] >= next_day)).to_numpy()
    done = ~open_at & (t["resolved"] >= next_day - pd.Timedelta(days=180)).to_numpy()
    hours = ((t["resolved"] - t["opened"]).dt.total_seconds() / 3600).to_numpy()[done]
    med = pd.Series(hours).groupby(pos[done]).median()
    return {"tickets_90d": np.bincount(pos[recent], minlength=n).astype(float),
            "tickets_unresolved": np.bincount(pos[recent & open_at], minlength=n).astype(float),
            "hours_to_resolve": pd.Series(med, index=range(n)).to_numpy(float)}


def _survey(feedback: pd.DataFrame, index: pd.Index, next_day: pd.Timestamp, channel: str) -> dict[str, np.ndarray]:
    """The latest answer of one survey channel (``nps``, ``csat``) and its change ({} without answers)."""
    rows = feedback[(feedback["channel"].astype(str).str.lower() == channel) & (feedback["date"] < next_day)
                    & feedback["score"].notna()] if len(feedback) else feedback
    if not len(rows):
        return {}
    rows, pos = _located(rows, index)
    last, prev = latest_two_values(rows, pos, len(index), "score", "date")
    return {f"{channel}_latest": last, f"{channel}_change": last - prev}


def _revenue(revenue: pd.DataFrame, index: pd.Index, c: pd.Timestamp) -> dict[str, np.ndarray]:
    """The latest MRR and its relative change over three months ({} without MRR rows)."""
    next_day = c + pd.Timedelta(days=1)
    r = revenue[(revenue["period"] < next_day) & revenue["mrr"].notna()] if len(revenue) else revenue
    if not len(r):
        return {}
    n = len(index)
    r, pos = _located(r, index)
    now, _ = latest_two_values(r, pos, n, "mrr", "period")
    old = (r["period"] <= c - pd.DateOffset(months=3)).to_numpy()
    then, _ = latest_two_values(r[old], pos[old], n, "mrr", "period")
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(then > 0, now / then - 1, np.nan)
    return {"mrr_latest": now, "mrr_change_3m": change}


def _failed_payments(revenue: pd.DataFrame, index: pd.Index, next_day: pd.Timestamp) -> dict[str, np.ndarray]:
    """Failed payments of the last 90 days ({} when no revenue row says whether its payment failed)."""
    known = "payment_failed" in revenue and len(revenue)
    failed = revenue[revenue["payment_failed"].notna() & (revenue["period"] < next_day)] if known else revenue.iloc[:0]
    if not len(failed):
        return {}
    pos = index.get_indexer(failed["customer_id"].astype(str))
    recent = (pos >= 0) & (failed["period"] >= next_day - pd.Timedelta(days=90)).to_numpy()
    flag = failed["payment_failed"].astype(bool).to_numpy()
    return {"failed_payments_90d": np.bincount(pos[recent & flag], minlength=len(index)).astype(float)}


#: the groups of behavioural features, in column order (the engines' sums have the same)
GROUPS = ("usage", "tickets", *SURVEYS, "revenue", "payments")


def behaviour(inputs: ChurnInputs, index: pd.Index, signup: pd.Series, c: pd.Timestamp,
              groups=GROUPS) -> list[tuple[dict[str, np.ndarray], str]]:
    """Each group of behavioural features of ``groups`` (default all, in column order), with what is missing when
    the group is empty."""
    next_day = c + pd.Timedelta(days=1)
    fb = inputs.feedback
    make = {"usage": lambda: _usage(inputs.activity, index, signup, c),
            "tickets": lambda: _tickets(inputs.tickets, index, next_day),
            **{ch: (lambda ch=ch: _survey(fb, index, next_day, ch)) for ch in SURVEYS},
            "revenue": lambda: _revenue(inputs.revenue, index, c),
            "payments": lambda: _failed_payments(inputs.revenue, index, next_day)}
    return [(make[name](), GAPS[name]) for name in GROUPS if name in groups]
