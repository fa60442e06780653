"""The Cohort curves page (pages/cohort_curves.py) in a real browser with a company's warehouse set (a DuckDB file in
the company's own shape, tests/company_warehouse.py) and a store holding nothing: the page names the warehouse, draws
the warehouse's cohorts and survival, and a segment picked keeps its customers; no exception."""

import re

import pytest
from playwright.sync_api import expect

from core.query import warehouse
from tests.company_warehouse import MAPPING, demo_business
from tests.e2e.conftest import serving, shot, wait_for_app_idle


@pytest.fixture(scope="module")
def warehouse_server(tmp_path_factory):
    """(the app's address, with the warehouse set and an empty store; the business's customers)."""
    folder = tmp_path_factory.mktemp("cohorts_warehouse_e2e")
    b = demo_business(folder, 200, 7)
    (folder / "warehouse.toml").write_text(MAPPING, encoding="utf-8")
    env = {warehouse.URL_ENV: b.url, warehouse.MAP_ENV: str(folder / "warehouse.toml")}
    with serving(b.empty_store, folder / "streamlit.log", env) as address:
        yield address, b.customers


def test_the_page_draws_the_warehouse_s_cohorts_and_survival(page, warehouse_server):
    address, customers = warehouse_server
    page.goto(f"{address}/cohort_curves")
    expect(page.get_by_role("heading", name="Cohort curves")).to_be_visible(timeout=90_000)
    wait_for_app_idle(page, timeout=90_000)
    expect(page.get_by_text("Figures from the warehouse (duckdb), through warehouse.toml, read only")).to_be_visible()
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts).to_have_count(4, timeout=30_000)  # heat map, curves, one period tracked, survival
    for i in range(4):
        expect(charts.nth(i).locator("canvas, svg").first).to_be_visible()
    expect(page.get_by_text(re.compile(r"^200 customers in \d+ cohorts"))).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    page.wait_for_timeout(800)
    shot(page, "cohort_curves_warehouse")

    segments = page.get_by_test_id("stMultiSelect").filter(has_text="Segments")
    segments.locator("input").click()
    page.get_by_role("option", name="SMB", exact=True).click()
    page.keyboard.press("Escape")
    wait_for_app_idle(page)
    smb = int((customers["segment"] == "SMB").sum())
    expect(page.get_by_text(re.compile(rf"^{smb} customers in \d+ cohorts"))).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    page.wait_for_timeout(800)
    shot(page, "cohort_curves_warehouse_smb")
