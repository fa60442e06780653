"""Altair charts of the Health scores page (frames in, charts out)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.health.score import BANDS
from core.store.dates import datetimes
from ui.chart_style import wrapped

BAND_COLORS = alt.Scale(domain=list(BANDS), range=["#d62728", "#f2a900", "#2ca02c"])
GROUP_COLORS = alt.Scale(domain=["behavioural", "support", "relational", "financial"],
                         range=["#1f77b4", "#9467bd", "#17becf", "#8c564b"])


def band_share(over_time: pd.DataFrame) -> alt.Chart:
    """Share of customers in each band, month by month (stacked bars)."""
    d = over_time.assign(month=datetimes(over_time["day"]).dt.strftime("%Y-%m"))
    return alt.Chart(d).mark_bar().encode(
        x=alt.X("month:O", title=None),
        y=alt.Y("share:Q", stack="normalize", axis=alt.Axis(format="%"), title="Share of customers"),
        color=alt.Color("band:N", scale=BAND_COLORS, sort=list(BANDS), legend=alt.Legend(orient="bottom", title=None)),
        order=alt.Order("order:Q"),
        tooltip=["month", "band", alt.Tooltip("share:Q", format=".1%"), "customers"],
    ).transform_calculate(order="datum.band == 'red' ? 0 : datum.band == 'amber' ? 1 : 2").properties(height=300)


def mrr_by_segment(risk: pd.DataFrame) -> alt.Chart:
    """MRR by segment, split by band (horizontal stacked bars)."""
    long = risk.melt(id_vars="segment", value_vars=list(BANDS), var_name="band", value_name="mrr")
    return alt.Chart(long).mark_bar().encode(
        y=alt.Y("segment:N", title=None),
        x=alt.X("mrr:Q", title="MRR", axis=alt.Axis(format="$,.0f")),
        color=alt.Color("band:N", scale=BAND_COLORS, sort=list(BANDS), legend=alt.Legend(orient="bottom", title=None)),
        order=alt.Order("order:Q"),
        tooltip=["segment", "band", alt.Tooltip("mrr:Q", format="$,.0f")],
    ).transform_calculate(order="datum.band == 'red' ? 0 : datum.band == 'amber' ? 1 : 2") \
        .properties(height=alt.Step(44))


def contributions(parts: pd.DataFrame) -> alt.Chart:
    """Each measure's contribution (coloured by group) and the points it loses (grey) out of its share."""
    d = parts[parts["status"] == "used"]
    long = pd.concat([d.assign(kind="earned", value=d["contribution"]),
                      d.assign(kind="lost", value=d["lost"])], ignore_index=True)
    long["colour"] = long["group"].where(long["kind"] == "earned", "lost")
    scale = alt.Scale(domain=[*GROUP_COLORS.domain, "lost"], range=[*GROUP_COLORS.range, "#e0e0e0"])
    return alt.Chart(long).mark_bar().encode(
        y=alt.Y("measure:N", sort=d["measure"].tolist(), title=None, axis=alt.Axis(labelLimit=200)),
        x=alt.X("value:Q", title=wrapped("Points of the score (earned, and lost in grey)"), stack="zero"),
        color=alt.Color("colour:N", scale=scale, title=None, legend=alt.Legend(orient="bottom", columns=3)),
        order=alt.Order("kind:N"),
        tooltip=["measure", "group", "kind", alt.Tooltip("value:Q", format=".1f"),
                 alt.Tooltip("points:Q", format=".0f", title="measure points (0-100)"),
                 alt.Tooltip("share:Q", format=".0%", title="share of the score")],
    ).properties(height=alt.Step(24))  # a row per measure, every label shown


def score_trend(trend: pd.DataFrame, red_max: float, amber_max: float) -> alt.Chart:
    """One customer's score month by month, over the band areas."""
    bands = pd.DataFrame({"band": list(BANDS), "lo": [0, red_max, amber_max], "hi": [red_max, amber_max, 100]})
    areas = alt.Chart(bands).mark_rect(opacity=0.12).encode(
        y=alt.Y("lo:Q", scale=alt.Scale(domain=[0, 100]), title="Health score"), y2="hi:Q",
        color=alt.Color("band:N", scale=BAND_COLORS, legend=None))
    line = alt.Chart(trend.assign(day=datetimes(trend["day"]))).mark_line(point=True, color="#333").encode(
        x=alt.X("day:T", title=None, axis=alt.Axis(format="%b %Y")), y="score:Q",
        tooltip=[alt.Tooltip("day:T", format="%Y-%m-%d"), alt.Tooltip("score:Q", format=".1f"), "band", "stage"])
    return (areas + line).properties(height=260)


def band_churn(bands: pd.DataFrame) -> alt.Chart:
    """Observed churn rate per band (bars) with the rate the score predicts (black ticks)."""
    base = alt.Chart(bands).encode(x=alt.X("band:N", sort=list(BANDS), title=None, axis=alt.Axis(labelAngle=0)))
    bars = base.mark_bar().encode(
        y=alt.Y("churn_rate:Q", axis=alt.Axis(format="%"), title="Churn rate"),
        color=alt.Color("band:N", scale=BAND_COLORS, legend=None),
        tooltip=["band", alt.Tooltip("churn_rate:Q", format=".1%", title="observed churn rate"),
                 alt.Tooltip("predicted:Q", format=".1%", title="predicted churn rate"),
                 alt.Tooltip("customers:Q", format=",", title="customer-months"),
                 alt.Tooltip("churners:Q", format=",", title="churned")])
    ticks = base.mark_tick(color="black", thickness=2, size=40).encode(y="predicted:Q")
    return (bars + ticks).properties(height=330)


def band_months(bm: pd.DataFrame) -> alt.Chart:
    """Each band's churn rate month by month (is the separation stable?)."""
    d = bm.assign(month=datetimes(bm["cutoff"]).dt.strftime("%Y-%m"))
    return alt.Chart(d).mark_line(point=True).encode(
        x=alt.X("month:O", title=None, axis=alt.Axis(labelAngle=-45)),
        y=alt.Y("churn_rate:Q", axis=alt.Axis(format="%"), title="Churn rate"),
        color=alt.Color("band:N", scale=BAND_COLORS, sort=list(BANDS), legend=alt.Legend(orient="bottom", title=None)),
        tooltip=["month", "band", alt.Tooltip("churn_rate:Q", format=".1%", title="churn rate"),
                 alt.Tooltip("customers:Q", format=",")]).properties(height=330)


def weights(table: pd.DataFrame, stage: str) -> alt.Chart:
    """Current and suggested weights of one profile, side by side."""
    d = table[table["stage"] == stage].melt(id_vars=["measure"], value_vars=["current", "suggested"],
                                            var_name="weights", value_name="weight")
    return alt.Chart(d).mark_bar().encode(
        y=alt.Y("measure:N", title=None, axis=alt.Axis(labelLimit=200)),
        yOffset="weights:N", x=alt.X("weight:Q", title="Weight (of 100)"),
        color=alt.Color("weights:N", scale=alt.Scale(range=["#9e9e9e", "#1f77b4"]),
                        legend=alt.Legend(orient="bottom", title=None)),
        tooltip=["measure", "weights", "weight"]).properties(height=100 + 30 * d["measure"].nunique())
