"""The rows a long import will load, kept on disk a chunk at a time (:mod:`core.ingest.spilled_rows`): read back
exactly (Arrow-backed text, float64, datetime64, flags), counted, batched in source-row order, and gone with the
plan."""

from __future__ import annotations

import gc
import tempfile

import numpy as np
import pandas as pd
import pytest

from core.ingest import spilled_rows
from core.ingest.spilled_rows import SpilledRows
from core.ingest.store_rows import StoreRows

ARROW_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)


def transactions(seed: int, n: int) -> StoreRows:
    """A purchase log's typed rows: Arrow text ids, dates, amounts, quantities, returns, an extra column, a few
    rows invalid."""
    rng = np.random.default_rng(seed)
    ret = rng.random(n) < 0.2
    amount = np.round(rng.uniform(1, 100, n), 2)
    typed = {
        "customer_id": pd.Series([f"C{i}" for i in rng.integers(0, 9, n)], dtype=ARROW_TEXT),
        "date": pd.Series(pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")),
        "amount": pd.Series(np.where(ret, -amount, amount)),
        "quantity": pd.Series(np.where(rng.random(n) < 0.1, np.nan, rng.integers(1, 5, n).astype(float))),
        "order_id": pd.Series([f"C{i}" if r else str(i) for i, r in zip(range(n), ret)], dtype=ARROW_TEXT),
        "is_return": pd.Series(ret),
    }
    extras = pd.DataFrame({"Country": pd.Series(rng.choice(["UK", "Café €", None], n), dtype=ARROW_TEXT),
                           "seats": rng.integers(0, 9, n).astype(float)})
    return StoreRows("transactions", typed, extras, rng.random(n) > 0.1)


def whole(parts: list[StoreRows]) -> StoreRows:
    """The chunks as one StoreRows (what a file read whole would hold)."""
    typed = {f: pd.concat([p.typed[f] for p in parts], ignore_index=True) for f in parts[0].typed}
    extras = pd.concat([p.extras for p in parts], ignore_index=True)
    return StoreRows(parts[0].kind, typed, extras, np.concatenate([p.valid for p in parts]))


@pytest.fixture
def temporary(tmp_path, monkeypatch):
    """This test's temporary folder (the spilled rows' folder is made in it)."""
    folder = tmp_path / "temporary"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setattr(spilled_rows, "IN_MEMORY_ROWS", 0)  # every chunk to disk (the bound: tested below)
    return folder


def test_spilled_chunks_read_back_as_the_rows_held_whole(temporary):
    parts = [transactions(seed, n) for seed, n in ((1, 30), (2, 1), (3, 0), (4, 57))]
    spilled = SpilledRows("transactions")
    for p in parts:
        spilled.add(p)
    (folder,) = temporary.iterdir()
    assert folder.name.startswith("retention-import-") and len(list(folder.iterdir())) == 4
    held = whole(parts)
    assert spilled.counts() == held.counts()
    assert spilled.counts()["revenue"] == sum(int(p.valid.sum()) for p in parts)
    got, want = spilled.tables(), held.tables()
    assert got.keys() == want.keys() == {"activity", "revenue"}
    for name in want:
        pd.testing.assert_frame_equal(got[name], want[name].reset_index(drop=True), obj=name)
    assert got["revenue"]["customer_id"].dtype == ARROW_TEXT  # compact text survives the round trip


def test_batches_come_in_source_row_order_chunk_after_chunk(temporary):
    parts = [transactions(seed, n) for seed, n in ((5, 23), (6, 10))]
    spilled = SpilledRows("transactions")
    for p in parts:
        spilled.add(p)
    batches = list(spilled.batches(7))
    assert [name for name, _ in batches[:2]] == ["activity", "revenue"]
    assert len(batches) == 2 * (4 + 2)  # each chunk cut into batches of 7 source rows, activity then revenue
    revenue = pd.concat([f for name, f in batches if name == "revenue"], ignore_index=True)
    pd.testing.assert_frame_equal(revenue, whole(parts).tables()["revenue"].reset_index(drop=True))


def test_the_folder_goes_when_the_rows_are_dropped(temporary):
    spilled = SpilledRows("transactions")
    spilled.add(transactions(7, 5))
    assert len(list(temporary.iterdir())) == 1
    del spilled
    gc.collect()
    assert list(temporary.iterdir()) == []


def test_chunks_stay_in_memory_up_to_the_bound_then_every_chunk_goes_to_disk(temporary, monkeypatch):
    monkeypatch.setattr(spilled_rows, "IN_MEMORY_ROWS", 60)
    parts = [transactions(seed, 25) for seed in range(5)]
    held = SpilledRows("transactions")
    held.add(parts[0])
    held.add(parts[1])  # 50 source rows: in memory, no folder
    assert held.on_disk == 0 and list(temporary.iterdir()) == []
    held.add(parts[2])  # 75 > 60: the three go to disk, and every later chunk
    held.add(parts[3])
    assert held.on_disk == 4
    (folder,) = temporary.iterdir()
    assert len(list(folder.iterdir())) == 4
    whole = SpilledRows("transactions")
    monkeypatch.setattr(spilled_rows, "IN_MEMORY_ROWS", 10_000)
    for p in parts:
        whole.add(p)
    assert whole.on_disk == 0 and len(list(temporary.iterdir())) == 1  # the second one never made a folder
    held.add(parts[4])
    for name, frame in whole.tables().items():
        pd.testing.assert_frame_equal(held.tables()[name], frame)
