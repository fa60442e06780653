"""Logo retention of activity data (e.g. a purchase log): retained in period k when active in it.

Definition ``"on"``: at least one activity in period k; ``"on_or_after"``: in period k or any later period
(a curve that never rises). A customer x period bitmap gives both in one pass; past
:data:`core.cohorts.membership.BITMAP_CELLS` cells, sort-based paths give the same counts.
"""

from __future__ import annotations

import numpy as np

from core.cohorts.membership import BITMAP_CELLS, CohortGrid, Membership, group_reduce


def activity_retained(m: Membership, grid: CohortGrid, definition: str) -> np.ndarray:
    """retained[c, k]: customers of cohort c active in period k (``on``), or in k or later (``on_or_after``)."""
    mark, p0 = m.bitmap if m.bitmap is not None else (None, 0)
    if mark is not None:
        return _from_bitmap(mark, p0, grid, definition)
    k = m.act_p - m.cohort_p[m.act_cust]
    ok = m.in_scope[m.act_cust] & (k >= 0)
    if definition == "on":
        ok &= k < grid.n_periods
        return _active_counts(m.act_cust[ok], k[ok], grid, len(m.ids))
    last_k = group_reduce(m.act_cust[ok], k[ok], len(m.ids), -1, "max")  # activity after the grid counts too
    return grid.count_through(np.minimum(last_k, grid.n_periods - 1))


def _from_bitmap(mark: np.ndarray, p0: int, grid: CohortGrid, definition: str) -> np.ndarray:
    """The retained counts read off the customer x period bitmap (``mark`` columns are periods p0, p0+1, ...)."""
    if definition == "on_or_after":  # active in this period or any later one
        mark = np.logical_or.accumulate(mark[:, ::-1], axis=1)[:, ::-1]
    sums = _cohort_sums(mark, grid.cidx, grid.n_cohorts)
    col = (grid.cohorts - p0)[:, None] + np.arange(grid.n_periods)[None, :]  # absolute column of (c, k)
    valid = (col >= 0) & (col < mark.shape[1])
    rows = np.arange(grid.n_cohorts)[:, None]
    return np.where(valid, sums[rows, np.clip(col, 0, max(0, mark.shape[1] - 1))], 0)


def _cohort_sums(mark: np.ndarray, cidx: np.ndarray, n_cohorts: int) -> np.ndarray:
    """sums[c, j] = customers of cohort c with mark[i, j] (customers outside every cohort have cidx -1)."""
    inside = cidx >= 0
    c, m = cidx[inside], mark[inside]
    return np.stack([np.bincount(c, weights=m[:, j], minlength=n_cohorts) for j in range(mark.shape[1])],
                    axis=1) if mark.shape[1] else np.zeros((n_cohorts, 0))


def _active_counts(cust: np.ndarray, k: np.ndarray, grid: CohortGrid, n: int) -> np.ndarray:
    """Customers of each cohort active in each period (``cust``, ``k``: activity), each counted once per period."""
    if n * grid.n_periods <= BITMAP_CELLS:  # a customer x period bitmap: no sort needed
        mark = np.zeros((n, grid.n_periods), dtype=bool)
        mark[cust, k] = True
        return _bitmap_counts(mark, grid)
    pairs = np.sort(cust.astype(np.int64) * grid.n_periods + k)  # customer x period, once (sort beats np.unique)
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]] if len(pairs) else pairs
    cust_of, k_of = np.divmod(pairs, grid.n_periods)
    flat = grid.cidx[cust_of] * grid.n_periods + k_of
    return np.bincount(flat, minlength=grid.n_cohorts * grid.n_periods).reshape(grid.n_cohorts, grid.n_periods)


def _bitmap_counts(mark: np.ndarray, grid: CohortGrid) -> np.ndarray:
    """Per cohort, the column sums of ``mark`` (customer x period 0..K): one reduce over customers in cohort order."""
    order = np.argsort(grid.cidx, kind="stable")
    ordered = grid.cidx[order]
    keep = ordered >= 0
    rows, cohort_of = order[keep], ordered[keep]
    starts = np.flatnonzero(np.r_[True, cohort_of[1:] != cohort_of[:-1]])
    out = np.zeros((grid.n_cohorts, grid.n_periods), dtype=np.int64)
    if len(rows):
        out[cohort_of[starts]] = np.add.reduceat(mark[rows].astype(np.int32), starts, axis=0)
    return out
