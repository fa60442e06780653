"""Whether the store holds enough health measures to band its customers, and which data would add measures.

A health score re-weights the measures a customer has data for, so a score built on one measure looks as sure as
one built on ten. :func:`core.health.score.score` gives no score and no band to a customer with fewer measures
than the configuration's ``min_measures``; :func:`coverage` says how many customers that leaves out on a day,
which measures the store has no data for, and what to import to add them (the Health scores page, the CLI).

On the telco snapshot, for example, only *Renewal proximity* has data (renewals fall on signup anniversaries):
with the default minimum of 3 nobody gets a band, and the page says to import usage, tickets, survey answers or
revenue instead of showing "26.3 % red". On a purchase log, *Renewal proximity* has no data for a reason no import
fixes (buyers without a contract have no renewals; *Purchase recency* takes its place): the reason is said
(:data:`NO_DATA_BECAUSE`) and nothing is proposed to import for it. Purchase recency is not one of the measures of
a store without the lapse rule (:func:`core.health.score.listed`), so it is neither counted nor listed there.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.export import units
from core.health.score import MEASURES, listed

_USAGE = "product usage (activity per customer and day)"
_TICKETS = "support tickets"
_SURVEYS = "survey answers (NPS, CSAT, CES)"
#: the data that gives each measure its values, in the Data page's words
DATA_FOR = {
    "usage": _USAGE, "breadth": _USAGE, "usage_trend": _USAGE,
    "tickets": _TICKETS, "unresolved": _TICKETS, "resolve_time": _TICKETS,
    "nps": _SURVEYS, "csat": _SURVEYS, "ces": _SURVEYS,
    "mrr_trend": "recurring revenue (MRR per customer and month)",
    "failed_payments": "revenue rows with a failed-payment flag",
    "renewal": "customers with signup dates (renewals fall on signup anniversaries)",
    "recency": "purchases (a purchase log, whose buyers churn when no purchase follows within the lapse period)",
}
#: measures without data for a reason no import fixes, when the other measure named has data: key -> (other, why)
NO_DATA_BECAUSE = {
    "renewal": ("recency", "buyers without a contract have no renewals; Purchase recency, the days since the last "
                           "purchase, takes its place"),
}


@dataclass(frozen=True)
class Coverage:
    """How many customers of a scored day have enough measures for a band, and what would add measures.

    Attributes
    ----------
    min_measures : int
        The configuration's minimum.
    customers : int
        Customers scored that day (active ones), with or without a band.
    banded : int
        Those with a score and a band (at least ``min_measures`` measures).
    missing : tuple of str
        Labels of the store's measures no customer has data for, with the reason in brackets where no import
        would add it (:data:`NO_DATA_BECAUSE`).
    to_import : tuple of str
        The data that would give those measures values (:data:`DATA_FOR`, each once).
    """

    min_measures: int
    customers: int
    banded: int
    missing: tuple[str, ...]
    to_import: tuple[str, ...]
    measures: int = len(MEASURES)  # the store's measures (:func:`core.health.score.listed`)

    @property
    def below(self) -> int:
        """Customers with fewer measures than the minimum (no score, no band)."""
        return self.customers - self.banded

    @property
    def message(self) -> str:
        """What the page and the CLI say: empty when every customer has a band."""
        if not self.below:
            return ""
        have = self.measures - len(self.missing)
        add = (f" Import {_joined(self.to_import)} to add measures." if self.to_import else
               " Every measure has data for some customers; the others lack it customer by customer.")
        if not self.banded:
            return (f"No customer has the {units.count(self.min_measures)} measures a health band needs (the "
                    f"minimum in the configuration): this store has data for {units.count(have)} of the "
                    f"{units.count(self.measures)} measures, so no customer is banded and no share is shown." + add)
        return (f"{units.count(self.below)} of {units.count(self.customers)} customers have fewer than "
                f"{units.count(self.min_measures)} measures and get no score or band." + add)


def coverage(min_measures: int, scored: pd.DataFrame) -> Coverage:
    """The :class:`Coverage` of one day's scores.

    Parameters
    ----------
    min_measures : int
        The configuration's minimum (:attr:`core.health.score.HealthConfig.min_measures`).
    scored : pandas.DataFrame
        :func:`core.health.score.score` of one day (``score`` and the ``points:<key>`` columns).

    Returns
    -------
    Coverage
    """
    has = {k: f"points:{k}" in scored and scored[f"points:{k}"].notna().any() for k in MEASURES}
    keys = listed(has)
    missing = [k for k in keys if not has[k]]
    why = {k: NO_DATA_BECAUSE[k][1] for k in missing if k in NO_DATA_BECAUSE and has[NO_DATA_BECAUSE[k][0]]}
    return Coverage(int(min_measures), len(scored), int(scored["score"].notna().sum()),
                    tuple(f"{MEASURES[k].label} ({why[k]})" if k in why else MEASURES[k].label for k in missing),
                    tuple(dict.fromkeys(DATA_FOR[k] for k in missing if k not in why)), len(keys))


def _joined(items: tuple[str, ...]) -> str:
    """``a, b or c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]
