"""First start in a real browser: an empty store fills with the demo business (app.py, pages/overview.py,
pages/data.py): the Overview first, its usage data in the background, charts are drawn, the glossary opens, and
nothing shows an exception."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import PRODUCT_ENGINE, shot, wait_for_app_idle

#: a user's first start: the demo, on the product's default engine (embedded DuckDB)
SERVER_ENV = {"RETENTION_DEMO": "1", **PRODUCT_ENGINE}


def test_first_start_shows_the_demo_overview(page, streamlit_server):
    page.goto(streamlit_server)
    metric = page.get_by_test_id("stMetric").filter(has=page.get_by_text("Customers", exact=True))
    # the demo is generated first (about 17 s alone; the suite runs on every CPU at once, so allow for a busy machine)
    expect(metric).to_contain_text("5,000", timeout=240_000)
    wait_for_app_idle(page, timeout=120_000)
    for label in ("Active customers", "Logo churn rate", "MRR", "NRR", "GRR"):
        card = page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True))
        expect(card).to_contain_text(re.compile(r"\d"))
        expect(card.locator("svg, canvas").first).to_be_visible()  # its sparkline
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, "first_start_overview")
    # the demo's usage data loads in the background; the progress goes once it is in and the page draws again
    expect(page.get_by_text(re.compile("Loading the demo's usage data"))).to_have_count(0, timeout=300_000)
    wait_for_app_idle(page, timeout=120_000)
    red = page.get_by_test_id("stMetric").filter(has=page.get_by_text("MRR in red", exact=True))
    expect(red).to_contain_text(re.compile(r"\$\d"), timeout=120_000)

    page.get_by_test_id("stSidebar").get_by_role("button", name=re.compile("Metric glossary")).click()
    expect(page.get_by_text("Net revenue retention", exact=False)).to_be_visible()
    shot(page, "first_start_glossary")
    page.keyboard.press("Escape")

    page.get_by_test_id("stSidebarNav").get_by_role("link", name=re.compile("Data")).click()
    wait_for_app_idle(page)
    expect(page.get_by_test_id("stMetric").filter(has=page.get_by_text("Activity rows", exact=True))) \
        .to_contain_text(re.compile(r"\d{1,3},\d{3},\d{3}"))
    history = page.get_by_test_id("stDataFrame")
    expect(history.locator("td", has_text="demo (seed 0, 5000 customers)")).to_have_count(1)
    page.wait_for_timeout(500)  # let the grid paint its canvas before the screenshot
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, "first_start_data")
