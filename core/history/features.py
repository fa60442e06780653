"""The churn model's inputs: a feature table per customer as of a cutoff date, and its label.

Two kinds of data are supported:

* **temporal** (the store has dates of behaviour: activity, tickets, surveys, revenue):
  :func:`temporal_features` describes every customer active at a cutoff using only what was
  known on that day (from :class:`core.history.inputs.ChurnInputs`), and labels churn within a
  horizon after it (default 90 days; a purchase log's buyers: a purchase in the N days up to
  the cutoff, a lapse within the horizon, :func:`core.buyers.lapse_labels.lapse_labels`);
* **snapshot** (one churn flag per customer, like the telco export): :func:`snapshot_features`.

Leakage rules of :func:`temporal_features` (``tests/core/history/test_features.py`` proves them by
rebuilding the features from a store cut at the cutoff): events dated after the cutoff day are
ignored; a ticket resolved after the cutoff counts as open; renewal dates come from the signup
anniversary (the stored ``renewal_date`` is written after the fact and is not used); uploaded
customer attributes are used as they are stored, so a column updated after the cutoff would leak:
the model card says so.
"""

from __future__ import annotations

import re
from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.buyers import engine_lapse_labels
from core.buyers.lapse_labels import lapse_labels
from core.errors import DataValidationError, InsufficientDataError
from core.history import engine_behaviour, frame_behaviour
from core.history.frame_behaviour import GROUPS
from core.history.inputs import ChurnInputs
from core.store.dates import datetimes

#: features the business can move (plays can act on them); everything else is context
CONTROLLABLE_WORDS = ("usage", "active", "activity", "ticket", "resolve", "support", "nps", "csat", "ces",
                      "onboarding", "price", "discount", "charge", "plan", "contract", "payment", "paperless",
                      "security", "backup", "protection", "streaming", "internet", "phone", "lines")
#: words (whole words of the feature's name) that mark context the business cannot change
FIXED_WORDS = ("region", "tenure", "segment", "gender", "senior", "partner", "dependents", "channel", "age",
               "country", "industry", "mrr", "renewal", "seats", "size")
_ID_LIKE = ("customer_id", "customerid", "id", "column_1")
_ATTRS = ("segment", "plan", "region", "channel")

#: what each behavioural feature means (shown in the glossary and the model card)
FEATURE_TEXT = {
    "tenure_months": "months from signup to the cutoff",
    "days_to_renewal": "days from the cutoff to the next signup anniversary (annual renewal)",
    "usage_level_30d": "log(1 + usage per day over the 30 days up to the cutoff), all metrics summed",
    "usage_trend_90d": "the usage level (above) minus the same measure 90 days earlier (empty for customers "
                       "younger than 120 days)",
    "active_days_30d": "days with any activity in the 30 days up to the cutoff",
    "days_since_active": "days since the last activity (capped at 365)",
    "tickets_90d": "support tickets opened in the 90 days up to the cutoff",
    "tickets_unresolved": "tickets opened in those 90 days and not resolved by the cutoff",
    "hours_to_resolve": "median hours from opening to resolution of tickets resolved in the 180 days up to "
                        "the cutoff",
    "nps_latest": "the latest NPS answer (0-10) before the cutoff",
    "nps_change": "the latest NPS answer minus the one before it",
    "csat_latest": "the latest CSAT answer before the cutoff",
    "csat_change": "the latest CSAT answer minus the one before it",
    "mrr_latest": "MRR of the latest month on or before the cutoff",
    "mrr_change_3m": "relative MRR change over the three months before the cutoff",
    "failed_payments_90d": "failed payments of billing periods in the 90 days up to the cutoff",
}


def _words(feature: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", feature)
    return [w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w]


def is_controllable(feature: str) -> bool:
    """Whether a play can move this feature (support speed, usage, pricing ...) rather than context
    the business cannot change (region, tenure ...). Fixed words (whole words) win."""
    if any(w in FIXED_WORDS for w in _words(feature)):
        return False
    f = feature.lower().replace(" ", "")
    return any(w in f for w in CONTROLLABLE_WORDS)


@dataclass
class ChurnData:
    """A feature table and its label.

    Attributes
    ----------
    X : pandas.DataFrame
        One row per customer (per cutoff); numeric and categorical (object) columns.
    y : numpy.ndarray or None
        1 where the customer churned (within the horizon, or ever for a snapshot); None when the
        horizon has not passed yet (scoring today's customers).
    customer_id : pandas.Series
    controllable : dict
        feature -> True when the business can act on it.
    source : str
        ``"snapshot"`` or ``"temporal"``.
    cutoff : pandas.Series
        The cutoff date of each row.
    missing : list of str
        Behaviour the store has no data for (so no feature was made), for the model card.
    """

    X: pd.DataFrame
    y: np.ndarray | None
    customer_id: pd.Series
    controllable: dict
    source: str
    cutoff: pd.Series = field(default_factory=lambda: pd.Series(dtype="datetime64[ns]"))
    missing: list = field(default_factory=list)

    def rows(self, index) -> ChurnData:
        """The same data restricted to row positions ``index``."""
        index = np.asarray(index)
        return ChurnData(self.X.iloc[index].reset_index(drop=True), None if self.y is None else self.y[index],
                         self.customer_id.iloc[index].reset_index(drop=True), self.controllable, self.source,
                         self.cutoff.iloc[index].reset_index(drop=True) if len(self.cutoff) else self.cutoff,
                         self.missing)


def concat(parts: list[ChurnData]) -> ChurnData:
    """Stack the rows of several cutoffs."""
    X = pd.concat([p.X for p in parts], ignore_index=True)
    for c in X.columns:  # a column all-missing at one cutoff must stay categorical or numeric
        if any(p.X[c].dtype == object for p in parts if c in p.X):
            X[c] = X[c].astype(object)
    return ChurnData(X, np.concatenate([p.y for p in parts]),
                     pd.concat([p.customer_id for p in parts], ignore_index=True),
                     {k: v for p in parts for k, v in p.controllable.items()}, parts[0].source,
                     pd.concat([p.cutoff for p in parts], ignore_index=True), parts[0].missing)


def _attributes(customers: pd.DataFrame, X: pd.DataFrame) -> None:
    """Add segment, plan, region, channel and every uploaded attribute to ``X`` (in place)."""
    for col in _ATTRS:
        if col in customers and customers[col].notna().any():
            X[col] = customers[col].astype(object).to_numpy()
    if "attributes" in customers:
        attrs = pd.DataFrame([a if isinstance(a, dict) else {} for a in customers["attributes"]])
        for col in attrs.columns:
            if col.lower().replace(" ", "") in _ID_LIKE or col in X:
                continue
            s = attrs[col]
            X[col] = (pd.to_numeric(s, errors="coerce") if pd.api.types.is_numeric_dtype(s)
                      else s.astype(object)).to_numpy()


def snapshot_features(customers: pd.DataFrame, as_of=None) -> ChurnData:
    """Features and label from a snapshot customer table (churn flag at one date).

    Parameters
    ----------
    customers : pandas.DataFrame
        The store's customer table (``attributes`` holds the upload's extra columns as dicts).
    as_of : date-like, optional
        The snapshot date; default the latest churn or signup date.

    Returns
    -------
    ChurnData
        Features: segment, plan, region, channel, tenure in months at the snapshot, and every
        uploaded attribute; label: churned (churn date set).
    """
    if customers.empty:
        raise InsufficientDataError("There are no customers to model: import a customer file or the demo.")
    customers = customers.reset_index(drop=True)
    signup = datetimes(customers["signup_date"])
    churn = datetimes(customers["churn_date"])
    if as_of is None:
        as_of = max(d for d in (churn.max(), signup.max()) if pd.notna(d))
    as_of = pd.Timestamp(as_of)
    X = pd.DataFrame(index=customers.index)
    _attributes(customers, X)
    # completed calendar months at the snapshot (Dec 31 -> Jan 31 is one month, as billing counts)
    months = (as_of.year - signup.dt.year) * 12 + (as_of.month - signup.dt.month)
    months = months - ((signup.dt.day > as_of.day) & (signup.dt.day <= signup.dt.days_in_month)
                       & (as_of.day < as_of.days_in_month)).astype(int)
    X.insert(min(len(X.columns), len([c for c in _ATTRS if c in X])), "tenure_months", months.astype(float))
    y = churn.notna().to_numpy().astype(int)
    if y.sum() < 10 or (1 - y).sum() < 10:
        raise InsufficientDataError("A churn model needs at least 10 churned and 10 retained customers.")
    return ChurnData(X=X, y=y, customer_id=customers["customer_id"].astype(str),
                     controllable={c: is_controllable(c) for c in X.columns}, source="snapshot",
                     cutoff=pd.Series(as_of, index=X.index))


def _anniversary_after(signup: pd.Series, cutoff: pd.Timestamp) -> pd.Series:
    """The first signup anniversary strictly after ``cutoff`` (Feb 29 falls on Feb 28)."""
    s_ord = signup.dt.year * 12 + signup.dt.month - 1
    c_ord = cutoff.year * 12 + cutoff.month - 1
    out = None
    for extra in (0, 12):
        years = np.maximum(1, (c_ord - s_ord) // 12) * 12 + extra
        month = pd.PeriodIndex.from_ordinals((s_ord + years - 1970 * 12).to_numpy(np.int64), freq="M")
        day = np.minimum(signup.dt.day.to_numpy(), month.days_in_month.to_numpy())
        cand = pd.Series(month.start_time + pd.to_timedelta(day - 1, unit="D"), index=signup.index)
        out = cand if out is None else out.where(out > cutoff, cand)
    return out


def _active_customers(inputs: ChurnInputs, c: pd.Timestamp, horizon_days: int) -> tuple[pd.DataFrame, pd.Series]:
    """The customers signed up by the end of day ``c`` and not churned by then, and their label (churned within
    the horizon): by churn date, or for a purchase log's buyers by :func:`core.buyers.lapse_labels.lapse_labels`
    (from their purchases up to the horizon's end, never from their final purchase's churn date), judged by the
    engine when the rule left the purchases there (:mod:`core.buyers.engine_lapse_labels`)."""
    cust, churn = inputs.customers, inputs.customers["churn_date"]
    active = (cust["signup_date"] <= c) & (churn.isna() | (churn > c))
    label = churn.notna() & (churn <= c + pd.Timedelta(days=horizon_days))
    if (rule := inputs.lapse) is not None and (rule.purchases is not None or inputs.source is not None):
        ids = cust["customer_id"].astype(str)
        judged = ids.isin(rule.churn_dates.index)
        status = lapse_labels(rule.purchases, rule.days, c, horizon_days) if rule.purchases is not None else \
            engine_lapse_labels.lapse_labels(inputs.source, rule.churn_dates.index, rule.days, c, horizon_days)
        active = active.where(~judged, (cust["signup_date"] <= c) & ids.map(status["active"]).eq(True))
        label = label.where(~judged, ids.map(status["churned"]).eq(True))
    cust, label = cust[active].reset_index(drop=True), label[active].reset_index(drop=True)
    if cust.empty:
        raise InsufficientDataError(f"No customer was active on {c:%Y-%m-%d}; pick a later cutoff.")
    return cust, label


def engine_recency(inputs: ChurnInputs, customer_ids, cutoff) -> np.ndarray:
    """Days from each row's last purchase on or before ``cutoff`` to it (``customer_ids`` in row order; NaN for a
    customer the lapse rule does not judge), from the purchases the rule left on the engine (``inputs.source``):
    :func:`core.churn.horizon.recency_days`' figure."""
    return engine_lapse_labels.recency_days(inputs.source, inputs.lapse.churn_dates.index, customer_ids, cutoff)


def asked_ahead(inputs: ChurnInputs, cutoffs, groups=GROUPS):
    """A block that calls :func:`temporal_features` at each of ``cutoffs`` (a back-test's month ends, a model's
    training cutoffs), with the same ``groups``: with an engine (``inputs.source``) it is asked for the behaviour at
    all of them at once, one query per group of features instead of one per cutoff; with pandas nothing changes."""
    if inputs.source is None:
        return nullcontext()
    return engine_behaviour.prepared(inputs.source, inputs.customers[["customer_id", "signup_date"]], cutoffs, groups)


def temporal_features(inputs: ChurnInputs, cutoff, horizon_days: int = 90, label: bool = True,
                      groups=GROUPS) -> ChurnData:
    """Describe every customer active at the end of ``cutoff`` with what was known that day.

    Parameters
    ----------
    inputs : core.history.inputs.ChurnInputs
        With a ``source``, that engine sums the behavioural features (:mod:`core.history.engine_behaviour`, equal to
        the pandas sums here, tested to 1e-9).
    cutoff : date-like
        The day the features describe (events on that day count).
    horizon_days : int
        The label is churn in the ``horizon_days`` days after the cutoff.
    label : bool
        False to score today's customers (no label; the horizon may run past the data).
    groups : tuple of str
        The groups of behavioural features to describe (:data:`GROUPS`, the default: all of them); fewer for a
        reader that needs only some, such as the leading indicators' usage level (the other groups' columns are
        then absent, and not listed as missing).

    Returns
    -------
    ChurnData
        Features (see :data:`FEATURE_TEXT`, plus segment, plan, region, channel and uploaded
        attributes); ``missing`` names behaviour the store has no rows for.

    Raises
    ------
    DataValidationError
        The horizon runs past the end of the data while ``label`` is set.
    InsufficientDataError
        No customer is active at the cutoff.
    """
    c = pd.Timestamp(cutoff).normalize()
    if label and c + pd.Timedelta(days=horizon_days) > inputs.end():
        raise DataValidationError(f"The {horizon_days}-day horizon after {c:%Y-%m-%d} runs past the end of the data "
                                  f"({inputs.end():%Y-%m-%d}); pick an earlier cutoff or a shorter horizon.")
    cust, churned = _active_customers(inputs, c, horizon_days)
    ids = cust["customer_id"].astype(str)
    index = pd.Index(ids.to_numpy(), dtype=object)
    X = pd.DataFrame(index=range(len(cust)))
    _attributes(cust, X)
    X["tenure_months"] = ((c - cust["signup_date"]).dt.days / 30.4375).round(2).to_numpy()
    X["days_to_renewal"] = (_anniversary_after(cust["signup_date"], c) - c).dt.days.to_numpy(float)
    missing = []
    described = (frame_behaviour.behaviour(inputs, index, cust["signup_date"], c, groups) if inputs.source is None
                 else engine_behaviour.behaviour(inputs.source, cust[["customer_id", "signup_date"]], c, groups))
    for columns, gap in described:
        for name, values in columns.items():
            X[name] = values
        if not columns:
            missing.append(gap)
    y = churned.to_numpy().astype(int) if label else None
    return ChurnData(X=X, y=y, customer_id=ids, controllable={col: is_controllable(col) for col in X.columns},
                     source="temporal", cutoff=pd.Series(c, index=X.index), missing=missing)
