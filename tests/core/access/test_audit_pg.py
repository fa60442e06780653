"""The audit trail on PostgreSQL: the same append-only guarantee as on SQLite (UPDATE, DELETE and TRUNCATE
refused by triggers), and the same entries back."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

import core
from core.access import audit
from core.access import users as accounts
from core.access.guard import acting


@pytest.fixture(scope="module")
def engine(pg_server):
    eng = core.make_engine(pg_server.new_database())
    audit.record(eng, "root", "admin", "add user", "ann", {"role": "analyst"})
    audit.record(eng, "ann", "analyst", "undo import", "import #3", {"reason": "wrong file"})
    yield eng
    eng.dispose()


@pytest.mark.parametrize("sql", ["UPDATE auditentry SET \"user\" = 'someone else'", "DELETE FROM auditentry",
                                 "TRUNCATE auditentry"])
def test_the_trail_refuses_changes_on_postgresql(engine, sql):
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
        conn.execute(text(sql))
    trail = audit.entries(engine)
    assert trail[["user", "action"]].values.tolist() == [["ann", "undo import"], ["root", "add user"]]
    assert trail["detail"].iloc[1] == {"role": "analyst"}


def test_accounts_work_on_postgresql(engine):
    accounts.add(engine, "root", "admin", "a good password")
    assert accounts.verify_password(engine, "root", "a good password")
    assert not accounts.verify_password(engine, "root", "a bad password")
    assert acting(engine, "root").role == "admin"
