"""The choices a cohort table is computed with, checked once where they are made."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pandas as pd

from core.cohorts.periods import PERIODS
from core.errors import DataValidationError

COHORT_BY = ("signup", "first_activity")
MEASURES = ("logo", "net_revenue", "gross_revenue", "count")
DEFINITIONS = ("on", "on_or_after")
RETAINED_BY = ("subscription", "activity")
BASES = ("period0", "previous")
WEIGHTINGS = ("weighted", "simple")
REVENUE_MEASURES = ("net_revenue", "gross_revenue")


@dataclass(frozen=True)
class CohortSettings:
    """How to build a cohort table; every option is checked when the settings are made.

    Parameters
    ----------
    cohort_by : {'signup', 'first_activity'}
        Group customers by the period of their signup date, or of their first activity.
    period : {'day', 'week', 'month', 'quarter'}
        The length of a period (weeks start on Mondays).
    measure : {'logo', 'net_revenue', 'gross_revenue', 'count'}
        Share of the cohort's customers retained (``logo``), its MRR in period k over its MRR in period 0
        (``net_revenue`` counts expansion, ``gross_revenue`` caps each customer at its period-0 MRR), or the
        absolute number of retained customers (``count``).
    definition : {'on', 'on_or_after'}
        With activity data: active in period k, or in k or any later period.
    retained_by : {'subscription', 'activity'}
        Retained while not churned (``subscription``), or when active in the period (``activity``).
    base : {'period0', 'previous'}
        Retention relative to period 0, or to the previous period of the same cohort.
    as_of : date-like, optional
        Periods that have not ended by this date are incomplete; default :func:`core.history.asof.data_end`.
    min_size : int
        Cohorts smaller than this are flagged in :attr:`CohortTable.small`.
    weighting : {'weighted', 'simple'}
        How the average row combines cohorts: all reaching cohorts pooled, or the mean of their rates.
    max_periods : int, optional
        Keep periods 0..max_periods only.

    Raises
    ------
    DataValidationError
        An option outside its choices.
    """

    cohort_by: str = "signup"
    period: str = "month"
    measure: str = "logo"
    definition: str = "on"
    retained_by: str = "subscription"
    base: str = "period0"
    as_of: str | dt.date | pd.Timestamp | None = None
    min_size: int = 20
    weighting: str = "weighted"
    max_periods: int | None = None

    def __post_init__(self) -> None:
        for name, allowed in (("cohort_by", COHORT_BY), ("period", PERIODS), ("measure", MEASURES),
                              ("definition", DEFINITIONS), ("retained_by", RETAINED_BY), ("base", BASES),
                              ("weighting", WEIGHTINGS)):
            value = getattr(self, name)
            if value not in allowed:
                raise DataValidationError(f"Unknown {name} '{value}'. Choose one of: {', '.join(allowed)}.")

    @classmethod
    def of(cls, settings: CohortSettings | None = None, **options) -> CohortSettings:
        """``settings`` (default: all defaults) with the keyword ``options`` replacing its fields."""
        return replace(settings or cls(), **options)

    @property
    def needs_activity(self) -> bool:
        """Whether the table needs activity data (cohorts by first activity, or retained when active)."""
        return self.cohort_by == "first_activity" or self.retained_by == "activity"

    @property
    def needs_revenue(self) -> bool:
        """Whether the table needs recurring revenue (the revenue measures)."""
        return self.measure in REVENUE_MEASURES

    def record(self, last_day: pd.Timestamp) -> dict:
        """The settings a computed table carries (and the export writes), with the as-of day it used."""
        return {"cohort_by": self.cohort_by, "period": self.period, "measure": self.measure,
                "definition": self.definition, "retained_by": self.retained_by, "base": self.base,
                "as_of": last_day.date().isoformat(), "min_size": self.min_size, "weighting": self.weighting}
