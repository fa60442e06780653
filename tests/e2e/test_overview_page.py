"""The Overview page (pages/overview.py) in a real browser: figures, sparklines, a sidebar filter that
narrows them and stays chosen across a page change."""

import re

from playwright.sync_api import expect

import core
from tests.e2e.conftest import shot, wait_for_app_idle
from tests.pages.test_overview import CUSTOMERS, REVENUE


def metric(page, label):
    return page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True))


def test_overview_figures_filter_and_persistence(page, streamlit_server, store_url):
    eng = core.make_engine(store_url)
    for data, name, kind in ((CUSTOMERS, "c.csv", "customers"), (REVENUE, "r.csv", "revenue")):
        core.commit_import(eng, core.prepare_import(eng, data, name, kind))
    eng.dispose()

    page.goto(streamlit_server)
    wait_for_app_idle(page)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(metric(page, "Customers")).to_contain_text("5")
    expect(metric(page, "NRR")).to_contain_text("57.8%")
    expect(metric(page, "GRR")).to_contain_text("46.7%")
    expect(metric(page, "MRR")).to_contain_text("$1,259")
    expect(metric(page, "NRR").locator("svg, canvas").first).to_be_visible()  # the sparkline is drawn
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, "overview_all")

    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_test_id("stMultiSelect").filter(has_text="Segment").click()
    page.get_by_role("option", name="Enterprise").click()
    page.keyboard.press("Escape")
    wait_for_app_idle(page)
    expect(metric(page, "Customers")).to_contain_text("2")
    expect(metric(page, "NRR")).to_contain_text("73.3%")

    sidebar.get_by_test_id("stSidebarNav").get_by_role("link", name=re.compile("Data")).click()
    wait_for_app_idle(page)
    expect(page.get_by_role("heading", name="Data")).to_be_visible()
    sidebar.get_by_test_id("stSidebarNav").get_by_role("link", name=re.compile("Overview")).click()
    wait_for_app_idle(page)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(sidebar.get_by_test_id("stMultiSelect").filter(has_text="Segment")).to_contain_text("Enterprise")
    expect(metric(page, "Customers")).to_contain_text("2")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, "overview_enterprise")
