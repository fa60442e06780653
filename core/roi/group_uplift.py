"""Uplift by group: a play's treated-minus-held-out difference within each segment, plan, region, risk tier ...

**Uplift** of a group = mean outcome of its treated contacts minus mean outcome of its held-out contacts
(:func:`core.roi.arms.measured_arms`: measured rows only; "treated" pools every arm but the control unless
one ``arm`` is named), with :func:`core.roi.estimates.diff_interval`'s 95 % interval (Wald for a yes/no outcome,
Welch for an amount). Groups are randomised too (the holdout was drawn among everyone targeted), so each
group's difference is an unbiased estimate for that group; with several groups one interval in twenty
misses by chance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.churn.pipeline import TIERS
from core.errors import DataValidationError
from core.roi.arms import measured_arms
from core.roi.defaults import CONTROL, RETAINED
from core.roi.estimates import diff_interval, is_binary

ALL = "All"
MISSING = "(missing)"
TOO_FEW_HELD_OUT = "too few held out (fewer than 2 measured control contacts)"
TOO_FEW_TREATED = "too few treated (fewer than 2 measured treated contacts)"
SAME_OUTCOME = "interval too narrow: every contact of one arm had the same outcome (a larger group is needed)"
UPLIFT_COLUMNS = ["group", "n", "n_control", "treatment", "control", "difference", "low", "high", "note"]


def uplift_by(frame: pd.DataFrame, by: str, outcome: str = RETAINED, control: str = CONTROL, *,
              arm: str | None = None) -> pd.DataFrame:
    """The play's uplift within each group of ``by``, and overall.

    Parameters
    ----------
    frame : pandas.DataFrame
        :func:`core.roi.outcomes.outcomes` of one play (with ``risk_tier`` from
        :func:`core.roi.contact_risk.risk_at_contact` to split by risk).
    by : str
        A column of ``frame``: ``segment``, ``plan``, ``region``, ``risk_tier``, ``channel`` ...
        Missing values form the group ``(missing)``.
    outcome : str
        ``retained``, ``revenue_kept`` or an imported numeric column.
    control : str
        The held-out arm.
    arm : str, optional
        One treatment arm; by default every arm but the control, pooled.

    Returns
    -------
    pandas.DataFrame
        One row per group (risk tiers red, amber, green; other groups sorted) then the ``All`` row:
        ``group, n`` (treated contacts measured), ``n_control, treatment, control`` (means),
        ``difference, low, high`` (treated minus control, 95 % interval) and ``note``: empty, or why the
        difference is NaN (fewer than two measured contacts held out, or treated), or a warning that a
        yes/no interval is too narrow because one arm's outcomes were all the same (Wald's variance is 0).

    Raises
    ------
    DataValidationError
        ``by`` or the outcome is not a column, or the control (or ``arm``) is not an arm of the play.

    Examples
    --------
    >>> import core
    >>> from core.roi.inputs import inputs_from_frames
    >>> from core.roi.outcomes import outcomes
    >>> demo = core.make_demo(300, seed=0)
    >>> f = outcomes(inputs_from_frames(demo.interventions, demo.customers, demo.revenue, demo.activity),
    ...              "Onboarding call")
    >>> uplift_by(f, "segment")["group"].iloc[-1]
    'All'
    """
    if by not in frame:
        raise DataValidationError(f"There is no column '{by}' to split by. Columns: {', '.join(map(str, frame))}.")
    rows, treated = measured_arms(frame, outcome, control, arm)
    binary = is_binary(rows[outcome])  # one interval family for every group, as compare() over all rows
    groups = rows[by].astype(object).where(rows[by].notna(), MISSING)
    out = []
    for g in _group_order(groups, by):
        m = (groups == g).to_numpy()
        out.append({"group": g} | _interval_row(rows[outcome][m], treated[m], binary))
    out.append({"group": ALL} | _interval_row(rows[outcome], treated, binary))
    return pd.DataFrame(out, columns=UPLIFT_COLUMNS)


def _interval_row(y: pd.Series, treated: np.ndarray, binary: bool) -> dict:
    """n, means and the difference with its interval, or NaN and a note when an arm is too small."""
    y_t, y_c = y.to_numpy(float)[treated], y.to_numpy(float)[~treated]
    row = {"n": int(len(y_t)), "n_control": int(len(y_c)),
           "treatment": float(y_t.mean()) if len(y_t) else np.nan,
           "control": float(y_c.mean()) if len(y_c) >= 2 else np.nan}
    d, lo, hi, _ = diff_interval(y_t, y_c, binary=binary)
    note = TOO_FEW_HELD_OUT if len(y_c) < 2 else TOO_FEW_TREATED if len(y_t) < 2 else ""
    if not note and binary and (y_t.min() == y_t.max() or y_c.min() == y_c.max()):
        # Wald's variance p (1 - p) is 0 for an arm whose outcomes are all equal: the interval is too narrow
        note = SAME_OUTCOME
    return row | {"difference": d, "low": lo, "high": hi, "note": note}


def _group_order(values: pd.Series, by: str) -> list:
    """Risk tiers riskiest first (as the churn page lists them), other groups sorted with ``(missing)`` last."""
    present = list(pd.unique(values))
    if by == "risk_tier":
        first = [t for t in TIERS if t in present]
        return first + sorted(v for v in present if v not in first)
    return sorted(present, key=lambda v: (v == MISSING, str(v)))
