"""Cohort retention tables: cohort x period, computed on integer period numbers.

Definitions (each shown to the user on the Cohort curves page):

* **Cohort**: customers grouped by the period of their signup date, or of their first activity.
* **Period k** of a cohort: the k-th day/week/month/quarter after the cohort's own period (k = 0).
* **Retained in period k**:
  - subscription data (``retained_by="subscription"``): not churned before period k starts, so a
    customer who churns during period k still counts in k and in no later period;
  - activity data (``retained_by="activity"``, e.g. a purchase log such as CDNOW): at least one
    activity in period k (definition ``"on"``), or in period k or any later period (``"on_or_after"``).
* **Incomplete periods**: a period that has not fully ended by the as-of date is not counted; its
  cell is missing (NaN) and marked in ``complete``; averages use only cohorts that reached it.
* **Revenue retention**: MRR booked in period k by the cohort's customers over their MRR in
  period 0; net counts expansion, gross caps each customer at its period-0 MRR.

:func:`cohort_table` checks the inputs, places customers in cohorts (:mod:`core.cohorts.membership`), counts
the retained customers by subscription (:mod:`core.cohorts.subscription`) or by activity
(:mod:`core.cohorts.activity`), divides by the cohort size or by the period-0 revenue
(:mod:`core.cohorts.revenue`), and assembles the table; the options are a :class:`CohortSettings`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from core.cohorts.activity import activity_retained
from core.cohorts.defaults import label
from core.cohorts.membership import (
    ActivityMap,
    CohortGrid,
    Membership,
    activity_bitmap,
    assign_cohorts,
    cohort_grid,
    customer_ids,
    map_activity,
)
from core.cohorts.periods import last_complete_period, period_labels, period_number
from core.cohorts.revenue import revenue_cells
from core.cohorts.settings import CohortSettings
from core.cohorts.subscription import subscription_retained
from core.errors import DataValidationError, InsufficientDataError
from core.history import asof
from core.store.columnar import ActivityPairs
from core.store.dates import datetimes

#: why a revenue measure cannot be computed
NO_RECURRING_REVENUE = ("Revenue retention needs recurring revenue (MRR per customer and month); the store has "
                        "none. Import a revenue file with an mrr column, or choose logo retention.")

__all__ = ["DEFINITIONS_TEXT", "CohortSettings", "CohortTable", "cell_customers", "cohort_table", "compare_groups",
           "period_across_cohorts"]

def _say(setting: str, code: str) -> str:
    """A choice as the page's widget shows it, quoted (:data:`core.cohorts.defaults.LABELS`)."""
    return f'"{label(setting, code)}"'


#: what each choice means, shown on the Cohort curves page (one text, used everywhere), in the words of the page's
#: widgets (never the settings' codes)
DEFINITIONS_TEXT = {
    "Cohorts by": f"Customers grouped by the period of their signup ({_say('cohort_by', 'signup')}) or of their "
                  f"first activity or purchase ({_say('cohort_by', 'first_activity')}).",
    "Period k": "The k-th period (day, week, month or quarter) after the cohort's own period; period 0 is the "
                "cohort's first.",
    f"Retained when {_say('retained_by', 'subscription')}": "Not churned before period k starts: a customer who "
                                                             "churns during period k still counts in k, and in no "
                                                             "later period.",
    f"Retained when {_say('retained_by', 'activity')}": f"Active {_say('definition', 'on')}: at least one activity "
                                                         f"(a purchase, for a purchase log) in period k. Active "
                                                         f"{_say('definition', 'on_or_after')}: active in period k "
                                                         "or in any later period (a curve that never rises).",
    "Empty cells": "A period that has not fully ended by the as-of day is not counted; its cell is empty, and the "
                   "average uses only the cohorts that reached it.",
    "Revenue retained": "The monthly recurring revenue (MRR) the cohort's customers booked in period k over their "
                        f"MRR in its first period; {_say('measure', 'net_revenue')} counts expansion, "
                        f"{_say('measure', 'gross_revenue')} caps each customer at its first-period MRR.",
    "Base": f"{_say('base', 'period0')}: each cell over the cohort's first period. {_say('base', 'previous')}: each "
            "cell over the period before it (how many of those still there stayed one more period).",
    "Average": f"{_say('weighting', 'weighted')}: all the cohorts that reached the period pooled (big cohorts weigh "
               f"more). {_say('weighting', 'simple')}: the mean of the cohorts' own rates.",
}


@dataclass
class CohortTable:
    """A computed cohort table.

    Attributes
    ----------
    values : pandas.DataFrame
        Cohorts (rows, labelled by their first period) x periods 0..K (columns): retention as a
        fraction (or counts for ``measure="count"``); NaN where the period is incomplete.
    counts : pandas.DataFrame
        Retained customers per cell (the numerator of logo retention), NaN where incomplete.
    sizes : pandas.Series
        Customers per cohort.
    complete : pandas.DataFrame
        True where the cohort had fully lived through that period by the as-of date.
    small : pandas.Series
        True for cohorts under ``min_size`` (shown greyed, not coloured).
    average : pandas.Series
        Per period, over the cohorts that reached it: weighted by cohort size (or the simple mean).
    settings : dict
        The choices the table was computed with (period, measure, definition, ...).
    """

    values: pd.DataFrame
    counts: pd.DataFrame
    sizes: pd.Series
    complete: pd.DataFrame
    small: pd.Series
    average: pd.Series
    settings: dict


def cohort_table(customers: pd.DataFrame, activity: pd.DataFrame | ActivityPairs | None = None,
                 revenue: pd.DataFrame | None = None, *, settings: CohortSettings | None = None,
                 **options) -> CohortTable:
    """Build a cohort x period retention table.

    Parameters
    ----------
    customers : pandas.DataFrame
        ``customer_id, signup_date, churn_date`` (churn_date NaT/None while active).
    activity : pandas.DataFrame or core.store.columnar.ActivityPairs, optional
        ``customer_id, date``; needed for ``cohort_by="first_activity"`` and ``retained_by="activity"``.
    revenue : pandas.DataFrame, optional
        ``customer_id, period, mrr``; needed for the revenue measures.
    settings : CohortSettings, optional
        The choices (cohort_by, period, measure, definition, retained_by, base, as_of, min_size, weighting,
        max_periods); default :class:`CohortSettings`'s defaults.
    **options
        Fields of :class:`CohortSettings` replacing those of ``settings`` (``period="week"``, ...).

    Returns
    -------
    CohortTable
        Its ``settings`` are :meth:`CohortSettings.record` (the as-of day it used, without ``max_periods``).

    Raises
    ------
    DataValidationError
        An unknown option, or a frame missing a column the options need.
    InsufficientDataError
        No customer falls in a cohort (e.g. nobody has a signup date or any activity), or a revenue measure
        without recurring revenue.
    """
    return _build(customers, activity, revenue, CohortSettings.of(settings, **options))


def _build(customers, activity, revenue, s: CohortSettings, mapped: ActivityMap | None = None) -> CohortTable:
    """:func:`cohort_table` for checked settings; ``mapped``: the activity already mapped to ``customers``."""
    _check_inputs(customers, activity, revenue, s)
    m = assign_cohorts(customers, activity if s.needs_activity else None, s.cohort_by, s.period,
                       mapped if s.needs_activity else None)
    if not m.in_scope.any():
        raise InsufficientDataError("No customer has a signup date or any activity to place it in a cohort.")
    last_day = asof.data_end(customers, activity, revenue) if s.as_of is None else pd.Timestamp(s.as_of).normalize()
    grid = cohort_grid(m, last_complete_period(last_day, s.period), s.max_periods)
    if s.retained_by == "subscription":
        retained = subscription_retained(customers, m, grid, s.period)
    else:
        retained = activity_retained(m, grid, s.definition)
    retained = retained.astype(float)
    num, den = ratio_terms(revenue, m, grid, s, retained)
    return assemble(grid, s, retained, num, den, s.record(last_day))


def require_columns(customers: pd.DataFrame, cols: tuple[str, ...], what: str) -> None:
    """Refuse ``customers`` without every column of ``cols``, naming what needs them (``what``) and what it has."""
    missing = [c for c in cols if c not in customers]
    if missing:
        raise DataValidationError(f"{what} needs the column(s) {', '.join(missing)}; "
                                  f"it has: {', '.join(map(str, customers.columns))}.")


def _check_inputs(customers, activity, revenue, s: CohortSettings) -> None:
    """The frames the settings need are there, with the columns they need."""
    require_columns(customers, ("customer_id", "signup_date", "churn_date"), "A cohort table")
    if s.needs_activity and (activity is None or not (isinstance(activity, ActivityPairs)
                                                      or {"customer_id", "date"} <= set(activity.columns))):
        raise DataValidationError("This choice needs activity data (customer_id, date): import activity or "
                                  "transactions, or build cohorts by signup with subscription retention.")
    if s.needs_revenue and (revenue is None or "mrr" not in revenue or not revenue["mrr"].notna().any()):
        raise InsufficientDataError(NO_RECURRING_REVENUE)


def ratio_terms(revenue, m: Membership | None, grid: CohortGrid, s: CohortSettings,
                retained: np.ndarray, revenue_terms: tuple | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(numerator, denominator) of each cell: retained customers over the cohort's size, or revenue over
    period-0 revenue (``revenue`` and ``m`` are read only then, unless ``revenue_terms`` already holds the
    revenue's numerator and denominator); with ``base="previous"`` the denominator is the previous period's
    numerator."""
    if s.needs_revenue and revenue_terms is not None:
        num, den = revenue_terms
    elif s.needs_revenue:
        num, den = revenue_cells(revenue, m, grid, s.period, s.measure)
    else:
        num, den = retained, np.repeat(grid.sizes[:, None], grid.n_periods, axis=1)
    if s.base == "previous":
        den = np.concatenate([den[:, :1], num[:, :-1]], axis=1)
    return num, den


def assemble(grid: CohortGrid, s: CohortSettings, retained: np.ndarray, num: np.ndarray, den: np.ndarray,
             record: dict) -> CohortTable:
    """The table's frames: incomplete cells blanked, empty cohorts dropped, and the average row."""
    complete = grid.complete()
    with np.errstate(invalid="ignore", divide="ignore"):
        values = retained.copy() if s.measure == "count" else num / den
    values[~complete] = np.nan
    cols = pd.RangeIndex(grid.n_periods, name="period")
    values_df = pd.DataFrame(values, index=pd.Index(period_labels(grid.cohorts, s.period), name="cohort"),
                             columns=cols)
    counts_df = pd.DataFrame(np.where(complete, retained, np.nan), index=values_df.index, columns=cols)
    complete_df = pd.DataFrame(complete, index=values_df.index, columns=cols)
    sizes_s = pd.Series(grid.sizes.astype(int), index=values_df.index, name="customers")
    keep_rows = grid.sizes > 0
    values_df, counts_df, complete_df, sizes_s = (values_df[keep_rows], counts_df[keep_rows],
                                                  complete_df[keep_rows], sizes_s[keep_rows])
    num_df = pd.DataFrame(np.where(complete, num, np.nan)[keep_rows], index=values_df.index, columns=cols)
    den_df = pd.DataFrame(np.where(complete, den, np.nan)[keep_rows], index=values_df.index, columns=cols)
    average = _average(s, values_df, counts_df, complete_df, num_df, den_df)
    return CohortTable(values=values_df, counts=counts_df, sizes=sizes_s, complete=complete_df,
                       small=sizes_s < s.min_size, average=average, settings=record)


def _average(s: CohortSettings, values_df, counts_df, complete_df, num_df, den_df) -> pd.Series:
    """Per period over the cohorts that reached it: pooled (``weighted``) or the mean of the cohorts' values."""
    if s.measure == "count":
        average = counts_df.mean() if s.weighting == "simple" else counts_df.sum() / complete_df.sum()
    elif s.weighting == "weighted":
        average = num_df.sum() / den_df.sum().where(complete_df.any(), np.nan)
    else:
        average = values_df.mean()
    average.name = "average"
    return average


def as_of_for(customers: pd.DataFrame, activity: ActivityPairs | None, revenue: pd.DataFrame | None,
              s: CohortSettings, end=None) -> pd.Timestamp:
    """The as-of day of a table of ``customers`` (the Cohort curves page's and ``python -m core cohorts``'): the
    reader's ``end`` (None: none chosen), never later than where these customers' data ends
    (:func:`core.history.asof.data_end` of their dates, and of ``activity`` and ``revenue``, theirs only, when the
    settings read them). :func:`core.cohorts.engine_views.as_of_on` is the same rule asked of an engine."""
    return asof.clamp(end, asof.data_end(customers, activity if s.needs_activity else None,
                                         revenue if s.needs_revenue else None))


def period_across_cohorts(table: CohortTable, k: int) -> pd.Series:
    """Retention in period ``k`` for each cohort that completed it (is retention improving?)."""
    if k not in table.values.columns:
        raise DataValidationError(f"Period {k} is not in the table (periods 0..{table.values.columns.max()}).")
    return table.values.loc[table.complete[k], k].rename(f"period {k}")


def cell_customers(customers: pd.DataFrame, activity: pd.DataFrame | ActivityPairs | None = None,
                   *, cohort: str, k: int, settings: CohortSettings | None = None, **options) -> pd.DataFrame:
    """The customers of one cohort, with whether each was retained in period ``k`` (a cell's drill-down).

    Uses the same definitions as :func:`cohort_table` (``settings`` and ``options`` as there; only
    cohort_by, period, definition and retained_by matter), so the number of ``retained`` rows equals
    the cell's count.

    Returns
    -------
    pandas.DataFrame
        The cohort's rows of ``customers`` plus a boolean ``retained`` column, retained first.
    """
    s = CohortSettings.of(settings, **options)
    if s.needs_activity and activity is None:
        raise DataValidationError("This choice needs activity data (customer_id, date).")
    m = assign_cohorts(customers, activity, s.cohort_by, s.period)
    labels = np.array(period_labels(np.where(m.in_scope, m.cohort_p, 0), s.period), dtype=object)
    mine = m.in_scope & (labels == cohort)
    if not mine.any():
        raise DataValidationError(f"No cohort '{cohort}' for these choices.")
    out = customers[mine].copy()
    out["retained"] = _retained_in(customers, m, m.cohort_p + k, s)[mine]
    return out.sort_values(["retained", "customer_id"], ascending=[False, True]).reset_index(drop=True)


def _retained_in(customers: pd.DataFrame, m: Membership, target: np.ndarray, s: CohortSettings) -> np.ndarray:
    """Per customer: retained in period number ``target`` (its own), by the settings' definitions."""
    if s.retained_by == "subscription":
        churn_p = period_number(customers["churn_date"], s.period)
        has_churn = pd.notna(datetimes(customers["churn_date"])).to_numpy()
        return ~has_churn | (churn_p >= target)
    hit = np.zeros(len(m.ids), dtype=bool)
    target = target.astype(np.int64)
    sel = m.act_p == target[m.act_cust] if s.definition == "on" else m.act_p >= target[m.act_cust]
    hit[m.act_cust[sel]] = True
    return hit


def compare_groups(customers: pd.DataFrame, activity: pd.DataFrame | ActivityPairs | None = None,
                   revenue: pd.DataFrame | None = None, *, group: str, settings: CohortSettings | None = None,
                   **options) -> pd.DataFrame:
    """The average retention curve of each value of ``group`` (segment, plan, region, channel ...).

    ``settings`` and ``options`` as for :func:`cohort_table`; every group uses the same as-of date.

    Returns
    -------
    pandas.DataFrame
        Columns ``group, period, value, customers`` (one row per group and period reached).
    """
    require_columns(customers, (group,), f"A breakdown by {group}")
    s = CohortSettings.of(settings, **options)
    if s.as_of is None:  # one as-of for every group (and computed once)
        s = replace(s, as_of=asof.data_end(customers, activity, revenue))
    labels = customers[group].fillna("(not set)").to_numpy()
    mapped_all = _map_pairs_once(customers, activity, s.period)

    def build(member: np.ndarray) -> CohortTable:
        part = customers[member]
        act, mapped = _group_activity(activity, mapped_all, member, part)
        rev = revenue[revenue["customer_id"].isin(set(part["customer_id"]))] if revenue is not None else None
        return _build(part, act, rev, s, mapped)

    return curves_by_group(labels, group, build)


def curves_by_group(labels: np.ndarray, group: str, build: Callable[[np.ndarray], CohortTable]) -> pd.DataFrame:
    """The average curve of each value of ``labels`` (one per customer), ``build(member)`` making the table of the
    customers where ``member`` is true; a value whose customers fall in no cohort is left out.

    Raises
    ------
    InsufficientDataError
        No value of ``group`` has customers in a cohort.
    """
    rows = []
    for value in sorted(pd.unique(labels), key=str):
        try:
            t = build(labels == value)
        except InsufficientDataError:
            continue
        avg = t.average.dropna()
        rows.append(pd.DataFrame({"group": value, "period": avg.index, "value": avg.to_numpy(),
                                  "customers": int(t.sizes.sum())}))
    if not rows:
        raise InsufficientDataError(f"No {group} has customers to compare.")
    return pd.concat(rows, ignore_index=True)


def _map_pairs_once(customers: pd.DataFrame, activity, period: str) -> ActivityMap | None:
    """Column-store pairs mapped to all ``customers`` once (each group then re-indexes them); None for rows."""
    if not isinstance(activity, ActivityPairs):
        return None
    rows, periods = map_activity(customer_ids(customers), activity, period)
    return ActivityMap(rows, periods, activity_bitmap(rows, periods, len(customers)))


def _group_activity(activity, mapped_all: ActivityMap | None, member: np.ndarray,
                    part: pd.DataFrame) -> tuple[object, ActivityMap | None]:
    """(activity, its mapping) for the customers ``member`` of a breakdown (``part`` their rows)."""
    if mapped_all is not None:
        mark, p0 = mapped_all.bitmap
        if mark is not None:  # the bitmap carries everything: slice its rows
            return activity, ActivityMap(np.array([], np.int64), np.array([], np.int64), (mark[member], p0))
        remap = np.full(len(member), -1, dtype=np.int64)
        remap[np.flatnonzero(member)] = np.arange(int(member.sum()))
        mine = remap[mapped_all.rows] if len(mapped_all.rows) else mapped_all.rows
        keep = mine >= 0
        return activity, ActivityMap(mine[keep], mapped_all.periods[keep])
    if activity is not None:
        return activity[activity["customer_id"].isin(set(part["customer_id"]))], None
    return None, None
