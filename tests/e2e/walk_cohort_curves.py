"""The Cohort curves page (pages/cohort_curves.py) in a real browser on demo data (a copy of the session's small
demo store): charts drawn, a widget change re-renders, no exception."""

import re
import sqlite3

from playwright.sync_api import expect

from tests.e2e.conftest import shot, wait_for_app_idle

#: a private copy of the session's small demo store


def _customers(url: str) -> int:
    con = sqlite3.connect(url.split("///", 1)[1])
    try:
        return con.execute("SELECT COUNT(*) FROM customer").fetchone()[0]
    finally:
        con.close()


def test_cohort_curves_render_on_demo(page, streamlit_server, store_url):
    # the first URL this fresh server sees is the page's own: it must still run inside app.py's frame
    page.goto(f"{streamlit_server}/cohort_curves")
    expect(page.get_by_role("heading", name="Cohort curves")).to_be_visible(timeout=90_000)
    wait_for_app_idle(page, timeout=90_000)
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts).to_have_count(5, timeout=30_000)  # heat map, curves, tracked period, survival, churn by cause
    for i in range(5):
        expect(charts.nth(i).locator("canvas, svg").first).to_be_visible()
    expect(page.get_by_text(re.compile(rf"{_customers(store_url):,} customers in \d+ cohorts"))).to_be_visible()
    expect(page.get_by_test_id("stSidebar").get_by_text("Filters")).to_be_visible()  # the frame ran
    page.wait_for_timeout(800)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, "cohort_curves_month")
    # the curves: the named average and the cohorts picked beside it, their sizes in their names
    curves = charts.nth(1)
    curves.scroll_into_view_if_needed()
    expect(page.get_by_text("Cohorts drawn beside the average")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^On average \d+% of a cohort is retained in month 6, weighted by cohort "
                                       r"size"))).to_be_visible()
    page.wait_for_timeout(800)
    curves.screenshot(path=str(shot(page, "cohort_curves_average").with_name("cohort_curves_average_chart.png")))

    compare = page.get_by_test_id("stSelectbox").filter(has_text="Compare")
    compare.scroll_into_view_if_needed()
    compare.locator("input").click()
    page.get_by_role("option", name="Segment", exact=True).click()
    wait_for_app_idle(page)
    expect(page.get_by_text(re.compile(r"^Customers of different segments stay"))).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    page.wait_for_timeout(800)
    shot(page, "cohort_curves_km_segments")
    # voluntary and involuntary churn: one panel per segment, its key figures in words
    by_cause = page.get_by_text(re.compile(r"^Cancelled by 24 months after signup: highest for SMB"))
    by_cause.scroll_into_view_if_needed()
    expect(by_cause).to_be_visible()
    expect(charts.nth(4).locator("canvas, svg").first).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    page.wait_for_timeout(800)
    chart = shot(page, "cohort_curves_by_cause").with_name("cohort_curves_by_cause_chart.png")
    charts.nth(4).screenshot(path=str(chart))
