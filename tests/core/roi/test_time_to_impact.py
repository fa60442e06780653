"""Time to impact (core.roi.time_to_impact): the daily difference in the retained share starts at zero, ends at the
plain difference and interval compare gives for the whole window, equals a direct pandas share on sampled days, and the
treated arm's share never rises.
"""

import pytest

from core.roi.defaults import RETAINED
from core.roi.estimates import compare
from core.roi.outcomes import outcomes
from core.roi.time_to_impact import time_to_impact


def test_time_to_impact_ends_at_the_window_difference(demo, inp):
    f = outcomes(inp, "Renewal save offer", window=90)
    t = time_to_impact(f, "treatment", window=90)
    plain = compare(f, RETAINED).iloc[0]
    assert t["day"].tolist() == list(range(91))
    assert t.iloc[0]["difference"] == 0 and t.iloc[-1]["difference"] == pytest.approx(plain["difference"])
    assert (t.iloc[-1]["low"], t.iloc[-1]["high"]) == (pytest.approx(plain["low"]), pytest.approx(plain["high"]))
    e = f[f["eligible"]]
    def share(g, d):
        return (g["churn_day"].isna() | (g["churn_day"] >= d)).mean()

    for d in (1, 17, 45):
        want = share(e[e["arm"] == "treatment"], d) - share(e[e["arm"] == "holdout"], d)
        assert t.loc[d, "difference"] == pytest.approx(want)
    assert (t["treatment"].diff().dropna() <= 0).all()
