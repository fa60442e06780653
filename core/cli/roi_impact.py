"""``python -m core roi --play NAME --impact``: the share still a customer each day after the contact,
arm vs control."""

from __future__ import annotations

import pandas as pd

from core.cli.format import text_table, with_ci, write_table
from core.cli.roi_options import IMPACT_STEP
from core.cli.roi_play import Play, require_store
from core.export import units
from core.roi.defaults import RETAINED
from core.roi.outcomes import measured
from core.roi.time_to_impact import time_to_impact


def impact_days(window: int) -> list[int]:
    """The days the time to impact prints: every :data:`IMPACT_STEP` days and the last."""
    days = list(range(IMPACT_STEP, window + 1, IMPACT_STEP))
    return days if days and days[-1] == window else days + [window]


def impact_table(p: Play) -> pd.DataFrame:
    """:func:`core.roi.time_to_impact.time_to_impact` of every treatment arm, with an ``arm`` column first."""
    require_store(p.frame, p.name, p.window, "Time to impact")
    t = pd.concat([time_to_impact(p.frame, arm, window=p.window, control=p.control).assign(arm=arm)
                   for arm in p.arms], ignore_index=True)
    return t[["arm"] + [c for c in t.columns if c != "arm"]]


def show_impact(p: Play, a) -> None:
    t = impact_table(p)
    print(p.line())
    if a.out is not None:
        write_table(t, a.out, "Time to impact", "arm and day rows")
        return
    e = measured(p.frame, RETAINED)["arm"].value_counts()
    days = impact_days(p.window)
    for arm, g in t.groupby("arm", sort=False):
        print(f"\n{arm} vs {p.control}: share still a customer each day after the contact "
              f"({units.count(e.get(arm, 0))} and {units.count(e.get(p.control, 0))} eligible contacts over "
              f"{p.window} days)")
        g = g.set_index("day").loc[days]
        rows = [[str(d), units.percent(r.treatment), units.percent(r.control),
                 with_ci(r.difference, r.low, r.high, units.points)] for d, r in g.iterrows()]
        print(text_table(("day", str(arm), p.control, "difference [95% CI]"), rows))
