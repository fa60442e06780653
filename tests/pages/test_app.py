"""The frame (app.py): first start loads the demo, the glossary is there, Data can reset to demo."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import core
from core.metrics import GLOSSARY

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fresh_store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("RETENTION_DB_URL", url)
    monkeypatch.delenv("RETENTION_DEMO", raising=False)
    return url


def test_first_start_loads_the_demo_then_reset_replaces_imports(fresh_store, shared):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Overview"
    figures = {m.label: m.value for m in at.metric}
    assert figures["Customers"] == "5,000"
    eng = core.make_engine(fresh_store)
    counts = core.table_counts(eng)
    assert counts["customer"] == 5000 and counts["importlog"] == 1 and counts["activity"] > 500_000
    # the glossary popover is in the sidebar with every metric's definition
    glossary = " ".join(m.value for m in at.sidebar.markdown)
    assert all(name in glossary for name in GLOSSARY)

    # an analyst's import, then "Reset to demo data" on the Data page puts the demo back
    telco = shared / "telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv"
    core.commit_import(eng, core.prepare_import(eng, telco.read_bytes(), telco.name, "customers",
                                                as_of="2024-01-31"))
    assert core.table_counts(eng)["customer"] == 12_043
    at.switch_page("pages/data.py").run()
    assert {m.label: m.value for m in at.metric}["Customers"] == "12,043"
    at.button(key="data_reset_demo").click().run()
    assert not at.exception, at.exception
    after = core.table_counts(eng)
    assert after["customer"] == 5000 and after["revenue"] == counts["revenue"]
    assert after["importlog"] == 3  # history kept: demo, telco, demo again
    assert {m.label: m.value for m in at.metric}["Customers"] == "5,000"
