"""Altair charts of the Overview (frames in, charts out)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.buyers.cohort_revenue import CohortRevenue
from core.history.movements import GAINS, LOSSES
from core.store.dates import datetimes

#: the movements' colours: gains in greens and blue above zero, losses in orange and red below
_MOVEMENT_COLOURS = {"New": "#2ca02c", "Expansion": "#98df8a", "Reactivation": "#1f77b4",
                     "Contraction": "#ff9896", "Churned": "#d62728"}


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


def mrr_movements(table: pd.DataFrame) -> alt.LayerChart:
    """MRR movements by month as diverging stacked bars (new, expansion and reactivation above zero, contraction
    and churned below), with the net change of MRR (MRR at end - MRR at start) as a line."""
    table = table.assign(month=datetimes(table["month"]).dt.strftime("%b %Y"))  # written as the axis shows it
    order = table["month"].tolist()
    long = table.melt(id_vars="month", value_vars=[*GAINS, *LOSSES], var_name="movement", value_name="amount")
    long["movement"] = long["movement"].str.capitalize()
    long["signed"] = long["amount"].where(long["movement"].isin([g.capitalize() for g in GAINS]), -long["amount"])
    x = alt.X("month:O", title="Month", sort=order, axis=alt.Axis(labelAngle=-45))
    bars = alt.Chart(long).mark_bar().encode(
        x=x, y=alt.Y("sum(signed):Q", title="MRR movement ($)", axis=alt.Axis(format="$,.0f")),
        color=alt.Color("movement:N", title=None, sort=list(_MOVEMENT_COLOURS),
                        scale=alt.Scale(domain=list(_MOVEMENT_COLOURS), range=list(_MOVEMENT_COLOURS.values()))),
        order=alt.Order("order:Q"),
        tooltip=["month", "movement", alt.Tooltip("amount:Q", format="$,.0f", title="amount")]
    ).transform_calculate(order=f"indexof({list(_MOVEMENT_COLOURS)}, datum.movement)")
    net = table.assign(net=table["mrr_end"] - table["mrr_start"])
    line = alt.Chart(net).mark_line(color="black", point=alt.OverlayMarkDef(color="black")).encode(
        x=x, y="net:Q", tooltip=["month", alt.Tooltip("net:Q", format="$,.0f", title="net change of MRR"),
                                 alt.Tooltip("mrr_end:Q", format="$,.0f", title="MRR at end")])
    return (bars + line).properties(height=320)
