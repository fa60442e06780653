"""A company's warehouse as a read-only source (core.query.warehouse): a PostgreSQL database and a DuckDB file laid
out the way a company's would be (its own schemas, table and column names, timestamps instead of dates), read
through a mapping file, give the same cohort tables as the store holding the same business; the warehouse is left
as it was (no table, no temporary table); the churn and health models' behavioural features (usage, tickets, NPS
and CSAT, MRR, failed payments) summed in the warehouse equal the store's; every mistake in the mapping or the URL is
one plain line; and ``python -m core cohorts`` reads the warehouse when ``RETENTION_WAREHOUSE_URL`` is set."""

from __future__ import annotations

import io

import duckdb
import numpy as np
import pandas as pd
import psycopg
import pytest

import core
from core.buyers import warehouse_overview
from core.buyers.overview import build
from core.cli.main import main as cli
from core.cohorts import survival, warehouse_views
from core.cohorts.from_counts import engine_cohort_table
from core.cohorts.settings import CohortSettings
from core.cohorts.table import cohort_table
from core.demo.load import load_demo
from core.errors import DataValidationError
from core.history import asof, engine_behaviour
from core.history.movements import mrr_movements
from core.query import sources, warehouse
from core.store import columnar
from core.store.profile import profile
from core.store.read import load_columns
from tests.company_warehouse import FACTS, MAPPING, company_facts, company_tables, duckdb_file, facts_duckdb_file
from tests.core.buyers.test_warehouse_overview import _same_overview

SETTINGS = [dict(cohort_by="first_activity", retained_by="activity", definition="on"),
            dict(cohort_by="first_activity", retained_by="activity", definition="on_or_after", period="week"),
            dict(cohort_by="signup", retained_by="subscription", period="quarter"),
            dict(cohort_by="signup", retained_by="activity", definition="on", measure="count"),
            dict(cohort_by="signup", retained_by="subscription", measure="net_revenue"),
            dict(cohort_by="first_activity", retained_by="activity", measure="gross_revenue", base="previous")]


def _same(a, b) -> None:
    for name in ("values", "counts", "complete"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=False, rtol=1e-12, atol=1e-12)
    pd.testing.assert_series_equal(a.sizes, b.sizes)
    assert a.settings == b.settings


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The business as the workbench's store holds it: the 200-customer demo."""
    engine = core.make_engine(f"sqlite:///{tmp_path_factory.mktemp('wh') / 'store.db'}")
    load_demo(engine, n_customers=200, seed=2)
    customers = load_columns(engine, "customer", ["customer_id", "signup_date", "churn_date", "segment"])
    activity = load_columns(engine, "activity", ["customer_id", "date", "value"])
    revenue = load_columns(engine, "revenue", ["customer_id", "period", "mrr", "payment_failed", "id"])
    yield engine, customers, activity, revenue
    engine.dispose()


@pytest.fixture(scope="module")
def pg_warehouse(pg_server, store):
    """A PostgreSQL database with the company's schemas crm, analytics and billing; yields its URL."""
    url = pg_server.new_database("company_warehouse").replace("postgresql+psycopg://", "postgres://")
    accounts, events = company_tables(store[1], store[2])
    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute("CREATE SCHEMA crm; CREATE SCHEMA analytics")
        conn.execute("CREATE TABLE crm.accounts (account_id text PRIMARY KEY, tier text, created_at timestamp, "
                     "cancelled_at timestamp, mrr_cents integer)")
        conn.execute("CREATE TABLE analytics.events (user_id text, event_time timestamp, kind text, "
                     "minutes numeric(12, 3))")
        conn.execute("CREATE SCHEMA billing; CREATE TABLE billing.invoices (account_id text, invoice_month date, "
                     "monthly_amount numeric(12, 2), failed boolean, invoice_no bigint)")
        conn.execute("CREATE SCHEMA support; CREATE TABLE support.tickets (account_id text, created_at timestamp, "
                     "closed_at timestamp, queue text)")
        conn.execute("CREATE SCHEMA cx; CREATE TABLE cx.survey_answers (answer_no bigint, account_id text, "
                     "answered_at timestamp, survey_type text, rating numeric(4, 1))")
        facts = company_facts(store[0])
        for table, frame in (("crm.accounts", accounts), ("analytics.events", events), *facts.items()):
            with conn.cursor().copy(f"COPY {table} FROM STDIN") as copy:
                for row in frame.astype(object).where(frame.notna(), None).itertuples(index=False):
                    copy.write_row(row)
    yield url
    

@pytest.fixture
def mapping(tmp_path):
    path = tmp_path / "warehouse.toml"
    path.write_text(MAPPING, encoding="utf-8")
    return warehouse.read_mapping(path)


def _relations(url: str) -> list[tuple]:
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
        # not reltuples: PostgreSQL's autovacuum may analyze a table at any moment and change its estimate
        return conn.execute("SELECT n.nspname, c.relname, c.relpersistence, c.relkind FROM pg_class c JOIN "
                            "pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', "
                            "'information_schema', 'pg_toast') ORDER BY 1, 2").fetchall()


@pytest.mark.parametrize("opts", SETTINGS, ids=lambda o: "-".join(map(str, o.values())))
def test_a_postgresql_warehouse_gives_the_stores_table(store, pg_warehouse, mapping, opts):
    engine, customers, *_ = store
    before = _relations(pg_warehouse)
    with warehouse.connect(pg_warehouse, mapping) as wh:
        assert wh.name == "the warehouse (postgres), through warehouse.toml"
        want = cohort_table(customers, columnar.activity_pairs(engine), store[3], **opts)
        _same(engine_cohort_table(wh, None, **opts), want)
        temp = wh.con.raw_sql("SELECT count(*) FROM pg_class WHERE relpersistence = 't'").fetchone()[0]
    assert temp == 0 and _relations(pg_warehouse) == before  # read only: nothing created, not even for a moment


def test_the_cohort_pages_segments_table_and_survival_run_in_the_warehouse(store, pg_warehouse, mapping):
    """The Cohort curves page's rule (core.cohorts.warehouse_views) inside PostgreSQL: a segment's table and survival
    by segment equal pandas on the store, and nothing is created in the warehouse."""
    engine, customers, *_ = store
    segment = customers["segment"].iloc[0]
    kept = customers[customers["segment"] == segment]
    before = _relations(pg_warehouse)
    with warehouse.connect(pg_warehouse, mapping) as wh:
        assert warehouse_views.segments(wh) == sorted(customers["segment"].unique())
        got = warehouse_views.table(wh, CohortSettings(**SETTINGS[0]), [segment])
        km = warehouse_views.survival_curves(wh, "segment", 24.0)
        temp = wh.con.raw_sql("SELECT count(*) FROM pg_class WHERE relpersistence = 't'").fetchone()[0]
    _same(got, cohort_table(kept, columnar.activity_pairs(engine), **SETTINGS[0]))
    assert got.sizes.sum() < len(customers)
    want = survival.kaplan_meier(survival.durations(customers), group="segment", horizon=24.0)
    pd.testing.assert_frame_equal(km.summary, want.summary, check_exact=False, rtol=1e-9)
    assert temp == 0 and _relations(pg_warehouse) == before


def test_a_duckdb_file_warehouse_gives_the_same_table(store, mapping, tmp_path):
    engine, customers, activity, _ = store
    url = duckdb_file(engine, customers, activity, tmp_path / "company.duckdb")
    with warehouse.connect(url, mapping) as wh:
        _same(engine_cohort_table(wh, None, **SETTINGS[1]),
              cohort_table(customers, columnar.activity_pairs(engine), **SETTINGS[1]))


def test_the_cli_reads_the_warehouse_when_one_is_set(store, pg_warehouse, tmp_path, monkeypatch, capsys):
    engine = store[0]
    db = f"sqlite:///{tmp_path / 'empty.db'}"  # the store holds nothing: every figure comes from the warehouse
    (tmp_path / "map.toml").write_text(MAPPING, encoding="utf-8")
    args = ["cohorts", "--cohort-by", "first_activity", "--retained-by", "activity"]
    assert cli(["--db", str(engine.url), *args]) == 0
    from_store = capsys.readouterr().out
    monkeypatch.setenv(warehouse.URL_ENV, pg_warehouse)
    monkeypatch.setenv(warehouse.MAP_ENV, str(tmp_path / "map.toml"))
    assert cli(["--db", db, *args]) == 0
    out, err = capsys.readouterr()
    assert out == from_store and len(pd.read_csv(io.StringIO(out))) > 10
    assert err.strip() == "Figures from the warehouse (postgres), through map.toml."
    monkeypatch.delenv(warehouse.MAP_ENV)
    assert cli(["--db", db, *args]) == 2
    assert capsys.readouterr().err.strip().endswith(
        f"{warehouse.URL_ENV} is set but {warehouse.MAP_ENV} is not: point it at the mapping file of your tables "
        "and columns (see the README).")


@pytest.mark.parametrize("text, message", [
    ("[customers\ntable = 'x'", "is not valid TOML"),
    ("[people]\ntable = 'x'", "has a section [people]: the sections are [customers], [activity], [revenue], [tickets], "
                                   "[feedback]"),
    ("[activity]\ntable = 'x'\ncustomer_id = 'a'\ndate = 'd'", "has no [customers] section"),
    ("[customers]\ntable = 'x'\ncustomer_id = 'a'", "[customers] has no signup_date: add signup_date = \"...\""),
    ("[customers]\ntable = 'x'\ncustomer_id = 'a'\nsignup_date = 's'\nmrr = 'm'", "[customers] has a key mrr"),
    ("[customers]\ntable = 'x'\ncustomer_id = 3\nsignup_date = 's'", "customer_id must be a name in quotes"),
    ("[customers]\ntable = 'x'\ncustomer_id = 'a'\nsignup_date = 's'\n[feedback]\ntable = 'f'\n"
     "customer_id = 'a'\ndate = 'd'\nscore = 's'", "[feedback] needs one of channel (the column saying nps, csat or "
                                                   "ces) or survey = \"nps\""),
    ("[customers]\ntable = 'x'\ncustomer_id = 'a'\nsignup_date = 's'\n[feedback]\ntable = 'f'\n"
     "customer_id = 'a'\ndate = 'd'\nscore = 's'\nsurvey = 'review'", "survey = \"review\": the surveys the models "
                                                                     "read are nps, csat and ces"),
])
def test_a_mapping_mistake_is_one_plain_line(tmp_path, text, message):
    path = tmp_path / "m.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError) as e:
        warehouse.read_mapping(path)
    assert message in str(e.value) and "\n" not in str(e.value)


def test_a_missing_file_table_column_or_server_is_one_plain_line(pg_warehouse, mapping, tmp_path):
    with pytest.raises(DataValidationError, match="cannot be read"):
        warehouse.read_mapping(tmp_path / "nowhere.toml")
    for old, new, message in (("crm.accounts", "crm.acounts", "The warehouse has no table crm.acounts"),
                              ('"event_time"', '"event_ts"', "Table analytics.events has no column \"event_ts\" "
                                                              "([activity] date = \"event_ts\" in m.toml); its "
                                                              "columns are user_id, event_time, kind, minutes.")):
        path = tmp_path / "m.toml"
        path.write_text(MAPPING.replace(old, new), encoding="utf-8")
        with pytest.raises(DataValidationError) as e:
            warehouse.connect(pg_warehouse, warehouse.read_mapping(path))
        assert message in str(e.value) and "\n" not in str(e.value)
    closed = "postgres://someone:secret@127.0.0.1:9/nothing"
    with pytest.raises(DataValidationError) as e:
        warehouse.connect(closed, mapping)
    assert str(e.value).startswith("The warehouse at postgres://someone@127.0.0.1:9/nothing cannot be reached: ")
    assert "secret" not in str(e.value) and "\n" not in str(e.value)


def test_a_warehouse_without_activity_gives_subscription_cohorts_and_refuses_activity(store, pg_warehouse, tmp_path):
    engine, customers, *_ = store
    path = tmp_path / "customers_only.toml"
    path.write_text(MAPPING.split("[activity]")[0], encoding="utf-8")  # no activity, no revenue
    with warehouse.connect(pg_warehouse, warehouse.read_mapping(path)) as wh:
        assert wh.activity is None
        opts = dict(cohort_by="signup", retained_by="subscription", as_of="2025-12-31")
        _same(engine_cohort_table(wh, None, **opts), cohort_table(customers, None, **opts))
        with pytest.raises(DataValidationError, match="These cohorts need activity, and the warehouse"):
            engine_cohort_table(wh, None, cohort_by="first_activity", retained_by="activity")


def _cutoffs(customers: pd.DataFrame) -> list[pd.Timestamp]:
    """Three days inside the demo's history, where every group of features has rows."""
    end = customers["signup_date"].max()
    return [end - pd.Timedelta(days=d) for d in (0, 95, 230)]


def _same_behaviour(got, want) -> None:
    assert [gap for _, gap in got] == [gap for _, gap in want]
    for (g, _), (w, _) in zip(got, want, strict=True):
        assert list(g) == list(w)
        for name in w:
            np.testing.assert_allclose(g[name], w[name], rtol=1e-9, atol=1e-9, equal_nan=True, err_msg=name)


def _behaviour_features(store) -> tuple[pd.DataFrame, dict]:
    """The store's own features (embedded DuckDB over its files) at :func:`_cutoffs`, checked to be informative."""
    engine, customers, *_ = store
    people = customers.assign(signup_date=pd.to_datetime(customers["signup_date"]))
    with sources.embedded(engine) as own:
        want = {c: engine_behaviour.behaviour(own, people, c) for c in _cutoffs(people)}
    last = dict(kv for group, _ in want[_cutoffs(people)[0]] for kv in group.items())
    for name in ("tickets_90d", "hours_to_resolve", "nps_latest", "csat_change", "mrr_change_3m",
                 "failed_payments_90d", "usage_level_30d"):
        assert np.nansum(np.abs(last[name])) > 0, name  # each group has something to compare
    return people, want


def test_the_models_features_summed_in_a_duckdb_file_warehouse_equal_the_stores(store, tmp_path):
    url = facts_duckdb_file(store[0], tmp_path / "company.duckdb")
    (tmp_path / "m.toml").write_text(FACTS, encoding="utf-8")
    people, want = _behaviour_features(store)
    with warehouse.connect(url, warehouse.read_mapping(tmp_path / "m.toml")) as wh:
        for c, features in want.items():
            _same_behaviour(engine_behaviour.behaviour(wh, people, c), features)


def test_the_models_features_summed_in_a_postgresql_warehouse_equal_the_stores(store, pg_warehouse, tmp_path):
    (tmp_path / "m.toml").write_text(FACTS, encoding="utf-8")
    people, want = _behaviour_features(store)
    before = _relations(pg_warehouse)
    with warehouse.connect(pg_warehouse, warehouse.read_mapping(tmp_path / "m.toml")) as wh:
        assert wh.tickets is not None and wh.feedback is not None
        with engine_behaviour.prepared(wh, people, list(want)):  # every cutoff in one query per group
            for c, features in want.items():
                _same_behaviour(engine_behaviour.behaviour(wh, people, c), features)
    assert _relations(pg_warehouse) == before


def test_one_survey_per_table_and_tickets_without_a_resolution_column(store, pg_warehouse, tmp_path):
    """A table of NPS answers only (survey = "nps") gives the NPS features and no CSAT; tickets without a resolved
    column count as open."""
    text = FACTS.replace('channel = "survey_type"', 'survey = "NPS"').replace('resolved = "closed_at"\n', "")
    (tmp_path / "m.toml").write_text(text, encoding="utf-8")
    people, want = _behaviour_features(store)
    c = next(iter(want))
    with warehouse.connect(pg_warehouse, warehouse.read_mapping(tmp_path / "m.toml")) as wh:
        got = dict(kv for group, _ in engine_behaviour.behaviour(wh, people, c) for kv in group.items())
    ref = dict(kv for group, _ in want[c] for kv in group.items())
    every = pd.Series(ref["nps_latest"]).notna() | pd.Series(ref["csat_latest"]).notna()
    assert pd.Series(got["nps_latest"])[every].notna().all()  # every answer read as an NPS one
    np.testing.assert_array_equal(got["tickets_unresolved"], got["tickets_90d"])
    assert got["tickets_90d"].sum() == ref["tickets_90d"].sum() and np.isnan(got["hours_to_resolve"]).all()


def test_a_column_of_the_wrong_kind_is_one_plain_line_when_connecting(store, tmp_path):
    """A text answer id, a text payment flag or a text score would fail only inside a query: refused at once."""
    path = tmp_path / "company.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA crm; CREATE TABLE crm.accounts (account_id text, created_at date)")
        con.execute("CREATE SCHEMA cx; CREATE TABLE cx.answers (answer_no text, account_id text, answered_at date, "
                    "survey_type text, rating text, failed text)")
    base = ("[customers]\ntable = 'crm.accounts'\ncustomer_id = 'account_id'\nsignup_date = 'created_at'\n"
            "[feedback]\ntable = 'cx.answers'\ncustomer_id = 'account_id'\ndate = 'answered_at'\n"
            "channel = 'survey_type'\n")
    for extra, message in (("score = 'rating'\n", "Column rating of cx.answers is string, but [feedback] score must "
                                                     "be a number (m.toml): map another column."),
                           ("score = 'answered_at'\nid = 'answer_no'\n", "[feedback] id must be a whole number "
                                                                           "(m.toml): map another column (or leave id "
                                                                           "out).")):
        (tmp_path / "m.toml").write_text(base + extra, encoding="utf-8")
        with pytest.raises(DataValidationError) as e:
            warehouse.connect(f"duckdb://{path}", warehouse.read_mapping(tmp_path / "m.toml"))
        assert message in str(e.value) and "\n" not in str(e.value)


def test_the_overview_is_added_up_inside_a_postgresql_warehouse(store, pg_warehouse, tmp_path):
    """The Overview's rule (core.buyers.warehouse_overview) inside PostgreSQL: the headline with its changes and
    sparklines, and the MRR movements, equal pandas on the store; the warehouse keeps nothing (the customers and
    months asked about go as session-temporary tables, as the README says)."""
    engine, customers, _, revenue = store
    (tmp_path / "m.toml").write_text(FACTS, encoding="utf-8")
    before = _relations(pg_warehouse)
    with warehouse.connect(pg_warehouse, warehouse.read_mapping(tmp_path / "m.toml")) as wh:
        got, moves = warehouse_overview.overview(wh), warehouse_overview.movements(wh)
    assert _relations(pg_warehouse) == before
    revenue = revenue[["customer_id", "period", "mrr"]]
    _same_overview(got, build(profile(engine), customers.drop(columns="segment"), revenue, None))
    as_of = asof.as_of_month(customers, revenue)
    want = mrr_movements(revenue, start=asof.window(as_of).start, end=as_of)
    pd.testing.assert_frame_equal(moves, want, check_exact=False, rtol=1e-9, atol=1e-9)
