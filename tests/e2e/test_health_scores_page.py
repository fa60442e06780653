"""The Health scores page (pages/health_scores.py) in a real browser on the demo: portfolio, alerts, a customer's
contributions reached from a link, the back-test and the suggested weights, no exception."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import open_linked_customer, open_on_metric, shot, show_tab

SERVER_ENV = {"RETENTION_DEMO": "1"}


def test_health_scores_on_demo(page, streamlit_server):
    open_on_metric(page, f"{streamlit_server}/health_scores", "Health scores", "Customers scored",
                   re.compile(r"\d,\d{3}"))
    expect(page.get_by_text(re.compile(r"Moved up a band: \d+"))).to_be_visible()
    # a band's share as '12.3%' with its change in points ('+1.0 pts'), money as '$1,235'
    green = page.get_by_test_id("stMetric").filter(has=page.get_by_text("Green", exact=True))
    expect(green).to_contain_text(re.compile(r"\d\.\d%"))
    expect(green).to_contain_text(re.compile(r"[+-]\d+\.\d pts"))
    red_mrr = page.get_by_test_id("stMetric").filter(has=page.get_by_text("MRR in red", exact=True))
    expect(red_mrr).to_contain_text(re.compile(r"\$\d{1,3}(,\d{3})*"))
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts.first.locator("canvas, svg").first).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, "health_portfolio")

    show_tab(page, "Alerts", page.get_by_role("button", name="Download the action list (XLSX)"), "health_alerts")
    expect(page.get_by_text(re.compile(r"renewal within 90 days\*?\*?: [\d,]+")).first).to_be_visible()

    auc = page.get_by_test_id("stMetric").filter(has_text="Back-test ROC-AUC")
    show_tab(page, "Back-test", auc, "health_backtest")
    expect(auc).to_contain_text(re.compile(r"0\.\d{3}"))
    ratio = page.get_by_test_id("stMetric").filter(has_text="Red churns")
    expect(ratio).to_contain_text(re.compile(r"\d+\.\d{2}x"))

    text = page.get_by_text(re.compile(r"Suggested weights.*ROC-AUC 0\.\d{3}")).first
    show_tab(page, "Suggested weights", text, "health_suggested_weights")

    # a link from another page's customer list opens this page on that customer
    open_linked_customer(page, f"{streamlit_server}/health_scores?customer=C01320", "Health scores")
    show_tab(page, "Customer", page.get_by_text(re.compile(r"C01320 \(.*stage\): health \d+")), "health_customer")
