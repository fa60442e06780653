"""The cohort choices that suit what the store holds: one rule for the Cohort curves page and the CLI.

A cohort table answers "of the customers who started in a period, how many were still here k periods later". What
"still here" can mean depends on the data:

* a **recurring-revenue book** (churn dates): retained while not churned, cohorts by signup (the settings' defaults);
* a **purchase log** (dated purchases, no churn dates): a buyer is never "churned", so retained-while-not-churned
  reads 100 % everywhere; cohorts by first purchase and "retained = purchased in the period" instead;
* a **mix** of a recurring-revenue book and a purchase log: the purchase log's choices (:data:`MIX_NOTE`), since
  the buyers have no churn date of their own and would read 100 % retained; the book's customers (no purchases)
  fall out of that table and are read under revenue retention, or with the book's choices picked on the page;
* a **usage log** (dated activity, no churn dates): retained when active in the period, cohorts by signup when
  the customers have signup dates, else by first activity;
* a **snapshot** (tenure and a churn flag on one as-of day): every churn is dated on that day, so each cohort reads
  100 % until it and nothing after it: the data holds no cohort retention. What it does hold is each customer's
  tenure and whether it left, which is exactly what survival on tenure (Kaplan-Meier, :mod:`core.cohorts.survival`)
  uses; the page leads with that.

:func:`cohort_defaults` reads the store profile (:func:`core.store.profile.profile`) and returns the settings, which
section leads, and a sentence saying why.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.cohorts.settings import CohortSettings
from core.store.profile import StoreProfile

#: which section of the Cohort curves page comes first
LEADS = ("table", "survival")

#: each choice's plain words, by setting and code (the widgets show these; the settings keep the codes)
LABELS = {
    "cohort_by": {"signup": "Signup", "first_activity": "First activity or purchase"},
    "period": {"month": "Month", "quarter": "Quarter", "week": "Week", "day": "Day"},
    "measure": {"logo": "Customers retained", "net_revenue": "Net revenue retained",
                "gross_revenue": "Gross revenue retained", "count": "Number of customers"},
    "retained_by": {"subscription": "Not churned", "activity": "Active in the period"},
    "definition": {"on": "In the period", "on_or_after": "In or after the period"},
    "base": {"period0": "First period", "previous": "Previous period"},
    "weighting": {"weighted": "Weighted by cohort size", "simple": "Simple mean of cohorts"},
}


def label(setting: str, code: str) -> str:
    """The plain words of one choice's code (the code itself when it has none).

    >>> label("base", "period0"), label("cohort_by", "first_activity")
    ('First period', 'First activity or purchase')
    """
    return LABELS.get(setting, {}).get(code, str(code))


def cohort_basis(cohort_by: str, found: StoreProfile) -> str:
    """What a cohort's start is, in words for a label: "Signup", "First-purchase" (a purchase log) or
    "First-activity".

    >>> from core.store.profile import Holding, StoreProfile
    >>> cohort_basis("first_activity", StoreProfile((Holding("purchases", 9),)))
    'First-purchase'
    """
    if cohort_by == "signup":
        return "Signup"
    return "First-purchase" if found.has("purchases") and not found.has("usage") else "First-activity"


#: how the survival curves date a buyer's churn (buyers have no churn date of their own)
LAPSE_NOTE = ("Buyers without a contract have no churn date of their own: a buyer counts as churned when no purchase "
              "follows the last one within the lapse period (the same rule as every page; set it on the Churn "
              "drivers page), and is still counted as a customer while that period has not run out.")


@dataclass(frozen=True)
class CohortDefaults:
    """The cohort choices for a store.

    Attributes
    ----------
    settings : CohortSettings
        The table's default choices (``cohort_by``, ``retained_by``, ``definition``; the rest as
        :class:`CohortSettings`).
    lead : {'table', 'survival'}
        ``survival`` when the store cannot give cohort retention (a snapshot): survival on tenure comes first.
    note : str
        Why these choices, in plain words (empty for a recurring-revenue book, where they are the usual ones).
    survival : bool
        Whether survival curves mean anything here: the store has churn dates (a book or a snapshot's churn flag),
        or buyers, whose churn is the lapse rule's (core.buyers.lapse: no purchase within N days).
    survival_note : str
        How churn is dated for the survival curves, when it is not the store's own churn dates (a purchase log).
    """

    settings: CohortSettings
    lead: str = "table"
    note: str = ""
    survival: bool = True
    survival_note: str = ""


def cohort_defaults(found: StoreProfile) -> CohortDefaults:
    """The cohort choices that suit the store ``found`` (see the module text).

    Parameters
    ----------
    found : core.store.profile.StoreProfile
        What the store holds.

    Returns
    -------
    CohortDefaults

    Examples
    --------
    >>> from core.store.profile import Holding, StoreProfile
    >>> log = StoreProfile((Holding("customers", 3), Holding("purchases", 9)))
    >>> d = cohort_defaults(log)
    >>> d.settings.cohort_by, d.settings.retained_by, d.lead
    ('first_activity', 'activity', 'table')
    """
    dated_churn = found.has("churn_dates")
    if found.has("recurring_revenue") and found.has("purchases"):
        return CohortDefaults(
            CohortSettings(cohort_by="first_activity", retained_by="activity", definition="on"),
            note=MIX_NOTE, survival=True, survival_note=LAPSE_NOTE)
    if found.has("recurring_revenue"):
        return CohortDefaults(CohortSettings(), survival=dated_churn)
    if found.has("purchases"):
        return CohortDefaults(
            CohortSettings(cohort_by="first_activity", retained_by="activity", definition="on"),
            note="This store is a purchase log (dated purchases, no churn dates), so cohorts are by first purchase "
                 "and a customer counts as retained in a period when it purchased in it.", survival=True,
            survival_note=LAPSE_NOTE)
    if found.has("snapshot"):
        return CohortDefaults(CohortSettings(), lead="survival", note=snapshot_note(found), survival=True)
    if found.has("usage") and not dated_churn:
        by = "signup" if found.get("customers") is not None and found.get("customers").first else "first_activity"
        return CohortDefaults(
            CohortSettings(cohort_by=by, retained_by="activity", definition="on"),
            note="This store holds product usage but no churn dates, so a customer counts as retained in a period "
                 "when it was active in it.", survival=False)
    return CohortDefaults(CohortSettings(), survival=dated_churn)


#: why a mix (a recurring-revenue book beside a purchase log) gets the purchase log's cohort choices
MIX_NOTE = ("This store is a mix: a recurring-revenue book beside a purchase log. Its buyers without recurring revenue "
            "have no churn date of their own, so \"retained while not churned\" would read 100 % for them; cohorts "
            "are therefore by first purchase and a customer counts as retained in a period when it purchased in it. "
            "The book's customers, who have no purchases, are not in this table: their retention is under Revenue "
            "retention below, or choose cohorts by signup and retained while not churned to see them.")


def snapshot_note(found: StoreProfile) -> str:
    """Why a snapshot gives no cohort retention, naming its as-of day(s)."""
    first, last = found.span("snapshot")
    day = first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"
    return (f"This store is a snapshot: one as-of day ({day}) with each customer's tenure and a churn flag. "
            "Every churn is dated on that day, so each cohort would read 100 % retained until then: a snapshot "
            "cannot give cohort retention. Survival on tenure uses what it does hold: how long each "
            "customer stayed and whether it left. Import dated activity, purchases or recurring revenue to see "
            "cohort retention.")
