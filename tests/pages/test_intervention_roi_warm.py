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

#: the play the tests score a wave of: the demo's first play (Onboarding call) has, in the 1,000-customer demo, one
#: held-out contact lost within 90 days, too few to fit its uplift model, so its Next wave tab scores no wave; this
#: one's model fits, and the page's default budget lists fewer of its customers than are worth contacting
PLAY = "Usage drop check-in"

#: a private copy of the small demo store; the calls of each heavy step, from empty caches
store_url = warm.store_fixture("roi_warm")
calls = warm.cold_calls_fixture(HEAVY)


def _on_play(at):
    """``at`` switched to :data:`PLAY`, without error."""
    at.selectbox(key="roi_play").set_value(PLAY).run()
    assert not at.exception, at.exception
    return at


def test_a_warm_rerun_recomputes_no_heavy_step(monkeypatch, store_url, calls):
    at = _on_play(open_page(monkeypatch, store_url, "intervention_roi", timeout=600))
    # the effect to detect set to 2 points: over the 93.4 % the play's holdout keeps it stays below 100 %, so the
    # power curve is drawn
    at = warm.settled(at.number_input(key="roi_plan_effect").set_value(2.0).run())
    assert not at.error, [e.value for e in at.error]
    warm.assert_cold_then_warm(at, calls, HEAVY)


def test_a_new_budget_scores_the_wave_again_and_only_the_wave(monkeypatch, store_url, calls):
    at = warm.settled(_on_play(open_page(monkeypatch, store_url, "intervention_roi", timeout=600)))
    play = at.selectbox(key="roi_play").value
    assert play == PLAY
    budget = at.number_input(key=f"roi_wave_budget_{play}")
    calls.clear()
    budget.set_value(budget.value * 2).run()
    assert not at.exception, at.exception
    assert calls["next_wave"] == 1, dict(calls)  # a new setting is a new key: the wave is scored again
    assert calls["fit_uplift"] == calls["plays_summary"] == calls["fatigue_by_contacts"] == 0, dict(calls)


def test_a_play_too_small_for_an_uplift_model_is_not_tried_again_on_a_rerun(monkeypatch, store_url, calls):
    """The demo's first play (Onboarding call) has too few held-out contacts lost for an uplift model: the page says
    so on every run, and a rerun does not try the fit again."""
    at = warm.settled(open_page(monkeypatch, store_url, "intervention_roi", timeout=600))
    assert at.selectbox(key="roi_play").value == "Onboarding call"
    said = [i.value for i in at.info if "Too few contacts to model uplift" in i.value]
    assert said and calls["fit_uplift"] >= 1
    calls.clear()
    at = warm.rerun(at, 2)
    assert calls["fit_uplift"] == 0
    assert [i.value for i in at.info if "Too few contacts to model uplift" in i.value] == said
