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
        x=x, tooltip=["band", "estimate", alt.Tooltip("rate:Q", format=".1%"), alt.Tooltip("low:Q", format=".1%"),
                      alt.Tooltip("high:Q", format=".1%")])
    return (rules + points).properties(height=max(140, 48 * len(bands)))
