"""Charts of the Feedback themes page (Altair; data comes ready from core)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ui.chart_style import wrapped


def churn_impact(imp: pd.DataFrame) -> alt.Chart:
    """Churn difference of each theme (points) with its 95 % interval; red when the theme goes with more churn."""
    d = imp.dropna(subset=["churn_diff"]).assign(
        diff=lambda x: x["churn_diff"] * 100, low=lambda x: x["churn_low"] * 100, high=lambda x: x["churn_high"] * 100,
        direction=lambda x: (x["churn_low"] > 0).map({True: "more churn", False: "no clear difference"})
        .where(x["churn_high"] >= 0, "less churn"))
    order = d["theme"].tolist()
    y = alt.Y("theme:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    color = alt.Color("direction:N", title=None, scale=alt.Scale(
        domain=["more churn", "no clear difference", "less churn"], range=["#d62728", "#9e9e9e", "#2ca02c"]))
    base = alt.Chart(d)
    bars = base.mark_rule(strokeWidth=2).encode(x=alt.X("low:Q",
                                                        title=wrapped("Churn rate difference, points (95 % interval)")),
                                                  x2="high:Q", y=y, color=color)
    dots = base.mark_circle(size=90).encode(
        x="diff:Q", y=y, color=color,
        tooltip=[alt.Tooltip("theme:N", title="Theme"), alt.Tooltip("diff:Q", format="+.1f", title="Difference (pts)"),
                 alt.Tooltip("low:Q", format="+.1f", title="Low (pts)"),
                 alt.Tooltip("high:Q", format="+.1f", title="High (pts)"),
                 alt.Tooltip("n_raised:Q", title="customers who raised it")])
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#555", strokeDash=[4, 3]).encode(x="x:Q")
    return (bars + dots + zero).properties(height=max(180, 28 * len(d)))


def mrr_at_risk(imp: pd.DataFrame) -> alt.Chart:
    """MRR at risk per theme (bars)."""
    d = imp.sort_values("mrr_at_risk", ascending=False)
    return alt.Chart(d).mark_bar(color="#ff7f0e").encode(
        x=alt.X("mrr_at_risk:Q", title="MRR at risk ($)", axis=alt.Axis(format="$,.0f")),
        y=alt.Y("theme:N", sort=d["theme"].tolist(), title=None, axis=alt.Axis(labelLimit=260)),
        tooltip=[alt.Tooltip("theme:N", title="Theme"), alt.Tooltip("mrr_at_risk:Q", title="MRR at risk ($)",
                                                                     format="$,.0f"),
                 alt.Tooltip("customers_at_risk:Q", title="Customers at risk", format=",.0f")],
    ).properties(height=max(180, 28 * len(d)))


def over_time(ot: pd.DataFrame) -> alt.Chart:
    """Share of verbatims naming each top-level theme, per period."""
    return alt.Chart(ot).mark_line(point=True).encode(
        x=alt.X("period:N", title=None, sort=None),
        y=alt.Y("share:Q", title="Share of verbatims", axis=alt.Axis(format="%")),
        color=alt.Color("theme:N", title="Theme"),
        tooltip=["period", "theme", "mentions", "verbatims", alt.Tooltip("share:Q", format=".1%"),
                 alt.Tooltip("sentiment:Q", format="+.2f")]).properties(height=320)


#: the heat map's height per theme row (px) and its least height
ROW_HEIGHT, MIN_HEIGHT = 34, 160
#: below this column width (px) the group names slant (SLANT degrees) and may take SLANT_LIMIT px, so none runs into
#: the next ("EnterpSMB"); above it they stand level, each cut to its column
WIDE_LABEL, SLANT, SLANT_LIMIT = 100, -40, 110


def by_group(bg: pd.DataFrame, group_title: str) -> alt.Chart:
    """Heat map: share of each group's verbatims that name each theme, themes down the side (one readable row each,
    the chart as tall as its rows) and the groups across, their names level and cut to fit a phone's width; the
    chart takes its container's width."""
    themes = list(dict.fromkeys(bg["theme"]))
    groups = sorted(bg["group"].astype(str).unique())
    band = f"(width / {max(len(groups), 1)})"  # one column's width, as drawn (the chart spans its container)
    narrow = f"{band} < {WIDE_LABEL}"
    base = alt.Chart(bg).encode(
        y=alt.Y("theme:N", title=None, sort=themes, axis=alt.Axis(labelLimit=180)),
        x=alt.X("group:N", title=group_title, sort=groups, axis=alt.Axis(
            orient="top", labelOverlap=False, labelAngle=alt.ExprRef(f"{narrow} ? {SLANT} : 0"),
            labelAlign=alt.ExprRef(f"{narrow} ? 'left' : 'center'"),
            labelBaseline=alt.ExprRef(f"{narrow} ? 'middle' : 'bottom'"),
            labelLimit=alt.ExprRef(f"{narrow} ? {SLANT_LIMIT} : {band} - 8"))))
    rect = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color("share:Q", title="Share of verbatims", scale=alt.Scale(scheme="oranges"),
                        legend=alt.Legend(format=".0%", orient="bottom")),
        tooltip=[alt.Tooltip("group:N", title=group_title), alt.Tooltip("theme:N", title="Theme"),
                 alt.Tooltip("mentions:Q", title="Verbatims naming it", format=",.0f"),
                 alt.Tooltip("verbatims:Q", title="Verbatims", format=",.0f"),
                 alt.Tooltip("share:Q", title="Share", format=".1%")])
    dark = bg["share"].max() * 0.6 if len(bg) else 1.0
    text = base.mark_text(fontSize=12).encode(
        text=alt.Text("share:Q", format=".0%"),
        color=alt.condition(alt.datum.share > dark, alt.value("white"), alt.value("black")))
    return (rect + text).properties(width="container", height=max(MIN_HEIGHT, ROW_HEIGHT * len(themes)))


def scores(table: pd.DataFrame, metric: str) -> alt.Chart:
    """One survey metric per period and group, with its 95 % interval as a band."""
    d = table[table["metric"] == metric]
    fmt = ".1f"
    groups = ["All"] + sorted(g for g in d["group"].unique() if g != "All")
    base = alt.Chart(d).encode(x=alt.X("period:N", title=None, sort=None),
                               color=alt.Color("group:N", title=None, sort=groups,
                                               scale=alt.Scale(domain=groups, range=_PALETTE[:len(groups)])))
    band = base.mark_area(opacity=0.15).encode(y=alt.Y("low:Q", title=metric), y2="high:Q")
    line = base.mark_line(point=True).encode(
        y="value:Q", tooltip=["period", "group", alt.Tooltip("value:Q", format=fmt), alt.Tooltip("low:Q", format=fmt),
                              alt.Tooltip("high:Q", format=fmt), "n"])
    return (band + line).properties(height=340)


_PALETTE = ["#222222", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
            "#bcbd22", "#17becf"]
