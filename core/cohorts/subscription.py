"""Logo retention of subscription data: a customer is retained in period k while not churned before k starts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.cohorts.membership import CohortGrid, Membership
from core.cohorts.periods import period_number
from core.store.dates import datetimes


def subscription_retained(customers: pd.DataFrame, m: Membership, grid: CohortGrid, period: str) -> np.ndarray:
    """retained[c, k]: customers of cohort c not churned before period k starts.

    A customer who churns during period k still counts in k, and in no later period; one without a churn
    date counts in every period.
    """
    churn_p = period_number(customers["churn_date"], period)
    has_churn = pd.notna(datetimes(customers["churn_date"])).to_numpy()
    last_k = np.where(has_churn, churn_p - m.cohort_p, grid.n_periods)  # retained for k <= last_k
    return grid.count_through(np.clip(last_k, -1, grid.n_periods - 1))
