"""Altair charts of the Overview (frames in, charts out)."""

from __future__ import annotations

import altair as alt

from core.buyers.cohort_revenue import CohortRevenue


def cohort_revenue_heatmap(t: CohortRevenue) -> alt.Chart:
    """Revenue retention by cohort: one row per cohort of first purchase, one column per month since it; the
    colour scale is capped at 100 % so that one month above it does not wash the others out."""
    long = t.long().dropna(subset=["retention"])
    base = alt.Chart(long).encode(
        x=alt.X("month:O", title="Months since the first purchase"),
        y=alt.Y("cohort:O", title="First purchase", sort="ascending"),
        tooltip=["cohort", "month", alt.Tooltip("retention:Q", format=".1%", title="revenue retention"),
                 alt.Tooltip("revenue:Q", format="$,.0f"), alt.Tooltip("buyers:Q", format=",")])
    cells = base.mark_rect().encode(
        color=alt.Color("retention:Q", scale=alt.Scale(scheme="blues", domain=[0, 1], clamp=True), legend=None))
    text = base.mark_text(fontSize=10).encode(
        text=alt.Text("retention:Q", format=".0%"),
        color=alt.condition("datum.retention > 0.6", alt.value("white"), alt.value("#333")))
    return (cells + text).properties(height=max(200, 22 * len(t.retention)))
