"""The text alternatives of the Health scores page's charts (issue 21): one sentence per chart with its key figure,
made from the frame the chart draws (figures written by :mod:`core.export.units`).

Rules:

* Band share: the share of customers in red in the first and the last month shown.
* MRR by segment: the segment with the most MRR at risk (red and amber), among the segments.
* Contributions: the measure that costs the customer the most points (the largest ``lost``), among the measures used.
* Score trend: the customer's health score in the first and the last month shown (whole points, as the page).
* Band churn: red's churn rate against green's (the back-test's observed rates).
* Band months: in how many of the months the order red > amber > green held (a month missing a band does not count
  as holding).
* Weights: the measure whose suggested weight differs most from its current one in the profile shown.
"""

from __future__ import annotations

import pandas as pd

from core.export import chart_text, units
from core.store.dates import datetimes

#: the bands at risk: their MRR is "at risk"
AT_RISK = ("red", "amber")


def band_share(over_time: pd.DataFrame, band: str = "red") -> str:
    """``over_time`` (``day, band, share``): the share of customers in ``band`` in the first and the last month."""
    if over_time.empty:
        return chart_text.none_shown("Share of customers in each band")
    days = sorted(datetimes(over_time["day"]).unique())
    share = over_time.assign(day=datetimes(over_time["day"])).query("band == @band").set_index("day")["share"]
    first, last = (float(share.get(d, 0.0)) for d in (days[0], days[-1]))
    return chart_text.change(f"Share of customers in {band}", chart_text.month(days[0]), units.percent(first),
                             chart_text.month(days[-1]), units.percent(last))


def mrr_at_risk(risk: pd.DataFrame) -> str:
    """``risk`` (``segment`` and one MRR column per band): the segment with the most MRR in red and amber."""
    if risk.empty:
        return chart_text.none_shown("MRR at risk")
    at_risk = risk[list(AT_RISK)].sum(axis=1)
    top = at_risk.idxmax()
    return chart_text.largest("MRR at risk (red and amber)", str(risk.at[top, "segment"]),
                              units.money(at_risk[top]), among=len(risk))


def contributions(parts: pd.DataFrame) -> str:
    """One customer's measures (``measure, status, contribution, lost``): the measure costing the most points."""
    used = parts[parts["status"] == "used"]
    if used.empty:
        return chart_text.none_shown("Points of the score")
    top = used.loc[used["lost"].idxmax()]
    score = units.score(used["contribution"].sum(), digits=0)
    return (f"Health score {score} of 100; most points lost: {top['measure']}, {units.score(top['lost'], digits=1)} "
            f"points (of {len(used):,} measures).")


def score_trend(trend: pd.DataFrame) -> str:
    """One customer's ``day, score`` rows: the score in the first and the last month."""
    t = trend.dropna(subset=["score"]).assign(day=lambda d: datetimes(d["day"])).sort_values("day")
    if t.empty:
        return chart_text.none_shown("Health score")
    first, last = t.iloc[0], t.iloc[-1]
    return chart_text.change("Health score", chart_text.month(first["day"]), units.score(first["score"], digits=0),
                             chart_text.month(last["day"]), units.score(last["score"], digits=0))


def band_churn(bands: pd.DataFrame) -> str:
    """The back-test's ``band, churn_rate`` rows: red's churn rate against green's."""
    rate = bands.set_index("band")["churn_rate"]
    if bands.empty or rate.isna().all():
        return chart_text.none_shown("Churn rate per band")
    return chart_text.against("Churn rate of red customers", units.percent(rate.get("red")),
                              f"{units.percent(rate.get('green'))} for green")


def band_months(bm: pd.DataFrame) -> str:
    """The back-test's ``cutoff, band, churn_rate`` rows: the months in which red > amber > green held."""
    if bm.empty:
        return chart_text.none_shown("Churn rate per band, month by month")
    wide = bm.pivot_table(index="cutoff", columns="band", values="churn_rate").reindex(columns=["red", "amber",
                                                                                               "green"])
    held = int(((wide["red"] > wide["amber"]) & (wide["amber"] > wide["green"])).sum())
    return (f"Red churned more than amber, and amber more than green, in {held:,} of {len(wide):,} "
            f"month{'s' if len(wide) != 1 else ''}.")


def weights(table: pd.DataFrame, stage: str) -> str:
    """Suggested weights (``measure, stage, current, suggested``): the largest change in profile ``stage``."""
    d = table[table["stage"] == stage]
    if d.empty:
        return chart_text.none_shown(f"Weights of the {stage} profile")
    change = (d["suggested"] - d["current"]).abs()
    top = d.loc[change.idxmax()]
    if change.max() == 0:
        return f"Weights of the {stage} profile: the suggestion keeps every weight."
    return (f"Largest change of weight in the {stage} profile: {top['measure']}, from {units.count(top['current'])} "
            f"to {units.count(top['suggested'])} of 100 (of {len(d):,} measures).")
