"""Health scores (issue 21, Deliver 3): every chart has a text alternative, its sentence with the key figure given
as the chart's accessible name and shown as a caption under it; the band-share and band-churn figures equal a pandas
computation on the scores and the back-test of the store's saved configuration."""

import pandas as pd
import pytest

import core
from core.export.markdown import plain
from core.health import backtest as hb
from core.health import monitor as hm
from core.health import store as hs
from core.history.inputs import load_inputs
from tests.pages import plain_pages, warm
from ui.health import cached

#: a private copy of the small demo store (the page saves its default configuration into it)
store_url = warm.store_fixture("health_chart_text")


@pytest.fixture(scope="module")
def page(store_url):
    with plain_pages.opened(store_url, "health_scores", timeout=600) as at:
        yield at


@pytest.fixture(scope="module")
def scored(page, store_url):
    """The monthly scores and the back-test of the configuration the page saved, straight from core."""
    engine = core.make_engine(store_url)
    inputs = load_inputs(engine)
    snaps = hm.snapshots(inputs, cached.MONTHS)
    cfg = hs.load_config(engine, int(hs.versions(engine)["version"].iloc[0]), frame=snaps[-1][1])
    return hm.history(cfg, snaps), hb.evaluate(cfg, hb.backtest_data(inputs, cached.BACKTEST_MONTHS))


def charts(at) -> list:
    return list(at.get("arrow_vega_lite_chart")) or list(at.get("vega_lite_chart"))


def test_every_chart_has_its_sentence_as_name_and_caption(page):
    at = page
    shown = charts(at)
    # band share, MRR by segment, contributions, score trend, band churn, band months, weights
    assert len(shown) == 7
    alts = [c.proto.alt for c in shown]
    assert all(a.strip() for a in alts), alts
    captions = {c.value for c in at.caption}
    assert all(plain(a) in captions for a in alts), [a for a in alts if plain(a) not in captions]
    assert any(a.startswith("Largest MRR at risk (red and amber): ") for a in alts)
    assert any(a.startswith("Largest change of weight in the adoption profile: ") or
               a.startswith("Weights of the adoption profile") for a in alts)


def test_band_share_and_band_churn_equal_a_pandas_computation(page, scored):
    hist, backtest = scored
    banded = hist[hist["band"].notna()]
    red = (banded["band"] == "red").groupby(pd.to_datetime(banded["day"])).mean()
    expected = (f"Share of customers in red: {red.iloc[0]:.1%} in {red.index[0]:%b %Y}, {red.iloc[-1]:.1%} in "
                f"{red.index[-1]:%b %Y}.")
    rate = backtest.rows.groupby("band")["churned"].mean()
    churn = f"Churn rate of red customers: {rate['red']:.1%} against {rate['green']:.1%} for green."
    alts = [c.proto.alt for c in charts(page)]
    assert expected in alts, alts
    assert churn in alts, alts


def test_each_chart_offers_its_data_but_the_mrr_chart_beside_its_table(page):
    labels = [b.label for b in page.get("download_button")]
    assert labels.count("Get the chart's data (CSV)") == 6
