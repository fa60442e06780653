"""Erasing a customer (issue 22's acceptance test): a customer with a distinctive id and name is imported into
every table through the real importer, its activity goes into the column files, a saved review snapshot lists it;
after the erasure no table (every column, raw SQL), no column file (read and byte by byte), no fresh CSV export of
a table or of the snapshot, and not even the store file's bytes hold the id or the name. The other customers' rows
and the snapshot's figures are unchanged; the audit entry holds only the id's SHA-256."""

import hashlib
import io
import sqlite3
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlmodel import SQLModel

import core
from core.access import erasure, redaction
from core.access.guard import AccessDenied
from core.errors import DataValidationError
from core.export.csv import to_csv_bytes
from core.ingest.importer import commit_import, prepare_import
from core.review import saved
from core.review.at_risk import CUSTOMER_COLUMNS
from core.review.snapshot import FIGURE_COLUMNS, Snapshot
from core.store import columnar, table_files
from tests.core.access.store import PEOPLE, build, dump

GONE, NAME = "ZQX-ERASE-7731", "Quintessa Vandermolen"
VERBATIM = "Quintessa here: the quarterly export keeps timing out"
OTHERS = ("K-100", "K-200")
#: kind -> CSV; the erased customer in every one, beside the others
FILES = {
    "customers": "customer_id,name,segment,signup_date,churn_date,email\n"
                 f"{GONE},{NAME},SMB,2024-01-05,,q.vandermolen@example.com\n"
                 "K-100,Acme Ltd,SMB,2024-02-01,,ops@acme.example\nK-200,Globex,Enterprise,2024-03-01,2025-06-30,\n",
    "revenue": "customer_id,period,mrr\n" + "".join(f"{c},2025-0{m}-01,{100 * (i + 1)}\n"
                                                    for i, c in enumerate((GONE,) + OTHERS) for m in (1, 2, 3)),
    "activity": "customer_id,date,metric,value\n" + "".join(f"{c},2025-03-{d:02d},logins,{d}\n"
                                                           for c in (GONE,) + OTHERS for d in (1, 2, 3)),
    "tickets": "ticket_id,customer_id,opened,category,text\n"
               f"T-1,{GONE},2025-03-02 10:00:00,Bug,{VERBATIM}\nT-2,K-100,2025-03-03 11:00:00,Billing,Invoice wrong\n",
    "feedback": "customer_id,date,channel,score,text\n"
                f"{GONE},2025-03-04,nps,3,{VERBATIM}\nK-200,2025-03-05,nps,9,Great support team\n",
    "interventions": "customer_id,play,date,group\n"
                     f"{GONE},Onboarding call,2025-03-06,treatment\nK-100,Onboarding call,2025-03-06,holdout\n",
    "incidents": "incident_id,customer_id,start,end,severity,title\n"
                 f"INC-1,{GONE},2025-03-07 09:00:00,2025-03-07 11:00:00,SEV2,Export outage\n"
                 "INC-1,K-100,2025-03-07 09:00:00,2025-03-07 11:00:00,SEV2,Export outage\n",
}
#: an activity file of the erased customer alone: its column file must go altogether
ALONE = "customer_id,date,metric,value\n" + "".join(f"{GONE},2025-03-{d:02d},reports,1\n" for d in (4, 5))


def _import(engine, content: str, kind: str, n: int) -> None:
    plan = prepare_import(engine, content.encode(), f"upload_{n}.csv", kind)
    commit_import(engine, plan)


def _snapshot() -> Snapshot:
    figures = pd.DataFrame([
        ["Overview", "MRR", "", 600.0, None, None, "currency", "3 customers"],
        ["Overview", "MRR at risk (churn model)", "", 400.0, 350.0, 450.0, "currency", f"largest: {NAME}"],
        ["Feedback themes", "Mentions", "Exports", 1.0, None, None, "verbatims", f"e.g. \"{VERBATIM}\""],
        ["Feedback themes", "Mentions", GONE, 2.0, None, None, "verbatims", ""],
    ], columns=FIGURE_COLUMNS)
    at_risk = pd.DataFrame([["MRR at risk (churn model)", GONE, 300.0, "high risk"],
                            ["MRR at risk (churn model)", "K-200", 100.0, "high risk"]], columns=CUSTOMER_COLUMNS)
    return Snapshot("2025-Q1", pd.Timestamp("2025-03-31").date(), "hand-made", {"note": "built by hand"},
                    {"churn_model": 1}, figures, at_risk=at_risk)


def _churn_scores(engine) -> None:
    """Churn scores of the customer and another, and a playbook action and result for each (the tables pages
    write)."""
    with engine.begin() as conn:
        for cid, p in ((GONE, 0.9), ("K-200", 0.7)):
            conn.execute(text("INSERT INTO churnscore (version, customer_id, probability, tier) "
                              "VALUES (1, :c, :p, 'high risk')"), {"c": cid, "p": p})
            conn.execute(text("INSERT INTO playaction (run_id, customer_id, \"trigger\", play, owner, channel, due, "
                              "reason, priority, status) VALUES (1, :c, 'High risk', 'Rescue call', 'CS', 'phone', "
                              "'2025-04-07', 'Churn risk: high risk', 0, 'queued')"), {"c": cid})
            conn.execute(text("INSERT INTO playresult (action_id, run_id, customer_id, result, recorded_at, file_name, "
                              "sha256) VALUES (1, 1, :c, 'reached', '2025-04-08 10:00:00', 'log.csv', 'x')"),
                         {"c": cid})


def _rows(path: Path) -> dict:
    """Every row of every table (raw SQL), except the erased customer's and what the erasure itself writes."""
    con = sqlite3.connect(path)
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        skip = {"auditentry", "store_state", "reviewsnapshot", "sqlite_sequence"}
        return {n: sorted(map(repr, (r for r in con.execute(f'SELECT * FROM "{n}"') if GONE not in repr(r))))
                for n in names if n not in skip}
    finally:
        con.close()


@pytest.fixture(scope="module")
def erased(tmp_path_factory):
    """The store before and after the erasure: (engine, store path, rows before, snapshot before, result)."""
    folder = tmp_path_factory.mktemp("erasure")
    path = folder / "store.db"
    engine = core.make_engine(f"sqlite:///{path}")
    for n, (kind, content) in enumerate(FILES.items()):
        _import(engine, content, kind, n)
    _import(engine, ALONE, "activity", 9)
    _churn_scores(engine)
    columnar.activity_pairs(engine)  # the column files, as a page's first read builds them
    assert table_files.checked_files(engine, "revenue")  # and the revenue's, as the engines' first read builds them
    saved.save(engine, _snapshot())
    before = (_rows(path), saved.load(engine, 1), sorted(p.name for p in columnar.folder(engine).iterdir()),
              {needle: _hits(path, needle) for needle in (GONE, NAME, VERBATIM)},
              {f.name: GONE in pq.read_table(f).column("customer_id").to_pylist()
               for f in columnar.folder(engine).glob("*.parquet")})
    result = erasure.erase(engine, GONE, f"asked in writing by {NAME} ({GONE})")
    yield engine, path, before, result
    engine.dispose()


def test_the_customer_was_everywhere_before_the_erasure(erased):
    """The set-up holds what the erasure must remove: without this, a search finding nothing proves nothing."""
    _, _, (_, snap, _, hits, files), _ = erased
    tables = {h.split(".")[0] for h in hits[GONE]}
    assert {t.name for t in erasure.customer_tables()} | {"reviewsnapshot"} <= tables
    assert {"customer.name", "reviewsnapshot.figures"} <= set(hits[NAME])
    assert {"ticket.text", "feedback.text", "reviewsnapshot.figures"} <= set(hits[VERBATIM])
    assert list(files.values()) == [True, True]  # two activity imports, both with the customer
    assert GONE in snap.at_risk["customer_id"].tolist()


def test_every_table_with_a_customer_id_is_covered(erased):
    """Every table of the schema that has a ``customer_id`` column held the customer and holds it no more (a table
    added later is found from the schema)."""
    engine, _, _, result = erased
    tables = [t.name for t in SQLModel.metadata.sorted_tables if "customer_id" in t.c]
    assert {t.name for t in erasure.customer_tables()} == set(tables)
    assert {"customer", "revenue", "activity", "ticket", "feedback", "intervention", "churnscore"} <= set(tables)
    expected = {"customer": 1, "revenue": 3, "activity": 5, "ticket": 1, "feedback": 1, "intervention": 1,
                "churnscore": 1, "playaction": 1, "playresult": 1}
    assert {t: result[t] for t in expected} == expected
    with engine.connect() as conn:
        for t in tables:
            assert conn.execute(text(f'SELECT COUNT(*) FROM "{t}" WHERE customer_id = :c'), {"c": GONE}).scalar() == 0


def _hits(path: Path, needle: str) -> list[str]:
    """table.column of every value, of every column of every table, that holds ``needle`` (raw SQL, any case)."""
    con = sqlite3.connect(path)
    try:
        found = []
        for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            for col in [r[1] for r in con.execute(f'PRAGMA table_info("{t}")')]:
                n = con.execute(f'SELECT COUNT(*) FROM "{t}" WHERE CAST("{col}" AS TEXT) LIKE ?',
                                (f"%{needle}%",)).fetchone()[0]
                found += [f"{t}.{col}"] * bool(n)
        return found
    finally:
        con.close()


@pytest.mark.parametrize("needle", [GONE, NAME, VERBATIM, "vandermolen"])
def test_no_table_holds_the_id_the_name_or_the_verbatim(erased, needle):
    _, path, _, _ = erased
    assert _hits(path, needle) == []


def test_the_store_file_holds_no_trace_of_the_customer(erased):
    """The deleted rows are overwritten, and the write-ahead log is checkpointed: the file's bytes are clean."""
    _, path, _, _ = erased
    for f in [path, Path(f"{path}-wal")]:
        data = f.read_bytes() if f.exists() else b""
        assert GONE.encode() not in data and NAME.encode() not in data, f.name


def test_no_column_file_holds_the_customer(erased):
    engine, _, before, result = erased
    d = columnar.folder(engine)
    files = sorted(d.glob("*.parquet"))
    assert files, "the other customers' activity keeps its column file"
    for f in files:
        ids = set(pq.read_table(f).column("customer_id").to_pylist())
        assert GONE not in ids and set(OTHERS) <= ids, f.name
        assert GONE.encode() not in f.read_bytes()
    assert len(files) == len(before[2]) - 1  # the erased customer's own import has no file any more
    pairs = columnar.activity_pairs(engine)
    assert GONE not in set(pairs.ids[pairs.codes]) and len(pairs) == 2 * 3
    assert result["column files rebuilt"] == 1
    everywhere = list(d.parent.rglob("*.parquet"))  # every table's files beside the store, read
    assert not [f for f in everywhere if GONE in pq.read_table(f, columns=["customer_id"]).column(0).to_pylist()]
    revenue = table_files.checked_files(engine, "revenue")  # written again from the store, without the customer
    assert revenue and not [f for f in revenue if GONE in pq.read_table(f).column("customer_id").to_pylist()]


def test_fresh_exports_hold_no_trace(erased):
    engine, _, _, _ = erased
    blobs = []
    with engine.connect() as conn:
        for (t,) in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).all():
            blobs.append(to_csv_bytes(pd.read_sql_query(text(f'SELECT * FROM "{t}"'), conn)))
    snap = saved.load(engine, 1)
    blobs += [to_csv_bytes(snap.figures), to_csv_bytes(snap.at_risk), to_csv_bytes(pd.DataFrame([snap.params])),
              io.StringIO(repr(snap.versions)).read().encode()]
    for blob in blobs:
        for needle in (GONE, NAME, VERBATIM):
            assert needle.encode() not in blob


def test_other_customers_and_the_snapshot_figures_are_unchanged(erased):
    engine, path, (rows, snap, *_), _ = erased
    after = _rows(path)
    assert after == {k: v for k, v in rows.items() if k in after}
    again = saved.load(engine, 1)
    pd.testing.assert_frame_equal(again.figures[["page", "metric", "value", "low", "high", "unit"]],
                                  snap.figures[["page", "metric", "value", "low", "high", "unit"]])
    assert again.figures["group"].tolist() == ["", "", "Exports", redaction.MARKER]
    assert again.figures["text"].tolist()[1:3] == [f"largest: {redaction.MARKER}", f"e.g. \"{redaction.MARKER}\""]
    # the listed customers: the erased one's row stays (its MRR is part of the figure) under the marker
    assert again.at_risk["customer_id"].tolist() == [redaction.MARKER, "K-200"]
    assert again.at_risk["mrr"].sum() == snap.at_risk["mrr"].sum() == 400.0
    assert (again.quarter, again.as_of, again.created_at, again.data_hash) == \
        (snap.quarter, snap.as_of, snap.created_at, snap.data_hash)


def test_the_audit_entry_names_the_customer_only_by_a_hash(erased):
    engine, _, _, result = erased
    with engine.connect() as conn:
        row = conn.execute(text('SELECT "user", action, target, detail FROM auditentry ORDER BY id DESC LIMIT 1')
                           ).first()
    digest = hashlib.sha256(GONE.encode()).hexdigest()
    assert (row.user, row.action) == ("local", "erase customer")
    assert digest[:16] in row.target and digest in row.detail
    assert GONE not in row.detail and NAME not in row.detail
    assert f"asked in writing by {redaction.MARKER}" in row.detail
    assert '"feedback": 1' in row.detail


def test_a_saved_snapshot_still_refuses_a_plain_update_and_a_delete(erased):
    engine, _, _, _ = erased
    for sql in ("UPDATE reviewsnapshot SET figures = '[]'", "UPDATE reviewsnapshot SET quarter = '1999-Q1'",
                "DELETE FROM reviewsnapshot"):
        with pytest.raises(DatabaseError, match="never changed"), engine.begin() as conn:
            conn.execute(text(sql))
    with pytest.raises(DatabaseError, match="never changed"), engine.begin() as conn:  # a permit, another quarter
        conn.execute(text("INSERT INTO snapshotredaction (snapshot_id, params, versions, figures) "
                          "SELECT id, params, versions, figures FROM reviewsnapshot"))
        conn.execute(text("UPDATE reviewsnapshot SET quarter = '1999-Q1'"))
    assert saved.load(engine, 1).quarter == "2025-Q1"


def test_an_unknown_id_changes_nothing(erased):
    engine, path, _, _ = erased
    before = _rows(path), _hits(path, "redacted")
    with pytest.raises(DataValidationError, match=f"no customer {GONE}"):
        erasure.erase(engine, GONE, "again")
    assert (_rows(path), _hits(path, "redacted")) == before


@pytest.fixture(scope="module")
def with_users(tmp_path_factory):
    return build(tmp_path_factory.mktemp("roles"))


@pytest.mark.parametrize("who", [n for n, r in PEOPLE.items() if r != "admin"])
def test_only_an_admin_may_erase(with_users, who):
    before = dump(with_users)
    engine = core.make_engine(with_users)
    with pytest.raises(AccessDenied, match=f"user {who} .* may not erase a customer: ask an admin"):
        erasure.erase(engine, "A", "asked", user=who)
    with pytest.raises(AccessDenied, match=f"user {who} "):  # refused before the id is even looked up
        erasure.erase(engine, "nobody", "asked", user=who)
    engine.dispose()
    assert dump(with_users) == before
