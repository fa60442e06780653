"""Churn drivers (issue 21, Deliver 3): every chart has a text alternative, its sentence with the key figure given
as the chart's accessible name and shown as a caption under it; the customer waterfall's figure equals the
probability the page saved into the store for the riskiest customer (read back from the store)."""

import pytest

import core
from core.churn.store import latest_scores
from core.export.markdown import plain
from tests.pages import plain_pages, warm

#: a private copy of the small demo store (the page saves its model and scores into it)
store_url = warm.store_fixture("churn_chart_text")


@pytest.fixture(scope="module")
def page(store_url):
    with plain_pages.opened(store_url, "churn_drivers", timeout=600) as at:
        yield at


def charts(at) -> list:
    return list(at.get("arrow_vega_lite_chart")) or list(at.get("vega_lite_chart"))


def test_every_chart_has_its_sentence_as_name_and_caption(page):
    at = page
    shown = charts(at)
    assert len(shown) == 8  # importance x2, beeswarm, dependence, net value, waterfall, calibration, gains
    alts = [c.proto.alt for c in shown]
    assert all(a.strip() for a in alts), alts
    captions = {c.value for c in at.caption}
    assert all(plain(a) in captions for a in alts), [a for a in alts if plain(a) not in captions]
    assert sum(a.startswith("Strongest driver: ") for a in alts) == 2  # controllable drivers and all drivers
    assert any(a.startswith("The riskiest 20% of the customers hold ") for a in alts)
    assert any(a.startswith("Riskiest ") and " predicted churn against " in a for a in alts)
    assert not any("_" in a for a in alts)  # features by label, never by code name


def test_the_waterfall_states_the_saved_probability_of_the_riskiest_customer(page, store_url):
    at = page
    scores = latest_scores(core.make_engine(store_url))
    riskiest = scores.loc[scores["probability"].idxmax()]
    assert at.selectbox(key="churn_pick").value == riskiest["customer_id"]  # the list's first customer by default
    waterfall = [c.proto.alt for c in charts(at) if c.proto.alt.startswith("Chance of churning: ")]
    assert len(waterfall) == 1
    assert waterfall[0].startswith(f"Chance of churning: {riskiest['probability']:.1%}; largest contribution: ")


def test_each_chart_with_a_sentence_offers_its_data(page):
    labels = [b.label for b in page.get("download_button")]
    assert labels.count("Get the chart's data (CSV)") == 7  # all but gains, whose table has its own download
