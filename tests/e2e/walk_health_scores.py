"""The Health scores page (pages/health_scores.py) in a real browser on a copy of the session's small demo store
(1,000 customers, seed 0): portfolio, alerts, a customer's contributions reached from a link, the back-test (its
plain sentence first, the figures under "Analyst detail") and the suggested weights, no exception. The expected
figures are computed from the store the server serves."""

import functools
import re

import pytest
from playwright.sync_api import expect

import core
from core.health import score as h
from core.history.inputs import load_inputs
from tests.e2e.conftest import (
    metric_card,
    open_linked_customer,
    open_on_metric,
    shot,
    shot_when_drawn,
    show_tab,
)


@functools.cache
def health_figures(store_url: str) -> dict:
    """What the page shows on ``store_url`` under its default configuration, from core: customers scored today (783
    on the small demo), and a customer to open through a link (the tenth lowest score, not the one the page starts
    on). Once per store: the accessibility test (tests/e2e/accessibility.py) waits for the same count."""
    engine = core.make_engine(store_url)
    inputs = load_inputs(engine)
    frame, _ = h.measure_frame(inputs, inputs.end())
    s = h.score(h.default_config(frame), frame)
    engine.dispose()
    scored = s[s["score"].notna()].sort_values("score")
    return {"scored": f"{len(scored):,}", "customer": str(scored["customer_id"].iloc[9])}


@pytest.fixture(scope="module")
def expected(store_url) -> dict:
    """:func:`health_figures` of the store the server serves."""
    return health_figures(store_url)


def test_health_scores_on_demo(page, streamlit_server, expected):
    open_on_metric(page, f"{streamlit_server}/health_scores", "Health scores", "Customers scored",
                   re.compile(re.escape(expected["scored"])))
    expect(page.get_by_text(re.compile(r"Moved up a band: \d+"))).to_be_visible()
    # a band's share as '12.3%' with its change in points ('+1.0 pts'), money as '$1,235'
    green = metric_card(page, "Green")
    expect(green).to_contain_text(re.compile(r"\d\.\d%"))
    expect(green).to_contain_text(re.compile(r"[+-]\d+\.\d pts"))
    expect(metric_card(page, "MRR in red")).to_contain_text(re.compile(r"\$\d{1,3}(,\d{3})*"))
    shot_when_drawn(page, "health_portfolio")

    show_tab(page, "Alerts", page.get_by_role("button", name="Download the action list (XLSX)"), "health_alerts")
    expect(page.get_by_text(re.compile(r"renewal within 90 days\*?\*?: [\d,]+")).first).to_be_visible()

    sentence = page.get_by_text(re.compile(r"Over 12 months of back-test, the score puts a customer who churned "
                                           r"below one who stayed \d+ times in 100")).first
    show_tab(page, "Back-test", sentence, "health_backtest")
    detail = page.get_by_test_id("stExpander").filter(has_text="Back-test ROC-AUC")
    detail.get_by_text("Analyst detail").click()
    auc = page.get_by_test_id("stMetric").filter(has_text="Back-test ROC-AUC")
    expect(auc).to_be_visible()
    expect(auc).to_contain_text(re.compile(r"0\.\d{3}"))
    ratio = page.get_by_test_id("stMetric").filter(has_text="Red churns")
    expect(ratio).to_contain_text(re.compile(r"\d+\.\d{2}x"))
    shot(page, "health_backtest_analyst_detail")

    text = page.get_by_text(re.compile(r"Suggested weights.*the suggested weights put a customer who churned below "
                                       r"one who stayed \d+ times in 100")).first
    show_tab(page, "Suggested weights", text, "health_suggested_weights")

    # a link from another page's customer list opens this page on that customer
    who = expected["customer"]
    open_linked_customer(page, f"{streamlit_server}/health_scores?customer={who}", "Health scores")
    show_tab(page, "Customer", page.get_by_text(re.compile(rf"{who} \(.*stage\): health \d+")), "health_customer")
