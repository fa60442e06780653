"""The Churn drivers page (pages/churn_drivers.py) in a real browser on a copy of the session's small demo store
(1,000 customers, seed 0; not the full demo generated on the server's first start): training progress, the model's
figures said in plain words first with the statistics behind an "Analyst detail" expander, charts in every tab, a
customer's waterfall reached from a link, no exception. The day scored and the customer linked are read from the
store served."""

import re

import pandas as pd
import pytest
from playwright.sync_api import expect

import core
from tests.e2e.conftest import open_linked_customer, open_on_metric, shot, show_tab


@pytest.fixture(scope="module")
def served(store_url) -> tuple[pd.Timestamp, str]:
    """(the last day the store speaks about: its latest signup, churn date or revenue month's end; a customer
    still active then), read with pandas from the store served."""
    engine = core.make_engine(store_url)
    customers, revenue = core.load_table(engine, "customer"), core.load_table(engine, "revenue")
    engine.dispose()
    days = pd.concat([pd.to_datetime(customers["signup_date"]), pd.to_datetime(customers["churn_date"]),
                      pd.to_datetime(revenue["period"]) + pd.offsets.MonthEnd(0)])
    active = sorted(customers.loc[customers["churn_date"].isna(), "customer_id"].astype(str))
    return days.max(), active[len(active) // 2]


def test_churn_drivers_on_the_small_demo(page, streamlit_server, served):
    last_day, customer = served
    # the analysts' figures load inside the closed "Analyst detail" expander: a metric there is in the page
    open_on_metric(page, f"{streamlit_server}/churn_drivers", "Churn drivers", "Held-out ROC-AUC",
                   re.compile(r"0\.\d{3}"))
    expect(page.get_by_text(re.compile(r"The model ranks a churner above a stayer \d{1,2} times in 100 \(95% "
                                       r"interval: between \d+ and \d+\); a coin toss would do it 50 times\.")).first
           ).to_be_visible()
    expect(page.get_by_text(re.compile(r"closer to what happened than always guessing the churn rate")).first
           ).to_be_visible()
    detail = page.get_by_test_id("stExpander").filter(has_text="Analyst detail").first
    # closed on opening: a leader reads the sentences first
    expect(detail.get_by_text("Held-out ROC-AUC", exact=True)).to_be_hidden()
    detail.get_by_text("Analyst detail").click()
    expect(detail.get_by_text("Held-out ROC-AUC", exact=True)).to_be_visible()
    expect(detail.get_by_text(re.compile("out of time: trained on 6 monthly cutoffs"))).to_be_visible()
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts.first.locator("canvas, svg").first).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, "churn_drivers")

    page.get_by_role("tab", name="Risk tiers").click()
    expect(page.get_by_text(f"Today's customers ({last_day:%Y-%m-%d})")).to_be_visible()
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
    open_linked_customer(page, f"{streamlit_server}/churn_drivers?customer={customer}", "Churn drivers")
    show_tab(page, "Customer",
             page.get_by_text(re.compile(rf"{customer}: a \d+\.\d% chance of churning within 90 days")),
             "churn_customer_waterfall")
