"""The Feedback themes page (pages/feedback_themes.py) in a real browser on the demo (a copy of the session's small
demo store): themes ranked by churn impact, trends with the by-segment heat map at full width and its plain
sentence, scores with intervals, churn signals, discovery and the codebook, no exception."""

import re
import sqlite3

import pandas as pd
from playwright.sync_api import expect

from tests.e2e.conftest import (
    SCREENSHOTS,
    layout_still,
    metric_card,
    open_on_metric,
    shot_when_drawn,
    show_tab,
)
from tests.pages.conftest import default_window

#: a private copy of the session's small demo store


def _verbatims(url: str) -> int:
    """Feedback and ticket texts dated in the sidebar's default window, read with sqlite and pandas."""
    con = sqlite3.connect(url.split("///", 1)[1])
    fb = pd.read_sql("SELECT date AS day, text FROM feedback", con)
    tk = pd.read_sql("SELECT opened AS day, text FROM ticket", con)
    con.close()
    v = pd.concat([fb, tk], ignore_index=True)
    v = v[v["text"].fillna("").str.strip() != ""]
    day = pd.to_datetime(v["day"], format="ISO8601").dt.normalize()
    start, end = (pd.Timestamp(d) for d in default_window())
    return int(((day >= start) & (day <= end)).sum())


def test_feedback_themes_on_demo(page, streamlit_server, store_url):
    open_on_metric(page, f"{streamlit_server}/feedback_themes", "Feedback themes", "Verbatims",
                   re.compile(rf"(?<![\d,]){_verbatims(store_url):,}(?![\d,])"))
    top = page.get_by_text(re.compile(r"Pricing & value\*?\*? goes with the most churn: \d+\.\d% of the"))
    expect(top).to_be_visible()
    expect(top).to_contain_text(re.compile(r"\([+-]\d+\.\d pts, 95 % interval [+-]\d+\.\d pts to [+-]\d+\.\d pts\)"))
    expect(metric_card(page, "Tagged")).to_contain_text(re.compile(r"\d\.\d%"))
    shot_when_drawn(page, "feedback_themes")

    show_tab(page, "Over time & segments", page.get_by_text("Share of verbatims naming each theme"),
             "feedback_trends")
    heat = page.get_by_test_id("stVegaLiteChart").nth(3)  # the by-segment heat map: full width, a row per theme
    heat.scroll_into_view_if_needed()
    box, main = heat.bounding_box(), page.get_by_test_id("stMainBlockContainer").bounding_box()
    assert box["width"] > 0.8 * main["width"] and box["height"] > 200, (box, main)
    page.wait_for_timeout(800)
    heat.screenshot(path=str(SCREENSHOTS / "feedback_by_segment_1280.png"))
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 900})  # a phone: still the column's width, labels level
    layout_still(page)
    heat.scroll_into_view_if_needed()
    box, main = heat.bounding_box(), page.get_by_test_id("stMainBlockContainer").bounding_box()
    assert box["width"] > 0.8 * main["width"] and box["height"] > 200, (box, main)
    heat.screenshot(path=str(SCREENSHOTS / "feedback_by_segment_390.png"))
    page.set_viewport_size(size)
    page.wait_for_timeout(800)
    expect(page.get_by_text(re.compile(r"themes? differ between segments|No theme differs between segments")))\
        .to_be_visible()
    show_tab(page, "Scores", page.get_by_text(re.compile(r"shaded band is the 95 % interval")), "feedback_scores")
    show_tab(page, "Churn signals", page.get_by_test_id("stMetric").filter(has_text="Customers with a signal"),
             "feedback_signals")
    show_tab(page, "Discovery", page.get_by_text(re.compile(r"Candidate 1: .+ verbatims\)")), "feedback_discovery")
    show_tab(page, "Codebook", page.get_by_text("Change log", exact=True), "feedback_codebook")
    expect(page.get_by_test_id("stException")).to_have_count(0)
