"""Every page in a real browser on the CDNOW purchase log (issue 20): each page opens on the store the importer built
from ``../shared/data/cdnow/CDNOW_sample.txt`` (the log's published 1/10 sample, headerless, mapped as the Data page
maps it), shows its purchase-log figures or says in plain words what it cannot show, carries no exception, and is
saved as ``screenshots/cdnow_<page>.png`` (some tabs too) to be looked at. Every page on the whole master log (23,570
customers) is AppTest's (tests/pages/test_every_store.py); here the browser draws what the pages send, for a tenth
of the time."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import layout_still, open_on_metric, shot, show_tab, wait_for_app_idle
from tests.pages import store_kinds

#: a count as every surface writes it (812, 2,357)
COUNT = re.compile(r"\d{1,3}(,\d{3})*")


@pytest.fixture(scope="module")
def cdnow(store_url):
    return store_kinds.fill(store_url, "cdnow_sample")


def _clean(page, name: str) -> None:
    """No exception element and no traceback text on the page; then the screenshot ``cdnow_<name>``."""
    expect(page.get_by_test_id("stException")).to_have_count(0)
    body = page.locator("body").inner_text()
    assert "Traceback" not in body and "Error:" not in body, body[:2000]
    shot(page, f"cdnow_{name}")


def _charts_drawn(page) -> None:
    expect(page.get_by_test_id("stVegaLiteChart").first.locator("canvas, svg").first).to_be_visible(timeout=60_000)
    layout_still(page)


def _opens(page, url: str, heading: str, text) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=120_000)
    expect(page.get_by_text(text).first).to_be_visible(timeout=120_000)
    wait_for_app_idle(page, timeout=120_000)


def test_every_page_on_the_cdnow_purchase_log(page, streamlit_server, cdnow):
    # Streamlit scrolls inside its own container, so a full-page screenshot is the window: a tall one shows it all
    page.set_viewport_size({"width": 1400, "height": 3000})
    open_on_metric(page, streamlit_server, "Overview", "Active buyers", COUNT)
    expect(page.get_by_text(re.compile("There is no recurring revenue in this store"))).to_be_visible()
    _charts_drawn(page)
    _clean(page, "overview")

    _opens(page, f"{streamlit_server}/data", "Data", re.compile("This store is a purchase log"))
    _clean(page, "data")

    _opens(page, f"{streamlit_server}/cohort_curves", "Cohort curves",
           "2,357 customers in 3 cohorts, as of 1998-06-30.")
    _charts_drawn(page)
    _clean(page, "cohort_curves")

    open_on_metric(page, f"{streamlit_server}/churn_drivers", "Churn drivers", "Held-out ROC-AUC",
                   re.compile(r"0\.\d{3}"))
    expect(page.get_by_text(re.compile(r"Proposed: \d+ days\.")).first).to_be_visible()
    _charts_drawn(page)
    _clean(page, "churn_drivers")
    show_tab(page, "Risk tiers", page.get_by_text(re.compile(r"Today's customers \(1998-06-30\)")),
             "cdnow_churn_risk_tiers")
    show_tab(page, "Lifetime value", page.get_by_test_id("stMetric").filter(has_text="Buyers valued"),
             "cdnow_churn_lifetime_value")

    open_on_metric(page, f"{streamlit_server}/health_scores", "Health scores", "Customers scored", COUNT)
    _charts_drawn(page)
    _clean(page, "health_scores")
    show_tab(page, "Back-test", page.get_by_text(re.compile(r"Over \d+ months of back-test")).first,
             "cdnow_health_backtest")  # the plain sentence; the ROC-AUC tile sits in the closed "Analyst detail"

    _opens(page, f"{streamlit_server}/feedback_themes", "Feedback themes", re.compile("There is no feedback yet"))
    _clean(page, "feedback_themes")

    _opens(page, f"{streamlit_server}/intervention_roi", "Intervention ROI",
           re.compile("There are no plays to measure"))
    _clean(page, "intervention_roi")

    open_on_metric(page, f"{streamlit_server}/quarterly_review", "Quarterly review", "Active buyers", COUNT)
    expect(page.get_by_text("1998-Q2, as of 1998-06-30")).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text="MRR")).to_have_count(0)  # no $0 tile on a purchase log
    _charts_drawn(page)
    _clean(page, "quarterly_review")
