"""Whom to contact under a budget: candidates ranked by the uplift model's expected net value, cut at the budget.

``expected_value = predicted_uplift * value_per_save - cost``: the uplift model's extra chance of keeping
the customer (or extra outcome units) priced, net of the contact's cost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.errors import DataValidationError

TARGET_COLUMNS = ["customer_id", "segment", "plan", "predicted_uplift", "expected_value", "cost", "cumulative_cost"]


def target_list(candidates: pd.DataFrame, model, budget: float, cost_per_contact,
                value_per_save: float) -> pd.DataFrame:
    """Whom to contact in the next wave: highest expected net value first, until the budget is spent.

    Only customers with a positive expected value are listed; going down that ranking, the list stops at
    the first customer whose cost no longer fits in what is left of the budget (it does not skip ahead to
    cheaper ones), so a bigger budget always gives a longer prefix of the same ranking.

    Parameters
    ----------
    candidates : pandas.DataFrame
        ``customer_id`` and the model's features (:func:`core.roi.candidates.candidates_now`); ``segment``
        and ``plan`` are copied when present.
    model : core.roi.uplift_model.TwoModelUplift or core.roi.uplift_model.UpliftResult
        A fitted uplift model (anything with ``predict_uplift(X)``).
    budget : float
        Money available for the wave (at least 0).
    cost_per_contact : float or array-like
        One contact's cost, or one cost per candidate row (at least 0).
    value_per_save : float or array-like
        What one extra retained customer is worth (for an amount outcome: what one unit is worth), or one
        value per candidate row (for example each customer's MRR x months x margin).

    Returns
    -------
    pandas.DataFrame
        ``customer_id, segment, plan, predicted_uplift, expected_value, cost, cumulative_cost``,
        highest expected value first (ties by customer id); ``cumulative_cost`` never exceeds ``budget``.

    Raises
    ------
    DataValidationError
        Negative budget or cost, a cost or value array of the wrong length, a single value per save not
        above 0 (or a negative or missing one in an array), or ``customer_id`` missing.

    Examples
    --------
    >>> import pandas as pd
    >>> class Flat:
    ...     def predict_uplift(self, X):
    ...         return X["u"].to_numpy()
    >>> c = pd.DataFrame({"customer_id": ["a", "b", "c"], "u": [0.3, 0.1, 0.2]})
    >>> target_list(c, Flat(), budget=200, cost_per_contact=100, value_per_save=1000)["customer_id"].tolist()
    ['a', 'c']
    """
    model = getattr(model, "model", model)
    if "customer_id" not in candidates:
        raise DataValidationError("The candidates need a customer_id column: build them with candidates_now().")
    if not budget >= 0:
        raise DataValidationError(f"The budget must be zero or more (got {budget}).")
    value = _values_per_save(value_per_save, len(candidates))
    cost = _costs(cost_per_contact, len(candidates))
    uplift = np.asarray(model.predict_uplift(candidates), float)
    out = pd.DataFrame({"customer_id": candidates["customer_id"].astype(str).to_numpy(),
                        "segment": candidates["segment"].to_numpy() if "segment" in candidates else None,
                        "plan": candidates["plan"].to_numpy() if "plan" in candidates else None,
                        "predicted_uplift": uplift, "expected_value": uplift * value - cost, "cost": cost})
    out = out[out["expected_value"] > 0]
    out = out.sort_values(["expected_value", "customer_id"], ascending=[False, True], kind="stable")
    return _within_budget(out, budget)[TARGET_COLUMNS]


def _values_per_save(value_per_save, n: int) -> np.ndarray:
    """One value a row: a single value above 0 repeated, or ``n`` values, each a number zero or more."""
    value = np.asarray(value_per_save, float)
    if value.ndim == 0:
        if not value > 0:
            raise DataValidationError(f"The value of a save must be above 0 (got {value_per_save}).")
        value = np.full(n, float(value))
    if len(value) != n:
        raise DataValidationError(f"{len(value)} values for {n} candidates: give one, or one per row.")
    if np.isnan(value).any() or (value < 0).any():
        raise DataValidationError("Every value of a save must be a number, zero or more.")
    return value


def _costs(cost_per_contact, n: int) -> np.ndarray:
    """One cost a row: a single cost repeated, or ``n`` costs; each a number zero or more."""
    cost = np.asarray(cost_per_contact, float)
    cost = np.full(n, float(cost)) if cost.ndim == 0 else cost
    if len(cost) != n:
        raise DataValidationError(f"{len(cost)} costs for {n} candidates: give one cost, or one per row.")
    if np.isnan(cost).any() or (cost < 0).any():
        raise DataValidationError("Every contact cost must be a number, zero or more.")
    return cost


def _within_budget(ranked: pd.DataFrame, budget: float) -> pd.DataFrame:
    """The start of ``ranked`` whose running cost fits in ``budget``, with ``cumulative_cost``: the first row that
    no longer fits ends the list (no skipping ahead to cheaper rows)."""
    cum = ranked["cost"].cumsum().to_numpy()
    fits = cum <= budget  # strict, so the list never costs more than the budget, not even by rounding
    stop = int(np.argmin(fits)) if not fits.all() else len(ranked)
    out = ranked.iloc[:stop].reset_index(drop=True)
    out["cumulative_cost"] = cum[:stop]
    return out
