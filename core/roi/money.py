"""What a treatment arm of a play earned: customers saved, revenue saved, cost, net value and ROI.

Every figure scales the arm's measured difference (:func:`core.roi.estimates.compare`) to the contacts it
treated, so each interval is the difference's interval scaled the same way (the cost is known, not estimated).

* **Customers saved** = retention difference x treated contacts.
* **Revenue saved (window)** = revenue-kept difference x treated contacts x ``margin``: revenue
  measured in the window, after the cost of serving it.
* **Value of customers saved** = customers saved x their mean MRR before contact x
  ``value_months`` x ``margin``: what the saved customers are worth if each stays ``value_months``
  more months (an assumption, stated beside the figure).
* **Net value** = revenue saved - cost; **ROI** = net value / cost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.errors import DataValidationError
from core.roi.defaults import ALPHA, CONTROL, PRE_REVENUE, PRE_USAGE, RETAINED, REVENUE
from core.roi.estimates import compare
from core.roi.outcomes import measured


def _arm_difference(frame: pd.DataFrame, arm: str, outcome: str, covariate: str | None, *, control: str,
                    alpha: float) -> tuple[float, float, float]:
    """``arm``'s difference on ``outcome`` and its interval: CUPED with ``covariate``, else plain."""
    c = compare(frame, outcome, control=control, covariate=covariate, alpha=alpha)
    row = c[c["arm"] == arm]
    if row.empty:
        raise DataValidationError(f"The play has no measured arm '{arm}'. Arms: {', '.join(c['arm'])}.")
    row = row.iloc[0]
    key = "cuped_" if covariate else ""
    return row[f"{key}difference"], row[f"{key}low"], row[f"{key}high"]


def _per_cost(x: np.ndarray, cost: float) -> np.ndarray:
    """``x`` per unit of cost (an ROI); NaN without a positive cost."""
    return x / cost if cost and cost > 0 else np.full(3, np.nan)


def _value_rows(diff, treated: pd.DataFrame, cost: float, margin: float, value_months: int) -> list[tuple]:
    """The rows about customers saved: how many, what they are worth over ``value_months``, its net value and ROI."""
    ret = np.array(diff) * len(treated)
    mrr = float(treated["mrr_before"].mean()) if treated["mrr_before"].notna().any() else np.nan
    value = ret * mrr * value_months * margin
    saved = ("Customers saved", ret, "customers", "retention difference x contacts treated")
    projected = [("Value of customers saved", value, "currency", f"customers saved x mean MRR before contact "
                  f"({mrr:,.0f}) x {value_months} months x margin {margin:.0%}"),
                 ("Net value (projected)", value - cost, "currency", "value of customers saved - cost"),
                 ("ROI (projected)", _per_cost(value - cost, cost), "roi", "net value (projected) / cost")]
    return [saved, *projected]


def money(frame: pd.DataFrame, arm: str, *, control: str = CONTROL, margin: float = 0.8, value_months: int = 12,
          retention_covariate: str | None = PRE_USAGE, revenue_covariate: str | None = PRE_REVENUE,
          revenue: str = REVENUE, retention: str | None = RETAINED, alpha: float = ALPHA) -> pd.DataFrame:
    """What one treatment arm of a play earned (each figure is defined in the module docstring).

    Parameters
    ----------
    frame : pandas.DataFrame
        :func:`core.roi.outcomes.outcomes` of one play.
    revenue : str
        The amount outcome: ``revenue_kept``, or an imported amount such as a campaign's spend.
    retention : str or None
        The yes/no outcome counted as customers saved (``retained``); None for a campaign measured
        only by an amount (the rows about customers saved are left out).
    margin : float
        Gross margin, between 0 and 1.
    value_months : int
        Months of revenue a saved customer is assumed to bring.
    retention_covariate, revenue_covariate : str or None
        CUPED covariates of the two differences (None: the plain estimate).

    Returns
    -------
    pandas.DataFrame
        ``measure, value, low, high, unit, definition``.
    """
    if not 0 <= margin <= 1:
        raise DataValidationError("The margin must be between 0 and 1 (for example 0.8 for 80 %).")
    if value_months < 0:
        raise DataValidationError("The months of value must be zero or more.")
    rows = measured(frame, revenue)
    treated = rows[rows["arm"] == arm]
    n = len(treated)
    cost = float(treated["cost"].sum()) if treated["cost"].notna().any() else np.nan
    rev = np.array(_arm_difference(frame, arm, revenue, revenue_covariate, control=control, alpha=alpha)) * n * margin
    net = rev - cost
    what = "revenue-kept" if revenue == REVENUE else f"'{revenue}'"
    out = [
        ("Contacts treated", (n, n, n), "contacts", "measured contacts of the arm"),
        ("Revenue saved (window)", rev, "currency", f"{what} difference x contacts treated x margin {margin:.0%}"),
        ("Cost", (cost, cost, cost), "currency", "cost recorded on the arm's contacts"),
        ("Net value (window)", net, "currency", "revenue saved (window) - cost"),
        ("ROI (window)", _per_cost(net, cost), "roi", "net value (window) / cost"),
    ]
    if retention is not None:
        diff = _arm_difference(frame, arm, retention, retention_covariate, control=control, alpha=alpha)
        saved, *projected = _value_rows(diff, treated, cost, margin, value_months)
        out[1:1] = [saved]
        out += projected
    return pd.DataFrame([{"measure": m, "value": float(v[0]), "low": float(min(v[1], v[2])),
                          "high": float(max(v[1], v[2])), "unit": u, "definition": d} for m, v, u, d in out])
