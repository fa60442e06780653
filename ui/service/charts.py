"""Altair chart of the Service operations page: churn after a ticket by band, raw and adjusted, with 95 % intervals."""

from __future__ import annotations

import altair as alt
import pandas as pd

#: the two estimates, as the legend names them
RAW, ADJUSTED = "as observed", "adjusted for segment, plan and tenure"


def chart_frame(table: pd.DataFrame) -> pd.DataFrame:
    """One row per band and estimate: ``band, estimate, rate, low, high`` (bands without a rate left out)."""
    parts = [table[["band", f"{c}_rate", f"{c}_low", f"{c}_high"]].set_axis(["band", "rate", "low", "high"], axis=1)
             .assign(estimate=name) for c, name in (("churn", RAW), ("adjusted", ADJUSTED))]
    return pd.concat(parts, ignore_index=True).dropna(subset=["rate"])


def level(data: pd.DataFrame, bands: list[str], days: int) -> alt.Chart:
    """Horizontal points with their intervals, one row per band (in the table's order), raw and adjusted side by
    side."""
    y = alt.Y("band:N", sort=bands, title=None)
    offset = alt.YOffset("estimate:N", sort=[RAW, ADJUSTED])
    color = alt.Color("estimate:N", sort=[RAW, ADJUSTED], title=None,
                      scale=alt.Scale(domain=[RAW, ADJUSTED], range=["#9e9e9e", "#1f77b4"]))
    title = f"Churn within {days} days of a ticket"
    x = alt.X("rate:Q", axis=alt.Axis(format="%"), title=title)
    base = alt.Chart(data).encode(y=y, yOffset=offset, color=color)
    rules = base.mark_rule(strokeWidth=2).encode(x=alt.X("low:Q", title=title), x2="high:Q")
    points = base.mark_point(filled=True, size=70).encode(
        x=x, tooltip=[alt.Tooltip("band:N", title="Band"), alt.Tooltip("estimate:N", title="Estimate"),
                      alt.Tooltip("rate:Q", format=".1%", title="Churn"),
                      alt.Tooltip("low:Q", format=".1%", title="Lower bound, 95%"),
                      alt.Tooltip("high:Q", format=".1%", title="Upper bound, 95%")])
    return (rules + points).properties(height=max(140, 48 * len(bands)))


def caught(ranking: pd.DataFrame, days: int) -> alt.Chart:
    """One bar per signal (ranked): the share of churners it flagged in the ``days`` before they left, with its 95 %
    interval."""
    data = ranking.dropna(subset=["caught_share"])
    order = data["signal"].tolist()
    y = alt.Y("signal:N", sort=order, title=None)
    title = f"Churners flagged in the {days} days before they left"
    bars = alt.Chart(data).mark_bar(color="#1f77b4").encode(
        y=y, x=alt.X("caught_share:Q", axis=alt.Axis(format="%", tickCount=5), title=title),
        tooltip=["signal", alt.Tooltip("caught_share:Q", title="churners caught", format=".1%"),
                 alt.Tooltip("median_lead_days:Q", title="median days before", format=",.1f")])
    rules = alt.Chart(data).mark_rule(color="#333333").encode(y=y, x="caught_low:Q", x2="caught_high:Q")
    return (bars + rules).properties(height=max(120, 44 * len(order)))


def flagged(monthly: pd.DataFrame) -> alt.Chart:
    """Customers each signal flagged at each month end, one line per signal."""
    return alt.Chart(monthly).mark_line(point=True).encode(
        x=alt.X("month_end:T", title="Month end", axis=alt.Axis(format="%b %Y")),
        y=alt.Y("flagged:Q", title="Customers flagged", axis=alt.Axis(format=",.0f")),
        color=alt.Color("signal:N", title=None),
        tooltip=[alt.Tooltip("month_end:T", title="month end", format="%Y-%m-%d"), "signal",
                 alt.Tooltip("flagged:Q", format=",.0f"), alt.Tooltip("active:Q", format=",.0f")]
    ).properties(height=260)
