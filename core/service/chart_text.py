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
