"""Signing in (core.access.login): a right password signs in and is audited; an unknown name, a wrong password and a
disabled account get one same message and a "sign-in refused" entry with the name tried (never the password); five
refusals within 15 minutes pause the name for 15 minutes, counted from the trail (so a fresh engine, as after a
restart, still sees the pause); an identity provider's e-mail address or user name maps to the account of that name.

The audit entries are read back with raw SQL, not with core.access.audit.
"""

import contextlib
import datetime as dt
import sqlite3

import pytest

import core
from core.access import login
from core.access import users as accounts
from core.access.guard import AccessDenied, Actor
from core.store.tables import AuditEntry

PASSWORD = "correct horse battery"


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "s.db"
    engine = core.make_engine(f"sqlite:///{path}")
    accounts.add(engine, "root", "admin", PASSWORD)
    accounts.add(engine, "vic", "viewer", PASSWORD)
    accounts.add(engine, "Jane@Example.com", "analyst", PASSWORD)
    accounts.add(engine, "gone", "viewer", PASSWORD)
    accounts.disable(engine, "gone")
    yield engine, path
    engine.dispose()


def _trail(path) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute('SELECT "user", role, action, target, detail FROM auditentry ORDER BY id').fetchall()
    finally:
        con.close()


def test_a_right_password_signs_in_and_is_audited(store):
    engine, path = store
    assert login.sign_in(engine, " vic ", PASSWORD) == Actor("vic", "viewer")
    assert _trail(path)[-1][:4] == ("vic", "viewer", "sign in", "vic")
    login.sign_out(engine, Actor("vic", "viewer"))
    assert _trail(path)[-1][:4] == ("vic", "viewer", "sign out", "vic")
    login.sign_out(engine, Actor("local", "admin", local=True))  # the local admin never signed in: no entry
    assert len(_trail(path)) == 2


@pytest.mark.parametrize("name, password", [("nobody", PASSWORD), ("vic", "wrong password"), ("gone", PASSWORD),
                                            ("", PASSWORD), ("vic", "")])
def test_every_refusal_says_the_same_and_is_audited_without_the_password(store, name, password):
    engine, path = store
    with pytest.raises(AccessDenied) as refused:
        login.sign_in(engine, name, password)
    assert str(refused.value) == login.WRONG
    user, role, action, target, detail = _trail(path)[-1]
    assert (user, role, action, target) == (name, "", "sign-in refused", name)
    assert len(_trail(path)) == 1
    assert PASSWORD not in repr(_trail(path)) and "wrong password" not in repr(_trail(path))


@pytest.mark.parametrize("name, password", [("nobody", PASSWORD), ("vic", "wrong password"), ("gone", PASSWORD),
                                            ("", PASSWORD), ("vic", PASSWORD)])
def test_every_sign_in_runs_one_argon2_check_so_an_unknown_name_takes_as_long(store, monkeypatch, name, password):
    engine, _ = store
    calls, real = [], accounts._HASHER

    class Counting:
        def verify(self, hashed, given):
            calls.append(hashed)
            return real.verify(hashed, given)

    monkeypatch.setattr(accounts, "_HASHER", Counting())
    with contextlib.suppress(AccessDenied):
        login.sign_in(engine, name, password)
    assert len(calls) == 1


def test_five_refusals_in_15_minutes_pause_the_name_for_15_minutes_across_restarts(store, tmp_path):
    engine, path = store
    t0 = dt.datetime.now(dt.UTC)
    for _ in range(login.MAX_REFUSED):
        with pytest.raises(AccessDenied, match="not right"):
            login.sign_in(engine, "vic", "wrong password")
    fresh = core.make_engine(f"sqlite:///{path}")  # as after a restart of the server: only the trail remembers
    try:
        with pytest.raises(AccessDenied, match=r"5 sign-ins for vic were refused within 15 minutes: this name may "
                                               r"try again in (14|15) minutes"):
            login.sign_in(fresh, "vic", PASSWORD)  # even the right password waits
        assert _trail(path)[-1][2] == "sign-in refused" and '"paused": true' in _trail(path)[-1][4]
        assert login.sign_in(fresh, "root", PASSWORD).name == "root"  # other names are not paused
        assert login.paused_until(fresh, "vic", t0 + dt.timedelta(minutes=14)) is not None
        later = t0 + dt.timedelta(minutes=16)  # the pause is over (tries during it did not extend it)
        assert login.paused_until(fresh, "vic", later) is None
        assert login.sign_in(fresh, "vic", PASSWORD, now=later) == Actor("vic", "viewer")
    finally:
        fresh.dispose()


def test_four_refusals_do_not_pause_and_a_sign_in_starts_the_count_again(store):
    engine, _ = store
    for _ in range(login.MAX_REFUSED - 1):
        with pytest.raises(AccessDenied):
            login.sign_in(engine, "vic", "wrong password")
    assert login.sign_in(engine, "vic", PASSWORD).name == "vic"
    for _ in range(login.MAX_REFUSED - 1):
        with pytest.raises(AccessDenied):
            login.sign_in(engine, "vic", "wrong password")
    assert login.paused_until(engine, "vic") is None
    assert login.sign_in(engine, "vic", PASSWORD).name == "vic"


def test_refusals_spread_over_more_than_15_minutes_do_not_pause(store):
    engine, _ = store
    t0 = dt.datetime.now(dt.UTC)
    for _ in range(login.MAX_REFUSED):
        with pytest.raises(AccessDenied, match="not right"):
            login.sign_in(engine, "vic", "wrong password")
    # seen 20 minutes after the first refusals, a sixth try counts but is alone in its window: no pause
    assert login.paused_until(engine, "vic", t0 + dt.timedelta(minutes=20)) is None


def test_tries_during_a_pause_do_not_extend_it(store):
    """Entries written with chosen times (the trail is append-only, but any time may be appended)."""
    engine, _ = store
    t0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    refused = [(t0 + dt.timedelta(seconds=i), {}) for i in range(5)]
    paused = [(t0 + dt.timedelta(minutes=10, seconds=i), {"paused": True}) for i in range(5)]
    with engine.begin() as conn:
        for at, detail in refused + paused:
            conn.execute(AuditEntry.__table__.insert().values(at=at, user="vic", role="", action=login.REFUSED,
                                                              target="vic", detail=detail))
    assert login.paused_until(engine, "vic", t0 + dt.timedelta(minutes=14)) == t0 + dt.timedelta(minutes=15,
                                                                                               seconds=4)
    assert login.paused_until(engine, "vic", t0 + dt.timedelta(minutes=16)) is None
    assert login.paused_until(engine, "ann", t0 + dt.timedelta(minutes=14)) is None


def test_an_identity_maps_to_the_account_of_that_name(store):
    engine, path = store
    assert login.from_identity(engine, "jane@example.COM") == Actor("Jane@Example.com", "analyst")
    assert _trail(path)[-1][:4] == ("Jane@Example.com", "analyst", "sign in", "Jane@Example.com")
    assert login.from_identity(engine, "vic@corp.example", "VIC") == Actor("vic", "viewer")  # the user name
    with pytest.raises(AccessDenied) as none:
        login.from_identity(engine, "jane@x.com")
    assert str(none.value) == ("there is no account for jane@x.com: an admin adds one with python -m core users "
                               "add jane@x.com --role viewer")
    with pytest.raises(AccessDenied, match="user gone is disabled"):
        login.from_identity(engine, "someone@x.com", "gone")
    assert len(_trail(path)) == 2  # only the two sign-ins


def test_the_current_role_and_a_disabled_account_take_effect_at_once(store):
    engine, _ = store
    vic = login.sign_in(engine, "vic", PASSWORD)
    accounts.set_role(engine, "vic", "analyst")
    assert login.current(engine, vic) == Actor("vic", "analyst")
    accounts.disable(engine, "vic")
    with pytest.raises(AccessDenied, match="user vic is disabled"):
        login.current(engine, vic)
    local = Actor("local", "admin", local=True)
    assert login.current(engine, local) is local


def test_sign_in_and_the_pause_work_on_postgresql(pg_server):
    url = pg_server.new_database()
    engine = core.make_engine(url)
    try:
        accounts.add(engine, "root", "admin", PASSWORD)
        accounts.add(engine, "vic", "viewer", PASSWORD)
        t0 = dt.datetime.now(dt.UTC)
        assert login.sign_in(engine, "vic", PASSWORD) == Actor("vic", "viewer")
        for _ in range(login.MAX_REFUSED):
            with pytest.raises(AccessDenied, match="not right"):
                login.sign_in(engine, "vic", "wrong password")
        with pytest.raises(AccessDenied, match="5 sign-ins for vic were refused"):
            login.sign_in(engine, "vic", PASSWORD)
        assert login.sign_in(engine, "root", PASSWORD).name == "root"
        assert login.paused_until(engine, "vic", t0 + dt.timedelta(minutes=16)) is None
        assert login.from_identity(engine, "VIC") == Actor("vic", "viewer")
        with engine.connect() as conn:
            actions = [r[0] for r in conn.exec_driver_sql('SELECT action FROM auditentry ORDER BY id')]
        assert actions == ["sign in"] + ["sign-in refused"] * 6 + ["sign in", "sign in"]
    finally:
        engine.dispose()
