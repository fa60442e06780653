"""The churn model's statistics in plain words, one sentence beside each figure (issue 21), for a leader who does not
read ROC-AUC, PR-AUC, Brier scores or log-odds. The figures stay for analysts; these sentences come first.

Rules (each sentence reads the figure as :mod:`core.export.units` shows it, so the words never disagree with the
number beside them):

* ROC-AUC ``a`` (shown to 3 decimals) -> "ranks a churner above a stayer N times in 100", N = the shown figure times
  100 rounded half up (0.763 -> 76, 0.765 -> 77); "more than 99" when that rounds to 100 below a perfect 1; a coin
  toss is 50. Its 95 % interval the same way ("between 74 and 78 times in 100").
* PR-AUC against the churn rate: the average share of churners among the customers it flags riskiest, against the
  share of churners among all (what a random list holds), and how many times that is.
* Brier score against always guessing the churn rate (whose Brier score is ``rate * (1 - rate)``): how much closer
  the probabilities come to what happened, as a percentage (the Brier skill score).
* Log-odds: a contribution ``d`` multiplies the odds of churning by ``exp(d)`` ("raises the odds of churning by
  51%"); a mean |SHAP| ``s`` moves a customer's odds by ``exp(s) - 1`` on average, up or down.
"""

from __future__ import annotations

import math

from core.export import units

#: a coin toss's ROC-AUC: no ranking at all
COIN_TOSS = 0.5


#: "N" of "N times in 100": :func:`core.export.units.in_100`, under this module's name too (the churn page's sections
#: read it from here)
in_100 = units.in_100


def roc_auc(auc: float, ci: tuple[float, float] | None = None) -> str:
    """``0.763 -> 'ranks a churner above a stayer 76 times in 100; a coin toss would do it 50 times'``, with its
    95 % interval when given; a missing figure says why."""
    if units.is_missing(auc):
        return "cannot rank churners against stayers here (the held-out customers are all churners or all stayers)"
    text = f"ranks a churner above a stayer {in_100(auc)} times in 100"
    if ci is not None and not any(units.is_missing(c) for c in ci):
        text += f" (95% interval: between {in_100(ci[0])} and {in_100(ci[1])})"
    if in_100(auc) == "50":
        return text + ", no better than a coin toss"
    return text + (", worse than a coin toss (50)" if auc < COIN_TOSS else "; a coin toss would do it 50 times")


def pr_auc(pr: float, churn_rate: float) -> str:
    """PR-AUC against the churn rate: ``(0.45, 0.12) -> 'of the customers it flags riskiest, 45 in 100 churn on
    average, against 12 in 100 of all customers (the churn rate): 3.75 times as many'``."""
    if units.is_missing(pr) or units.is_missing(churn_rate) or churn_rate <= 0:
        return "cannot be compared with the churn rate here (no churner held out)"
    times = pr / churn_rate
    text = (f"of the customers it flags riskiest, {in_100(pr)} in 100 churn on average, against {in_100(churn_rate)} "
            f"in 100 of all customers (the churn rate)")
    if round(times, 2) <= 1:
        return text + ": no better than a list picked at random"
    return text + f": {units.multiple(times).rstrip('x')} times as many"


def guess_brier(churn_rate: float) -> float:
    """The Brier score of always guessing the churn rate for everyone: ``rate * (1 - rate)``."""
    return churn_rate * (1 - churn_rate)


def brier(score: float, churn_rate: float) -> str:
    """Brier score against always guessing the churn rate: ``(0.08, 0.12) -> 'its churn probabilities come 24%
    closer to what happened than always guessing the churn rate (12.0%) for everyone'`` (Brier 0.080 against
    0.106)."""
    if units.is_missing(score) or units.is_missing(churn_rate) or not 0 < churn_rate < 1:
        return "cannot be compared with guessing the churn rate here (no churner, or no stayer, held out)"
    skill = 1 - score / guess_brier(churn_rate)
    guess = f"always guessing the churn rate ({units.percent(churn_rate)}) for everyone"
    gain = round(100 * skill)
    if gain > 0:
        return f"its churn probabilities come {gain}% closer to what happened than {guess}"
    if gain == 0:
        return f"its churn probabilities come no closer to what happened than {guess}"
    return f"its churn probabilities are {-gain}% further from what happened than {guess}"


def odds_change(log_odds: float) -> str:
    """A contribution in log-odds as a change of the odds of churning: ``+0.41 -> 'raises the odds of churning by
    51%'``, ``-0.41 -> 'lowers the odds of churning by 34%'``, ``0 -> 'leaves the odds of churning as they are'``;
    from double (or half) on, as a factor: ``+2.27 -> 'multiplies the odds of churning by 9.7'``, ``-2.27 -> 'divides
    the odds of churning by 9.7'``."""
    factor = math.exp(log_odds)
    if factor >= 2:
        return f"multiplies the odds of churning by {factor:,.1f}"
    if factor <= 0.5:
        return f"divides the odds of churning by {1 / factor:,.1f}"
    change = round(100 * (factor - 1))
    if change > 0:
        return f"raises the odds of churning by {change}%"
    if change < 0:
        return f"lowers the odds of churning by {-change}%"
    return "leaves the odds of churning as they are"


def mean_abs_shap(label: str, value: float) -> str:
    """The top driver's mean |SHAP| (log-odds): ``('Days to renewal', 0.3) -> 'Days to renewal matters most: on
    average it moves a customer's odds of churning by 35%, up or down'``; from double on, as a factor (``'... it
    multiplies or divides a customer's odds of churning by 2.7'``)."""
    factor = math.exp(value)
    if factor >= 2:
        return (f"{label} matters most: on average it multiplies or divides a customer's odds of churning by "
                f"{factor:,.1f}")
    return (f"{label} matters most: on average it moves a customer's odds of churning by "
            f"{round(100 * (factor - 1))}%, up or down")


def probability(log_odds: float) -> str:
    """Log-odds as the probability they stand for: ``0 -> '50.0%'``."""
    return units.percent(1 / (1 + math.exp(-log_odds)))


def could_lapse(auc: float, horizon_days: int) -> str:
    """The purchase log's ROC-AUC among the buyers who could lapse within the horizon, in words."""
    return f"Among the buyers who could lapse within {horizon_days} days, the model {roc_auc(auc)}."


def headline(metrics: dict, brier_calibrated: float) -> list[str]:
    """The sentences a leader reads first about model ``metrics`` (one model's held-out figures: ``roc_auc,
    roc_auc_ci, pr_auc, churn_rate``) and its calibrated Brier score."""
    return [f"The model {roc_auc(metrics['roc_auc'], tuple(metrics.get('roc_auc_ci') or ()) or None)}.",
            _capital(pr_auc(metrics["pr_auc"], metrics["churn_rate"])) + ".",
            _capital(brier(brier_calibrated, metrics["churn_rate"])) + "."]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
