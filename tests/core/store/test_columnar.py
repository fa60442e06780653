"""The column store of activity: same cohort tables as the rows, and never out of step with the store."""

import datetime as dt
import os
import shutil
import sqlite3
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import core
from core.cohorts.table import cohort_table
from core.demo.load import load_frames
from core.ingest import importer
from core.store import columnar
from core.store.tables import Activity, ImportLog
from tests.pages import store_kinds


@pytest.fixture
def cdnow_store(tmp_path):
    """The CDNOW master log imported as a purchase log: a copy of the run's one import of it (the same importer,
    tests/pages/store_kinds.py), its column file included."""
    return core.make_engine(store_kinds.build("cdnow", tmp_path))


def test_pairs_give_the_same_table_as_the_rows(cdnow_store):
    eng = cdnow_store
    files = list(columnar.folder(eng).glob("*"))
    assert sorted(f.name for f in files) == ["import_1.parquet"]  # published, no temporary file left
    customers = core.load_table(eng, "customer")
    rows = core.load_table(eng, "activity")[["customer_id", "date"]]
    pairs = columnar.activity_pairs(eng)
    assert len(pairs) == len(rows)  # one pair per activity row (repeats are harmless)
    for opts in (dict(cohort_by="first_activity", retained_by="activity", definition="on"),
                 dict(cohort_by="first_activity", retained_by="activity", definition="on_or_after"),
                 dict(cohort_by="signup", retained_by="activity", definition="on", period="week")):
        a = cohort_table(customers, rows, as_of="1998-06-30", **opts)
        b = cohort_table(customers, pairs, as_of="1998-06-30", **opts)
        pd.testing.assert_frame_equal(a.values, b.values)
        pd.testing.assert_series_equal(a.sizes, b.sizes)


def test_rolled_back_import_leaves_no_file(cdnow_store, monkeypatch):
    eng = cdnow_store
    data = b"customer_id,date,metric,value\n00001,1998-01-01,logins,1\n00002,1998-01-02,logins,2\n"
    plan = core.prepare_import(eng, data, "a.csv", "activity")

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "_bulk_insert", lambda conn, table, *a, **k: boom() if table == "activity"
                        else 0)
    with pytest.raises(RuntimeError):
        core.commit_import(eng, plan)
    assert sorted(f.name for f in columnar.folder(eng).glob("*")) == ["import_1.parquet"]


def test_undo_replace_and_rebuild_keep_the_files_in_step(cdnow_store):
    eng = cdnow_store
    d = columnar.folder(eng)
    data = b"customer_id,date,metric,value\n00001,1998-07-01,logins,1\n"
    second = core.commit_import(eng, core.prepare_import(eng, data, "a.csv", "activity")).import_id
    assert (d / f"import_{second}.parquet").exists()
    assert len(columnar.activity_pairs(eng)) == core.table_counts(eng)["activity"]
    core.undo_import(eng, second)
    assert not (d / f"import_{second}.parquet").exists()
    # a lost file is rebuilt from SQLite on the next read
    (d / "import_1.parquet").unlink()
    pairs = columnar.activity_pairs(eng)
    assert (d / "import_1.parquet").exists() and len(pairs) > 60_000
    # replace mode empties the activity files with the table
    third = core.commit_import(eng, core.prepare_import(eng, data, "b.csv", "activity", mode="replace")).import_id
    assert sorted(f.name for f in d.glob("*")) == [f"import_{third}.parquet"]
    assert len(columnar.activity_pairs(eng)) == 1


def test_in_memory_store_reads_from_sql(engine):
    core.commit_import(engine, core.prepare_import(engine, b"customer_id\nA\n", "c.csv", "customers"))
    data = b"customer_id,date,metric,value\nA,2024-01-01,x,1\nA,2024-01-01,y,2\nA,2024-01-03,x,1\n"
    core.commit_import(engine, core.prepare_import(engine, data, "a.csv", "activity"))
    pairs = columnar.activity_pairs(engine)
    assert columnar.folder(engine) is None
    assert sorted(pd.to_datetime(pairs.dates()).strftime("%Y-%m-%d")) == ["2024-01-01", "2024-01-01", "2024-01-03"]


def test_breakdown_from_pairs_equals_breakdown_from_rows(cdnow_store):
    from core.cohorts.table import compare_groups

    eng = cdnow_store
    customers = core.load_table(eng, "customer")
    customers["segment"] = pd.Series(["A", "B", "C"] * (len(customers) // 3 + 1))[: len(customers)].to_numpy()
    rows = core.load_table(eng, "activity")[["customer_id", "date"]]
    pairs = columnar.activity_pairs(eng)
    opts = dict(cohort_by="first_activity", retained_by="activity", as_of="1998-06-30")
    for definition in ("on", "on_or_after"):
        a = compare_groups(customers, rows, group="segment", definition=definition, **opts)
        b = compare_groups(customers, pairs, group="segment", definition=definition, **opts)
        pd.testing.assert_frame_equal(a, b)
    # the second call reuses the customer mapping (same list): same answer
    c = compare_groups(customers, pairs, group="segment", definition="on", **opts)
    pd.testing.assert_frame_equal(c, compare_groups(customers, rows, group="segment", definition="on", **opts))


def test_values_match_the_rows_and_old_files_are_rebuilt(cdnow_store):
    import pyarrow.parquet as pq

    eng = cdnow_store
    rows = core.load_table(eng, "activity")
    acts = columnar.activity_pairs(eng, values=True)
    got = pd.Series(acts.value).groupby(acts.ids[acts.codes].to_numpy()).sum()
    want = rows.groupby("customer_id")["value"].sum()
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False)
    f = columnar.folder(eng) / "import_1.parquet"
    pq.write_table(pq.read_table(f, columns=["customer_id", "day"]), f)  # a file from before values were kept
    again = columnar.activity_pairs(eng, values=True)
    assert "value" in pq.read_schema(f).names and again.value.sum() == pytest.approx(rows["value"].sum())


# --- the files are checked against SQLite on every read (issue 19) -------------------------------------------

AS_OF = "2024-12-31"
OPTS = dict(cohort_by="first_activity", retained_by="activity", definition="on", as_of=AS_OF)


def _frames(n_customers: int = 60, per_customer: int = 30, seed: int = 0) -> dict:
    """``n_customers`` customers, each active on ``per_customer`` days from a start month (seeded)."""
    rng = np.random.default_rng(seed)
    ids = [f"C{i:03d}" for i in range(n_customers)]
    start = np.datetime64("2024-01-01") + (np.arange(n_customers) % 6 * 30).astype("timedelta64[D]")
    who = np.repeat(np.arange(n_customers), per_customer)
    day = start[who] + rng.integers(0, 200, len(who)).astype("timedelta64[D]")
    day[::per_customer] = start  # every customer is active on its first day
    customers = pd.DataFrame({"customer_id": ids, "signup_date": np.datetime_as_string(start, unit="D")})
    activity = pd.DataFrame({"customer_id": np.array(ids, dtype=object)[who],
                             "date": np.datetime_as_string(day, unit="D"), "metric": "logins",
                             "value": rng.integers(1, 9, len(who)).astype(float)})
    return {"customer": customers, "activity": activity}


@pytest.fixture
def small_store(tmp_path):
    """60 customers and 1,800 activity rows (one import, id 1), as the demo loader writes them."""
    eng = core.make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    load_frames(eng, _frames(), file_name="small", kind="demo", sha="small", mapping={})
    yield eng
    eng.dispose()


def _truth(eng):
    """The cohort table computed from SQLite's rows (what the column files must reproduce)."""
    customers = core.load_table(eng, "customer")
    return customers, cohort_table(customers, core.load_table(eng, "activity")[["customer_id", "date"]], **OPTS)


def _assert_right(eng):
    """The column store gives SQLite's rows, values and cohort table."""
    customers, truth = _truth(eng)
    pairs = columnar.activity_pairs(eng, values=True)
    assert len(pairs) == core.table_counts(eng)["activity"]
    assert pairs.value.sum() == pytest.approx(core.load_table(eng, "activity")["value"].sum())
    got = cohort_table(customers, pairs, **OPTS)
    pd.testing.assert_frame_equal(got.values, truth.values)
    pd.testing.assert_series_equal(got.sizes, truth.sizes)


def test_a_published_file_records_its_import_and_row_count(small_store):
    f = columnar.folder(small_store) / "import_1.parquet"
    rec = columnar.record(f)
    n, identity = columnar.expected(small_store)[1]
    assert (rec["import_id"], rec["rows"], rec["file_rows"], rec["import"]) == (1, 1800, 1800, identity) and n == 1800
    assert identity.startswith("small|")  # sha256 and start time of the import-log row


def test_a_store_restored_without_its_columns_folder_reads_like_sqlite(small_store, tmp_path):
    shutil.rmtree(columnar.folder(small_store).parent)
    _assert_right(small_store)
    assert columnar.record(columnar.folder(small_store) / "import_1.parquet")["rows"] == 1800
    # the store file copied alone to another place (a backup restored without the folder)
    small_store.dispose()
    copy = tmp_path / "restored"
    copy.mkdir()
    shutil.copy(tmp_path / "store.db", copy / "store.db")
    eng = core.make_engine(f"sqlite:///{copy / 'store.db'}")
    _assert_right(eng)
    eng.dispose()


def test_a_file_with_fewer_rows_than_sqlite_is_rebuilt(small_store):
    eng = small_store
    f = columnar.folder(eng) / "import_1.parquet"
    rows = core.load_table(eng, "activity").iloc[:180]
    stale = columnar._Writer(f)  # an honest file of 180 rows under the right import: only SQLite's count differs
    stale.write(columnar.pairs_table(rows["customer_id"], rows["date"], rows["value"]))
    stale.publish(1, columnar.expected(eng)[1][1])
    customers, truth = _truth(eng)
    wrong = cohort_table(customers, rows[["customer_id", "date"]], **OPTS)
    assert not wrong.sizes.equals(truth.sizes)  # read as it is, this file gives other cohorts
    _assert_right(eng)
    assert columnar.record(f)["rows"] == 1800


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped bit", "empty"])
def test_an_unreadable_file_is_rebuilt_without_an_error(small_store, damage):
    f = columnar.folder(small_store) / "import_1.parquet"
    raw = f.read_bytes()
    rng = np.random.default_rng(1)
    if damage == "garbage":
        f.write_bytes(rng.integers(0, 256, 5000).astype(np.uint8).tobytes())
    elif damage == "truncated":
        f.write_bytes(raw[: len(raw) // 2])
    elif damage == "flipped bit":  # one bit of a customer id in the ids' page: Parquet reads it; its CRC does not
        at = pq.read_metadata(f).row_group(0).column(0).data_page_offset - 20
        f.write_bytes(raw[:at] + bytes([raw[at] ^ 1]) + raw[at + 1:])
    else:
        f.write_bytes(b"")
    _assert_right(small_store)
    assert columnar.record(f)["rows"] == 1800


def test_a_file_whose_days_do_not_add_up_is_rebuilt(small_store):
    f = columnar.folder(small_store) / "import_1.parquet"
    table = pq.read_table(f)
    days = pc.add(table.column("day"), pa.scalar(31, pa.int32()))  # a month off, record and row count kept
    footer = {columnar._RECORD: pq.read_metadata(f).metadata[columnar._RECORD.encode()]}
    pq.write_table(table.set_column(1, "day", days).replace_schema_metadata(footer), f)
    assert columnar.record(f)["rows"] == 1800
    _assert_right(small_store)


def test_a_file_of_another_import_under_the_same_id_is_rebuilt(small_store):
    """An old store let SQLite give an undone import's id to the next import; a file left over from the first,
    with as many rows, is told apart by the import it records."""
    f = columnar.folder(small_store) / "import_1.parquet"
    other = _frames(seed=7)["activity"]
    w = columnar._Writer(f)
    w.write(columnar.pairs_table(other["customer_id"], other["date"], other["value"]))
    w.publish(1, "another import|2020-01-01 00:00:00")
    assert columnar.record(f)["rows"] == 1800
    _assert_right(small_store)


def test_a_file_of_an_undone_import_is_ignored_and_removed(small_store, tmp_path):
    """A crash between the undo's commit and the file's removal leaves the file behind."""
    eng = small_store
    d = columnar.folder(eng)
    more = _frames(n_customers=60, per_customer=5, seed=3)["activity"]
    with columnar.Staging(eng) as stage, eng.begin() as conn:
        log = conn.execute(ImportLog.__table__.insert().values(
            file_name="more", sha256="more", kind="activity", mode="append", strict=True, rows_read=300,
            rows_loaded=300, rows_rejected=0, started_at=dt.datetime.now(dt.UTC), finished_at=dt.datetime.now(dt.UTC)))
        second = log.inserted_primary_key[0]
        typed = more.assign(date=pd.to_datetime(more["date"]).dt.date, import_id=second)
        conn.execute(Activity.__table__.insert(), typed.to_dict("records"))
        stage.add(second, more.iloc[:100])  # two row groups in one file
        stage.add(second, more.iloc[100:])
    assert columnar.record(d / f"import_{second}.parquet")["rows"] == 300
    _assert_right(eng)
    kept = (d / f"import_{second}.parquet").read_bytes()
    core.undo_import(eng, second)
    left = d / f"import_{second}.parquet"
    left.write_bytes(kept)
    os.utime(left, (time.time() + 60,) * 2)  # as if published after the read asked SQLite: judged next time
    _assert_right(eng)
    assert left.exists()
    os.utime(left, (time.time() - 60,) * 2)
    _assert_right(eng)
    assert sorted(f.name for f in d.glob("*")) == ["import_1.parquet"]


def test_a_folder_that_cannot_be_written_still_reads_sqlite(small_store, monkeypatch):
    def full(self, *a, **k):
        raise OSError(28, "No space left on device")

    shutil.rmtree(columnar.folder(small_store))
    monkeypatch.setattr(columnar._Writer, "publish", full)
    _assert_right(small_store)
    assert not list(columnar.folder(small_store).glob("*"))  # nothing half-written is left


def test_a_publish_that_fails_after_the_commit_keeps_the_import(small_store, monkeypatch):
    def full(self, *a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(columnar._Writer, "publish", full)
    load_frames(small_store, _frames(seed=5), file_name="again", kind="demo", sha="again", mapping={})
    monkeypatch.undo()
    assert not list(columnar.folder(small_store).glob("*"))
    _assert_right(small_store)  # rebuilt from SQLite on the first read
    assert [f.name for f in columnar.folder(small_store).glob("*")] == ["import_2.parquet"]


def test_leftovers_of_crashed_writers_are_removed_when_old(small_store):
    d = columnar.folder(small_store)
    old, fresh = d / "import_1.parquet.1.aa.tmp", d / "import_7.parquet.2.bb.tmp"
    old.write_bytes(b"x")
    fresh.write_bytes(b"x")
    os.utime(old, (time.time() - 7 * 3600,) * 2)
    columnar.activity_pairs(small_store)
    assert not old.exists() and fresh.exists()  # a fresh one may belong to an import still running


def _no_rebuild(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("a sound file was rebuilt")

    monkeypatch.setattr(columnar, "_rebuild", refuse)


def test_sound_files_are_trusted_without_a_rebuild(small_store, monkeypatch):
    """The files an import, a demo load and a rebuild publish pass the check as they are (else every read would
    rebuild from SQLite: right figures, but slow)."""
    data = b"customer_id,date,metric,value\nC000,2024-11-01,logins,1\nC001,2024-11-02,logins,2\n"
    core.commit_import(small_store, core.prepare_import(small_store, data, "a.csv", "activity"))
    with monkeypatch.context() as m:
        _no_rebuild(m)
        _assert_right(small_store)
    (columnar.folder(small_store) / "import_1.parquet").unlink()
    _assert_right(small_store)
    _no_rebuild(monkeypatch)
    _assert_right(small_store)


def test_rows_without_an_import_id_are_read_too(small_store, monkeypatch):
    """Rows written by hand (no import id) are in SQLite, so they are in the pairs, in a file of their own."""
    with small_store.begin() as conn:
        conn.exec_driver_sql("INSERT INTO activity (customer_id, date, metric, value) "
                             "VALUES ('C000', '2024-11-05', 'logins', 3.0), ('C001', '2024-11-06', 'logins', 2.0)")
    assert columnar.expected(small_store)[None][0] == 2
    _assert_right(small_store)
    assert columnar.record(columnar.folder(small_store) / "import_none.parquet")["rows"] == 2
    _no_rebuild(monkeypatch)
    _assert_right(small_store)  # and the file is trusted the second time


def _count_reads(monkeypatch) -> list:
    """Every column file whose pages are read (the kept pairs' reads read none)."""
    reads = []
    real = columnar._read
    monkeypatch.setattr(columnar, "_read", lambda path, values=False: reads.append(path.name) or real(path, values))
    return reads


def test_the_same_imports_are_read_once_and_shared_read_only(small_store, monkeypatch):
    reads = _count_reads(monkeypatch)
    first = columnar.activity_pairs(small_store, values=True)
    again = columnar.activity_pairs(small_store, values=True)
    assert reads == ["import_1.parquet"]  # the second read checked the record only
    assert again is first
    for column in (again.codes, again.days, again.value):  # shared by every caller: nobody may change them
        with pytest.raises(ValueError, match="read-only"):
            column[0] = 0
    some = columnar.activity_pairs(small_store, customer_ids=["C000", "C001"], values=True)
    assert set(some.ids[some.codes]) == {"C000", "C001"} and reads == ["import_1.parquet"]
    _assert_right(small_store)


def test_an_import_or_an_undo_is_read_at_once(small_store, monkeypatch):
    """The kept pairs belong to the imports the store held: a new import, an undo or a file replaced under them
    reads the files again."""
    reads = _count_reads(monkeypatch)
    _assert_right(small_store)
    data = b"customer_id,date,metric,value\nC000,2024-11-01,logins,1\nC001,2024-11-02,logins,2\n"
    core.commit_import(small_store, core.prepare_import(small_store, data, "a.csv", "activity"))
    _assert_right(small_store)
    assert reads == ["import_1.parquet", "import_1.parquet", "import_2.parquet"]
    core.undo_import(small_store, 2)
    _assert_right(small_store)  # the imports of the first read again: its pairs, kept, are theirs
    assert len(reads) == 3 and not (columnar.folder(small_store) / "import_2.parquet").exists()
    f = columnar.folder(small_store) / "import_1.parquet"
    pq.write_table(pq.read_table(f, columns=["customer_id", "day"]), f)  # a file of the old layout under them
    pairs = columnar.activity_pairs(small_store, values=True)
    assert "value" in pq.read_schema(f).names and columnar.record(f)["rows"] == 1800  # rebuilt at once
    assert pairs.value.sum() == pytest.approx(core.load_table(small_store, "activity")["value"].sum())


def test_a_store_over_the_bound_is_not_kept(small_store, monkeypatch):
    reads = _count_reads(monkeypatch)
    monkeypatch.setattr(columnar, "_KEEP_ROWS", 1799)
    columnar.activity_pairs(small_store)
    columnar.activity_pairs(small_store)
    assert reads == ["import_1.parquet"] * 2
    monkeypatch.setattr(columnar, "_KEEP_ROWS", 1800)
    columnar.activity_pairs(small_store)
    columnar.activity_pairs(small_store)
    assert len(reads) == 3


def test_a_copy_of_a_store_keeps_its_own_pairs(small_store, tmp_path):
    """A store copied (the same imports, ids, row counts and identities) and then edited by hand: each store reads
    its own activity."""
    _assert_right(small_store)
    path = tmp_path / "copy" / "store.db"
    path.parent.mkdir()
    with sqlite3.connect(small_store.url.database) as src, sqlite3.connect(path) as dst:
        src.backup(dst)
    copy = core.make_engine(f"sqlite:///{path}")
    with copy.begin() as conn:
        conn.exec_driver_sql("UPDATE activity SET value = value + 1")
    for eng in (copy, small_store, copy):
        _assert_right(eng)
    copy.dispose()
