"""The Feedback themes page's theme counts (core.feedback.mention_views): the configured engine counts when one is
set, pandas otherwise, with the same tables."""

from __future__ import annotations

import pandas as pd
import pytest

import core
from core.demo.load import load_demo
from core.feedback import engine_mentions
from core.feedback.inputs import load_inputs
from core.feedback.mention_views import mention_tables
from core.feedback.prepared import prepare
from core.feedback.starter import starter_codebook
from core.feedback.tagging import tag
from core.query.choice import ENGINE_ENV


@pytest.fixture(scope="module")
def themed(tmp_path_factory):
    engine = core.make_engine(f"sqlite:///{tmp_path_factory.mktemp('mentions') / 'store.db'}")
    load_demo(engine, n_customers=200, seed=0)
    prepared = prepare(load_inputs(engine))
    book = starter_codebook()
    yield engine, prepared, tag(prepared["text"], book), book
    engine.dispose()


@pytest.mark.parametrize("window", [{}, {"start": "2025-01-01", "end": "2025-12-31"}], ids=["all", "2025"])
def test_the_tables_are_the_same_on_pandas_and_duckdb(themed, monkeypatch, window):
    engine, prepared, tags, book = themed
    monkeypatch.setenv(ENGINE_ENV, "pandas")
    asked = []
    real = engine_mentions.over_time_on
    monkeypatch.setattr("core.feedback.mention_views.over_time_on", lambda *a, **k: asked.append(1) or real(*a, **k))
    want = mention_tables(engine, prepared, tags, book, freq="Q", by="plan", **window)
    assert not asked and len(want[0]) and len(want[1])  # pandas counted
    monkeypatch.setenv(ENGINE_ENV, "duckdb")
    got = mention_tables(engine, prepared, tags, book, freq="Q", by="plan", **window)
    assert asked == [1]  # the engine counted
    for g, w in zip(got, want, strict=True):
        pd.testing.assert_frame_equal(g, w, rtol=1e-12, check_dtype=False)
        assert g["mentions"].tolist() == w["mentions"].tolist()
