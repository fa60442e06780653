"""The text alternative of the Service operations page's chart: one sentence with its key figures, made from the
level table the chart draws (figures written by :mod:`core.export.units`).

Rule: the bands with the highest and the lowest adjusted churn after a ticket, among the bands with a rate.
"""

from __future__ import annotations

import pandas as pd

from core.export import chart_text, units


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
