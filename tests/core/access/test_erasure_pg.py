"""Erasure and the snapshot redaction path on PostgreSQL (a real server, tests/pg.py): the same erase as on SQLite
leaves no table, column of any kind or column file holding the customer, keeps the snapshot's figures, and a saved
snapshot still refuses a plain UPDATE, a DELETE and a TRUNCATE."""

import pandas as pd
import pyarrow.parquet as pq
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

import core
from core.access import erasure, redaction, retention
from core.access.retention import Policy
from core.ingest.importer import commit_import, prepare_import
from core.review import saved
from core.store import columnar
from tests.core.access.test_erasure import ALONE, FILES, GONE, NAME, VERBATIM, _churn_scores, _snapshot


@pytest.fixture(scope="module")
def erased(pg_server):
    engine = core.make_engine(pg_server.new_database())
    for n, (kind, content) in enumerate(FILES.items()):
        # revenue in replace mode: append mode's check for months already held fails on PostgreSQL (substr of a
        # date, core/ingest/plausibility.py), not this test's concern
        mode = "replace" if kind == "revenue" else "append"
        commit_import(engine, prepare_import(engine, content.encode(), f"upload_{n}.csv", kind, mode=mode))
    commit_import(engine, prepare_import(engine, ALONE.encode(), "upload_9.csv", "activity"))
    _churn_scores(engine)
    columnar.activity_pairs(engine)
    saved.save(engine, _snapshot())
    before = saved.load(engine, 1), _hits(engine, GONE)
    result = erasure.erase(engine, GONE, "asked in writing")
    yield engine, before, result
    engine.dispose()


def _hits(engine, needle: str) -> list[str]:
    """table.column of every column of every table (cast to text) holding ``needle``, any case."""
    with engine.connect() as conn:
        cols = conn.execute(text("SELECT table_name, column_name FROM information_schema.columns "
                                 "WHERE table_schema = 'public'")).all()
        return sorted(f"{t}.{c}" for t, c in cols if conn.execute(
            text(f'SELECT COUNT(*) FROM "{t}" WHERE CAST("{c}" AS text) ILIKE :n'), {"n": f"%{needle}%"}).scalar())


def test_the_customer_is_gone_from_every_table_and_file_on_postgresql(erased):
    engine, (_, hits), result = erased
    assert {t.name for t in erasure.customer_tables()} | {"reviewsnapshot"} <= {h.split(".")[0] for h in hits}
    for needle in (GONE, NAME, VERBATIM):
        assert _hits(engine, needle) == []
    assert (result["customer"], result["activity"], result["churnscore"], result["snapshots redacted"]) == (1, 5, 1, 1)
    files = sorted(columnar.folder(engine).glob("*.parquet"))
    assert files and all(GONE not in pq.read_table(f).column("customer_id").to_pylist() for f in files)


def test_the_snapshot_keeps_its_figures_on_postgresql(erased):
    engine, (snap, _), _ = erased
    again = saved.load(engine, 1)
    cols = ["page", "metric", "value", "low", "high", "unit"]
    pd.testing.assert_frame_equal(again.figures[cols], snap.figures[cols])
    assert again.at_risk["customer_id"].tolist() == [redaction.MARKER, "K-200"]


@pytest.mark.parametrize("sql", ["UPDATE reviewsnapshot SET figures = '[]'", "UPDATE reviewsnapshot SET quarter = 'x'",
                                 "DELETE FROM reviewsnapshot", "TRUNCATE reviewsnapshot"])
def test_a_saved_snapshot_still_refuses_changes_on_postgresql(erased, sql):
    engine, _, _ = erased
    with pytest.raises(DatabaseError, match="never changed"), engine.begin() as conn:
        conn.execute(text(sql))
    assert saved.load(engine, 1).quarter == "2025-Q1"


def test_retention_masks_on_postgresql(erased):
    engine, _, _ = erased
    retention.set_policy(engine, Policy(1, None))
    first = retention.apply(engine, today=pd.Timestamp("2025-06-30").date())
    again = retention.apply(engine, today=pd.Timestamp("2025-06-30").date())
    assert (first["feedback verbatims masked"], first["ticket texts masked"]) == (1, 1)
    assert (again["feedback verbatims masked"], again["ticket texts masked"]) == (0, 0)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT text, score FROM feedback")).all() == [(redaction.MARKER, 9.0)]
