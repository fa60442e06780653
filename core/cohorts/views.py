"""The Cohort curves page's table, breakdown and cell, and ``python -m core cohorts``' table: counted by the engine
``RETENTION_ENGINE`` names (:mod:`core.query.choice`, through :mod:`core.cohorts.engine_views`) when one is set, else
from the rows (:mod:`core.cohorts.table`). One rule for the page and the CLI; both give the same figures.

The rows' path reads the customers' activity and revenue only when the settings need them, through :class:`Rows`
(the page passes its cached reads, the CLI :func:`store_rows`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy.engine import Engine

from core.cohorts import engine_views, survival
from core.cohorts.engine_survival import lifetime_rows
from core.cohorts.settings import CohortSettings
from core.cohorts.table import CohortTable, as_of_for, cell_customers, cohort_table, compare_groups
from core.history.filters import for_customers
from core.query import choice
from core.store.column_pairs import ActivityPairs
from core.store.columnar import activity_pairs
from core.store.read import load_columns


@dataclass(frozen=True)
class Rows:
    """Where the rows' path reads every customer's activity pairs and revenue rows (called only when needed)."""

    activity: Callable[[], ActivityPairs]
    revenue: Callable[[], pd.DataFrame]


def store_rows(engine: Engine) -> Rows:
    """The store's own activity pairs (the column files) and revenue rows."""
    return Rows(lambda: activity_pairs(engine),
                lambda: load_columns(engine, "revenue", ["customer_id", "period", "mrr"]))


def rows_for(customers: pd.DataFrame, s: CohortSettings, rows: Rows) -> tuple:
    """(activity, revenue) of ``customers``, each None when the settings do not read it."""
    activity = rows.activity().subset(customers["customer_id"]) if s.needs_activity else None
    revenue = for_customers(rows.revenue(), customers) if s.needs_revenue else None
    return activity, revenue


def table(engine: Engine, customers: pd.DataFrame, s: CohortSettings, end, rows: Rows) -> CohortTable:
    """The cohort table of ``customers`` as of the reader's ``end``, never after where their data ends
    (:func:`core.cohorts.table.as_of_for`; :func:`core.cohorts.engine_views.as_of_on` on an engine)."""
    s = replace(s, as_of=None)
    with choice.opened(engine) as source:
        if source is not None:
            return engine_views.table_until(source, customers, s, end)
    activity, revenue = rows_for(customers, s, rows)
    return cohort_table(customers, activity, revenue,
                        settings=replace(s, as_of=as_of_for(customers, activity, revenue, s, end)))


def breakdown(engine: Engine, customers: pd.DataFrame, s: CohortSettings, group: str, end,
              rows: Rows) -> pd.DataFrame:
    """The average curve of each value of ``group`` (``group, period, value, customers``), one as-of day for all."""
    s = replace(s, as_of=None)
    with choice.opened(engine) as source:
        if source is not None:
            return engine_views.compare_groups_on(source, customers, s, group, end)
    activity, revenue = rows_for(customers, s, rows)
    return compare_groups(customers, activity, revenue, group=group,
                          settings=replace(s, as_of=as_of_for(customers, activity, revenue, s, end)))


def cell(engine: Engine, customers: pd.DataFrame, s: CohortSettings, cohort: str, k: int, rows: Rows) -> pd.DataFrame:
    """The customers of one cohort and whether each was retained in period ``k``, with their first and last active
    days when the settings read activity."""
    with choice.opened(engine) as source:
        if source is not None:
            return engine_views.cell_on(source, customers, s, cohort, k)
    activity, _ = rows_for(customers, s, rows)
    people = cell_customers(customers, activity, cohort=cohort, k=k, settings=s)
    if activity is not None and len(activity):  # each customer's first and last active day, to read beside it
        days = pd.DataFrame({"customer_id": activity.ids[activity.codes], "day": activity.dates()})
        span = days.groupby("customer_id")["day"].agg(first_activity="min", last_activity="max")
        people = people.join(span, on="customer_id")
    return people


def survival_curves(engine: Engine, customers: pd.DataFrame, as_of, group: str | None,
                    horizon: float) -> survival.KMResult:
    """Kaplan-Meier curves of ``customers`` (their churn dates as given) as of ``as_of``, by ``group`` (None: all),
    their lifetimes counted by the configured engine when one is set (one row per group, lifetime and churned or
    not), else from the rows."""
    with choice.opened(engine) as source:
        if source is not None:
            rows = lifetime_rows(source, customers, as_of=as_of, group=group)
            return survival.kaplan_meier(rows, group=group, horizon=horizon, weights="customers")
    return survival.kaplan_meier(survival.durations(customers, as_of=as_of), group=group, horizon=horizon)
