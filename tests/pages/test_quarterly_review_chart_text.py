"""Chart text alternatives on the Quarterly review page (issue 21, Deliver 3), on a copy of the session's small demo
store with one saved snapshot of the default quarter built with a 60-day play window (so the Compare tab draws the
moves): every chart has a non-empty accessible name that also stands in a caption; the headline's sentence names the
logo churn rate counted on the store with sqlite and pandas, the health bands' sentence the customers the snapshot
counts, and the moves' sentence the largest move computed with pandas from the two snapshots' figures.
"""

import re
import sqlite3

import pandas as pd
import pytest

import core
from core.review import saved as review_saved
from core.review import snapshot as review
from tests.conftest import copy_store
from tests.pages.conftest import open_page
from ui.review import cached as review_cached

PAGE = "quarterly_review"
QUARTER, AS_OF = "2026-Q3", pd.Timestamp("2026-09-30")


@pytest.fixture(scope="module")
def url(small_demo_store, tmp_path_factory):
    url = f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('review_chart_text'))}"
    engine = core.make_engine(url)
    review_saved.save(engine, review.build(engine, QUARTER, review.ReviewParams(roi_window=60)))
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def page(url):
    mp = pytest.MonkeyPatch()
    try:
        yield open_page(mp, url, PAGE, timeout=400)
    finally:
        mp.undo()


def _alts(at) -> list[str]:
    return [c.proto.alt for c in at.get("vega_lite_chart")] + [c.proto.alt for c in at.get("arrow_vega_lite_chart")]


def test_every_chart_has_its_sentence_as_name_and_caption(page):
    alts = _alts(page)
    assert len(alts) >= 4, alts  # headline, health bands, themes, plays; the moves on the Compare tab
    captions = {re.sub(r"\\(.)", r"\1", c.value) for c in page.caption}
    assert all(a.strip() for a in alts) and [a for a in alts if a not in captions] == [], alts
    labels = [b.label for b in page.get("download_button")]
    assert labels.count("Get the chart's data (CSV)") >= 4, labels


def test_the_headline_sentence_names_the_logo_churn_counted_on_the_store(page, url):
    assert page.selectbox(key="review_quarter").value == QUARTER
    start = AS_OF - pd.DateOffset(months=12)
    with sqlite3.connect(url.split("///", 1)[1]) as con:
        c = pd.read_sql("SELECT signup_date, churn_date FROM customer", con, parse_dates=["signup_date", "churn_date"])
    active = c[(c["signup_date"] <= start) & (c["churn_date"].isna() | (c["churn_date"] > start))]
    churned = (active["churn_date"] <= AS_OF).mean()
    headline = next(a for a in _alts(page) if a.startswith("Over the last 12 months: "))
    assert f"Logo churn rate {100 * churned:.1f}%" in headline, headline


def test_the_health_and_moves_sentences_equal_pandas_on_the_snapshots(page, url):
    engine = core.make_engine(url)
    # QUARTER's snapshot with the default parameters on the store as it is, through the page's cache (keyed by the
    # store, its version, the quarter and the parameters): the build the page made, not made a second time
    built = review_cached.built(url, core.store_version(engine), QUARTER,
                                review_cached.params_key(review.ReviewParams()))
    before = review_saved.load(engine, int(review_saved.snapshots(engine)["id"].iloc[0]))
    engine.dispose()
    bands = built.figures[built.figures["metric"] == "Health band"].set_index("group")
    red, green = bands.loc["red"], bands.loc["green"]
    want = (f"Scored customers in red: {100 * red['value']:.1f}% ({red['text']}) against "
            f"{100 * green['value']:.1f}% ({green['text']}) in green.")
    assert want in _alts(page), _alts(page)
    keys = ["page", "metric", "group"]
    m = before.figures.merge(built.figures, on=keys, suffixes=("_b", "_a"))
    m = m[m["unit_a"].isin(["share", "points"])]
    m = m.assign(change=m["value_a"] - m["value_b"])
    m = m[m["change"].notna() & (m["change"] != 0)]
    top = m.loc[m["change"].abs().idxmax()]
    name = f"{top['metric']} · {top['group']}" if top["group"] else top["metric"]
    moves = next(a for a in _alts(page) if a.startswith("Largest move in a rate: "))
    assert moves.startswith(f"Largest move in a rate: {name} ({top['page']}), {100 * top['change']:+.1f} pts"), moves
