"""Revenue retention by cohort (core.buyers.cohort_revenue) against independent pandas computations: a generated
log with returns, a hand-made log, and the CDNOW log read in place."""

import numpy as np
import pandas as pd
import pytest

from core.buyers.cohort_revenue import cohort_revenue
from core.buyers.purchases import purchase_log
from core.errors import InsufficientDataError
from tests.core.buyers.test_metrics import generated


def independent(activity: pd.DataFrame, revenue: pd.DataFrame, as_of: str) -> pd.DataFrame:
    """cohort (YYYY-MM) x k: revenue in month k over month 0, written apart from core (Period arithmetic and
    a groupby; months after as_of's left empty)."""
    end = pd.Period(as_of, "M")
    one_off = revenue[revenue["mrr"].isna() & revenue["amount"].notna()].copy()
    bought = activity.loc[activity["metric"] == "purchase", ["customer_id", "date"]]
    sold = one_off.loc[(one_off["amount"] > 0) & (one_off["is_return"] != True), ["customer_id", "period"]]  # noqa: E712
    events = pd.concat([bought, sold.rename(columns={"period": "date"})])
    cohort = pd.to_datetime(events["date"]).dt.to_period("M").groupby(events["customer_id"]).min()
    cohort = cohort[cohort <= end]
    one_off["cohort"] = one_off["customer_id"].map(cohort)
    one_off["month"] = pd.to_datetime(one_off["period"]).dt.to_period("M")
    one_off = one_off.dropna(subset=["cohort"])
    one_off = one_off[one_off["month"] <= end]
    one_off["k"] = [(m - c).n for m, c in zip(one_off["month"], one_off["cohort"])]
    one_off = one_off[one_off["k"] >= 0]
    cells = one_off.groupby([one_off["cohort"].astype(str), "k"])["amount"].sum().unstack(fill_value=0.0)
    out = {}
    for c in sorted(cohort.astype(str).unique()):
        reach = (end - pd.Period(c, "M")).n
        row = cells.loc[c] if c in cells.index else pd.Series(dtype=float)
        base = row.get(0, 0.0)
        out[c] = {k: (row.get(k, 0.0) / base if base > 0 else np.nan) for k in range(reach + 1)}
    return pd.DataFrame.from_dict(out, orient="index")


def _compare(t, want: pd.DataFrame) -> None:
    got = t.retention
    assert got.index.tolist() == want.index.tolist()
    for c in want.index:
        a = got.loc[c].dropna()
        b = want.loc[c].dropna()
        assert a.index.tolist() == b.index.tolist(), c
        np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-12, err_msg=c)


@pytest.mark.parametrize("as_of", ["2023-08-31", "2024-06-18"])
def test_generated_log_matches_the_independent_computation(as_of):
    activity, revenue = generated(seed=11)
    t = cohort_revenue(purchase_log(activity, revenue), as_of)
    _compare(t, independent(activity, revenue, as_of))
    assert t.as_of == pd.Period(as_of, "M").end_time.date()
    assert (t.retention[0].dropna() == 1.0).all()


def test_hand_made_log_cells_returns_and_cohorts_without_first_month_revenue():
    rev = pd.DataFrame({
        "customer_id": ["A", "A", "A", "B", "B", "C", "D"],
        "period": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-03-09", "2024-01-20", "2024-03-02",
                                  "2024-02-10", "2024-02-11"]),
        "mrr": None, "amount": [100.0, -20.0, 60.0, 50.0, 30.0, 40.0, -40.0],
        "is_return": [False, True, False, False, False, False, True]})
    t = cohort_revenue(purchase_log(revenue=rev), "2024-03-31")
    # January: A and B, 150 in month 0; -20 in month 1 (a return); 90 in month 2
    assert t.retention.loc["2024-01"].tolist() == pytest.approx([1.0, -20 / 150, 90 / 150])
    assert t.revenue.loc["2024-01"].tolist() == [150.0, -20.0, 90.0]
    # February: C bought 40; D's return alone makes D no buyer; March is not reached
    assert t.retention.loc["2024-02", 0] == 1.0 and np.isnan(t.retention.loc["2024-02", 2])
    assert t.buyers.to_dict() == {"2024-01": 2, "2024-02": 1}
    long = t.long()
    assert long.columns.tolist() == ["cohort", "buyers", "month", "revenue", "retention"]
    assert len(long) == 3 + 2 and long["revenue"].sum() == pytest.approx(150 - 20 + 90 + 40)


def test_a_cohort_without_first_month_revenue_has_no_retention():
    act = pd.DataFrame({"customer_id": ["E"], "metric": "purchase", "date": pd.to_datetime(["2024-01-02"])})
    rev = pd.DataFrame({"customer_id": ["E"], "period": pd.to_datetime(["2024-02-05"]), "mrr": None,
                        "amount": [10.0]})
    t = cohort_revenue(purchase_log(act, rev), "2024-02-29")
    assert t.revenue.loc["2024-01"].tolist() == [0.0, 10.0]
    assert t.retention.loc["2024-01"].isna().all()  # nothing to divide by, rather than an infinite 10 / 0


def test_a_log_without_amounts_or_purchases_says_why():
    act = pd.DataFrame({"customer_id": ["A"], "metric": "purchase", "date": pd.to_datetime(["2024-01-05"])})
    with pytest.raises(InsufficientDataError, match="needs purchase amounts"):
        cohort_revenue(purchase_log(act))
    with pytest.raises(InsufficientDataError, match="There are no purchases"):
        cohort_revenue(purchase_log())
    rev = pd.DataFrame({"customer_id": ["A"], "period": pd.to_datetime(["2024-05-05"]), "mrr": None, "amount": [9.0]})
    with pytest.raises(InsufficientDataError, match="Nobody had made a purchase by Jan 2024"):
        cohort_revenue(purchase_log(revenue=rev), "2024-01-31")


def test_cdnow_read_in_place(shared):
    raw = pd.read_csv(shared / "cdnow/CDNOW_master.txt", sep=r"\s+", dtype={"customer_id": str, "date": str})
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    t = cohort_revenue(purchase_log(raw.assign(metric="purchase"),
                                    raw.rename(columns={"date": "period", "dollar_value": "amount"})
                                    .assign(mrr=np.nan)))
    # written apart: each customer's first month, then revenue per cohort and month over the first month's
    month = raw["date"].dt.to_period("M")
    cohort = month.groupby(raw["customer_id"]).transform("min")
    k = (month.dt.year - cohort.dt.year) * 12 + month.dt.month - cohort.dt.month
    cells = raw.groupby([cohort.astype(str), k])["dollar_value"].sum().unstack()
    want = cells.div(cells[0], axis=0)
    assert t.retention.index.tolist() == ["1997-01", "1997-02", "1997-03"] == want.index.tolist()
    np.testing.assert_allclose(t.retention.to_numpy(), want.to_numpy(), rtol=1e-12)  # NaN where not reached
    assert t.buyers.tolist() == cohort.groupby(raw["customer_id"]).first().astype(str).value_counts().sort_index() \
        .tolist() == [7846, 8476, 7248]
    assert round(t.revenue.sum().sum(), 2) == 2500315.63
