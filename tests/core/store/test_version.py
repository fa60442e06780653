"""The store's version (core/store/version.py): new with every import, undo and demo load, in the same
transaction, and never a value it had before (the old "largest import id : count" came back after an undo)."""

import pytest
from sqlalchemy import delete

import core
from core.demo.load import load_demo
from core.ingest import importer
from core.store import version
from core.store.tables import StoreState

A = b"customer_id,signup_date\n" + b"".join(f"A{i},2023-01-{i % 28 + 1:02d}\n".encode() for i in range(30))
B = b"customer_id,signup_date\n" + b"".join(f"B{i},2023-02-{i % 28 + 1:02d}\n".encode() for i in range(35))


def _imp(eng, data, name="f.csv", kind="customers"):
    return core.commit_import(eng, core.prepare_import(eng, data, name, kind)).import_id


def _count(v: str) -> int:
    return int(v.split("-", 1)[0])


def test_import_undo_import_never_repeats_a_version(engine):
    seen = [core.store_version(engine)]
    a = _imp(engine, A, "a.csv")
    seen.append(core.store_version(engine))
    core.undo_import(engine, a)
    seen.append(core.store_version(engine))
    _imp(engine, B, "b.csv")
    seen.append(core.store_version(engine))
    _imp(engine, A, "a.csv")  # the undone file again
    seen.append(core.store_version(engine))
    assert len(set(seen)) == len(seen), seen
    assert [_count(v) for v in seen] == [0, 1, 2, 3, 4]
    assert core.store_version(engine) == seen[-1]  # reading does not change it


def test_a_demo_load_gives_a_new_version(engine):
    _imp(engine, A)
    before = core.store_version(engine)
    load_demo(engine, n_customers=50, seed=3)
    after = core.store_version(engine)
    assert after != before and _count(after) == _count(before) + 1


def test_a_failed_import_or_undo_leaves_the_version_as_it_was(engine, monkeypatch):
    a = _imp(engine, A)
    _imp(engine, b"customer_id,period,mrr\nA1,2024-01-01,10\n", "r.csv", "revenue")
    before = core.store_version(engine)
    with pytest.raises(core.DataValidationError, match="later imports still use"):
        core.undo_import(engine, a)
    with pytest.raises(core.DuplicateImportError):
        _imp(engine, A)

    def boom(*args, **kwargs):
        raise RuntimeError("disk gone midway")

    plan = core.prepare_import(engine, B, "b.csv", "customers")
    monkeypatch.setattr(importer, "_bulk_insert", boom)
    with pytest.raises(RuntimeError, match="midway"):
        core.commit_import(engine, plan)
    assert core.store_version(engine) == before
    assert core.table_counts(engine)["customer"] == 30


def test_a_store_made_again_at_the_same_place_never_repeats_a_version(db_url, tmp_path):
    first = core.make_engine(db_url)
    _imp(first, A)
    v1 = core.store_version(first)
    first.dispose()
    (tmp_path / "store.db").unlink()
    for extra in tmp_path.glob("store.db-*"):  # WAL and shared-memory files
        extra.unlink()
    second = core.make_engine(db_url)
    assert core.store_version(second) != v1
    _imp(second, A)  # the same change on a fresh store: same counter, another token
    v2 = core.store_version(second)
    assert _count(v2) == _count(v1) == 1 and v2 != v1
    second.dispose()


def test_a_store_from_before_versions_reads_its_import_log_until_its_first_change(engine):
    _imp(engine, A)
    _imp(engine, B, "b.csv")
    with engine.begin() as conn:  # as an older store: data and log, no version row
        conn.execute(delete(StoreState.__table__))
    assert version.current(engine) == "0-2:2"
    with engine.begin() as conn:
        new = version.bump(conn)
    assert new == version.current(engine) and _count(new) == 1


def test_has_imports_counts_undone_imports(engine):
    assert not core.has_imports(engine)
    core.undo_import(engine, _imp(engine, A))
    assert core.has_imports(engine)  # something was imported once: no demo on the next start
