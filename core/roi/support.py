"""The support check of a next wave: which of today's customers are like the play's past contacts.

An uplift model fitted on a play's contacts only speaks for customers like them (a logistic model
extrapolates freely), so a candidate is kept when every numeric feature, and the months since signup, lies
within the contacts' 1st to 99th percentile, and every category was seen among at least ``min_count`` of
them (:func:`support`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from core.errors import DataValidationError
from core.store.dates import datetimes

#: the months since signup count as a feature of the support check, though the model need not use it
TENURE = "tenure_months"
DAYS_PER_MONTH = 30.4375
SUPPORT_QUANTILES = (0.01, 0.99)
SUPPORT_MIN_COUNT = 10


def tenure_months(customers: pd.DataFrame, customer_ids, dates) -> np.ndarray:
    """Months (of 30.4375 days) from each customer's signup to ``dates``; NaN when the signup is unknown."""
    signup = customers.drop_duplicates("customer_id").set_index(customers["customer_id"].drop_duplicates()
                                                                .astype(str))["signup_date"]
    s = datetimes(pd.Series(pd.Index(pd.Series(customer_ids).astype(str)).map(signup)))
    d = datetimes(pd.Series(np.asarray(dates)))
    if not len(d):
        return np.zeros(0)
    return (d.dt.normalize() - s.dt.normalize()).dt.days.to_numpy(float) / DAYS_PER_MONTH  # NaT -> NaN


def support(contacts: pd.DataFrame, candidates: pd.DataFrame, columns: Sequence[str], *,
            quantiles: tuple[float, float] = SUPPORT_QUANTILES, min_count: int = SUPPORT_MIN_COUNT) -> pd.Series:
    """Why each candidate is unlike the contacts ('' when it is like them).

    A numeric column must lie within the contacts' ``quantiles`` (1st to 99th percentile by default;
    a missing value is unlike); a text column's value must be seen among at least ``min_count`` contacts.
    The first column that fails gives the reason.

    Parameters
    ----------
    contacts, candidates : pandas.DataFrame
        Both carry ``columns``.
    columns : sequence of str
    quantiles : (float, float)
    min_count : int

    Returns
    -------
    pandas.Series
        One reason a candidate (index of ``candidates``).

    Raises
    ------
    DataValidationError
        A column is missing from either frame, or the quantiles are not 0 <= low < high <= 1.

    Examples
    --------
    >>> import pandas as pd
    >>> past = pd.DataFrame({"mrr": range(100, 200), "plan": ["Pro"] * 100})
    >>> now = pd.DataFrame({"mrr": [150, 500, 150], "plan": ["Pro", "Pro", "Starter"]})
    >>> support(past, now, ["mrr", "plan"]).tolist()
    ['', 'mrr 500 is above the contacts (99th percentile 198)', "plan 'Starter' is among fewer than 10 contacts"]
    """
    lo_q, hi_q = quantiles
    if not 0 <= lo_q < hi_q <= 1:
        raise DataValidationError(f"The support quantiles must satisfy 0 <= low < high <= 1 (got {quantiles}).")
    missing = [c for c in columns if c not in contacts or c not in candidates]
    if missing:
        raise DataValidationError(f"Column(s) {', '.join(missing)} are missing from the contacts or the candidates.")
    reason = pd.Series("", index=candidates.index, dtype=object)
    for c in columns:
        free = reason == ""
        if pd.api.types.is_numeric_dtype(contacts[c]) and not pd.api.types.is_bool_dtype(contacts[c]):
            _numeric_reasons(reason, free, c, contacts[c], candidates[c], quantiles)
        else:
            _category_reasons(reason, free, c, contacts[c], candidates[c], min_count)
    return reason


def _numeric_reasons(reason: pd.Series, free: pd.Series, c: str, seen: pd.Series, x: pd.Series,
                     quantiles: tuple[float, float]) -> None:
    """Write into ``reason`` (where ``free``) why ``x`` falls outside the contacts' ``quantiles`` of ``seen``."""
    seen = pd.to_numeric(seen, errors="coerce").dropna()
    v = pd.to_numeric(x, errors="coerce")
    if seen.empty:
        reason[free] = f"no contact has a {c}"
        return
    lo_q, hi_q = quantiles
    lo, hi = seen.quantile(lo_q), seen.quantile(hi_q)
    pct = (f"{ordinal(lo_q * 100)} percentile {_short(lo)}", f"{ordinal(hi_q * 100)} percentile {_short(hi)}")
    reason[free & v.isna()] = f"no {c}"
    below, above = free & (v < lo), free & (v > hi)
    reason[below] = [f"{c} {_short(a)} is below the contacts ({pct[0]})" for a in v[below]]
    reason[above] = [f"{c} {_short(a)} is above the contacts ({pct[1]})" for a in v[above]]


def _category_reasons(reason: pd.Series, free: pd.Series, c: str, seen: pd.Series, x: pd.Series,
                      min_count: int) -> None:
    """Write into ``reason`` (where ``free``) that ``x`` is missing or among fewer than ``min_count`` of ``seen``."""
    counts = seen.astype(str).value_counts()
    ok = x.astype(str).map(counts).fillna(0) >= min_count
    bad = free & (~ok | x.isna())
    reason[bad] = [f"{c} '{a}' is among fewer than {min_count} contacts" for a in x[bad]]


def ordinal(x: float) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th', 99 -> '99th', 2.5 -> '2.5th'."""
    if x != int(x):
        return f"{x:g}th"
    n = int(x)
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _short(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"
