"""Revenue retention with the sums done by an engine (core.cohorts.engine_revenue through engine_cohort_table)
equals the rows' path (core.cohorts.table.cohort_table with revenue) on every revenue setting: on the demo
(embedded DuckDB over the revenue column files), on PostgreSQL inside the database, on a book whose figures are
known by hand; a purchase log without recurring revenue is refused alike."""

from __future__ import annotations

import itertools

import ibis
import pandas as pd
import pytest

import core
from core.cohorts.from_counts import engine_cohort_table
from core.cohorts.table import NO_RECURRING_REVENUE, cohort_table
from core.errors import InsufficientDataError
from core.query import sources
from core.store import columnar
from core.store.read import load_columns
from tests.conftest import copy_store
from tests.pages import store_kinds

SETTINGS = [dict(measure=m, cohort_by=c, base=b, period=p)
            for m, c, b, p in itertools.product(("net_revenue", "gross_revenue"), ("signup", "first_activity"),
                                                ("period0", "previous"), ("month", "quarter"))]


def _same(a, b) -> None:
    for name in ("values", "complete"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=False, rtol=1e-9, atol=1e-12)
    pd.testing.assert_series_equal(a.average, b.average, check_exact=False, rtol=1e-9, atol=1e-12)
    pd.testing.assert_series_equal(a.sizes, b.sizes)
    assert a.settings == b.settings


def _frames(engine):
    return (load_columns(engine, "customer", ["customer_id", "signup_date", "churn_date"]),
            columnar.activity_pairs(engine), load_columns(engine, "revenue", ["customer_id", "period", "mrr"]))


@pytest.fixture(scope="module")
def demo(small_demo_store, tmp_path_factory):
    engine = core.make_engine(f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('erev'))}")
    src = sources.embedded(engine)
    yield src, *_frames(engine)
    src.close()
    engine.dispose()


@pytest.mark.parametrize("opts", SETTINGS, ids=lambda o: "-".join(o.values()))
def test_every_revenue_setting_equals_the_rows_path_on_the_demo(demo, opts):
    src, customers, pairs, revenue = demo
    _same(engine_cohort_table(src, customers, **opts), cohort_table(customers, pairs, revenue, **opts))


def test_the_demo_revenue_is_read_from_its_column_files(demo):
    src, _, _, revenue = demo
    assert "read_parquet" in str(ibis.to_sql(src.revenue)) or src.revenue.get_name() == "revenue"
    assert src.con.execute(src.revenue.mrr.sum()) == pytest.approx(revenue["mrr"].sum(), rel=1e-12)


def test_a_book_known_by_hand():
    """Cohort 2024-01: a (100, then 150: expansion), b (100, then 40, then 0) and c (nothing in month 0, then 30);
    net month 1 = (150 + 40 + 30)/200, gross month 1 = (100 + 40 + 0)/200 (c is capped at its month-0 MRR, 0);
    month 2: net 150/200, gross 100/200."""
    customers = pd.DataFrame({"customer_id": ["a", "b", "c"], "signup_date": pd.Timestamp("2024-01-05"),
                              "churn_date": pd.NaT})
    revenue = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "b", "c"],
                            "period": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", "2024-01-01",
                                                      "2024-02-01", "2024-02-01"]),
                            "mrr": [100.0, 150.0, 150.0, 100.0, 40.0, 30.0]})
    rev = ibis.memtable(revenue.assign(period=revenue["period"].dt.date),
                        schema={"customer_id": "string", "period": "date", "mrr": "float64"})
    with sources.Source("hand", ibis.duckdb.connect(), None, None, rev) as src:
        net = engine_cohort_table(src, customers, measure="net_revenue", as_of="2024-03-31", min_size=1)
        gross = engine_cohort_table(src, customers, measure="gross_revenue", as_of="2024-03-31", min_size=1)
    rows = cohort_table(customers, None, revenue, measure="gross_revenue", as_of="2024-03-31", min_size=1)
    _same(gross, rows)
    assert net.values.loc["2024-01"].tolist() == pytest.approx([1.0, 220 / 200, 150 / 200])
    assert gross.values.loc["2024-01"].tolist() == pytest.approx([1.0, 140 / 200, 100 / 200])


def test_a_purchase_log_is_refused_as_the_rows_path_refuses_it(shared, tmp_path):
    engine = core.make_engine(store_kinds.build("cdnow", tmp_path))  # the run's one import of the log, copied
    customers, pairs, revenue = _frames(engine)
    with pytest.raises(InsufficientDataError) as rows:
        cohort_table(customers, pairs, revenue, measure="net_revenue")
    with sources.embedded(engine) as src, pytest.raises(InsufficientDataError) as eng:
        engine_cohort_table(src, customers, measure="net_revenue")
    assert str(rows.value) == str(eng.value) == NO_RECURRING_REVENUE
    engine.dispose()


@pytest.mark.parametrize("opts", [SETTINGS[0], SETTINGS[7], SETTINGS[12]], ids=lambda o: "-".join(o.values()))
def test_postgresql_sums_the_revenue_inside_the_database(demo_on_both_stores, opts):
    customers, pairs, revenue = _frames(demo_on_both_stores["sqlite"])
    with sources.inside(demo_on_both_stores["postgresql"]) as src:
        _same(engine_cohort_table(src, customers, **opts), cohort_table(customers, pairs, revenue, **opts))
