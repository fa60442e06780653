"""Column files of the revenue, ticket and feedback tables (core.store.table_files): written by the import,
reused while they match the store, written again when they do not (truncated, foreign, of an undone import, of an
earlier layout), removed when their import holds no rows; a store in memory keeps none. The rows read back equal
the store's."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest

import core
from core.store import column_home, table_files
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


def test_files_are_written_by_the_import_and_reused_while_they_match(engine):
    first = _import(engine, [("a", "2024-01-01", 10.0), ("b", "2024-01-01", 20.5)])
    written = sorted((column_home.folder(engine).parent / "revenue").glob("*.parquet"))
    assert [p.name for p in written] == [f"import_{first}.parquet"]  # before any read asked for them
    stamp = written[0].stat().st_mtime_ns
    paths = table_files.checked_files(engine, "revenue")
    assert paths == written
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


def test_tickets_and_feedback_files_hold_the_stores_rows(engine):
    """Ticket times to the second, open tickets as nulls, feedback scores with a missing one, the row ids in order;
    revenue files keep the payment flag (empty when not known)."""
    tickets = (b"ticket_id,customer_id,opened,resolved\n"
               b"T1,a,2024-03-01 08:15:30,2024-03-02 10:00:00\nT2,b,2024-03-05 23:59:59,\n")
    feedback = b"customer_id,date,channel,score\na,2024-03-03,nps,9\nb,2024-03-04,csat,\na,2024-03-04,NPS,4\n"
    revenue = b"customer_id,period,mrr,payment_failed\na,2024-03-01,10,false\nb,2024-03-01,20,\n"
    customers = b"customer_id,signup_date\na,2024-01-01\nb,2024-02-01\n"
    for data, name, kind in ((customers, "c.csv", "customers"), (tickets, "t.csv", "tickets"),
                             (feedback, "f.csv", "feedback"), (revenue, "r.csv", "revenue")):
        core.commit_import(engine, core.prepare_import(engine, data, name, kind))
    t = pd.concat([pq.read_table(p).to_pandas() for p in table_files.checked_files(engine, "ticket")])
    assert t["customer_id"].tolist() == ["a", "b"] and t["id"].is_monotonic_increasing
    assert t["opened"].tolist() == [pd.Timestamp("2024-03-01 08:15:30"), pd.Timestamp("2024-03-05 23:59:59")]
    assert t["resolved"].iloc[0] == pd.Timestamp("2024-03-02 10:00:00") and pd.isna(t["resolved"].iloc[1])
    f = pd.concat([pq.read_table(p).to_pandas() for p in table_files.checked_files(engine, "feedback")])
    want = load_columns(engine, "feedback", ["customer_id", "channel", "score"])
    assert f["channel"].tolist() == want["channel"].tolist() and f["id"].is_monotonic_increasing
    assert f["score"].tolist()[::2] == [9.0, 4.0] and pd.isna(f["score"].iloc[1])
    assert [str(d) for d in f["date"]] == ["2024-03-03", "2024-03-04", "2024-03-04"]
    r = pd.concat([pq.read_table(p).to_pandas() for p in table_files.checked_files(engine, "revenue")])
    assert r["payment_failed"].tolist()[0] is False and pd.isna(r["payment_failed"].iloc[1])


@pytest.mark.parametrize(("layout", "dropped"), [(1, ["id", "payment_failed", "is_return"]), (2, ["is_return"])])
def test_files_of_an_earlier_layout_are_written_again(engine, layout, dropped):
    """Revenue files written before they held the row id and the payment flag (layout 1), or the return flag
    (layout 2), are not read as they are."""
    _import(engine, [("a", "2024-01-01", 10.0)])
    path = table_files.checked_files(engine, "revenue")[0]
    table = pq.read_table(path)
    record = table.schema.metadata[b"retention.table"].replace(b'"layout": 3', f'"layout": {layout}'.encode())
    pq.write_table(table.drop(dropped).replace_schema_metadata({b"retention.table": record}), path)
    again = table_files.checked_files(engine, "revenue")[0]
    assert pq.read_table(again).column_names == ["id", "customer_id", "period", "mrr", "amount", "payment_failed",
                                                 "is_return"]


def test_an_import_whose_files_cannot_be_written_still_loads(engine, monkeypatch):
    """The files are a cache: a disk that refuses them after the import committed leaves the import loaded, and the
    next read writes them."""
    real = table_files.checked_files

    def refused(*args):
        raise OSError("disk full")

    monkeypatch.setattr(table_files, "checked_files", refused)
    first = _import(engine, [("a", "2024-01-01", 10.0)])
    assert load_columns(engine, "revenue", ["mrr"])["mrr"].tolist() == [10.0]
    monkeypatch.setattr(table_files, "checked_files", real)
    assert [p.name for p in table_files.checked_files(engine, "revenue")] == [f"import_{first}.parquet"]
