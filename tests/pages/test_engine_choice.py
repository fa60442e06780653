"""The pages with RETENTION_ENGINE=duckdb (core.query.choice): the Churn drivers, Health scores and Intervention ROI
pages show exactly what they show on pandas (every metric, caption and table, on a copy of the small demo store),
the engine's sums being the ones used (each page's engine functions counted); the Data page names the engine; an
unknown engine is one plain message, never a traceback."""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd
import pytest
import streamlit as st

from core.history import engine_behaviour
from core.query import choice
from core.roi import engine_outcomes
from tests.pages.conftest import open_page
from tests.pages.warm import count_calls, store_fixture

store_url = store_fixture("engine_choice")
#: page -> the engine function its figures go through
PAGES = {"churn_drivers": (engine_behaviour, "behaviour"), "health_scores": (engine_behaviour, "behaviour"),
         "intervention_roi": (engine_outcomes, "window_values")}


def _timeless(text: str) -> str:
    """``text`` without a model card's creation time (the two runs may fall in different minutes)."""
    return re.sub(r", created \S+ \S+ UTC", "", text)


def _shown(at) -> dict:
    """What the page shows: metrics (label, value, delta), captions, and every table's values."""
    return {"metrics": [(m.label, m.value, m.delta) for m in at.metric],
            "captions": [_timeless(c.value) for c in at.caption], "markdown": [_timeless(m.value) for m in at.markdown],
            "tables": [d.value.reset_index(drop=True) for d in at.dataframe]}


def _open(monkeypatch, url: str, page: str, engine: str | None):
    st.cache_data.clear()  # one server has one engine: the caches of the other engine's run go
    st.cache_resource.clear()
    if engine is None:
        monkeypatch.delenv(choice.ENGINE_ENV, raising=False)
    else:
        monkeypatch.setenv(choice.ENGINE_ENV, engine)
    return open_page(monkeypatch, url, page)


@pytest.mark.parametrize("page", list(PAGES))
def test_the_page_shows_the_same_figures_on_duckdb(store_url, monkeypatch, page):
    on_pandas = _shown(_open(monkeypatch, store_url, page, None))
    calls: Counter = count_calls(monkeypatch, [PAGES[page]])
    on_duckdb = _shown(_open(monkeypatch, store_url, page, "duckdb"))
    assert calls[PAGES[page][1]] > 0  # the engine summed what the page shows
    assert len(on_pandas["metrics"]) >= 4 and on_pandas["tables"]
    for key in ("metrics", "captions", "markdown"):
        assert on_duckdb[key] == on_pandas[key], key
    assert len(on_duckdb["tables"]) == len(on_pandas["tables"])
    for got, want in zip(on_duckdb["tables"], on_pandas["tables"], strict=True):
        pd.testing.assert_frame_equal(got, want, rtol=1e-9, atol=1e-8)


def test_the_data_page_names_the_engine_and_an_unknown_one_is_a_plain_message(store_url, monkeypatch):
    at = _open(monkeypatch, store_url, "data", "duckdb")
    table = next(d.value for d in at.dataframe if "Come from" in d.value.columns).set_index("Figures")["Come from"]
    assert table.str.startswith("DuckDB, embedded in the server's process").any()
    at = _open(monkeypatch, store_url, "churn_drivers", "nonsense")
    messages = [e.value.replace("\\_", "_") for e in at.error]  # the message's text escaped for Markdown
    assert any("RETENTION_ENGINE='nonsense' names no engine" in m for m in messages), messages

