"""The Health scores page's charts' data as their CSV downloads give them (issue 21: a chart's data one click away):
tidy tables with headers in plain words, months as dates, shares in percent to one decimal."""

from __future__ import annotations

import pandas as pd

from core.export.chart_text import percents
from core.store.dates import datetimes


def _day(days) -> pd.Series:
    """Days as dates, without a time of day."""
    return datetimes(pd.Series(days)).dt.date.to_numpy()


def band_share(over_time: pd.DataFrame) -> pd.DataFrame:
    """Month, band, customers and their share of the month's customers."""
    return pd.DataFrame({"Month": _day(over_time["day"]), "Band": over_time["band"].to_numpy(),
                         "Customers": over_time["customers"].to_numpy(),
                         "Share of customers (%)": percents(over_time["share"])})


def contributions(parts: pd.DataFrame) -> pd.DataFrame:
    """One customer's measures: points earned and lost of the score."""
    used = parts[parts["status"] == "used"]
    return pd.DataFrame({"Measure": used["measure"].to_numpy(), "Group": used["group"].to_numpy(),
                         "Measure points (0-100)": used["points"].to_numpy(),
                         "Share of the score (%)": percents(used["share"]),
                         "Points earned": used["contribution"].to_numpy(), "Points lost": used["lost"].to_numpy()})


def score_trend(trend: pd.DataFrame) -> pd.DataFrame:
    """One customer's score month by month."""
    return pd.DataFrame({"Month": _day(trend["day"]), "Health score": trend["score"].to_numpy(),
                         "Band": trend["band"].to_numpy(), "Stage": trend["stage"].to_numpy()})


def band_churn(bands: pd.DataFrame) -> pd.DataFrame:
    """The back-test's bands: customer-months, churn observed and predicted."""
    return pd.DataFrame({"Band": bands["band"].to_numpy(), "Customer-months": bands["customers"].to_numpy(),
                         "Churned": bands["churners"].to_numpy(), "Churn rate (%)": percents(bands["churn_rate"]),
                         "Predicted churn rate (%)": percents(bands["predicted"])})


def band_months(bm: pd.DataFrame) -> pd.DataFrame:
    """Each band's churn rate month by month."""
    return pd.DataFrame({"Month": _day(bm["cutoff"]), "Band": bm["band"].to_numpy(),
                         "Customers": bm["customers"].to_numpy(), "Churn rate (%)": percents(bm["churn_rate"])})


def weights(table: pd.DataFrame, stage: str) -> pd.DataFrame:
    """Current and suggested weights of one profile."""
    d = table[table["stage"] == stage]
    return pd.DataFrame({"Measure": d["measure"].to_numpy(), "Profile": d["stage"].to_numpy(),
                         "Current weight (of 100)": d["current"].to_numpy(),
                         "Suggested weight (of 100)": d["suggested"].to_numpy()})
