"""AppTest of the Cohort curves page (pages/cohort_curves.py) on the demo data."""

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.cohorts.table import cohort_table
from tests.pages.conftest import open_page

ROOT = Path(__file__).resolve().parents[2]


def _frame(at, column):
    return next(d.value for d in at.dataframe if column in d.value.columns)


@pytest.fixture
def page(demo_store, monkeypatch):
    return open_page(monkeypatch, demo_store[0], "cohort_curves", timeout=120)


def test_default_table_matches_core_and_charts_are_drawn(page, demo_store):
    _, cust, _ = demo_store
    at = page
    assert at.title[0].value == "Cohort curves"
    assert len(at.get("vega_lite_chart")) >= 4  # heat map, curves, tracked period, survival
    expected = cohort_table(cust)
    assert f"{len(cust):,} customers in {len(expected.sizes)} cohorts" in at.caption[0].value
    summary = _frame(at, "median_text")
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
    assert at.info[0].value.startswith("Customers of different segments stay")
    assert set(_frame(at, "median_text")["group"]) == {"SMB", "Mid-Market", "Enterprise"}


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


def test_drill_breakdown_signups_and_value_metrics(page, demo_store):
    from core import metrics
    from core.cohorts.table import cell_customers

    _, cust, rev = demo_store
    at = page
    # the drill-down defaults to the latest cohort's last complete period; its count matches the table
    cohort = at.selectbox(key="cohorts_cell_cohort").value
    k = at.selectbox(key="cohorts_cell_period").value
    people = _frame(at, "retained")
    expected = cell_customers(cust, cohort=cohort, k=k)
    assert len(people) == len(expected) and people["retained"].sum() == expected["retained"].sum()
    at.selectbox(key="cohorts_cell_cohort").set_value("2024-01").run()
    at.selectbox(key="cohorts_cell_period").set_value(12).run()
    t = cohort_table(cust)
    assert _frame(at, "retained")["retained"].sum() == t.counts.loc["2024-01", 12]

    charts_before = len(at.get("vega_lite_chart"))
    at.selectbox(key="cohorts_group").set_value("segment").run()
    assert not at.exception, at.exception
    assert len(at.get("vega_lite_chart")) == charts_before + 1

    lt = metrics.lifetime_value(cust, rev)
    shown = {m.label: m.value for m in at.metric}
    assert shown["LTV"] == f"${lt.ltv:,.0f}"
    assert any("LTV = ARPA / mean monthly churn" in c.value for c in at.caption)

    at.select_slider(key="cohorts_signups").set_value(("2025-01", "2025-12")).run()
    assert not at.exception, at.exception
    in_2025 = pd.to_datetime(cust["signup_date"]).dt.year.eq(2025).sum()
    assert f"{in_2025:,} customers in 12 cohorts" in at.caption[0].value


def test_the_xlsx_download_holds_the_table_its_settings_and_the_definitions():
    import io

    from openpyxl import load_workbook

    from core.cohorts import table as core_cohorts
    from core.metrics import GLOSSARY
    from ui.cohorts import cached as ui_cohorts

    customers = pd.DataFrame({"customer_id": ["a", "b", "c"], "signup_date": pd.to_datetime(
        ["2024-01-05", "2024-01-20", "2024-02-03"]), "churn_date": pd.to_datetime([None, "2024-03-10", None])})
    t = core_cohorts.cohort_table(customers, as_of="2024-06-30")
    wb = load_workbook(io.BytesIO(ui_cohorts.xlsx(t)))
    assert wb.sheetnames == ["cohorts", "settings", "Definitions"]
    rows = list(wb["Definitions"].iter_rows(values_only=True))
    assert rows[0] == ("metric", "definition") and rows[1:] == list(GLOSSARY.items())
    sizes = [r[1] for r in wb["cohorts"].iter_rows(min_row=2, values_only=True)][:-1]
    assert sizes == t.sizes.tolist()
