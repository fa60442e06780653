"""The pages with RETENTION_ENGINE=duckdb (core.query.choice): the Cohort curves, Churn drivers, Health scores,
Feedback themes, Overview and Intervention ROI pages show exactly what they show on pandas (every metric, caption,
note and table, and the figures drawn only as charts) on a 400-customer demo store, the engine's sums being
the ones used (each page's engine functions counted); the Data page names the engine; an unknown engine is one
plain message, never a traceback. The CDNOW purchase log and a PostgreSQL store: test_engine_choice_stores.py."""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd
import pytest
import streamlit as st

from core.buyers import engine_headline
from core.cohorts import engine_survival, engine_views
from core.feedback import engine_mentions
from core.history import engine_behaviour, engine_movements
from core.query import choice
from core.roi import engine_outcomes
from tests.company_warehouse import point
from tests.conftest import demo_builder
from tests.pages.conftest import open_page
from tests.pages.warm import count_calls
from ui.cohorts import cached as cohort_figures
from ui.feedback import figures as feedback_figures
from ui.overview import cached as overview_figures


@pytest.fixture(scope="module")
def store_url(tmp_path_factory) -> str:
    """A demo business of 400 customers (seed 0) of this module's own: every page's engine work, at a size that
    runs each page twice in a few seconds (the 1,500-customer demo took 10-34 s a page)."""
    path = tmp_path_factory.mktemp("engine_choice") / "store.db"
    demo_builder(400)(path)
    return f"sqlite:///{path}"


#: page -> the engine functions its figures go through
PAGES = {"cohort_curves": [(engine_views, "table_until"), (engine_views, "cell_on"),
                          (engine_survival, "lifetimes_expression")],
         "churn_drivers": [(engine_behaviour, "behaviour")], "health_scores": [(engine_behaviour, "behaviour")],
         "intervention_roi": [(engine_outcomes, "window_values")],
         "feedback_themes": [(engine_mentions, "mentions_expression")],
         "overview": [(engine_movements, "movements_expression"), (engine_headline, "sums_expression")]}

#: page -> the cached figures it draws as charts only (no table shows them): their values are compared too
CHARTED = {"cohort_curves": [(cohort_figures, "table"), (cohort_figures, "cell"), (cohort_figures, "km")],
           "feedback_themes": [(feedback_figures, "mentions")],
           "overview": [(overview_figures, "movements"), (overview_figures, "overview")]}


def _timeless(text: str) -> str:
    """``text`` without a model card's creation time (the two runs may fall in different minutes)."""
    return re.sub(r", created \S+ \S+ UTC", "", text)


def _shown(at) -> dict:
    """What the page shows: metrics (label, value, delta), captions, and every table's values."""
    return {"metrics": [(m.label, m.value, m.delta) for m in at.metric],
            "captions": [_timeless(c.value) for c in at.caption], "markdown": [_timeless(m.value) for m in at.markdown],
            "notes": [n.value for n in [*at.info, *at.warning, *at.error]],
            "tables": [d.value.reset_index(drop=True) for d in at.dataframe]}


def store_and_warehouse(monkeypatch, business, page: str) -> tuple[dict, object, dict]:
    """(what ``page`` shows of the store on pandas, the page's AppTest on the warehouse over an empty store, what it
    shows there); ``business``: a tests/company_warehouse.business_fixture's."""
    url, mapping, store, empty = business
    want = _shown(_open(monkeypatch, store, page, "pandas"))
    point(monkeypatch, url, mapping)
    at = _open(monkeypatch, empty, page, None)
    return want, at, _shown(at)


def _recorded(monkeypatch, targets) -> list:
    """The values ``targets`` (``(module, function name)`` pairs) return from here on, in call order."""
    out: list = []

    def recording(f):
        def wrapped(*args, **kwargs):
            out.append(f(*args, **kwargs))
            return out[-1]

        return wrapped

    for module, name in targets:
        monkeypatch.setattr(module, name, recording(getattr(module, name)))
    return out


def _equal(got, want) -> None:
    """Figures equal to 1e-9: frames, series, numbers, and the tuples, dicts and dataclasses holding them; other
    values exactly."""
    if isinstance(want, pd.DataFrame):
        pd.testing.assert_frame_equal(got, want, rtol=1e-9, atol=1e-8, check_dtype=False)
    elif isinstance(want, pd.Series):
        pd.testing.assert_series_equal(got, want, rtol=1e-9, atol=1e-8, check_dtype=False)
    elif isinstance(want, tuple | list):
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            _equal(g, w)
    elif isinstance(want, dict):
        assert got.keys() == want.keys()
        for k in want:
            _equal(got[k], want[k])
    elif hasattr(want, "__dataclass_fields__"):
        for name in want.__dataclass_fields__:
            _equal(getattr(got, name), getattr(want, name))
    elif isinstance(want, float):
        assert got == pytest.approx(want, rel=1e-9, abs=1e-8, nan_ok=True)
    else:
        assert got == want


def _open(monkeypatch, url: str, page: str, engine: str | None):
    st.cache_data.clear()  # one server has one engine: the caches of the other engine's run go
    st.cache_resource.clear()
    if engine is None:
        monkeypatch.delenv(choice.ENGINE_ENV, raising=False)
    else:
        monkeypatch.setenv(choice.ENGINE_ENV, engine)
    return open_page(monkeypatch, url, page)


def _same_on_both(monkeypatch, url: str, page: str, counted=None, engine: str = "duckdb") -> dict:
    """What the page shows on pandas, checked equal on ``engine`` with its engine functions (``counted``, default
    the page's) called; the pandas run's."""
    counted = PAGES[page] if counted is None else counted
    charted = _recorded(monkeypatch, CHARTED.get(page, []))
    on_pandas = _shown(_open(monkeypatch, url, page, "pandas"))
    charted_on_pandas = list(charted)
    charted.clear()
    calls: Counter = count_calls(monkeypatch, counted)
    on_duckdb = _shown(_open(monkeypatch, url, page, engine))
    assert all(calls[name] > 0 for _, name in counted), calls  # the engine summed what the page shows
    for key in ("metrics", "captions", "markdown", "notes"):
        assert on_duckdb[key] == on_pandas[key], key
    assert len(on_duckdb["tables"]) == len(on_pandas["tables"])
    for got, want in zip(on_duckdb["tables"], on_pandas["tables"], strict=True):
        pd.testing.assert_frame_equal(got, want, rtol=1e-9, atol=1e-8)
    assert len(charted_on_pandas) >= (len(CHARTED.get(page, [])) if counted else 0)
    _equal(charted, charted_on_pandas)
    return on_pandas


@pytest.mark.parametrize("page", list(PAGES))
def test_the_page_shows_the_same_figures_on_duckdb(store_url, monkeypatch, page):
    on_pandas = _same_on_both(monkeypatch, store_url, page)
    assert len(on_pandas["metrics"]) >= (0 if page == "cohort_curves" else 4) and on_pandas["tables"]


def test_the_data_page_names_the_engine_and_an_unknown_one_is_a_plain_message(store_url, monkeypatch):
    at = _open(monkeypatch, store_url, "data", "duckdb")
    table = next(d.value for d in at.dataframe if "Come from" in d.value.columns).set_index("Figures")["Come from"]
    assert table.str.startswith("DuckDB, embedded in the server's process").any()
    at = _open(monkeypatch, store_url, "churn_drivers", "nonsense")
    messages = [e.value.replace("\\_", "_") for e in at.error]  # the message's text escaped for Markdown
    assert any("RETENTION_ENGINE='nonsense' names no engine" in m for m in messages), messages


@pytest.mark.parametrize("setting", ["nonsense", "postgres"])
@pytest.mark.parametrize("page", [*PAGES, "quarterly_review"])
def test_an_engine_the_store_cannot_use_stops_every_page_with_one_plain_message(store_url, monkeypatch, page,
                                                                                  setting):
    """An unknown engine, or postgres on this SQLite store: the one message, no figure half-drawn, no error box."""
    at = _open(monkeypatch, store_url, page, setting)
    messages = [e.value.replace("\\_", "_") for e in at.error]
    want = ("RETENTION_ENGINE='nonsense' names no engine" if setting == "nonsense"
            else "RETENTION_ENGINE=postgres: the postgres engine runs the sums inside a PostgreSQL store; this "
                 "store is sqlite")
    assert len(messages) == 1 and messages[0].startswith(want), messages
    assert not at.metric and not at.dataframe


@pytest.mark.parametrize("page", [*PAGES, "quarterly_review"])
def test_a_memory_cap_that_is_not_a_size_stops_every_page_with_one_plain_message(store_url, monkeypatch, page):
    """RETENTION_DUCKDB_MEMORY=lots on the default engine: the one message naming the setting and the fix."""
    monkeypatch.setenv("RETENTION_DUCKDB_MEMORY", "lots")
    at = _open(monkeypatch, store_url, page, None)  # the product's default, embedded DuckDB
    messages = [e.value.replace("\\_", "_") for e in at.error]
    assert len(messages) == 1 and "RETENTION_DUCKDB_MEMORY='lots' is not a size: write a number and a unit, for " \
                                  "example 4GB" in messages[0], messages
    assert not at.metric and not at.dataframe


def test_duckdb_out_of_memory_is_one_plain_message_on_the_page(store_url, monkeypatch):
    """A query that needs more than the cap: one line saying which setting to raise, not a traceback."""
    import duckdb

    from core.query import sources

    def out_of_memory(self, expr, *a, **k):
        raise duckdb.OutOfMemoryException("Out of Memory Error: failed to allocate data of size 32.0 MiB")

    monkeypatch.setattr(type(sources.duckdb_connection()), "execute", out_of_memory)
    at = _open(monkeypatch, store_url, "cohort_curves", None)
    messages = [e.value.replace("\\_", "_") for e in at.error]
    assert messages and all("DuckDB needed more memory than it may use (2GB, RETENTION_DUCKDB_MEMORY): set "
                            "RETENTION_DUCKDB_MEMORY higher" in m for m in messages), messages
    assert not at.exception
