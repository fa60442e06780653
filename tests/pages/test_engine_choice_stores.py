"""The engine-summed pages (tests/pages/test_engine_choice.py) on other stores: on the CDNOW purchase log (its published
1/10 sample: the master's pages are tests/pages/test_every_store.py's, its review on both engines
tests/core/review/test_engines.py's) with RETENTION_ENGINE=duckdb, and on a PostgreSQL store holding the demo with
RETENTION_ENGINE=postgres (the sums run inside the database), every page shows exactly what it shows on pandas; so does
the quarterly review inside PostgreSQL."""

from __future__ import annotations

import pytest

import core
from core.buyers import engine_clv
from tests.core.review.test_engines import assert_same_review, built
from tests.pages import store_kinds
from tests.pages.test_engine_choice import PAGES, _same_on_both

#: pages (or the part of a page an engine sums) whose data a purchase log does not hold: compared, nothing summed
NOT_IN_A_PURCHASE_LOG = ("intervention_roi", "feedback_themes", "overview")


@pytest.fixture(scope="module")
def cdnow_url(tmp_path_factory) -> str:
    """A store holding the CDNOW sample as a purchase log, as an analyst imports it."""
    return store_kinds.build("cdnow_sample", tmp_path_factory.mktemp("engine_choice_cdnow"))


#: what a purchase log's page sums on the engine beyond the page's own (the Lifetime value tab's buyer rows)
ON_A_PURCHASE_LOG = {"churn_drivers": [(engine_clv, "rfm")]}

#: every engine-summed page inside a PostgreSQL store (each 3-10 s on the 300-customer demo)
ON_POSTGRES = tuple(PAGES)
#: the purchase log's pages (Health scores sums behaviour as Churn drivers does, on the same store)
ON_CDNOW = tuple(p for p in PAGES if p != "health_scores")


@pytest.mark.parametrize("page", ON_CDNOW)
def test_the_purchase_log_pages_show_the_same_figures_on_duckdb(cdnow_url, monkeypatch, page):
    # a purchase log holds no plays and no verbatims: those pages' empty states leave the engine nothing to sum
    counted = [] if page in NOT_IN_A_PURCHASE_LOG else PAGES[page] + ON_A_PURCHASE_LOG.get(page, [])
    on_pandas = _same_on_both(monkeypatch, cdnow_url, page, counted)
    assert on_pandas["captions"] or on_pandas["notes"]


@pytest.fixture(scope="module")
def pg_demo_url(pg_server) -> str:
    """A PostgreSQL store holding a 300-customer demo (seed 0)."""
    from core.demo.load import load_demo

    url = pg_server.new_database()
    engine = core.make_engine(url)
    load_demo(engine, n_customers=300, seed=0)
    engine.dispose()
    return url


@pytest.mark.parametrize("page", ON_POSTGRES)
def test_a_postgresql_store_shows_the_same_figures_summed_inside_it(pg_demo_url, monkeypatch, page):
    """(DuckDB over a PostgreSQL store's column cache equals pandas expression by expression: tests/core/query.)"""
    on_pandas = _same_on_both(monkeypatch, pg_demo_url, page, engine="postgres")
    assert on_pandas["tables"] or on_pandas["captions"]


def test_the_review_is_the_same_summed_inside_postgresql(pg_demo_url, monkeypatch):
    """The quarterly review (its page, python -m core report) on the PostgreSQL store: figure for figure pandas'."""
    engine = core.make_engine(pg_demo_url)
    want, got = built(monkeypatch, engine, "postgres")
    assert_same_review(got, want)
    engine.dispose()
