"""What the Intervention ROI measures read: the plays' contacts, the customers, their revenue and usage.

The unit is one **contact**: a row of the ``intervention`` table (a customer, a play, an arm and a
date). A customer can be contacted by several plays, or by the same play in several years; each
contact is measured on its own (:func:`core.roi.outcomes.outcomes`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from core.errors import NoDataYetError
from core.history import asof
from core.history.inputs import inputs_from_frames as churn_inputs
from core.ingest.fields import to_flags
from core.query import choice
from core.query.sources import Source
from core.roi.defaults import LABELS
from core.store.columnar import ActivityPairs, activity_pairs
from core.store.dates import datetimes
from core.store.read import load_columns, load_table


@dataclass
class RoiInputs:
    """What the Intervention ROI page reads from the store.

    Attributes
    ----------
    interventions : pandas.DataFrame
        ``id, customer_id, play, channel, date, arm, cost`` plus one column per numeric value imported
        with the plays (the ``attributes`` of the rows, flattened; yes/no text read as 1/0).
    customers : pandas.DataFrame
        ``customer_id, segment, plan, region, signup_date, churn_date, renewal_date``.
    revenue : pandas.DataFrame
        ``customer_id, period, value``: MRR per month, or the amount of a transaction.
    activity : ActivityPairs
        Daily usage with values.
    end : pandas.Timestamp
        The last day the data speaks about.
    source : core.query.sources.Source, optional
        With one, that engine sums each contact's revenue and usage windows (:mod:`core.roi.engine_outcomes`, equal
        to the pandas sums, tested to 1e-9); None: pandas over the frames above.
    """

    interventions: pd.DataFrame
    customers: pd.DataFrame
    revenue: pd.DataFrame
    activity: ActivityPairs
    end: pd.Timestamp
    source: Source | None = None

    def plays(self) -> list[str]:
        """The plays, in order of their first contact."""
        iv = self.interventions.sort_values("date", kind="stable")
        return list(pd.unique(iv["play"]))


def _flags_or_numbers(s: pd.Series) -> pd.Series | None:
    """A numeric attribute column (numbers, or yes/no text read as 1/0), or None when it is text."""
    if pd.api.types.is_bool_dtype(s):
        return s.astype(float)
    num = pd.to_numeric(s, errors="coerce")
    given = s.notna()
    if given.any() and num[given].notna().mean() >= 0.95:
        return num.astype(float)
    text = s.where(given).astype(object)
    flags, bad = to_flags(text.where(given, None).astype("string").astype(object))
    if given.any() and (~bad[given]).mean() >= 0.95:
        return flags.astype(float)
    return None


def _attribute_columns(attrs: pd.Series) -> pd.DataFrame:
    """The numeric values of the rows' ``attributes`` (dicts), one column each; text values are dropped."""
    rows = [a if isinstance(a, dict) else {} for a in attrs]
    raw = pd.DataFrame.from_records(rows, index=attrs.index) if any(rows) else pd.DataFrame(index=attrs.index)
    out = {}
    for c in raw.columns:
        col = _flags_or_numbers(raw[c])
        if col is not None:
            out[str(c)] = col
    return pd.DataFrame(out, index=attrs.index)


def _interventions_frame(interventions: pd.DataFrame) -> pd.DataFrame:
    """:attr:`RoiInputs.interventions` from the store's ``intervention`` rows (see :func:`inputs_from_frames`)."""
    iv = interventions.copy()
    if "id" not in iv:
        iv.insert(0, "id", np.arange(1, len(iv) + 1))
    for c in ("channel", "cost"):
        if c not in iv:
            iv[c] = None if c == "channel" else np.nan
    extra = _attribute_columns(iv["attributes"]) if "attributes" in iv else pd.DataFrame(index=iv.index)
    base = pd.DataFrame({"id": iv["id"].astype(int).to_numpy(), "customer_id": iv["customer_id"].astype(str).to_numpy(),
                         "play": iv["play"].astype(str).to_numpy(), "channel": iv["channel"].to_numpy(),
                         "date": datetimes(iv["date"]).dt.normalize().to_numpy(),
                         "arm": iv["group"].astype(str).to_numpy(),
                         "cost": pd.to_numeric(iv["cost"], errors="coerce").astype(float).to_numpy()})
    extra = extra.drop(columns=[c for c in extra.columns if c in base.columns or c in LABELS], errors="ignore")
    return pd.concat([base, extra.reset_index(drop=True)], axis=1)


def _customers_frame(customers: pd.DataFrame) -> pd.DataFrame:
    """:attr:`RoiInputs.customers`: ids as text, dates parsed, missing columns empty."""
    cust = customers.copy()
    cust["customer_id"] = cust["customer_id"].astype(str)
    for c in ("signup_date", "churn_date", "renewal_date"):
        cust[c] = datetimes(cust[c]) if c in cust else pd.NaT
    for c in ("segment", "plan", "region"):
        if c not in cust:
            cust[c] = None
    return cust[["customer_id", "segment", "plan", "region", "signup_date", "churn_date", "renewal_date"]]


def _revenue_frame(revenue: pd.DataFrame | None) -> pd.DataFrame:
    """:attr:`RoiInputs.revenue`: one value a row, the MRR or else the amount; rows without either dropped."""
    rev = pd.DataFrame(columns=["customer_id", "period", "value"]) if revenue is None else pd.DataFrame({
        "customer_id": revenue["customer_id"].astype(str),
        "period": datetimes(revenue["period"]),
        "value": pd.to_numeric(revenue["mrr"], errors="coerce").fillna(
            pd.to_numeric(revenue["amount"], errors="coerce") if "amount" in revenue else np.nan)})
    return rev.dropna(subset=["value"])


def inputs_from_frames(interventions: pd.DataFrame, customers: pd.DataFrame, revenue: pd.DataFrame | None = None,
                       activity: pd.DataFrame | ActivityPairs | None = None, end=None) -> RoiInputs:
    """:class:`RoiInputs` from frames in store column names (for example :func:`core.make_demo`'s).

    Parameters
    ----------
    interventions : pandas.DataFrame
        ``customer_id, play, date, group`` and optionally ``id, channel, cost, attributes``.
    customers : pandas.DataFrame
        ``customer_id, signup_date, churn_date`` and optionally ``segment, plan, region``.
    revenue : pandas.DataFrame, optional
        ``customer_id, period, mrr`` (and optionally ``amount``).
    activity : pandas.DataFrame or ActivityPairs, optional
        ``customer_id, date, value`` rows.
    end : date-like, optional
        The last day of the data (default: the latest signup, churn, usage or revenue date; contact
        dates do not count, so a contact file newer than the rest of the data is not measured as retained).
    """
    iv = _interventions_frame(interventions)
    cust = _customers_frame(customers)
    rev = _revenue_frame(revenue)
    if isinstance(activity, ActivityPairs):
        acts = activity
    else:
        acts = churn_inputs(cust, activity).activity
    if end is None:  # the contacts themselves say nothing about churn, so they never move the end
        end = asof.data_end(cust, acts, rev)
    return RoiInputs(iv, cust, rev.reset_index(drop=True), acts, pd.Timestamp(end).normalize())


def load_inputs(engine: Engine, source=choice.CONFIGURED) -> RoiInputs:
    """Read the plays, customers, revenue and usage the ROI measures need, with ``source`` (a
    :class:`core.query.sources.Source`, or None for pandas) summing each contact's windows; by default the engine
    ``RETENTION_ENGINE`` names (:func:`core.query.choice.configured`: DuckDB when it is not set).

    Raises
    ------
    NoDataYetError
        When the store holds no interventions.
    """
    iv = load_table(engine, "intervention")
    if iv.empty:
        raise NoDataYetError("There are no plays to measure: import interventions (one row per contacted "
                                    "or held-out customer) on the Data page, or load the demo.")
    customers = load_columns(engine, "customer", ["customer_id", "segment", "plan", "region", "signup_date",
                                                  "churn_date", "renewal_date"])
    revenue = load_columns(engine, "revenue", ["customer_id", "period", "mrr", "amount"])
    # every customer's usage, not only the contacted ones': the next wave scores customers never contacted yet
    inputs = inputs_from_frames(iv, customers, revenue, activity_pairs(engine, values=True))
    inputs.source = choice.configured(engine) if source == choice.CONFIGURED else source
    return inputs
