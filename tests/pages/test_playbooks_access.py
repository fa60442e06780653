"""The Playbooks page (pages/playbooks.py) on a store with accounts (a copy of the small demo, 1,000 customers, with
an admin, an analyst and a viewer; the example playbook saved and one run recorded by the admin): a viewer reads the
playbook and the counts but may not edit it or bring in a contact log, and sees no per-customer list (the queue, its
files, the customers the calendar holds); an analyst may edit the playbook and bring in a contact log, but sees no
list until an admin allows the analyst role risk lists; the admin sees everything. Each refusal says which role to
ask for."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

import core
from core.access import users as accounts
from core.access.guard import Actor
from core.cli.main import main as cli
from core.plays.example import EXAMPLE
from tests.conftest import ROOT, copy_store
from tests.pages.admin_store import point
from ui.frame import signin

PASSWORD = "correct horse battery"
PEOPLE = {"root": "admin", "ann": "analyst", "vic": "viewer"}
NO_EDIT = ("Your role ({role}) may not change a saved configuration (the health score, a playbook, the lapse period): "
           "ask an admin for the analyst role.")
NO_RECORD = ("Your role ({role}) may not load data (import a file, record a playbook run or a contact log): ask an "
             "admin for the analyst role.")
WITHHELD = ("Per-customer risk lists are shown to admins and the roles an admin allows; you are signed in as {who} "
            "({role}).")
QUEUE_FILES = ("Download the queue (CSV)", "Download the queue (XLSX)", "Tasks per owner (XLSX, a sheet each)")


@pytest.fixture(scope="module")
def store(small_demo_store, tmp_path_factory):
    folder = tmp_path_factory.mktemp("playbooks_access")
    url = f"sqlite:///{copy_store(small_demo_store, folder)}"
    engine = core.make_engine(url)
    for name, role in PEOPLE.items():  # the admin first: a store's first user must be one
        accounts.add(engine, name, role, PASSWORD)
    engine.dispose()
    rules = folder / "book.json"
    rules.write_text(json.dumps(EXAMPLE))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RETENTION_USER", "root")
        assert cli(["--db", url, "plays", "save", "--rules", str(rules), "--author", "root", "--reason", "first"]) == 0
        assert cli(["--db", url, "plays", "run"]) == 0  # the latest saved version, recorded
    return url


def _open(url: str, who: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.session_state[signin.ACTOR] = Actor(who, PEOPLE[who])
    at.switch_page("pages/playbooks.py").run()
    assert not at.exception, at.exception
    return at


def _tab(at, name: str):
    return next(t for t in at.tabs if t.label == name)


def _texts(block, kind: str) -> list[str]:
    return [e.value for e in block.get(kind)]


def _customer_tables(block) -> list:
    return [d for d in block.dataframe if "Customer" in d.value.columns]


def test_a_viewer_reads_the_playbook_and_the_counts_but_no_list_and_changes_nothing(store, monkeypatch):
    at = _open(point(monkeypatch, store), "vic")
    rules, run, queue, calendar = (_tab(at, n) for n in ("Rules", "Run", "Queue", "Calendar"))
    assert NO_EDIT.format(role="viewer") in _texts(rules, "caption")
    assert not rules.text_area and _texts(rules, "code")  # the JSON read-only, no editor
    assert not [b for b in run.button if b.label == "Record this run and show its list"]
    assert NO_RECORD.format(role="viewer") in _texts(queue, "caption")  # no contact log to bring in
    assert not queue.get("file_uploader")
    assert {m.label for m in queue.metric} >= {"Actions queued", "To reach"}  # the counts stay
    assert WITHHELD.format(who="vic", role="viewer") in _texts(queue, "info")
    assert not _customer_tables(queue) and not _customer_tables(calendar)
    assert "**Customers the calendar holds**" not in _texts(calendar, "markdown")
    assert not set(QUEUE_FILES) & {b.label for b in at.get("download_button")}


def test_an_analyst_may_edit_and_record_but_sees_a_list_only_when_an_admin_allows_it(store, monkeypatch):
    at = _open(point(monkeypatch, store), "ann")
    assert _tab(at, "Rules").text_area  # the editor
    queue = _tab(at, "Queue")
    assert queue.get("file_uploader") and NO_RECORD.format(role="analyst") not in _texts(queue, "caption")
    assert WITHHELD.format(who="ann", role="analyst") in _texts(queue, "info") and not _customer_tables(queue)
    monkeypatch.setenv("RETENTION_USER", "root")  # the admin allows the analyst role, as the Admin page or CLI does
    assert cli(["--db", store, "users", "risk-lists", "analyst"]) == 0
    try:
        at = _open(store, "ann")
        queue = _tab(at, "Queue")
        assert _customer_tables(queue) and not _texts(queue, "info")
        assert set(QUEUE_FILES) <= {b.label for b in at.get("download_button")}
    finally:
        assert cli(["--db", store, "users", "risk-lists", "none"]) == 0  # none again, for the module's other tests


def test_the_admin_sees_the_queue_and_its_files(store, monkeypatch):
    at = _open(point(monkeypatch, store), "root")
    queue = _tab(at, "Queue")
    table = _customer_tables(queue)[0].value
    queued = int(next(m.value for m in queue.metric if m.label == "Actions queued").replace(",", ""))
    assert (table["Status"] == "queued").sum() == queued
    assert set(QUEUE_FILES) <= {b.label for b in at.get("download_button")}
