"""A review carries the quarter's MRR movements (issue 21, Deliver 2: the same movements as the Overview and
``python -m core overview --movements``): each movement summed over the quarter's three months, checked against a
customer-by-customer reading of the revenue, and reconciling with the quarter's MRR at its start and its end."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import text

from core.review import figures
from core.review import snapshot as review


def _by_hand(revenue: pd.DataFrame, months: list[pd.Timestamp]) -> dict[str, float]:
    """Each movement over ``months``, read one customer and one month at a time."""
    mrr = revenue.assign(month=pd.to_datetime(revenue["period"]).dt.to_period("M").dt.to_timestamp()) \
        .groupby(["customer_id", "month"])["mrr"].sum()
    out = dict.fromkeys(("new", "expansion", "reactivation", "contraction", "churned"), 0.0)
    for c in revenue["customer_id"].unique():
        paid = {m: max(v, 0.0) for (cc, m), v in mrr.items() if cc == c}
        for m in months:
            before, now = paid.get(m - pd.DateOffset(months=1), 0.0), paid.get(m, 0.0)
            ever = any(v > 0 for k, v in paid.items() if k < m - pd.DateOffset(months=1))
            if now > 0 and before == 0:
                out["reactivation" if ever else "new"] += now
            elif now > 0 and before > 0:
                out["expansion"] += max(now - before, 0.0)
                out["contraction"] += max(before - now, 0.0)
            elif before > 0:
                out["churned"] += before
    return out


BOOK = pd.DataFrame([  # customer, month, MRR: a new customer, an expansion, a contraction, a churn, a return
    ("a", "2026-05-01", 100), ("a", "2026-06-01", 100), ("a", "2026-07-01", 150), ("a", "2026-08-01", 150),
    ("a", "2026-09-01", 120), ("b", "2026-05-01", 80), ("b", "2026-06-01", 80), ("b", "2026-07-01", 80),
    ("c", "2026-04-01", 50), ("c", "2026-09-01", 60), ("d", "2026-08-01", 40), ("d", "2026-09-01", 40),
], columns=["customer_id", "period", "mrr"])


def test_the_quarter_sums_each_movement_of_its_three_months():
    rows = {r["metric"]: r for r in figures.quarter_movements(BOOK, dt.date(2026, 9, 30))}
    months = list(pd.date_range("2026-07-01", "2026-09-01", freq="MS"))
    expected = _by_hand(BOOK, months)
    assert {k: rows[v]["value"] for k, v in figures.MOVEMENT_FIGURES.items()} == pytest.approx(expected)
    assert expected == {"new": 40.0, "expansion": 50.0, "reactivation": 60.0, "contraction": 30.0, "churned": 80.0}
    assert {r["unit"] for r in rows.values()} == {"currency"}
    assert rows["New MRR"]["text"] == "Jul to Sep 2026, the months summed: MRR $180 at the start, $220 at the end"
    assert 180 + 40 + 50 + 60 - 30 - 80 == 220  # the note's start and end reconcile with the movements


def test_a_store_without_recurring_revenue_has_no_movements():
    assert figures.quarter_movements(BOOK.assign(mrr=float("nan")), dt.date(2026, 9, 30)) == []


@pytest.fixture(scope="module")
def q3(engine_on_small_demo):
    return engine_on_small_demo, review.build(engine_on_small_demo, "2026-Q3")


def test_the_demo_review_shows_them_and_they_reconcile_with_its_mrr(q3):
    engine, snap = q3
    with engine.connect() as conn:
        revenue = pd.read_sql(text("SELECT customer_id, period, mrr FROM revenue WHERE mrr IS NOT NULL"), conn)
    months = list(pd.date_range("2026-07-01", "2026-09-01", freq="MS"))
    expected = _by_hand(revenue, months)
    f = snap.figures.loc[snap.figures["page"] == "Overview"].set_index("metric")
    got = {k: f.at[v, "value"] for k, v in figures.MOVEMENT_FIGURES.items()}
    assert got == pytest.approx(expected, abs=0.01) and expected["new"] > 0 and expected["churned"] > 0
    month = pd.to_datetime(revenue["period"]).dt.to_period("M").dt.to_timestamp()
    start = revenue.loc[month == pd.Timestamp("2026-06-01"), "mrr"].clip(lower=0).sum()
    end = start + sum(got[k] for k in ("new", "expansion", "reactivation")) - got["contraction"] - got["churned"]
    assert end == pytest.approx(f.at["MRR", "value"], abs=0.01)  # the review's own MRR at the quarter's end
    shown = review.page_table(snap, "Overview").set_index("metric")
    assert shown.at["New MRR", "shown"] == f"${expected['new']:,.0f}"
