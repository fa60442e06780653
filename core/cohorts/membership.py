"""Who is in which cohort, and the cohort x period grid a table fills.

Activity is mapped once to integer (customer row, period number) pairs and, when it fits in memory, to a
customer x period bitmap; cohorts by first activity read their period straight from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.cohorts.periods import period_number, period_of_days
from core.store.columnar import ActivityPairs
from core.store.dates import datetimes

#: customers x periods above which the sort-based paths are used instead of a bitmap
BITMAP_CELLS = 400_000_000
_NO_COHORT = np.iinfo(np.int64).max


@dataclass(frozen=True)
class ActivityMap:
    """Activity already mapped to a frame's customers (a breakdown maps once for all its groups).

    ``rows`` index the customers, ``periods`` are period numbers; ``bitmap`` is ``(mark, p0)`` when built.
    """

    rows: np.ndarray
    periods: np.ndarray
    bitmap: tuple | None = None


@dataclass(frozen=True)
class Membership:
    """Per customer: its cohort period and whether it has one; the activity as (customer row, period) pairs.

    ``bitmap`` is ``(mark, p0)`` (``mark`` None when too large) whenever there is activity, else None.
    """

    ids: pd.Index
    cohort_p: np.ndarray
    in_scope: np.ndarray
    act_cust: np.ndarray | None = None
    act_p: np.ndarray | None = None
    bitmap: tuple | None = None


def customer_ids(customers: pd.DataFrame) -> pd.Index:
    """The customers' ids as text (the key every activity and revenue row is matched on)."""
    col = customers["customer_id"]
    return pd.Index(col if col.dtype == object else col.astype(str), dtype=object)


def map_activity(ids: pd.Index, activity, period: str) -> tuple[np.ndarray, np.ndarray]:
    """(customer row, period number) of each activity row of these customers (rows of others dropped)."""
    if isinstance(activity, ActivityPairs):  # integer-coded pairs from the column store
        rows, periods = activity.rows_in(ids.to_numpy()), period_of_days(activity.days, period)
    else:
        rows, periods = ids.get_indexer(activity["customer_id"].astype(str)), period_number(activity["date"], period)
    keep = rows >= 0
    return rows[keep], periods[keep]


def activity_bitmap(act_cust, act_p, n):
    """(mark, p0): mark[i, j] is True when customer i was active in period p0 + j; None if too large."""
    if act_cust is None or not len(act_cust):
        return None, 0
    p0 = int(act_p.min())
    width = int(act_p.max()) - p0 + 1
    if n * width > BITMAP_CELLS:
        return None, p0
    mark = np.zeros((n, width), dtype=bool)
    mark[act_cust, act_p - p0] = True
    return mark, p0


def group_reduce(index: np.ndarray, values: np.ndarray, n: int, fill: int, how: str) -> np.ndarray:
    """Per customer min/max of ``values`` (a sort-free groupby; np.minimum.at is ~10x slower)."""
    out = np.full(n, fill, dtype=np.int64)
    if index is None or not len(index):
        return out
    s = pd.Series(values).groupby(index, sort=False)
    agg = s.min() if how == "min" else s.max()
    out[agg.index.to_numpy()] = agg.to_numpy()
    return out


def assign_cohorts(customers: pd.DataFrame, activity, cohort_by: str, period: str,
                   mapped: ActivityMap | None = None) -> Membership:
    """Each customer's cohort period (by signup, or by first activity) and its activity.

    ``mapped`` is the activity already mapped to these customers (``activity`` is then not read again).
    """
    ids = customer_ids(customers)
    act_cust = act_p = bitmap = None
    if mapped is not None:
        act_cust, act_p, bitmap = mapped.rows, mapped.periods, mapped.bitmap
    elif activity is not None:
        act_cust, act_p = map_activity(ids, activity, period)
    if act_cust is not None and bitmap is None:
        bitmap = activity_bitmap(act_cust, act_p, len(ids))
    if cohort_by == "signup":
        cohort_p = period_number(customers["signup_date"], period)
        in_scope = pd.notna(datetimes(customers["signup_date"])).to_numpy()
    else:
        cohort_p, in_scope = _first_active(act_cust, act_p, bitmap, len(ids))
    return Membership(ids, cohort_p, in_scope, act_cust, act_p, bitmap)


def _first_active(act_cust, act_p, bitmap, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(first active period, has any activity) per customer."""
    mark, p0 = bitmap if bitmap is not None else (None, 0)
    if mark is not None:  # first active period straight from the bitmap
        in_scope = mark.any(axis=1)
        return np.where(in_scope, mark.argmax(axis=1) + p0, _NO_COHORT), in_scope
    cohort_p = group_reduce(act_cust, act_p, n, _NO_COHORT, "min")
    return cohort_p, cohort_p != _NO_COHORT


@dataclass(frozen=True)
class CohortGrid:
    """The cohort x period grid: cohorts ``c0..cmax`` (every period between, empty ones too) x periods 0..K.

    Attributes
    ----------
    cohorts : numpy.ndarray
        The period number of each cohort (row).
    cidx : numpy.ndarray
        Per customer, its cohort's row; -1 for customers outside every cohort.
    sizes : numpy.ndarray
        Customers per cohort (float).
    n_periods : int
        Periods 0..n_periods-1.
    last_complete : int
        The last period number that has fully ended by the as-of date.
    """

    cohorts: np.ndarray
    cidx: np.ndarray
    sizes: np.ndarray
    n_periods: int
    last_complete: int

    @property
    def n_cohorts(self) -> int:
        return len(self.cohorts)

    def complete(self) -> np.ndarray:
        """complete[c, k]: cohort c had fully lived through period k by the as-of date."""
        age = self.last_complete - self.cohorts  # the last complete period index of each cohort
        return np.arange(self.n_periods)[None, :] <= age[:, None]

    def count_through(self, last_k: np.ndarray) -> np.ndarray:
        """counts[c, k]: customers of cohort c whose last retained period (``last_k``, per customer) is >= k.

        ``last_k`` below 0 counts nowhere; it must not exceed ``n_periods - 1``.
        """
        inside = self.cidx >= 0
        cohort_idx, last_k = self.cidx[inside], last_k[inside]
        ok = last_k >= 0
        hist = np.bincount(cohort_idx[ok] * self.n_periods + last_k[ok], minlength=self.n_cohorts * self.n_periods)
        hist = hist.reshape(self.n_cohorts, self.n_periods)
        return hist[:, ::-1].cumsum(axis=1)[:, ::-1]


def cohort_grid(m: Membership, last_complete: int, max_periods: int | None) -> CohortGrid:
    """The grid of ``m``'s cohorts up to the last complete period (and at most ``max_periods`` + 1 periods)."""
    c0 = m.cohort_p[m.in_scope].min()
    cohorts = np.arange(c0, max(m.cohort_p[m.in_scope].max(), c0) + 1)
    n_periods = int(max(last_complete - c0, 0)) + 1
    if max_periods is not None:
        n_periods = min(n_periods, max_periods + 1)
    cidx = np.where(m.in_scope, m.cohort_p - c0, -1)
    sizes = np.bincount(cidx[m.in_scope], minlength=len(cohorts)).astype(float)
    return CohortGrid(cohorts, cidx, sizes, n_periods, last_complete)

