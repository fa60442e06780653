"""Churn drivers: a warm rerun recomputes nothing heavy (issue 21, point 7). The model, the beeswarm, dependence,
net value, calibration and gains charts, calibration, gains, segment performance and today's customer list are
cached per store version (and the page's inputs): counted by wrapping the functions that build them, across two
reruns of a session whose caches were filled by its first run. No clock: the test counts calls."""

from __future__ import annotations

from core.churn import pipeline as cr
from core.churn import store as churn_store
from tests.pages import warm
from tests.pages.conftest import open_page
from ui.churn import charts

#: (module, name) of each heavy step the page runs on a cold visit and must not run again when warm
HEAVY = [(cr, "fit_churn"), (cr, "gains_table"), (cr, "segment_performance"), (cr, "calibration_table"),
         (charts, "beeswarm"), (charts, "dependence"), (charts, "importance"), (charts, "net_value"),
         (charts, "calibration"), (charts, "gains"), (churn_store, "score_table")]

#: a private copy of the small demo store; the calls of each heavy step, from empty caches
store_url = warm.store_fixture("churn_warm")
calls = warm.cold_calls_fixture(HEAVY)


def test_a_warm_rerun_recomputes_no_heavy_step(monkeypatch, store_url, calls):
    at = warm.settled(open_page(monkeypatch, store_url, "churn_drivers", timeout=600))
    warm.assert_cold_then_warm(at, calls, HEAVY)


def test_another_dependence_feature_builds_its_chart_once(monkeypatch, store_url, calls):
    at = warm.settled(open_page(monkeypatch, store_url, "churn_drivers", timeout=600))
    calls.clear()
    at.selectbox(key="churn_dependence").select_index(1).run()
    assert not at.exception, at.exception
    assert calls["dependence"] == 1 and calls["fit_churn"] == 0 and calls["beeswarm"] == 0, dict(calls)
    calls.clear()
    at.selectbox(key="churn_dependence").select_index(0).run()  # back to the first: cached
    at.selectbox(key="churn_dependence").select_index(1).run()
    assert calls["dependence"] == 0, dict(calls)
