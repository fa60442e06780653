"""Altair chart builders shared by the pages (no data logic: frames in, charts out)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.cohorts.competing import CAUSES
from core.cohorts.reading import average_name, cohort_names, default_shown
from core.cohorts.table import CohortTable
from ui.chart_style import wrapped

#: d3 formats of a share, as core.export.units writes one: whole percent on an axis or in a cell ("25%"), one
#: decimal in a tooltip ("25.0%", units.percent); a bare "%" would print six decimals ("100.000000%")
AXIS_PERCENT, TIP_PERCENT, COUNT = ".0%", ".1%", ",.0f"
#: the heat map's column of cohort sizes
SIZE_COLUMN = "Customers"
#: the average line's colour, and the cohorts' (light, told apart: Tableau's ten, paler than the average)
AVERAGE_COLOUR = "#111111"
#: the curves legend's columns under the chart: one on a phone (its names never cut), three on a wide screen
LEGEND_COLUMNS = "width < 560 ? 1 : 3"
COHORT_COLOURS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7",
                  "#9c755f", "#bab0ac"]


def _long(t: CohortTable) -> pd.DataFrame:
    long = t.values.stack(future_stack=True).rename("value").reset_index()
    long["customers"] = long["cohort"].map(t.sizes)
    long["small"] = long["cohort"].map(t.small)
    return long.dropna(subset=["value"])


def _heat_frame(t: CohortTable) -> pd.DataFrame:
    """The heat map's rows: the cells (``kind`` "cell", ``column`` the period), each cohort's size in the
    "Customers" column (``kind`` "size") and the average row (``kind`` "average", its ``cohort`` its name)."""
    cells = _long(t)
    cells["kind"] = "cell"
    sizes = pd.DataFrame({"cohort": t.sizes.index, "customers": t.sizes.to_numpy(),
                          "small": t.small.to_numpy(), "kind": "size"})
    avg = t.average.dropna().rename("value").reset_index()
    avg = avg.assign(cohort=average_name(t), small=False, kind="average")
    out = pd.concat([cells, sizes, avg], ignore_index=True)
    out["column"] = out["period"].map(lambda k: SIZE_COLUMN if pd.isna(k) else str(int(k)))
    return out


#: the narrowest cell (px) whose figure ("100%", "1,234") is printed in it
CELL_TEXT_MIN_PX = 30


def cohort_heatmap(t: CohortTable, percent: bool = True) -> alt.Chart:
    """The cohort triangle: colour for cohorts of at least the minimum size, grey for smaller ones; each cohort's
    size in a "Customers" column on the left, and the average as the bottom row, named."""
    df = _heat_frame(t)
    fmt = AXIS_PERCENT if percent else COUNT
    periods = [str(int(k)) for k in t.values.columns]
    rows = [*t.values.index, average_name(t)]
    word = str(t.settings.get("period", "period")).capitalize()
    base = alt.Chart(df).encode(
        x=alt.X("column:O", sort=[SIZE_COLUMN, *periods],
                title=wrapped(f"{word}s since the cohort's first {word.lower()}"),
                axis=alt.Axis(labelAngle=0, orient="top", labelOverlap="greedy",
                              labelAlign=alt.condition(f"datum.label == '{SIZE_COLUMN}'", alt.value("right"),
                                                       alt.value("center")),
                              labelFontWeight=alt.condition(f"datum.label == '{SIZE_COLUMN}'", alt.value("bold"),
                                                            alt.value("normal")))),
        y=alt.Y("cohort:O", title="Cohort", sort=rows, axis=alt.Axis(labelOverlap=False, labelLimit=260)))
    tip = ["cohort", "period", alt.Tooltip("value:Q", format=TIP_PERCENT if percent else COUNT), "customers"]
    shares = base.transform_filter("datum.kind != 'size'")
    color = alt.condition("datum.small", alt.value("#e6e6e6"),
                          alt.Color("value:Q", scale=alt.Scale(scheme="blues"), legend=None))
    cells = shares.mark_rect(stroke="white").encode(color=color, tooltip=tip)
    # a cell's figure only where a cell is wide enough to hold it (the chart's width is known in the browser):
    # 36 monthly cohorts at 390 px would print the figures over each other; the tooltip and the data keep them
    legible = alt.ExprRef(f"width / {len(periods) + 1} >= {CELL_TEXT_MIN_PX} ? 1 : 0")
    text = base.transform_filter("datum.kind == 'cell'").mark_text(fontSize=10, opacity=legible).encode(
        text=alt.Text("value:Q", format=fmt),
        color=alt.condition("datum.value > 0.6 && !datum.small", alt.value("white"), alt.value("#333")))
    avg_text = base.transform_filter("datum.kind == 'average'").mark_text(fontSize=10, fontWeight="bold",
                                                                                      opacity=legible).encode(
        text=alt.Text("value:Q", format=fmt),
        color=alt.condition("datum.value > 0.6", alt.value("white"), alt.value("#111")))
    size = base.transform_filter("datum.kind == 'size'").mark_text(fontSize=10, fontWeight="bold", color="#333") \
        .encode(text=alt.Text("customers:Q", format=COUNT), tooltip=["cohort", alt.Tooltip("customers:Q",
                                                                                             format=COUNT)])
    return alt.layer(cells, text, avg_text, size).properties(height=max(200, 20 * (t.values.shape[0] + 1)))


def curves_frame(t: CohortTable, shown: list[str]) -> pd.DataFrame:
    """The curves chart's rows: the average (``kind`` "average") and the cohorts ``shown`` (``kind`` "cohort"),
    each line's ``name`` the average's or the cohort's with its size."""
    names = cohort_names(t)
    long = _long(t)
    long = long[long["cohort"].isin(shown)].assign(name=lambda d: d["cohort"].map(names), kind="cohort")
    avg = t.average.dropna().rename("value").reset_index().assign(name=average_name(t), kind="average")
    return pd.concat([avg, long[["period", "value", "name", "kind", "cohort", "customers"]]], ignore_index=True)


def cohort_curves(t: CohortTable, shown: list[str] | None = None, percent: bool = True) -> alt.Chart:
    """The average as a thick, named line in front; the cohorts ``shown`` (default
    :func:`core.cohorts.reading.default_shown`) as thin light lines behind it, named with their sizes, each in a
    colour of its own."""
    shown = default_shown(t) if shown is None else [c for c in t.values.index if c in set(shown)]
    df = curves_frame(t, shown)
    avg_name, names = average_name(t), cohort_names(t)
    domain = [avg_name, *[names[c] for c in shown]]
    palette = [AVERAGE_COLOUR, *[COHORT_COLOURS[i % len(COHORT_COLOURS)] for i in range(len(shown))]]
    fmt = AXIS_PERCENT if percent else COUNT
    base = alt.Chart(df).encode(
        x=alt.X("period:Q", title=f"{str(t.settings.get('period', 'period')).capitalize()}s since cohort start",
                axis=alt.Axis(tickMinStep=1, format="d")),
        y=alt.Y("value:Q", title="Retention" if percent else "Customers", axis=alt.Axis(format=fmt)),
        color=alt.Color("name:N", scale=alt.Scale(domain=domain, range=palette),
                        legend=alt.Legend(title=None, orient="bottom", columns=alt.ExprRef(LEGEND_COLUMNS),
                                          labelLimit=320, symbolType="stroke", symbolStrokeWidth=3,
                                          labelFontSize=12)),
        tooltip=[alt.Tooltip("name:N", title="line"), "period",
                 alt.Tooltip("value:Q", format=TIP_PERCENT if percent else COUNT)])
    lines = base.transform_filter("datum.kind == 'cohort'").mark_line(strokeWidth=2, opacity=0.8)
    mean = base.transform_filter("datum.kind == 'average'").mark_line(strokeWidth=3)
    end = (base.transform_filter("datum.kind == 'average'")
           .transform_window(rank="rank()", sort=[alt.SortField("period", order="descending")])
           .transform_filter("datum.rank == 1")
           .mark_text(align="right", baseline="top", dx=-2, dy=16, fontWeight="bold", color=AVERAGE_COLOUR)
           .encode(text="name:N", color=alt.value(AVERAGE_COLOUR)))
    return alt.layer(lines, mean, end).properties(height=340)


def tracked_period(series: pd.Series, period: str = "month") -> alt.Chart:
    """Retention in one period across cohorts (is retention improving?), its axis named in the table's period
    ("Retained in month 3")."""
    df = series.rename("value").reset_index()
    title = f"Retained in {period} {str(series.name).removeprefix('period ')}"
    return alt.Chart(df).mark_line(point=True).encode(
        x=alt.X("cohort:O", title="Cohort"),
        # one decimal, ticks never closer than 0.1 pt: whole-percent ticks over a narrow range read "11%, 10%, 10%"
        y=alt.Y("value:Q", axis=alt.Axis(format=TIP_PERCENT, tickMinStep=0.001), title=title,
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
        tooltip=[alt.Tooltip("group:N", title="Group"),
                 alt.Tooltip("time:Q", title="Months since signup", format=".1f"),
                 alt.Tooltip("survival:Q", title="Still a customer", format=TIP_PERCENT),
                 alt.Tooltip("at_risk:Q", title="Customers followed this long", format=",.0f")])
    return (band + line).properties(height=320)


def group_curves(df: pd.DataFrame, percent: bool = True) -> alt.Chart:
    """Average retention curve per group (segment, plan ...)."""
    return alt.Chart(df).mark_line(point=True).encode(
        x=alt.X("period:Q", title="Period since cohort start"),
        y=alt.Y("value:Q", title="Average retention", axis=alt.Axis(format=AXIS_PERCENT if percent else COUNT)),
        color=alt.Color("group:N", title=None),
        tooltip=["group", "period", alt.Tooltip("value:Q", format=TIP_PERCENT if percent else COUNT),
                 "customers"]).properties(height=300)


def incidence_curves(curves: pd.DataFrame, grouped: bool) -> alt.TopLevelMixin:
    """Cumulative incidence step curves: for all customers one colour per cause with its 95 % band; by group
    (``grouped``) one colour per group, a cancellation drawn solid and a failed payment dashed (no bands: six of them
    would hide the lines; the table has the intervals)."""
    tooltip = [alt.Tooltip("group:N", title="Group"), alt.Tooltip("cause:N", title="Cause"),
               alt.Tooltip("time:Q", title="Months since signup", format=".1f"),
               alt.Tooltip("incidence:Q", title="Churned of this cause", format=TIP_PERCENT),
               alt.Tooltip("at_risk:Q", title="Customers followed this long", format=",.0f")]
    y = alt.Y("incidence:Q", title="Churned of this cause", axis=alt.Axis(format=AXIS_PERCENT))
    x = alt.X("time:Q", title="Months since signup")
    if grouped:
        return alt.Chart(curves).mark_line(interpolate="step-after").encode(
            x=x, y=y, color=alt.Color("group:N", title=None),
            strokeDash=alt.StrokeDash("cause:N", title=None, sort=list(CAUSES)),
            detail=["group:N", "cause:N"], tooltip=tooltip).properties(height=320)
    base = alt.Chart(curves).encode(x=x, color=alt.Color("cause:N", title=None, sort=list(CAUSES)))
    band = base.mark_area(opacity=0.18, interpolate="step-after").encode(y="lower:Q", y2="upper:Q")
    return (band + base.mark_line(interpolate="step-after").encode(y=y, tooltip=tooltip)).properties(height=320)
