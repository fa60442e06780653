"""The candidate pool of a next wave: today's active customers with the features the uplift model reads.

A candidate's features describe a contact made the day after ``as_of``, exactly as
:func:`core.roi.outcomes.outcomes` describes a past contact (revenue and usage up to and including the day
before it), so a model fitted on a play's contacts can score them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.errors import DataValidationError, InsufficientDataError
from core.roi import engine_outcomes
from core.roi.defaults import CONTROL, PRE_DAYS, PRE_USAGE
from core.roi.inputs import RoiInputs
from core.roi.outcomes import last_before, window_sums

_EPOCH = np.datetime64("1970-01-01", "D")


def active_mask(customers: pd.DataFrame, as_of: pd.Timestamp) -> np.ndarray:
    """True for each customer signed up on or before ``as_of`` and not churned by it."""
    on = (customers["signup_date"] <= as_of) & (customers["churn_date"].isna() | (customers["churn_date"] > as_of))
    return on.to_numpy()


def recently_contacted(interventions: pd.DataFrame, as_of: pd.Timestamp, days: int) -> pd.Series:
    """Customer ids (text) with a contact made (any play; held-out rows were not made) in the ``days`` days up to
    and including ``as_of``: those a contact the day after ``as_of`` would find within its look-back."""
    made = interventions
    if "arm" in made:
        made = made[made["arm"].astype(str) != CONTROL]
    recent = made[(made["date"] <= as_of) & (made["date"] > as_of - pd.Timedelta(days=int(days)))]
    return recent["customer_id"].astype(str)


def candidates_now(roi_inputs: RoiInputs, churn_scores: pd.DataFrame | None = None, *, as_of=None,
                   pre_days: int = PRE_DAYS, exclude_contacted_days: int | None = None,
                   customer_ids=None) -> pd.DataFrame:
    """Today's active customers with the features :func:`core.roi.outcomes.outcomes` and
    :func:`core.roi.contact_risk.risk_at_contact` give contacts, so an uplift model fitted on a play's contacts
    can score them.

    The features describe a contact made the day after ``as_of``: revenue and usage up to and including
    ``as_of``. An uplift model only speaks for customers like the contacts it learned from: restrict the
    candidates to those the play would target (``customer_ids``), since a linear model extrapolates
    freely: on the demo, the onboarding call's model, fitted on new customers whose risk was at most 0.24,
    predicts uplifts above 0.5 for the riskiest 5 % of all of today's customers (0.03 to 0.11 on its own
    contacts).

    Parameters
    ----------
    roi_inputs : core.roi.inputs.RoiInputs
        The store's plays, customers, revenue and usage.
    churn_scores : pandas.DataFrame, optional
        ``customer_id, probability, tier``: :func:`core.churn.store.latest_scores`. Gives ``risk`` and
        ``risk_tier`` (missing for customers the saved model did not score).
    as_of : date-like, optional
        Default the end of the data.
    pre_days : int
        Days of revenue and usage before the next contact (as :func:`core.roi.outcomes.outcomes`'s ``pre_days``).
    exclude_contacted_days : int, optional
        Leave out customers with a contact made (any play; held-out rows were not made) in the last
        this many days up to ``as_of`` (:func:`recently_contacted`).
    customer_ids : iterable of str, optional
        Only these customers (those the play would target now).

    Returns
    -------
    pandas.DataFrame
        One row per customer active at ``as_of`` (signed up on or before it, not churned by it):
        ``customer_id, segment, plan, region, risk, risk_tier, mrr_before`` (the latest revenue row),
        ``pre_revenue`` (revenue with a period in the last ``pre_days`` days) and ``pre_usage``
        (log of 1 + daily usage over the last ``pre_days`` days).

    Raises
    ------
    DataValidationError
        ``churn_scores`` lacks ``customer_id`` or ``probability``, or ``pre_days`` is below 1.
    InsufficientDataError
        No customer is active at ``as_of``.
    """
    if pre_days < 1:
        raise DataValidationError("The pre-period must be at least one day.")
    as_of = roi_inputs.end if as_of is None else pd.Timestamp(as_of).normalize()
    cust = _pool(roi_inputs, as_of, exclude_contacted_days, customer_ids)
    out = _features_at(roi_inputs, cust, as_of, pre_days)
    if churn_scores is not None:
        _add_churn_scores(out, churn_scores)
    return out


def _pool(roi_inputs: RoiInputs, as_of: pd.Timestamp, exclude_contacted_days: int | None,
          customer_ids) -> pd.DataFrame:
    """The customers rows active at ``as_of``, among ``customer_ids`` and not contacted lately when asked."""
    cust = roi_inputs.customers
    active = active_mask(cust, as_of)
    if customer_ids is not None:
        active &= cust["customer_id"].isin(pd.Index(list(customer_ids)).astype(str)).to_numpy()
    cust = cust[active].reset_index(drop=True)
    if exclude_contacted_days is not None:
        recent = recently_contacted(roi_inputs.interventions, as_of, exclude_contacted_days)
        cust = cust[~cust["customer_id"].isin(recent)].reset_index(drop=True)
    if cust.empty:
        raise InsufficientDataError(f"No customer is active on {as_of:%Y-%m-%d} (and not contacted lately).")
    return cust


def _features_at(roi_inputs: RoiInputs, cust: pd.DataFrame, as_of: pd.Timestamp, pre_days: int) -> pd.DataFrame:
    """The customers' columns and their revenue and usage features for a contact the day after ``as_of``: summed by
    the inputs' engine when they have one (a warehouse's usage stays there), as a past contact's are
    (:func:`core.roi.engine_outcomes.window_values`), else in pandas."""
    ids = pd.Index(cust["customer_id"].astype(str))
    day = np.full(len(ids), ((np.datetime64(as_of.date(), "D") - _EPOCH).astype(np.int64) + 1))
    if roi_inputs.source is not None:
        contacts = pd.DataFrame({"id": np.arange(len(ids)), "customer_id": ids.to_numpy(),
                                 "date": day.astype("datetime64[D]")})
        _, pre_rev, mrr, use = engine_outcomes.window_values(roi_inputs.source, contacts, 1, pre_days)
        return _features_frame(cust, ids, mrr, pre_rev, use, pre_days)
    q = np.arange(len(ids))
    rev = roi_inputs.revenue
    r_codes = ids.get_indexer(rev["customer_id"].astype(str))
    r_days = (rev["period"].to_numpy("datetime64[D]") - _EPOCH).astype(np.int64)
    r_vals = rev["value"].to_numpy(float)
    # the same sorted-cumsum window sums as outcomes(), so the features mean the same for both
    pre_rev = window_sums(r_codes, r_days, r_vals, q, day - pre_days, day)
    mrr = last_before(r_codes, r_days, r_vals, q, day)
    acts = roi_inputs.activity
    if len(acts) and acts.value is not None:
        use = window_sums(ids.get_indexer(acts.ids)[acts.codes], acts.days, acts.value, q, day - pre_days, day)
    else:
        use = np.zeros(len(ids))
    return _features_frame(cust, ids, mrr, pre_rev, use, pre_days)


def _features_frame(cust: pd.DataFrame, ids: pd.Index, mrr: np.ndarray, pre_rev: np.ndarray, use: np.ndarray,
                    pre_days: int) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": ids.to_numpy(), "segment": cust["segment"].to_numpy(),
                         "plan": cust["plan"].to_numpy(), "region": cust["region"].to_numpy(),
                         "risk": np.nan, "risk_tier": None, "mrr_before": mrr, "pre_revenue": pre_rev,
                         PRE_USAGE: np.log1p(np.maximum(use, 0) / pre_days)})


def _add_churn_scores(out: pd.DataFrame, churn_scores: pd.DataFrame) -> None:
    """Set ``risk`` (and ``risk_tier`` when the scores have a tier) of ``out`` in place from each customer's
    latest score; customers without one keep NaN and None."""
    missing = [c for c in ("customer_id", "probability") if c not in churn_scores]
    if missing:
        raise DataValidationError(f"The churn scores lack {', '.join(missing)}: pass churn_store.latest_scores().")
    sc = churn_scores.drop_duplicates("customer_id", keep="last").set_index(
        churn_scores["customer_id"].drop_duplicates(keep="last").astype(str))
    pos = sc.index.get_indexer(out["customer_id"])
    out["risk"] = np.where(pos >= 0, sc["probability"].to_numpy(float)[np.maximum(pos, 0)], np.nan)
    if "tier" in sc:
        out["risk_tier"] = np.where(pos >= 0, sc["tier"].to_numpy(object)[np.maximum(pos, 0)], None)
