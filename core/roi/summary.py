"""Every play at a glance, as the Intervention ROI page measures one play with its default settings: the play's first
outcome against its default control arm, the largest treatment arm, and that arm's money (default margin and months,
CUPED on), so each row reads the same as the play's own detail (:func:`play_row`, :func:`summary`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.errors import WorkbenchError
from core.export import units
from core.roi import plain, setup
from core.roi.defaults import LABELS, MARGIN, VALUE_MONTHS
from core.roi.estimates import compare, is_binary
from core.roi.money import money
from core.roi.outcomes import arms, default_control, measured

#: the summary's money figures: name in :func:`core.roi.money.money` -> column
MONEY = {"Revenue saved (window)": "revenue_saved", "Cost": "cost", "Net value (window)": "net_value",
         "ROI (window)": "roi", "ROI (projected)": "roi_projected"}
COLUMNS = ["play", "outcome", "arm", "control", "treated", "held_out", "difference", "low", "high", "binary",
           "verdict", "effect", "interval", "sentence", *MONEY.values(), "note"]


def _money(frame: pd.DataFrame, play: str, outcome: str, covariate: str | None, arm: str, control: str) -> dict:
    """The Money tab's figures of ``arm`` at the page's defaults, formatted as the tab shows them."""
    amounts = setup.amount_choices(frame)
    if not amounts:
        return {c: units.MISSING for c in MONEY.values()}
    valued = outcome if outcome in amounts else None
    chosen = setup.money_setup(frame, play, valued, (covariate or setup.NO_COVARIATE) if valued else None,
                               cuped=True)
    m = money(frame, arm, control=control, margin=MARGIN, value_months=VALUE_MONTHS, **chosen.kwargs())
    row = m.set_index("measure")
    return {col: units.format_value(row.loc[name, "value"], row.loc[name, "unit"]) if name in row.index
            else units.MISSING for name, col in MONEY.items()}


def play_row(frame: pd.DataFrame, play: str) -> dict:
    """One play's summary: its default outcome (:func:`core.roi.setup.outcome_choices`' first) against its default
    control arm, the largest treatment arm's effect with its 95 % interval (plain estimate) in plain words, and that
    arm's money at the page's defaults; a play that cannot be measured gets a ``note`` saying why."""
    row = dict.fromkeys(COLUMNS, units.MISSING) | {"play": play, "treated": np.nan, "held_out": np.nan,
                                                   "difference": np.nan, "low": np.nan, "high": np.nan,
                                                   "binary": False, "note": ""}
    control = default_control(frame)
    outcomes = setup.outcome_choices(frame)
    if not outcomes:
        return row | {"note": "no outcome to measure"}
    outcome = outcomes[0]
    covariate = setup.default_covariate(frame, outcome)
    label = LABELS.get(outcome, outcome)
    row |= {"outcome": label, "control": control}
    try:
        comp = compare(frame, outcome, control=control)
    except WorkbenchError as exc:
        return row | {"note": str(exc)}
    if comp.empty:
        return row | {"note": f"only the {control} arm: nothing to compare it with"}
    top, binary = comp.iloc[0], is_binary(measured(frame, outcome)[outcome])
    d, lo, hi = (float(top[c]) for c in ("difference", "low", "high"))
    row |= {"arm": top["arm"], "treated": int(top["n"]), "held_out": int(top["n_control"]), "difference": d,
            "low": lo, "high": hi, "binary": binary, "verdict": plain.verdict(lo, hi),
            "effect": plain.effect_short(d, binary), "interval": plain.interval_short(lo, hi, binary),
            "sentence": plain.effect(play, d, lo, hi, binary=binary, outcome=outcome, label=label)}
    try:  # the Money tab values its first arm (the largest, as the headline's)
        return row | _money(frame, play, outcome, covariate, arms(frame, control)[0], control)
    except WorkbenchError as exc:
        return row | {"note": str(exc)}


def summary(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """:func:`play_row` of every play (``frames``: play -> its contacts, :func:`core.roi.outcomes.outcomes`), plays
    in the order given; a play without contacts says so."""
    rows = [play_row(f, p) if len(f) else dict.fromkeys(COLUMNS, units.MISSING) | {
        "play": p, "treated": np.nan, "held_out": np.nan, "difference": np.nan, "low": np.nan, "high": np.nan,
        "binary": False, "note": "no contact within the filters"} for p, f in frames.items()]
    out = pd.DataFrame(rows, columns=COLUMNS)
    return out.assign(treated=out["treated"].astype("Int64"), held_out=out["held_out"].astype("Int64"))
