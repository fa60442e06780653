"""Churn drivers: a warm rerun recomputes nothing heavy (issue 21, point 7). The model, the beeswarm and dependence
charts, calibration, gains, segment performance and today's customer list are cached per store version (and the
page's inputs): counted by wrapping the functions that build them, across two reruns of a session whose caches
were filled by its first run. No clock: the test counts calls."""

from __future__ import annotations

import collections

import pytest
import streamlit as st

from core.churn import pipeline as cr
from core.churn import store as churn_store
from tests.conftest import copy_store
from tests.pages.conftest import open_page
from ui.churn import charts

#: (module, name) of each heavy step the page runs on a cold visit and must not run again when warm
HEAVY = [(cr, "fit_churn"), (cr, "gains_table"), (cr, "segment_performance"), (cr, "calibration_table"),
         (charts, "beeswarm"), (charts, "dependence"), (charts, "importance"), (churn_store, "score_table")]


@pytest.fixture(scope="module")
def store_url(small_demo_store, tmp_path_factory) -> str:
    return f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('churn_warm'))}"


@pytest.fixture
def calls(monkeypatch) -> collections.Counter:
    """Calls of each heavy step, counted from here on (the caches emptied first, so the first run fills them)."""
    st.cache_data.clear()
    st.cache_resource.clear()
    counts: collections.Counter = collections.Counter()
    for module, name in HEAVY:
        real = getattr(module, name)

        def counted(*args, _real=real, _name=name, **kwargs):
            counts[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
    return counts


def _settled(at):
    """``at`` after one more rerun: AppTest's first rerun after the page switch reads the sidebar's date range as
    unset (the run before, the frame had just set it), a new filter key; from then on the filters hold still."""
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_warm_rerun_recomputes_no_heavy_step(monkeypatch, store_url, calls):
    at = _settled(open_page(monkeypatch, store_url, "churn_drivers", timeout=600))
    cold = dict(calls)
    assert all(cold.get(name, 0) >= 1 for _, name in HEAVY), cold  # the counters see each step on the cold visit
    calls.clear()
    for _ in range(2):
        at.run()
        assert not at.exception, at.exception
    assert dict(calls) == {}, f"recomputed on a warm rerun: {dict(calls)}"


def test_another_dependence_feature_builds_its_chart_once(monkeypatch, store_url, calls):
    at = _settled(open_page(monkeypatch, store_url, "churn_drivers", timeout=600))
    calls.clear()
    at.selectbox(key="churn_dependence").select_index(1).run()
    assert not at.exception, at.exception
    assert calls["dependence"] == 1 and calls["fit_churn"] == 0 and calls["beeswarm"] == 0, dict(calls)
    calls.clear()
    at.selectbox(key="churn_dependence").select_index(0).run()  # back to the first: cached
    at.selectbox(key="churn_dependence").select_index(1).run()
    assert calls["dependence"] == 0, dict(calls)
