"""core.demo.load.load_frames_streamed: a load given chunk by chunk (the benchmarks' 100,000,000 activity rows) holds
exactly what the same rows given at once hold, in the store and in its checked column files, under one import; a
chunk that fails leaves the store as it was, files included."""

from __future__ import annotations

import pandas as pd
import pytest

import core
from core.demo.load import load_frames, load_frames_streamed
from core.store import columnar

LABEL = {"file_name": "chunks", "kind": "benchmark", "sha": "x", "mapping": {}}


def _frames():
    customers = pd.DataFrame({"customer_id": [f"C{i}" for i in range(40)], "signup_date": "2025-01-01"})
    activity = pd.DataFrame({"customer_id": [f"C{i % 40}" for i in range(1000)],
                             "date": [f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(1000)],
                             "metric": "logins", "value": [float(i) for i in range(1000)]})
    return customers, activity


def _activity(url: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    engine = core.make_engine(url)
    rows = core.load_table(engine, "activity").drop(columns=["id", "import_id"])
    pairs = columnar.activity_pairs(engine)
    files = columnar.checked_files(engine)
    engine.dispose()
    assert len(files) == 1
    days = pd.DataFrame({"id": pairs.ids[pairs.codes], "day": pairs.days}).sort_values(["id", "day"])
    return rows.sort_values(["customer_id", "date", "value"]).reset_index(drop=True), days.reset_index(drop=True)


def test_chunks_load_what_one_frame_loads(tmp_path):
    customers, activity = _frames()
    once, streamed = f"sqlite:///{tmp_path / 'once.db'}", f"sqlite:///{tmp_path / 'streamed.db'}"
    load_frames(core.make_engine(once), {"customer": customers, "activity": activity}, **LABEL)
    chunks = (activity.iloc[i:i + 300] for i in range(0, len(activity), 300))  # 4 chunks, the last one short
    load_frames_streamed(core.make_engine(streamed), {"customer": customers}, "activity", chunks, len(activity),
                         **LABEL)
    written = [columnar.record(p) for p in columnar.folder(core.make_engine(streamed)).glob("*.parquet")]
    assert [r["file_rows"] for r in written] == [1000]  # staged chunk by chunk, not rebuilt from the rows later
    for got, want in zip(_activity(streamed), _activity(once), strict=True):
        pd.testing.assert_frame_equal(got, want)
    engine = core.make_engine(streamed)
    assert core.table_counts(engine)["activity"] == 1000
    assert len(core.import_history(engine)) == 1


def test_a_failing_chunk_leaves_the_store_as_it_was(tmp_path):
    customers, activity = _frames()
    url = f"sqlite:///{tmp_path / 'store.db'}"
    load_frames(core.make_engine(url), {"customer": customers, "activity": activity.iloc[:10]}, **LABEL)
    before = _activity(url)

    def chunks():
        yield activity.iloc[:500]
        raise RuntimeError("the generator broke")

    with pytest.raises(RuntimeError):
        load_frames_streamed(core.make_engine(url), {"customer": customers}, "activity", chunks(), 1000, **LABEL)
    for got, want in zip(_activity(url), before, strict=True):
        pd.testing.assert_frame_equal(got, want)
