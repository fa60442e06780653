"""Charts of the Intervention ROI page (Altair; figures come ready from core)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ui.chart_style import wrapped

_COLOURS = {"works": "#2ca02c", "no clear difference": "#9e9e9e", "hurts": "#d62728"}


def _direction(low: pd.Series, high: pd.Series) -> pd.Series:
    return pd.Series("no clear difference", index=low.index).mask(low > 0, "works").mask(high < 0, "hurts")


def effects(table: pd.DataFrame, label: str, scale: float = 100.0, unit: str = "points") -> alt.Chart:
    """Each row's difference with its 95 % interval, one line per arm and estimate (plain, CUPED).

    ``table`` has ``<label>, estimate, difference, low, high``; green when the whole interval is above zero,
    red when below, grey when it spans zero.
    """
    d = table.assign(diff=table["difference"] * scale, lo=table["low"] * scale, hi=table["high"] * scale,
                     direction=_direction(table["low"], table["high"]),
                     line=table[label].astype(str) + (" (" + table["estimate"] + ")" if table["estimate"].nunique() > 1
                                                        else ""))
    y = alt.Y("line:N", title=None, sort=None, axis=alt.Axis(labelLimit=320))
    color = alt.Color("direction:N", title=None, scale=alt.Scale(domain=list(_COLOURS), range=list(_COLOURS.values())),
                      legend=alt.Legend(orient="bottom"))
    base = alt.Chart(d)
    bars = base.mark_rule(strokeWidth=4).encode(
        x=alt.X("lo:Q", title=wrapped(f"Difference, {unit} (95 % interval)")), x2="hi:Q", y=y, color=color)
    dots = base.mark_circle(size=110, opacity=1).encode(
        x="diff:Q", y=y, color=color,
        tooltip=[label, "estimate", alt.Tooltip("diff:Q", format="+.2f", title=f"difference ({unit})"),
                 alt.Tooltip("lo:Q", format="+.2f", title="low"), alt.Tooltip("hi:Q", format="+.2f", title="high")])
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#555", strokeDash=[4, 3]).encode(x="x:Q")
    # the height includes the axis and the legend below (Streamlit fits the whole chart into it)
    return (bars + dots + zero).properties(height=110 + 46 * len(d))


def time_to_impact(t: pd.DataFrame) -> alt.Chart:
    """Cumulative retention difference by day since contact, with its 95 % band."""
    d = t.assign(diff=t["difference"] * 100, lo=t["low"] * 100, hi=t["high"] * 100)
    x = alt.X("day:Q", title="Days since contact")
    band = alt.Chart(d).mark_area(opacity=0.25, color="#1f77b4").encode(
        x=x, y=alt.Y("lo:Q", title="Retention difference, points"), y2="hi:Q")
    line = alt.Chart(d).mark_line(color="#1f77b4").encode(
        x=x, y="diff:Q", tooltip=["day", alt.Tooltip("diff:Q", format="+.2f", title="difference (pts)"),
                                  alt.Tooltip("treatment:Q", format=".1%", title="still here, contacted"),
                                  alt.Tooltip("control:Q", format=".1%", title="still here, held out")])
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="#555", strokeDash=[4, 3]).encode(y="y:Q")
    return (band + line + zero).properties(height=300)


def power_curve(curve: pd.DataFrame, target: float) -> alt.Chart:
    """Power against the number of contacts, with the target line."""
    line = alt.Chart(curve).mark_line(color="#1f77b4").encode(
        x=alt.X("contacts:Q", title="Contacts (treated + held out)"),
        y=alt.Y("power:Q", title="Power", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("contacts:Q", format=","), alt.Tooltip("power:Q", format=".1%")])
    rule = alt.Chart(pd.DataFrame({"y": [target]})).mark_rule(color="#d62728", strokeDash=[4, 3]).encode(y="y:Q")
    return (line + rule).properties(height=260)


def qini(curve: pd.DataFrame) -> alt.Chart:
    """Qini curve of the uplift model against the random line (extra customers kept against share targeted)."""
    long = pd.concat([curve.assign(line="uplift model", value=curve["qini"]),
                      curve.assign(line="random order", value=curve["random"])], ignore_index=True)
    return alt.Chart(long).mark_line().encode(
        x=alt.X("share_targeted:Q", title=wrapped("Share of contacts targeted (highest predicted uplift first)"),
                axis=alt.Axis(format="%")),
        y=alt.Y("value:Q", title="Extra customers kept (Qini)"),
        color=alt.Color("line:N", title=None, scale=alt.Scale(domain=["uplift model", "random order"],
                                                              range=["#1f77b4", "#9e9e9e"]),
                        legend=alt.Legend(orient="bottom")),
        strokeDash=alt.StrokeDash("line:N", legend=None, scale=alt.Scale(
            domain=["uplift model", "random order"], range=[[1, 0], [5, 4]])),
        tooltip=[alt.Tooltip("share_targeted:Q", format=".0%", title="Share targeted"),
                 alt.Tooltip("line:N", title="Order"), alt.Tooltip("value:Q", format=",.1f", title="Extra gain")],
    ).properties(height=320)
