"""The health score's statistics in plain words (core/health/plain.py), each sentence checked against the figure it
reads: a back-test ROC-AUC as "N times in 100" from the figure shown to 3 decimals (rounded half up, computed here
with Decimal), red against green, the suggested weights against the current ones."""

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from core.export import units
from core.health import plain


def _times(auc: float) -> str:
    """N of "N times in 100", by hand: the figure shown (3 decimals) times 100, rounded half up."""
    return str(int((Decimal(f"{auc:.3f}") * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


@pytest.mark.parametrize("auc", [0.763, 0.7649, 0.765, 0.612, 0.5, 0.501, 0.42])
def test_the_ranking_reads_the_figure_as_shown(auc):
    text = plain.ranking(auc)
    assert f"below one who stayed {_times(auc)} times in 100" in text
    if _times(auc) == "50":
        assert text.endswith("no better than a coin toss")
    elif auc < 0.5:
        assert text.endswith("worse than a coin toss (50)")
    else:
        assert text.endswith("(a coin toss would do it 50 times)")


def test_the_ranking_of_a_real_score_is_the_pairs_it_orders():
    """N in 100 is the share of (churner, stayer) pairs the score orders right (the churner lower), ties half."""
    rng = np.random.default_rng(0)
    churned = rng.random(400) < 0.3
    score = rng.normal(60, 15, 400) - 12 * churned
    auc = roc_auc_score(churned, -score)
    c, s = score[churned], score[~churned]
    pairs = ((c[:, None] < s[None, :]).sum() + 0.5 * (c[:, None] == s[None, :]).sum()) / (len(c) * len(s))
    assert pairs == pytest.approx(auc)
    assert f"{_times(pairs)} times in 100" in plain.ranking(auc)


def test_the_edges_and_a_missing_figure():
    assert "more than 99 times" in plain.ranking(0.9996)
    assert "100 times" in plain.ranking(1.0)
    assert "fewer than 1 times" not in plain.ranking(0.4) and "fewer than 1" in units.in_100(0.0004)
    assert "cannot compare churners with stayers" in plain.ranking(float("nan"))


def test_red_against_green_and_the_back_test_sentence():
    assert plain.red_green("3.41x") == "red customers churned 3.41x as often as green ones"
    assert plain.red_green("no green customer churned") == "no green customer churned"
    text = plain.backtest(0.784, "3.41x", 12, 90)
    assert text == ("Over 12 months of back-test, the score puts a customer who churned below one who stayed 78 "
                    "times in 100 (a coin toss would do it 50 times); red customers churned 3.41x as often as green "
                    "ones, within 90 days of being scored.")


def test_the_suggestion_says_both_rankings_and_whether_better():
    assert plain.suggestion(0.812, 0.784, 1) == (
        "On the later months, the suggested weights put a customer who churned below one who stayed 81 times in 100, "
        "against 78 with v1's weights: better.")
    assert plain.suggestion(0.70, 0.71, 3).endswith("against 71 with v3's weights: not better.")
    assert "cannot tell" in plain.suggestion(float("nan"), 0.7, 1)
