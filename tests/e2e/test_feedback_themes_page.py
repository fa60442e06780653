"""The Feedback themes page (pages/feedback_themes.py) in a real browser on the demo: themes ranked by churn
impact, trends, scores with intervals, churn signals, discovery and the codebook, no exception."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import open_on_metric, shot, show_tab

SERVER_ENV = {"RETENTION_DEMO": "1"}


def test_feedback_themes_on_demo(page, streamlit_server):
    open_on_metric(page, f"{streamlit_server}/feedback_themes", "Feedback themes", "Verbatims",
                   re.compile(r"\d{2},\d{3}"))
    top = page.get_by_text(re.compile(r"Pricing & value\*?\*? goes with the most churn: \d+\.\d% of the"))
    expect(top).to_be_visible()
    expect(top).to_contain_text(re.compile(r"\([+-]\d+\.\d pts, 95 % interval [+-]\d+\.\d pts to [+-]\d+\.\d pts\)"))
    tagged = page.get_by_test_id("stMetric").filter(has=page.get_by_text("Tagged", exact=True))
    expect(tagged).to_contain_text(re.compile(r"\d\.\d%"))
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts.first.locator("canvas, svg").first).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, "feedback_themes")

    show_tab(page, "Over time & segments", page.get_by_text("Share of verbatims naming each theme"),
             "feedback_trends")
    show_tab(page, "Scores", page.get_by_text(re.compile(r"shaded band is the 95 % interval")), "feedback_scores")
    show_tab(page, "Churn signals", page.get_by_test_id("stMetric").filter(has_text="Customers with a signal"),
             "feedback_signals")
    show_tab(page, "Discovery", page.get_by_text(re.compile(r"Candidate 1: .+ verbatims\)")), "feedback_discovery")
    show_tab(page, "Codebook", page.get_by_text("Change log", exact=True), "feedback_codebook")
    expect(page.get_by_test_id("stException")).to_have_count(0)
