"""The Cohort curves page's figures from a company's warehouse (:mod:`core.query.warehouse`), one rule for the page
and ``python -m core cohorts``: the warehouse's own customers (its segments picked by the reader), the cohort table
counted there (:func:`core.cohorts.from_counts.engine_cohort_table`) and survival on tenure from its lifetimes
(:func:`core.cohorts.engine_survival.lifetime_rows`). Nothing is copied out but the aggregates, nothing written.
"""

from __future__ import annotations

from core.cohorts import survival
from core.cohorts.engine_survival import lifetime_rows
from core.cohorts.from_counts import engine_cohort_table
from core.cohorts.settings import CohortSettings
from core.cohorts.table import CohortTable
from core.errors import InsufficientDataError
from core.query.sources import Source
from core.query.warehouse import answered

#: the customer columns a mapping may name, by which survival can be compared
GROUPS = ("segment", "plan", "region", "channel")
NO_CHURN_DATES = ("The warehouse's customers have no churn dates ([customers] churn_date in the mapping file), so "
                  "survival cannot be drawn: map the column holding the day each customer left.")


def defaults(source: Source) -> CohortSettings:
    """The choices a warehouse starts at: cohorts by first activity, retained when active, when it maps activity;
    by signup, retained while subscribed, when it does not."""
    by_activity = source.activity is not None
    return CohortSettings(cohort_by="first_activity" if by_activity else "signup",
                          retained_by="activity" if by_activity else "subscription")


def groups(source: Source) -> list[str]:
    """The customer columns the mapping names (:data:`GROUPS`), in that order."""
    return [g for g in GROUPS if g in source.store_customers.columns]


@answered
def segments(source: Source) -> list[str]:
    """The warehouse's segments, sorted (empty when the mapping names no segment column)."""
    if "segment" not in source.store_customers.columns:
        return []
    seg = source.store_customers.segment
    found = source.con.execute(source.store_customers.filter(seg.notnull()).select(seg).distinct())
    return sorted(found["segment"].astype(str))


def kept(source: Source, picked=()) -> Source:
    """``source`` with only the customers of the ``picked`` segments (all when none is picked)."""
    return source.restricted("segment", list(picked)) if picked else source


@answered
def table(source: Source, settings: CohortSettings, picked=()) -> CohortTable:
    """The cohort table of the warehouse's customers in the ``picked`` segments.

    Raises
    ------
    DataValidationError
        The settings read activity and the mapping names none.
    EngineError
        The warehouse failed to answer (:func:`answered`).
    InsufficientDataError
        No customer falls in a cohort; a revenue measure and no recurring revenue.
    """
    return engine_cohort_table(kept(source, picked), None, settings)


@answered
def survival_curves(source: Source, group: str | None, horizon: float, picked=(), as_of=None) -> survival.KMResult:
    """Kaplan-Meier curves of the warehouse's customers in the ``picked`` segments, by ``group`` (None: all).

    Raises
    ------
    InsufficientDataError
        The customers have no churn date (:data:`NO_CHURN_DATES`).
    DataValidationError
        A missing signup date or a churn date before its signup (:func:`lifetime_rows`' refusals).
    EngineError
        The warehouse failed to answer (:func:`answered`).
    """
    chosen = kept(source, picked)
    cust = chosen.customers(None)
    if not chosen.con.execute(cust.churn_date.count()):
        raise InsufficientDataError(NO_CHURN_DATES)
    rows = lifetime_rows(chosen, None, as_of=as_of, group=group)
    return survival.kaplan_meier(rows, group=group, horizon=horizon, weights="customers")
