"""``python -m core users`` and ``audit``, and who acts on a real business: the password never echoed nor stored,
role changes audited, a board member's snapshot saved and audited under the board member's name, and a store
without users working as before, with no ``--user``."""

import io
import re
import sqlite3

import pandas as pd
import pytest

import core
from core.access import users as accounts
from core.cli.main import main
from core.review import log as review_log
from core.review import saved as review_saved
from tests.conftest import copy_store
from tests.core.access.store import build, dump, last_entry


def _run(capsys, *args, code=0):
    got = main(list(args))
    out = capsys.readouterr()
    assert got == code, out.err
    return out


@pytest.fixture
def empty(tmp_path, monkeypatch):
    monkeypatch.delenv("RETENTION_USER", raising=False)
    monkeypatch.delenv("RETENTION_PASSWORD", raising=False)
    return f"sqlite:///{tmp_path / 'store.db'}", tmp_path


def test_users_add_list_set_role_disable_and_the_audit(empty, capsys, monkeypatch):
    url, folder = empty
    monkeypatch.setattr("sys.stdin", io.StringIO("first password\n"))
    out = _run(capsys, "--db", url, "users", "add", "root", "--role", "admin", "--password-stdin")
    assert out.out == "added user root (admin)\n"
    monkeypatch.setenv("RETENTION_PASSWORD", "second password")
    out = _run(capsys, "--db", url, "--user", "root", "users", "add", "ann", "--role", "viewer")
    assert "second password" not in out.out + out.err
    _run(capsys, "--db", url, "--user", "root", "users", "set-role", "ann", "analyst")
    _run(capsys, "--db", url, "--user", "root", "users", "disable", "ann")
    listed = _run(capsys, "--db", url, "--user", "root", "users", "list").out.splitlines()
    assert [ln.split()[:2] for ln in listed] == [["user", "role"], ["ann", "analyst"], ["root", "admin"]]
    assert listed[1].rstrip().count(":") == 2  # created and disabled times
    rows = sqlite3.connect(folder / "store.db").execute("SELECT * FROM user").fetchall()
    assert not any(p in str(rows) for p in ("first password", "second password"))
    engine = core.make_engine(url)
    assert accounts.verify_password(engine, "root", "first password")
    assert not accounts.verify_password(engine, "root", "second password")
    trail = _run(capsys, "--db", url, "--user", "root", "audit").out.splitlines()
    want = [("root", "disable user", "ann"), ("root", "set role", "ann"), ("root", "add user", "ann"),
            ("local", "add user", "root")]
    cells = [re.split(r"\s{2,}", ln.strip()) for ln in trail]
    assert cells[0] == ["at (UTC)", "user", "role", "action", "target", "detail"]
    assert [(c[1], c[3], c[4]) for c in cells[1:]] == want
    _run(capsys, "--db", url, "--user", "root", "audit", "--csv", str(folder / "trail.csv"))
    csv = pd.read_csv(folder / "trail.csv")
    assert list(zip(csv["user"], csv["action"], csv["target"])) == want
    assert csv["detail"].tolist()[1] == '{"after": "analyst", "before": "viewer"}'


def test_risk_list_roles_are_shown_and_set_by_an_admin(empty, capsys, monkeypatch):
    url, _ = empty
    monkeypatch.setenv("RETENTION_PASSWORD", "a good password")
    _run(capsys, "--db", url, "users", "add", "root", "--role", "admin")
    show = ("--db", url, "--user", "root", "users", "risk-lists")
    assert _run(capsys, *show).out == "per-customer risk lists: admin\n"
    assert _run(capsys, *show, "board", "Analyst").out == "per-customer risk lists: admin, analyst, board\n"
    assert _run(capsys, *show).out == "per-customer risk lists: admin, analyst, board\n"
    assert _run(capsys, *show, "guest", code=2).err == "error: 'guest' is not a role: use one of viewer, analyst, " \
                                                       "board, admin.\n"
    assert _run(capsys, *show, "none").out == "per-customer risk lists: admin\n"
    assert last_entry(url) == {"user": "root", "role": "admin", "action": "set risk-list roles",
                               "target": "risk lists"}


def test_a_password_is_needed_and_never_taken_from_the_command_line(empty, capsys, monkeypatch):
    url, _ = empty
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    out = _run(capsys, "--db", url, "users", "add", "root", "--role", "admin", code=2)
    assert out.err.startswith("error: Give the password with --password-stdin or RETENTION_PASSWORD")
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    out = _run(capsys, "--db", url, "users", "add", "root", "--role", "admin", "--password-stdin", code=2)
    assert out.err == "error: The password of root must have at least 8 characters.\n"
    assert core.make_engine(url) and accounts.count(core.make_engine(url)) == 0


def test_a_store_without_users_works_as_before_with_no_user(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("RETENTION_USER", raising=False)
    url = build(tmp_path, with_users=False)
    (tmp_path / "more.csv").write_text("customer_id,signup_date\nC,2024-03-01\n")
    monkeypatch.chdir(tmp_path)
    assert "import #2: loaded 1 customer" in _run(capsys, "--db", url, "import", str(tmp_path / "more.csv"),
                                                   "--kind", "customers").out
    assert _run(capsys, "--db", url, "undo", "2").out == "undid import #2: removed 1 customer\n"
    _run(capsys, "--db", url, "report", "--decide", "1", "--decision", "Call them", "--owner", "Sam")
    _run(capsys, "--db", url, "status")
    assert last_entry(url) == {"user": "local", "role": "admin", "action": "record decision", "target": "snapshot 1"}
    assert [r[0] for r in sqlite3.connect(tmp_path / "store.db").execute("SELECT author FROM reviewdecision")] == [""]
    assert dump(url)["tables"]["user"] == []


@pytest.fixture(scope="module")
def business(small_demo_store, tmp_path_factory):
    """A copy of the session's small demo business with one user per role."""
    url = f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('cli_users'))}"
    engine = core.make_engine(url)
    for name, role in (("root", "admin"), ("ann", "analyst"), ("bo", "board"), ("vic", "viewer")):
        accounts.add(engine, name, role, "a good password")
    return url


def test_a_board_member_saves_a_snapshot_and_records_a_decision(business, capsys):
    before = dump(business)
    _run(capsys, "--db", business, "--user", "ann", "report", "--quarter", "2024-Q3", "--save", code=2)
    assert dump(business) == before
    # an early quarter: a smaller business, quicker to build (the right is the point here, not the figures)
    first = _run(capsys, "--db", business, "--user", "bo", "report", "--quarter", "2024-Q3", "--save").out
    engine = core.make_engine(business)
    saved = review_saved.snapshots(engine)
    assert len(saved) == 1 and first.splitlines()[0].endswith(f"saved as snapshot {saved['id'][0]}")
    assert last_entry(business) == {"user": "bo", "role": "board", "action": "save snapshot",
                                    "target": f"snapshot {saved['id'][0]}"}
    _run(capsys, "--db", business, "--user", "bo", "report", "--decide", str(saved["id"][0]), "--decision",
         "Call the top 50", "--owner", "Sam")
    assert review_log.decisions(engine, int(saved["id"][0]))["author"].tolist() == ["bo"]


def test_an_analyst_saves_the_health_configuration_as_the_author(business, capsys):
    _run(capsys, "--db", business, "--user", "ann", "health", "--save", "--author", "someone else", "--reason",
         "first weights")
    versions = sqlite3.connect(business.removeprefix("sqlite:///")).execute(
        "SELECT version, author FROM healthconfig ORDER BY version DESC").fetchall()
    assert versions[0][1] == "ann"
    assert last_entry(business) == {"user": "ann", "role": "analyst", "action": "save health configuration",
                                    "target": f"v{versions[0][0]}"}
