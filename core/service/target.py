"""The service level that pays: for a target (``resolve within 24 h``), the tickets that met and missed it, the
customers and MRR behind the missed ones, the churn gap between missed and met (adjusted for segment, plan and tenure,
with its 95 % interval: :mod:`core.service.rates`), and what a higher attainment would be expected to keep, against a
cost per point of attainment.

The arithmetic, stated once (the page and ``python -m core service --target`` show it in these words):

* a point of attainment is 1 % of the tickets judged moving from missed to met;
* tickets a year = the tickets judged / the years between the first and the last judged ticket's opening day;
* MRR kept a year per point = 0.01 x tickets a year x the adjusted gap x the mean MRR behind a missed ticket: each
  ticket moved is expected to lose its customer less often by the gap;
* revenue kept per point = that MRR x 12 (a customer kept is counted for the 12 months that follow), against the cost
  of a point. An association adjusted for segment, plan and tenure, not an experiment: the gap may hold more than the
  service level itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.errors import DataValidationError
from core.service import rates
from core.service.outcomes import Judged

#: the measures a target can be set on: key -> (the judged frame's column, the verb of its label)
MEASURES = {"resolution": ("resolve_hours", "resolve"), "first_response": ("first_response_hours", "first response")}
MET, MISSED = "met", "missed"
_YEAR_DAYS = 365.25


@dataclass(frozen=True)
class Target:
    """A service-level target: the measure (:data:`MEASURES`) within ``hours``."""

    measure: str
    hours: float

    def label(self) -> str:
        """``'resolve within 24 h'``."""
        return f"{MEASURES[self.measure][1]} within {self.hours:g} h"


@dataclass(frozen=True)
class TargetResult:
    """What a target costs and keeps (shares as fractions, money per month unless named a year).

    Attributes
    ----------
    tickets, met : int
        Tickets judged, and those that met the target (a ticket without the measure missed it).
    attainment : float
        ``met / tickets``.
    customers_missed : int
        Customers with at least one missed ticket.
    mrr_missed : float
        Their MRR, each counted once, in the month of their latest missed ticket.
    gap, gap_low, gap_high : float
        Adjusted churn after a missed ticket minus after a met one, with its 95 % interval (NaN when either side has
        no ticket).
    tickets_a_year : float
        Tickets judged per year.
    mrr_per_point, mrr_per_point_low, mrr_per_point_high : float
        MRR kept a year per point of attainment, and its interval (from the gap's).
    revenue_per_point : float
        ``12 x mrr_per_point``.
    cost_per_point : float or None
        The cost of a point of attainment a year, as given.
    """

    target: Target
    tickets: int
    met: int
    attainment: float
    customers_missed: int
    mrr_missed: float
    gap: float
    gap_low: float
    gap_high: float
    tickets_a_year: float
    mrr_per_point: float
    mrr_per_point_low: float
    mrr_per_point_high: float
    revenue_per_point: float
    cost_per_point: float | None

    def pays(self) -> bool | None:
        """Whether a point kept more revenue than it cost (None without a cost)."""
        return None if self.cost_per_point is None else bool(self.revenue_per_point > self.cost_per_point)


def met(frame: pd.DataFrame, target: Target) -> pd.Series:
    """Whether each judged ticket met ``target`` (strictly under its hours; without the measure it missed)."""
    return frame[MEASURES[target.measure][0]].lt(target.hours).fillna(False)


def _years(frame: pd.DataFrame) -> float:
    span = (frame["opened"].max() - frame["opened"].min()).days / _YEAR_DAYS
    return max(span, 1 / 12)  # tickets of a single month count as a month's


def check(target: Target, cost_per_point: float | None = None) -> None:
    """Refuse an unknown measure, hours not above 0 or a negative cost (:class:`core.errors.DataValidationError`),
    before anything is read."""
    if target.measure not in MEASURES:
        raise DataValidationError(f"Unknown target measure '{target.measure}': use one of {', '.join(MEASURES)}.")
    if not target.hours > 0:
        raise DataValidationError(f"A target needs hours above 0 (got {target.hours:g}).")
    if cost_per_point is not None and cost_per_point < 0:
        raise DataValidationError(f"The cost of a point cannot be negative (got {cost_per_point:g}).")


def evaluate(judged: Judged, target: Target, cost_per_point: float | None = None) -> TargetResult:
    """:class:`TargetResult` of ``target`` on the judged tickets (:func:`check` first)."""
    check(target, cost_per_point)
    f = judged.frame
    ok = met(f, target)
    band = pd.Series(pd.Categorical(np.where(ok, MET, MISSED), categories=[MET, MISSED]), index=f.index)
    gap = (np.nan,) * 3
    if ok.any() and (~ok).any():
        gap = rates.fit(f["churned"], band, f["customer_id"], f[list(rates.ADJUSTED_FOR)]).gap(MISSED, MET)
    missed = f[~ok].sort_values("opened").drop_duplicates("customer_id", keep="last")
    per_year = len(f) / _years(f)
    mean_mrr = float(f.loc[~ok, "mrr"].mean()) if (~ok).any() else 0.0
    per_point = [0.01 * per_year * g * mean_mrr for g in gap]
    return TargetResult(target, len(f), int(ok.sum()), float(ok.mean()), len(missed), float(missed["mrr"].sum()),
                        *gap, per_year, *per_point, 12 * per_point[0], cost_per_point)
