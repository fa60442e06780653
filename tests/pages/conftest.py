"""Fixtures for the AppTest page tests."""

import pytest


@pytest.fixture
def store_url(tmp_path, monkeypatch):
    """An empty file-backed store that the app reads, with the demo turned off (empty states show)."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("RETENTION_DB_URL", url)
    monkeypatch.setenv("RETENTION_DEMO", "0")  # open on the empty store, not the demo
    return url


def open_page(monkeypatch, url: str, page: str, timeout: int = 180):
    """AppTest of the app on the store at ``url`` (demo off), switched to ``pages/<page>.py``, without error."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("RETENTION_DB_URL", url)
    monkeypatch.setenv("RETENTION_DEMO", "0")
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "app.py"), default_timeout=timeout)
    return _first_runs(at, page)


def _first_runs(at, page: str):
    """``at`` switched to ``pages/<page>.py`` before its first run, which then runs app.py with this page rather
    than with the default page (the Overview) first (st.navigation registers each page under its file's name, the
    name AppTest goes by before a run); then run once more, without error. AppTest reruns only the page, so the
    sidebar's widgets are not drawn again: their keys still hold in that second run (the page's cached figures are
    reused) and are dropped after it, the state the tests expect after opening a page."""
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    at.run()
    assert not at.exception, at.exception
    return at


def data_page(timeout: int = 60):
    """AppTest of the app switched to the Data page, without error, on the store the environment names (use with
    the ``store_url`` fixture)."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "app.py"), default_timeout=timeout)
    return _first_runs(at, "data")


def private_copy(demo_url: str, folder) -> str:
    """URL of a copy of the store at ``demo_url`` (its file and its activity column folder) in ``folder``:
    for test modules that save into the store (configuration versions, codebook changes, statuses)."""
    from tests.conftest import copy_store

    return f"sqlite:///{copy_store(demo_url.split('///', 1)[1], folder)}"


def default_window():
    """The sidebar's default date range (ui/filters.py): the same day three years ago to today."""
    import datetime as dt

    today = dt.date.today()
    try:
        return today.replace(year=today.year - 3), today
    except ValueError:  # 29 February: three years back has no such day
        return today.replace(year=today.year - 3, day=28), today


def rerun(at, segments=(), dates=None):
    """Rerun with the sidebar on ``dates`` (default: its default range) and ``segments``, without error.

    AppTest reruns only the page under st.navigation, not app.py, so the sidebar's widgets are not drawn
    again and their keys would be dropped; every rerun sets them the way the sidebar's widgets hold them."""
    at.session_state["filters_dates"] = dates or default_window()
    at.session_state["filters_segment"] = list(segments)
    at.run()
    assert not at.exception, at.exception
    return at
