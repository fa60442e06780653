"""Churn report tables checked against sklearn and hand computations on small seeded synthetic data."""

import numpy as np
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import confusion_matrix, precision_score, recall_score, roc_auc_score

from core.churn.pipeline import (
    Economics,
    best_threshold,
    calibration_table,
    confusion_at,
    gains_table,
    net_value_curve,
    risk_tiers,
    segment_performance,
)
from core.errors import DataValidationError


def _calibrated(n, seed=0):
    """Continuous probabilities (no ties) and outcomes drawn from them."""
    rng = np.random.default_rng(seed)
    p = rng.random(n)
    return (rng.random(n) < p).astype(int), p


def test_calibration_table_matches_sklearn_quantile_curve():
    y, p = _calibrated(1000)
    table = calibration_table(y, p, bins=10)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=10, strategy="quantile")
    assert len(table) == 10 and table["customers"].sum() == len(y)
    assert (table["customers"] == 100).all()  # equal-count bins
    np.testing.assert_allclose(table["mean_predicted"], prob_pred, rtol=0, atol=1e-12)
    np.testing.assert_allclose(table["observed"], prob_true, rtol=0, atol=1e-12)


def test_gains_table_on_twenty_hand_checkable_customers():
    # ranked riskiest first: p = 0.95, 0.90, ..., 0.00; 6 churners of 20 (rate 0.3), fed in shuffled order
    ranked_y = [1, 1, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]
    ranked_p = [0.95 - 0.05 * i for i in range(20)]
    perm = np.random.default_rng(3).permutation(20)
    g = gains_table(np.array(ranked_y)[perm], np.array(ranked_p)[perm], groups=10)
    assert g["decile"].tolist() == list(range(1, 11))
    assert g["customers"].tolist() == [2] * 10
    assert g["churners"].tolist() == [2, 1, 1, 0, 1, 0, 0, 1, 0, 0]
    np.testing.assert_allclose(g["churn_rate"], [1, .5, .5, 0, .5, 0, 0, .5, 0, 0])
    np.testing.assert_allclose(g["lift"], [10 / 3, 5 / 3, 5 / 3, 0, 5 / 3, 0, 0, 5 / 3, 0, 0])
    np.testing.assert_allclose(g["cum_customers_share"], np.arange(1, 11) / 10)
    np.testing.assert_allclose(g["cum_churners_share"], [1 / 3, .5, 2 / 3, 2 / 3, 5 / 6, 5 / 6, 5 / 6, 1, 1, 1])
    np.testing.assert_allclose(g["cum_lift"], [10 / 3, 2.5, 20 / 9, 5 / 3, 5 / 3, 25 / 18, 25 / 21, 1.25, 10 / 9, 1])


def test_gains_table_matches_a_sorted_list_loop():
    y, p = _calibrated(1000, seed=1)
    g = gains_table(y, p, groups=10)
    ranked = [label for _, label in sorted(zip(p, y), key=lambda t: -t[0])]  # decile 1 = highest p
    rate, total, cum = sum(ranked) / len(ranked), sum(ranked), 0
    for d in range(10):
        part = ranked[d * 100:(d + 1) * 100]
        cum += sum(part)
        row = g.iloc[d]
        assert row["decile"] == d + 1 and row["customers"] == 100 and row["churners"] == sum(part)
        assert row["lift"] == pytest.approx(sum(part) / 100 / rate)
        assert row["cum_churners_share"] == pytest.approx(cum / total)
        assert row["cum_lift"] == pytest.approx((cum / total) / ((d + 1) / 10))
    assert g["lift"].iloc[0] > 1.5 > 0.5 > g["lift"].iloc[-1]  # informative scores concentrate churners on top
    assert g["cum_churners_share"].iloc[-1] == pytest.approx(1.0) and g["cum_lift"].iloc[-1] == pytest.approx(1.0)


def test_net_value_curve_matches_brute_force_including_ties_on_the_grid():
    rng = np.random.default_rng(2)
    p = rng.integers(0, 101, 800) / 100  # many customers sit exactly on a threshold of the grid
    y = (rng.random(800) < p).astype(int)
    e = Economics(value_saved=1200.0, outreach_cost=90.0, success_rate=0.3)
    curve = net_value_curve(p, e, y=y)
    np.testing.assert_array_equal(curve["threshold"], np.round(np.arange(0.01, 1.0, 0.01), 2))
    for _, row in curve.iterrows():
        t, reached = row["threshold"], p >= row["threshold"]
        assert row["reached"] == reached.sum() and row["churners_reached"] == y[reached].sum()
        expected = sum(pi * e.success_rate * e.value_saved - e.outreach_cost for pi in p[reached])
        realised = y[reached].sum() * e.success_rate * e.value_saved - reached.sum() * e.outreach_cost
        assert row["expected_net"] == pytest.approx(expected, abs=1e-6), t
        assert row["realised_net"] == pytest.approx(realised, abs=1e-6), t
    assert "realised_net" not in net_value_curve(p, e)
    custom = net_value_curve(p, e, thresholds=[0.0, 0.5, 1.0])
    assert custom["reached"].tolist() == [800, (p >= 0.5).sum(), (p >= 1.0).sum()]


@pytest.mark.parametrize("e", [Economics(1000.0, 100.0, 0.25), Economics(900.0, 70.0, 0.2)])
def test_best_threshold_is_the_argmax_and_sits_at_break_even(e):
    y, p = _calibrated(3000, seed=4)
    curve = net_value_curve(p, e, y=y)
    grid = curve["threshold"].to_numpy()
    brute = [sum(pi * e.success_rate * e.value_saved - e.outreach_cost for pi in p[p >= t]) for t in grid]
    assert best_threshold(curve) == grid[int(np.argmax(brute))]
    assert e.break_even == pytest.approx(e.outreach_cost / (e.success_rate * e.value_saved))
    assert abs(best_threshold(curve) - e.break_even) <= 0.01 + 1e-12


@pytest.mark.parametrize("kwargs", [{"value_saved": 0.0}, {"success_rate": 1.5}, {"success_rate": 0.0},
                                    {"outreach_cost": -1.0}])
def test_invalid_economics_is_rejected(kwargs):
    with pytest.raises(DataValidationError):
        Economics(**kwargs)


@pytest.mark.parametrize("threshold", [0.1, 0.35, 0.5, 0.9])
def test_confusion_at_matches_sklearn(threshold):
    y, p = _calibrated(500, seed=5)
    flag = (p >= threshold).astype(int)
    tn, fp, fn, tp = confusion_matrix(y, flag, labels=[0, 1]).ravel()
    c = confusion_at(y, p, threshold)
    assert (c["true_positive"], c["false_positive"], c["false_negative"], c["true_negative"]) == (tp, fp, fn, tn)
    assert c["flagged"] == flag.sum() and c["threshold"] == threshold
    assert c["precision"] == pytest.approx(precision_score(y, flag))
    assert c["recall"] == pytest.approx(recall_score(y, flag))


def test_confusion_at_flagging_nobody_has_undefined_precision():
    y, p = _calibrated(100, seed=6)
    c = confusion_at(y, p, 1.01)
    assert c["flagged"] == 0 and np.isnan(c["precision"]) and c["recall"] == 0.0
    assert c["false_negative"] == y.sum() and c["true_negative"] == len(y) - y.sum()


def test_risk_tiers_boundaries_and_random_scores():
    t = 0.3
    p = [t, np.nextafter(t, 0), t / 2, np.nextafter(t / 2, 0), 1.0, 0.0]
    assert risk_tiers(p, t).tolist() == ["high risk", "medium risk", "medium risk", "low risk", "high risk",
                                         "low risk"]
    q = np.random.default_rng(7).random(300)
    expected = ["high risk" if x >= t else "medium risk" if x >= t / 2 else "low risk" for x in q]
    assert risk_tiers(q, t).tolist() == expected


def test_segment_performance_matches_sklearn_and_warns_where_it_should():
    rng = np.random.default_rng(8)
    parts = {}
    for name in ("good_a", "good_b"):  # informative and calibrated
        q = rng.random(1500)
        parts[name] = (q, (rng.random(1500) < q).astype(int))
    parts["noise"] = (rng.uniform(0.1, 0.5, 1000), (rng.random(1000) < 0.3).astype(int))  # AUC ~0.5, calibrated
    q = np.where(rng.random(1000) < 0.2, 0.31, 0.01)  # ranks well but predicts 3x the observed rate
    parts["over"] = (3 * q + rng.uniform(-0.005, 0.005, 1000), (rng.random(1000) < q).astype(int))
    q = rng.random(50)
    parts["tiny"] = (q, (rng.random(50) < q).astype(int))
    groups = np.concatenate([[name] * len(v[0]) for name, v in parts.items()])
    p = np.concatenate([v[0] for v in parts.values()])
    y = np.concatenate([v[1] for v in parts.values()])
    perm = rng.permutation(len(y))  # interleave the segments
    groups, p, y = groups[perm], p[perm], y[perm]

    seg = segment_performance(y, p, groups, min_rows=200, min_churners=20, auc_gap=0.10).set_index("segment")
    assert sorted(seg.index) == sorted(parts)
    for name in parts:
        m = groups == name
        row = seg.loc[name]
        assert row["customers"] == m.sum() and row["churners"] == y[m].sum()
        assert row["roc_auc"] == pytest.approx(roc_auc_score(y[m], p[m]), abs=1e-12)
        assert row["calibration"] == pytest.approx(p[m].mean() / y[m].mean())
    assert seg.loc["good_a", "warning"] == "" and seg.loc["good_b", "warning"] == ""
    assert seg.loc["tiny", "warning"].startswith("too small to judge (50 customers")
    assert "ranks worse" in seg.loc["noise", "warning"] and "predicted churn is off" not in seg.loc["noise", "warning"]
    assert seg.loc["over", "calibration"] == pytest.approx(3, rel=0.3)
    assert "predicted churn is off" in seg.loc["over", "warning"] and "ranks worse" not in seg.loc["over", "warning"]


def test_calibration_table_puts_scores_on_an_edge_in_the_lower_bin_like_sklearn():
    from sklearn.calibration import calibration_curve

    from core.churn.pipeline import calibration_table

    for y, p in (([0, 0, 1, 0, 1], [.1, .2, .3, .4, .5]), ([0, 0, 0, 1, 0, 1, 1, 1], [.1, .1, .2, .2, .2, .2, .3, .3])):
        t = calibration_table(y, p, bins=2)
        true, pred = calibration_curve(y, p, n_bins=2, strategy="quantile")
        np.testing.assert_allclose(t["observed"], true)
        np.testing.assert_allclose(t["mean_predicted"], pred)
