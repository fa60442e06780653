"""Contact fatigue: a play's outcome and uplift by how many other contacts the customer got lately.

**Contacts in the last 30 days** (:func:`contacts_before`): other contacts made (any play; held-out rows
were not made) to the same customer, dated from 30 days before the contact up to and including its own
day. :func:`fatigue` splits the play's uplift (:func:`core.roi.group_uplift.uplift_by`) by that count.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.errors import DataValidationError
from core.roi.defaults import CONTROL, RETAINED
from core.roi.group_uplift import ALL, UPLIFT_COLUMNS, uplift_by
from core.store.dates import datetimes

FATIGUE_DAYS = 30
FATIGUE_BUCKETS = ("0", "1", "2", "3+")
_EPOCH = np.datetime64("1970-01-01", "D")
#: a customer's code and a day packed in one sortable integer: code * _SPAN + day + _SHIFT
_SPAN, _SHIFT = np.int64(1 << 32), np.int64(1 << 31)


def contacts_before(interventions: pd.DataFrame, frame: pd.DataFrame, days: int = FATIGUE_DAYS) -> np.ndarray:
    """For each contact of ``frame``, how many OTHER contacts (any play) its customer received from ``days``
    days before its date up to and including its date.

    Only contacts made count: a row in the ``holdout`` arm (:data:`core.roi.defaults.CONTROL`) is a contact that
    was not made, so it is not counted (when ``interventions`` has an ``arm`` column). A contact on the
    same day counts (their order within a day is unknown); one exactly ``days`` days earlier counts; the
    contact itself (same ``id``) does not, nor any later contact.

    Parameters
    ----------
    interventions : pandas.DataFrame
        Every contact of every play: ``id, customer_id, date`` (:attr:`core.roi.inputs.RoiInputs.interventions`).
    frame : pandas.DataFrame
        The contacts to count for: ``id, customer_id, date`` (:func:`core.roi.outcomes.outcomes`).
    days : int
        The look-back (at least 0).

    Returns
    -------
    numpy.ndarray
        One integer per row of ``frame``.

    Raises
    ------
    DataValidationError
        A frame lacks ``id``, ``customer_id`` or ``date``, or ``days`` is negative.
    """
    _check_contacts(interventions, frame, days)
    if "arm" in interventions:
        interventions = interventions[interventions["arm"].astype(str) != CONTROL]
    ids = pd.Index(pd.unique(interventions["customer_id"].astype(str)))
    codes = ids.get_indexer(interventions["customer_id"].astype(str)).astype(np.int64)
    iv_day = _day_numbers(interventions["date"])
    key = np.sort(codes * _SPAN + iv_day + _SHIFT)
    q_code = ids.get_indexer(frame["customer_id"].astype(str)).astype(np.int64)
    q_day = _day_numbers(frame["date"])
    base = q_code * _SPAN + _SHIFT
    n = (np.searchsorted(key, base + q_day, "right") - np.searchsorted(key, base + q_day - days, "left"))
    n = np.where(q_code >= 0, n, 0)
    # the contact itself is in the window when it is among the interventions (matched by id)
    at = pd.Index(interventions["id"]).get_indexer(frame["id"])
    a = np.maximum(at, 0)
    own = (at >= 0) & (codes[a] == q_code) & (iv_day[a] <= q_day) & (iv_day[a] >= q_day - days)
    return (n - own).astype(int)


def _check_contacts(interventions: pd.DataFrame, frame: pd.DataFrame, days: int) -> None:
    for name, df in (("interventions", interventions), ("contacts", frame)):
        missing = [c for c in ("id", "customer_id", "date") if c not in df]
        if missing:
            raise DataValidationError(f"The {name} lack {', '.join(missing)}: pass RoiInputs.interventions and "
                                      "core.roi.outcomes.outcomes(...), whose ids match.")
    if days < 0:
        raise DataValidationError(f"The look-back must be zero days or more (got {days}).")
    if not pd.Index(interventions["id"]).is_unique:
        raise DataValidationError("The interventions' ids repeat: pass RoiInputs.interventions (one id a contact).")


def _day_numbers(dates: pd.Series) -> np.ndarray:
    """Days since 1970-01-01, as integers."""
    return (datetimes(dates).to_numpy("datetime64[D]") - _EPOCH).astype(np.int64)


def fatigue(interventions: pd.DataFrame, frame: pd.DataFrame, outcome: str = RETAINED,
            control: str = CONTROL, *, days: int = FATIGUE_DAYS, arm: str | None = None) -> pd.DataFrame:
    """The play's outcome and uplift by how many other contacts the customer got in the last ``days`` days.

    Parameters
    ----------
    interventions : pandas.DataFrame
        Every play's contacts (:attr:`core.roi.inputs.RoiInputs.interventions`), see :func:`contacts_before`.
    frame : pandas.DataFrame
        :func:`core.roi.outcomes.outcomes` of one play.
    outcome, control, arm
        As :func:`core.roi.group_uplift.uplift_by`; an imported ``converted`` or ``responded`` column gives
        the response.
    days : int
        The look-back window.

    Returns
    -------
    pandas.DataFrame
        One row per bucket ``0, 1, 2, 3+`` (always all four; an empty bucket has n = 0) then ``All``:
        ``contacts_30d, n, n_control, treatment, control, difference, low, high, note`` (as
        :func:`core.roi.group_uplift.uplift_by`).
    """
    f = frame.copy()
    k = contacts_before(interventions, f, days)
    f["contacts_30d"] = np.where(k >= 3, "3+", k.astype(str)).astype(object)
    t = uplift_by(f, "contacts_30d", outcome, control, arm=arm).set_index("group")
    empty = {"n": 0, "n_control": 0, "treatment": np.nan, "control": np.nan, "difference": np.nan,
             "low": np.nan, "high": np.nan, "note": "no contacts"}
    rows = [t.loc[b].to_dict() if b in t.index else empty for b in (*FATIGUE_BUCKETS, ALL)]
    out = pd.DataFrame(rows, columns=UPLIFT_COLUMNS[1:])
    out.insert(0, "contacts_30d", [*FATIGUE_BUCKETS, ALL])
    return out.astype({"n": int, "n_control": int})
