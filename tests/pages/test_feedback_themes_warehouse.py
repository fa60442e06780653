"""AppTest of the Feedback themes page (pages/feedback_themes.py) with a company's warehouse set
(``RETENTION_WAREHOUSE_URL``: a DuckDB file in the company's own shape with its feedback and tickets' texts mapped,
tests/company_warehouse.py): the page says where its verbatims come from and shows, figure for figure, what the
store's own pandas page shows of the same business over the same window (headline, themes, trends, scores,
verbatims, churn signals with the warehouse's health, backlog); a verbatim's follow-up status is the warehouse's own,
so no form offers to change it and a store's statuses of its own verbatims never stand in; nothing is written to the
store; a mapping without texts is the page's empty state, naming what to map."""

from __future__ import annotations

from collections import Counter

import pandas as pd
from sqlalchemy import text

import core
from core.feedback.followup import LOOP_COLUMNS
from core.feedback.inputs import load_inputs
from core.feedback.warehouse_inputs import NO_TEXT
from tests.company_warehouse import PEOPLE, business_fixture, mapped, point, with_verbatims
from tests.pages.conftest import open_page, rerun
from tests.pages.test_engine_choice import _open, _shown

#: (the warehouse's URL, the mapping file, the store holding the business, an empty store)
business = business_fixture("themes_warehouse_page", with_verbatims(PEOPLE))

#: what differs between the store's page and the warehouse's: who may change a verbatim's follow-up status
STATUS = ("**Update follow-up status**", "On the warehouse a verbatim's follow-up status is its own status column's")

#: how each page names its window: the warehouse's is the data's span (the sidebar's dates are the store's)
WINDOW = ("(the data's span)", "(the sidebar's date range)")


def _span(store: str) -> tuple:
    """The window the warehouse's page looks at: the first verbatim's day to the data's end."""
    engine = core.make_engine(store)
    inputs = load_inputs(engine)
    engine.dispose()
    return inputs.verbatims["date"].min().date(), inputs.end.date()


def test_the_page_shows_on_the_warehouse_what_the_store_shows(business, monkeypatch):
    """The warehouse's page runs over the store holding the same business once every one of the store's verbatims is
    closed there: the store's own statuses (under the same ids, F1, F2 ...) never stand in for the warehouse's, so
    its open signals and backlog items are the store page's before that change; and nothing is written to the store
    but what the page keeps (its codebook)."""
    url, mapping, store, _ = business
    at = _open(monkeypatch, store, "feedback_themes", "pandas")
    want = _shown(rerun(at, dates=_span(store)))  # the store's page over the window the warehouse's looks at
    with core.make_engine(store).begin() as conn:
        assert conn.execute(text("UPDATE feedback SET status = 'closed' WHERE text IS NOT NULL")).rowcount > 100
    before = core.table_counts(core.make_engine(store))
    point(monkeypatch, url, mapping)
    at = _open(monkeypatch, store, "feedback_themes", None)
    got = _shown(at)
    assert not at.error, [e.value for e in at.error]
    assert got["notes"][0].startswith("Read from the company's warehouse, read only")
    assert got["notes"][1:] == want["notes"]
    assert got["metrics"] == want["metrics"] and len(got["metrics"]) >= 6
    assert ("Still open", "0", None) not in got["metrics"] and any(m[0] == "Still open" for m in got["metrics"])
    assert got["markdown"] == [m for m in want["markdown"] if not m.startswith(STATUS[0])]
    captions = [c.replace(*WINDOW) for c in got["captions"]]
    assert captions != got["captions"]  # the window is named as the data's span
    assert Counter(captions) - Counter(want["captions"]) == Counter(c for c in captions if c.startswith(STATUS[1]))
    assert not Counter(want["captions"]) - Counter(captions)
    assert len(got["tables"]) == len(want["tables"]) >= 6
    for g, w in zip(got["tables"], want["tables"], strict=True):
        if set(LOOP_COLUMNS) <= set(w.columns):  # the store's follow-up days are not the warehouse's: not shown there
            assert not set(LOOP_COLUMNS) & set(g.columns)
            w = w.drop(columns=LOOP_COLUMNS)
        pd.testing.assert_frame_equal(g, w, rtol=1e-9, atol=1e-8)
    signals = next(t for t in got["tables"] if "band" in t.columns)
    assert signals["health"].notna().all() and len(signals) > 5  # the warehouse's customers' health
    assert core.table_counts(core.make_engine(store)) == before  # nothing is written to the store


def test_a_mapping_without_text_says_what_to_map(business, monkeypatch, tmp_path):
    url, _, _, empty = business
    mapped(monkeypatch, url, PEOPLE, tmp_path)
    at = open_page(monkeypatch, empty, "feedback_themes")
    assert not at.error, [e.value for e in at.error]
    assert not at.metric and not at.tabs
    assert [i.value for i in at.info][-1].replace("\\", "") == NO_TEXT
