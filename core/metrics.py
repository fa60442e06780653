"""Headline retention metrics: one definition each, used by every page, the CLI and exports.

Conventions (stated once, here, and shown to users through :data:`GLOSSARY`):

* A customer **counts on day t** (the Customers figure) when signed up by t; one without a signup date always
  counts. A customer is **active on day t** when ``signup_date <= t`` and ``churn_date`` is empty or after t.
* The **as-of month** is, by default, the last month with recurring revenue, and a **window** is the 12 whole
  months ending with it; its start is the first day of the first month, and "start customers" are those active
  on the last day before it (both defined in :mod:`core.history.asof`).
* **MRR of a month** is the sum of ``revenue.mrr`` whose ``period`` falls in that month.
* Retention rates follow the start customers only: revenue from customers acquired inside the
  window is expansion of the business, not retention, so it is left out of NRR and GRR.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.errors import InsufficientDataError
from core.history import asof
from core.store.dates import datetimes

GLOSSARY: dict[str, str] = {
    "Customers": "Customers that match the filters and had signed up by the as-of date, active or not; a customer "
                 "without a signup date always counts (nothing says they joined later).",
    "Active customers": "Customers who had signed up and not churned on the as-of date.",
    "Logo churn rate": "Of the customers active at the start of the last 12 months, the share that "
                       "churned within those 12 months.",
    "Revenue churn rate": "Gross MRR churn over the last 12 months: MRR lost to churn and contraction by the "
                          "start customers, divided by their MRR at the start (1 - GRR).",
    "MRR": "Monthly recurring revenue: the sum of recurring revenue booked for the as-of month.",
    "NRR": "Net revenue retention: the start customers' MRR in the as-of month divided by their MRR "
           "12 months earlier, expansion included.",
    "GRR": "Gross revenue retention: like NRR, but each customer's MRR counts at most its starting MRR, "
           "so only churn and contraction move it (never above 100 %).",
    "ARPA": "Average revenue per account: MRR in the as-of month divided by the customers paying in it.",
    "ARR": "Annual recurring revenue: 12 x MRR of the as-of month (the year's revenue if every customer kept paying "
           "what they pay now).",
    "MRR at high churn risk": "MRR in the as-of month of the customers the newest saved churn model puts in its "
                              "high-risk tier (scores of the day it was saved).",
    "LTV": "Customer lifetime value: ARPA divided by the mean monthly logo churn of the last 6 months "
           "(the expected revenue of an average account over its expected lifetime).",
    "MRR movements": "Where each month's change of MRR comes from: MRR at the start (the month before) + new + "
                     "expansion + reactivation - contraction - churned = MRR at the end of the month, exactly. A "
                     "customer's MRR in a month is the sum of their recurring revenue booked for it (0 without any).",
    "New MRR": "MRR in the month of customers paying for the first time: they had no MRR in any earlier month.",
    "Expansion MRR": "The increase of customers who paid in both the month before and this month, and pay more now.",
    "Reactivation MRR": "MRR in the month of customers who paid nothing the month before but had paid in some "
                        "earlier month: returning customers.",
    "Contraction MRR": "The decrease of customers who paid in both the month before and this month, and pay less now.",
    "Churned MRR": "The MRR of the month before of customers who paid then and pay nothing this month.",
    "Churn probability": "The churn model's calibrated chance that an active customer churns within the horizon "
                         "(default 90 days) after the scoring day; a 10 % customer churns 1 time in 10.",
    "Risk tier": "The churn model's tiers: high risk at or above the churn probability where an outreach's expected "
                 "value (probability x success rate x value of a save) exceeds its cost; medium risk from half that "
                 "threshold; low risk below. (Red, amber and green name health bands, never risk tiers.)",
    "ROC-AUC": "The chance that the model ranks a random churner above a random stayer (0.5 = guessing, "
               "1 = perfect), measured on held-out customers the model never saw, with a 95 % bootstrap interval.",
    "PR-AUC": "Average precision on held-out customers: how pure the flagged list stays as more churners are "
              "caught; compare it with the churn rate (what a random list achieves).",
    "Brier score": "Mean squared gap between predicted probability and outcome (0 or 1) on held-out customers; "
                   "lower is better, and it rewards honest probabilities, not just ranking.",
    "Lift": "Churn rate in a risk decile divided by the overall churn rate: how much better than random the "
            "riskiest customers are picked.",
    "SHAP value": "How much one feature moves one customer's predicted churn log-odds away from the average "
                  "customer's; a customer's values plus the average add up to the model's output.",
    "Controllable driver": "A feature a retention play can move (usage, support speed, surveys, plan or price), as "
                           "opposed to context such as region or tenure.",
    "Health score": "0 to 100: the weighted sum of measure points (usage, support, surveys, revenue, renewal; for "
                    "buyers without a contract, days since the last purchase instead of renewal), weights by "
                    "lifecycle stage adding up to 100; a measure without data is dropped and the others "
                    "re-weighted, so the measures' contributions add up to the score.",
    "Health band": "Red for a health score up to 50, amber up to 75, green above (the limits are part of the "
                   "saved configuration and can be edited).",
    "Lifecycle stage": "Onboarding in the first 90 days after signup; renewal window in the 90 days before the "
                       "next annual renewal; adoption otherwise (default windows, editable in the configuration).",
    "Health back-test AUC": "How well past health scores ranked the customers who churned within the horizon (90 "
                            "days unless set otherwise) after each back-test month end: "
                            "the chance that a churner had a lower score than a customer who stayed (0.5 = no "
                            "better than chance, 1 = perfect).",
    "NPS": "Net promoter score: % of 0-10 answers that are 9-10 (promoters) minus % that are 0-6 (detractors), "
           "-100 to 100, with a 95 % normal interval.",
    "CSAT": "Customer satisfaction: % of 1-5 answers that are 4 or 5, with a 95 % Wilson interval.",
    "CES": "Customer effort score: the mean 1-7 answer (higher = easier), with a 95 % Student t interval.",
    "Sentiment": "VADER's compound score of a verbatim, -1 (most negative) to +1; negative at or below -0.05, "
                 "positive at or above +0.05. A verbatim also counts as negative when its score is low (NPS 0-6, "
                 "CSAT 1-2, CES 1-3, 1-2 stars).",
    "Theme": "A codebook entry with a stable id: a verbatim names the theme when it contains one of its keywords "
             "or phrases as whole words (and none of its exclusions); a sub-theme's verbatims count for its parent.",
    "NPS impact": "NPS of every NPS answer in the window minus NPS of the answers whose comment does not name the "
                  "theme: how many points the theme's answers move the total (negative = pulls NPS down).",
    "Churn impact": "Churn rate within 180 days after a customer first named the theme, minus the churn rate within "
                    "180 days after the first verbatim of customers who did not (95 % Newcombe interval); only "
                    "customers whose 180 days have passed count.",
    "MRR at risk": "The latest MRR of still-active customers who named the theme in a negative verbatim in the "
                   "window.",
    "Churn signal": "A verbatim with a word such as cancel, switching, leave, not renew or disappointed that is "
                    "not negated (\"we will not cancel\" is no signal): flagged for immediate outreach.",
    "Closure rate": "Of a team's follow-up items (negative or churn-signal verbatims naming its themes), the share "
                    "whose status is closed.",
    "Holdout": "Customers picked for a play at random and deliberately not contacted, so the play can be measured "
               "against what would have happened anyway.",
    "Eligible contact": "A contact whose whole measurement window lies inside the data and whose customer was still "
                        "a customer on the contact date; only eligible contacts are in the denominators.",
    "Play effect": "Retention (or another outcome) of the contacted arm minus that of the holdout over the window "
                   "after contact, with a 95 % interval (Wald for a yes/no outcome, Welch for an amount).",
    "CUPED": "The play effect after removing the part of each outcome that a value measured before contact "
             "(revenue or usage) predicts: the same expected effect, a narrower interval.",
    "Sample ratio mismatch": "Arm sizes that do not fit the planned split (chi-square p below 0.001): assignment or "
                             "logging is broken and the play's estimates should not be trusted.",
    "Customers saved": "Play effect on retention x contacts treated: customers still here at the end of the window "
                       "because of the play (with CUPED on, as in the review, the CUPED-adjusted effect).",
    "Revenue saved": "Play effect on revenue kept in the window x contacts treated x gross margin.",
    "ROI": "(Revenue saved - cost) / cost. The projected ROI values each customer saved at their MRR before "
           "contact for an assumed number of months, times the margin.",
    "Time to impact": "The difference in the share still a customer, contacted minus held out, on each day since "
                      "contact: when the play starts to work and whether the gain holds.",
    "Power": "The chance that a play with a given true effect shows a significant difference; the sample size is "
             "the number of contacts (treated and held out) needed for 80 % power.",
    "Contact fatigue": "How a play's effect changes with the other contacts (any play) a customer received in the 30 "
                       "days before, same day included; held-out rows were never sent, so they do not count.",
    "Expected net value": "For the next wave: the uplift model's predicted uplift x the value of a save (the "
                          "customer's MRR x months x margin, or a value given per unit) - the contact's cost. Only "
                          "customers like the play's past contacts are scored.",
    "Contacts": "Rows of a play: every customer picked for it on a date, contacted or held out.",
    "Contacts treated": "A play arm's contacts that were actually made and measured (eligible), held-out rows "
                        "excluded.",
    "Top driver": "The churn model's features ranked by mean absolute SHAP value on held-out customers: what moves "
                  "predicted churn most, whichever way.",
    "Customers scored": "Active customers with at least the configuration's minimum number of health measures (3 "
                        "unless changed) on the day; a customer with fewer has no score and no band.",
    "MRR in red": "Monthly recurring revenue of the customers whose health band is red on the day.",
    "Band churn rate": "In the health back-test, the share of a band's scored customers who churned within the "
                       "horizon (90 days unless set otherwise) after the month end they were scored on, over every "
                       "back-test month.",
    "Red/green churn ratio": "The red band's back-test churn rate divided by the green band's: how many times more "
                             "often red customers left.",
    "Mentions": "Verbatims in the window that name the theme (a sub-theme's count for its parent).",
    "Undated verbatims": "Verbatims without a date (reviews exported without one): no date range or quarter holds "
                         "them, so they count only in the all-dates view of the Feedback themes page.",
    "Cost": "The cost recorded on a play's treated contacts (holdout rows cost nothing).",
    "Value of customers saved": "Customers saved x their mean MRR before contact x the months a saved customer is "
                                "assumed to stay x gross margin (the assumptions are in the review's register).",
    "Net value": "Value (revenue saved in the window, or the projected value of customers saved) minus cost.",
    "Active buyers": "Customers with at least one purchase in the 12 whole months ending with the as-of month (a "
                     "purchase: a purchase row, or a one-off sale that is not a return).",
    "Repeat-purchase rate": "Of the active buyers, the share that bought on at least 2 distinct days in the 12 "
                            "months.",
    "Revenue": "One-off revenue booked in the 12 months ending with the as-of month, net of returns (a return is "
               "a negative amount).",
    "Revenue per buyer": "Revenue (net of returns) in the 12 months divided by the active buyers.",
    "Purchase frequency": "Purchase days per active buyer in the 12 months: distinct days with a purchase, "
                          "averaged over the buyers (several purchases on one day count once).",
    "Revenue retention by cohort": "A cohort is the month of its customers' first purchase; cell k is the "
                                   "cohort's revenue (net of returns) in month k divided by its revenue in month 0 "
                                   "(months after the as-of month are empty).",
    "Lapse churn": "A purchase log's churn: a buyer has churned when no purchase follows the last one within N days; "
                   "the churn date is the last purchase plus N days, once that day has come. N is proposed as the "
                   "90th percentile of the gaps between a customer's consecutive purchase days, rounded up.",
    "Lifetime value (buyers)": "What a buyer's purchases over the coming months are worth today: expected purchases "
                               "(BG/NBD) x expected value per purchase (Gamma-Gamma), month by month, discounted at "
                               "the monthly rate.",
    "Chance still a buyer": "BG/NBD's probability that a buyer has not dropped out, from how often and how recently "
                            "they bought; a buyer who bought only once counts as still a buyer (drop-out follows a "
                            "repeat purchase in the model).",
    "Expected purchases": "BG/NBD's expected purchase days of a buyer in the coming period, given their frequency, "
                          "recency and time since the first purchase.",
}


def definition(metric: str) -> str | None:
    """The :data:`GLOSSARY` text of a metric as figures and exports name it: ``"ROI (projected)"`` and ``"Revenue
    saved (window)"`` are :data:`GLOSSARY`'s ``ROI`` and ``Revenue saved`` (None for an unknown name).

    Examples
    --------
    >>> definition("ROI (window)") == GLOSSARY["ROI"]
    True
    """
    if metric in GLOSSARY:
        return GLOSSARY[metric]
    base = metric.rsplit(" (", 1)[0]
    return GLOSSARY.get(base)


def definitions_table() -> pd.DataFrame:
    """Every definition, as the exports' definitions sheet: ``metric, definition`` (glossary order)."""
    return pd.DataFrame({"metric": list(GLOSSARY), "definition": list(GLOSSARY.values())})


@dataclass(frozen=True)
class Headline:
    """The Overview's figures for one as-of month (rates as fractions, money in store currency).

    ``customers`` counts those signed up by ``as_of`` (:func:`signed_up_by`), like every count of the Overview,
    the review and the CLI."""

    as_of: dt.date
    customers: int
    active_customers: int
    logo_churn_rate: float
    revenue_churn_rate: float
    mrr: float
    nrr: float
    grr: float


def _month_start(d) -> pd.Timestamp:
    return pd.Timestamp(d).to_period("M").to_timestamp()


def signed_up_by(customers: pd.DataFrame, day) -> pd.Series:
    """Boolean mask of the customers counted on ``day``: signed up on or before it. A customer without a signup
    date always counts: the store holds them and nothing says they joined later (a customer list without dates
    keeps its size on every day)."""
    signup = datetimes(customers["signup_date"])
    return signup.isna() | (signup <= pd.Timestamp(day))


def active_on(customers: pd.DataFrame, day) -> pd.Series:
    """Boolean mask of customers active on ``day`` (see the module conventions)."""
    day = pd.Timestamp(day)
    signup = datetimes(customers["signup_date"])
    churn = datetimes(customers["churn_date"])
    return (signup <= day) & (churn.isna() | (churn > day))


def monthly_mrr(revenue: pd.DataFrame) -> pd.DataFrame:
    """MRR per customer per month.

    Parameters
    ----------
    revenue : pandas.DataFrame
        Columns ``customer_id, period, mrr`` (rows without ``mrr`` are one-off sales and are ignored).

    Returns
    -------
    pandas.DataFrame
        Columns ``customer_id, month`` (month start), ``mrr``; one row per customer and month.
    """
    rev = revenue.dropna(subset=["mrr"])
    month = datetimes(rev["period"]).dt.to_period("M").dt.to_timestamp()
    return (rev.assign(month=month).groupby(["customer_id", "month"], as_index=False)["mrr"].sum())


#: per as-of month, the revenue sums behind the headline (:func:`revenue_sums`): the start customers' MRR in the
#: base month and in the as-of month, the sum of each one's lower of the two, every customer's MRR in the as-of
#: month, and the MRR and number of the customers paying in it (MRR above 0: ARPA)
SUMS = ("base", "now", "kept", "mrr", "paying_mrr", "paying")

#: a function giving :func:`revenue_sums`' table of the customers at hand for a list of months (month starts)
Sums = Callable[[list[pd.Timestamp]], pd.DataFrame]


def headline(customers: pd.DataFrame, revenue: pd.DataFrame, as_of=None, sums: Sums | None = None) -> Headline:
    """The Overview's headline metrics of ``customers`` (``customer_id, signup_date, churn_date``) for the 12 months
    ending with ``as_of``'s month (any day of it; default :func:`core.history.asof.as_of_month`), their MRR from
    ``sums`` (:data:`Sums`, e.g. an engine's: :func:`core.buyers.engine_headline.revenue_sums`) or else from their
    ``revenue`` rows (``customer_id, period, mrr``: :func:`frame_sums`).

    Raises
    ------
    InsufficientDataError
        No customers, or nobody was active at the start of the window.
    """
    if customers.empty:
        raise InsufficientDataError("There are no customers yet: import a customer file or load the demo data.")
    month = _month_start(asof.as_of_month(customers, revenue) if as_of is None else as_of)
    return _headline(customers, (sums or frame_sums(customers, revenue))([month]).loc[month], month)


def frame_sums(customers: pd.DataFrame, revenue: pd.DataFrame) -> Sums:
    """:func:`revenue_sums` of ``customers`` and their ``revenue`` rows, the customers' MRR per month pivoted once
    for every list of months asked."""
    mrr = monthly_mrr(revenue) if len(revenue) else pd.DataFrame(columns=["customer_id", "month", "mrr"])
    by_cust = mrr.pivot_table(index="customer_id", columns="month", values="mrr", aggfunc="sum", fill_value=0.0)
    return lambda months: revenue_sums(customers, by_cust, months)


def revenue_sums(customers: pd.DataFrame, by_cust: pd.DataFrame, months: list[pd.Timestamp]) -> pd.DataFrame:
    """:data:`SUMS` per month of ``months`` (month starts; the index), from ``by_cust`` (MRR per customer and
    month: a pivot of :func:`monthly_mrr`); the start customers are ``customers`` active the day before each
    month's window."""
    rows = []
    for month in months:
        w = asof.window(month)
        starters = customers.loc[active_on(customers, w.day_before), "customer_id"]
        base = by_cust.get(w.base_month.to_timestamp(), pd.Series(dtype=float)).reindex(starters, fill_value=0.0)
        now = by_cust.get(month, pd.Series(dtype=float)).reindex(starters, fill_value=0.0)
        current = by_cust.get(month, pd.Series(dtype=float))
        paying = current[current > 0]
        rows.append((float(base.sum()), float(now.sum()), float(np.minimum(now.to_numpy(), base.to_numpy()).sum()),
                     float(current.sum()), float(paying.sum()), len(paying)))
    return pd.DataFrame(rows, columns=list(SUMS), index=pd.DatetimeIndex(months, name="month"))


def _headline(customers: pd.DataFrame, sums: pd.Series, end_month: pd.Timestamp) -> Headline:
    """The headline as of ``end_month`` from the customers and their revenue sums for that month (a row of
    :func:`revenue_sums`)."""
    w = asof.window(end_month)
    as_of_day, start_day = w.end, w.day_before

    start_active = active_on(customers, start_day)
    if not start_active.any():
        raise InsufficientDataError(
            f"Nobody was active on {start_day.date()}, the day before the 12-month window starts: "
            "choose a later as-of month or import more history.")
    churn = datetimes(customers.loc[start_active, "churn_date"])
    churned = churn.notna() & (churn <= as_of_day)
    logo = float(churned.mean())

    base_total = float(sums["base"])
    if base_total > 0:
        nrr = float(sums["now"]) / base_total
        grr = float(sums["kept"]) / base_total
    else:
        nrr = grr = float("nan")
    return Headline(
        as_of=as_of_day.date(), customers=int(signed_up_by(customers, as_of_day).sum()),
        active_customers=int(active_on(customers, as_of_day).sum()), logo_churn_rate=logo,
        revenue_churn_rate=1.0 - grr, mrr=float(sums["mrr"]), nrr=nrr, grr=grr)


def trend_months(as_of, months: int = 12) -> list[pd.Timestamp]:
    """The ``months`` month starts ending with ``as_of``'s month, oldest first."""
    end = _month_start(as_of)
    return [end - pd.DateOffset(months=k) for k in range(months - 1, -1, -1)]


def trend(customers: pd.DataFrame, revenue: pd.DataFrame, as_of=None, months: int = 12,
          sums: Sums | None = None) -> pd.DataFrame:
    """The headline metrics for each of the ``months`` months ending with ``as_of`` (for sparklines); ``sums`` as in
    :func:`headline`.

    One row per month (``as_of`` = month end) with the :class:`Headline` fields as columns; months whose window has
    no start customers are left out.
    """
    ends = trend_months(asof.as_of_month(customers, revenue) if as_of is None else as_of, months)
    table = (sums or frame_sums(customers, revenue))(ends)
    rows = []
    for month in ends:
        try:
            rows.append(_headline(customers, table.loc[month], month).__dict__)
        except InsufficientDataError:
            continue
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Lifetime:
    """ARPA, the churn it is divided by, and the resulting LTV (``formula`` spells it out)."""

    arpa: float
    monthly_churn: float
    ltv: float
    months: list[float]
    formula: str


def monthly_churn(customers: pd.DataFrame, month) -> float:
    """Logo churn of one calendar month: churned in it / active on the day before it starts."""
    start = _month_start(month)
    before = start - pd.Timedelta(days=1)
    end = start + pd.offsets.MonthEnd(0)
    active = active_on(customers, before)
    churn = datetimes(customers.loc[active, "churn_date"])
    return float((churn <= end).sum() / active.sum()) if active.any() else float("nan")


def lifetime_value(customers: pd.DataFrame, revenue: pd.DataFrame, as_of=None, months: int = 6) -> Lifetime:
    """LTV = ARPA / mean monthly logo churn over the ``months`` months ending with the as-of month.

    Raises
    ------
    InsufficientDataError
        No recurring revenue in the as-of month, or no churn at all in the window (LTV unbounded).
    """
    if as_of is None:
        as_of = asof.as_of_month(customers, revenue)
    end = _month_start(as_of)
    mrr = monthly_mrr(revenue) if len(revenue) else pd.DataFrame(columns=["customer_id", "month", "mrr"])
    now = mrr[(mrr["month"] == end) & (mrr["mrr"] > 0)]
    if now.empty:
        raise InsufficientDataError(f"No recurring revenue in {end:%b %Y}: ARPA, and so LTV, need MRR.")
    arpa = float(now["mrr"].sum() / now["customer_id"].nunique())
    rates = [monthly_churn(customers, end - pd.DateOffset(months=i)) for i in range(months - 1, -1, -1)]
    mean = float(np.nanmean(rates)) if not all(np.isnan(rates)) else float("nan")
    if not mean > 0:
        raise InsufficientDataError(f"No churn in the last {months} months: LTV would be unbounded.")
    formula = (f"LTV = ARPA / mean monthly churn = {arpa:,.2f} / {mean:.4f} = {arpa / mean:,.0f} "
               f"(churn averaged over {end - pd.DateOffset(months=months - 1):%b %Y} to {end:%b %Y})")
    return Lifetime(arpa=arpa, monthly_churn=mean, ltv=arpa / mean, months=rates, formula=formula)
