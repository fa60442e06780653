"""A play's statistics in plain words, one sentence beside each figure (issue 21), for a leader who does not read
confidence intervals, p-values, CUPED's theta or a Qini coefficient. The figures stay for analysts; these sentences
come first.

Rules (each sentence reads the figure as the page shows it, so the words never disagree with the number beside it):

* An effect with its 95 % interval: a yes/no outcome per 100 customers contacted to one decimal ("the e-mail added 7.7
  customers visited per 100 contacted, between 7.0 and 8.3"), an amount per customer contacted in money to the cent.
  An interval below zero "took away"; an interval that holds zero is "no clear effect" (the difference may be zero).
* A p-value ``p``: how often chance alone would give a difference this large if the play did nothing: "less than
  once in 1,000" below 0.001, else "about N times in 100" (N = 100 p rounded, or N in 1,000 when that is 0).
* CUPED: the share of the variance saved ``v`` reads as the extra customers a plain test would need for the same
  certainty, ``v / (1 - v)``; theta is the amount of the outcome that goes with one unit more of the covariate.
* A Qini coefficient: what targeting in the model's order gains per customer contacted over a random order; zero or
  less is "no better than choosing at random".
"""

from __future__ import annotations

from core.export import units
from core.history.feature_labels import feature_label
from core.roi.defaults import CONTROL, RETAINED

#: the plain names of the values an uplift model reads that are not features of the churn model
FEATURES = {"mrr_before": "MRR before contact", "pre_usage": "usage before contact (log)",
            "pre_revenue": "revenue before contact", "risk": "churn risk at contact", "risk_tier": "churn risk tier"}

#: how the two-model uplift model works, in a sentence
T_LEARNER = ("The uplift model guesses how much the play helps each customer: one model learns what happens to "
             "contacted customers, another what happens to held-out ones, and the gap between their two guesses is "
             "the customer's gain.")

#: the held-out arm as an option reads, and what it is
HOLDOUT_LABEL = "Holdout (no contact)"
HOLDOUT_HELP = ("Holdout (no contact) is the arm of customers held out of the play: each other arm is compared with "
                "the arm chosen here, and the difference is what the play did.")


def arm_label(arm: str) -> str:
    """An arm as an option reads: the held-out arm -> ``Holdout (no contact)``; any other arm (a name from the data,
    such as ``Mens E-Mail``) as written."""
    return HOLDOUT_LABEL if arm == CONTROL else str(arm)


def features(names) -> str:
    """The values a model reads, by their plain names: ``segment, mrr_before -> 'segment, MRR before contact'``."""
    return ", ".join(FEATURES.get(n) or feature_label(n).lower() for n in names)


def feature(name: str) -> str:
    """One value a model reads, by its plain name, capitalised: ``mrr_before -> 'MRR before contact'``."""
    text = FEATURES.get(name) or feature_label(name)
    return text[:1].upper() + text[1:]


def weight(x: float) -> str:
    """A weight such as CUPED's theta, signed, at most four decimals and four significant figures:
    ``0.007192 -> '+0.0072'``, ``0.85123 -> '+0.8512'``, ``12.345 -> '+12.35'``."""
    return units.MISSING if units.is_missing(x) else f"{round(float(x), 4):+z.4g}"


def verdict(low: float, high: float) -> str:
    """``works`` (interval above zero), ``hurts`` (below zero) or ``no clear effect`` (it holds zero)."""
    return "works" if low > 0 else "hurts" if high < 0 else "no clear effect"


def noun(outcome: str, label: str) -> str:
    """What a yes/no outcome counts: ``customers kept`` for retention, else ``customers <label>``."""
    return "customers kept" if outcome == RETAINED else f"customers {label.lower()}"


def _amount(x: float) -> str:
    return units.money(abs(x), decimals=2)


def _per_100(x: float) -> str:
    return f"{abs(100 * x):z.1f}"


def effect_short(difference: float, binary: bool) -> str:
    """An effect in a table cell: ``+7.7 per 100 contacted`` or ``+$2.31 per contact``."""
    if units.is_missing(difference):
        return units.MISSING
    if binary:
        return f"{100 * difference:+z.1f} per 100 contacted"
    return f"{units.money(difference, decimals=2, signed=True)} per contact"


def interval_short(low: float, high: float, binary: bool) -> str:
    """An interval in a table cell: ``+7.0 to +8.3`` (per 100 contacted) or ``-$0.40 to +$1.10`` (per contact)."""
    if units.is_missing(low) or units.is_missing(high):
        return units.MISSING
    if binary:
        return f"{100 * low:+z.1f} to {100 * high:+z.1f}"
    return f"{units.money(low, decimals=2, signed=True)} to {units.money(high, decimals=2, signed=True)}"


def effect(subject: str, difference: float, low: float, high: float, *, binary: bool, outcome: str,
           label: str) -> str:
    """An effect and its 95 % interval in one sentence (see the module's rules)."""
    if any(units.is_missing(x) for x in (difference, low, high)):
        return f"{subject} cannot be measured on {label.lower()}: too few contacts in an arm."
    lo, hi = sorted((abs(low), abs(high)))
    if binary:
        what, show = f"{noun(outcome, label)} per 100 contacted", _per_100
    else:
        what, show = f"of {label.lower()} per customer contacted", _amount
    if verdict(low, high) == "no clear effect":
        between = (f"{100 * low:+z.1f} and {100 * high:+z.1f}" if binary
                   else f"{units.money(low, decimals=2, signed=True)} and {units.money(high, decimals=2, signed=True)}")
        return (f"{subject} shows no clear effect: between {between} {what}, so the difference may be zero "
                "(it could also be chance).")
    verb = "added" if difference > 0 else "took away"
    return f"{subject} {verb} {show(difference)} {what}, between {show(lo)} and {show(hi)}."


def p_value(p: float, *, if_: str = "the play did nothing", what: str = "a difference this large") -> str:
    """How often chance alone gives ``what`` if ``if_`` (by default: a difference this large if the play did
    nothing)."""
    if units.is_missing(p):
        return "There are too few contacts to say how likely chance alone would be."
    if p < 0.001:
        often = "less than once in 1,000"
    elif round(100 * p) >= 1:
        often = f"about {round(100 * p)} times in 100"
    else:
        often = f"about {round(1000 * p)} times in 1,000"
    return f"If {if_}, chance alone would give {what} {often} (p-value {units.p_value(p)})."


def cuped(variance_reduction: float, covariate_label: str) -> str:
    """What CUPED's adjustment on ``covariate_label`` gained, as extra customers a plain test would need."""
    what = covariate_label.lower()
    if units.is_missing(variance_reduction) or variance_reduction <= 0:
        return f"Allowing for {what} (CUPED) does not make the estimate surer here."
    if variance_reduction >= 1:
        return f"Allowing for {what} (CUPED) removes nearly all the uncertainty of the estimate."
    extra = variance_reduction / (1 - variance_reduction)
    return (f"Allowing for {what} (CUPED) makes the estimate surer: as sure as a plain test with "
            f"{units.percent(extra, digits=0)} more customers.")


def theta(value: float, covariate_label: str, outcome_label: str) -> str:
    """CUPED's theta: how much of the outcome goes with one unit more of the covariate, taken out of each outcome."""
    if units.is_missing(value):
        return f"CUPED could not weigh {covariate_label.lower()} here."
    return (f"Each unit more of {covariate_label.lower()} goes with {weight(value)} of {outcome_label.lower()} after "
            "the contact; CUPED takes that part out of each customer's outcome, in both arms alike.")


def qini(coefficient: float, *, binary: bool, outcome: str, label: str) -> str:
    """What targeting in the uplift model's order gains per customer contacted over a random order."""
    if units.is_missing(coefficient):
        return "The uplift model could not be judged here."
    if binary:
        gain, shown = f"{_per_100(coefficient)} more {noun(outcome, label)} per 100 contacted", 100 * coefficient
        shown = round(shown, 1)
    else:
        gain, shown = f"{_amount(coefficient)} more {label.lower()} per customer contacted", round(coefficient, 2)
    if shown <= 0:
        return ("The uplift model finds no customers the play helps more than others: contacting in its order does "
                "no better than choosing at random.")
    return f"Contacting the customers the uplift model ranks first gains {gain} than choosing at random."
