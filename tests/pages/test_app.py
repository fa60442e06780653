"""The frame (app.py): first start loads the demo, the glossary is there, Data can reset to demo."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import core
from core.demo import staged
from core.metrics import GLOSSARY
from ui.frame import bootstrap

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fresh_store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("RETENTION_DB_URL", url)
    monkeypatch.delenv("RETENTION_DEMO", raising=False)
    return url


def _texts(at) -> str:
    return " ".join(str(e.value) for kind in ("info", "error", "markdown", "caption") for e in getattr(at, kind))


def _another_page():
    from types import SimpleNamespace

    import streamlit as st

    from ui.frame import bootstrap

    bootstrap.ensure_store(SimpleNamespace(title="Another page"))
    st.title("Another page")


def test_the_demo_a_first_start_loads_is_the_whole_5000_customer_business():
    # what the browser's first start shows (tests/e2e/test_first_start.py); the test below loads a smaller one
    assert (bootstrap.DEMO_CUSTOMERS, bootstrap.DEMO_SEED) == (5000, 0)


def test_first_start_loads_the_demo_then_reset_replaces_imports(fresh_store, shared, monkeypatch):
    # the rest of the demo waits for the test (a browser's first tick after the page is drawn starts it)
    monkeypatch.setattr(bootstrap, "WAIT_FOR_PAGE", 3600.0)
    # the same steps on a smaller demo (500 customers): the whole 5,000 takes a minute twice over here, and the
    # browser's first start (tests/e2e/test_first_start.py) loads the whole one
    monkeypatch.setattr(bootstrap, "DEMO_CUSTOMERS", 500)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Overview"
    figures = {m.label: m.value for m in at.metric}
    assert figures["Customers"] == "500"
    # the glossary popover is in the sidebar with every metric's definition
    glossary = " ".join(m.value for m in at.sidebar.markdown)
    assert all(name in glossary for name in GLOSSARY)
    eng = core.make_engine(fresh_store)
    first = core.table_counts(eng)
    assert first["customer"] == 500 and first["revenue"] > 0 and first["activity"] == first["ticket"] == 0
    # the usage data is still loading: the Overview says so where a figure needs it, other pages wait for it
    assert "The demo's usage data is still loading: the MRR in red shows once it is in." in _texts(at)
    assert len(at.get("progress")) == 1
    assert at.get("progress")[0].proto.text == "Loading the demo's usage data: starting ..."  # said once
    other = AppTest.from_function(_another_page, default_timeout=120).run()  # AppTest's switch_page skips app.py
    assert not other.exception, other.exception
    assert "is still loading, so this page waits for it" in _texts(other)
    assert not other.title  # nothing of the page (its figures would come from a part of the demo)
    bg = bootstrap.wait(fresh_store, timeout=600)
    assert bg is not None and not bg.running and bg.error is None
    assert [t.value for t in other.run().title] == ["Another page"] and "still loading" not in _texts(other)
    at.run()  # AppTest runs the page alone now (not app.py's frame)
    assert not at.exception, at.exception
    assert "still loading" not in _texts(at) and not at.get("progress")
    # every figure of the first Overview was the whole demo's; MRR in red, which waited, is there now
    after = {m.label: m.value for m in at.metric}
    assert figures["MRR in red"] == "–" and after["MRR in red"].startswith("$")
    assert {k: v for k, v in after.items() if k != "MRR in red"} == {k: v for k, v in figures.items()
                                                                     if k != "MRR in red"}
    counts = core.table_counts(eng)
    assert counts["customer"] == 500 and counts["importlog"] == 1 and counts["activity"] > 50_000

    # an analyst's import, then "Reset to demo data" on the Data page puts the demo back
    telco = shared / "telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv"
    core.commit_import(eng, core.prepare_import(eng, telco.read_bytes(), telco.name, "customers",
                                                as_of="2024-01-31"))
    assert core.table_counts(eng)["customer"] == 7043 + 500
    at.switch_page("pages/data.py").run()
    assert {m.label: m.value for m in at.metric}["Customers"] == "7,543"
    at.button(key="data_reset_demo").click().run()
    assert not at.exception, at.exception
    after = core.table_counts(eng)
    assert after["customer"] == 500 and after["revenue"] == counts["revenue"]
    assert after["importlog"] == 3  # history kept: demo, telco, demo again
    assert {m.label: m.value for m in at.metric}["Customers"] == "500"


def test_a_first_start_whose_usage_data_fails_says_so_and_leaves_the_store_empty(fresh_store, monkeypatch):
    monkeypatch.setattr(bootstrap, "DEMO_CUSTOMERS", 80)
    monkeypatch.setattr(bootstrap, "WAIT_FOR_PAGE", 3600.0)
    real = staged.for_store

    def broken(df):
        if "metric" in df:  # the activity frame
            raise OSError("disk full")
        return real(df)

    monkeypatch.setattr(staged, "for_store", broken)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["Customers"] == "80"
    bg = bootstrap.wait(fresh_store, timeout=600)
    assert bg is not None and bg.error and "disk full" in bg.error
    counts = core.table_counts(core.make_engine(fresh_store))
    assert all(counts[t] == 0 for t in ("customer", "revenue", "activity", "importlog"))
    other = AppTest.from_function(_another_page, default_timeout=120).run()
    assert not other.exception, other.exception
    assert [e.value for e in other.error] == [
        "The demo's usage data could not be loaded (OSError: disk full). The store is as it was before the first "
        "start. Load the demo on the Data page to try again."]
    assert [t.value for t in other.title] == ["Another page"]  # its empty state, not a wait for ever
