"""The sidebar's global filters (ui/frame/filters.py): each widget key is read into its own field of the core
Filters, and the sidebar the app draws returns what the reader picked there."""

import datetime as dt

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import core
from core.history.filters import Filters, filter_customers

CUSTOMERS = pd.DataFrame({
    "customer_id": [f"C{i}" for i in range(1, 9)],
    "signup_date": ["2024-01-15"] * 8,
    "segment": ["SMB", "SMB", "SMB", "SMB", "Mid", "Mid", "Mid", "Mid"],
    "plan": ["Basic", "Pro", "Basic", "Pro", "Basic", "Pro", "Basic", "Pro"],
    "region": ["EU", "EU", "US", "US", "EU", "EU", "US", "US"],
})


def _read_current():
    """App script: the Filters that ``current()`` reads from session state, kept for the test to look at."""
    import streamlit as st

    from ui.frame import filters

    st.session_state["seen"] = filters.current()


def _draw_sidebar():
    """App script: the sidebar as app.py draws it, and the Filters it returns."""
    import streamlit as st

    from ui.frame import filters

    st.session_state["seen"] = filters.show()


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A store with eight customers: every segment x plan x region once, so each choice picks different ones."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    eng = core.make_engine(url)
    core.commit_import(eng, core.prepare_import(eng, CUSTOMERS.to_csv(index=False).encode(), "c.csv", "customers"))
    eng.dispose()
    monkeypatch.setenv("RETENTION_DB_URL", url)
    monkeypatch.setenv("RETENTION_DEMO", "0")
    return url


def test_current_reads_each_widget_key_into_its_own_field():
    at = AppTest.from_function(_read_current)
    dates = (dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    at.session_state["filters_dates"] = dates
    at.session_state["filters_segment"] = ["SMB"]
    at.session_state["filters_plan"] = ["Pro", "Basic"]
    at.session_state["filters_region"] = ["EU"]
    at.run()
    assert not at.exception
    assert at.session_state["seen"] == Filters(start=dates[0], end=dates[1], segments=("SMB",),
                                               plans=("Pro", "Basic"), regions=("EU",))


def test_current_without_a_choice_means_everything():
    at = AppTest.from_function(_read_current).run()
    assert not at.exception
    assert at.session_state["seen"] == Filters()
    at.session_state["filters_dates"] = (dt.date(2024, 1, 1),)  # half-picked range: no dates yet
    at.run()
    assert at.session_state["seen"] == Filters()


def test_the_sidebar_returns_the_readers_plan_and_region(store):
    at = AppTest.from_function(_draw_sidebar, default_timeout=60).run()
    assert not at.exception, at.exception
    assert [m.label for m in at.sidebar.multiselect] == ["Segment", "Plan", "Region"]
    assert at.sidebar.multiselect(key="filters_plan").options == ["Basic", "Pro"]
    assert at.sidebar.multiselect(key="filters_region").options == ["EU", "US"]
    at.sidebar.multiselect(key="filters_plan").set_value(["Pro"])
    at.sidebar.multiselect(key="filters_region").set_value(["US"])
    at.run()
    assert not at.exception, at.exception
    seen = at.session_state["seen"]
    assert (seen.segments, seen.plans, seen.regions) == ((), ("Pro",), ("US",))
    assert seen.end == dt.date.today()
    # the customers the pages would show: the plan and the region chosen, checked by hand
    picked = filter_customers(CUSTOMERS, seen)["customer_id"].tolist()
    assert picked == CUSTOMERS.query("plan == 'Pro' and region == 'US'")["customer_id"].tolist() == ["C4", "C8"]


def _log_store(tmp_path, monkeypatch, days: list[str]) -> str:
    """A store holding one purchase on each of ``days`` (a purchase log), as the app's store."""
    url = f"sqlite:///{tmp_path / 'log.db'}"
    eng = core.make_engine(url)
    rows = "customer_id,date,amount\n" + "".join(f"C{i},{d},10\n" for i, d in enumerate(days))
    core.commit_import(eng, core.prepare_import(eng, rows.encode(), "log.csv", "transactions"))
    eng.dispose()
    monkeypatch.setenv("RETENTION_DB_URL", url)
    monkeypatch.setenv("RETENTION_DEMO", "0")
    return url


def test_a_log_from_long_ago_opens_on_its_own_days_and_can_reach_them(tmp_path, monkeypatch):
    _log_store(tmp_path, monkeypatch, ["1997-01-01", "1997-06-15", "1998-06-30"])
    at = AppTest.from_function(_draw_sidebar, default_timeout=60).run()
    assert not at.exception, at.exception
    widget = at.sidebar.date_input(key="filters_dates")
    assert widget.value == (dt.date(1997, 1, 1), dt.date(1998, 6, 30))
    assert (widget.min, widget.max) == (dt.date(1997, 1, 1), max(dt.date(1998, 6, 30), dt.date.today()))
    seen = at.session_state["seen"]
    assert (seen.start, seen.end) == (dt.date(1997, 1, 1), dt.date(1998, 6, 30))


def test_a_range_the_reader_chose_stays_and_an_untouched_one_follows_an_import(tmp_path, monkeypatch):
    url = _log_store(tmp_path, monkeypatch, ["1997-01-01", "1998-06-30"])
    at = AppTest.from_function(_draw_sidebar, default_timeout=60).run()
    at.sidebar.date_input(key="filters_dates").set_value((dt.date(1997, 3, 1), dt.date(1997, 9, 30))).run()
    assert at.session_state["seen"].end == dt.date(1997, 9, 30)
    at.sidebar.date_input(key="filters_dates").set_value((dt.date(1997, 3, 1),)).run()  # half-picked: kept
    assert at.session_state["filters_dates"] == (dt.date(1997, 3, 1),)
    at.sidebar.date_input(key="filters_dates").set_value((dt.date(1997, 3, 1), dt.date(1997, 9, 30))).run()
    eng = core.make_engine(url)  # more data: the chosen range stays
    core.commit_import(eng, core.prepare_import(eng, b"customer_id,date,amount\nD1,1999-12-31,5\n", "more.csv",
                                                "transactions"))
    at.run()
    assert at.session_state["seen"].end == dt.date(1997, 9, 30)

    fresh = AppTest.from_function(_draw_sidebar, default_timeout=60).run()  # untouched: follows the data
    core.commit_import(eng, core.prepare_import(eng, b"customer_id,date,amount\nD2,2000-06-30,5\n", "last.csv",
                                                "transactions"))
    eng.dispose()
    assert fresh.session_state["seen"].end == dt.date(1999, 12, 31)
    fresh.run()
    assert fresh.session_state["seen"].end == dt.date(2000, 6, 30)
