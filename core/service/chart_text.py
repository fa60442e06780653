"""The text alternative of the Service operations page's chart: one sentence with its key figures, made from the
level table the chart draws (figures written by :mod:`core.export.units`).

Rule: the bands with the highest and the lowest adjusted churn after a ticket, among the bands with a rate.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from core.export import chart_text, units
from core.service.follow_up import within


def level_data(data: pd.DataFrame, days: int) -> pd.DataFrame:
    """A service level chart's download: each band's churn within ``days`` days of a ticket, as observed and
    adjusted, in percent with its 95 % band (``data``: the chart's rows ``band, estimate, rate, low, high``)."""
    return pd.DataFrame({"Band": data["band"].astype(str).to_numpy(), "Estimate": data["estimate"].to_numpy(),
                         f"Churn within {days} days of a ticket (%)": chart_text.percents(data["rate"]),
                         **chart_text.band_data(data, "low", "high")})


def level(table: pd.DataFrame, title: str, days: int) -> str:
    """``table`` (:data:`core.service.levels.COLUMNS`): the bands of highest and lowest adjusted churn."""
    shown = table.dropna(subset=["adjusted_rate"])
    what = f"Adjusted churn within {days} days of a ticket, by {title.lower()}"
    if shown.empty:
        return chart_text.none_shown(what)
    hi, lo = shown.loc[shown["adjusted_rate"].idxmax()], shown.loc[shown["adjusted_rate"].idxmin()]
    if len(shown) == 1:
        return f"{what}: {hi['band']}, {units.percent(hi['adjusted_rate'])} (one band with a rate)."
    return (f"{what}: highest for {hi['band']}, {units.percent(hi['adjusted_rate'])}; lowest for {lo['band']}, "
            f"{units.percent(lo['adjusted_rate'])} (of {len(shown)} bands).")


def caught(ranking: pd.DataFrame, days: int) -> str:
    """``ranking`` (:data:`core.service.leads.RANKING`, ranked): the signal that caught the most churners and the one
    that caught the fewest, with how early."""
    shown = ranking.dropna(subset=["caught_share"])
    what = f"Churners a signal flagged in the {days} days before they left"
    if shown.empty:
        return chart_text.none_shown(what)
    top, low = shown.iloc[0], shown.iloc[-1]
    first = (f"{what}, of {units.count(top['churners'])}: most by {top['signal'].lower()}, "
             f"{units.percent(top['caught_share'])}{_lead(top)}")
    if len(shown) == 1:
        return first + "."
    return f"{first}; fewest by {low['signal'].lower()}, {units.percent(low['caught_share'])}{_lead(low)}."


def _lead(row: pd.Series) -> str:
    if pd.isna(row["median_lead_days"]):
        return ""
    return f" (a median of {units.count(row['median_lead_days'])} days before)"


def flagged(monthly: pd.DataFrame) -> str:
    """``monthly`` (:data:`core.service.leads.MONTHLY`): how many customers each signal flagged at the last month
    end."""
    what = "Customers each signal flagged at a month end"
    if monthly.empty:
        return chart_text.none_shown(what)
    last = monthly[monthly["month_end"] == monthly["month_end"].max()]
    parts = [f"{s.lower()} {units.count(n)}" for s, n in zip(last["signal"], last["flagged"])]
    return (f"{what}: at {last['month_end'].iloc[0]:%Y-%m-%d}, of {units.count(last['active'].iloc[0])} active, "
            f"{'; '.join(parts)}.")


def _with_ci(value, low, high, write) -> str:
    """``value [low, high]``, or the value alone without an interval, or ``none`` without a value."""
    if units.is_missing(value):
        return "none"
    ends = units.interval(low, high, "share" if write is units.percent else "points")
    return f"{write(value)} {ends}".rstrip()


def follow_up(r) -> list[str]:
    """Two sentences on :class:`core.service.follow_up.FollowUp` ``r``: the detractors followed up in time, then the
    churn of those followed up in time against the others, with the gap (an association)."""
    (n1, k1), (n0, k0) = r.judged["in time"], r.judged["not in time"]
    median = "" if units.is_missing(r.median_days) else (
        f"; a median of {r.median_days:g} day{'' if r.median_days == 1 else 's'} to the first follow-up")
    return [f"{units.count(r.in_time)} of {units.count(r.detractors)} NPS detractors (0-6) followed up within "
            f"{within(r.target_days)}: {_with_ci(r.share, r.share_low, r.share_high, units.percent)}{median}.",
            f"Churn within {r.days} days of the answer: followed up in time "
            f"{_with_ci(*r.rates['in time'], units.percent)} ({units.count(k1)} of {units.count(n1)}), the others "
            f"{_with_ci(*r.rates['not in time'], units.percent)} ({units.count(k0)} of {units.count(n0)}); gap "
            f"{_with_ci(r.gap, r.gap_low, r.gap_high, units.points)}. An association, not an experiment: a team may "
            "call back first the customers it hopes to keep."]


def outages(o) -> list[str]:
    """Sentences on :class:`core.service.incident_effects.Outages` ``o``: the incidents judged and why others are
    not, then (of every judged incident together) the churn of the affected against the comparison customers with
    the adjusted gap, and their usage before and after with the difference in differences."""
    left = Counter(i.reason.split(":")[0] for i in o.incidents if i.reason)
    why = "; ".join(f"{units.count(n)} {reason}" for reason, n in left.items())
    lines = [f"{units.count(len(o.judged))} of {units.count(len(o.incidents))} incidents judged, with {o.days} days "
             "before and after each start" + (f" (left out: {why})." if why else ".")]
    if o.table.empty:
        return lines
    row = o.table.iloc[-1]
    what = "every judged incident" if len(o.table) > 1 else f"{row['severity']} incidents"
    adjusted = f"adjusted for {row['adjusted_for']}" if row["adjusted_for"] else "no factor to adjust for"
    gap = _with_ci(row["churn_gap"], row["churn_gap_low"], row["churn_gap_high"], units.points)
    lines.append(f"Of {what}: {units.count(row['affected'])} affected customers churned "
                 f"{units.percent(row['churn_affected'])} within {o.days} days of the start, "
                 f"{units.count(row['comparison'])} comparable unaffected ones "
                 f"{units.percent(row['churn_comparison'])}; gap {gap} ({adjusted}).")
    lines.append(_did(o, row))
    if o.usage and not units.is_missing(row["usage_affected_before"]):
        a0, a1, c0, c1 = (units.score(row[f"usage_{c}"], 1) for c in ("affected_before", "affected_after",
                                                                        "comparison_before", "comparison_after"))
        lines.append(f"Active days per 30: affected {a0} before, {a1} after; comparable unaffected {c0} before, "
                     f"{c1} after; "
                     "difference in differences "
                     f"{_days(row['usage_effect'], row['usage_effect_low'], row['usage_effect_high'])}.")
    lines.append("An association adjusted for the listed factors, not an experiment: who an incident hits is not "
                 "random.")
    return lines


def _did(o, row) -> str:
    """The churn in the N days before the start and the difference in differences, or why there is none."""
    if units.is_missing(row["churn_did"]):
        return ("No difference in differences on churn: it needs incidents that hit a segment, plan or region, with "
                "customers on each side in the window before (an incident naming its customers names only those "
                "still there when it began).")
    did = _with_ci(row["churn_did"], row["churn_did_low"], row["churn_did_high"], units.points)
    return (f"Churn in the {o.days} days before the start (each window's own customers; incidents that hit a segment, "
            f"plan or region): affected {units.percent(row['churn_before_affected'])}, comparable unaffected "
            f"{units.percent(row['churn_before_comparison'])}; difference in differences {did}.")


def _days(value, low, high) -> str:
    """Active days a month with their interval: ``-2.1 days [-3.0, -1.2]``."""
    if units.is_missing(value):
        return "none"
    ends = "" if units.is_missing(low) or units.is_missing(high) else (
        f" [{units.score(low, 1, signed=True)}, {units.score(high, 1, signed=True)}]")
    return f"{units.score(value, 1, signed=True)} days{ends}"
