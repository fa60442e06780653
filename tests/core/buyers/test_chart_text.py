"""The Overview's chart sentences (core.buyers.chart_text) against the figures computed here in pandas on small
hand-made frames shaped as the charts' own (revenue retention by cohort, MRR movements), and the empty cases."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.buyers import chart_text as ct

RETENTION = pd.DataFrame(
    {0: [1.0, np.nan, 1.0, 1.0, 1.0], 1: [0.4567, np.nan, 0.25, 0.61049, np.nan],
     2: [0.3, np.nan, 0.2, np.nan, np.nan]},
    index=pd.Index(["2024-01", "2024-02", "2024-03", "2024-04", "2024-05"], name="cohort"))
MOVEMENTS = pd.DataFrame({
    "month": pd.to_datetime(["2024-05-01", "2024-06-01"]), "mrr_start": [1000.0, 1300.0],
    "new": [400.0, 250.0], "expansion": [50.0, 120.4], "reactivation": [0.0, 30.0],
    "contraction": [20.0, 75.0], "churned": [130.0, 600.0], "mrr_end": [1300.0, 1025.4]})


def test_cohort_revenue_reads_month_one_of_the_first_and_last_cohort_that_reached_it():
    month1 = RETENTION[1].dropna()
    first, last = month1.index.min(), month1.index.max()
    assert (first, last) == ("2024-01", "2024-04")
    assert ct.cohort_revenue(RETENTION) == (
        "Revenue retention in month 1 (the month after the first purchase): "
        f"{100 * month1[first]:.1f}% in the Jan 2024 cohort, {100 * month1[last]:.1f}% in the Apr 2024 cohort.")
    # the columns may come as text ("1") and the grid may reach month 0 only
    assert ct.cohort_revenue(RETENTION.rename(columns=str)) == ct.cohort_revenue(RETENTION)
    assert ct.cohort_revenue(RETENTION[[0]]) == \
        "Revenue retention in month 1 (the month after the first purchase): nothing to show for the current choices."


def test_mrr_movements_state_the_last_month_net_change_and_its_parts():
    last = MOVEMENTS.iloc[-1]
    net = last["mrr_end"] - last["mrr_start"]
    gains = last[["new", "expansion", "reactivation"]].sum()
    losses = last[["contraction", "churned"]].sum()
    assert round(net, 6) == round(gains - losses, 6)  # the parts add up to the line
    assert ct.mrr_movements(MOVEMENTS) == (
        f"Net change of MRR in Jun 2024: -${abs(round(net)):,} (new +${round(last['new']):,}, "
        f"expansion +${round(last['expansion']):,}, reactivation +${round(last['reactivation']):,}, "
        f"contraction -${round(last['contraction']):,}, churned -${round(last['churned']):,}), "
        f"MRR at end ${round(last['mrr_end']):,}.")
    assert ct.mrr_movements(MOVEMENTS.iloc[:0]) == "MRR movements: nothing to show for the current choices."
