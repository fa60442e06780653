"""Closing the loop with detractors: of the NPS detractors (an answer of 0 to 6) whose customer is in the store, the
share followed up within a target number of days of their answer, and the churn within N days of the answer of those
followed up in time against the others (95 % Wilson intervals; the gap with Newcombe's interval, statsmodels).

An answer is judged for churn like a ticket (:mod:`core.service.outcomes`): its customer had not churned before the
answer's day, and the N days after it have passed by the data's last day. An association, not an experiment: a team
may call back first the customers it hopes to keep."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from core.errors import NoDataYetError
from core.history.inputs import load_inputs
from core.store.dates import datetimes
from core.store.read import load_columns

#: an NPS answer at most this is a detractor's
DETRACTOR = 6
#: a detractor counts as followed up in time within this many days of the answer, by default (the page's, the CLI's)
TARGET_DAYS = 2
FEEDBACK = ["customer_id", "date", "channel", "score", "followed_up"]
#: the name of its table in a workbook
SHEET = "Detractor follow-up"
NO_DETRACTORS = ("No NPS detractor (an answer of 0 to 6) names a customer in the store: import NPS answers with the "
                 "customer id, and the day each was followed up, to see whether following detractors up keeps them.")


@dataclass(frozen=True)
class FollowUp:
    """The detractors followed up in time and what followed (shares as fractions; NaN where nothing is counted).

    Attributes
    ----------
    detractors, in_time : int
        Detractor answers with a known customer; those followed up within ``target_days`` of the answer.
    share, share_low, share_high : float
        ``in_time / detractors`` with its 95 % Wilson interval.
    median_days : float
        Median days from the answer to the first follow-up, of the answers followed up at all.
    judged : dict
        ``"in time"`` / ``"not in time"`` -> (answers judged, followed by churn within ``days`` days).
    rates : dict
        The same keys -> (churn, low, high).
    gap, gap_low, gap_high : float
        Churn followed up in time minus not in time, with Newcombe's 95 % interval.
    """

    target_days: int
    days: int
    detractors: int
    in_time: int
    share: float
    share_low: float
    share_high: float
    median_days: float
    judged: dict
    rates: dict
    gap: float
    gap_low: float
    gap_high: float


def detractor_frame(feedback: pd.DataFrame, customers: pd.DataFrame, end, target_days: int,
                    days: int) -> pd.DataFrame:
    """One row per detractor answer with a known customer: ``customer_id, date, followed_days, in_time, judged,
    churned`` (``followed_days`` missing when never followed up, or when the follow-up's day comes before the
    answer's, a clock error the import warned about; ``churned`` only meaningful where ``judged``)."""
    fb = feedback[(feedback["channel"].astype(str).str.strip().str.lower() == "nps")
                  & (pd.to_numeric(feedback["score"], errors="coerce") <= DETRACTOR) & feedback["customer_id"].notna()]
    c = customers.assign(customer_id=customers["customer_id"].astype(str)).drop_duplicates("customer_id")
    d = fb.assign(customer_id=fb["customer_id"].astype(str)).merge(c[["customer_id", "churn_date"]], on="customer_id")
    day = datetimes(d["date"]).dt.normalize()
    followed = (datetimes(d["followed_up"]).dt.normalize() - day).dt.days
    followed = followed.where(followed >= 0)  # a follow-up before the answer is a clock error: not known
    churn = datetimes(d["churn_date"])
    alive = churn.isna() | (churn >= day)
    judged = alive & (day + pd.Timedelta(days=days) <= pd.Timestamp(end)) & day.notna()
    return pd.DataFrame({"customer_id": d["customer_id"].to_numpy(), "date": day.to_numpy(),
                         "followed_days": followed.to_numpy(), "in_time": (followed <= target_days).to_numpy(),
                         "judged": judged.to_numpy(),
                         "churned": (churn.notna() & (churn <= day + pd.Timedelta(days=days))).to_numpy()})


def within(days: int) -> str:
    """``2 days``, ``1 day``."""
    return f"{days} day{'' if days == 1 else 's'}"


def _rate(k: int, n: int) -> tuple[float, float, float]:
    if not n:
        return (np.nan, np.nan, np.nan)
    lo, hi = proportion_confint(k, n, method="wilson")
    return (k / n, float(lo), float(hi))


def follow_up(frame: pd.DataFrame, target_days: int, days: int) -> FollowUp:
    """The figures of :class:`FollowUp` from :func:`detractor_frame`'s rows.

    Raises
    ------
    core.errors.NoDataYetError
        Without a detractor answer.
    """
    if not len(frame):
        raise NoDataYetError(NO_DETRACTORS)
    n, k = len(frame), int(frame["in_time"].sum())
    j = frame[frame["judged"]]
    groups = {"in time": j[j["in_time"]], "not in time": j[~j["in_time"]]}
    judged = {g: (len(x), int(x["churned"].sum())) for g, x in groups.items()}
    rates = {g: _rate(c, m) for g, (m, c) in judged.items()}
    (n1, k1), (n0, k0) = judged["in time"], judged["not in time"]
    gap = lo = hi = np.nan
    if n1 and n0:
        gap = k1 / n1 - k0 / n0
        lo, hi = confint_proportions_2indep(k1, n1, k0, n0, method="newcomb", compare="diff")
    followed = frame["followed_days"].dropna()
    return FollowUp(target_days, days, n, k, *_rate(k, n), float(followed.median()) if len(followed) else np.nan,
                    judged, rates, float(gap), float(lo), float(hi))


def table(r: FollowUp) -> pd.DataFrame:
    """The two groups side by side: ``group, judged, churned, churn_rate, churn_low, churn_high``."""
    names = {"in time": f"followed up within {within(r.target_days)}", "not in time": "not (later or never)"}
    return pd.DataFrame([(names[g], n, k, *r.rates[g]) for g, (n, k) in r.judged.items()],
                        columns=["group", "judged", "churned", "churn_rate", "churn_low", "churn_high"])


def load_feedback(engine: Engine) -> pd.DataFrame:
    """The store's feedback rows the follow-up reads (:data:`FEEDBACK`)."""
    return load_columns(engine, "feedback", FEEDBACK)


def customers_and_end(engine: Engine) -> tuple[pd.DataFrame, pd.Timestamp]:
    """The customers (churn dates as every page reads them: :func:`core.history.inputs.load_inputs`) and the data's
    last day, for a store without tickets (with tickets, :func:`core.service.inputs.load_service` gives both).

    Raises
    ------
    core.errors.NoDataYetError
        Without customers.
    """
    inputs = load_inputs(engine)
    if not len(inputs.customers):
        raise NoDataYetError(NO_DETRACTORS)
    return inputs.customers, inputs.end()
