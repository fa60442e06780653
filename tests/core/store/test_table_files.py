"""Column files of the revenue table (core.store.table_files): written from the store on the first read, reused
while they match it, written again when they do not (truncated, foreign, of an undone import), removed when their
import holds no rows; a store in memory keeps none. The rows read back equal the store's."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest

import core
from core.store import table_files
from core.store.read import load_columns

BOOK = "customer_id,period,mrr\n{rows}"


def _import(engine, rows: list[tuple]) -> int:
    data = BOOK.format(rows="\n".join(f"{c},{p},{m}" for c, p, m in rows)).encode()
    plan = core.prepare_import(engine, data, "revenue.csv", "revenue", create_customers=True)
    return core.commit_import(engine, plan).import_id


def _read(paths) -> pd.DataFrame:
    frames = [pq.read_table(p).to_pandas() for p in paths]
    return pd.concat(frames, ignore_index=True).sort_values(["customer_id", "period"]).reset_index(drop=True)


@pytest.fixture
def engine(tmp_path):
    eng = core.make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    yield eng
    eng.dispose()


def test_files_are_written_on_first_read_and_reused_while_they_match(engine):
    first = _import(engine, [("a", "2024-01-01", 10.0), ("b", "2024-01-01", 20.5)])
    paths = table_files.checked_files(engine, "revenue")
    assert [p.name for p in paths] == [f"import_{first}.parquet"]
    stamp = paths[0].stat().st_mtime_ns
    assert table_files.checked_files(engine, "revenue") == paths and paths[0].stat().st_mtime_ns == stamp
    got = _read(paths)
    want = load_columns(engine, "revenue", ["customer_id", "period", "mrr"])
    assert got["customer_id"].tolist() == want["customer_id"].tolist() and got["mrr"].tolist() == [10.0, 20.5]
    assert [str(d) for d in got["period"]] == ["2024-01-01", "2024-01-01"]


def test_a_damaged_or_stale_file_is_written_again(engine):
    first = _import(engine, [("a", "2024-01-01", 10.0)])
    path = table_files.checked_files(engine, "revenue")[0]
    path.write_bytes(path.read_bytes()[:40])  # truncated
    assert _read(table_files.checked_files(engine, "revenue"))["mrr"].tolist() == [10.0]
    second = _import(engine, [("b", "2024-02-01", 5.0), ("c", "2024-02-01", 6.0)])
    paths = table_files.checked_files(engine, "revenue")
    assert [p.name for p in paths] == [f"import_{first}.parquet", f"import_{second}.parquet"]
    assert _read(paths)["mrr"].tolist() == [10.0, 5.0, 6.0]
    paths[0].write_bytes(paths[1].read_bytes())  # another import's rows under the first import's name
    assert _read(table_files.checked_files(engine, "revenue"))["mrr"].tolist() == [10.0, 5.0, 6.0]


def test_an_undone_imports_file_is_removed(engine):
    first = _import(engine, [("a", "2024-01-01", 10.0)])
    second = _import(engine, [("b", "2024-02-01", 5.0)])
    d = table_files.checked_files(engine, "revenue")[0].parent
    core.undo_import(engine, second, reason="wrong file")
    paths = table_files.checked_files(engine, "revenue")
    assert [p.name for p in paths] == [f"import_{first}.parquet"]
    assert sorted(f.name for f in d.iterdir()) == [f"import_{first}.parquet"]


def test_a_store_in_memory_keeps_no_files():
    eng = core.make_engine("sqlite://")
    assert table_files.checked_files(eng, "revenue") is None
    eng.dispose()


def test_an_empty_table_has_no_files(engine):
    assert table_files.checked_files(engine, "revenue") == []
