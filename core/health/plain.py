"""The health score's statistics in plain words, one sentence before each figure (issue 21), for a leader who does
not read ROC-AUC. The figures stay for analysts (under an "Analyst detail" section); these sentences come first.

Rules (each sentence reads the figure as :func:`core.export.units.score` shows it, so the words never disagree with
the number beside them):

* a back-test ROC-AUC ``a`` (shown to 3 decimals) -> "puts a customer who churned below one who stayed N times in
  100", N = the shown figure times 100 rounded half up (0.763 -> 76, 0.7649 -> 77); "more than 99" when that rounds
  to 100 below a perfect 1, "fewer than 1" above 0; a coin toss does it 50 times;
* red against green: "red customers churned 3.41x as often as green ones", or the reason there is no ratio;
* suggested weights: both rankings in the same words, and whether the suggestion is better.
"""

from __future__ import annotations

from core.export import units

#: a coin toss's ROC-AUC: no ranking at all
COIN_TOSS = 0.5


def ranking(auc: float) -> str:
    """``0.763 -> 'the score puts a customer who churned below one who stayed 76 times in 100 (a coin toss would do
    it 50 times)'``; a missing figure says why."""
    if units.is_missing(auc):
        return ("the back-test cannot compare churners with stayers: every customer it followed churned, or none "
                "did")
    text = f"the score puts a customer who churned below one who stayed {units.in_100(auc)} times in 100"
    if units.in_100(auc) == "50":
        return text + ", no better than a coin toss"
    return text + (", worse than a coin toss (50)" if auc < COIN_TOSS else " (a coin toss would do it 50 times)")


def red_green(text: str) -> str:
    """The back-test's red against green (:attr:`core.health.backtest.BacktestResult.red_green_text`) in words:
    ``'3.41x' -> 'red customers churned 3.41x as often as green ones'``, a reason as it is."""
    return f"red customers churned {text} as often as green ones" if text.endswith("x") else text


def backtest(auc: float, red_green_text: str, months: int, horizon_days: int) -> str:
    """The back-test in one sentence: ``'Over 12 months of back-test, the score puts ... 76 times in 100 (...);
    red customers churned 3.41x as often as green ones, within 90 days.'``"""
    return (f"Over {units.count(months)} months of back-test, {ranking(auc)}; {red_green(red_green_text)}, "
            f"within {units.count(horizon_days)} days of being scored.")


def suggestion(suggested: float, current: float, version: int) -> str:
    """The suggested weights against version ``version``'s on the later months, in words, and whether better."""
    if units.is_missing(suggested) or units.is_missing(current):
        return "The later months cannot tell the two sets of weights apart (no churner, or nobody stayed)."
    verdict = "better" if suggested > current else "not better"
    return (f"On the later months, the suggested weights put a customer who churned below one who stayed "
            f"{units.in_100(suggested)} times in 100, against {units.in_100(current)} with v{version}'s weights: "
            f"{verdict}.")
