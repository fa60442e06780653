"""The text alternatives of the Feedback themes page's charts (issue 21): one plain sentence per chart with its key
figure, read off the same frame the chart draws (:func:`core.feedback.impact.theme_impact`,
:func:`core.feedback.mentions.over_time` and :func:`~core.feedback.mentions.by_group`,
:func:`core.feedback.surveys.survey_scores`). Theme and group names are data: kept as written (the page escapes
them)."""

from __future__ import annotations

import pandas as pd

from core.export import chart_text, units

#: each survey score's unit and scale, as the review writes them (core.review.figures.themes): NPS in its own
#: points, CSAT (a percentage) as a share like every other rate, CES a score
SCORE_UNIT, SCORE_SCALE = {"NPS": "nps", "CSAT": "share", "CES": "score"}, {"CSAT": 0.01}


def score_figure(metric: str, value) -> str:
    """A survey score written in its unit: NPS ``+12.3``, CSAT ``81.0%`` (stored 81.0), CES ``5.120``."""
    return units.format_value(SCORE_SCALE.get(metric, 1.0) * value, SCORE_UNIT[metric])


def period(text: str) -> str:
    """A period of :func:`core.feedback.mentions.over_time` as a leader reads it: ``2024-01 -> 'Jan 2024'``,
    ``2024Q1 -> 'Q1 2024'``, ``2024 -> '2024'``."""
    p = pd.Period(str(text))
    if p.freqstr.startswith("Q"):
        return f"Q{p.quarter} {p.year}"
    if p.freqstr.startswith(("Y", "A")):
        return str(p.year)
    return chart_text.month(p.start_time)


def churn_impact(imp: pd.DataFrame) -> str:
    """The theme that goes with the most churn (largest churn rate difference, points) with its 95 % interval, of
    the themes the chart draws (those with a difference)."""
    d = imp.dropna(subset=["churn_diff"])
    if d.empty:
        return chart_text.none_shown("Churn impact")
    top = d.loc[d["churn_diff"].idxmax()]
    value = (f"{units.points(top['churn_diff'])} churn rate difference, 95 % interval "
             f"{units.points(top['churn_low'])} to {units.points(top['churn_high'])}")
    return chart_text.largest("churn impact", str(top["theme"]), value, among=len(d))


def mrr_at_risk(imp: pd.DataFrame) -> str:
    """The theme with the most MRR at risk, of the themes the chart draws."""
    risk = imp["mrr_at_risk"].astype(float)
    if risk.dropna().empty or risk.max() <= 0:
        return chart_text.none_shown("MRR at risk")
    top = imp.loc[risk.idxmax()]
    return chart_text.largest("MRR at risk", str(top["theme"]), units.money(top["mrr_at_risk"]), among=len(imp))


def over_time(ot: pd.DataFrame) -> str:
    """The most named theme's share of verbatims in the chart's first and last dated period (0 % in a period where
    verbatims exist but none names it)."""
    dated = ot[ot["period"].astype(str) != "NaT"]  # undated verbatims (all dates) have no period
    if dated.empty:
        return chart_text.none_shown("Share of verbatims naming each theme")
    periods = sorted(dated["period"].astype(str).unique())
    theme = dated.groupby("theme", sort=False)["mentions"].sum().idxmax()
    mine = dated[dated["theme"] == theme]
    share = mine.set_index(mine["period"].astype(str))["share"]
    first, last = (share.get(p, 0.0) for p in (periods[0], periods[-1]))
    return chart_text.change(f"Share of verbatims naming {theme} (the most named theme)", period(periods[0]),
                             units.percent(first), period(periods[-1]), units.percent(last))


def by_group(bg: pd.DataFrame, by: str) -> str:
    """The heat map's largest cell: the theme and ``by`` value (segment, plan, region) whose verbatims name it
    most often, as a share of that group's verbatims."""
    if bg.empty or bg["share"].dropna().empty:
        return chart_text.none_shown(f"Themes by {by}")
    top = bg.loc[bg["share"].astype(float).idxmax()]
    return chart_text.largest(f"share of a {by}'s verbatims naming one theme", f"{top['theme']} in {top['group']}",
                              units.percent(top["share"]))


def scores(table: pd.DataFrame, metric: str) -> str:
    """``metric`` (NPS, CSAT, CES) over all answers in the chart's first and last period."""
    d = table[(table["metric"] == metric) & (table["group"] == "All") & (table["period"].astype(str) != "NaT")]
    d = d.dropna(subset=["value"])
    if d.empty:
        return chart_text.none_shown(metric)
    d = d.sort_values("period", key=lambda p: p.astype(str))
    first, last = d.iloc[0], d.iloc[-1]
    return chart_text.change(f"{metric} of all answers", period(first["period"]), score_figure(metric, first["value"]),
                             period(last["period"]), score_figure(metric, last["value"]))
