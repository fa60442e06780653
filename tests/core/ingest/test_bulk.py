"""The bulk load's two paths give the same rows: SQLite's own executemany, and SQLAlchemy Core's executemany
that other stores (RETENTION_DB_URL) take, with dates, times and attributes converted for it. Columns become Python
values for the driver with None for every missing marker, and a big load in batches drops a table's secondary indexes
once and builds them once after the last batch (a rollback restores them)."""

import sqlite3

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from sqlalchemy import event

import core
from core.ingest import bulk
from core.ingest.delimited import TEXT_DTYPE
from core.store.engine import begin_write
from core.store.tables import TABLES

CUSTOMERS = (b"customer_id,signup_date,renewal_date,colour\nA,2024-01-10,2025-01-10,gold\n"
             b"B,2024-02-01,,silver\n")
TICKETS = (b"ticket_id,customer_id,opened,resolved,priority,satisfaction,agent\n"
           b"T1,A,2024-03-01 09:30:00,2024-03-02 10:00:00,high,4,Kim\n"
           b"T2,B,2024-03-05 14:05:00,,low,,Lee\n")


def _load(monkeypatch, driver: bool) -> dict[str, pd.DataFrame]:
    seen = []
    monkeypatch.setattr(bulk, "_driver_executemany", lambda conn: seen.append(driver) or driver)
    eng = core.make_engine("sqlite://")
    for data, kind in ((CUSTOMERS, "customers"), (TICKETS, "tickets")):
        core.commit_import(eng, core.prepare_import(eng, data, f"{kind}.csv", kind))
    out = {t: core.load_table(eng, t).drop(columns=["id"], errors="ignore") for t in ("customer", "ticket")}
    eng.dispose()
    assert seen, "the load did not ask which path to take"
    return out


@pytest.mark.parametrize("table", ["customer", "ticket"])
def test_core_executemany_path_gives_the_same_rows(monkeypatch, table):
    raw, via_core = _load(monkeypatch, True)[table], _load(monkeypatch, False)[table]
    pd.testing.assert_frame_equal(raw, via_core)
    assert via_core["attributes"].notna().all()  # the extra columns (colour, agent) arrived as JSON objects


# --------------------------------------------------------------------------- python values for the driver


def _driver_round_trip(values: np.ndarray) -> list:
    """The values through sqlite3 itself: anything it cannot bind (pd.NA, NaT, numpy scalars of some types) fails."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (v)")
    db.executemany("INSERT INTO t VALUES (?)", ((v,) for v in values))
    return [r[0] for r in db.execute("SELECT v FROM t ORDER BY rowid")]


def test_python_values_of_arrow_text_are_str_and_none():
    s = pd.Series(["a", None, "é", "", " x "], dtype=TEXT_DTYPE)
    out = bulk.python_values(s)
    assert out.dtype == object and out.tolist() == ["a", None, "é", "", " x "] and out[1] is None
    assert bulk.python_values(s.iloc[1:3]).tolist() == [None, "é"]  # a slice: an offset into the Arrow buffers
    assert bulk.python_values(s[s.notna().to_numpy() & (s.index > 0)]).tolist() == ["é", "", " x "]
    chunked = pd.Series(TEXT_DTYPE.__from_arrow__(pa.chunked_array([pa.array(["p", None], pa.large_string()),
                                                                     pa.array([None, "q"], pa.large_string())])))
    assert bulk.python_values(chunked.iloc[1:]).tolist() == [None, None, "q"]
    assert _driver_round_trip(out) == ["a", None, "é", "", " x "]


def test_python_values_of_floats_booleans_and_objects_have_none_for_missing():
    floats = bulk.python_values(pd.Series([1.5, np.nan, -0.0, 1e300]))
    assert floats.tolist() == [1.5, None, -0.0, 1e300] and type(floats[0]) is float and floats[1] is None
    flags = bulk.python_values(pd.Series([True, pd.NA, False], dtype="boolean"))
    assert flags.tolist() == [True, None, False] and flags[1] is None
    mixed = bulk.python_values(pd.Series(["x", pd.NaT, None, np.nan, pd.NA], dtype=object))
    assert mixed.tolist() == ["x", None, None, None, None]
    assert all(v is None for v in mixed[1:])
    for values in (floats, flags, mixed):
        assert [v is None for v in _driver_round_trip(values)] == [v is None for v in values]


# --------------------------------------------------------------------------- a big load in batches


def _activity_rows(n: int, start: int = 0) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": [f"C{i % 3}" for i in range(start, start + n)],
                         "date": [f"2024-01-{1 + i % 28:02d}" for i in range(start, start + n)],
                         "metric": "login", "value": np.arange(start, start + n, dtype=float), "attributes": None})


def _indexes_of(conn, table: str) -> set[str]:
    return {r[0] for r in conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,))}


INDEXES = {t: {ix.name for ix in TABLES[t].__table__.indexes} for t in ("activity", "revenue")}


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A store file, and the index DDL it runs (``DROP INDEX`` / ``CREATE INDEX`` lines, and ``batch`` marks)."""
    monkeypatch.setattr(bulk, "REBUILD_INDEXES_FROM", 4)
    engine = core.make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    ddl: list[str] = []

    def seen(conn, cursor, statement, *args):
        words = statement.split()
        if [w.upper() for w in words[1:2]] == ["INDEX"] and words[0].upper() in ("DROP", "CREATE"):
            ddl.append(f"{words[0].upper()} {words[2].strip(chr(34))}")

    event.listen(engine, "before_cursor_execute", seen)
    yield engine, ddl
    engine.dispose()


def test_a_big_load_drops_the_indexes_once_and_builds_them_once_after_every_batch(store):
    engine, ddl = store
    with begin_write(engine) as conn:
        with bulk.big_load(conn, {"activity": 12, "revenue": 12}):
            for table in ("activity", "revenue"):
                assert _indexes_of(conn, table) == set(), table  # dropped for the whole load
            for start in (0, 4, 8):  # three batches, each as large as the threshold: big_load decides, not they
                rows = _activity_rows(4, start)
                bulk.bulk_insert(conn, "activity", rows, 7, None, start, 12)
                bulk.bulk_insert(conn, "revenue", rows[["customer_id"]].assign(period=rows["date"],
                                                                              amount=rows["value"]), 7, None, start, 12)
                ddl.append("batch")
                assert _indexes_of(conn, "activity") == set() and _indexes_of(conn, "revenue") == set()
        assert _indexes_of(conn, "activity") == INDEXES["activity"]
        assert _indexes_of(conn, "revenue") == INDEXES["revenue"]
    drops = [d for d in ddl if d.startswith("DROP")]
    creates = [d for d in ddl if d.startswith("CREATE")]
    assert len(drops) == len(creates) == len(INDEXES["activity"]) + len(INDEXES["revenue"])
    assert ddl == drops + ["batch"] * 3 + creates  # every index dropped once before, built once after
    assert sorted(d.split()[1] for d in creates) == sorted(INDEXES["activity"] | INDEXES["revenue"])
    with engine.connect() as conn:
        assert _indexes_of(conn, "activity") == INDEXES["activity"]
        assert conn.exec_driver_sql("SELECT count(*), sum(value) FROM activity").one() == (12, 66.0)
        assert conn.exec_driver_sql("SELECT count(*), sum(amount) FROM revenue").one() == (12, 66.0)


@pytest.mark.parametrize(("rows", "already"), [(3, 0), (6, 10)], ids=["below the threshold", "smaller than the table"])
def test_a_small_load_keeps_the_indexes(store, rows, already):
    engine, ddl = store
    with begin_write(engine) as conn:
        if already:
            bulk.bulk_insert(conn, "activity", _activity_rows(already), 1, None, 0, already)
        ddl.clear()
        with bulk.big_load(conn, {"activity": rows}):
            assert _indexes_of(conn, "activity") == INDEXES["activity"]
            bulk.bulk_insert(conn, "activity", _activity_rows(rows, already), 7, None, 0, rows)
    assert ddl == []


def test_an_error_inside_a_big_load_leaves_the_indexes_after_the_rollback(store):
    engine, ddl = store
    with pytest.raises(RuntimeError, match="disk unplugged"):
        with begin_write(engine) as conn:
            try:
                with bulk.big_load(conn, {"activity": 6}):
                    bulk.bulk_insert(conn, "activity", _activity_rows(2), 7, None, 0, 6)
                    assert _indexes_of(conn, "activity") == set()
                    raise RuntimeError("disk unplugged")
            finally:
                assert not conn.info.get(bulk._BATCHED)  # the connection goes back to the pool unmarked
    assert not any(d.startswith("CREATE") for d in ddl)  # nothing rebuilt by hand: the rollback restored them
    with engine.connect() as conn:
        assert _indexes_of(conn, "activity") == INDEXES["activity"]
        assert conn.exec_driver_sql("SELECT count(*) FROM activity").scalar_one() == 0
    with begin_write(engine) as conn:  # and a later load on the same pool drops and builds them itself again
        bulk.bulk_insert(conn, "activity", _activity_rows(5), 8, None, 0, 5)
        assert _indexes_of(conn, "activity") == INDEXES["activity"]
    assert sum(d.startswith("CREATE") for d in ddl) == len(INDEXES["activity"])
