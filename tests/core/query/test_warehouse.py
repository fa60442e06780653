"""A company's warehouse as a read-only source (core.query.warehouse): a PostgreSQL database and a DuckDB file laid
out the way a company's would be (its own schemas, table and column names, timestamps instead of dates), read
through a mapping file, give the same cohort tables as the store holding the same business; the warehouse is left
as it was (no table, no temporary table); every mistake in the mapping or the URL is one plain line; and
``python -m core cohorts`` reads the warehouse when ``RETENTION_WAREHOUSE_URL`` is set."""

from __future__ import annotations

import io

import duckdb
import pandas as pd
import psycopg
import pytest

import core
from core.cli.main import main as cli
from core.cohorts.from_counts import engine_cohort_table
from core.cohorts.table import cohort_table
from core.demo.load import load_demo
from core.errors import DataValidationError
from core.query import warehouse
from core.store import columnar
from core.store.read import load_columns

MAPPING = """
[customers]
table = "crm.accounts"
customer_id = "account_id"
signup_date = "created_at"
churn_date = "cancelled_at"
segment = "tier"

[activity]
table = "analytics.events"
customer_id = "user_id"
date = "event_time"

[revenue]
table = "billing.invoices"
customer_id = "account_id"
period = "invoice_month"
mrr = "monthly_amount"
"""
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
    activity = load_columns(engine, "activity", ["customer_id", "date"])
    revenue = load_columns(engine, "revenue", ["customer_id", "period", "mrr"])
    yield engine, customers, activity, revenue
    engine.dispose()


def _company_tables(customers: pd.DataFrame, activity: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The same business in the company's own shape: other names, timestamps at odd hours, an extra column."""
    accounts = pd.DataFrame({"account_id": customers["customer_id"], "tier": customers["segment"],
                             "created_at": customers["signup_date"] + pd.Timedelta(hours=13, minutes=45),
                             "cancelled_at": customers["churn_date"] + pd.Timedelta(hours=23, minutes=59),
                             "mrr_cents": 9900})
    events = pd.DataFrame({"user_id": activity["customer_id"], "event_time": activity["date"] + pd.Timedelta(hours=7),
                           "kind": "login"})
    return accounts, events


@pytest.fixture(scope="module")
def pg_warehouse(pg_server, store):
    """A PostgreSQL database with the company's schemas crm, analytics and billing; yields its URL."""
    url = pg_server.new_database("company_warehouse").replace("postgresql+psycopg://", "postgres://")
    accounts, events = _company_tables(store[1], store[2])
    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute("CREATE SCHEMA crm; CREATE SCHEMA analytics")
        conn.execute("CREATE TABLE crm.accounts (account_id text PRIMARY KEY, tier text, created_at timestamp, "
                     "cancelled_at timestamp, mrr_cents integer)")
        conn.execute("CREATE TABLE analytics.events (user_id text, event_time timestamp, kind text)")
        conn.execute("CREATE SCHEMA billing; CREATE TABLE billing.invoices (account_id text, invoice_month date, "
                     "monthly_amount numeric(12, 2))")
        invoices = store[3].rename(columns={"customer_id": "account_id", "period": "invoice_month",
                                            "mrr": "monthly_amount"})
        for table, frame in (("crm.accounts", accounts), ("analytics.events", events), ("billing.invoices", invoices)):
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


def test_a_segment_filter_runs_in_the_warehouse(store, pg_warehouse, mapping):
    engine, customers, *_ = store
    segment = customers["segment"].iloc[0]
    kept = customers[customers["segment"] == segment]
    with warehouse.connect(pg_warehouse, mapping) as wh:
        got = engine_cohort_table(wh.restricted("segment", [segment]), None, **SETTINGS[0])
    _same(got, cohort_table(kept, columnar.activity_pairs(engine), **SETTINGS[0]))
    assert got.sizes.sum() < len(customers)


def test_a_duckdb_file_warehouse_gives_the_same_table(store, mapping, tmp_path):
    engine, customers, activity, _ = store
    accounts, events = _company_tables(customers, activity)
    path = tmp_path / "company.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA crm; CREATE SCHEMA analytics")
        con.execute("CREATE TABLE crm.accounts AS SELECT * FROM accounts")
        con.execute("CREATE TABLE analytics.events AS SELECT * FROM events")
        invoices = store[3].rename(columns={"customer_id": "account_id", "period": "invoice_month",  # noqa: F841
                                            "mrr": "monthly_amount"})
        con.execute("CREATE SCHEMA billing; CREATE TABLE billing.invoices AS SELECT * FROM invoices")
    with warehouse.connect(f"duckdb://{path}", mapping) as wh:
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
    ("[people]\ntable = 'x'", "has a section [people]: the sections are [customers], [activity], [revenue]"),
    ("[activity]\ntable = 'x'\ncustomer_id = 'a'\ndate = 'd'", "has no [customers] section"),
    ("[customers]\ntable = 'x'\ncustomer_id = 'a'", "[customers] has no signup_date: add signup_date = \"...\""),
    ("[customers]\ntable = 'x'\ncustomer_id = 'a'\nsignup_date = 's'\nmrr = 'm'", "[customers] has a key mrr"),
    ("[customers]\ntable = 'x'\ncustomer_id = 3\nsignup_date = 's'", "customer_id must be a name in quotes"),
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
                                                              "columns are user_id, event_time, kind.")):
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
