"""Revenue retention: MRR booked in period k by a cohort's customers over their MRR in period 0.

Net revenue retention counts expansion; gross caps each customer at its period-0 MRR.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.cohorts.membership import CohortGrid, Membership
from core.cohorts.periods import period_number


def revenue_cells(revenue: pd.DataFrame, m: Membership, grid: CohortGrid, period: str,
                  measure: str) -> tuple[np.ndarray, np.ndarray]:
    """(numerator, denominator) per cohort and period: MRR in period k, and the cohort's period-0 MRR.

    Parameters
    ----------
    revenue : pandas.DataFrame
        ``customer_id, period, mrr``; rows without MRR or of customers outside every cohort are ignored.
    m, grid : Membership, CohortGrid
        The customers' cohorts and the table's grid.
    period : str
        The period length.
    measure : {'net_revenue', 'gross_revenue'}
        Gross caps each customer's MRR at its period-0 MRR.
    """
    per = _mrr_by_customer_and_period(revenue, m, grid, period)
    start = per[per["k"] == 0].set_index("c")["mrr"]
    per["start"] = per["c"].map(start).fillna(0.0)
    if measure == "gross_revenue":
        per["mrr"] = np.minimum(per["mrr"], per["start"])
    size = grid.n_cohorts * grid.n_periods
    flat = grid.cidx[per["c"].to_numpy()] * grid.n_periods + per["k"].to_numpy()
    num = np.bincount(flat, weights=per["mrr"].to_numpy(), minlength=size).reshape(grid.n_cohorts, -1)
    den0 = np.bincount(grid.cidx[start.index.to_numpy()], weights=start.to_numpy(), minlength=grid.n_cohorts)
    return num, np.repeat(den0[:, None], grid.n_periods, axis=1)


def _mrr_by_customer_and_period(revenue: pd.DataFrame, m: Membership, grid: CohortGrid,
                                period: str) -> pd.DataFrame:
    """``c`` (customer row), ``k`` (period of its cohort), ``mrr`` summed, for the grid's customers and periods."""
    rev = revenue.dropna(subset=["mrr"])
    cust = m.ids.get_indexer(rev["customer_id"].astype(str))
    p = period_number(rev["period"], period)
    ok = (cust >= 0)
    cust, p, mrr = cust[ok], p[ok], rev["mrr"].to_numpy(dtype=float)[ok]
    ok = grid.cidx[cust] >= 0
    cust, p, mrr = cust[ok], p[ok], mrr[ok]
    k = p - m.cohort_p[cust]
    ok = (k >= 0) & (k < grid.n_periods)
    cust, k, mrr = cust[ok], k[ok], mrr[ok]
    return pd.DataFrame({"c": cust, "k": k, "mrr": mrr}).groupby(["c", "k"], as_index=False)["mrr"].sum()
