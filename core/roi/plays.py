"""The plays at a glance (:func:`plays_table`), and a play's contacts within the page's filters (:func:`scope`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.roi.defaults import CONTROL, RETAINED, WINDOW_DAYS
from core.roi.estimates import diff_interval
from core.roi.inputs import RoiInputs
from core.roi.outcomes import default_control, outcomes, store_outcomes_apply


def plays_table(inputs: RoiInputs, *, window: int = WINDOW_DAYS, control: str = CONTROL) -> pd.DataFrame:
    """One row per play: ``play, channel, arms, contacts, held_out, first, last, eligible, cost,
    retention_treated, retention_control, difference, low, high`` (retention over ``window`` days;
    treated = every arm but the control; retention is left empty, and eligible 0, for a play whose
    customers the store does not follow, such as an imported campaign measured by its own columns)."""
    rows = []
    for play in inputs.plays():
        f = outcomes(inputs, play, window=window)
        ctrl = control if control in set(f["arm"]) else default_control(f)
        e = f[f["eligible"] & store_outcomes_apply(f)]  # an imported campaign's own outcomes are not retention
        t, c = e[e["arm"] != ctrl], e[e["arm"] == ctrl]
        d, lo, hi, _ = diff_interval(t[RETAINED], c[RETAINED], binary=True)
        rows.append({"play": play, "channel": ", ".join(sorted(map(str, f["channel"].dropna().unique()))),
                     "arms": f["arm"].nunique(), "contacts": len(f), "held_out": int((f["arm"] == ctrl).sum()),
                     "first": f["date"].min(), "last": f["date"].max(), "eligible": len(e),
                     "cost": float(f["cost"].sum()), "retention_treated": t[RETAINED].mean() if len(t) else np.nan,
                     "retention_control": c[RETAINED].mean() if len(c) else np.nan,
                     "difference": d, "low": lo, "high": hi})
    return pd.DataFrame(rows)


def scope(frame: pd.DataFrame, f) -> pd.DataFrame:
    """The contacts within the sidebar filters: contact date in ``[f.start, f.end]`` and the customer's
    segment, plan and region among the chosen ones (a filter left empty keeps everything). Filtering on
    what was fixed before the contact keeps the comparison randomised."""
    keep = pd.Series(True, index=frame.index)
    if f.start is not None:
        keep &= frame["date"] >= pd.Timestamp(f.start)
    if f.end is not None:
        keep &= frame["date"] <= pd.Timestamp(f.end)
    for col, chosen in (("segment", f.segments), ("plan", f.plans), ("region", f.regions)):
        if chosen:
            keep &= frame[col].isin(chosen)
    return frame[keep]
