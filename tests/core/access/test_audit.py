"""The audit trail: entries newest first, exported as CSV, and append-only (the store refuses UPDATE and DELETE)."""

import sqlite3

import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

import core
from core.access import audit


@pytest.fixture
def engine(tmp_path):
    eng = core.make_engine(f"sqlite:///{tmp_path / 's.db'}")
    audit.record(eng, "root", "admin", "add user", "ann", {"role": "analyst"})
    audit.record(eng, "ann", "analyst", "undo import", "import #3", {"reason": "wrong file", "removed": {"a": 2}})
    yield eng
    eng.dispose()


def test_entries_are_newest_first_and_export_as_csv(engine, tmp_path):
    trail = audit.entries(engine)
    assert trail[["user", "role", "action", "target"]].values.tolist() == [
        ["ann", "analyst", "undo import", "import #3"], ["root", "admin", "add user", "ann"]]
    assert trail["detail"].iloc[0] == {"reason": "wrong file", "removed": {"a": 2}}
    assert audit.export_csv(engine, tmp_path / "trail.csv") == 2
    back = pd.read_csv(tmp_path / "trail.csv")
    assert back[["user", "action"]].values.tolist() == [["ann", "undo import"], ["root", "add user"]]
    assert back["detail"].iloc[1] == '{"role": "analyst"}'


@pytest.mark.parametrize("sql", ["UPDATE auditentry SET user = 'someone else'", "DELETE FROM auditentry",
                                 "DELETE FROM auditentry WHERE id = 1"])
def test_the_trail_refuses_updates_and_deletes(engine, tmp_path, sql):
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
        conn.execute(text(sql))
    con = sqlite3.connect(tmp_path / "s.db")  # another client: the store itself refuses
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute(sql)
    con.close()
    assert len(audit.entries(engine)) == 2
    assert audit.entries(engine)["user"].tolist() == ["ann", "root"]
