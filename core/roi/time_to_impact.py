"""How a play's effect on retention builds up: share still a customer each day after contact, arm vs control."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from core.errors import InsufficientDataError
from core.roi.defaults import ALPHA, CONTROL, RETAINED, WINDOW_DAYS
from core.roi.outcomes import measured


def _still_a_customer(g: pd.DataFrame, horizon: int) -> np.ndarray:
    """Share of the contacts ``g`` still a customer on each day 0 .. ``horizon`` (``churn_day >= day``, as
    ``retained`` at the window's end)."""
    cd = g["churn_day"].to_numpy(float)
    lost = np.bincount(np.clip(cd[~np.isnan(cd)].astype(int), 0, horizon + 1), minlength=horizon + 2)
    gone_before = np.r_[0, np.cumsum(lost)][:horizon + 1]
    return 1 - gone_before / len(g)


def time_to_impact(frame: pd.DataFrame, arm: str, *, window: int = WINDOW_DAYS, control: str = CONTROL,
                   alpha: float = ALPHA) -> pd.DataFrame:
    """Share still a customer ``day`` days after contact, arm vs control, and the cumulative difference.

    Uses the eligible contacts (the whole window observed), so every day has the same denominators.
    ``window`` must be the one ``frame`` was built with; on the last day the difference equals
    :func:`core.roi.estimates.compare`'s plain retention difference.

    Returns
    -------
    pandas.DataFrame
        ``day, treatment, control, difference, low, high`` for day 0 .. ``window`` (Wald's interval
        each day).
    """
    rows = measured(frame, RETAINED)
    t, c = rows[rows["arm"] == arm], rows[rows["arm"] == control]
    if len(t) < 2 or len(c) < 2:
        raise InsufficientDataError(f"'{arm}' and '{control}' need at least two eligible contacts each.")
    horizon = int(window)
    st_, sc = _still_a_customer(t, horizon), _still_a_customer(c, horizon)
    se = np.sqrt(st_ * (1 - st_) / len(t) + sc * (1 - sc) / len(c))
    q = stats.norm.ppf(1 - alpha / 2)
    d = st_ - sc
    return pd.DataFrame({"day": np.arange(horizon + 1), "treatment": st_, "control": sc, "difference": d,
                         "low": d - q * se, "high": d + q * se})
