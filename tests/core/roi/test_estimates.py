"""Estimates (core.roi.estimates): the difference intervals against statsmodels (Wald for proportions, Welch for
means), CUPED against its closed form on a seeded sample with a known correlation, the long form of the estimates,
and, end to end, each demo play's interval covering the generator's true effect (demo.truth) with CUPED narrowing it.

The end-to-end test goes through outcomes as well; it lives here because it is the acceptance test of the estimates.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from core.roi.defaults import PRE_REVENUE, PRE_USAGE, RETAINED, REVENUE
from core.roi.estimates import compare, diff_interval, estimates_long
from core.roi.outcomes import outcomes
from tests.core.roi.helpers import PLAYS, window_of


@pytest.mark.parametrize("play", PLAYS)
def test_each_play_covers_the_true_effect_and_cuped_narrows_it(demo, inp, play):
    truth = demo.truth["plays"][play]["abs_reduction"]
    f = outcomes(inp, play, window=window_of(demo, play))
    ret = compare(f, RETAINED, covariate=PRE_USAGE).iloc[0]
    assert ret["arm"] == "treatment" and ret["n"] + ret["n_control"] == demo.truth["plays"][play]["n_targeted"]
    assert ret["low"] < truth < ret["high"]
    assert ret["cuped_low"] < truth < ret["cuped_high"]
    assert ret["cuped_high"] - ret["cuped_low"] < ret["high"] - ret["low"]
    rev = compare(f, REVENUE, covariate=PRE_REVENUE).iloc[0]
    assert rev["variance_reduction"] > 0.8  # revenue before contact explains most of revenue after it
    assert rev["cuped_high"] - rev["cuped_low"] < 0.5 * (rev["high"] - rev["low"])


@pytest.mark.parametrize("k_t,n_t,k_c,n_c", [(920, 1000, 170, 200), (45, 60, 30, 55), (1, 40, 3, 38)])
def test_difference_of_proportions_interval_equals_statsmodels_wald(k_t, n_t, k_c, n_c):
    y_t = np.r_[np.ones(k_t), np.zeros(n_t - k_t)]
    y_c = np.r_[np.ones(k_c), np.zeros(n_c - k_c)]
    d, lo, hi, p = diff_interval(y_t, y_c)
    s_lo, s_hi = confint_proportions_2indep(k_t, n_t, k_c, n_c, method="wald", compare="diff")
    assert d == pytest.approx(k_t / n_t - k_c / n_c, abs=1e-12)
    assert (lo, hi) == (pytest.approx(s_lo, abs=1e-12), pytest.approx(s_hi, abs=1e-12))
    se = np.sqrt((k_t / n_t) * (1 - k_t / n_t) / n_t + (k_c / n_c) * (1 - k_c / n_c) / n_c)
    assert p == pytest.approx(2 * stats.norm.sf(abs(d) / se), rel=1e-9)


def test_difference_of_means_interval_equals_statsmodels_welch():
    rng = np.random.default_rng(3)
    a, b = rng.lognormal(3, 1, 300), rng.lognormal(3.1, 1.4, 80)
    d, lo, hi, p = diff_interval(a, b)
    cm = CompareMeans(DescrStatsW(a), DescrStatsW(b))
    s_lo, s_hi = cm.tconfint_diff(usevar="unequal")
    assert (lo, hi) == (pytest.approx(s_lo, rel=1e-10), pytest.approx(s_hi, rel=1e-10))
    assert p == pytest.approx(cm.ttest_ind(usevar="unequal")[1], rel=1e-9)


def test_cuped_removes_the_share_of_variance_the_covariate_explains():
    rng = np.random.default_rng(7)
    n = 20000
    x = rng.normal(0, 1, n)
    arm = np.where(rng.random(n) < 0.5, "treatment", "holdout")
    y = 0.8 * x + 0.6 * rng.normal(0, 1, n) + np.where(arm == "treatment", 0.1, 0.0)  # corr(x, y) = 0.8
    f = pd.DataFrame({"arm": arm, "y": y, "x": x})
    r = compare(f, "y", covariate="x").iloc[0]
    assert r["variance_reduction"] == pytest.approx(0.64, abs=0.02)
    assert r["theta"] == pytest.approx(np.cov(y, x)[0, 1] / np.var(x, ddof=1), rel=1e-9)
    adj = y - r["theta"] * (x - x.mean())
    assert r["cuped_difference"] == pytest.approx(adj[arm == "treatment"].mean() - adj[arm == "holdout"].mean())
    assert r["cuped_low"] < 0.1 < r["cuped_high"]
    # a covariate unrelated to the outcome changes (almost) nothing
    f["noise"] = rng.normal(0, 1, n)
    r2 = compare(f, "y", covariate="noise").iloc[0]
    assert abs(r2["variance_reduction"]) < 0.002


def test_estimates_long_lists_the_plain_then_the_cuped_estimate_of_each_arm(inp):
    comp = compare(outcomes(inp, "Renewal save offer"), RETAINED, covariate=PRE_USAGE)
    long = estimates_long(comp)
    assert long["arm"].tolist() == comp["arm"].tolist() * 2
    assert long["estimate"].tolist() == ["plain"] * len(comp) + ["CUPED"] * len(comp)
    assert long["difference"].tolist() == comp["difference"].tolist() + comp["cuped_difference"].tolist()
    assert long["high"].tolist() == comp["high"].tolist() + comp["cuped_high"].tolist()
    plain = estimates_long(compare(outcomes(inp, "Renewal save offer"), RETAINED))
    assert plain["estimate"].tolist() == ["plain"] * len(comp)
