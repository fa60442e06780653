"""The Intervention ROI page (pages/intervention_roi.py) in a real browser on a copy of the session's small demo
store (1,000 customers, seed 0: the demo's plays, without the server generating the full demo): every play at a
glance first, then a play's effect against its holdout in a sentence (its verdict recomputed from the store served),
the sample-ratio check, money, time to impact, planning, where the play works (uplift by segment, Qini curve), the
next wave under a budget, and the nudge e-mails' fatigue, no exception."""

import re

from playwright.sync_api import expect

import core
from core.roi.inputs import load_inputs
from core.roi.outcomes import outcomes
from core.roi.summary import summary
from tests.e2e.conftest import open_on_metric, shot, show_tab, wait_for_app_idle

#: the sentence's verb for each verdict (core.roi.plain.effect)
SAID = {"works": "added", "hurts": "took away", "no clear effect": "shows no clear effect"}


def _verdicts(url: str) -> dict[str, str]:
    """Each play's verdict at the page's defaults (every contact lies within the sidebar's default dates)."""
    engine = core.make_engine(url)
    inputs = load_inputs(engine)
    engine.dispose()
    t = summary({p: outcomes(inputs, p, window=90) for p in inputs.plays()})
    return dict(zip(t["play"], t["verdict"], strict=True))


def test_intervention_roi_on_demo(page, streamlit_server, store_url):
    verdicts = _verdicts(store_url)
    open_on_metric(page, f"{streamlit_server}/intervention_roi", "Intervention ROI", "Play effect",
                   re.compile(r"[+-]\d+\.\d pts"))
    # every play at a glance first, one sentence each, then the detail of one play
    expect(page.get_by_role("heading", name="All plays")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Each play as its detail below shows it"))).to_be_visible()
    # the renewal save offer: its effect within 90 days in a sentence
    page.get_by_test_id("stSelectbox").filter(has_text="Play").click()
    page.get_by_role("option", name="Renewal save offer").click()
    wait_for_app_idle(page)
    said = SAID[verdicts["Renewal save offer"]]
    expect(page.get_by_text(re.compile(rf"^Renewal save offer \(treatment vs holdout\) {said}"))).to_be_visible()
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts.first.locator("canvas, svg").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text(re.compile(r"Arm sizes fit the planned split"))).to_be_visible()
    page.wait_for_timeout(1000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, "intervention_roi")

    show_tab(page, "Money", page.get_by_test_id("stMetric").filter(has_text="Customers saved"), "roi_money")
    # money as '$1,235' / '-$1,235', ROI as a signed whole percentage ('+355%')
    money = page.get_by_test_id("stMetric")
    expect(money.filter(has=page.get_by_text("Cost", exact=True))).to_contain_text(re.compile(r"\$\d{1,3}(,\d{3})*"))
    expect(money.filter(has=page.get_by_text("ROI (window)", exact=True))).to_contain_text(re.compile(r"[+-]\d+%"))
    # the section's sentence (the chart's caption reads the same verdict: .first)
    show_tab(page, "Time to impact", page.get_by_text(re.compile(r"(first clearly above zero \*?\*?\d+ days|never "
                                                                  r"clearly above zero)")).first, "roi_time_to_impact")
    show_tab(page, "Where it works", page.get_by_text(re.compile(r"The play gains most for")), "roi_where_it_works")
    show_tab(page, "Next wave", page.get_by_test_id("stMetric").filter(has_text="Customers to contact"),
             "roi_next_wave")
    show_tab(page, "Planning", page.get_by_test_id("stMetric").filter(has_text="Contacts needed"), "roi_planning")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    # the weekly nudge e-mails: their response falls as e-mails pile up (fatigue)
    page.get_by_test_id("stSelectbox").filter(has_text="Play").click()
    page.get_by_role("option", name="Usage nudge e-mail").click()
    wait_for_app_idle(page)
    # the outcome box is keyed by the play: wait for the new play's run to finish before opening it
    expect(page.get_by_text(re.compile(r"^Usage nudge e-mail \(treatment vs holdout\)"))).to_be_visible(
        timeout=60_000)
    outcome = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text("Outcome", exact=True))
    option = page.get_by_role("option", name="responded")
    expect(outcome).to_have_count(1, timeout=90_000)  # the previous play's box stays, faded, until the run ends
    for _ in range(3):  # a box opened while the page was still rerunning closes again: open it once more
        outcome.click()
        try:
            expect(option).to_be_visible(timeout=10_000)
            break
        except AssertionError:
            wait_for_app_idle(page)
    option.click()
    wait_for_app_idle(page)
    expect(page.get_by_text(re.compile(r"^Usage nudge e-mail \(treatment vs holdout\).*responded"))).to_be_visible(
        timeout=60_000)
    show_tab(page, "Fatigue", page.get_by_text(re.compile(r"A smaller difference in the busier rows")), "roi_fatigue")
    expect(page.get_by_test_id("stException")).to_have_count(0)
