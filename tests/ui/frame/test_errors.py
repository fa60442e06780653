"""Store faults on the pages (ui/frame/errors.py, ui/frame/page.py): a plain message, never an exception.

The app (AppTest on app.py) opens a zeroed, truncated or read-only store, and the Data page imports into a store
whose disk fills up or that another connection is writing; each shows one plain message and leaves the store as
it was. Every fault is real (tests/fixtures/store_faults.py).
"""

import re
import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.fixtures import store_faults as sf

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def store(tmp_path):
    """A store file holding 20 customers."""
    return sf.seeded_store(tmp_path / "store.db")


def _app(monkeypatch, url: str, page: str | None = None, **env: str) -> AppTest:
    monkeypatch.setenv("RETENTION_DB_URL", url)
    monkeypatch.setenv("RETENTION_DEMO", "0")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    if page:
        at.switch_page(f"pages/{page}.py").run()
    return at


def _plain_message(at: AppTest) -> str:
    """The one message the run shows (no exception, one error element), with its Markdown escapes removed: the
    message quotes paths and names, so the page escapes it (core.export.markdown.plain) and a reader sees it as
    written."""
    assert not at.exception, at.exception
    assert len(at.error) == 1, [e.value for e in at.error]
    return re.sub(r"\\([\\`*_\[\]<>!|~$])", r"\1", at.error[0].value)


@pytest.mark.parametrize("damage, words", [(sf.zero, "is not a database"), (sf.truncate, "is damaged")])
@pytest.mark.parametrize("page", [None, "data", "cohort_curves"])
def test_a_damaged_store_file_is_a_plain_message_on_every_page(store, monkeypatch, damage, words, page):
    damage(store)
    before = sf.sha256(store)
    text = _plain_message(_app(monkeypatch, f"sqlite:///{store}", page))
    assert text.startswith(f"The store file {store} {words}") and "restore a backup" in text
    assert sf.sha256(store) == before


def test_a_read_only_store_is_a_plain_message(store, monkeypatch, tmp_path):
    before = sf.counts(store)
    with sf.read_only(store) as url:
        at = _app(monkeypatch, url, "data")
        assert not at.exception, at.exception
        if at.error:  # SQLite could not even open it for reading (no -shm file it may create)
            assert f"The store file {store} is read-only" in _plain_message(at)
        else:  # it reads; the import is what fails
            _import(at, sf.activity_csv(500, seed=1))
            assert f"The store file {store} is read-only" in _plain_message(at)
    assert sf.counts(store) == before


def _import(at: AppTest, data: bytes, name: str = "activity.csv") -> AppTest:
    """Upload ``data`` as an activity file on the Data page and press Import."""
    at.file_uploader[0].upload(name, data, "text/csv").run()
    at.selectbox(key="data_kind").set_value("activity").run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    at.button(key="data_import").click().run()
    return at


def test_an_import_that_fills_the_disk_is_a_plain_message_and_loads_nothing(tmp_path, monkeypatch):
    data = sf.activity_csv(60_000, seed=2)
    if sf.can_mount():
        with sf.small_disk(tmp_path / "disk", 1024) as disk:
            store = sf.seeded_store(disk / "store.db")
            before = sf.counts(store)
            at = _import(_app(monkeypatch, f"sqlite:///{store}", "data"), data)
            after = sf.counts(store)
    else:
        store = sf.seeded_store(tmp_path / "store.db")
        before = sf.counts(store)
        with sf.capped_pages():
            at = _import(_app(monkeypatch, f"sqlite:///{store}", "data"), data)
        after = sf.counts(store)
    assert _plain_message(at).startswith("The disk holding the store is full: free some space and try again")
    assert after == before


def test_an_import_while_another_writes_waits_then_says_the_store_is_busy(store, monkeypatch):
    before = sf.counts(store)
    at = _app(monkeypatch, f"sqlite:///{store}", "data", RETENTION_BUSY_TIMEOUT="1")
    with sf.write_lock(store):
        _import(at, sf.activity_csv(500, seed=3))
    assert _plain_message(at).startswith("The store is busy with another import or undo (waited 1 s)")
    assert sf.counts(store) == before


def _show_script():
    import sqlite3

    import streamlit as st

    from ui.frame import errors

    try:
        raise sqlite3.OperationalError("database or disk is full")
    except sqlite3.OperationalError as exc:
        errors.show(exc)
    try:
        errors.show(KeyError("a bug"))
    except KeyError:
        st.write("the bug was raised again")


def test_show_puts_a_driver_fault_in_plain_words_and_raises_anything_else(monkeypatch, tmp_path):
    monkeypatch.setenv("RETENTION_DB_URL", f"sqlite:///{tmp_path / 'store.db'}")
    at = AppTest.from_function(_show_script, default_timeout=60).run()
    assert _plain_message(at).startswith("The disk holding the store is full")
    assert [m.value for m in at.markdown] == ["the bug was raised again"]
    assert sqlite3  # the script imports its own copy
