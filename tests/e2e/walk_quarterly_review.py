"""The Quarterly review page (pages/quarterly_review.py) in a real browser on a copy of the small demo store: the
quarter's figures with their charts, saving the snapshot, recording a decision, the comparison, and the board pack
downloaded as a real file (its workbook's figures are the page's), no exception."""

import functools
import io
import re

import pandas as pd
from openpyxl import load_workbook
from playwright.sync_api import expect

import core
from tests.e2e.conftest import layout_still, open_on_metric, shot, show_tab, wait_for_app_idle

#: the quarter the page opens on (the demo's last complete one) and its as-of day
QUARTER, AS_OF = "2026-Q3", "2026-09-30"


def figure_shown(figure: str) -> re.Pattern:
    """A metric card's text holding ``figure`` as a whole number, not as part of a longer one ('752', not '1,752')."""
    return re.compile(rf"(?<![\d.,]){re.escape(figure)}(?![\d.,%])")


@functools.cache
def active_customers(store_url: str) -> str:
    """The review's "Active customers" on ``store_url`` as the page writes it, counted with pandas from the customer
    table: signed up on or before :data:`AS_OF`, not churned by then (752 on the small demo, 1,000 customers, seed 0).
    The accessibility test (tests/e2e/accessibility.py) waits for it too."""
    engine = core.make_engine(store_url)
    customers = core.load_table(engine, "customer")
    engine.dispose()
    day = pd.Timestamp(AS_OF)
    signup, churn = pd.to_datetime(customers["signup_date"]), pd.to_datetime(customers["churn_date"])
    return f"{int(((signup <= day) & (churn.isna() | (churn > day))).sum()):,}"


def test_quarterly_review_on_demo(page, streamlit_server, store_url):
    open_on_metric(page, f"{streamlit_server}/quarterly_review", "Quarterly review", "Active customers",
                   figure_shown(active_customers(store_url)))
    expect(page.get_by_text(f"{QUARTER}, as of {AS_OF}")).to_be_visible()
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts.first.locator("canvas, svg").first).to_be_visible(timeout=30_000)
    layout_still(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, "review_figures")

    # save: the page switches to the saved snapshot
    page.get_by_role("button", name="Save this snapshot").click()
    expect(page.get_by_text(re.compile(r"Saved as snapshot \d+: it will never change"))).to_be_visible(timeout=60_000)
    wait_for_app_idle(page)

    # a decision recorded against it
    page.get_by_role("tab", name="Decisions").click()
    form = page.get_by_test_id("stForm").filter(has_text="Record a decision")
    form.get_by_label("Decision", exact=True).fill("Extend the renewal save offer to SMB")
    form.get_by_label("Owner", exact=True).fill("Ana (CS)")
    form.get_by_role("button", name="Record").click()
    expect(page.get_by_text("Decision 1 recorded.")).to_be_visible(timeout=30_000)
    wait_for_app_idle(page)
    show_tab(page, "Decisions", page.locator('[data-testid="stDataFrame"]:visible').first, "review_decisions")

    # the board pack, downloaded as the user gets it
    show_tab(page, "Export", page.get_by_role("button", name="Prepare the board pack"), "review_export_before")
    page.get_by_role("button", name="Prepare the board pack").click()
    xlsx_button = page.get_by_role("button", name="Download the workbook (XLSX)")
    expect(xlsx_button).to_be_visible(timeout=60_000)
    with page.expect_download() as info:
        xlsx_button.click()
    wb = load_workbook(io.BytesIO(open(info.value.path(), "rb").read()))
    assert {"Summary", "Overview", "Health scores", "Feedback themes", "Intervention ROI", "Decisions",
            "Assumptions", "Definitions"} <= set(wb.sheetnames)
    overview = {r[0]: r for r in wb["Overview"].iter_rows(min_row=2, values_only=True) if r[0]}
    active = page.get_by_test_id("stMetric").filter(has=page.get_by_text("Active customers", exact=True))
    assert active.get_by_test_id("stMetricValue").inner_text().strip() == f"{overview['Active customers'][2]:,.0f}"
    decisions = [r for r in wb["Decisions"].iter_rows(values_only=True)]
    assert any("Extend the renewal save offer to SMB" in str(c) for r in decisions for c in r)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the printable report (HTML)").click()
    html = open(info.value.path(), encoding="utf-8").read()
    assert QUARTER in html and "<svg" in html
    shot(page, "review_export")
