"""Intervention ROI: a warm rerun recomputes nothing heavy (issue 21, point 7). All plays' summary, the next wave,
fatigue, the power curve, the effect charts and the uplift model are cached per store version (and the page's
inputs): counted by wrapping the functions that build them, across two reruns of a session whose caches were
filled by its first run. No clock: the test counts calls."""

from __future__ import annotations

from core.roi import wave as rw
from tests.pages import warm
from tests.pages.conftest import open_page
from ui.roi import cached, charts

#: (module, name) of each heavy step the page runs on a cold visit and must not run again when warm
HEAVY = [(rw, "next_wave"), (cached, "fatigue_by_contacts"), (cached, "plays_summary"), (cached, "planning_curve"),
         (cached, "fit_uplift"), (cached, "play_outcomes"), (charts, "effects")]

#: a private copy of the small demo store; the calls of each heavy step, from empty caches
store_url = warm.store_fixture("roi_warm")
calls = warm.cold_calls_fixture(HEAVY)


def test_a_warm_rerun_recomputes_no_heavy_step(monkeypatch, store_url, calls):
    at = open_page(monkeypatch, store_url, "intervention_roi", timeout=600)
    # the demo's first play keeps 96 % without it: the default 5 points to detect would pass 100 %, so no curve
    at = warm.settled(at.number_input(key="roi_plan_effect").set_value(2.0).run())
    assert not at.error, [e.value for e in at.error]
    warm.assert_cold_then_warm(at, calls, HEAVY)


def test_a_new_budget_scores_the_wave_again_and_only_the_wave(monkeypatch, store_url, calls):
    at = warm.settled(open_page(monkeypatch, store_url, "intervention_roi", timeout=600))
    play = at.selectbox(key="roi_play").value
    budget = at.number_input(key=f"roi_wave_budget_{play}")
    calls.clear()
    budget.set_value(budget.value * 2).run()
    assert not at.exception, at.exception
    assert calls["next_wave"] == 1, dict(calls)  # a new setting is a new key: the wave is scored again
    assert calls["fit_uplift"] == calls["plays_summary"] == calls["fatigue_by_contacts"] == 0, dict(calls)
