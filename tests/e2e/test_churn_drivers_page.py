"""The Churn drivers page (pages/churn_drivers.py) in a real browser on the demo: training progress, figures,
charts in every tab, a customer's waterfall reached from a link, no exception."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import open_linked_customer, open_on_metric, shot, show_tab

SERVER_ENV = {"RETENTION_DEMO": "1"}


def test_churn_drivers_on_demo(page, streamlit_server):
    open_on_metric(page, f"{streamlit_server}/churn_drivers", "Churn drivers", "Held-out ROC-AUC",
                   re.compile(r"0\.\d{3}"))
    expect(page.get_by_text(re.compile("out of time: trained on 6 monthly cutoffs")).first).to_be_visible()
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts.first.locator("canvas, svg").first).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, "churn_drivers")

    page.get_by_role("tab", name="Risk tiers").click()
    expect(page.get_by_text(re.compile(r"Today's customers \(2026-10-31\)"))).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text="Precision")).to_contain_text(re.compile(r"\d\.\d%"))
    expect(page.get_by_test_id("stMetric").filter(has_text="Net value (held out)")).to_contain_text(
        re.compile(r"-?\$\d{1,3}(,\d{3})*"))
    page.wait_for_timeout(1000)
    shot(page, "churn_risk_tiers")

    page.get_by_role("tab", name="Validation").click()
    # a share as '45.3%' and a lift as '2.34x', as every surface writes them
    gains = re.compile(r"the riskiest 10 % hold \d+\.\d% of the churners \(lift \d+\.\d{2}x\)")
    expect(page.get_by_text(gains)).to_be_visible()
    page.wait_for_timeout(1000)
    shot(page, "churn_validation")

    # a link from any customer list opens this page on that customer
    open_linked_customer(page, f"{streamlit_server}/churn_drivers?customer=C01320", "Churn drivers")
    show_tab(page, "Customer", page.get_by_text(re.compile(r"C01320.*calibrated churn probability")),
             "churn_customer_waterfall")
