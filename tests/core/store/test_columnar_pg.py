"""The activity column files of a PostgreSQL store, against a real server (tests/pg.py): kept in each app server's
local cache folder, written on import, trusted on the next read, checked on every read against the database (an
import or undo made through another server is seen), dropped on undo, rebuilt when damaged."""

import hashlib

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import create_engine, text

import core
from core.demo.load import load_frames
from core.store import column_home, columnar
from tests.core.store.test_columnar import _frames as columnar_frames

DATA = b"customer_id,date,metric,value\nC000,2024-11-01,logins,1.5\nC001,2024-11-02,logins,2\nC059,2024-11-03,x,4\n"


def _frames(seed: int = 0) -> dict:
    """tests/core/store/test_columnar.py's 60 customers, with values that use every bit and one customer id that a
    CSV must quote, kept as written (the rebuild reads COPY's CSV)."""
    frames = columnar_frames(seed=seed)
    act = frames["activity"]
    act["value"] = np.random.default_rng(seed).random(len(act)) * 10
    act.loc[0, "customer_id"] = 'C0,"quoted"\nid'
    return frames


@pytest.fixture(scope="module")
def pg(pg_server, tmp_path_factory):
    """A PostgreSQL store holding 60 customers and 1,800 activity rows (one demo-like load)."""
    eng = core.make_engine(pg_server.new_database())
    load_frames(eng, _frames(), file_name="small", kind="demo", sha="small", mapping={})
    yield eng
    eng.dispose()


@pytest.fixture
def server(monkeypatch, tmp_path):
    """Switch the process between two app servers, each with its own cache folder: ``server('a')``."""
    def to(name: str):
        monkeypatch.setenv(column_home.COLUMNS_DIR_ENV, str(tmp_path / name))
    to("a")
    return to


def _sql_pairs(eng) -> pd.DataFrame:
    """The database's activity as sorted (customer, day, value) rows, computed independently of the files."""
    with eng.connect() as conn:
        rows = pd.read_sql(text("SELECT customer_id, date, value FROM activity"), conn)
    days = (pd.to_datetime(rows["date"]) - pd.Timestamp("1970-01-01")).dt.days
    out = pd.DataFrame({"customer_id": rows["customer_id"].astype(object), "day": days.astype(np.int64),
                        "value": rows["value"].astype(float)})
    return out.sort_values(list(out.columns), ignore_index=True)


def _file_pairs(eng) -> pd.DataFrame:
    p = columnar.activity_pairs(eng, values=True)
    out = pd.DataFrame({"customer_id": p.ids[p.codes].to_numpy(dtype=object), "day": p.days.astype(np.int64),
                        "value": p.value})
    return out.sort_values(list(out.columns), ignore_index=True)


def _assert_right(eng) -> None:
    pd.testing.assert_frame_equal(_file_pairs(eng), _sql_pairs(eng), check_exact=True)


def _no_rebuild(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("a sound file was rebuilt")

    monkeypatch.setattr(columnar, "_rebuild", refuse)


def _names(eng) -> list[str]:
    d = columnar.folder(eng)
    return sorted(f.name for f in d.glob("*")) if d.exists() else []


def test_a_postgresql_store_has_a_column_folder_in_the_local_cache(pg, server, tmp_path):
    url = pg.url._replace(password=None).render_as_string(hide_password=False)
    assert columnar.folder(pg) == tmp_path / "a" / hashlib.sha256(url.encode()).hexdigest() / "columns" / "activity"
    with_password = create_engine(pg.url.set(password="secret"))  # never connects
    assert columnar.folder(with_password) == columnar.folder(pg)  # the password is not part of the key
    with_password.dispose()


def test_the_truth_a_read_checks_is_the_databases_counts_and_import_identity(pg):
    with pg.connect() as conn:
        want = conn.execute(text("SELECT a.import_id, COUNT(*), l.sha256, l.started_at FROM activity AS a "
                                 "LEFT JOIN importlog AS l ON l.id = a.import_id GROUP BY a.import_id, l.sha256, "
                                 "l.started_at")).all()
    got = columnar.expected(pg)
    assert len(want) == 1 and {i: n for i, (n, _) in got.items()} == {i: n for i, n, _, _ in want}
    (i, n, sha, started), = want
    ident_sha, seconds = got[i][1].split("|")
    assert n == 1800 and ident_sha == sha == "small" and float(seconds) == pytest.approx(started.timestamp(), abs=1e-6)
    # a server whose sessions run in another time zone sees the same identity (else it rebuilds every file)
    tokyo = create_engine(pg.url, connect_args={"options": "-c TimeZone=Asia/Tokyo"})
    with tokyo.connect() as conn:
        assert conn.execute(text("SHOW TimeZone")).scalar_one() == "Asia/Tokyo"
    assert columnar.expected(tokyo) == got
    tokyo.dispose()


def test_pairs_equal_the_databases_rows_and_are_trusted_on_the_next_read(pg, server, monkeypatch):
    _assert_right(pg)  # first read of this server: built from the database (COPY), written to its cache
    (i,) = columnar.expected(pg)
    assert _names(pg) == [columnar.file_name(i)]
    assert columnar.record(columnar.folder(pg) / columnar.file_name(i))["rows"] == 1800
    _no_rebuild(monkeypatch)
    _assert_right(pg)


def test_an_import_writes_its_file_and_an_undo_drops_it(pg, server, monkeypatch):
    _assert_right(pg)
    new = core.commit_import(pg, core.prepare_import(pg, DATA, "more.csv", "activity")).import_id
    assert columnar.file_name(new) in _names(pg)  # staged in the import's transaction, published after it
    with monkeypatch.context() as m:
        _no_rebuild(m)
        _assert_right(pg)
    core.undo_import(pg, new)
    assert columnar.file_name(new) not in _names(pg)
    _assert_right(pg)


def test_an_import_and_an_undo_through_another_server_are_seen(pg, server, monkeypatch):
    _assert_right(pg)  # server a's cache is warm
    server("b")
    _assert_right(pg)
    new = core.commit_import(pg, core.prepare_import(pg, DATA, "other.csv", "activity")).import_id
    assert columnar.file_name(new) in _names(pg)  # in b's cache only
    server("a")
    assert columnar.file_name(new) not in _names(pg)
    _assert_right(pg)  # a sees the new import: counts differ, its file is built here
    assert columnar.file_name(new) in _names(pg)
    server("b")
    core.undo_import(pg, new)
    server("a")
    _assert_right(pg)  # the undone import's rows are gone from a's pairs, its stale file removed
    assert columnar.file_name(new) not in _names(pg)


def test_a_database_recreated_under_the_same_url_is_told_apart(pg_server, server):
    """Import ids restart at 1 in a new database: server a's file of the old import 1 has as many rows but other days
    and another identity; the new import 1 was loaded through server b."""
    url = pg_server.new_database("recreated")
    eng = core.make_engine(url)
    load_frames(eng, _frames(seed=1), file_name="first", kind="demo", sha="first", mapping={})
    _assert_right(eng)
    eng.dispose()
    with core.make_engine(pg_server.url()).connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text('DROP DATABASE "recreated" WITH (FORCE)'))
        conn.execute(text('CREATE DATABASE "recreated"'))
    server("b")
    eng = core.make_engine(url)
    load_frames(eng, _frames(seed=2), file_name="first", kind="demo", sha="first", mapping={})
    server("a")
    assert columnar.record(columnar.folder(eng) / "import_1.parquet")["rows"] == 1800  # the old database's file
    _assert_right(eng)
    eng.dispose()


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_a_damaged_file_is_rebuilt(pg, server, damage):
    _assert_right(pg)
    (i,) = [k for k in columnar.expected(pg)]
    f = columnar.folder(pg) / columnar.file_name(i)
    raw = f.read_bytes()
    f.write_bytes({"garbage": np.random.default_rng(1).integers(0, 256, 5000).astype(np.uint8).tobytes(),
                   "truncated": raw[: len(raw) // 2], "empty": b""}[damage])
    _assert_right(pg)
    assert columnar.record(f)["rows"] == 1800


def test_a_cache_folder_that_cannot_be_written_never_fails_an_import(pg, server, monkeypatch, tmp_path):
    blocker = tmp_path / "not a folder"
    blocker.write_text("x")
    monkeypatch.setenv(column_home.COLUMNS_DIR_ENV, str(blocker))
    new = core.commit_import(pg, core.prepare_import(pg, DATA, "blocked.csv", "activity")).import_id
    _assert_right(pg)  # served from the database
    core.undo_import(pg, new)
    _assert_right(pg)


def test_rows_without_an_import_id_are_read_too(pg, server):
    with pg.begin() as conn:
        conn.execute(text("INSERT INTO activity (customer_id, date, metric, value) "
                          "VALUES ('C000', '2024-11-05', 'logins', 3.0)"))
    try:
        assert columnar.expected(pg)[None] == (1, "|")
        _assert_right(pg)
        assert columnar.record(columnar.folder(pg) / "import_none.parquet")["rows"] == 1
    finally:
        with pg.begin() as conn:
            conn.execute(text("DELETE FROM activity WHERE import_id IS NULL"))
    _assert_right(pg)



def test_without_a_columns_dir_the_cache_is_the_users_cache_folder(monkeypatch, tmp_path):
    monkeypatch.delenv(column_home.COLUMNS_DIR_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert column_home.cache_root() == tmp_path / "xdg" / "retention-workbench"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert column_home.cache_root() == tmp_path / "home" / ".cache" / "retention-workbench"
    monkeypatch.setenv(column_home.COLUMNS_DIR_ENV, " ~/cols ")
    assert column_home.cache_root() == tmp_path / "home" / "cols"
