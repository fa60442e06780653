"""The text alternative of each Intervention ROI chart (issue 21, Deliver 3): one sentence with the chart's key figure,
read from the frame the chart draws, and the chart's data as a tidy table with human headers (the download under
the chart).

* Effects (an arm's or a group's difference with its 95 % interval): the largest plain effect, in the words of
  :func:`core.roi.plain.effect` ("treatment (vs holdout) added 7.7 customers kept per 100 contacted, between 7.0
  and 8.3."), with how many rows the chart holds when it holds several.
* Time to impact: the difference on the window's last day with its interval, and the first day the whole interval
  is above zero.
* Power curve: the contacts (treated and held out) that reach the target power: the exact sample size when the page
  has it, else the first point of the curve at or above the target.
* Qini curve: where the uplift model's order gains most over a random order: the share targeted, the model's extra
  gain there and the random order's.
"""

from __future__ import annotations

import pandas as pd

from core.export import chart_text, units
from core.roi import plain
from core.roi.defaults import RETAINED


def _plain_rows(table: pd.DataFrame) -> pd.DataFrame:
    rows = table[table["estimate"] == "plain"] if "estimate" in table else table
    return rows.dropna(subset=["difference"])


def _largest(table: pd.DataFrame) -> tuple[pd.Series, int] | None:
    rows = _plain_rows(table)
    if rows.empty:
        return None
    return rows.sort_values("difference", ascending=False, kind="stable").iloc[0], len(rows)


def arm_effects(table: pd.DataFrame, control: str, *, binary: bool, outcome: str, label: str) -> str:
    """The Effect tab's chart (``arm, estimate, difference, low, high``): the arm with the largest plain effect."""
    return _largest_said(table, "Play effect", lambda row: f"{row['arm']} (vs {control})", "arms", binary=binary,
                         outcome=outcome, label=label, lower=False)


def group_effects(table: pd.DataFrame, *, binary: bool, outcome: str, label: str, what: str = "groups") -> str:
    """A chart of the play's effect per group (``group, difference, low, high``; Where it works, Fatigue): the group
    where the play gains most."""
    return _largest_said(table, "Play effect by group", lambda row: f"For {row['group']}, the play", what,
                         binary=binary, outcome=outcome, label=label)


def _largest_said(table: pd.DataFrame, chart: str, subject, what: str, *, binary: bool, outcome: str, label: str,
                  lower: bool = True) -> str:
    """The plain effect of the row with the largest effect, named by ``subject(row)``, with how many ``what`` it
    was chosen from when there were several (``chart``'s sentence when there is none; ``lower``: the sentence's
    first letter lower-cased after the count, where it is a word of ours rather than a name from the data)."""
    found = _largest(table)
    if found is None:
        return chart_text.none_shown(chart)
    row, n = found
    said = plain.effect(subject(row), row["difference"], row["low"], row["high"], binary=binary, outcome=outcome,
                        label=label)
    if n == 1:
        return said
    return f"Largest effect of {n:,} {what}: {said[:1].lower() + said[1:] if lower else said}"


def effects_data(table: pd.DataFrame, name: str, *, binary: bool) -> pd.DataFrame:
    """An effects chart's data with human headers: points for a yes/no outcome, money per contact otherwise."""
    unit, scale = ("points", 100.0) if binary else ("$ per contact", 1.0)
    out = pd.DataFrame({name.capitalize(): table[name].astype(str).to_numpy()})
    if "estimate" in table:
        out["Estimate"] = table["estimate"].to_numpy()
    for col, head in (("difference", "Difference"), ("low", "Low (95 % interval)"), ("high", "High (95 % interval)")):
        out[f"{head}, {unit}"] = (scale * table[col].astype(float)).round(2).to_numpy()
    return out


def time_to_impact(t: pd.DataFrame) -> str:
    """The time-to-impact chart (``day, difference, low, high``): the last day's retention difference with its
    interval, and the first day it is clearly above zero."""
    if t.empty:
        return chart_text.none_shown("Retention difference by day since contact")
    last = t.iloc[-1]
    said = (f"Retention difference {int(last['day'])} days after contact: {units.points(last['difference'])} "
            f"(95 % interval {units.points(last['low'])} to {units.points(last['high'])})")
    first = t.loc[t["low"] > 0, "day"]
    when = (f"first clearly above zero on day {int(first.iloc[0])}" if len(first)
            else "never clearly above zero in the window")
    return f"{said}; {when}."


def power_curve(curve: pd.DataFrame, target: float, needed: float | None = None) -> str:
    """The power curve (``contacts, power``): the contacts that reach ``target`` power, ``needed`` (the exact sample
    size) when given, else the curve's first point at or above the target."""
    if curve.empty:
        return chart_text.none_shown("Power by number of contacts")
    goal = units.percent(target, digits=0)
    if needed is None:
        reached = curve.loc[curve["power"] >= target, "contacts"]
        if reached.empty:
            top = curve.iloc[-1]
            return (f"Power reaches only {units.percent(top['power'], digits=0)} at {units.count(top['contacts'])} "
                    f"contacts, short of the {goal} target.")
        needed = reached.iloc[0]
    return f"Contacts needed for {goal} power: {units.count(needed)} (treated and held out together)."


def power_data(curve: pd.DataFrame) -> pd.DataFrame:
    """The power curve's data with human headers."""
    return pd.DataFrame({"Contacts (treated + held out)": curve["contacts"].to_numpy(),
                         "Power (%)": (100 * curve["power"].astype(float)).round(1).to_numpy()})


def qini(curve: pd.DataFrame, *, binary: bool, outcome: str = RETAINED, label: str = "Retained") -> str:
    """The Qini chart (``share_targeted, qini, random``): the share targeted where the uplift model's order gains
    most over a random order, and the two gains there."""
    if curve.empty:
        return chart_text.none_shown("Qini curve")
    gap = curve["qini"] - curve["random"]
    if not (gap > 0).any():
        return "The uplift model's order gains no more than a random order at any share of contacts targeted."
    best = curve.loc[gap.idxmax()]
    if binary:
        gain = f"{units.count(best['qini'])} extra {plain.noun(outcome, label)}"
        random = units.count(best["random"])
    else:
        gain, random = f"{units.money(best['qini'])} more {label.lower()}", units.money(best["random"])
    return (f"Targeting the top {units.percent(best['share_targeted'], digits=0)} of contacts in the uplift model's "
            f"order gains {gain}, against {random} in a random order.")
