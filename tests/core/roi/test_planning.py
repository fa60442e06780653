"""Planning (core.roi.planning): sample size and power against statsmodels' NormalIndPower, the detectable effect as
the inverse of power, and the messages for impossible inputs.
"""

import numpy as np
import pytest
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

from core.errors import DataValidationError
from core.roi.planning import detectable_effect, power, sample_size


@pytest.mark.parametrize("p0,effect,share", [(0.88, 0.04, 0.15), (0.7, 0.1, 0.5), (0.95, -0.03, 0.2)])
def test_sample_size_equals_statsmodels_power(p0, effect, share):
    plan = sample_size(p0, effect, holdout_share=share, contacts_per_month=100)
    ratio = share / (1 - share)
    n1 = NormalIndPower().solve_power(effect_size=proportion_effectsize(p0 + effect, p0), alpha=0.05, power=0.8,
                                      ratio=ratio, alternative="two-sided")
    assert plan["n_treatment_exact"] == pytest.approx(n1, rel=1e-6)
    assert plan["n_treatment"] == int(np.ceil(n1)) and plan["n_holdout"] == int(np.ceil(n1 * ratio))
    assert plan["months"] == pytest.approx(plan["n_total"] / 100)
    got = power(p0, effect, plan["n_treatment"], plan["n_holdout"])
    want = NormalIndPower().power(proportion_effectsize(p0 + effect, p0), plan["n_treatment"], 0.05,
                                  ratio=plan["n_holdout"] / plan["n_treatment"])
    assert got == pytest.approx(want, rel=1e-9) and got >= 0.8


def test_detectable_effect_is_the_inverse_of_power():
    e = detectable_effect(0.88, 1362, 240)
    assert 0.03 < e < 0.08
    assert power(0.88, e, 1362, 240) == pytest.approx(0.8, abs=1e-6)
    assert np.isnan(detectable_effect(0.88, 1, 240))


def test_planning_rejects_impossible_inputs():
    for args in [(1.2, 0.1), (0.9, 0.2), (0.5, 0.0)]:
        with pytest.raises(DataValidationError, match="between 0% and 100%, and the effect must not be zero"):
            sample_size(*args)
    with pytest.raises(DataValidationError) as bad:
        sample_size(0.9, 0.2)
    # the rates in percent (the page's planner takes them so), never as fractions such as 0.900
    assert str(bad.value).endswith(f"got {90:.1f}% without the play and {110:.1f}% with it (an effect of "
                                   f"+{20:.1f} pts).")
    with pytest.raises(DataValidationError, match=r"holdout share must lie between 0% and 100% \(got 100\.0%; 15% "):
        sample_size(0.8, 0.05, holdout_share=1.0)
    with pytest.raises(DataValidationError, match=r"\(got 100\.0% power and 5\.0% significance\)"):
        sample_size(0.8, 0.05, power_target=1.0)
