"""The Feedback themes page's chart sentences (core.feedback.chart_text) against the figures computed here in pandas
on small hand-made frames shaped as the charts' own (theme impact, mentions over time and by group, survey scores),
and the empty cases."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.feedback import chart_text as ct

IMPACT = pd.DataFrame({
    "theme": ["Pricing", "Onboarding", "Bugs", "Praise"],
    "churn_diff": [0.052, 0.123, np.nan, -0.031], "churn_low": [0.011, 0.047, np.nan, -0.08],
    "churn_high": [0.25, 0.199, np.nan, 0.018], "mrr_at_risk": [1200.4, 830.0, 12500.6, np.nan],
})
OVER_TIME = pd.DataFrame({
    "period": ["2024-01", "2024-01", "2024-02", "2024-03", "2024-03"],
    "theme": ["Pricing", "Bugs", "Bugs", "Pricing", "Bugs"],
    "mentions": [3, 1, 2, 5, 1], "verbatims": [10, 10, 8, 20, 20],
})
OVER_TIME["share"] = OVER_TIME["mentions"] / OVER_TIME["verbatims"]
BY_GROUP = pd.DataFrame({"group": ["Enterprise", "Enterprise", "SMB", "SMB"], "theme": ["Pricing", "Bugs"] * 2,
                         "mentions": [4, 1, 2, 7], "verbatims": [9, 9, 16, 16]})
BY_GROUP["share"] = BY_GROUP["mentions"] / BY_GROUP["verbatims"]
SCORES = pd.DataFrame({
    "period": ["2024Q3", "2024Q1", "2024Q1", "2024Q3", "2024Q1", "2024Q3"],
    "group": ["All", "All", "SMB", "SMB", "All", "All"],
    "metric": ["NPS", "NPS", "NPS", "NPS", "CSAT", "CSAT"],
    "value": [21.44, -3.3, 50.0, 10.0, 78.25, 81.0], "low": 0.0, "high": 0.0, "n": 10,
})


def test_churn_impact_names_the_theme_with_the_largest_difference_and_its_interval():
    d = IMPACT[IMPACT["churn_diff"].notna()]
    top = d.sort_values("churn_diff", ascending=False).iloc[0]
    assert top["theme"] == "Onboarding"
    assert ct.churn_impact(IMPACT) == (
        f"Largest churn impact: Onboarding, +{100 * top['churn_diff']:.1f} pts churn rate difference, 95 % interval "
        f"+{100 * top['churn_low']:.1f} pts to +{100 * top['churn_high']:.1f} pts (of {len(d)}).")
    assert ct.churn_impact(IMPACT.assign(churn_diff=np.nan)) == \
        "Churn impact: nothing to show for the current choices."


def test_mrr_at_risk_names_the_theme_with_the_most_mrr():
    top = IMPACT.sort_values("mrr_at_risk", ascending=False).iloc[0]
    assert ct.mrr_at_risk(IMPACT) == f"Largest MRR at risk: {top['theme']}, ${round(top['mrr_at_risk']):,} (of 4)."
    assert ct.mrr_at_risk(IMPACT.assign(mrr_at_risk=0.0)) == "MRR at risk: nothing to show for the current choices."
    assert ct.mrr_at_risk(IMPACT.iloc[:0]) == "MRR at risk: nothing to show for the current choices."


def test_over_time_reads_the_most_named_theme_in_the_first_and_last_period():
    totals = OVER_TIME.groupby("theme")["mentions"].sum()
    theme = totals.sort_values(ascending=False).index[0]
    assert theme == "Pricing"  # 8 mentions against 4
    last = OVER_TIME[(OVER_TIME["theme"] == theme) & (OVER_TIME["period"] == "2024-03")]
    first = OVER_TIME[(OVER_TIME["theme"] == theme) & (OVER_TIME["period"] == "2024-01")]
    assert ct.over_time(OVER_TIME) == (
        f"Share of verbatims naming Pricing (the most named theme): {100 * first['share'].item():.1f}% in Jan 2024, "
        f"{100 * last['share'].item():.1f}% in Mar 2024.")
    # a first period where the theme was not named reads 0 %
    later = OVER_TIME.drop(index=0)
    assert ct.over_time(later).startswith("Share of verbatims naming Pricing (the most named theme): 0.0% in Jan 2024")
    assert ct.over_time(OVER_TIME.iloc[:0]) == \
        "Share of verbatims naming each theme: nothing to show for the current choices."
    # undated verbatims (the All dates switch) come as a "NaT" period: never read as a period
    undated = pd.DataFrame({"period": ["NaT"], "theme": ["Bugs"], "mentions": [50], "verbatims": [60]})
    assert ct.over_time(pd.concat([OVER_TIME, undated.assign(share=50 / 60)])) == ct.over_time(OVER_TIME)
    assert ct.over_time(undated.assign(share=50 / 60)) == \
        "Share of verbatims naming each theme: nothing to show for the current choices."


def test_periods_are_written_as_a_leader_reads_them():
    assert [ct.period(p) for p in ("2024-01", "2025Q3", "2026")] == ["Jan 2024", "Q3 2025", "2026"]


def test_by_group_names_the_largest_cell():
    top = BY_GROUP.assign(s=BY_GROUP["mentions"] / BY_GROUP["verbatims"]).sort_values("s").iloc[-1]
    assert ct.by_group(BY_GROUP, "segment") == (
        f"Largest share of a segment's verbatims naming one theme: {top['theme']} in {top['group']}, "
        f"{100 * top['s']:.1f}%.")
    assert ct.by_group(BY_GROUP.iloc[:0], "plan") == "Themes by plan: nothing to show for the current choices."


def test_scores_read_all_answers_in_the_first_and_last_period_in_the_metric_unit():
    nps = SCORES[(SCORES["metric"] == "NPS") & (SCORES["group"] == "All")].set_index("period")["value"]
    assert ct.scores(SCORES, "NPS") == f"NPS of all answers: {nps['2024Q1']:+.1f} in Q1 2024, " \
        f"{nps['2024Q3']:+.1f} in Q3 2024."
    csat = SCORES[(SCORES["metric"] == "CSAT") & (SCORES["group"] == "All")].set_index("period")["value"]
    assert ct.scores(SCORES, "CSAT") == f"CSAT of all answers: {csat['2024Q1']:.1f}% in Q1 2024, " \
        f"{csat['2024Q3']:.1f}% in Q3 2024."
    assert ct.scores(SCORES, "CES") == "CES: nothing to show for the current choices."
    undated = pd.DataFrame({"period": ["NaT"], "group": ["All"], "metric": ["NPS"], "value": [90.0]})
    assert ct.scores(pd.concat([SCORES, undated]), "NPS") == ct.scores(SCORES, "NPS")
    assert ct.score_figure("CES", 5.12) == "5.120"
