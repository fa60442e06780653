"""The Verbatims tab lists the newest verbatims on screen and says how many match (core.feedback.verbatim_list):
on a copy of the small demo store (more verbatims in the window than the list holds), the table holds exactly the
newest SHOWN of those in the window, the caption counts all of them, and a search lists every match."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import core
from core.feedback.inputs import load_inputs
from core.feedback.prepared import prepare
from core.feedback.verbatim_list import SHOWN
from tests.pages import plain_pages, warm
from tests.pages.conftest import default_window

START, END = (pd.Timestamp(d) for d in default_window())


#: a private copy of the small demo store
store_url = warm.store_fixture("feedback_verbatim_list")


@pytest.fixture(scope="module")
def page(store_url):
    with plain_pages.opened(store_url, "feedback_themes", timeout=300) as at:
        yield at


def _dates(store: str) -> pd.Series:
    """The dates of the store's verbatims (feedback and ticket texts, as core prepares them) in the window."""
    d = prepare(load_inputs(core.make_engine(store)))["date"]
    return d[(d >= START) & (d <= END)]


def _listed(at) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if {"vid", "tone", "themes"} <= set(d.value.columns))


def test_the_list_holds_the_newest_verbatims_and_the_caption_counts_all(page, store_url):
    dates = _dates(store_url)
    assert len(dates) > SHOWN  # the small demo has more verbatims in the window than the list holds
    listed = _listed(page)
    assert len(listed) == SHOWN
    cutoff = dates.sort_values(ascending=False).iloc[SHOWN - 1]
    assert pd.to_datetime(listed["date"]).min().normalize() == cutoff.normalize()
    caption = next(c.value for c in page.caption if re.match(r"^[\d,]+ verbatims", c.value))
    assert caption.startswith(f"{len(dates):,} verbatims; the newest {SHOWN:,} are listed, the download holds them "
                              "all.")


def test_a_narrow_search_lists_every_match_and_says_nothing_of_a_cut(page, store_url):
    listed = _listed(page)
    who = str(listed["customer_id"].iloc[0])
    page.text_input(key="verb_search").set_value(who).run()
    found = _listed(page)
    assert set(found["customer_id"].astype(str)) == {who} and len(found) < SHOWN
    caption = next(c.value for c in page.caption if re.match(r"^[\d,]+ verbatims", c.value))
    assert caption.startswith(f"{len(found):,} verbatims. Personal data")
