"""Altair chart builders shared by the pages (no data logic: frames in, charts out)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.cohorts.table import CohortTable

#: d3 formats of a share, as core.export.units writes one: whole percent on an axis or in a cell ("25%"), one
#: decimal in a tooltip ("25.0%", units.percent); a bare "%" would print six decimals ("100.000000%")
AXIS_PERCENT, TIP_PERCENT, COUNT = ".0%", ".1%", ",.0f"


def _long(t: CohortTable) -> pd.DataFrame:
    long = t.values.stack(future_stack=True).rename("value").reset_index()
    long["customers"] = long["cohort"].map(t.sizes)
    long["small"] = long["cohort"].map(t.small)
    return long.dropna(subset=["value"])


def cohort_heatmap(t: CohortTable, percent: bool = True) -> alt.Chart:
    """The cohort triangle: colour for cohorts of at least the minimum size, grey for smaller ones."""
    long = _long(t)
    fmt = AXIS_PERCENT if percent else COUNT
    base = alt.Chart(long).encode(
        x=alt.X("period:O", title="Period since cohort start"),
        y=alt.Y("cohort:O", title="Cohort", sort="ascending"),
        tooltip=["cohort", "period", alt.Tooltip("value:Q", format=TIP_PERCENT if percent else COUNT), "customers"])
    color = alt.condition("datum.small", alt.value("#e6e6e6"),
                          alt.Color("value:Q", scale=alt.Scale(scheme="blues"), legend=None))
    cells = base.mark_rect().encode(color=color)
    text = base.mark_text(fontSize=10).encode(
        text=alt.Text("value:Q", format=fmt),
        color=alt.condition("datum.value > 0.6 && !datum.small", alt.value("white"), alt.value("#333")))
    return (cells + text).properties(height=max(200, 18 * t.values.shape[0]))


def cohort_curves(t: CohortTable, max_lines: int = 12, percent: bool = True) -> alt.Chart:
    """One line per cohort (the latest ``max_lines``, cohorts under the minimum size left out) plus the
    average in black."""
    long = _long(t)
    keep = [c for c in t.values.index[~t.small.to_numpy()]][-max_lines:]
    lines = alt.Chart(long[long["cohort"].isin(keep)]).mark_line(strokeWidth=1, opacity=0.55).encode(
        x=alt.X("period:Q", title="Period since cohort start"),
        y=alt.Y("value:Q", title="Retention" if percent else "Customers",
                axis=alt.Axis(format=AXIS_PERCENT if percent else COUNT)),
        color=alt.Color("cohort:N", legend=alt.Legend(title="Cohort", columns=2)),
        tooltip=["cohort", "period", alt.Tooltip("value:Q", format=TIP_PERCENT if percent else COUNT)])
    avg = t.average.dropna().rename("value").reset_index()
    mean = alt.Chart(avg).mark_line(color="black", strokeWidth=3).encode(
        x="period:Q", y="value:Q",
        tooltip=[alt.Tooltip("value:Q", format=TIP_PERCENT if percent else COUNT, title="average")])
    return (lines + mean).properties(height=320)


def tracked_period(series: pd.Series) -> alt.Chart:
    """Retention in one period across cohorts (is retention improving?)."""
    df = series.rename("value").reset_index()
    return alt.Chart(df).mark_line(point=True).encode(
        x=alt.X("cohort:O", title="Cohort"),
        # one decimal, ticks never closer than 0.1 pt: whole-percent ticks over a narrow range read "11%, 10%, 10%"
        y=alt.Y("value:Q", axis=alt.Axis(format=TIP_PERCENT, tickMinStep=0.001), title=series.name,
                scale=alt.Scale(zero=False)),
        tooltip=["cohort", alt.Tooltip("value:Q", format=TIP_PERCENT)]).properties(height=240)


def survival_curves(curves: pd.DataFrame) -> alt.Chart:
    """Kaplan-Meier step curves with their confidence bands, one colour per group."""
    base = alt.Chart(curves).encode(x=alt.X("time:Q", title="Months since signup"),
                                    color=alt.Color("group:N", title=None))
    band = base.mark_area(opacity=0.18, interpolate="step-after").encode(y="lower:Q", y2="upper:Q")
    line = base.mark_line(interpolate="step-after").encode(
        y=alt.Y("survival:Q", title="Still a customer", axis=alt.Axis(format=AXIS_PERCENT),
                scale=alt.Scale(zero=False)),
        tooltip=["group", "time", alt.Tooltip("survival:Q", format=TIP_PERCENT), "at_risk"])
    return (band + line).properties(height=320)


def group_curves(df: pd.DataFrame, percent: bool = True) -> alt.Chart:
    """Average retention curve per group (segment, plan ...)."""
    return alt.Chart(df).mark_line(point=True).encode(
        x=alt.X("period:Q", title="Period since cohort start"),
        y=alt.Y("value:Q", title="Average retention", axis=alt.Axis(format=AXIS_PERCENT if percent else COUNT)),
        color=alt.Color("group:N", title=None),
        tooltip=["group", "period", alt.Tooltip("value:Q", format=TIP_PERCENT if percent else COUNT),
                 "customers"]).properties(height=300)
