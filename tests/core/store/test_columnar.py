"""The column store of activity: same cohort tables as the rows, and never out of step with the store."""

import pandas as pd
import pytest

import core
from core.cohorts.table import cohort_table
from core.ingest import importer
from core.store import columnar


@pytest.fixture
def cdnow_store(tmp_path, shared):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    eng = core.make_engine(url)
    data = (shared / "cdnow/CDNOW_master.txt").read_bytes()
    core.commit_import(eng, core.prepare_import(eng, data, "cdnow.txt", "transactions"))
    return eng


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
