"""Marking verbatims followed up needs the follow-up right (analyst, admin), checked in core before anything
changes, and leaves an audit entry naming the user; a store without accounts lets its local admin do it."""

import pytest
from sqlalchemy import text

import core
from core.access import audit
from core.access import users as accounts
from core.access.guard import AccessDenied
from core.feedback import store as theme_store

FEEDBACK = b"date,channel,score,text\n2025-01-02,nps,3,slow support\n2025-01-03,nps,9,great\n"
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    eng = core.make_engine(f"sqlite:///{tmp_path_factory.mktemp('follow') / 's.db'}")
    core.commit_import(eng, core.prepare_import(eng, FEEDBACK, "nps.csv", "feedback"))
    for name, role in (("root", "admin"), ("ann", "analyst"), ("vic", "viewer"), ("bea", "board")):
        accounts.add(eng, name, role, PASSWORD)
    yield eng
    eng.dispose()


def _statuses(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(text("SELECT id, status FROM feedback ORDER BY id")).all()


@pytest.mark.parametrize("user", ["vic", "bea", None])
def test_a_viewer_a_board_member_and_nobody_may_not_change_a_status(engine, user):
    before, trail = _statuses(engine), len(audit.entries(engine))
    first = before[0][0]
    with pytest.raises(AccessDenied):
        theme_store.set_status(engine, [f"F{first}"], "closed", user=user)
    assert _statuses(engine) == before
    assert len(audit.entries(engine)) == trail


@pytest.mark.parametrize("user, status", [("ann", "in progress"), ("root", "closed")])
def test_an_analyst_and_an_admin_change_it_and_are_audited(engine, user, status):
    first = _statuses(engine)[0][0]
    assert theme_store.set_status(engine, [f"F{first}"], status, user=user) == 1
    assert dict(_statuses(engine))[first] == status
    last = audit.entries(engine).iloc[0]
    assert (last["user"], last["action"], last["detail"]) == (user, "set follow-up status",
                                                              {"status": status, "changed": 1})


def test_a_store_without_accounts_lets_its_local_admin_change_it(tmp_path):
    eng = core.make_engine(f"sqlite:///{tmp_path / 's.db'}")
    core.commit_import(eng, core.prepare_import(eng, FEEDBACK, "nps.csv", "feedback"))
    first = _statuses(eng)[0][0]
    assert theme_store.set_status(eng, [f"F{first}"], "closed") == 1
    assert audit.entries(eng).iloc[0]["user"] == "local"
    eng.dispose()
