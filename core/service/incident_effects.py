"""What incidents cost, by severity: churn after the incident and usage before and after it, affected customers
against comparable unaffected ones (:mod:`core.service.incidents`).

* **Usage** is a difference in differences: each customer's active days per 30 days in the N days after the start
  minus the N days before (a customer who left counts as inactive for the rest of the window), affected against
  comparison customers. Only customers who were customers for the whole N days before are counted, so the "before"
  is a full window.
* **Churn** within N days of the start (the page's window), affected against comparison: the **gap**, adjusted. The
  same customers' churn before the start is zero by definition (every one of them was still a customer when it
  began), so the **difference in differences** on churn takes each window's own customers: those on the day N days
  before the start, churned in the N days before it, and those on the start day, churned in the N days from it
  (:func:`churn_windows`; the comparison clear of every incident from 2N days before to N days after). It is
  computed for incidents that hit a segment, plan or region (or everyone); one whose export names the customers it
  hit names only customers still there on its day, whose churn before it cannot be compared.

Both are fitted by statsmodels' OLS on one row per incident and customer: the outcome on an affected indicator, one
indicator per incident (each incident compared within itself) and the segment, plan and tenure on the start day
(:data:`core.service.rates.ADJUSTED_FOR`), with standard errors clustered by customer (a customer can sit in several
incidents' windows). The affected indicator's coefficient is the effect, with its 95 % interval. An association
adjusted for the listed factors, not an experiment: who an incident hits is not random.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from core.service.incidents import Incident, at_risk, incidents
from core.service.outcomes import tenure_band
from core.service.rates import ADJUSTED_FOR, Z95

#: the usage measure: active days per this many days of a window
PER_DAYS = 30
#: the severity row that pools every judged incident
ALL = "all severities"
TABLE_COLUMNS = ["severity", "incidents", "affected", "comparison", "churn_affected", "churn_comparison", "churn_gap",
                 "churn_gap_low", "churn_gap_high", "churn_before_affected", "churn_before_comparison", "churn_did",
                 "churn_did_low", "churn_did_high", "usage_affected_before", "usage_affected_after",
                 "usage_comparison_before", "usage_comparison_after", "usage_customers", "usage_effect",
                 "usage_effect_low", "usage_effect_high", "adjusted_for"]


@dataclass
class Effect:
    """An effect and its 95 % interval (NaN when it cannot be estimated: too few customers on a side)."""

    value: float
    low: float
    high: float
    adjusted_for: tuple[str, ...] = ()


def stacked(judged: list[Incident], customers: pd.DataFrame, days: int) -> pd.DataFrame:
    """One row per judged incident and customer on either side: ``incident, customer_id, affected, churned,
    full_before, segment, plan, tenure`` (``full_before``: a customer for the whole window before)."""
    c = customers.assign(customer_id=customers["customer_id"].astype(str)).drop_duplicates("customer_id")
    c = c.set_index("customer_id", drop=False)
    parts = []
    for inc in judged:
        day = inc.start.normalize()
        ids = np.concatenate([inc.affected, inc.comparison])
        rows = c.loc[ids]
        churn = rows["churn_date"]
        parts.append(pd.DataFrame({
            "incident": inc.key, "severity": inc.severity, "customer_id": ids,
            "affected": np.r_[np.ones(len(inc.affected)), np.zeros(len(inc.comparison))],
            "churned": (churn.notna() & (churn <= day + pd.Timedelta(days=days))).to_numpy(float),
            "full_before": at_risk(rows, day - pd.Timedelta(days=days)),
            "segment": rows["segment"].fillna("unknown").to_numpy(), "plan": rows["plan"].fillna("unknown").to_numpy(),
            "tenure": tenure_band(pd.Series(day, index=rows.index), rows["signup_date"]).to_numpy(),
            "start": day}))
    cols = ["incident", "severity", "customer_id", "affected", "churned", "full_before", "segment", "plan", "tenure",
            "start"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)


def churn_windows(judged: list[Incident], customers: pd.DataFrame, days: int) -> pd.DataFrame:
    """The difference in differences' rows: one per judged incident that names no customer, customer and window:
    ``incident, severity, customer_id, affected, post, churned, segment, plan, tenure`` (``post`` 0: a customer on
    the day N days before the start, ``churned`` in the N days before it; 1: a customer on the start day, churned
    within N days of it, as the gap counts)."""
    c = customers.assign(customer_id=customers["customer_id"].astype(str)).drop_duplicates("customer_id")
    c = c.set_index("customer_id", drop=False)
    parts = []
    for inc in (i for i in judged if not i.named):
        day = inc.start.normalize()
        for post, (aff, comp), first in ((0, inc.windows[:2], day - pd.Timedelta(days=days)),
                                         (1, inc.windows[2:], day)):
            ids = np.concatenate([aff, comp])
            rows, churn = c.loc[ids], c.loc[ids, "churn_date"]
            churned = churn.notna() & (churn >= first) & ((churn < day) if not post else
                                                          (churn <= day + pd.Timedelta(days=days)))
            parts.append(pd.DataFrame({
                "incident": inc.key, "severity": inc.severity, "customer_id": ids,
                "affected": np.r_[np.ones(len(aff)), np.zeros(len(comp))], "post": float(post),
                "churned": churned.to_numpy(float), "segment": rows["segment"].fillna("unknown").to_numpy(),
                "plan": rows["plan"].fillna("unknown").to_numpy(),
                "tenure": tenure_band(pd.Series(first, index=rows.index), rows["signup_date"]).to_numpy()}))
    cols = ["incident", "severity", "customer_id", "affected", "post", "churned", "segment", "plan", "tenure"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)


def did_effect(rows: pd.DataFrame) -> Effect:
    """The difference in differences on churn of :func:`churn_windows`' ``rows``: the coefficient of affected x
    after, with affected, after, one indicator per incident and per incident after its start, and the adjustment
    factors that can be told apart (:func:`design`); NaN unless each side has two customers in each window."""
    sides = rows.groupby(["affected", "post"]).size().reindex(pd.MultiIndex.from_product([[0.0, 1.0], [0.0, 1.0]]))
    if rows.empty or sides.isna().any() or (sides < 2).any():
        return Effect(np.nan, np.nan, np.nan)
    inc = _dummies(rows["incident"])
    base = np.column_stack([rows["affected"] * rows["post"], np.ones(len(rows)), rows["affected"], rows["post"], inc,
                            inc * rows["post"].to_numpy()[:, None]])
    return _fit(rows, "churned", *design(rows, base))


def with_usage(stack: pd.DataFrame, activity: pd.DataFrame, days: int) -> pd.DataFrame:
    """``stack`` gains ``before`` and ``after``: active days per :data:`PER_DAYS` days in the ``days`` days before
    the start and from the start on (``activity``: ``customer_id, date``, any repeats)."""
    act = activity[["customer_id", "date"]].dropna()
    act = act.assign(customer_id=act["customer_id"].astype(str), date=act["date"].dt.normalize()).drop_duplicates()
    pairs = stack[["customer_id", "start"]].drop_duplicates().merge(act, on="customer_id")
    offset = (pairs["date"] - pairs["start"]).dt.days
    pairs = pairs.assign(before=((offset < 0) & (offset >= -days)), after=((offset >= 0) & (offset < days)))
    counts = pairs.groupby(["customer_id", "start"])[["before", "after"]].sum()
    out = stack.merge(counts, left_on=["customer_id", "start"], right_index=True, how="left")
    for col in ("before", "after"):
        out[col] = out[col].fillna(0).astype(float) * PER_DAYS / days
    return out


def effect(rows: pd.DataFrame, outcome: str) -> Effect:
    """The affected indicator's coefficient for ``outcome`` with incident indicators and the adjustment factors
    (:func:`design`), clustered by customer; NaN unless both sides have at least two customers."""
    if rows["affected"].sum() < 2 or (1 - rows["affected"]).sum() < 2:
        return Effect(np.nan, np.nan, np.nan)
    return _fit(rows, outcome, *design(rows))


def _fit(rows: pd.DataFrame, outcome: str, X: np.ndarray, used: tuple[str, ...]) -> Effect:
    """The first regressor's coefficient for ``outcome`` on ``X``, with its 95 % interval."""
    groups = pd.factorize(rows["customer_id"])[0]
    try:
        model = sm.OLS(rows[outcome].to_numpy(float), X)
        res, plain = model.fit(cov_type="cluster", cov_kwds={"groups": groups}), model.fit()
    except (np.linalg.LinAlgError, ValueError):  # a degenerate design (every customer on one side of an incident)
        return Effect(np.nan, np.nan, np.nan, used)
    # the larger of the clustered and the conventional standard error: a side with no churner has no spread of its
    # own, and the clustered one alone would then be far too narrow (Angrist and Pischke, Mostly Harmless
    # Econometrics, 8.1: the maximum of the two)
    est, se = float(res.params[0]), float(np.sqrt(max(res.cov_params()[0, 0], plain.cov_params()[0, 0])))
    low, high = (est - Z95 * se, est + Z95 * se) if np.isfinite(se) else (np.nan, np.nan)
    return Effect(est, low, high, used)


def design(rows: pd.DataFrame, base: np.ndarray | None = None) -> tuple[np.ndarray, tuple[str, ...]]:
    """The regressors (``base``, by default the affected indicator first, a constant, the incidents' indicators)
    and each adjustment factor that can be told apart from being hit: a factor that (with those before it) decides
    who was hit, as the segment does when an incident hit a segment, is left out, since adjusting for it would leave
    nothing to compare. Also the factors kept."""
    X = base if base is not None else np.column_stack([rows["affected"].to_numpy(float), np.ones(len(rows)),
                                                      _dummies(rows["incident"])])
    used = []
    for f in ADJUSTED_FOR:
        extra = _dummies(rows[f])
        wider = np.column_stack([X, extra])
        if extra.shape[1] and np.linalg.matrix_rank(wider) == wider.shape[1]:  # one value: nothing to adjust for
            X, used = wider, used + [f]
    return X, tuple(used)


def _dummies(values: pd.Series) -> np.ndarray:
    """One indicator per value but the first (sorted); none for a factor with one value."""
    return pd.get_dummies(values.astype(str), drop_first=True, dtype=float).to_numpy()


def severity_row(severity: str, rows: pd.DataFrame, usage: bool, windows: pd.DataFrame) -> dict:
    """One row of :data:`TABLE_COLUMNS` for the incidents of ``rows`` and their :func:`churn_windows` rows
    ``windows`` (shares as 0..1, usage per 30 days)."""
    aff = rows["affected"] == 1
    gap, did = effect(rows, "churned"), did_effect(windows)
    before = windows[windows["post"] == 0]
    out = {"severity": severity, "incidents": rows["incident"].nunique(), "affected": int(aff.sum()),
           "comparison": int((~aff).sum()), "churn_affected": rows.loc[aff, "churned"].mean(),
           "churn_comparison": rows.loc[~aff, "churned"].mean(),
           "churn_gap": gap.value, "churn_gap_low": gap.low, "churn_gap_high": gap.high,
           "churn_before_affected": before.loc[before["affected"] == 1, "churned"].mean(),
           "churn_before_comparison": before.loc[before["affected"] == 0, "churned"].mean(),
           "churn_did": did.value, "churn_did_low": did.low, "churn_did_high": did.high,
           "adjusted_for": ", ".join(gap.adjusted_for)}
    if usage:
        full = rows[rows["full_before"]].assign(change=lambda d: d["after"] - d["before"])
        fa = full["affected"] == 1
        did = effect(full, "change")
        out.update({"usage_affected_before": full.loc[fa, "before"].mean(),
                    "usage_affected_after": full.loc[fa, "after"].mean(),
                    "usage_comparison_before": full.loc[~fa, "before"].mean(),
                    "usage_comparison_after": full.loc[~fa, "after"].mean(), "usage_customers": len(full),
                    "usage_effect": did.value, "usage_effect_low": did.low, "usage_effect_high": did.high})
    return out


def by_severity(stack: pd.DataFrame, usage: bool, windows: pd.DataFrame) -> pd.DataFrame:
    """:data:`TABLE_COLUMNS` per severity (most affected customers first), then :data:`ALL` when there are two or
    more severities; the usage columns NaN without ``usage``; ``windows``: :func:`churn_windows`' rows."""
    order = stack.groupby("severity")["affected"].sum().sort_values(ascending=False, kind="stable").index
    rows = [severity_row(s, stack[stack["severity"] == s], usage, windows[windows["severity"] == s]) for s in order]
    if len(order) > 1:
        rows.append(severity_row(ALL, stack, usage, windows))
    return pd.DataFrame(rows).reindex(columns=TABLE_COLUMNS)


@dataclass
class Outages:
    """What :func:`measure` found.

    Attributes
    ----------
    incidents : list of Incident
        Every incident, judged or with its reason.
    table : pandas.DataFrame
        :func:`by_severity` of the judged ones (empty when none).
    stack : pandas.DataFrame
        :func:`stacked` rows (with usage when measured).
    usage : bool
        Whether the store has activity to measure usage by.
    days : int
        N: the windows' length.
    """

    incidents: list
    table: pd.DataFrame
    stack: pd.DataFrame
    usage: bool
    days: int

    @property
    def judged(self) -> list:
        return [i for i in self.incidents if not i.reason]


def measure(rows: pd.DataFrame, customers: pd.DataFrame, activity: pd.DataFrame | None, days: int,
            end: pd.Timestamp) -> Outages:
    """:class:`Outages` of the incident ``rows`` over ``customers`` (dates as datetimes) and ``activity``
    (``customer_id, date``; None or empty: no usage), for windows of ``days`` days, the data ending on ``end``."""
    every = incidents(rows, customers, days, end)
    judged = [i for i in every if not i.reason]
    stack = stacked(judged, customers, days)
    usage = activity is not None and len(activity) > 0
    if usage and len(stack):
        stack = with_usage(stack, activity, days)
    windows = churn_windows(judged, customers, days)
    table = by_severity(stack, usage, windows) if len(stack) else pd.DataFrame(columns=TABLE_COLUMNS)
    return Outages(every, table, stack, usage, days)
