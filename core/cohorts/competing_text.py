"""The competing-risks view in words and as the tables the page, the CLI and the exports show
(:mod:`core.cohorts.competing`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.cohorts.competing import AT_MONTHS, INVOLUNTARY, UNRECORDED, VOLUNTARY, Incidence
from core.cohorts.survival import ALL
from core.export import chart_text, units

#: each cause as a sentence says it happened
DID = {VOLUNTARY: "had cancelled", INVOLUNTARY: "had left by a failed payment",
       UNRECORDED: "had left, type not recorded"}


def _month(inc: Incidence) -> int | None:
    """The latest month of :data:`core.cohorts.competing.AT_MONTHS` every group's follow-up reaches."""
    reached = [m for m in AT_MONTHS if inc.summary[f"at_{m}"].notna().all()]
    return reached[-1] if reached else None


def _figure(row: pd.Series, m: int) -> str:
    band = units.interval(row[f"low_{m}"], row[f"high_{m}"], "share")
    return units.percent(row[f"at_{m}"]) + (f" {band}" if band else "")


def sentence(inc: Incidence) -> str:
    """The chart's key figures: for all customers, the share of each cause by the latest month of AT_MONTHS the
    follow-up reaches; by group, the groups of highest and lowest voluntary churn then."""
    m = _month(inc)
    if m is None:
        return (f"The customers' follow-up does not reach {AT_MONTHS[0]} months yet, so no share is read off the "
                "curves.")
    s = inc.summary
    if inc.group is None:
        parts = [f"{_figure(r, m)} {DID[r['cause']]}" for _, r in s[s["group"] == ALL].iterrows()
                 if r["churned"] > 0]
        listed = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
        return (f"By {m} months after signup, {listed} (cumulative incidence: each cause counted with the others "
                "competing).")
    vol = s[s["cause"] == VOLUNTARY].set_index("group")[f"at_{m}"]
    hi, lo = vol.idxmax(), vol.idxmin()
    return (f"Cancelled by {m} months after signup: highest for {hi}, {units.percent(vol[hi])}; lowest for {lo}, "
            f"{units.percent(vol[lo])} (of {units.count(len(vol))} groups). Left by a failed payment: "
            + "; ".join(f"{g} {units.percent(v)}" for g, v in
                        s[s["cause"] == INVOLUNTARY].set_index("group")[f"at_{m}"].items()) + ".")


def table(inc: Incidence) -> pd.DataFrame:
    """The summary with the shares at each month as the CLI and the exports write them: ``group, cause, customers,
    churned``, then ``at <m> months`` as "18.2% [15.1%, 21.9%]" (empty past the follow-up)."""
    out = inc.summary[["group", "cause", "customers", "churned"]].copy()
    for m in AT_MONTHS:
        out[f"at {m} months"] = [_figure(r, m) if not np.isnan(r[f"at_{m}"]) else units.MISSING
                                 for _, r in inc.summary.iterrows()]
    return out


def curve_data(curves: pd.DataFrame) -> pd.DataFrame:
    """The chart's steps for its download, in the units of the survival curve's: each group's and cause's share
    churned of that cause (%) with its 95 % band by months since signup, and how many customers were followed that
    long."""
    return pd.DataFrame({"Group": curves["group"].astype(str).to_numpy(), "Cause": curves["cause"].to_numpy(),
                         "Months since signup": curves["time"].astype(float).round(2).to_numpy(),
                         "Churned of this cause (%)": chart_text.percents(curves["incidence"]),
                         **chart_text.band_data(curves),
                         "Customers followed this long": curves["at_risk"].astype(int).to_numpy()})
