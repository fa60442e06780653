"""The churn model's statistics in plain words (core/churn/plain.py), each sentence checked against the figure it
describes, computed here independently: the rank figure from the shown 3-decimal figure's own digits, the Brier
score of always guessing the churn rate from labels with numpy, odds changes from probabilities."""

import math

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from core.churn import plain


def _digits_half_up(x: float) -> int:
    """N in 100 read off the figure as shown ("0.765" -> 77): its first two decimals, plus one when the third is 5 or
    more (the figure is in [0, 1])."""
    shown = f"{x:.3f}"
    whole, decimals = shown.split(".")
    return int(whole) * 100 + int(decimals[:2]) + (decimals[2] >= "5")


@pytest.mark.parametrize("auc, n", [(0.763, "76"), (0.7649, "77"), (0.7644, "76"), (0.765, "77"), (0.745, "75"),
                                    (0.755, "76"), (0.5, "50"), (0.5044, "50"), (0.5046, "51"), (0.505, "51"),
                                    (0.995, "more than 99"), (0.9996, "more than 99"), (1.0, "100"),
                                    (0.004, "fewer than 1"), (0.0004, "fewer than 1"), (0.0, "0"), (0.994, "99")])
def test_n_in_100_rounds_the_shown_figure_half_up(auc, n):
    assert plain.in_100(auc) == n


def test_n_in_100_agrees_with_the_shown_figure_everywhere_between():
    for x in np.linspace(0.005, 0.994, 2000):
        assert plain.in_100(float(x)) == str(_digits_half_up(float(x))), x


def test_the_roc_auc_sentence_reads_the_rank_figure():
    rng = np.random.default_rng(0)
    y = rng.random(3000) < 0.2
    p = np.clip(0.2 + 0.25 * y + rng.normal(0, 0.2, 3000), 0, 1)
    auc = roc_auc_score(y, p)
    assert 0.7 < auc < 0.9
    said = plain.roc_auc(auc, (auc - 0.02, auc + 0.02))
    assert said.startswith(f"ranks a churner above a stayer {_digits_half_up(auc)} times in 100 (95% interval: "
                           f"between {_digits_half_up(auc - 0.02)} and {_digits_half_up(auc + 0.02)})")
    assert said.endswith("a coin toss would do it 50 times")
    assert plain.roc_auc(0.763) == "ranks a churner above a stayer 76 times in 100; a coin toss would do it 50 times"
    assert plain.roc_auc(0.5).endswith("50 times in 100, no better than a coin toss")
    assert plain.roc_auc(0.42).endswith("42 times in 100, worse than a coin toss (50)")
    assert plain.roc_auc(float("nan")).startswith("cannot rank churners")
    assert "interval" not in plain.roc_auc(0.8, (float("nan"), float("nan")))


def test_the_pr_auc_sentence_compares_with_the_churn_rate():
    rng = np.random.default_rng(1)
    y = rng.random(4000) < 0.12
    p = np.clip(0.1 + 0.3 * y + rng.normal(0, 0.15, 4000), 0, 1)
    pr, rate = average_precision_score(y, p), y.mean()
    said = plain.pr_auc(pr, rate)
    assert f", {round(100 * float(f'{pr:.3f}'))} in 100 churn on average, against {round(100 * rate)} in 100" in said
    assert said.endswith(f": {pr / rate:.2f} times as many")
    assert plain.pr_auc(0.12, 0.12).endswith("no better than a list picked at random")
    assert plain.pr_auc(0.3, 0.0).startswith("cannot be compared")


def test_the_brier_sentence_compares_with_always_guessing_the_churn_rate():
    rng = np.random.default_rng(2)
    y = (rng.random(5000) < 0.25).astype(int)
    p = np.clip(0.25 + 0.3 * (y - 0.25) + rng.normal(0, 0.1, 5000), 0, 1)
    rate = y.mean()
    guess = brier_score_loss(y, np.full(len(y), rate))  # everyone given the churn rate
    assert plain.guess_brier(rate) == pytest.approx(guess)
    score = brier_score_loss(y, p)
    gain = round(100 * (1 - score / guess))
    assert gain > 0
    assert plain.brier(score, rate) == (f"its churn probabilities come {gain}% closer to what happened than always "
                                        f"guessing the churn rate ({100 * rate:.1f}%) for everyone")
    worse = brier_score_loss(y, 1 - p)
    assert plain.brier(worse, rate).startswith(
        f"its churn probabilities are {round(100 * (worse / guess - 1))}% further from what happened")
    assert "no closer" in plain.brier(guess, rate)
    assert plain.brier(0.1, 0.0).startswith("cannot be compared")


@pytest.mark.parametrize("p0, p1", [(0.2, 0.3), (0.3, 0.2), (0.5, 0.6), (0.1, 0.1001), (0.2, 0.333), (0.333, 0.2),
                                    (0.1, 0.6), (0.6, 0.1)])
def test_a_log_odds_contribution_reads_as_a_change_of_the_odds(p0, p1):
    """From p0 to p1: the odds p / (1 - p) change by a percentage, or, from double or half on, by a factor."""
    odds0, odds1 = p0 / (1 - p0), p1 / (1 - p1)
    d = math.log(odds1) - math.log(odds0)
    ratio = odds1 / odds0
    change = round(100 * (ratio - 1))
    if ratio >= 2:
        want = f"multiplies the odds of churning by {ratio:.1f}"
    elif ratio <= 0.5:
        want = f"divides the odds of churning by {1 / ratio:.1f}"
    else:
        want = {1: f"raises the odds of churning by {change}%", -1: f"lowers the odds of churning by {-change}%",
                0: "leaves the odds of churning as they are"}[int(np.sign(change))]
    assert plain.odds_change(d) == want


def test_mean_abs_shap_and_probability():
    assert plain.mean_abs_shap("Days to renewal", math.log(1.35)) == (
        "Days to renewal matters most: on average it moves a customer's odds of churning by 35%, up or down")
    assert plain.mean_abs_shap("Plan", math.log(2.5)) == (
        "Plan matters most: on average it multiplies or divides a customer's odds of churning by 2.5")
    assert plain.probability(math.log(0.25 / 0.75)) == "25.0%"
    assert plain.could_lapse(0.612, 90) == ("Among the buyers who could lapse within 90 days, the model ranks a "
                                            "churner above a stayer 61 times in 100; a coin toss would do it 50 times.")


def test_the_headline_holds_the_three_sentences():
    lines = plain.headline({"roc_auc": 0.763, "roc_auc_ci": [0.741, 0.785], "pr_auc": 0.45, "churn_rate": 0.12},
                           0.08)
    assert lines == [
        "The model ranks a churner above a stayer 76 times in 100 (95% interval: between 74 and 79); a coin toss "
        "would do it 50 times.",
        "Of the customers it flags riskiest, 45 in 100 churn on average, against 12 in 100 of all customers (the "
        "churn rate): 3.75 times as many.",
        f"Its churn probabilities come {round(100 * (1 - 0.08 / (0.12 * 0.88)))}% closer to what happened than "
        "always guessing the churn rate (12.0%) for everyone."]
