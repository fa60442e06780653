"""The Overview's headline revenue summed by an engine (core.buyers.engine_headline) equals the pandas sums
(core.metrics.revenue_sums) month by month: on the 200-customer demo in embedded DuckDB over a SQLite store's files
and inside PostgreSQL, for every month from before the revenue starts to after it ends, for one segment and for churn
dates changed in the frame (the lapse rule's, which only the frame holds); on the mix, whose buyers-only customers
carry the lapse rule's churn dates and sales without MRR; on a history known by hand. The Overview built by the view
rule (core.buyers.overview_views) shows the same figures on DuckDB and on pandas."""

from __future__ import annotations

import dataclasses

import ibis
import pandas as pd
import pyarrow as pa
import pytest

import core
from core import metrics
from core.buyers import overview_views
from core.buyers.engine_headline import revenue_sums
from core.buyers.lapse import store_days
from core.buyers.purchases import load_purchase_log
from core.query import choice, sources
from core.store.dates import datetimes
from core.store.profile import profile
from core.store.read import load_columns
from tests.pages import store_kinds


def _customers(engine) -> pd.DataFrame:
    c = core.load_table(engine, "customer")
    return c.assign(signup_date=datetimes(c["signup_date"]), churn_date=datetimes(c["churn_date"]))


def _months(first: str, n: int) -> list[pd.Timestamp]:
    return list(pd.date_range(first, periods=n, freq="MS"))


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-9, atol=1e-6)


@pytest.fixture(params=["sqlite", "postgresql"], ids=["duckdb-over-files", "inside-postgresql"])
def store(request, demo_on_both_stores):
    engine = demo_on_both_stores[request.param]
    with (sources.embedded(engine) if request.param == "sqlite" else sources.inside(engine)) as src:
        yield engine, src


def test_every_month_equals_pandas(store):
    engine, src = store
    customers = _customers(engine)
    revenue = load_columns(engine, "revenue", ["customer_id", "period", "mrr"])
    first = datetimes(revenue["period"]).min().to_period("M").to_timestamp()
    months = _months(str(first - pd.DateOffset(months=3)), 40)  # before the revenue starts to after it ends
    want = metrics.frame_sums(customers, revenue)(months)
    _same(revenue_sums(src, customers, months), want)
    assert (want["base"] > 0).sum() >= 10 and (want["kept"] < want["now"]).any() and (want["paying"] == 0).any()


def test_one_segment_and_churn_dates_only_the_frame_holds(store):
    engine, src = store
    customers = _customers(engine)
    revenue = load_columns(engine, "revenue", ["customer_id", "period", "mrr"])
    months = _months("2024-01-01", 24)
    seg = customers[customers["segment"] == customers["segment"].dropna().iloc[0]]
    kept = revenue[revenue["customer_id"].isin(seg["customer_id"])]
    _same(revenue_sums(src, seg, months), metrics.frame_sums(seg, kept)(months))
    moved = customers.copy()  # half the customers churned a year earlier than the store says
    moved.loc[moved.index[::2], "churn_date"] = moved["signup_date"] + pd.Timedelta(days=200)
    want = metrics.frame_sums(moved, revenue)(months)
    _same(revenue_sums(src, moved, months), want)
    assert not want["base"].equals(metrics.frame_sums(customers, revenue)(months)["base"])


def test_the_mix_with_its_lapse_churn_dates_equals_pandas(tmp_path, monkeypatch):
    engine = core.make_engine(store_kinds.build("mix", tmp_path))
    found = profile(engine)
    customers = load_columns(engine, "customer", ["customer_id", "signup_date", "churn_date", "segment"])
    revenue = load_columns(engine, "revenue", ["customer_id", "period", "mrr"])
    log, days = load_purchase_log(engine), store_days(engine)
    built = {}
    for name in ("pandas", "duckdb"):
        monkeypatch.setenv(choice.ENGINE_ENV, name)
        built[name] = overview_views.overview(engine, found, customers, revenue, log, lapse_days=days)
    recurring = [s for s in built["duckdb"].sections if s.key == "recurring"]
    assert recurring and "lapse" in recurring[0].caption.lower()  # the buyers-only customers' lapse churn is applied
    _same_overview(built["duckdb"], built["pandas"])
    engine.dispose()


def _same_overview(got, want) -> None:
    assert [s.key for s in got.sections] == [s.key for s in want.sections] and got.notes == want.notes
    for a, b in zip(got.sections, want.sections, strict=True):
        assert [f.label for f in a.figures] == [f.label for f in b.figures] and a.caption == b.caption
        for fa, fb in zip(a.figures, b.figures, strict=True):
            assert fa.text == fb.text and fa.versus == fb.versus
            assert fa.value == pytest.approx(fb.value, rel=1e-9, nan_ok=True)
            assert (fa.previous is None) == (fb.previous is None)
            assert fa.previous is None or fa.previous == pytest.approx(fb.previous, rel=1e-9, nan_ok=True)
        pd.testing.assert_frame_equal(a.trend, b.trend, check_exact=False, rtol=1e-9)


@pytest.mark.parametrize(("start", "end"), [(None, None), ("2023-01-01", None), (None, "2025-03-15"),
                                            ("2024-06-01", "2024-12-31")])
def test_the_overview_is_the_same_on_duckdb_and_pandas(demo_on_both_stores, monkeypatch, start, end):
    engine = demo_on_both_stores["sqlite"]
    found = profile(engine)
    customers = load_columns(engine, "customer", ["customer_id", "signup_date", "churn_date"])
    revenue = load_columns(engine, "revenue", ["customer_id", "period", "mrr"])
    built = {}
    for name in ("pandas", "duckdb"):
        monkeypatch.setenv(choice.ENGINE_ENV, name)
        built[name] = overview_views.overview(engine, found, customers, revenue, end=end, start=start)
    _same_overview(built["duckdb"], built["pandas"])
    figures = {f.label: f for f in built["duckdb"].sections[0].figures}
    assert figures["NRR"].value > 0 and figures["ARPA"].value > 0 and len(built["duckdb"].sections[0].trend) >= 2


def test_a_history_known_by_hand():
    """Window of Jun 2025: Jul 2024 to Jun 2025; base month Jun 2024; start customers those active on 30 Jun 2024."""
    customers = pd.DataFrame({
        "customer_id": ["a", "b", "c", "d", "e", "f"],
        "signup_date": pd.to_datetime(["2023-01-01", "2023-06-01", "2024-01-10", "2024-07-01", None, "2023-01-01"]),
        "churn_date": pd.to_datetime([None, "2024-12-31", None, None, None, "2024-06-30"])})
    revenue = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "c", "c", "c", "d", "e", "f", "c"],
        "period": pd.to_datetime(["2024-06-01", "2024-06-20", "2025-06-01", "2024-06-01", "2024-06-01", "2025-06-01",
                                  "2025-06-15", "2025-06-01", "2025-06-01", "2024-06-01", "2025-06-01"]),
        "mrr": [60.0, 40.0, 150.0, 80.0, 50.0, 30.0, -10.0, 70.0, 5.0, 99.0, None]})
    # a: 100 -> 150 (kept 100); b: 80 -> 0 (churned, kept 0); c: 50 -> 20 (kept 20; a credit in the month);
    # d joined inside the window, e has no signup date (counted, never active), f churned on the day before the
    # window: none are starters; a sale (no MRR) is no MRR
    want = pd.DataFrame({"base": [230.0], "now": [170.0], "kept": [120.0], "mrr": [245.0], "paying_mrr": [245.0],
                         "paying": [4]}, index=pd.DatetimeIndex(["2025-06-01"], name="month"))
    _same(metrics.frame_sums(customers, revenue)([pd.Timestamp("2025-06-01")]), want)
    table = pa.Table.from_pandas(revenue.assign(period=revenue["period"].dt.date), preserve_index=False)
    src = sources.Source("by hand", ibis.duckdb.connect(), None, revenue=ibis.memtable(table))
    with src:
        _same(revenue_sums(src, customers, [pd.Timestamp("2025-06-01")]), want)
        h = metrics.headline(customers, revenue, "2025-06-30", sums=lambda m: revenue_sums(src, customers, m))
    assert dataclasses.astuple(h)[1:] == (6, 3, pytest.approx(1 / 3), pytest.approx(1 - 120 / 230), 245.0,
                                          pytest.approx(170 / 230), pytest.approx(120 / 230))


def test_the_view_rule_asks_the_engine_only_when_one_is_set(demo_on_both_stores, monkeypatch):
    engine = demo_on_both_stores["sqlite"]
    found = profile(engine)
    customers = load_columns(engine, "customer", ["customer_id", "signup_date", "churn_date"])
    revenue = load_columns(engine, "revenue", ["customer_id", "period", "mrr"])
    asked = []
    real = revenue_sums
    monkeypatch.setattr("core.buyers.engine_headline.revenue_sums",
                        lambda src, c, months: asked.append(len(months)) or real(src, c, months))
    for name, times in (("pandas", 0), ("duckdb", 1)):
        monkeypatch.setenv(choice.ENGINE_ENV, name)
        overview_views.overview(engine, found, customers, revenue)
        assert len(asked) == times  # every month shown asked in one query
    assert asked == [12]  # the 12 months of the sparklines (the month before the as-of month among them)
