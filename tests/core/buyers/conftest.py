"""Fixtures of the buyer tests: the CDNOW log's published 1/10 sample on the engines that sum a store's purchases."""

import pytest

import core
from core.query import sources
from tests.pages import store_kinds


@pytest.fixture(scope="module", params=["sqlite", "postgresql"], ids=["duckdb-over-files", "inside-postgresql"])
def cdnow(request, pg_server, tmp_path_factory):
    """(store engine, source) of the CDNOW sample imported as the Data page imports it: in a SQLite store read by
    embedded DuckDB over its files, and in a PostgreSQL store (the suite's server) summing inside its database."""
    if request.param == "sqlite":
        url = store_kinds.build("cdnow_sample", tmp_path_factory.mktemp("cdnow_engines"))
    else:
        url = store_kinds.fill(pg_server.new_database(), "cdnow_sample")
    engine = core.make_engine(url)
    with (sources.embedded(engine) if request.param == "sqlite" else sources.inside(engine)) as src:
        yield engine, src
    engine.dispose()
