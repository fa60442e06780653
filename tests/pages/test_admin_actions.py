"""The Admin page's actions (issue 22), each on a fresh hand-made store and checked in the store with SQL: adding an
account (and its audit entry under the admin's name), changing a role, disabling an account after a confirmation,
saving who may see risk lists (audited, and shown with who set it when); refusals (the last admin, a name taken, a
short or mistyped password) are one message and change nothing."""

import json
import sqlite3

import pytest

from core.access import rights
from tests.pages.admin_store import build, open_admin, point, sql

NEW_PASSWORD = "a long enough password"


@pytest.fixture
def store(tmp_path, monkeypatch):
    return point(monkeypatch, build(tmp_path))


def _last_entry(url: str) -> tuple:
    """The newest audit entry: (user, role, action, target, detail as a dict)."""
    user, role, action, target, detail = sql(url, 'SELECT "user", role, action, target, detail FROM auditentry '
                                                  "ORDER BY id DESC LIMIT 1")[0]
    return user, role, action, target, json.loads(detail or "{}")


def _entries(url: str) -> int:
    return sql(url, "SELECT count(*) FROM auditentry")[0][0]


def _add(at, name: str, role: str, password: str = NEW_PASSWORD, again: str | None = None):
    at.text_input(key="admin_add_name").input(name)
    at.selectbox(key="admin_add_role").set_value(role)
    at.text_input(key="admin_add_password").input(password)
    at.text_input(key="admin_add_again").input(password if again is None else again)
    at.button[[b.label for b in at.button].index("Add the account")].click().run()
    assert not at.exception, at.exception
    return at


def test_adding_an_account_creates_it_and_audits_it(store):
    at = _add(open_admin(store, "root"), "dee", rights.BOARD)
    assert sql(store, "SELECT role, disabled_at FROM user WHERE name = 'dee'") == [("board", None)]
    assert _last_entry(store) == ("root", "admin", "add user", "dee", {"role": "board"})
    assert [s.value for s in at.success] == ["Added the account dee (board)."]
    assert "dee" in list(at.dataframe[0].value["User"])  # the list drawn again holds it


@pytest.mark.parametrize(("name", "password", "again", "message"), [
    ("vic", NEW_PASSWORD, None, "There is already a user vic."),
    ("dee", "short", None, "The password of dee must have at least 8 characters."),
    ("dee", NEW_PASSWORD, NEW_PASSWORD + "!", "The two passwords differ: type the same password twice."),
])
def test_a_refused_account_is_one_message_and_changes_nothing(store, name, password, again, message):
    before, users = _entries(store), sql(store, "SELECT * FROM user ORDER BY name")
    at = _add(open_admin(store, "root"), name, rights.VIEWER, password, again)
    assert [e.value for e in at.error] == [message]
    assert (_entries(store), sql(store, "SELECT * FROM user ORDER BY name")) == (before, users)


def test_changing_a_role(store):
    at = open_admin(store, "root")
    at.selectbox(key="admin_role_user").set_value("vic")
    at.selectbox(key="admin_role_new").set_value(rights.ANALYST)
    at.button(key="admin_role_go").click().run()
    assert not at.exception and not at.error
    assert sql(store, "SELECT role FROM user WHERE name = 'vic'") == [("analyst",)]
    assert _last_entry(store) == ("root", "admin", "set role", "vic", {"before": "viewer", "after": "analyst"})
    assert [s.value for s in at.success] == ["vic is now analyst."]


def test_the_last_admin_keeps_the_role_and_stays_enabled(store):
    before, users = _entries(store), sql(store, "SELECT * FROM user ORDER BY name")
    at = open_admin(store, "root")
    at.selectbox(key="admin_role_user").set_value("root")
    at.selectbox(key="admin_role_new").set_value(rights.VIEWER)
    at.button(key="admin_role_go").click().run()
    assert [e.value for e in at.error] == ["root is the only admin: make another user admin first."]
    at.selectbox(key="admin_disable_user").set_value("root")
    at.button(key="admin_disable").click().run()
    at.button(key="admin_disable_confirm").click().run()
    assert [e.value for e in at.error] == ["root is the only admin: make another user admin first."]
    assert not at.exception
    assert (_entries(store), sql(store, "SELECT * FROM user ORDER BY name")) == (before, users)


def test_disabling_asks_first_then_disables_and_audits(store):
    at = open_admin(store, "root")
    at.selectbox(key="admin_disable_user").set_value("ann")
    at.button(key="admin_disable").click().run()
    assert [w.value for w in at.warning] == ["Disable ann? They can no longer sign in or act, for good. The account "
                                             "and its entries in the audit trail stay."]
    assert sql(store, "SELECT disabled_at FROM user WHERE name = 'ann'") == [(None,)]  # nothing yet
    at.button(key="admin_disable_cancel").click().run()
    assert not at.warning and sql(store, "SELECT disabled_at FROM user WHERE name = 'ann'") == [(None,)]
    at.button(key="admin_disable").click().run()
    at.button(key="admin_disable_confirm").click().run()
    assert not at.exception and not at.error
    assert sql(store, "SELECT disabled_at IS NOT NULL FROM user WHERE name = 'ann'") == [(1,)]
    assert _last_entry(store) == ("root", "admin", "disable user", "ann", {})
    assert "ann" not in at.selectbox(key="admin_disable_user").options  # only enabled accounts are offered
    assert [s.value for s in at.success] == ["Disabled the account ann."]


def test_the_risk_list_setting_is_saved_audited_and_shown(store):
    at = open_admin(store, "root")
    assert at.info[0].value == "Only admins may see them: no admin has allowed another role yet."
    at.multiselect(key="admin_risk_roles").set_value([rights.BOARD, rights.ANALYST])
    at.button(key="admin_risk_save").click().run()
    assert not at.exception and not at.error
    roles, at_, user = sql(store, "SELECT risk_list_roles, at, user FROM accesssetting ORDER BY id DESC LIMIT 1")[0]
    assert (json.loads(roles), user) == (["analyst", "board"], "root")
    assert _last_entry(store) == ("root", "admin", "set risk-list roles", "risk lists",
                                  {"before": [], "after": ["analyst", "board"]})
    assert at.info[0].value == f"Admins and analysts and board members may see them (set by root on {at_[:16]} UTC)."
    assert rights.role_may(rights.ANALYST, rights.RISK_LISTS, ("analyst", "board"))


def test_a_session_whose_admin_lost_the_role_sees_the_one_line(store):
    """The page looks the signed-in admin up again on every run: demoted elsewhere, the session manages nothing."""
    at = open_admin(store, "root")
    con = sqlite3.connect(store.removeprefix("sqlite:///"))
    con.execute("UPDATE user SET role = 'viewer' WHERE name = 'root'")
    con.commit()
    con.close()
    at.run()
    assert [i.value for i in at.info] == ["Only an admin manages users, erasure and the retention policy; you are "
                                          "signed in as root (viewer)."]
    assert not at.dataframe and not at.tabs


def test_the_first_account_on_a_store_without_accounts(tmp_path, monkeypatch):
    """On a store without accounts the session is the local admin: it adds the first admin (audited as the local
    admin), and from then on the session must sign in."""
    url = point(monkeypatch, build(tmp_path, with_users=False))
    at = open_admin(url, None)
    assert at.info[0].value.startswith("This store has no accounts yet")
    assert at.selectbox(key="admin_add_role").value == rights.ADMIN  # the first account must be an admin
    _add(at, "root", rights.ADMIN)
    assert sql(url, "SELECT name, role FROM user") == [("root", "admin")]
    assert _last_entry(url) == ("local", "admin", "add user", "root", {"role": "admin"})
    assert [t.value for t in at.title] == ["Sign in to the Retention Workbench"]  # the frame's sign-in, at once
    assert not at.tabs and not at.dataframe
