"""Chart text alternatives on the Intervention ROI page (issue 21, Deliver 3), on a copy of the session's small demo
store: every chart of every tab (AppTest draws every tab at once) has a non-empty accessible name that also stands in
a caption; the Effect chart's sentence reads the play's effect per 100 contacted and the Planning chart's the contacts
needed, both equal to an independent computation (sqlite + pandas; statsmodels); and the control-arm option reads
"Holdout (no contact)" while it still selects the held-out arm.
"""

import re
import sqlite3

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

from tests.conftest import copy_store
from tests.pages.conftest import default_window, open_page, rerun

PAGE = "intervention_roi"
PLAY = "Renewal save offer"
WINDOW = default_window()


@pytest.fixture(scope="module")
def store(small_demo_store, tmp_path_factory):
    return f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('roi_chart_text'))}"


@pytest.fixture(scope="module")
def page(store):
    mp = pytest.MonkeyPatch()
    try:
        at = open_page(mp, store, PAGE, timeout=400)
        at.selectbox(key="roi_play").set_value(PLAY)
        yield rerun(at)
    finally:
        mp.undo()


def _unescaped(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _alts(at) -> list[str]:
    return [c.proto.alt for c in at.get("vega_lite_chart")] + [c.proto.alt for c in at.get("arrow_vega_lite_chart")]


def _effect(store: str, window: int = 90) -> tuple[float, float, float]:
    """The play's retention difference (treatment minus holdout) over ``window`` days and its Wald interval, from the
    store alone: eligible contacts in the sidebar's default dates, the whole window inside the demo's data."""
    con = sqlite3.connect(store.split("///", 1)[1])
    d = pd.read_sql("SELECT i.date, i.\"group\" AS arm, c.churn_date FROM intervention i JOIN customer c USING "
                    "(customer_id) WHERE i.play = ?", con, params=(PLAY,), parse_dates=["date", "churn_date"])
    con.close()
    end = pd.Timestamp("2026-10-31")  # the demo's last day
    d = d[d["date"].between(pd.Timestamp(WINDOW[0]), pd.Timestamp(WINDOW[1]))]
    d = d[(d["date"] + pd.Timedelta(days=window) <= end + pd.Timedelta(days=1)) & ~(d["churn_date"] <= d["date"])]
    kept = (d["churn_date"].isna() | (d["churn_date"] >= d["date"] + pd.Timedelta(days=window))).astype(float)
    t, c = kept[d["arm"] == "treatment"], kept[d["arm"] == "holdout"]
    diff = t.mean() - c.mean()
    se = np.sqrt(t.mean() * (1 - t.mean()) / len(t) + c.mean() * (1 - c.mean()) / len(c))
    return diff, diff - 1.96 * se, diff + 1.96 * se


def test_every_chart_has_its_sentence_as_name_and_caption(page):
    at = page
    alts = _alts(at)
    assert len(alts) >= 5, alts  # effect, time to impact, where it works, Qini, fatigue, planning
    captions = {_unescaped(c.value) for c in at.caption}
    assert all(a.strip() for a in alts), alts
    assert [a for a in alts if a not in captions] == []
    assert any(a.startswith("Targeting the top ") for a in alts), alts  # the Qini curve
    assert any(a.startswith("Retention difference 90 days after contact: ") for a in alts), alts


def test_the_effect_sentence_equals_the_store(page, store):
    diff, lo, hi = _effect(store)
    # an interval above zero "added", else "no clear effect" (the small demo's save offer: its interval holds zero)
    want = "treatment (vs holdout) " + (
        f"added {100 * diff:.1f} customers kept per 100 contacted, between {100 * lo:.1f} and {100 * hi:.1f}."
        if lo > 0 else f"shows no clear effect: between {100 * lo:+.1f} and {100 * hi:+.1f} customers kept per 100 "
        "contacted, so the difference may be zero (it could also be chance).")
    assert want in _alts(page), _alts(page)
    impact = next(a for a in _alts(page) if a.startswith("Retention difference 90 days"))
    assert f": {100 * diff:+.1f} pts (95 % interval {100 * lo:+.1f} pts to {100 * hi:+.1f} pts);" in impact


def test_the_power_sentence_equals_statsmodels(page):
    at = page
    at.number_input(key=f"roi_plan_p0_{PLAY}").set_value(80.0)
    at.number_input(key="roi_plan_effect").set_value(4.0)
    at.number_input(key="roi_plan_share").set_value(20.0)
    rerun(at)
    n1 = NormalIndPower().solve_power(proportion_effectsize(0.84, 0.80), alpha=0.05, power=0.8, ratio=0.25)
    total = int(np.ceil(n1)) + int(np.ceil(n1 * 0.25))
    assert f"Contacts needed for 80% power: {total:,} (treated and held out together)." in _alts(at), _alts(at)


def test_the_control_arm_option_reads_as_a_phrase_and_selects_the_holdout(page):
    box = page.selectbox(key=f"roi_control_{PLAY}")
    assert "Holdout (no contact)" in box.options and "holdout" not in box.options
    assert box.value == "holdout"
    assert "held out of the play" in box.help
