"""Customer lifetime as survival: Kaplan-Meier curves, median lifetime, RMST and the log-rank test.

Conventions:

* A customer's **lifetime** runs from ``signup_date`` to ``churn_date``. Customers still active on
  the as-of date are **right-censored** there: we know they lasted at least that long, not how
  much longer, and Kaplan-Meier uses exactly that much of them (dropping them would bias lifetimes
  down, counting them as churned at as-of would too).
* A **month** is 30.4375 days (the mean Gregorian month), so durations are comparable across
  calendar months; ``unit="day"`` keeps whole days.
* The fitting itself is lifelines' :class:`~lifelines.KaplanMeierFitter` (Greenwood / exponential
  confidence bands), :func:`~lifelines.utils.restricted_mean_survival_time` and
  :func:`~lifelines.statistics.multivariate_logrank_test`; this module shapes inputs and outputs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.statistics import multivariate_logrank_test
from lifelines.utils import restricted_mean_survival_time

from core.errors import DataValidationError, InsufficientDataError
from core.export import units
from core.store.dates import datetimes

#: days in the average month (365.25 / 12)
MONTH_DAYS = 30.4375
#: customer columns passed through by :func:`durations` so curves can be split by them
GROUP_COLUMNS = ("segment", "plan", "region", "channel", "signup_month")
#: group label used when :func:`kaplan_meier` is called without ``group``
ALL = "All customers"
#: days in each unit of ``duration``
UNITS = {"month": MONTH_DAYS, "day": 1.0}


@dataclass(frozen=True)
class KMResult:
    """Kaplan-Meier curves per group and what is read off them.

    Attributes
    ----------
    curves : pandas.DataFrame
        ``group, time, survival, lower, upper, at_risk, churned, censored``: one row per observed
        time per group (lifelines' timeline), starting at time 0.
    summary : pandas.DataFrame
        ``group, customers, churned, censored, median_lifetime`` (first time survival drops below
        50 %; ``inf`` when it never does), ``median_text`` (``"not reached"`` then), ``rmst``
        (expected lifetime within ``horizon``), ``horizon``.
    logrank : dict
        ``test, statistic, p_value, degrees_of_freedom, groups, plain``.
    skipped : list of str
        Groups left out because they had fewer than ``min_size`` customers.
    notes : list of str
        One sentence per skipped group, for display.
    group : str or None
        The column the curves are split by.
    alpha : float
        1 - confidence level of the bands, and the significance level of the log-rank test.
    horizon : float
        Horizon of the restricted mean survival time, in duration units.
    """

    curves: pd.DataFrame
    summary: pd.DataFrame
    logrank: dict
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    group: str | None = None
    alpha: float = 0.05
    horizon: float = 24.0


def durations(customers: pd.DataFrame, as_of=None, unit: str = "month") -> pd.DataFrame:
    """Lifetime of each customer up to ``as_of``, censored while still active.

    Parameters
    ----------
    customers : pandas.DataFrame
        Columns ``customer_id, signup_date`` and, optionally, ``churn_date`` (empty while active)
        and the group columns ``segment, plan, region, channel``.
    as_of : date-like, optional
        The observation date; default the latest signup or churn date in ``customers``.
        Customers who signed up after it are left out; churns after it count as still active.
    unit : {'month', 'day'}
        Unit of ``duration``: months of 30.4375 days, or days.

    Returns
    -------
    pandas.DataFrame
        ``customer_id, duration`` (float, >= 0), ``event`` (bool: churned on or before ``as_of``),
        the group columns present in ``customers`` and ``signup_month`` (``YYYY-MM``).

    Raises
    ------
    DataValidationError
        A needed column is missing, a signup date is empty, a churn date precedes its signup,
        or ``unit`` is unknown.

    Examples
    --------
    >>> from core.demo.synthetic import make_demo
    >>> d = durations(make_demo(n_customers=200, seed=1).customers)  # doctest: +SKIP
    >>> sorted(d.columns)[:3]  # doctest: +SKIP
    ['channel', 'customer_id', 'duration']
    """
    if unit not in UNITS:
        raise DataValidationError(f"Unknown unit '{unit}'. Choose 'month' or 'day'.")
    for col in ("customer_id", "signup_date"):
        if col not in customers:
            raise DataValidationError(
                f"The customer table has no '{col}' column, which survival curves need. "
                f"Columns present: {', '.join(map(str, customers.columns))}. Import a customer file "
                f"that maps a column to {col} (or a tenure column with --as-of).")
    signup = datetimes(customers["signup_date"])
    churn = (datetimes(customers["churn_date"]) if "churn_date" in customers
             else pd.Series(pd.NaT, index=customers.index, dtype="datetime64[ns]"))
    if signup.isna().any():
        ids = customers.loc[signup.isna(), "customer_id"].astype(str)
        raise DataValidationError(
            f"{len(ids):,} customers have no signup_date (e.g. {', '.join(ids.head(3))}): a lifetime "
            "needs a start. Fill signup_date for them (or re-import with a tenure column and --as-of).")
    bad = churn.notna() & (churn < signup)
    if bad.any():
        ids = customers.loc[bad, "customer_id"].astype(str)
        raise DataValidationError(
            f"{len(ids):,} customers have a churn_date before their signup_date "
            f"(e.g. {', '.join(ids.head(3))}). Correct one of the two dates for them.")
    if as_of is None:
        as_of = max(d for d in (signup.max(), churn.max()) if pd.notna(d)) if len(signup) else pd.Timestamp.today()
    as_of = pd.Timestamp(as_of)

    keep = signup <= as_of  # signed up later: not yet observable at as_of
    signup, churn = signup[keep], churn[keep]
    event = churn.notna() & (churn <= as_of)
    end = churn.where(event, as_of)
    days = (end - signup) / pd.Timedelta(days=1)
    out = pd.DataFrame({
        "customer_id": customers.loc[keep, "customer_id"].to_numpy(),
        "duration": (days / UNITS[unit]).to_numpy(dtype="float64"),
        "event": event.to_numpy(dtype=bool),
    })
    for col in GROUP_COLUMNS[:-1]:
        if col in customers:
            out[col] = customers.loc[keep, col].to_numpy()
    out["signup_month"] = signup.dt.strftime("%Y-%m").to_numpy()
    return out


def kaplan_meier(durations_df: pd.DataFrame, group: str | None = None, alpha: float = 0.05,
                 min_size: int = 20, horizon: float = 24.0, weights: str | None = None) -> KMResult:
    """Kaplan-Meier survival curves per group, with bands, medians, RMST and a log-rank test.

    Parameters
    ----------
    durations_df : pandas.DataFrame
        Columns ``duration`` (float >= 0), ``event`` (bool, True = churned) and, if given, ``group``;
        as returned by :func:`durations`.
    group : str, optional
        Column to split the curves by (e.g. ``plan``); default one curve for everyone.
        Empty group values are shown as ``(not set)``.
    alpha : float
        The bands are ``1 - alpha`` confidence intervals; the log-rank test calls groups different
        when ``p < alpha``.
    min_size : int
        Groups with fewer customers are left out of curves, summary and test (see ``skipped``):
        their curves would be too noisy to read.
    horizon : float
        Horizon of the restricted mean survival time (expected lifetime within the first
        ``horizon`` units), in the unit of ``duration``.
    weights : str, optional
        A column counting the customers each row stands for (rows of (duration, event, count) from an engine,
        :mod:`core.cohorts.engine_survival`); the result is the same as one row per customer.

    Returns
    -------
    KMResult

    Raises
    ------
    DataValidationError
        A column is missing, or a duration is empty or negative, or alpha/horizon is out of range.
    InsufficientDataError
        No group has ``min_size`` customers.

    Examples
    --------
    >>> from core.demo.synthetic import make_demo
    >>> d = durations(make_demo(n_customers=300, seed=1).customers)  # doctest: +SKIP
    >>> kaplan_meier(d, group="plan").logrank["plain"]  # doctest: +SKIP
    """
    _validate(durations_df, group, alpha, horizon)
    labels = (pd.Series(ALL, index=durations_df.index) if group is None
              else durations_df[group].astype("string").fillna("(not set)").astype(str))
    count = (pd.Series(1, index=durations_df.index) if weights is None
             else durations_df[weights].astype("int64"))
    sizes = count.groupby(labels).sum()
    kept = sorted(g for g, n in sizes.items() if n >= min_size)
    skipped = sorted(g for g, n in sizes.items() if n < min_size)
    notes = [f"{g}: only {sizes[g]:,} customers (fewer than {min_size}), left out." for g in skipped]
    if not kept:
        raise InsufficientDataError(
            f"No group has at least {min_size} customers (largest: {sizes.max() if len(sizes) else 0}): "
            "import more customers, choose a coarser grouping, or lower the minimum group size.")
    curves, summary = [], []
    for g in kept:
        mask = (labels == g).to_numpy()
        kmf = KaplanMeierFitter(alpha=alpha).fit(durations_df.loc[mask, "duration"],
                                                 durations_df.loc[mask, "event"].astype(bool), label="km",
                                                 weights=None if weights is None else count[mask])
        curves.append(_curve(kmf, g))
        summary.append(_summary_row(kmf, g, horizon))
    mask = labels.isin(kept).to_numpy()
    test = _logrank(durations_df.loc[mask, "duration"], labels[mask], durations_df.loc[mask, "event"],
                    alpha, min_size, None if weights is None else count[mask])
    return KMResult(curves=pd.concat(curves, ignore_index=True), summary=pd.DataFrame(summary),
                    logrank=test, skipped=skipped, notes=notes, group=group, alpha=alpha,
                    horizon=float(horizon))


def survival_at(result: KMResult, times) -> pd.DataFrame:
    """Survival probability of each group at the given times (reading the step curves).

    Parameters
    ----------
    result : KMResult
        From :func:`kaplan_meier`.
    times : sequence of float
        Times in the unit of the durations. Before 0 survival is 1; past the last observed time
        the last value is carried, as lifelines' ``survival_function_at_times`` does.

    Returns
    -------
    pandas.DataFrame
        Index ``group``, one column per time, values in [0, 1].
    """
    times = [float(t) for t in np.atleast_1d(times)]
    rows = {}
    for g, c in result.curves.groupby("group", sort=False):
        t = c["time"].to_numpy()
        s = c["survival"].to_numpy()
        ix = np.searchsorted(t, times, side="right") - 1
        rows[g] = np.where(ix >= 0, s[np.clip(ix, 0, None)], 1.0)
    out = pd.DataFrame.from_dict(rows, orient="index", columns=times)
    out.index.name = "group"
    return out


def _validate(df: pd.DataFrame, group: str | None, alpha: float, horizon: float) -> None:
    for col in ("duration", "event") + ((group,) if group is not None else ()):
        if col not in df:
            raise DataValidationError(
                f"The durations table has no '{col}' column. Columns present: "
                f"{', '.join(map(str, df.columns))}. Build it with core.cohorts.survival.durations"
                + (" or choose one of these columns as the group." if col == group else "."))
    d = pd.to_numeric(df["duration"], errors="coerce")
    if d.isna().any() or (d < 0).any():
        raise DataValidationError(
            f"{int(d.isna().sum() + (d < 0).sum()):,} durations are empty or negative: every customer needs "
            "a lifetime of 0 or more. Check their signup and churn dates.")
    if not 0 < alpha < 1:
        raise DataValidationError(f"alpha must be between 0 and 1 (got {alpha}); 0.05 gives 95 % bands.")
    if not horizon > 0:
        raise DataValidationError(f"The RMST horizon must be positive (got {horizon}), e.g. 24 months.")


def _curve(kmf: KaplanMeierFitter, g: str) -> pd.DataFrame:
    sf = kmf.survival_function_.iloc[:, 0]
    ci = kmf.confidence_interval_
    et = kmf.event_table.reindex(sf.index)
    return pd.DataFrame({
        "group": g, "time": sf.index.to_numpy(dtype="float64"), "survival": sf.to_numpy(),
        "lower": ci.iloc[:, 0].to_numpy(), "upper": ci.iloc[:, 1].to_numpy(),
        "at_risk": et["at_risk"].to_numpy(dtype="int64"), "churned": et["observed"].to_numpy(dtype="int64"),
        "censored": et["censored"].to_numpy(dtype="int64"),
    })


def _summary_row(kmf: KaplanMeierFitter, g: str, horizon: float) -> dict:
    # lifelines' median: the first time the curve drops strictly below 50 %.
    median = float(kmf.median_survival_time_)
    # lifelines reports inf when the curve never falls to 50 %: more than half are still customers
    # at the last observed time, so the median lifetime is unknown but longer than that time.
    text = "not reached" if math.isinf(median) else f"{median:.1f}"
    n = int(round(kmf.weights.sum()))  # customers: one per row, or the rows' counts
    n_events = int(round((kmf.weights * kmf.event_observed).sum()))
    return {"group": g, "customers": n, "churned": n_events, "censored": n - n_events,
            "median_lifetime": median, "median_text": text,
            "rmst": float(restricted_mean_survival_time(kmf, t=horizon)), "horizon": float(horizon)}


def _logrank(dur: pd.Series, labels: pd.Series, event: pd.Series, alpha: float, min_size: int,
             weights: pd.Series | None = None) -> dict:
    groups = sorted(labels.unique())
    if len(groups) < 2:
        return {"test": "log-rank", "statistic": float("nan"), "p_value": float("nan"),
                "degrees_of_freedom": 0, "groups": groups,
                "plain": f"Only one group has at least {min_size} customers, so there is nothing to compare."}
    res = multivariate_logrank_test(dur.to_numpy(), labels.to_numpy(), event.to_numpy(dtype=bool),
                                    weights=None if weights is None else weights.to_numpy())
    p = float(res.p_value)
    return {"test": "log-rank", "statistic": float(res.test_statistic), "p_value": p,
            "degrees_of_freedom": int(res.degrees_of_freedom), "groups": groups, "plain": plain_p(p, alpha)}


def plain_p(p: float, alpha: float = 0.05) -> str:
    """A log-rank p-value in plain words.

    Parameters
    ----------
    p : float
        The p-value.
    alpha : float
        Below it the curves are called different.

    Returns
    -------
    str
        E.g. ``"No evidence the groups differ (p = 0.420)."``.
    """
    if p < 0.001:
        return ("The curves differ: a difference this large would arise by chance less than "
                "1 time in 1,000 (p < 0.001).")
    shown = units.p_value(p)
    if p < alpha:
        return (f"The curves differ: a difference this large would arise by chance about "
                f"1 time in {round(1 / p):,} (p = {shown}).")
    return f"No evidence the groups differ (p = {shown})."
