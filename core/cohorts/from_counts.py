"""A cohort table from an engine's counts (:mod:`core.cohorts.engine_counts`, and
:mod:`core.cohorts.engine_revenue` for the revenue measures): the same table as
:func:`core.cohorts.table.cohort_table` builds from the rows, with the same grid, as-of day, incomplete cells and
average row."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.cohorts.engine_counts import CohortCounts, cohort_counts
from core.cohorts.engine_revenue import revenue_terms
from core.cohorts.membership import CohortGrid
from core.cohorts.periods import last_complete_period
from core.cohorts.settings import CohortSettings
from core.cohorts.table import NO_RECURRING_REVENUE, CohortTable, assemble, ratio_terms
from core.errors import InsufficientDataError
from core.history import asof
from core.query.sources import Source

_EPOCH = np.datetime64("1970-01-01", "D")


def engine_cohort_table(source: Source, customers: pd.DataFrame | None, settings: CohortSettings | None = None,
                        **options) -> CohortTable:
    """The cohort table of ``customers`` (``customer_id, signup_date, churn_date``; None: the source's own
    customer table, e.g. a warehouse's) with the heavy counting done by ``source``'s engine.

    Raises
    ------
    DataValidationError
        The settings need activity and the source has none.
    InsufficientDataError
        No customer falls in a cohort, or a revenue measure without recurring revenue.
    """
    s = CohortSettings.of(settings, **options)
    if s.needs_revenue and (source.revenue is None or not source.con.execute(source.revenue.mrr.count())):
        raise InsufficientDataError(NO_RECURRING_REVENUE)
    counts = cohort_counts(source, s, customers)
    if counts.sizes.empty:
        raise InsufficientDataError("No customer has a signup date or any activity to place it in a cohort.")
    last_day = _last_day(source, customers, counts, s)
    grid = _grid(counts.sizes, last_complete_period(last_day, s.period), s.max_periods)
    retained = _retained(counts, grid).astype(float)
    terms = revenue_terms(source, s, customers, grid) if s.needs_revenue else None
    num, den = ratio_terms(None, None, grid, s, retained, terms)
    return assemble(grid, s, retained, num, den, s.record(last_day))


def _last_day(source: Source, customers: pd.DataFrame | None, counts: CohortCounts,
              s: CohortSettings) -> pd.Timestamp:
    """The one as-of rule (:func:`core.history.asof.data_end`) over the customers' dates and the last activity
    (the source's customers' latest dates, asked of its engine, when no frame is given)."""
    if s.as_of is not None:
        return pd.Timestamp(s.as_of).normalize()
    if customers is None:
        cust = source.customers(None)
        customers = source.con.execute(cust.aggregate(signup_date=cust.signup_date.max(),
                                                      churn_date=cust.churn_date.max()))
    extra = []
    if counts.last_activity_day is not None:
        extra.append(pd.Series([pd.Timestamp(_EPOCH + np.timedelta64(counts.last_activity_day, "D"))]))
    return asof.data_end(customers, None, None, extra=extra)


def _grid(sizes: pd.Series, last_complete: int, max_periods: int | None) -> CohortGrid:
    """Every cohort from the first to the last (empty ones too) x periods 0..K, as the rows' path builds it
    (``cidx`` is empty: the engine already placed each customer)."""
    c0 = int(sizes.index.min())
    cohorts = np.arange(c0, int(sizes.index.max()) + 1)
    n_periods = int(max(last_complete - c0, 0)) + 1
    if max_periods is not None:
        n_periods = min(n_periods, max_periods + 1)
    full = sizes.reindex(cohorts, fill_value=0).to_numpy(dtype=float)
    return CohortGrid(cohorts, np.empty(0, np.int64), full, n_periods, last_complete)


def _retained(counts: CohortCounts, grid: CohortGrid) -> np.ndarray:
    """retained[c, k] from the counts: per-period counts placed, or last periods cumulated from the right."""
    cells = counts.cells
    row = cells["cohort"].to_numpy() - grid.cohorts[0]
    k = cells["k"].to_numpy()
    n = cells["customers"].to_numpy()
    if counts.cumulative:
        k = np.minimum(k, grid.n_periods - 1)
    keep = (k >= 0) & (k < grid.n_periods)
    out = np.zeros((grid.n_cohorts, grid.n_periods), dtype=np.int64)
    np.add.at(out, (row[keep], k[keep]), n[keep])
    return out[:, ::-1].cumsum(axis=1)[:, ::-1] if counts.cumulative else out
