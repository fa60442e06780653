"""Each role against each enforced action, through ``python -m core``: a role with the right acts and is audited
under its name; a role without it gets exit code 2, one line naming the role to ask for, and a store unchanged row
for row (the audit trail included)."""

import sqlite3

import pytest

import core
from core.access.guard import AccessDenied
from core.cli.main import main
from core.feedback import store as themes
from core.ingest.importer import commit_import, prepare_import
from core.ingest.manage import undo_import
from tests.conftest import copy_store
from tests.core.access.store import PEOPLE, build, dump, last_entry

#: action -> (arguments, what the refusal says the user may not do, the role to ask for, the audit action);
#: the roles allowed besides admin are the role to ask for
ACTIONS = {
    "import": (lambda d: ["import", str(d / "more.csv"), "--kind", "customers"],
               "load data (import a file, record a playbook run or a contact log)", "analyst", "import"),
    "undo": (lambda d: ["undo", "1", "--reason", "wrong file"], "undo an import", "analyst", "undo import"),
    "codebook": (lambda d: ["themes", "--create", "Billing woes", "--keywords", "invoice, charge"],
                 "change the feedback codebook", "analyst", "codebook create"),
    "decide": (lambda d: ["report", "--decide", "1", "--decision", "Call the top 50", "--owner", "Sam"],
               "record a review decision or assumption", "board", "record decision"),
    "assume": (lambda d: ["report", "--assume", "1", "--name", "Cost per call", "--value", "40"],
               "record a review decision or assumption", "board", "record assumption"),
    "add user": (lambda d: ["users", "add", "zoe", "--role", "viewer"], "manage users", "admin", "add user"),
    "set role": (lambda d: ["users", "set-role", "vic", "analyst"], "manage users", "admin", "set role"),
    "disable": (lambda d: ["users", "disable", "vic"], "manage users", "admin", "disable user"),
    "risk lists": (lambda d: ["users", "risk-lists", "board"], "manage users", "admin", "set risk-list roles"),
    "demo": (lambda d: ["demo", "--customers", "50"], "replace the store's data with the demo", "admin", "load demo"),
}
#: actions only refused here (their allowed case needs a real business: tests/core/cli/test_users.py)
REFUSED_ONLY = {
    "snapshot": (["report", "--quarter", "2026-Q3", "--save"], "save a review snapshot", "board"),
    "health": (["health", "--save", "--author", "x", "--reason", "y"], "change a saved configuration (the health "
               "score, a playbook, the lapse period)", "analyst"),
    "churn model": (["churn", "--save"], "save a churn model", "analyst"),
    "churn scores": (["churn", "--scores", "s.csv"], "see per-customer churn scores and risk lists", None),
    "audit": (["audit"], "read the audit trail", "admin"),
}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("access_template")
    return build(folder).removeprefix("sqlite:///")


@pytest.fixture
def store(template, tmp_path, monkeypatch):
    monkeypatch.delenv("RETENTION_USER", raising=False)
    monkeypatch.setenv("RETENTION_PASSWORD", "another good one")  # users add reads it
    (tmp_path / "more.csv").write_text("customer_id,signup_date\nC,2024-03-01\n")
    monkeypatch.chdir(tmp_path)
    return f"sqlite:///{copy_store(template, tmp_path)}", tmp_path


def _refused(capsys, url, name, argv, what, holder):
    before = dump(url)
    code = main(["--db", url, "--user", name, *argv])
    err = capsys.readouterr().err
    role = PEOPLE[name]
    fix = f"ask an admin for the {holder} role" if holder else f"ask an admin to allow the {role} role to see them"
    assert code == 2
    assert err == f"error: user {name} ({role}) may not {what}: {fix}\n"
    assert dump(url) == before


@pytest.mark.parametrize("name", list(PEOPLE))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_role_against_each_action(store, capsys, name, action):
    url, folder = store
    args, what, holder, audited = ACTIONS[action]
    role = PEOPLE[name]
    if role in ("admin", holder):
        code = main(["--db", url, "--user", name, *args(folder)])
        out = capsys.readouterr()
        assert code == 0, out.err
        assert last_entry(url) == {**last_entry(url), "user": name, "role": role, "action": audited}
        if action in ("codebook", "decide"):  # the author field is the acting user's name
            table = "themechange" if action == "codebook" else "reviewdecision"
            with sqlite3.connect(url.removeprefix("sqlite:///")) as con:
                assert con.execute(f"SELECT author FROM {table} ORDER BY id DESC LIMIT 1").fetchone() == (name,)
    else:
        _refused(capsys, url, name, args(folder), what, holder)


@pytest.mark.parametrize("action", list(REFUSED_ONLY))
def test_roles_without_the_right_are_refused_before_any_work(store, capsys, action):
    url, _ = store
    argv, what, holder = REFUSED_ONLY[action]
    for name, role in PEOPLE.items():
        if role not in ("admin", holder):
            _refused(capsys, url, name, argv, what, holder)


def test_a_viewer_undoing_an_import_is_refused_and_the_rows_stay(store, capsys):
    url, _ = store
    before = dump(url)
    assert main(["--db", url, "--user", "vic", "undo", "1"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == ["error: user vic (viewer) may not undo an import: ask an admin for the analyst role"]
    assert dump(url) == before
    assert len([r for r in before["tables"]["customer"]]) == 2


@pytest.mark.parametrize("who,line", [
    (None, "error: this store has users: say who acts with --user NAME (or RETENTION_USER=NAME)"),
    ("nobody", "error: there is no user nobody: an admin adds one with python -m core users add"),
])
def test_an_unknown_or_missing_user_may_not_act(store, capsys, who, line):
    url, folder = store
    before = dump(url)
    assert main(["--db", url, *(["--user", who] if who else []), "undo", "1"]) == 2
    assert capsys.readouterr().err.splitlines() == [line]
    assert dump(url) == before


def test_retention_user_names_the_acting_user(store, capsys, monkeypatch):
    url, folder = store
    monkeypatch.setenv("RETENTION_USER", "ann")
    assert main(["--db", url, "undo", "1"]) == 0
    assert last_entry(url)["user"] == "ann"
    monkeypatch.setenv("RETENTION_USER", "vic")
    assert main(["--db", url, "import", str(folder / "more.csv"), "--kind", "customers"]) == 2
    assert "user vic (viewer) may not load data (import a file, record a playbook run" in capsys.readouterr().err


def test_a_disabled_user_may_no_longer_act(store, capsys):
    url, _ = store
    assert main(["--db", url, "--user", "root", "users", "disable", "ann"]) == 0
    capsys.readouterr()
    before = dump(url)
    assert main(["--db", url, "--user", "ann", "undo", "1"]) == 2
    assert capsys.readouterr().err.splitlines() == ["error: user ann is disabled: ask an admin"]
    assert dump(url) == before


def test_core_refuses_without_the_cli(store):
    """The check is in core: the functions the pages call refuse a user without the right on their own."""
    url, folder = store
    engine = core.make_engine(url)
    before = dump(url)
    with pytest.raises(AccessDenied, match=r"^user vic \(viewer\) may not undo an import"):
        undo_import(engine, 1, user="vic")
    plan = prepare_import(engine, folder / "more.csv", "more.csv", "customers")
    with pytest.raises(AccessDenied, match=r"^user bo \(board\) may not load data \(import a file"):
        commit_import(engine, plan, user="bo")
    assert dump(url) == before
    book = themes.load_codebook(engine)
    before = dump(url)  # the first read saved the starter codebook
    after, change = book.create("Billing woes", "invoice, charge", author="bo")
    with pytest.raises(AccessDenied, match=r"^user bo \(board\) may not change the feedback codebook"):
        themes.save_change(engine, book, after, change, user="bo")
    assert dump(url) == before
    themes.save_change(engine, book, after, change, user="ann")  # the change says "bo": the acting user wins
    assert themes.change_log(engine)["author"].iloc[0] == "ann"
    assert commit_import(engine, plan, user="ann").import_id == 2
    assert last_entry(url)["user"] == "ann"
