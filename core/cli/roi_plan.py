"""``python -m core roi --plan``: the contacts and months a test needs, and what a play's arms can
detect now."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.cli.format import write_table
from core.cli.roi_format import share_text
from core.cli.roi_play import Play, require_store
from core.errors import DataValidationError
from core.export import units
from core.roi import setup
from core.roi.defaults import ALPHA, HOLDOUT_SHARE, POWER, RETAINED
from core.roi.outcomes import measured
from core.roi.planning import detectable_effect, monthly_contacts, sample_size


def control_rate(p: Play) -> float:
    """--plan's default retention without the play (:func:`core.roi.setup.control_rate`)."""
    require_store(p.frame, p.name, p.window, "--plan without --p-control")
    rate = setup.control_rate(p.frame, p.control)
    if rate is None:
        raise DataValidationError(f"The control arm '{p.control}' of '{p.name}' has no eligible contact over "
                                  f"{p.window} days: give --p-control RATE, or a shorter --window.")
    return rate


def check_rates(p_control: float, effect: float) -> None:
    """--p-control and --effect as the flags take them (fractions): retention without and with the play must lie
    between 0 and 1 (the page's planner says the same in percent, :func:`core.roi.planning.sample_size`)."""
    if not 0 < p_control < 1 or not 0 < p_control + effect <= 1 or effect == 0:
        raise DataValidationError(f"--p-control and --p-control + --effect must lie between 0 and 1 (fractions: 0.85 "
                                  f"is {units.percent(0.85, 0)}), and --effect must not be 0: got {p_control:g} "
                                  f"({units.percent(p_control)}) and {p_control + effect:g} "
                                  f"({units.percent(p_control + effect)}).")


def show_plan(a, p: Play | None) -> None:
    share = HOLDOUT_SHARE if a.holdout_share is None else a.holdout_share
    power = POWER if a.power is None else a.power
    alpha = ALPHA if a.alpha is None else a.alpha
    p_control = a.p_control if a.p_control is not None else control_rate(p)
    per_month = a.per_month if a.per_month is not None else monthly_contacts(p.frame) if p is not None else None
    check_rates(p_control, a.effect)
    r = sample_size(p_control, a.effect, holdout_share=share, alpha=alpha, power_target=power,
                    contacts_per_month=per_month)
    if a.out is not None:
        row = {"p_control": p_control, "effect": a.effect, "holdout_share": share, "power": power, "alpha": alpha,
               "contacts_per_month": np.nan if per_month is None else per_month, **r}
        write_table(pd.DataFrame([row]), a.out, "Plan", "plan row")
        return
    src = "" if a.p_control is not None else f" ('{p.name}' {p.control} retention over {p.window} days)"
    print(f"plan: detect {units.points(a.effect)} over {units.percent(p_control)} retention{src} with "
          f"{share_text(power)} power at a two-sided alpha of {alpha:g}, {share_text(share)} of contacts held out")
    print(f"contacts needed: {units.count(r['n_treatment'])} treated + {units.count(r['n_holdout'])} held out = "
          f"{units.count(r['n_total'])}")
    if per_month is None or pd.isna(per_month):
        print("duration: give --per-month CONTACTS, or --play NAME to use the pace of a play")
    else:
        src = f" (the average of '{p.name}' from its first to its last contact month)" if a.per_month is None else ""
        print(f"duration: {units.count(r['months'])} months at {units.count(per_month)} contacts a month{src}")
    if p is None or not p.store:
        return
    e = measured(p.frame, RETAINED)["arm"].value_counts()
    n_c = int(e.get(p.control, 0))
    for arm in p.arms:
        n_t = int(e.get(arm, 0))
        d = detectable_effect(p_control, n_t, n_c, alpha=alpha, power_target=power)
        found = f"detect {units.points(d)} or more" if not pd.isna(d) else "detect no gain"
        print(f"detectable now: '{arm}' with {units.count(n_t)} and '{p.control}' with {units.count(n_c)} eligible "
              f"contacts over {p.window} days {found} (same retention, power and alpha)")
