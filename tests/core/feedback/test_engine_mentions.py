"""Theme mentions counted by an engine (core.feedback.engine_mentions) equal the Feedback themes page's own tables
(core.feedback.mentions.by_group and over_time) on the 5,000-customer demo: per segment and plan, per month and
quarter, over the whole history and a window, with undated verbatims; on embedded DuckDB and inside PostgreSQL."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from core.feedback.engine_mentions import by_group_on, over_time_on
from core.feedback.inputs import inputs_from_frames
from core.feedback.mentions import by_group, over_time
from core.feedback.prepared import prepare
from core.feedback.starter import starter_codebook
from core.feedback.tagging import tag
from core.query import sources

WINDOW = {"start": "2025-01-01", "end": "2025-12-31"}


@pytest.fixture(scope="module")
def themed(demo):
    prepared = prepare(inputs_from_frames(demo.customers, demo.feedback, demo.tickets, demo.revenue))
    book = starter_codebook()
    return prepared, tag(prepared["text"], book), book


@pytest.fixture(scope="module")
def duckdb_con():
    con = ibis.duckdb.connect()
    yield con
    con.disconnect()


def _equal(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert len(want) > 0
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, atol=1e-12, check_dtype=False)
    assert got["mentions"].to_numpy().tolist() == want["mentions"].to_numpy().tolist()  # counts exactly


@pytest.mark.parametrize("window", [{}, WINDOW], ids=["all", "2025"])
@pytest.mark.parametrize("by", ["segment", "plan"])
def test_mentions_per_group_equal_the_pages(duckdb_con, themed, by, window):
    prepared, tags, book = themed
    want = by_group(prepared, tags, book, by=by, **window)
    _equal(by_group_on(duckdb_con, prepared, tags, book, by=by, **window), want)
    assert (want["mentions"] == 0).any() or want["mentions"].gt(0).all()


@pytest.mark.parametrize("window", [{}, WINDOW], ids=["all", "2025"])
@pytest.mark.parametrize("freq", ["M", "Q"])
def test_mentions_per_period_equal_the_pages(duckdb_con, themed, freq, window):
    prepared, tags, book = themed
    _equal(over_time_on(duckdb_con, prepared, tags, book, freq=freq, **window),
           over_time(prepared, tags, book, freq=freq, **window))


def test_undated_verbatims_and_unknown_groups(duckdb_con, themed):
    prepared, tags, book = themed
    odd = prepared.copy()
    odd.loc[odd.index[:40], "date"] = pd.NaT
    odd.loc[odd.index[20:60], "segment"] = None
    _equal(over_time_on(duckdb_con, odd, tags, book, freq="M"), over_time(odd, tags, book, freq="M"))
    got = by_group_on(duckdb_con, odd, tags, book, by="segment")
    _equal(got, by_group(odd, tags, book, by="segment"))
    assert "(unknown)" in set(got["group"])


def test_tagged_verbatims_without_a_sentiment_are_left_out_of_the_mean_as_the_page_leaves_them(duckdb_con, themed):
    """A tagged verbatim whose sentiment is missing (VADER gives none for an empty text; a theme can tag it by
    its score): counted as a mention, left out of the mean sentiment, as pandas' mean leaves it; no error."""
    prepared, tags, book = themed
    odd = prepared.copy()
    tagged_rows = tags["row"].unique()[:200]
    odd.loc[odd.index[tagged_rows], "sentiment"] = float("nan")
    want = by_group(odd, tags, book, by="segment")
    _equal(by_group_on(duckdb_con, odd, tags, book, by="segment"), want)
    _equal(over_time_on(duckdb_con, odd, tags, book, freq="Q"), over_time(odd, tags, book, freq="Q"))
    assert want["sentiment"].notna().all()  # every group's themes keep a mean over the verbatims that have one


def test_postgresql_counts_the_same(demo_on_both_stores, themed):
    prepared, tags, book = themed
    with sources.inside(demo_on_both_stores["postgresql"]) as src:
        _equal(by_group_on(src.con, prepared, tags, book, by="segment"), by_group(prepared, tags, book, by="segment"))
        _equal(over_time_on(src.con, prepared, tags, book, freq="Q"), over_time(prepared, tags, book, freq="Q"))
