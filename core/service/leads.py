"""The leading indicators' tables: each signal ranked by the churners it catches and how early, and the monthly
dashboard of who it flags (from :class:`core.service.indicators.Flags`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from core.service.indicators import Flags, signals

#: the ranking's columns, in order
RANKING = ["signal", "customer_months", "churn_flagged", "churn_others", "lift", "churners", "caught", "caught_share",
           "caught_low", "caught_high", "median_lead_days"]
#: the monthly dashboard's columns, in order
MONTHLY = ["month_end", "signal", "active", "flagged", "flagged_churned", "churn_flagged", "churn_others"]


def _window(f: Flags) -> pd.DataFrame:
    """The rows of churners at the month ends in the ``horizon`` days before their churn."""
    r = f.rows
    churn = pd.to_datetime(r["churn_date"])
    return r[churn.notna() & (r["month_end"] >= churn - pd.Timedelta(days=f.horizon))]


def _caught(window: pd.DataFrame, key: str) -> tuple[int, int, float]:
    """(churners, churners caught, median days from the first flagging month end to the churn)."""
    churners = window["customer_id"].nunique()
    hit = window[window[key]]
    first = hit.groupby("customer_id").agg(first=("month_end", "min"), churn=("churn_date", "first"))
    lead = (pd.to_datetime(first["churn"]) - first["first"]).dt.days
    return churners, len(first), float(lead.median()) if len(lead) else np.nan


def _rates(matured: pd.DataFrame, key: str) -> tuple[int, float, float]:
    """(customer-months flagged, their churn rate, the other customer-months' churn rate)."""
    on = matured[key].to_numpy(bool)
    y = matured["churned"].to_numpy(float)
    return int(on.sum()), (y[on].mean() if on.any() else np.nan), (y[~on].mean() if (~on).any() else np.nan)


def ranking(f: Flags) -> pd.DataFrame:
    """Each signal: the customer-months it flagged among those whose outcome is known, their churn within the horizon
    against the others', the lift (the ratio), and the churners it caught (with a 95 % Wilson interval of the share)
    and how many days before their churn it first did (the median); ranked by the share caught, then the lift.

    Returns
    -------
    pandas.DataFrame
        :data:`RANKING` columns, ``signal`` the signal's title.
    """
    matured, window = f.rows[f.rows["churned"].notna()], _window(f)
    out = []
    for key, sig in signals(f.open_days).items():
        flagged, on, off = _rates(matured, key)
        churners, caught, lead = _caught(window, key)
        low, high = proportion_confint(caught, churners, method="wilson") if churners else (np.nan, np.nan)
        out.append({"signal": sig.title, "customer_months": flagged, "churn_flagged": on, "churn_others": off,
                    "lift": on / off if off > 0 else np.nan, "churners": churners, "caught": caught,
                    "caught_share": caught / churners if churners else np.nan, "caught_low": low,
                    "caught_high": high, "median_lead_days": lead})
    table = pd.DataFrame(out, columns=RANKING)
    return table.sort_values(["caught_share", "lift"], ascending=False, na_position="last", kind="stable",
                             ignore_index=True)


def monthly(f: Flags) -> pd.DataFrame:
    """Each month end and signal: customers active, flagged, how many of those flagged churned within the horizon
    (NaN while it has not passed), and the churn rate of the flagged and of the others.

    Returns
    -------
    pandas.DataFrame
        :data:`MONTHLY` columns, ``signal`` the signal's title.
    """
    r = f.rows
    g = r.groupby("month_end")
    active, churned = g.size(), g["churned"].sum(min_count=1)
    out = []
    for key, sig in signals(f.open_days).items():
        flagged = g[key].sum().astype(int)
        hit = r["churned"].where(r[key]).groupby(r["month_end"]).sum(min_count=1)
        hit = hit.where(churned.isna() | hit.notna(), 0.0)  # a known month where nobody flagged churned: 0
        part = pd.DataFrame({"month_end": active.index, "signal": sig.title, "active": active.to_numpy(),
                             "flagged": flagged.to_numpy(), "flagged_churned": hit.to_numpy(float)})
        with np.errstate(invalid="ignore", divide="ignore"):
            part["churn_flagged"] = part["flagged_churned"] / part["flagged"].where(part["flagged"] > 0)
            others = (churned.to_numpy(float) - part["flagged_churned"]) / (part["active"] - part["flagged"])
        part["churn_others"] = others.where(part["active"] > part["flagged"])
        out.append(part)
    return pd.concat(out, ignore_index=True)[MONTHLY].sort_values(["month_end", "signal"], ignore_index=True)
