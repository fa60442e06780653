"""core/churn/chart_text.py: each chart's sentence states the figure an independent pandas computation on a small
hand-made frame gives, and says so when there is nothing to draw (issue 21, Deliver 3)."""

import math

import numpy as np
import pandas as pd

from core.churn import chart_text as ct
from core.churn.pipeline import calibration_table, gains_table


def test_importance_names_the_strongest_driver_by_label_with_its_effect():
    d = pd.DataFrame({"feature": ["tickets_90d", "days_since_active", "plan"], "mean_abs_shap": [0.2, 0.3, 0.1]})
    top = d.loc[d["mean_abs_shap"].idxmax()]  # days_since_active
    pct = round(100 * (math.exp(top["mean_abs_shap"]) - 1))
    assert ct.importance(d) == (f"Strongest driver: Days since last activity; on average it moves a customer's odds "
                                f"of churning by {pct}%, up or down (of 3 drivers shown).")
    assert "Drivers: nothing to show" in ct.importance(d.iloc[:0])


def test_direction_follows_the_sign_of_the_correlation_and_names_categories():
    rng = np.random.default_rng(1)
    x = pd.Series(rng.normal(size=200))
    rising, falling = x * 0.5 + rng.normal(0, 0.1, 200), -x * 0.5 + rng.normal(0, 0.1, 200)
    assert x.corr(rising) > 0.1 and x.corr(falling) < -0.1
    assert ct.direction("Usage", x, rising) == "Usage: the higher it is, the higher the churn risk"
    assert ct.direction("Usage", x, falling) == "Usage: the higher it is, the lower the churn risk"
    noise = pd.Series(rng.permutation(x.to_numpy()))
    flat = noise - x * noise.corr(x) * noise.std() / x.std()  # residual: uncorrelated with x
    assert abs(x.corr(flat)) < 0.1
    assert ct.direction("Usage", x, flat) == "Usage: no clear direction of the churn risk"
    plan = pd.Series(["Basic", "Pro", "Basic", "Enterprise", "Pro"], dtype=object)
    shap = pd.Series([0.4, 0.1, 0.6, -0.3, 0.0])
    means = shap.groupby(plan).mean()
    assert ct.direction("Plan", plan, shap) == (f"Plan: churn risk highest for {means.idxmax()}, lowest for "
                                                f"{means.idxmin()}")


def test_beeswarm_reads_the_first_feature_by_value_rank():
    v = pd.Series([1.0, 2.0, 3.0, 4.0, np.nan])
    dots = pd.concat([
        pd.DataFrame({"feature": "days_since_active", "shap": [-0.4, -0.1, 0.2, 0.5, 0.0], "value": v.astype(str),
                      "rank": v.rank(pct=True)}),
        pd.DataFrame({"feature": "plan", "shap": [0.1] * 5, "value": ["A"] * 5, "rank": np.nan})], ignore_index=True)
    first = dots[dots["feature"] == "days_since_active"].dropna(subset=["rank"])
    assert first["rank"].corr(first["shap"]) > 0.1
    assert ct.beeswarm(dots) == ("Strongest of 2 drivers, Days since last activity: the higher it is, the higher "
                                 "the churn risk (a dot per customer).")
    assert "nothing to show" in ct.beeswarm(dots.iloc[:0])


def test_dependence_states_the_direction_of_its_feature():
    points = pd.DataFrame({"value": [0.0, 1.0, 2.0, 3.0], "shap": [0.3, 0.1, -0.1, -0.2]})
    assert points["value"].corr(points["shap"]) < -0.1
    assert ct.dependence(points, "usage_level_30d") == ("Usage level, last 30 days: the higher it is, the lower the "
                                                        "churn risk.")
    assert ct.dependence(points.iloc[:0], "usage_level_30d") == ("Impact of Usage level, last 30 days: nothing to "
                                                                 "show for the current choices.")


def test_net_value_reads_the_chosen_threshold_and_the_best():
    curve = pd.DataFrame({"threshold": [0.1, 0.2, 0.3, 0.4], "reached": [400, 250, 120, 40],
                          "expected_net": [-2000.0, 5200.4, 8100.0, 3000.0]})
    at, best = curve.iloc[1], curve.loc[curve["expected_net"].idxmax()]
    assert ct.net_value(curve, 0.21) == (
        f"Expected net value at a churn probability of 20% or more: ${at['expected_net']:,.0f} for "
        f"{int(at['reached'])} customers reached; highest at {best['threshold']:.0%}: ${best['expected_net']:,.0f}.")


def test_calibration_compares_predicted_and_observed_in_the_riskiest_tenth():
    rng = np.random.default_rng(3)
    p = rng.random(1000)
    y = (rng.random(1000) < p * 0.8).astype(int)
    table = calibration_table(y, p).assign(probabilities="calibrated")
    riskiest = pd.Series(p).sort_values().index[-100:]  # the riskiest tenth, by hand
    pred, obs = p[riskiest].mean(), y[riskiest].mean()
    raw = table.assign(probabilities="before calibration", observed=0.0)
    assert ct.calibration(pd.concat([raw, table], ignore_index=True)) == (
        f"Riskiest tenth of the held-out customers: {pred:.1%} predicted churn against {obs:.1%} observed.")
    tied = np.round(p * 4) / 4  # 5 values: tied probabilities share a bin, fewer than 10 bins
    table = calibration_table(y, tied).assign(probabilities="calibrated")
    assert len(table) < 10
    top = tied == tied.max()
    assert ct.calibration(table) == (f"Riskiest {top.sum()} held-out customers: {tied[top].mean():.1%} predicted "
                                     f"churn against {y[top].mean():.1%} observed.")


def test_gains_reads_the_churners_in_the_riskiest_fifth():
    rng = np.random.default_rng(4)
    p = rng.random(500)
    y = (rng.random(500) < p).astype(int)
    top = np.argsort(-p, kind="stable")[:100]  # the riskiest 20 %
    found = y[top].sum() / y.sum()
    assert ct.gains(gains_table(y, p)) == (f"The riskiest 20% of the customers hold {found:.1%} of the churners (a "
                                           "random 20% would hold 20%).")
    assert "nothing to show" in ct.gains(gains_table(y, p).iloc[:0])


def test_waterfall_gives_the_probability_and_the_largest_contribution():
    contrib = pd.Series({"tickets_90d": 0.2, "days_since_active": -0.9, "plan": 0.05})
    steps = pd.DataFrame({"step": ["average customer", "Days since last activity = 3", "Support tickets = 2",
                                   "Plan = Pro", "this customer"],
                          "delta": [-1.0, -0.9, 0.2, 0.05, -1.65],
                          "kind": ["base", "lowers risk", "raises risk", "raises risk", "base"]})
    largest = contrib.abs().idxmax()
    factor = 1 / math.exp(contrib[largest])  # below half: "divides the odds by"
    assert factor >= 2
    assert ct.waterfall(steps, 0.1234) == (f"Chance of churning: 12.3%; largest contribution: Days since last "
                                           f"activity = 3, which divides the odds of churning by {factor:.1f}.")
    assert ct.waterfall(steps.iloc[[0, 4]], 0.5) == "Chance of churning: 50.0%."
