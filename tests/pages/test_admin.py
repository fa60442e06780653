"""The Admin page as each role sees it (issue 22): an admin sees the accounts, the risk-list setting and the audit
trail, whose rows equal the audit table read here with SQL, with downloads that hold no formula; a viewer, an
analyst and a board member read one line and nothing else; the page passes the plain-words walker."""

import io

import openpyxl
import pandas as pd
import pytest

import core
from core.access import admin
from tests.pages import plain_words as pw
from tests.pages.admin_store import PASSWORD, PEOPLE, build, open_admin, point, trail_rows, user_rows
from tests.pages.downloads import downloads, recording
from tests.pages.test_hostile_content import bad_cells

#: a user name a spreadsheet would run as a formula (names are one word: this one has no space)
HOSTILE = '=HYPERLINK("http://evil.example/x","y")'
REASON = "@SUM(1+1) -- wrong file"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The hand-made store, then a hostile-named admin added by root who undoes the import with a hostile reason,
    then root lets the board see risk lists."""
    url = build(tmp_path_factory.mktemp("admin_page"))
    engine = core.make_engine(url)
    admin.add_user(engine, "root", HOSTILE, "admin", PASSWORD, PASSWORD)
    core.undo_import(engine, 1, reason=REASON, user=HOSTILE)
    admin.allow_risk_lists(engine, "root", ["board"])  # a detail whose keys are not in alphabetical order
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def as_admin(store):
    mp = pytest.MonkeyPatch()
    try:
        point(mp, store)
        yield open_admin(store, "root")
    finally:
        mp.undo()


def _table(at, header: str) -> pd.DataFrame:
    """The dataframe whose columns include ``header`` (the column's name or its configured label)."""
    found = [d.value for d in at.dataframe if header in d.value.columns]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


def test_an_admin_sees_every_section(as_admin):
    at = as_admin
    assert [t.label for t in at.tabs] == ["Users", "Who may see risk lists", "Audit trail",
                                           "Erase a customer", "Retention policy"]
    assert [s.value for s in at.subheader] == ["Users", "Who may see per-customer churn scores and risk lists",
                                               "Audit trail", "Erase a customer", "Retention policy"]
    assert not at.error


def test_the_user_list_is_the_user_table(as_admin, store):
    got = _table(as_admin, "User").reset_index(drop=True)
    want = user_rows(store)
    assert len(want) == len(PEOPLE) + 1
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


def test_the_audit_table_is_the_audit_trail(as_admin, store):
    got = _table(as_admin, "detail").reset_index(drop=True)
    want = trail_rows(store)
    assert list(want["action"]) == ["set risk-list roles", "undo import", "add user", "import"]
    assert want["detail"].iloc[0] == "before: none; after: board"  # written here, as the page should
    got["at"] = pd.to_datetime(got["at"])
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert any(c.value.startswith("4 of 4 entries, newest first") for c in as_admin.caption)


def test_the_audit_filter(store, monkeypatch):
    point(monkeypatch, store)
    at = open_admin(store, "root")
    at.selectbox(key="admin_trail_user").set_value("root").run()
    got = _table(at, "detail")
    want = trail_rows(store)
    assert list(got["action"]) == list(want.loc[want["user"] == "root", "action"]) == ["set risk-list roles",
                                                                                       "add user"]
    at.selectbox(key="admin_trail_user").set_value(None)
    at.selectbox(key="admin_trail_action").set_value("import").run()
    assert list(_table(at, "detail")["target"]) == ["import #1"]


@pytest.mark.parametrize("who", ["vic", "ann", "bo"])
def test_another_role_reads_one_line_and_nothing_else(store, monkeypatch, who):
    point(monkeypatch, store)
    at = open_admin(store, who)
    role = PEOPLE[who]
    assert [i.value for i in at.info] == [f"Only an admin manages users, erasure and the retention policy; you are "
                                          f"signed in as {who} ({role})."]
    assert [(e.type, e.value) for e in at.main if e.type != "main"] == [("title", "Admin"), ("info", at.info[0].value)]
    assert not at.dataframe and not at.tabs and not at.get("download_button")


def test_downloads_hold_no_formula_cell(store):
    """The users list (CSV) and the trail (CSV, XLSX) carry the hostile name and reason, never as a formula."""
    with pytest.MonkeyPatch.context() as mp, recording(mp) as made:
        point(mp, store)
        at = open_admin(store, "root")
        files = {name: data for _, name, data in downloads(at, made[-1])}
    assert sorted(files) == ["audit_trail.csv", "audit_trail.xlsx", "users.csv"]
    assert {name: bad_cells(name, data) for name, data in files.items()} == dict.fromkeys(files, [])
    users = pd.read_csv(io.BytesIO(files["users.csv"]))
    assert "'" + HOSTILE in set(users["User"])  # there, as text
    trail = pd.read_csv(io.BytesIO(files["audit_trail.csv"]))
    assert list(trail.columns) == ["Who", "Role", "When (UTC)", "Action", "What", "Detail"]
    assert trail["Who"].iloc[1] == "'" + HOSTILE and REASON in trail["Detail"].iloc[1]
    book = openpyxl.load_workbook(io.BytesIO(files["audit_trail.xlsx"]))
    cells = [c for row in book["Audit trail"].iter_rows() for c in row]
    assert any(c.value == HOSTILE and c.data_type == "s" for c in cells)  # a text cell, which no spreadsheet runs
    assert not any(c.data_type == "f" for c in cells)


def test_the_page_is_in_plain_words(as_admin):
    assert pw.findings(pw.collect(as_admin)) == []


def test_the_one_line_is_in_plain_words(store, monkeypatch):
    point(monkeypatch, store)
    assert pw.findings(pw.collect(open_admin(store, "vic"))) == []
