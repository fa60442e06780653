"""Lifetimes counted by an engine (core.cohorts.engine_survival) give the same Kaplan-Meier result as one row per
customer (core.cohorts.survival.durations): curves, bands, at-risk counts, medians, RMST and the log-rank test,
for every split the Cohort curves page offers, on the demo (embedded DuckDB), on PostgreSQL inside the database,
and on a hand-made book where the curve is known by hand."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

import core
from core.cohorts import survival
from core.cohorts.engine_survival import lifetime_rows
from core.errors import DataValidationError
from core.query import sources
from core.store.read import load_columns
from tests.conftest import copy_store

GROUPS = (None, "segment", "plan", "region", "channel", "signup_month")
COLUMNS = ["customer_id", "signup_date", "churn_date", "segment", "plan", "region", "channel"]


def _same(a: survival.KMResult, b: survival.KMResult) -> None:
    pd.testing.assert_frame_equal(a.curves, b.curves, check_exact=False, rtol=1e-12, atol=1e-12)
    pd.testing.assert_frame_equal(a.summary, b.summary, check_exact=False, rtol=1e-12, atol=1e-12)
    for key in ("statistic", "p_value"):
        assert a.logrank[key] == pytest.approx(b.logrank[key], rel=1e-9, nan_ok=True)
    assert (a.logrank["groups"], a.logrank["plain"], a.skipped) == (b.logrank["groups"], b.logrank["plain"], b.skipped)


@pytest.fixture(scope="module")
def demo(small_demo_store, tmp_path_factory):
    engine = core.make_engine(f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('esurv'))}")
    src = sources.embedded(engine)
    yield src, load_columns(engine, "customer", COLUMNS)
    src.close()
    engine.dispose()


@pytest.mark.parametrize("group", GROUPS)
def test_every_split_equals_one_row_per_customer_on_the_demo(demo, group):
    src, customers = demo
    rows = lifetime_rows(src, customers, group=group)
    assert rows["customers"].sum() == len(survival.durations(customers)) and len(rows) < len(customers)
    _same(survival.kaplan_meier(rows, group=group, weights="customers"),
          survival.kaplan_meier(survival.durations(customers), group=group))


def test_an_as_of_day_days_and_a_filter_give_the_same_result(demo):
    src, customers = demo
    kept = customers[customers["plan"] == customers["plan"].iloc[0]]
    for frame, as_of, unit in ((customers, "2025-03-31", "day"), (kept, None, "month"), (kept, "2024-12-31", "month")):
        rows = lifetime_rows(src, frame, as_of=as_of, unit=unit, group="segment")
        want = survival.durations(frame, as_of=as_of, unit=unit)
        _same(survival.kaplan_meier(rows, group="segment", weights="customers", horizon=12),
              survival.kaplan_meier(want, group="segment", horizon=12))


def test_a_book_known_by_hand():
    """Five customers signed up on 2024-01-01: churned after 10, 20 and 20 days, two still active on day 30."""
    book = pd.DataFrame({"customer_id": list("abcde"), "signup_date": pd.Timestamp("2024-01-01"),
                         "churn_date": pd.to_datetime(["2024-01-11", "2024-01-21", "2024-01-21", None, None])})
    with sources.Source("test", ibis.duckdb.connect(), None) as src:
        rows = lifetime_rows(src, book, as_of="2024-01-31", unit="day")
        km = survival.kaplan_meier(rows, weights="customers", min_size=1)
    assert sorted(zip(rows["duration"], rows["event"], rows["customers"])) == [(10, True, 1), (20, True, 2),
                                                                                 (30, False, 2)]
    curve = km.curves.set_index("time")["survival"]
    assert curve.loc[10] == pytest.approx(4 / 5) and curve.loc[20] == pytest.approx(4 / 5 * 2 / 4)
    assert km.summary.loc[0, ["customers", "churned", "censored"]].tolist() == [5, 3, 2]
    assert km.summary.loc[0, "median_lifetime"] == 20


def test_bad_dates_are_refused_with_the_rows_path_message(demo):
    src, customers = demo
    broken = customers.copy()
    broken.loc[broken.index[:2], "signup_date"] = pd.NaT
    with pytest.raises(DataValidationError, match=r"^2 customers have no signup_date \(e\.g\. "):
        lifetime_rows(src, broken)
    broken = customers.copy()
    broken.loc[broken.index[0], "churn_date"] = broken.loc[broken.index[0], "signup_date"] - pd.Timedelta(days=3)
    with pytest.raises(DataValidationError, match=f"^1 customers have a churn_date before their signup_date "
                                                  f"\\(e\\.g\\. {broken['customer_id'].iloc[0]}\\)"):
        lifetime_rows(src, broken)
    with pytest.raises(DataValidationError, match="Unknown unit 'week'"):
        lifetime_rows(src, customers, unit="week")


@pytest.mark.parametrize("group", ("plan", "signup_month"))
def test_postgresql_counts_the_store_customers_inside_the_database(demo_on_both_stores, group):
    customers = load_columns(demo_on_both_stores["sqlite"], "customer", COLUMNS)
    with sources.inside(demo_on_both_stores["postgresql"]) as src:
        rows = lifetime_rows(src, None, group=group)
    got = survival.kaplan_meier(rows, group=group, weights="customers", min_size=5)
    want = survival.kaplan_meier(survival.durations(customers), group=group, min_size=5)
    _same(got, want)
    assert np.isfinite(want.summary["rmst"]).all() and want.summary["customers"].sum() > 100
