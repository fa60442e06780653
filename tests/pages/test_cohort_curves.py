"""AppTest of the Cohort curves page (pages/cohort_curves.py) on the demo data."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.cohorts import cohort_table

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def page(demo_store, monkeypatch):
    url, _, _ = demo_store
    monkeypatch.setenv("RETENTION_DB_URL", url)
    monkeypatch.setenv("RETENTION_DEMO", "0")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("pages/cohort_curves.py").run()
    assert not at.exception, at.exception
    return at


def test_default_table_matches_core_and_charts_are_drawn(page, demo_store):
    _, cust, _ = demo_store
    at = page
    assert at.title[0].value == "Cohort curves"
    assert len(at.get("vega_lite_chart")) >= 4  # heat map, curves, tracked period, survival
    expected = cohort_table(cust)
    assert f"{len(cust):,} customers in {len(expected.sizes)} cohorts" in at.caption[0].value
    summary = at.dataframe[0].value
    assert summary["customers"].sum() == len(cust)


def test_changing_the_period_and_measure_changes_the_table(page, demo_store):
    _, cust, _ = demo_store
    at = page
    at.selectbox(key="cohorts_period").set_value("quarter").run()
    assert not at.exception, at.exception
    q = cohort_table(cust, period="quarter")
    assert f"in {len(q.sizes)} cohorts" in at.caption[0].value
    at.selectbox(key="cohorts_measure").set_value("net_revenue").run()
    assert not at.exception, at.exception
    at.selectbox(key="cohorts_km_group").set_value("segment").run()
    assert not at.exception, at.exception
    assert "Log-rank test across segments" in at.info[0].value
    assert set(at.dataframe[0].value["group"]) == {"SMB", "Mid-Market", "Enterprise"}


def test_activity_retention_needs_activity_and_works(page):
    at = page
    at.selectbox(key="cohorts_retained_by").set_value("activity").run()
    assert not at.exception, at.exception
    assert len(at.error) == 0
    at.radio(key="cohorts_definition").set_value("on_or_after").run()
    assert not at.exception, at.exception


def test_empty_store_explains(store_url):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/cohort_curves.py").run()
    assert not at.exception, at.exception
    assert "cohort" in at.error[0].value.lower() or "customer" in at.error[0].value.lower()
