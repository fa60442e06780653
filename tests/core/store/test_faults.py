"""Store faults in plain words (core/store/faults.py) and imports that wait their turn (core/store/engine.py).

Every fault is real (see tests/fixtures/store_faults.py): SQLite's own errors on a full disk, a read-only
store, a zeroed, truncated or overwritten file, a store another connection is writing.
"""

import errno
import sqlite3
import threading
import time

import pytest
from sqlalchemy import text

import core
from core.errors import DuplicateImportError, StoreError
from core.store import engine as db
from core.store import faults
from tests.fixtures import store_faults as sf

#: sqlite3's own wait for a locked store, the one "database is locked" came from
DRIVER_DEFAULT_TIMEOUT_S = 5.0


@pytest.fixture
def store(tmp_path):
    """A store file holding 20 customers."""
    return sf.seeded_store(tmp_path / "store.db")


def _raised(fn) -> BaseException:
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 (the error itself is what the test looks at)
        return exc
    raise AssertionError("no error raised")


def _plan(engine, n: int, seed: int, name: str):
    return core.prepare_import(engine, sf.activity_csv(n, seed=seed), name, "activity")


# ---- each real SQLite fault, in plain words ----------------------------------------------------------------

def test_a_zeroed_file_is_not_a_database(store):
    sf.zero(store)
    exc = _raised(lambda: sqlite3.connect(store).execute("SELECT * FROM sqlite_master").fetchall())
    fault = faults.store_fault(exc, store)
    assert fault.reason == "not-a-database"
    assert str(fault).startswith(f"The store file {store} is not a database: restore a backup")
    assert "RETENTION_DB_URL" in str(fault)


def test_a_truncated_or_overwritten_file_is_damaged(store, tmp_path):
    other = sf.seeded_store(tmp_path / "other.db")
    sf.truncate(store)
    sf.garbage(other)
    for path in (store, other):
        exc = _raised(lambda p=path: sqlite3.connect(p).execute("SELECT * FROM customer").fetchall())
        fault = faults.store_fault(exc, path)
        assert fault.reason == "damaged", exc
        assert "is damaged" in str(fault) and "restore a backup" in str(fault)


def test_a_locked_store_is_busy_and_names_the_wait(store, monkeypatch):
    monkeypatch.delenv(faults.BUSY_TIMEOUT_ENV, raising=False)
    with sf.write_lock(store):
        other = sqlite3.connect(store, isolation_level=None, timeout=0)
        exc = _raised(lambda: other.execute("BEGIN IMMEDIATE"))
        other.close()
    fault = faults.store_fault(exc, store)
    assert fault.reason == "busy"
    assert str(fault).startswith("The store is busy with another import or undo (waited 30 s): try again")


def test_sqlites_own_disk_full_is_a_full_disk(store):
    conn = sqlite3.connect(store)
    conn.execute(f"PRAGMA max_page_count={conn.execute('PRAGMA page_count').fetchone()[0]}")
    exc = _raised(lambda: conn.executemany("INSERT INTO customer (customer_id) VALUES (?)",
                                           [(f"X{i:06d}" + "x" * 200,) for i in range(5000)]))
    conn.close()
    fault = faults.store_fault(exc, store)
    assert fault.reason == "full"
    assert str(fault).startswith("The disk holding the store is full: free some space and try again")


def test_a_read_only_store_says_so(store):
    conn = sqlite3.connect(store)
    conn.execute("PRAGMA query_only=1")
    exc = _raised(lambda: conn.execute("INSERT INTO customer (customer_id) VALUES ('X')"))
    conn.close()
    fault = faults.store_fault(exc, store)
    assert fault.reason == "read-only"
    assert f"The store file {store} is read-only" in str(fault) and "make both writable" in str(fault)


def test_a_store_that_cannot_be_opened_names_its_folder(tmp_path):
    missing = tmp_path / "no such folder" / "store.db"
    exc = _raised(lambda: sqlite3.connect(missing))
    fault = faults.store_fault(exc, missing)
    assert fault.reason == "cannot-open" and "check that its folder exists" in str(fault)


def test_the_sqlalchemy_wrapper_and_the_column_files_are_read_through(store):
    sf.zero(store)
    from sqlalchemy import create_engine

    wrapped = _raised(lambda: create_engine(f"sqlite:///{store}").connect().execute(text("SELECT 1 FROM x")))
    assert type(wrapped).__module__.startswith("sqlalchemy")
    assert faults.store_fault(wrapped, store).reason == "not-a-database"
    # what pyarrow raises when the column files fill the disk, and a read-only store folder
    pyarrow_full = OSError(errno.ENOSPC, "Error writing bytes to file. Detail: [errno 28] No space left on device")
    assert faults.store_fault(pyarrow_full, store).reason == "full"
    assert faults.store_fault(OSError("Detail: [errno 28] No space left"), store).reason == "full"
    beside = OSError(errno.EROFS, "Read-only file system", str(store) + ".columns")
    assert faults.store_fault(beside, store).reason == "read-only"


def test_what_is_not_a_store_fault_is_left_alone(tmp_path, store):
    assert faults.store_fault(ValueError("a bug")) is None
    assert faults.store_fault(sqlite3.OperationalError("no such table: nothing")) is None
    assert faults.store_fault(OSError(errno.EACCES, "Permission denied", str(tmp_path.parent / "report.csv")),
                              store) is None  # the analyst's own file, not the store
    with pytest.raises(ValueError, match="a bug"), faults.translated(store):
        raise ValueError("a bug")


def test_translated_raises_the_store_error_from_the_driver_error(store):
    sf.zero(store)
    with pytest.raises(StoreError, match="is not a database") as info, faults.translated(store):
        sqlite3.connect(store).execute("SELECT * FROM sqlite_master")
    assert isinstance(info.value.__cause__, sqlite3.DatabaseError)


def test_store_path_reads_plain_and_uri_urls():
    assert faults.store_path("sqlite:////data/r.db") == "/data/r.db"
    assert faults.store_path("sqlite:///file:/data/r.db?mode=ro&uri=true") == "/data/r.db"
    assert faults.store_path("sqlite://") is None and faults.store_path("sqlite:///:memory:") is None
    assert faults.store_path("postgresql://u@h/db") is None and faults.store_path(None) is None


# ---- make_engine and commit_import raise StoreError, the store unchanged ----------------------------------

@pytest.mark.parametrize("damage, reason", [(sf.zero, "not-a-database"), (sf.truncate, "damaged"),
                                            (sf.garbage, "damaged")])
def test_make_engine_refuses_a_damaged_file_and_leaves_it_as_it_was(store, damage, reason):
    damage(store)
    before = sf.sha256(store)
    with pytest.raises(StoreError) as info:
        core.make_engine(f"sqlite:///{store}")
    assert info.value.reason == reason
    assert sf.sha256(store) == before


def test_an_import_that_fills_the_disk_loads_nothing(tmp_path):
    if sf.can_mount():
        with sf.small_disk(tmp_path / "disk", 1024) as disk:
            _fill_and_check(sf.seeded_store(disk / "store.db"), capped=False)
    else:
        _fill_and_check(sf.seeded_store(tmp_path / "store.db"), capped=True)


def _fill_and_check(store, capped: bool):
    before = sf.counts(store)
    engine = core.make_engine(f"sqlite:///{store}")
    plan = _plan(engine, 60_000, 1, "big.csv")
    engine.dispose()
    if capped:
        with sf.capped_pages():
            engine = core.make_engine(f"sqlite:///{store}")
            with pytest.raises(StoreError, match="disk holding the store is full") as info:
                core.commit_import(engine, plan)
    else:
        with pytest.raises(StoreError, match="disk holding the store is full") as info:
            core.commit_import(engine, plan)
    engine.dispose()
    assert info.value.reason == "full"
    assert sf.counts(store) == before
    assert not list(store.parent.glob("*.columns/activity/*"))  # no column file left behind


def test_an_import_into_a_read_only_store_loads_nothing(store):
    before = sf.counts(store)
    engine = core.make_engine(f"sqlite:///{store}")
    plan = _plan(engine, 500, 2, "small.csv")
    engine.dispose()
    with sf.read_only(store) as url:
        with pytest.raises(StoreError, match="is read-only") as info:
            core.commit_import(core.make_engine(url), plan)
    assert info.value.reason == "read-only"
    assert sf.counts(store) == before


# ---- the busy timeout: concurrent imports take turns -----------------------------------------------------

def test_every_connection_waits_30_s_for_another_writer_or_as_configured(store, monkeypatch):
    monkeypatch.delenv(faults.BUSY_TIMEOUT_ENV, raising=False)
    with core.make_engine(f"sqlite:///{store}").connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    monkeypatch.setenv(faults.BUSY_TIMEOUT_ENV, "2.5")
    with core.make_engine(f"sqlite:///{store}").connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 2_500
    monkeypatch.setenv(faults.BUSY_TIMEOUT_ENV, "soon")
    with pytest.raises(StoreError, match="RETENTION_BUSY_TIMEOUT='soon' is not a number of seconds"):
        core.make_engine(f"sqlite:///{store}")


def test_begin_write_takes_the_write_lock_before_the_first_write(store):
    engine = core.make_engine(f"sqlite:///{store}")
    with db.begin_write(engine) as conn:
        conn.exec_driver_sql("SELECT count(*) FROM customer").scalar()  # only a read so far
        other = sqlite3.connect(store, isolation_level=None, timeout=0)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
    engine.dispose()


def _import_in_thread(url: str, plan, out: dict, key: str) -> threading.Thread:
    def work():
        engine = core.make_engine(url)
        try:
            out[key] = core.commit_import(engine, plan)
        except Exception as exc:  # noqa: BLE001 (the test asserts on what each import ended with)
            out[key] = exc
        finally:
            engine.dispose()

    thread = threading.Thread(target=work)
    thread.start()
    return thread


def test_two_imports_at_once_take_turns_even_behind_a_long_writer(store, monkeypatch):
    """Two imports, each with its own engine, start while a third connection writes for longer than the
    driver's own 5 s wait: both wait, then load one after the other."""
    monkeypatch.delenv(faults.BUSY_TIMEOUT_ENV, raising=False)
    url = f"sqlite:///{store}"
    engine = core.make_engine(url)
    plans = {"a": _plan(engine, 3000, 3, "a.csv"), "b": _plan(engine, 2000, 4, "b.csv")}
    engine.dispose()
    out: dict = {}
    with sf.write_lock(store):
        threads = [_import_in_thread(url, plans[k], out, k) for k in plans]
        time.sleep(DRIVER_DEFAULT_TIMEOUT_S + 1)  # hold the lock past the driver's default wait
        assert out == {}  # both still waiting their turn
    for t in threads:
        t.join()
    assert {k: type(v).__name__ for k, v in out.items()} == {"a": "ImportResult", "b": "ImportResult"}
    assert out["a"].import_id != out["b"].import_id
    assert sf.counts(store)["activity"] == 5000 and sf.counts(store)["importlog"] == 3


def test_the_same_file_imported_twice_at_once_loads_once(store):
    """The check for an earlier import of the same file runs under the write lock: the second import waits,
    sees the first, and refuses instead of loading the file a second time."""
    url = f"sqlite:///{store}"
    engine = core.make_engine(url)
    plan = _plan(engine, 1000, 5, "same.csv")
    engine.dispose()
    out: dict = {}
    with sf.write_lock(store):
        threads = [_import_in_thread(url, plan, out, k) for k in ("first", "second")]
        time.sleep(1.0)  # both planned before either loads, then both wait for the lock
    for t in threads:
        t.join()
    kinds = sorted(type(v).__name__ for v in out.values())
    assert kinds == ["DuplicateImportError", "ImportResult"], out
    assert sf.counts(store)["activity"] == 1000
    assert "already imported" in str(next(v for v in out.values() if isinstance(v, DuplicateImportError)))


def test_a_store_busy_past_the_wait_refuses_the_import_and_is_unchanged(store, monkeypatch):
    monkeypatch.setenv(faults.BUSY_TIMEOUT_ENV, "0.5")
    url = f"sqlite:///{store}"
    engine = core.make_engine(url)
    plan = _plan(engine, 500, 6, "late.csv")
    before = sf.counts(store)
    with sf.write_lock(store), pytest.raises(StoreError, match=r"busy with another import or undo \(waited 0.5 s\)"):
        core.commit_import(engine, plan)
    engine.dispose()
    assert sf.counts(store) == before


def test_a_uri_url_creates_no_stray_folder(tmp_path, monkeypatch, store):
    monkeypatch.chdir(tmp_path)
    engine = core.make_engine(f"sqlite:///file:{store}?mode=ro&uri=true")
    assert core.table_counts(engine)["customer"] == 20
    engine.dispose()
    assert not (tmp_path / "file:").exists()
