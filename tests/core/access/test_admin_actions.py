"""core.access.admin: each admin action checks the right to manage users, changes the store and leaves its audit
entry, for the CLI and the Admin page alike; a role without the right, a disabled admin and an admin demoted since
the session began change nothing; the trail as people read it (core.access.trail) is the audit table."""

import json
import sqlite3

import pytest

import core
from core.access import admin, trail
from core.access.guard import AccessDenied, Actor
from core.errors import DataValidationError
from tests.core.access.store import PASSWORD, build, dump


@pytest.fixture
def url(tmp_path):
    return build(tmp_path)


def _entries(url: str) -> list[tuple]:
    con = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        return con.execute('SELECT "user", role, action, target, detail FROM auditentry ORDER BY id').fetchall()
    finally:
        con.close()


ACTIONS = {
    "add": lambda e, who: admin.add_user(e, who, "zoe", "viewer", PASSWORD, PASSWORD),
    "role": lambda e, who: admin.change_role(e, who, "vic", "analyst"),
    "disable": lambda e, who: admin.disable_user(e, who, "vic"),
    "risk lists": lambda e, who: admin.allow_risk_lists(e, who, ["board"]),
}


@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_is_done_and_audited_under_the_admins_name(url, action):
    engine = core.make_engine(url)
    before = len(_entries(url))
    ACTIONS[action](engine, Actor("root", "admin"))
    after = _entries(url)
    assert len(after) == before + 1 and after[-1][:2] == ("root", "admin")
    want = {"add": ("add user", "zoe", {"role": "viewer"}), "role": ("set role", "vic", {"before": "viewer",
                                                                                          "after": "analyst"}),
            "disable": ("disable user", "vic", {}), "risk lists": ("set risk-list roles", "risk lists",
                                                                   {"before": [], "after": ["board"]})}[action]
    assert (after[-1][2], after[-1][3], json.loads(after[-1][4] or "{}")) == want


@pytest.fixture(scope="module")
def unchanged(tmp_path_factory):
    """One store for the refusals, which change nothing (each test checks it)."""
    return build(tmp_path_factory.mktemp("admin_refusals"))


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("who", ["vic", "ann", "bo"])
def test_no_one_else_changes_anything(unchanged, action, who):
    engine = core.make_engine(unchanged)
    before = dump(unchanged)
    for user in (who, Actor(who, "admin")):  # by name (the CLI), and a session claiming the admin role
        with pytest.raises(AccessDenied, match=f"user {who} .* may not manage users"):
            ACTIONS[action](engine, user)
    assert dump(unchanged) == before


def test_an_admin_demoted_since_the_session_began_is_refused(url):
    engine = core.make_engine(url)
    admin.change_role(engine, "root", "bo", "admin")
    admin.change_role(engine, "bo", "root", "viewer")
    before = dump(url)
    for action in ACTIONS.values():
        with pytest.raises(AccessDenied, match=r"user root \(viewer\) may not manage users"):
            action(engine, Actor("root", "admin"))
    assert dump(url) == before


def test_a_disabled_admin_is_refused(url):
    engine = core.make_engine(url)
    admin.change_role(engine, "root", "bo", "admin")
    admin.disable_user(engine, "bo", "root")
    before = dump(url)
    with pytest.raises(AccessDenied, match="root is disabled"):
        admin.add_user(engine, Actor("root", "admin"), "zoe", "viewer", PASSWORD)
    assert dump(url) == before


def test_refusals_change_nothing(url):
    engine = core.make_engine(url)
    before = dump(url)
    for call, message in [
        (lambda: admin.add_user(engine, "root", "zoe", "viewer", PASSWORD, PASSWORD + "x"), "two passwords differ"),
        (lambda: admin.add_user(engine, "root", "vic", "viewer", PASSWORD), "already a user vic"),
        (lambda: admin.change_role(engine, "root", "root", "board"), "only admin"),
        (lambda: admin.disable_user(engine, "root", "root"), "only admin"),
        (lambda: admin.allow_risk_lists(engine, "root", ["guest"]), "'guest' is not a role"),
    ]:
        with pytest.raises(DataValidationError, match=message):
            call()
    assert dump(url) == before


def test_the_first_account_on_a_store_without_users(tmp_path):
    url = build(tmp_path, with_users=False)
    engine = core.make_engine(url)
    local = Actor("local", "admin", local=True)
    assert admin.add_user(engine, local, " root ", "admin", PASSWORD) == "root"
    assert _entries(url)[-1][:4] == ("local", "admin", "add user", "root")
    with pytest.raises(AccessDenied):  # the store has an account now: the local admin is gone
        admin.add_user(engine, local, "zoe", "admin", PASSWORD)


def test_the_setting_in_force_and_who_set_it(url):
    engine = core.make_engine(url)
    assert admin.risk_list_setting(engine) is None
    admin.allow_risk_lists(engine, "root", ["board", "viewer"])
    got = admin.risk_list_setting(engine)
    con = sqlite3.connect(url.removeprefix("sqlite:///"))
    roles, at, user = con.execute("SELECT risk_list_roles, at, user FROM accesssetting ORDER BY id DESC").fetchone()
    assert (got["roles"], got["user"], f"{got['at']:%Y-%m-%d %H:%M:%S}") == (tuple(json.loads(roles)), user, at[:19])
    assert got["roles"] == ("viewer", "board")


def test_the_trail_for_people_is_the_audit_table(url):
    engine = core.make_engine(url)
    admin.change_role(engine, "root", "vic", "board")
    admin.allow_risk_lists(engine, "root", [])
    t = trail.table(engine)
    raw = _entries(url)[::-1]
    assert list(zip(t["user"], t["action"], t["target"])) == [(r[0], r[2], r[3]) for r in raw]
    assert list(t["detail"][:2]) == ["before: none; after: none", "before: viewer; after: board"]
    assert list(trail.filtered(t, action="set role")["target"]) == ["vic"]
    assert trail.filtered(t, user="nobody").empty
    assert list(trail.for_file(t).columns) == ["Who", "Role", "When (UTC)", "Action", "What", "Detail"]
