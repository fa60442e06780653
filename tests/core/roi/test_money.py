"""Money (core.roi.money): each row of the table against the measured differences from compare, the demo's contact
costs and its customers' revenue before contact, computed directly with pandas; and (Hypothesis) ROI does not depend
on the currency.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from core.roi.defaults import PRE_REVENUE, RETAINED, REVENUE
from core.roi.estimates import compare
from core.roi.money import money
from core.roi.outcomes import outcomes


def test_money_scales_the_measured_differences(demo, inp):
    f = outcomes(inp, "Renewal save offer", window=90)
    m = money(f, "treatment", margin=0.7, value_months=12, retention_covariate=None,
              revenue_covariate=PRE_REVENUE).set_index("measure")
    e = f[f["eligible"]]
    n = int((e["arm"] == "treatment").sum())
    ret = compare(f, RETAINED).iloc[0]
    rev = compare(f, REVENUE, covariate=PRE_REVENUE).iloc[0]
    cost = demo.interventions.loc[(demo.interventions["play"] == "Renewal save offer")
                                  & (demo.interventions["group"] == "treatment"), "cost"].sum()
    assert m.loc["Contacts treated", "value"] == n
    assert m.loc["Customers saved", ["value", "low", "high"]].tolist() == pytest.approx(
        [ret["difference"] * n, ret["low"] * n, ret["high"] * n])
    assert m.loc["Revenue saved (window)", "value"] == pytest.approx(rev["cuped_difference"] * n * 0.7)
    assert m.loc["Cost", "value"] == pytest.approx(cost)
    assert m.loc["Net value (window)", "value"] == pytest.approx(rev["cuped_difference"] * n * 0.7 - cost)
    assert m.loc["ROI (window)", "value"] == pytest.approx((rev["cuped_difference"] * n * 0.7 - cost) / cost)
    mrr = e.loc[e["arm"] == "treatment", "mrr_before"].mean()
    assert m.loc["Value of customers saved", "value"] == pytest.approx(ret["difference"] * n * mrr * 12 * 0.7)
    assert (m["low"] <= m["value"]).all() and (m["value"] <= m["high"]).all()


@settings(max_examples=25, deadline=None)
@given(hs.floats(0.01, 1000))
def test_roi_does_not_depend_on_the_currency(k):
    rng = np.random.default_rng(1)
    n = 400
    arm = np.where(np.arange(n) % 5 == 0, "holdout", "treatment")
    base = pd.DataFrame({"arm": arm, "eligible": True, "churn_day": np.nan, "retained": (rng.random(n) < 0.9) * 1.0,
                         "revenue_kept": rng.gamma(2, 500, n), "pre_revenue": rng.gamma(2, 500, n),
                         "pre_usage": rng.random(n), "mrr_before": rng.gamma(2, 100, n), "cost": np.where(
                             arm == "treatment", 20.0, 0.0)})
    scaled = base.assign(revenue_kept=base["revenue_kept"] * k, pre_revenue=base["pre_revenue"] * k,
                         mrr_before=base["mrr_before"] * k, cost=base["cost"] * k)
    a = money(base, "treatment").set_index("measure")
    b = money(scaled, "treatment").set_index("measure")
    for measure in ("ROI (window)", "ROI (projected)", "Customers saved"):
        assert b.loc[measure, ["value", "low", "high"]].tolist() == pytest.approx(
            a.loc[measure, ["value", "low", "high"]].tolist(), rel=1e-6, abs=1e-9)
    assert b.loc["Net value (window)", "value"] == pytest.approx(a.loc["Net value (window)", "value"] * k, rel=1e-6)
