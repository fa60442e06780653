"""Revenue retention with the sums done by an engine: per cohort and period k, the MRR its customers booked in k
(net, or gross: each customer capped at its own period-0 MRR) and the cohort's period-0 MRR, as
:func:`core.cohorts.revenue.revenue_cells` defines them. Rows without MRR (a sale's), of customers outside the
cohorts or before a customer's cohort are left out."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from core.cohorts.engine_counts import cohorts_of
from core.cohorts.membership import CohortGrid
from core.cohorts.settings import CohortSettings
from core.query import periods
from core.query.exact import exact_sum
from core.query.sources import Source


def revenue_expression(revenue: ir.Table, activity: ir.Table | None, s: CohortSettings, cust: ir.Table) -> ir.Table:
    """``part, cohort, k, mrr``: ``num`` rows (MRR booked in period k) and ``den`` rows (period-0 MRR, ``k`` 0)."""
    cohorts = cohorts_of(cust, activity, s)
    r = revenue.filter(revenue.mrr.notnull())
    r = r.select("customer_id", p=periods.of_date(r.period, s.period), mrr=r.mrr)
    j = r.join(cohorts, "customer_id")
    j = j.select("customer_id", "cohort", k=j.p - j.cohort, mrr=j.mrr)
    per = j.filter(j.k >= 0).group_by(["customer_id", "cohort", "k"]).agg(mrr=exact_sum(j.mrr))
    start = per.filter(per.k == 0).select("customer_id", start=per.mrr)
    capped = per.left_join(start, "customer_id")
    begun = capped.start.fill_null(0.0)
    value = ibis.least(capped.mrr, begun) if s.measure == "gross_revenue" else capped.mrr
    num = capped.group_by(["cohort", "k"]).agg(mrr=exact_sum(value))
    den = per.filter(per.k == 0).group_by("cohort").agg(mrr=exact_sum(per.mrr))
    return _tagged(num, "num").union(_tagged(den.mutate(k=ibis.literal(0)), "den"))


def _tagged(t: ir.Table, part: str) -> ir.Table:
    return t.select(part=ibis.literal(part), cohort=t.cohort.cast("int64"), k=t.k.cast("int64"),
                    mrr=t.mrr.cast("float64"))


def revenue_terms(source: Source, s: CohortSettings, customers: pd.DataFrame | None,
                  grid: CohortGrid) -> tuple[np.ndarray, np.ndarray]:
    """(numerator, denominator) per cohort and period of ``grid``, summed by ``source``'s engine."""
    rows = source.con.execute(revenue_expression(source.revenue, source.activity, s, source.customers(customers)))
    num = np.zeros((grid.n_cohorts, grid.n_periods))
    cells = rows[(rows["part"] == "num") & (rows["k"] < grid.n_periods)]
    np.add.at(num, (cells["cohort"].to_numpy() - grid.cohorts[0], cells["k"].to_numpy()), cells["mrr"].to_numpy())
    den0 = np.zeros(grid.n_cohorts)
    starts = rows[rows["part"] == "den"]
    np.add.at(den0, starts["cohort"].to_numpy() - grid.cohorts[0], starts["mrr"].to_numpy())
    return num, np.repeat(den0[:, None], grid.n_periods, axis=1)
