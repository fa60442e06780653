"""MRR movements (core/history/movements.py): a hand-made book with every kind of movement, numbers written by hand,
and the demo store against a loop per customer written apart from the module."""

import numpy as np
import pandas as pd
import pytest

import core
from core.history.movements import COLUMNS, check, mrr_movements

#: A: new in Jan, expands in Mar. B: new in Jan, contracts in Feb, churns in Apr, comes back in Jun.
#: C: new in Feb, two rows in Mar (30 + 20), expands in Apr, churns in May. D: a one-off sale in Apr (no MRR: not
#: a payer), new in May, contracts in Jun. E: new in Jun, its row dated mid-month.
BOOK = pd.DataFrame([
    ("A", "2024-01-01", 100), ("A", "2024-02-01", 100), ("A", "2024-03-01", 150), ("A", "2024-04-01", 150),
    ("A", "2024-05-01", 150), ("A", "2024-06-01", 150),
    ("B", "2024-01-01", 200), ("B", "2024-02-01", 120), ("B", "2024-03-01", 120), ("B", "2024-06-01", 80),
    ("C", "2024-02-01", 50), ("C", "2024-03-01", 30), ("C", "2024-03-01", 20), ("C", "2024-04-01", 70),
    ("D", "2024-04-01", np.nan), ("D", "2024-05-01", 300), ("D", "2024-06-01", 250),
    ("E", "2024-06-15", 40),
], columns=["customer_id", "period", "mrr"])

#: month, start, new, expansion, reactivation, contraction, churned, end: worked out by hand from BOOK
BY_HAND = [
    ("2024-01-01", 0, 300, 0, 0, 0, 0, 300),      # A 100 + B 200 new
    ("2024-02-01", 300, 50, 0, 0, 80, 0, 270),    # C new 50; B 200 -> 120
    ("2024-03-01", 270, 0, 50, 0, 0, 0, 320),     # A 100 -> 150; C 50 (two rows) unchanged
    ("2024-04-01", 320, 0, 20, 0, 0, 120, 220),   # C 50 -> 70; B (120) churned; D's sale is no MRR
    ("2024-05-01", 220, 300, 0, 0, 0, 70, 450),   # D new 300; C (70) churned
    ("2024-06-01", 450, 40, 0, 80, 50, 0, 520),   # E new 40; B back with 80; D 300 -> 250
]


def _by_hand(first=0, last=None) -> pd.DataFrame:
    rows = pd.DataFrame(BY_HAND[first:last], columns=COLUMNS)
    return rows.assign(month=pd.to_datetime(rows["month"])).astype({c: float for c in COLUMNS[1:]})


def test_the_hand_made_book_moves_as_worked_out_by_hand():
    pd.testing.assert_frame_equal(mrr_movements(BOOK), _by_hand())


def test_the_range_picks_months_but_history_before_it_still_counts():
    # March to May: March starts from February's MRR
    pd.testing.assert_frame_equal(mrr_movements(BOOK, "2024-03-10", "2024-05-31"), _by_hand(2, 5))
    # June alone: B is reactivated, not new, because it paid before the range
    june = mrr_movements(BOOK, start="2024-06-01")
    pd.testing.assert_frame_equal(june, _by_hand(5))
    assert june.loc[0, "reactivation"] == 80 and june.loc[0, "new"] == 40
    # a range wider than the data keeps to the months with MRR; one after them holds no month
    pd.testing.assert_frame_equal(mrr_movements(BOOK, "2020-01-01", "2030-12-31"), _by_hand())
    assert mrr_movements(BOOK, start="2024-07-01").empty


def test_no_mrr_gives_an_empty_table_with_the_columns():
    for revenue in (BOOK.iloc[:0], BOOK.assign(mrr=np.nan)):
        empty = mrr_movements(revenue)
        assert empty.empty and empty.columns.tolist() == COLUMNS


def test_a_month_that_does_not_add_up_is_refused():
    broken = _by_hand().copy()
    broken.loc[3, "churned"] += 1
    with pytest.raises(ArithmeticError, match="Apr 2024"):
        check(broken)
    check(_by_hand())


def loop_per_customer(revenue: pd.DataFrame) -> pd.DataFrame:
    """Written apart from the module: each customer's months walked in order, with plain dicts."""
    rev = revenue[revenue["mrr"].notna()]
    month = pd.to_datetime(rev["period"]).dt.strftime("%Y-%m")
    months = pd.period_range(month.min(), month.max(), freq="M").strftime("%Y-%m").tolist()
    totals = {m: dict.fromkeys(COLUMNS[1:], 0.0) for m in months}
    for _, paid in rev.assign(m=month).groupby("customer_id"):
        by_month = paid.groupby("m")["mrr"].sum().to_dict()
        previous, ever = 0.0, False
        for m in months:
            now = by_month.get(m, 0.0)
            t = totals[m]
            t["mrr_start"] += previous
            t["mrr_end"] += now
            if now > 0 and not ever:
                t["new"] += now
            elif now > 0 and previous == 0:
                t["reactivation"] += now
            elif now > 0 and now > previous:
                t["expansion"] += now - previous
            elif now > 0 and now < previous:
                t["contraction"] += previous - now
            elif now == 0 and previous > 0:
                t["churned"] += previous
            ever = ever or now > 0
            previous = now
    out = pd.DataFrame.from_dict(totals, orient="index").rename_axis("month").reset_index()
    return out.assign(month=pd.to_datetime(out["month"]))[COLUMNS]


def test_the_loop_agrees_with_the_hand_made_book():
    pd.testing.assert_frame_equal(loop_per_customer(BOOK), _by_hand())


@pytest.fixture(scope="module")
def demo_revenue(small_demo_store):
    """The small demo's revenue, with one month dropped for a seeded tenth of the customers (somewhere inside their
    history), so that some come back: the demo itself has no reactivation."""
    eng = core.make_engine(f"sqlite:///{small_demo_store}")
    rev = core.load_table(eng, "revenue")[["customer_id", "period", "mrr"]]
    eng.dispose()
    rng = np.random.default_rng(7)
    ids = rev["customer_id"].unique()
    gaps = rev[rev["customer_id"].isin(rng.choice(ids, size=len(ids) // 10, replace=False))]
    inside = gaps.groupby("customer_id")["period"].transform(lambda p: (p > p.min()) & (p < p.max()))
    dropped = gaps[inside].groupby("customer_id").sample(n=1, random_state=7).index
    return rev.drop(index=dropped)


def test_every_demo_month_reconciles_and_equals_the_loop(demo_revenue):
    table = mrr_movements(demo_revenue)
    expected = loop_per_customer(demo_revenue)
    assert len(table) == 36 and table["month"].is_monotonic_increasing
    pd.testing.assert_frame_equal(table, expected, check_exact=False, rtol=1e-9, atol=1e-6)
    gap = (table["mrr_start"] + table[["new", "expansion", "reactivation"]].sum(axis=1)
           - table[["contraction", "churned"]].sum(axis=1) - table["mrr_end"])
    assert gap.abs().max() < 1e-6
    np.testing.assert_allclose(table["mrr_start"].iloc[1:].to_numpy(), table["mrr_end"].iloc[:-1].to_numpy())
    # MRR at the end of each month is the month's MRR of every row (as core.metrics.monthly_mrr sums it)
    by_month = demo_revenue.groupby(pd.to_datetime(demo_revenue["period"]).dt.to_period("M"))["mrr"].sum()
    np.testing.assert_allclose(table["mrr_end"].to_numpy(), by_month.to_numpy())
    # every kind of movement happens in the demo (with its gaps)
    assert (table[["new", "expansion", "reactivation", "contraction", "churned"]].sum() > 0).all()


def test_a_demo_range_is_the_same_months_of_the_whole_table(demo_revenue):
    whole = loop_per_customer(demo_revenue)
    part = mrr_movements(demo_revenue, "2025-03-20", "2025-08-01")
    expected = whole[(whole["month"] >= "2025-03-01") & (whole["month"] <= "2025-08-01")].reset_index(drop=True)
    assert len(part) == 6
    pd.testing.assert_frame_equal(part, expected, check_exact=False, rtol=1e-9, atol=1e-6)
