"""The cohort table with the counting done by an engine (core.cohorts.engine_counts through
core.cohorts.from_counts.engine_cohort_table) equals the rows' path (core.cohorts.table.cohort_table) cell for
cell, on every logo setting: on the 1,000-customer demo (embedded DuckDB over the column files), on the CDNOW
purchase log (also against pandas written here), and on PostgreSQL, run inside the database and by DuckDB over
its column cache."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

import core
from core.cohorts.from_counts import engine_cohort_table
from core.cohorts.table import cohort_table
from core.demo.load import load_demo
from core.errors import InsufficientDataError
from core.query import sources
from core.store import columnar
from core.store.read import load_columns
from tests.conftest import copy_store
from tests.core.cohorts.test_table import independent_cdnow
from tests.pages import store_kinds

#: every logo setting a page or the CLI can ask for, crossed
SETTINGS = [dict(cohort_by=c, retained_by=r, definition=d, period=p)
            for c, r, d, p in itertools.product(("signup", "first_activity"), ("activity", "subscription"),
                                                ("on", "on_or_after"), ("day", "week", "month", "quarter"))
            if not (r == "subscription" and d == "on_or_after")]
VARIANTS = [dict(measure="count"), dict(base="previous"), dict(weighting="simple"), dict(max_periods=5),
            dict(as_of="2025-06-30")]


def _same(a, b) -> None:
    """Identical tables: every frame and the settings they carry."""
    for name in ("values", "counts", "complete"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=False, rtol=1e-12, atol=1e-12)
    pd.testing.assert_series_equal(a.sizes, b.sizes)
    pd.testing.assert_series_equal(a.small, b.small)
    pd.testing.assert_series_equal(a.average, b.average, check_exact=False, rtol=1e-12, atol=1e-12)
    assert a.settings == b.settings


def _customers(engine) -> pd.DataFrame:
    return load_columns(engine, "customer", ["customer_id", "signup_date", "churn_date", "segment"])


@pytest.fixture(scope="module")
def demo(small_demo_store, tmp_path_factory):
    engine = core.make_engine(f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('query'))}")
    src = sources.embedded(engine)
    yield engine, src, _customers(engine), columnar.activity_pairs(engine)
    src.close()
    engine.dispose()


def test_the_demo_is_read_from_its_column_files(demo):
    engine, src, _, pairs = demo
    assert src.name == "DuckDB (embedded) over the store's column files"
    assert src.con.execute(src.activity.count()) == len(pairs) > 100_000


@pytest.mark.parametrize("opts", SETTINGS, ids=lambda o: "-".join(o.values()))
def test_every_logo_setting_equals_the_rows_path_on_the_demo(demo, opts):
    _, src, customers, pairs = demo
    _same(engine_cohort_table(src, customers, **opts), cohort_table(customers, pairs, **opts))


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda o: next(iter(o)))
def test_measures_bases_weightings_and_limits_equal_the_rows_path(demo, variant):
    _, src, customers, pairs = demo
    for opts in (dict(cohort_by="first_activity", retained_by="activity", definition="on_or_after"),
                 dict(cohort_by="signup", retained_by="subscription")):
        _same(engine_cohort_table(src, customers, **opts, **variant), cohort_table(customers, pairs, **opts, **variant))


def test_the_customers_a_filter_keeps_are_the_only_ones_counted(demo):
    _, src, customers, pairs = demo
    kept = customers[customers["segment"] == customers["segment"].iloc[0]]
    assert 0 < len(kept) < len(customers)
    opts = dict(cohort_by="first_activity", retained_by="activity", definition="on")
    got = engine_cohort_table(src, kept, **opts)
    _same(got, cohort_table(kept, pairs, **opts))
    assert got.sizes.sum() < engine_cohort_table(src, customers, **opts).sizes.sum()


def test_one_cell_by_hand(demo):
    """Customers of the first full signup month active in its month 2, counted with pandas from the store's rows."""
    engine, src, customers, _ = demo
    act = load_columns(engine, "activity", ["customer_id", "date"])
    signup = customers.set_index("customer_id")["signup_date"].dt.to_period("M")
    t = engine_cohort_table(src, customers, cohort_by="signup", retained_by="activity", definition="on")
    cohort = t.values.index[1]
    members = signup[signup.astype(str) == cohort].index
    month2 = pd.Period(cohort, "M") + 2
    active = act[act["customer_id"].isin(members) & (act["date"].dt.to_period("M") == month2)]["customer_id"]
    assert t.counts.loc[cohort, 2] == active.nunique() > 0
    assert t.sizes.loc[cohort] == len(members)


def test_an_empty_store_is_refused_plainly(demo, tmp_path):
    _, _, customers, _ = demo
    empty = core.make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with sources.embedded(empty) as none:
        with pytest.raises(InsufficientDataError, match="No customer"):
            engine_cohort_table(none, customers.assign(signup_date=pd.NaT), cohort_by="first_activity",
                                retained_by="activity")
        with pytest.raises(InsufficientDataError, match="Revenue retention needs recurring revenue"):
            engine_cohort_table(none, customers, measure="net_revenue")
    empty.dispose()


def test_a_stale_column_file_is_rebuilt_before_the_engine_reads_it(small_demo_store, tmp_path):
    engine = core.make_engine(f"sqlite:///{copy_store(small_demo_store, tmp_path)}")
    customers, pairs = _customers(engine), columnar.activity_pairs(engine)
    files = columnar.checked_files(engine)
    files[0].write_bytes(files[0].read_bytes()[: len(files[0].read_bytes()) // 2])  # a truncated file
    opts = dict(cohort_by="first_activity", retained_by="activity")
    with sources.embedded(engine) as src:
        _same(engine_cohort_table(src, customers, **opts), cohort_table(customers, pairs, **opts))
    assert columnar.record(files[0])["rows"] == columnar.record(files[0])["file_rows"]
    engine.dispose()


def test_a_store_without_column_files_is_read_from_its_rows():
    engine = core.make_engine("sqlite://")
    load_demo(engine, n_customers=120, seed=3)
    customers = _customers(engine)
    opts = dict(cohort_by="first_activity", retained_by="activity", definition="on_or_after", period="week")
    with sources.embedded(engine) as src:
        assert src.name == "DuckDB (embedded) over the store's rows"
        _same(engine_cohort_table(src, customers, **opts), cohort_table(customers, columnar.activity_pairs(engine),
                                                                        **opts))
    engine.dispose()


@pytest.fixture(scope="module")
def cdnow_store(shared, tmp_path_factory):
    engine = core.make_engine(store_kinds.build("cdnow", tmp_path_factory.mktemp("cdnow")))  # the run's import
    yield engine
    engine.dispose()


def test_cdnow_equals_the_rows_path_and_pandas(cdnow_store, cdnow):
    raw = cdnow
    customers = _customers(cdnow_store)
    opts = dict(cohort_by="first_activity", retained_by="activity", period="month", as_of="1998-06-30")
    with sources.embedded(cdnow_store) as src:
        for definition in ("on", "on_or_after"):
            got = engine_cohort_table(src, customers, definition=definition, **opts)
            _same(got, cohort_table(customers, columnar.activity_pairs(cdnow_store), definition=definition, **opts))
    got = engine_cohort_table(sources.embedded(cdnow_store), customers, definition="on", **opts)
    expected = independent_cdnow(raw)
    assert got.sizes.sum() == 23570
    ok = got.complete.loc[expected.index, expected.columns]
    pd.testing.assert_frame_equal(got.values.loc[expected.index, expected.columns].where(ok), expected.where(ok),
                                  check_names=False, check_dtype=False, atol=1e-12)


@pytest.fixture(scope="module")
def cdnow(shared) -> pd.DataFrame:
    """CDNOW's purchases as written in the file (customer, date), read apart from core."""
    raw = pd.read_csv(shared / "cdnow/CDNOW_master.txt", sep=r"\s+", header=0, usecols=[0, 1],
                      names=["customer_id", "date"], dtype=str)
    return raw.assign(date=pd.to_datetime(raw["date"], format="%Y%m%d"))


@pytest.mark.parametrize("opts", [SETTINGS[i] for i in (0, 5, 9, 14, 18, 23)], ids=lambda o: "-".join(o.values()))
def test_postgresql_inside_and_duckdb_over_its_cache_equal_sqlite(demo_on_both_stores, opts):
    pg, lite = demo_on_both_stores["postgresql"], demo_on_both_stores["sqlite"]
    customers = _customers(lite)
    want = cohort_table(customers, columnar.activity_pairs(lite), **opts)
    with sources.inside(pg) as inside, sources.embedded(pg) as cached:
        assert inside.name.startswith("PostgreSQL") and cached.name.endswith("column files")
        _same(engine_cohort_table(inside, _customers(pg), **opts), want)
        _same(engine_cohort_table(cached, customers, **opts), want)
    assert want.counts.fillna(0).to_numpy().sum() > 0


def test_only_postgresql_runs_inside(demo_on_both_stores):
    with pytest.raises(ValueError, match="Only a PostgreSQL store"):
        sources.inside(demo_on_both_stores["sqlite"])
