"""A source shared by several sessions: its connection runs one query at a time."""

import threading
import time

import duckdb
import ibis
import pandas as pd
import pytest

from core.errors import DataValidationError, EngineError
from core.query import sources
from core.query.sources import Serialized, Source


def _source() -> Source:
    acts = pd.DataFrame({"customer_id": ["a", "b", "b"], "date": pd.to_datetime(["2024-01-01"] * 3).date,
                         "value": [1.0, 2.0, 3.0]})
    cust = pd.DataFrame({"customer_id": ["a", "b"], "signup_date": pd.to_datetime(["2024-01-01"] * 2).date,
                         "churn_date": [None, None], "segment": ["x", "y"]})
    return Source("test", ibis.duckdb.connect(), ibis.memtable(acts), ibis.memtable(cust))


def test_two_sessions_asking_one_source_take_turns(monkeypatch):
    source = _source()
    real = type(source.con._con).execute
    running, most = [0], [0]

    def slow(self, expr, *a, **k):
        running[0] += 1
        most[0] = max(most[0], running[0])
        time.sleep(0.2)  # long enough for the other thread to arrive while this query runs
        try:
            return real(self, expr, *a, **k)
        finally:
            running[0] -= 1

    monkeypatch.setattr(type(source.con._con), "execute", slow)
    start, got = threading.Barrier(2), []

    def ask():
        start.wait()
        got.append(int(source.con.execute(source.activity.value.sum())))

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [6, 6] and most[0] == 1
    source.close()


def test_a_restricted_source_shares_the_connection_and_its_turns():
    source = _source()
    kept = source.restricted("segment", ["y"])
    assert isinstance(source.con, Serialized) and kept.con is source.con  # one lock for both
    assert source.con.name == "duckdb"  # everything else is the connection's own
    assert int(kept.con.execute(kept.store_customers.count())) == 1
    source.close()


def _setting(con, name: str) -> str:
    return con.raw_sql(f"SELECT current_setting('{name}')").fetchone()[0]


def test_embedded_duckdb_is_capped_at_2gb_unless_set(monkeypatch, tmp_path):
    monkeypatch.delenv(sources.MEMORY_ENV, raising=False)
    con = sources.duckdb_connection()
    assert _setting(con, "memory_limit") == "1.8 GiB"  # 2,000,000,000 bytes
    spill = _setting(con, "temp_directory")
    assert spill.startswith(str(sources.tempfile.gettempdir())) and "retention-duckdb-" in spill
    monkeypatch.setenv(sources.MEMORY_ENV, " 512MB ")
    assert _setting(sources.duckdb_connection(), "memory_limit") == "488.2 MiB"


@pytest.mark.parametrize("bad", ["lots", "2 GB; DROP TABLE x", "2GB'", "-1GB", "GB"])
def test_a_memory_setting_that_is_not_a_size_is_refused(monkeypatch, bad):
    monkeypatch.setenv(sources.MEMORY_ENV, bad)
    with pytest.raises(DataValidationError, match="RETENTION_DUCKDB_MEMORY=.* is not a size: write a number and a "
                                                  "unit, for example 4GB"):
        sources.duckdb_connection()


def test_running_out_of_memory_says_which_setting_to_raise(monkeypatch):
    monkeypatch.setenv(sources.MEMORY_ENV, "3GB")
    source = _source()

    def out_of_memory(self, expr, *a, **k):
        raise duckdb.OutOfMemoryException("Out of Memory Error: failed to allocate data of size 32.0 MiB")

    monkeypatch.setattr(type(source.con._con), "execute", out_of_memory)
    with pytest.raises(EngineError, match=r"DuckDB needed more memory than it may use \(3GB, "
                                          r"RETENTION_DUCKDB_MEMORY\): set RETENTION_DUCKDB_MEMORY higher"):
        source.con.execute(source.activity.count())
