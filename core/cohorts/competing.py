"""Voluntary and involuntary churn as competing risks: the cumulative incidence of each cause (Aalen-Johansen).

A customer who leaves by a failed payment can no longer cancel, and the other way round, so one minus a Kaplan-Meier
curve of one cause (the other treated as still a customer) overstates it. The cumulative incidence of a cause at
time t is the share of customers who had churned **of that cause** by t, the other causes competing:

    CIF_k(t) = sum over event times t_i <= t of S(t_i-) x d_ki / n_i

with S the Kaplan-Meier survival of churn of any cause (lifelines' :class:`~lifelines.KaplanMeierFitter`, which
takes tied times together), d_ki the churns of cause k at t_i and n_i the customers at risk. The causes' incidences
add up to 1 - S(t). This is lifelines' :class:`~lifelines.AalenJohansenFitter` estimate without its random jitter
of tied times (which that estimator does not need: a tie of two causes adds the same to each cause's sum whichever
goes first), with its variance (Collett, *Modelling Survival Data in Medical Research*, 3rd ed., p. 411, Greenwood
style) and its log(-log) 95 % band; tests/core/cohorts/test_competing.py checks both against lifelines on data
without ties.

The cause is the customer file's churn type: ``voluntary`` (a cancellation) or ``involuntary`` (a failed payment),
case and spaces aside; any other churn type, or none, is :data:`UNRECORDED`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from scipy.stats import norm

from core.cohorts.survival import ALL, durations
from core.errors import InsufficientDataError

VOLUNTARY, INVOLUNTARY, UNRECORDED = "voluntary", "involuntary", "type not recorded"
#: the causes in the order shown
CAUSES = (VOLUNTARY, INVOLUNTARY, UNRECORDED)
#: the customer columns the view reads
COLUMNS = ("customer_id", "segment", "plan", "region", "channel", "signup_date", "churn_date", "churn_type")
#: the sheet of its figures in a workbook
SHEET = "Churn by cause"
#: the months the summary reads each curve at
AT_MONTHS = (12, 24)
NO_TYPES = ("No churned customer has a churn type, so voluntary and involuntary churn cannot be told apart: import "
            "the customer file with a churn type column (voluntary for a cancellation, involuntary for a failed "
            "payment).")


@dataclass(frozen=True)
class Incidence:
    """The cumulative incidence of each cause, per group.

    Attributes
    ----------
    curves : pandas.DataFrame
        ``group, cause, time, incidence, lower, upper, at_risk``: one row per group, cause and event time (lifelines'
        timeline), from time 0; the band is missing where the incidence is 0.
    summary : pandas.DataFrame
        ``group, cause, customers, churned`` (of that cause), then for each month m of :data:`AT_MONTHS`:
        ``at_<m>, low_<m>, high_<m>`` (the incidence at the last event time up to m; missing when the group's
        follow-up ends before m).
    group : str or None
        The column the groups come from (None: all customers).
    """

    curves: pd.DataFrame
    summary: pd.DataFrame
    group: str | None


def causes(churn_type: pd.Series) -> pd.Series:
    """Each churn type's cause (:data:`CAUSES`): voluntary or involuntary, case and spaces aside; otherwise
    :data:`UNRECORDED`."""
    named = churn_type.astype("string").str.strip().str.lower()
    return named.where(named.isin([VOLUNTARY, INVOLUNTARY])).fillna(UNRECORDED).astype(object)


def _variance(table: pd.DataFrame, cif: np.ndarray, d_k: np.ndarray, lag: np.ndarray) -> np.ndarray:
    """Var(CIF_k(t_j)) at each event time (Collett p. 411, as lifelines computes it, by running sums):
    sum over i <= j of (F_j - F_i)^2 d_i / (n_i (n_i - d_i)) + S_i-^2 d_ki (n_i - d_ki) / n_i^3
    - 2 (F_j - F_i) S_i- d_ki / n_i^2."""
    n, d = table["at_risk"].to_numpy(float), table["observed"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = d / n / (n - d)
    b = lag ** 2 * d_k * (n - d_k) / n ** 3
    c = lag * d_k / n ** 2
    first = cif ** 2 * np.cumsum(a) - 2 * cif * np.cumsum(a * cif) + np.cumsum(a * cif ** 2)
    third = cif * np.cumsum(c) - np.cumsum(c * cif)
    return first + np.cumsum(b) - 2 * third


def _band(cif: np.ndarray, variance: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """The log(-log) band: exp(-exp(log(-log F) +/- z se / (F |log F|))), lower then upper; missing where F is 0."""
    z = norm.ppf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.log(-np.log(cif))
        se = np.sqrt(variance) / (cif * np.abs(np.log(cif)))
        lower, upper = np.exp(-np.exp(t + z * se)), np.exp(-np.exp(t - z * se))
    ok = cif > 0
    return np.where(ok, lower, np.nan), np.where(ok, upper, np.nan)


def one_group(duration: pd.Series, cause: pd.Series, alpha: float = 0.05) -> pd.DataFrame:
    """``cause, time, incidence, lower, upper, at_risk`` of one group: ``cause`` is each customer's cause (None while
    still a customer)."""
    churned = cause.notna().to_numpy()
    km = KaplanMeierFitter().fit(duration.to_numpy(float), churned)
    table = km.event_table
    times = table.index.to_numpy(float)
    lag = np.r_[1.0, km.survival_function_.iloc[:-1, 0].to_numpy()]
    out = []
    for k in CAUSES:
        hit = churned & (cause.to_numpy() == k)
        d_k = pd.Series(duration.to_numpy(float)[hit]).value_counts().reindex(times, fill_value=0).to_numpy(float)
        cif = np.cumsum(lag * d_k / table["at_risk"].to_numpy(float))
        lower, upper = _band(cif, _variance(table, cif, d_k, lag), alpha)
        out.append(pd.DataFrame({"cause": k, "time": times, "incidence": cif, "lower": lower, "upper": upper,
                                 "at_risk": table["at_risk"].to_numpy(int)}))
    return pd.concat(out, ignore_index=True)


def _read_at(curve: pd.DataFrame, month: float) -> tuple[float, float, float]:
    """(incidence, low, high) at the last event time up to ``month``; missing past the curve's follow-up."""
    if curve["time"].max() < month:
        return (np.nan,) * 3
    row = curve[curve["time"] <= month].iloc[-1]
    return float(row["incidence"]), float(row["lower"]), float(row["upper"])


def cumulative_incidence(customers: pd.DataFrame, as_of=None, group: str | None = None,
                         alpha: float = 0.05) -> Incidence:
    """The cumulative incidence of each cause over months since signup, for all ``customers`` or per value of
    ``group`` (segment, plan, region, channel or signup_month), as of ``as_of``
    (:func:`core.cohorts.survival.durations`: a churn after it counts as still a customer).

    Raises
    ------
    InsufficientDataError
        No churned customer has a churn type of voluntary or involuntary.
    """
    d = durations(customers, as_of=as_of)
    c = customers.assign(customer_id=customers["customer_id"].astype(str)).drop_duplicates("customer_id")
    types = c.set_index("customer_id")["churn_type"] if "churn_type" in c else pd.Series(dtype=object)
    cause = causes(d["customer_id"].astype(str).map(types)).where(d["event"].to_numpy(), None)
    if not cause.isin([VOLUNTARY, INVOLUNTARY]).any():
        raise InsufficientDataError(NO_TYPES)
    labels = pd.Series(ALL, index=d.index) if group is None else d[group].astype(object).fillna("unknown")
    curves, rows = [], []
    for value in sorted(labels.unique(), key=str):
        sel = (labels == value).to_numpy()
        c = one_group(d.loc[sel, "duration"], cause[sel], alpha).assign(group=str(value))
        curves.append(c)
        for k in CAUSES:
            read = [x for m in AT_MONTHS for x in _read_at(c[c["cause"] == k], m)]
            rows.append([str(value), k, int(sel.sum()), int((cause[sel] == k).sum()), *read])
    names = [f"{p}_{m}" for m in AT_MONTHS for p in ("at", "low", "high")]
    summary = pd.DataFrame(rows, columns=["group", "cause", "customers", "churned", *names])
    columns = ["group", "cause", "time", "incidence", "lower", "upper", "at_risk"]
    found = [k for k in CAUSES if (cause == k).any()]  # a cause no one churned of is left out
    curves = pd.concat(curves, ignore_index=True)[columns]
    return Incidence(curves[curves["cause"].isin(found)].reset_index(drop=True),
                     summary[summary["cause"].isin(found)].reset_index(drop=True), group)
