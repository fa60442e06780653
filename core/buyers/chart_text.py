"""The text alternatives of the Overview's charts (issue 21): one plain sentence per chart with its key figure, read
off the same data the chart draws (:class:`core.buyers.cohort_revenue.CohortRevenue`'s retention grid and
:func:`core.history.movements.mrr_movements`' table)."""

from __future__ import annotations

import pandas as pd

from core.export import chart_text, units
from core.history.movements import GAINS, LOSSES


def cohort_revenue(retention: pd.DataFrame) -> str:
    """Revenue retention in month 1 (the month after the first purchase) of the first and of the last cohort that
    reached it; ``retention`` is :attr:`CohortRevenue.retention` (index ``cohort`` as ``YYYY-MM``, columns the months
    since the first purchase)."""
    one = [c for c in retention.columns if str(c) == "1"]
    cells = retention[one[0]].dropna() if one else pd.Series(dtype=float)
    what = "Revenue retention in month 1 (the month after the first purchase)"
    if cells.empty:
        return chart_text.none_shown(what)
    first, last = cells.index[0], cells.index[-1]
    return chart_text.change(what, f"the {chart_text.month(first)} cohort", units.percent(cells.iloc[0]),
                             f"the {chart_text.month(last)} cohort", units.percent(cells.iloc[-1]))


def mrr_movements(table: pd.DataFrame) -> str:
    """The last month's net change of MRR (MRR at end - MRR at start, the chart's line) and its parts (the bars:
    gains added, losses taken away), with the MRR at the end of that month."""
    if table.empty:
        return chart_text.none_shown("MRR movements")
    last = table.iloc[-1]
    parts = [f"{g} {units.money(last[g], signed=True)}" for g in GAINS]
    parts += [f"{loss} {units.money(-last[loss], signed=True)}" for loss in LOSSES]
    net = units.money(last["mrr_end"] - last["mrr_start"], signed=True)
    return (f"Net change of MRR in {chart_text.month(last['month'])}: {net} ({', '.join(parts)}), MRR at end "
            f"{units.money(last['mrr_end'])}.")
