"""A play's contacts with their outcomes, and which contacts and arms count for an outcome.

Outcomes (:func:`outcomes`):

* **retained**: the customer had not churned ``window`` days after the contact;
* **revenue kept**: revenue billed in the ``window`` days after the contact (MRR, or the amount of
  a transaction where there is no MRR);
* any numeric column imported with the play (for example ``converted`` or ``spend`` of a campaign
  spreadsheet), measured as given.

A contact is **eligible** for a store outcome only when the whole window lies inside the data and the
customer was still a customer on the contact date, so every denominator counts customers who could
have been kept for the whole window. Imported outcomes were measured by whoever ran the campaign and
every row counts (:func:`measured`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.errors import DataValidationError
from core.roi import engine_outcomes
from core.roi.defaults import CONTROL, OUTCOME_COLUMNS, PRE_DAYS, PRE_REVENUE, PRE_USAGE, RETAINED, REVENUE, WINDOW_DAYS
from core.roi.inputs import RoiInputs
from core.store.dates import datetimes

_EPOCH = np.datetime64("1970-01-01", "D")
#: the customer columns each contact carries
_CUSTOMER_COLUMNS = ("signup_date", "churn_date", "segment", "plan", "region")


def window_sums(cust_codes: np.ndarray, days: np.ndarray, values: np.ndarray,
                q_codes: np.ndarray, q_lo: np.ndarray, q_hi: np.ndarray) -> np.ndarray:
    """For each query, the sum of ``values`` of its customer with ``q_lo <= day < q_hi`` (sorted cumsums)."""
    out = np.zeros(len(q_codes))
    ok = (cust_codes >= 0)
    if not ok.any() or not len(q_codes):
        return out
    span = np.int64(1 << 32)
    key = cust_codes[ok].astype(np.int64) * span + (days[ok].astype(np.int64) + (1 << 31))
    order = np.argsort(key, kind="stable")
    key, cs = key[order], np.r_[0.0, np.cumsum(values[ok][order])]
    base = q_codes.astype(np.int64) * span + (1 << 31)
    lo = np.searchsorted(key, base + q_lo.astype(np.int64), "left")
    hi = np.searchsorted(key, base + q_hi.astype(np.int64), "left")
    return np.where(q_codes >= 0, cs[hi] - cs[lo], 0.0)


def last_before(cust_codes: np.ndarray, days: np.ndarray, values: np.ndarray,
                q_codes: np.ndarray, q_day: np.ndarray) -> np.ndarray:
    """For each query, the value of its customer's latest row with ``day < q_day`` (NaN if none)."""
    out = np.full(len(q_codes), np.nan)
    ok = cust_codes >= 0
    if not ok.any() or not len(q_codes):
        return out
    span = np.int64(1 << 32)
    key = cust_codes[ok].astype(np.int64) * span + (days[ok].astype(np.int64) + (1 << 31))
    order = np.argsort(key, kind="stable")
    key, vals = key[order], values[ok][order]
    i = np.searchsorted(key, q_codes.astype(np.int64) * span + (1 << 31) + q_day.astype(np.int64), "left") - 1
    same = (i >= 0) & (q_codes >= 0) & (key[np.maximum(i, 0)] // span == q_codes)
    out[same] = vals[i[same]]
    return out


def _customer_values(customers: pd.DataFrame, ids: pd.Series) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Whether each contact's customer is known, and the customer columns per contact (None when unknown)."""
    cust = customers.set_index("customer_id")
    pos = cust.index.get_indexer(ids)
    known = pos >= 0

    def col(c):
        return np.where(known, cust[c].to_numpy()[np.maximum(pos, 0)], None) if len(cust) else np.full(len(ids), None)

    return known, {c: col(c) for c in _CUSTOMER_COLUMNS}


def _window_values(inputs: RoiInputs, iv: pd.DataFrame, day: np.ndarray, window: int,
                   pre_days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per contact: revenue kept in the window, revenue and usage in the pre-period, the latest revenue before.

    Sums over windows come from sorted cumulative sums, with no loop over rows; with a source, from its engine.
    """
    if inputs.source is not None:
        contacts = pd.DataFrame({"id": iv["id"], "customer_id": iv["customer_id"], "date": day.astype("datetime64[D]")})
        return engine_outcomes.window_values(inputs.source, contacts, window, pre_days)
    rev = inputs.revenue
    r_ids = pd.Index(pd.unique(iv["customer_id"]))
    r_codes = r_ids.get_indexer(rev["customer_id"]) if len(rev) else np.array([], np.int64)
    r_days = ((rev["period"].to_numpy("datetime64[D]") - _EPOCH).astype(np.int64) if len(rev)
              else np.array([], np.int64))
    r_vals = rev["value"].to_numpy(float) if len(rev) else np.array([], float)
    q = r_ids.get_indexer(iv["customer_id"])
    kept = window_sums(r_codes, r_days, r_vals, q, day, day + window)
    pre_rev = window_sums(r_codes, r_days, r_vals, q, day - pre_days, day)
    mrr = last_before(r_codes, r_days, r_vals, q, day)
    acts = inputs.activity
    if len(acts) and acts.value is not None:
        a_codes = r_ids.get_indexer(acts.ids)[acts.codes]
        use = window_sums(a_codes, acts.days, acts.value, q, day - pre_days, day)
    else:
        use = np.zeros(len(iv))
    return kept, pre_rev, mrr, use


def _retention(date: np.ndarray, churn_date: np.ndarray, known: np.ndarray, end: pd.Timestamp,
               window: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per contact: days from contact to churn (NaN if not churned), eligible (the whole window is in the data and
    the customer was a customer on the contact date) and retained (1/0)."""
    churn = datetimes(pd.Series(churn_date)).to_numpy("datetime64[D]")
    churn_day = (churn - date).astype("timedelta64[D]").astype(float)  # NaT -> nan
    churn_day[np.isnat(churn)] = np.nan
    last = np.datetime64(end.date(), "D")
    eligible = known & (date + np.timedelta64(window, "D") <= last + np.timedelta64(1, "D")) & ~(churn_day <= 0)
    retained = np.where(np.isnan(churn_day) | (churn_day >= window), 1.0, 0.0)
    return churn_day, eligible, retained


def _play_contacts(inputs: RoiInputs, play: str) -> pd.DataFrame:
    """The rows of ``play`` in the interventions, without the columns only other plays fill."""
    iv = inputs.interventions
    iv = iv[iv["play"] == play]
    if iv.empty:
        raise DataValidationError(f"There is no play '{play}'. Plays: {', '.join(inputs.plays()) or 'none'}.")
    return iv.dropna(axis=1, how="all").reset_index(drop=True)


def outcomes(inputs: RoiInputs, play: str, *, window: int = WINDOW_DAYS, pre_days: int = PRE_DAYS) -> pd.DataFrame:
    """One row per contact of ``play`` with its outcomes and pre-period values.

    Parameters
    ----------
    play : str
        The play's name.
    window : int
        Days after the contact over which retention and revenue are measured.
    pre_days : int
        Days before the contact over which the CUPED covariates are measured.

    Returns
    -------
    pandas.DataFrame
        :data:`core.roi.defaults.OUTCOME_COLUMNS` plus the play's imported numeric columns: ``eligible`` (the
        whole window is in the data and the customer was a customer on the contact date), ``followed`` (the
        store knows the customer's signup, churn, revenue or usage), ``churn_day``
        (days from contact to churn, NaN if not churned), ``retained`` (1/0), ``revenue_kept``
        (revenue with a period in ``[date, date + window)``), ``pre_revenue`` (revenue with a period
        in ``[date - pre_days, date)``), ``pre_usage`` (log of 1 + daily usage in the ``pre_days``
        before the contact) and ``mrr_before`` (the latest revenue row before the contact).

    Raises
    ------
    DataValidationError
        When the play is unknown or the window is not positive.
    """
    if window < 1 or pre_days < 1:
        raise DataValidationError("The window and the pre-period must be at least one day.")
    iv = _play_contacts(inputs, play)
    known, cust = _customer_values(inputs.customers, iv["customer_id"])
    date = iv["date"].to_numpy("datetime64[D]")
    churn_day, eligible, retained = _retention(date, cust["churn_date"], known, inputs.end, window)
    kept, pre_rev, mrr, use = _window_values(inputs, iv, (date - _EPOCH).astype(np.int64), window, pre_days)
    signed = pd.notna(datetimes(pd.Series(cust["signup_date"]))).to_numpy()
    followed = known & (signed | ~np.isnan(churn_day) | (pre_rev > 0) | (kept > 0) | (use > 0))
    out = pd.DataFrame({
        "id": iv["id"].to_numpy(), "customer_id": iv["customer_id"].to_numpy(), "play": play,
        "arm": iv["arm"].to_numpy(), "channel": iv["channel"].to_numpy() if "channel" in iv else None,
        "date": iv["date"].to_numpy(), "cost": iv["cost"].to_numpy(float) if "cost" in iv else np.nan,
        "segment": cust["segment"], "plan": cust["plan"], "region": cust["region"],
        "eligible": eligible, "followed": followed, "churn_day": churn_day, RETAINED: retained, REVENUE: kept,
        PRE_REVENUE: pre_rev, PRE_USAGE: np.log1p(np.maximum(use, 0) / pre_days), "mrr_before": mrr})
    # the play's own imported columns (another play's columns are empty here)
    extra = [c for c in iv.columns if c not in out.columns and c not in ("group", "attributes")
             and pd.api.types.is_numeric_dtype(iv[c]) and iv[c].notna().any()]
    return pd.concat([out, iv[extra]], axis=1)


def imported_columns(frame: pd.DataFrame) -> list[str]:
    """The numeric columns imported with the play (outcomes or pre-period values given in the file)."""
    return [c for c in frame.columns if c not in OUTCOME_COLUMNS and pd.api.types.is_numeric_dtype(frame[c])]


def store_outcomes_apply(frame: pd.DataFrame) -> bool:
    """Whether retention and revenue from the store mean something for these contacts: most of them are
    ``followed`` (a campaign file that only created its customers has neither signups, churn, revenue nor
    usage for them). It does not depend on the window."""
    return bool(frame["followed"].mean() >= 0.5) if len(frame) else False


def arms(frame: pd.DataFrame, control: str = CONTROL) -> list[str]:
    """Treatment arms of a play: every arm but ``control``, largest first."""
    counts = frame["arm"].value_counts()
    return [a for a in counts.index if a != control]


def default_control(frame: pd.DataFrame) -> str:
    """``holdout`` when the play has one, else its smallest arm."""
    counts = frame["arm"].value_counts()
    return CONTROL if CONTROL in counts.index else str(counts.index[-1])


def measured(frame: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """The rows that count for ``outcome``: eligible rows for a store outcome, rows with a value for an
    imported one."""
    if outcome in (RETAINED, REVENUE):
        return frame[frame["eligible"]]
    if outcome not in frame:
        raise DataValidationError(f"The play has no outcome '{outcome}'. Outcomes: "
                                  f"{', '.join([RETAINED, REVENUE] + imported_columns(frame))}.")
    return frame[frame[outcome].notna()]
