"""Where each kind of figure comes from (core.query.provenance): the store named by kind and place (a PostgreSQL
store without its password), its column files or its rows, and a warehouse when one is set, never with its
password and never connected to."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

import core
from core.query import choice, warehouse
from core.query.provenance import figure_sources

#: the figures read from a warehouse when one is set, as the Data page words them
WAREHOUSE_ROW = ("Every page (Overview, Cohort curves, Churn drivers, Health scores, Feedback themes, Intervention "
                 "ROI, a Quarterly review built from the data), python -m core overview, cohorts, churn, health, "
                 "themes, roi and report --quarter")


def _rows(engine) -> dict[str, str]:
    return figure_sources(engine).set_index("Figures")["Come from"].to_dict()


@pytest.fixture(autouse=True)
def _no_warehouse(monkeypatch):
    monkeypatch.delenv(warehouse.URL_ENV, raising=False)
    monkeypatch.delenv(warehouse.MAP_ENV, raising=False)


def test_a_store_in_memory_reads_its_rows():
    rows = _rows(core.make_engine("sqlite://"))
    assert rows["Every other page's figures"] == "the SQLite store in memory"
    assert rows["Cohort tables, churn and health features over activity"] == \
        "the SQLite store in memory, read from its rows"
    assert rows[WAREHOUSE_ROW] == \
        "the SQLite store in memory (no warehouse is set; the README says how to set one)"


SUMMED = ("The Overview's headline revenue and MRR movements, a purchase log's buyer figures and proposed lapse "
          "period, cohort tables and survival, theme counts, churn and health features, the plays' revenue and usage "
          "windows: summed by")


@pytest.mark.parametrize(("value", "start"), [
    (None, "DuckDB, embedded in the server's process, over the column files (the default; pandas or PostgreSQL"),
    ("pandas", "pandas, in the server's process (DuckDB, the default, or PostgreSQL sum the same figures"),
    (" Postgres ", "PostgreSQL, inside the store's database"),
    ("Spark", "Spark, in the server's Spark session, over the column files"),
    ("flink", "no engine: the engine set for this server is not one the workbench knows (pandas, duckdb, postgres or "
              "spark;")])
def test_the_engine_that_sums_is_named(monkeypatch, value, start):
    if value is None:
        monkeypatch.delenv(choice.ENGINE_ENV, raising=False)
    else:
        monkeypatch.setenv(choice.ENGINE_ENV, value)
    assert _rows(core.make_engine("sqlite://"))[SUMMED].startswith(start)


def test_a_postgresql_store_and_a_warehouse_are_named_without_passwords(monkeypatch, tmp_path):
    monkeypatch.setenv("RETENTION_COLUMNS_DIR", str(tmp_path))
    monkeypatch.setenv(warehouse.URL_ENV, "snowflake://me:pa55@acme/db/schema")
    pg = create_engine("postgresql+psycopg://team:hunter2@db.internal:5432/retention")  # never connected
    rows = _rows(pg)
    assert rows["Every other page's figures"] == "the postgresql store db.internal/retention"
    assert rows["Cohort tables, churn and health features over activity"].startswith(
        f"the postgresql store db.internal/retention, through its activity column files ({tmp_path}/")
    assert rows[WAREHOUSE_ROW] == (
        "the warehouse at snowflake://me@acme/db/schema, through no mapping file yet (read only)")
    assert "hunter2" not in str(rows) and "pa55" not in str(rows)
