"""The Health scores page (pages/health_scores.py) in a real browser on the demo: portfolio, alerts, a customer's
contributions reached from a link, the back-test and the suggested weights, no exception."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import shot, wait_for_app_idle

SERVER_ENV = {"RETENTION_DEMO": "1"}


def test_health_scores_on_demo(page, streamlit_server):
    page.goto(f"{streamlit_server}/health_scores")
    expect(page.get_by_role("heading", name="Health scores")).to_be_visible(timeout=120_000)
    metric = page.get_by_test_id("stMetric").filter(has=page.get_by_text("Customers scored", exact=True))
    expect(metric).to_contain_text(re.compile(r"\d,\d{3}"), timeout=120_000)
    wait_for_app_idle(page, timeout=60_000)
    expect(page.get_by_text(re.compile(r"Moved up a band: \d+"))).to_be_visible()
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts.first.locator("canvas, svg").first).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, "health_portfolio")

    page.get_by_role("tab", name="Alerts").click()
    expect(page.get_by_text(re.compile(r"renewal within 90 days\*?\*?: [\d,]+")).first).to_be_visible()
    expect(page.get_by_role("button", name="Download the action list (XLSX)")).to_be_visible()
    page.wait_for_timeout(1000)
    shot(page, "health_alerts")

    page.get_by_role("tab", name="Back-test").click()
    auc = page.get_by_test_id("stMetric").filter(has_text="Back-test ROC-AUC")
    expect(auc).to_contain_text(re.compile(r"0\.\d{3}"))
    page.wait_for_timeout(1500)
    shot(page, "health_backtest")

    page.get_by_role("tab", name="Suggested weights").click()
    expect(page.get_by_text(re.compile(r"Suggested weights.*ROC-AUC 0\.\d{3}")).first).to_be_visible(timeout=60_000)
    page.wait_for_timeout(1500)
    shot(page, "health_suggested_weights")

    # a link from another page's customer list opens this page on that customer
    page.goto(f"{streamlit_server}/health_scores?customer=C01320")
    expect(page.get_by_role("heading", name="Health scores")).to_be_visible(timeout=60_000)
    wait_for_app_idle(page, timeout=60_000)
    page.get_by_role("tab", name="Customer").click()
    expect(page.get_by_text(re.compile(r"C01320 \(.*stage\): health \d+"))).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1500)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, "health_customer")
