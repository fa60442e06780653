"""Sample ratio check (core.roi.sample_ratio): its p-value against scipy's chi-square goodness of fit on both sides
of the 0.001 alarm, and the demo's assignment passing at the generator's planned holdout share (demo.truth) while a
broken split is caught.
"""

import pandas as pd
import pytest
from scipy import stats

from core.roi.outcomes import outcomes
from core.roi.sample_ratio import srm
from tests.core.roi.helpers import PLAYS


def test_the_demo_assignment_passes_the_sample_ratio_check(demo, inp):
    for play in PLAYS:
        f = outcomes(inp, play)
        check = srm(f, holdout_share=demo.truth["plays"][play]["holdout_share"])
        assert not check["mismatch"] and check["p_value"] > 0.5
        # a broken split (every second holdout lost) is caught
        drop = f.index[f["arm"] == "holdout"][::2]
        assert srm(f.drop(drop), holdout_share=0.15)["mismatch"]


@pytest.mark.parametrize("n_holdout,n_treatment,share,low,high,alarm", [
    (1000, 1200, None, 1e-9, 1e-3, True),     # p ~ 2e-5: well inside the alarm, far above 1e-9
    (1000, 1153, None, 5e-4, 1e-3, True),     # p ~ 0.00098: just below the alarm level
    (1000, 1152, None, 1e-3, 1.5e-3, False),  # p ~ 0.00105: just above it, no alarm
    (341, 1659, 0.2, 5e-4, 1e-3, True),       # planned 20 % holdout: p ~ 0.00097
    (342, 1658, 0.2, 1e-3, 1.5e-3, False),    # p ~ 0.00119
])
def test_sample_ratio_alarm_rings_below_p_0_001(n_holdout, n_treatment, share, low, high, alarm):
    f = pd.DataFrame({"arm": ["holdout"] * n_holdout + ["treatment"] * n_treatment})
    n = n_holdout + n_treatment
    planned = [n / 2, n / 2] if share is None else [share * n, (1 - share) * n]
    p = stats.chisquare([n_holdout, n_treatment], planned).pvalue  # independent of srm's own arithmetic
    assert low < p < high  # the case tests the band it claims to
    check = srm(f, holdout_share=share)
    assert check["p_value"] == pytest.approx(p, rel=1e-9)
    assert check["mismatch"] is alarm
