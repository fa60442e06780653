"""AppTest of the Data page (pages/data.py) against a temporary store."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

import core
from tests.core.query.test_provenance import WAREHOUSE_ROW

ROOT = Path(__file__).resolve().parents[2]
TELCO = ROOT.parent / "shared/data/telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv"


def _run():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("pages/data.py").run()  # the first run opens the page (tests/pages/conftest.open_page)
    assert not at.exception, at.exception
    return at


def test_empty_store_shows_what_to_do(store_url):
    at = _run()
    assert at.title[0].value == "Data"
    assert [m.value for m in at.metric] == ["0"] * 6
    assert "The store is empty" in at.info[0].value
    assert [list(d.value.columns) for d in at.dataframe] == [["Figures", "Come from"]]  # only where figures come from


def test_where_the_figures_come_from_names_the_store_and_a_warehouse(store_url, monkeypatch):
    monkeypatch.setenv("RETENTION_WAREHOUSE_URL", "postgres://analyst:s3cret@warehouse.internal:5432/analytics")
    monkeypatch.setenv("RETENTION_WAREHOUSE_MAP", "warehouse.toml")
    at = _run()
    assert "Where the figures come from" in [e.label for e in at.expander]
    table = next(d.value for d in at.dataframe if "Come from" in d.value.columns).set_index("Figures")["Come from"]
    path = store_url.removeprefix("sqlite:///")
    assert table["Every other page's figures"] == f"the SQLite store {path}"
    assert table["Cohort tables, churn and health features over activity"].startswith(
        f"the SQLite store {path}, through its activity column files ({path}.columns)")
    assert table[WAREHOUSE_ROW] == (
        "the warehouse at postgres://analyst@warehouse.internal:5432/analytics, through warehouse.toml (read only)")
    assert "s3cret" not in " ".join(table)


def test_counts_and_history_after_an_import(store_url):
    engine = core.make_engine(store_url)
    plan = core.prepare_import(engine, TELCO.read_bytes(), TELCO.name, "customers", as_of="2024-01-31")
    core.commit_import(engine, plan)
    engine.dispose()
    at = _run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Customers"] == "7,043"
    assert metrics["Tickets"] == "0"
    history = next(d.value for d in at.dataframe if "file_name" in d.value.columns)
    assert list(history["file_name"]) == [TELCO.name]
    assert int(history["rows_loaded"].iloc[0]) == 7043
    assert len(at.info) == 0
