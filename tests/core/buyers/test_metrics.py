"""Buyer metrics (core.buyers.metrics, core.buyers.purchases) against independent pandas computations: on a
generated purchase log with same-day orders, returns and sales without a purchase row, and on the CDNOW log (read in
place from ../shared/data, and as the importer stores it)."""

import numpy as np
import pandas as pd
import pytest

import core
from core.buyers.metrics import buyer_figures, buyer_trend
from core.buyers.purchases import load_purchase_log, purchase_log
from core.errors import InsufficientDataError


def generated(seed: int = 7, n: int = 300) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A purchase log in store frames: ``activity`` (purchase rows, some on the same day twice) and ``revenue``
    (one-off sales, returns as negative amounts flagged ``is_return``, sales without a purchase row, and monthly
    MRR rows that are no sale)."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, n, 4000).astype(str)
    days = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 900, 4000), "D")
    activity = pd.DataFrame({"customer_id": ids, "date": days, "metric": "purchase", "value": 1.0})
    activity = pd.concat([activity, activity.sample(300, random_state=seed),  # the same day twice
                          activity.head(50).assign(metric="logins")], ignore_index=True)
    sales = pd.DataFrame({"customer_id": ids, "period": days, "amount": rng.gamma(2.0, 30.0, 4000).round(2),
                          "is_return": False})
    returns = sales.sample(200, random_state=seed + 1)
    returns = returns.assign(amount=-returns["amount"], is_return=True,
                             period=returns["period"] + pd.to_timedelta(rng.integers(1, 60, 200), "D"))
    alone = pd.DataFrame({"customer_id": [f"s{i}" for i in range(40)], "amount": 25.0, "is_return": None,
                          "period": pd.Timestamp("2023-03-01") + pd.to_timedelta(rng.integers(0, 200, 40), "D")})
    # recurring rows are no sale, even with an amount (an invoice's total)
    mrr = pd.DataFrame({"customer_id": ids[:30], "period": pd.Timestamp("2023-01-01"), "mrr": 99.0, "amount": 99.0})
    revenue = pd.concat([sales, returns, alone, mrr], ignore_index=True)
    return activity, revenue


def independent(activity: pd.DataFrame, revenue: pd.DataFrame, as_of: str) -> dict:
    """The buyer figures written apart from core: the 12 whole months ending with as_of's month."""
    end = pd.Period(as_of, "M")
    first, last = (end - 11).start_time, end.end_time.normalize()
    one_off = revenue[revenue["mrr"].isna() & revenue["amount"].notna()]
    bought = activity.loc[activity["metric"] == "purchase", ["customer_id", "date"]]
    sold = one_off.loc[(one_off["amount"] > 0) & (one_off["is_return"] != True), ["customer_id", "period"]]  # noqa: E712
    events = pd.concat([bought, sold.rename(columns={"period": "date"})])
    events = events[(events["date"] >= first) & (events["date"] <= last)]
    days = events.drop_duplicates().groupby("customer_id")["date"].nunique()
    period = pd.to_datetime(one_off["period"])
    revenue_in = one_off.loc[(period >= first) & (period <= last), "amount"].sum()
    return {"active_buyers": len(days), "repeat_rate": (days >= 2).sum() / len(days),
            "revenue": revenue_in, "revenue_per_buyer": revenue_in / len(days),
            "purchase_frequency": days.sum() / len(days), "start": first.date(), "as_of": last.date()}


def _check(f, want: dict) -> None:
    assert f.active_buyers == want["active_buyers"]
    assert (f.start, f.as_of) == (want["start"], want["as_of"])
    for name in ("repeat_rate", "revenue", "revenue_per_buyer", "purchase_frequency"):
        assert getattr(f, name) == pytest.approx(want[name], rel=1e-12, abs=1e-9), name


@pytest.mark.parametrize("as_of", ["2023-06-30", "2023-12-14", "2024-02-29", "2024-06-18"])
def test_generated_log_matches_the_independent_computation(as_of):
    activity, revenue = generated()
    log = purchase_log(activity, revenue)
    _check(buyer_figures(log, as_of), independent(activity, revenue, as_of))


def test_the_default_as_of_is_the_last_day_of_the_log_and_the_trend_repeats_the_figures():
    activity, revenue = generated(seed=3)
    log = purchase_log(activity, revenue)
    last = max(activity.loc[activity["metric"] == "purchase", "date"].max(),
               revenue.loc[revenue["mrr"].isna(), "period"].max())
    f = buyer_figures(log)
    assert f.as_of == (last + pd.offsets.MonthEnd(0)).date()
    trend = buyer_trend(log, months=5)
    assert len(trend) == 5 and trend["as_of"].iloc[-1] == f.as_of
    for r in trend.itertuples(index=False):
        _check(buyer_figures(log, r.as_of), independent(activity, revenue, str(r.as_of)))


def test_a_return_lowers_revenue_but_is_no_purchase_and_same_day_orders_are_one_day():
    act = pd.DataFrame({"customer_id": ["A", "A", "A", "B"], "metric": "purchase",
                        "date": pd.to_datetime(["2024-01-05", "2024-01-05", "2024-02-10", "2024-03-01"])})
    rev = pd.DataFrame({"customer_id": ["A", "A", "B", "C", "D"], "mrr": None,
                        "period": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-03-01", "2024-03-05",
                                                  "2024-03-06"]),
                        "amount": [50.0, 30.0, 20.0, -15.0, -5.0], "is_return": [False, False, False, True, None]})
    f = buyer_figures(purchase_log(act, rev), "2024-03-31")
    # C only returned; D's negative amount is a return though not flagged as one
    assert (f.active_buyers, f.repeat_rate, f.purchase_frequency) == (2, 0.5, 1.5)
    assert f.revenue == 80.0 and f.revenue_per_buyer == 40.0


def test_a_log_without_amounts_has_no_revenue_figures_and_an_empty_log_says_so():
    act = pd.DataFrame({"customer_id": ["A"], "metric": "purchase", "date": pd.to_datetime(["2024-01-05"])})
    f = buyer_figures(purchase_log(act), "2024-01-31")
    assert f.active_buyers == 1 and np.isnan(f.revenue) and np.isnan(f.revenue_per_buyer)
    assert buyer_figures(purchase_log(act), "2026-01-31").active_buyers == 0  # the window holds no purchase
    with pytest.raises(InsufficientDataError, match="There are no purchases"):
        buyer_figures(purchase_log())


@pytest.fixture(scope="module")
def cdnow(shared):
    raw = pd.read_csv(shared / "cdnow/CDNOW_master.txt", sep=r"\s+", dtype={"customer_id": str, "date": str})
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    return raw


def cdnow_independent(raw: pd.DataFrame, first: str, last: str) -> dict:
    inside = raw[(raw["date"] >= first) & (raw["date"] <= last)]
    days = inside.groupby("customer_id")["date"].nunique()
    revenue = inside["dollar_value"].sum()
    return {"active_buyers": len(days), "repeat_rate": (days > 1).mean(), "revenue": revenue,
            "revenue_per_buyer": revenue / len(days), "purchase_frequency": days.mean(),
            "start": pd.Timestamp(first).date(), "as_of": pd.Timestamp(last).date()}


@pytest.mark.parametrize(("as_of", "first", "last"), [("1998-06-30", "1997-07-01", "1998-06-30"),
                                                       ("1997-12-05", "1997-01-01", "1997-12-31")])
def test_cdnow_read_in_place(cdnow, as_of, first, last):
    act = cdnow.assign(metric="purchase")
    rev = cdnow.rename(columns={"date": "period", "dollar_value": "amount"}).assign(mrr=np.nan)
    _check(buyer_figures(purchase_log(act, rev), as_of), cdnow_independent(cdnow, first, last))


def test_cdnow_as_the_importer_stores_it(cdnow, shared, tmp_path):
    engine = core.make_engine(f"sqlite:///{tmp_path / 'cdnow.db'}")
    path = shared / "cdnow/CDNOW_master.txt"
    core.commit_import(engine, core.prepare_import(engine, path.read_bytes(), path.name, "transactions"))
    log = load_purchase_log(engine)
    engine.dispose()
    assert round(log.sales["amount"].sum(), 2) == 2500315.63
    assert len(log) == len(cdnow[["customer_id", "date"]].drop_duplicates())
    f = buyer_figures(log)  # the default as-of is the log's last day, 1998-06-30
    _check(f, cdnow_independent(cdnow, "1997-07-01", "1998-06-30"))
    assert f.active_buyers == 8332 and round(f.revenue, 2) == 1069356.5
