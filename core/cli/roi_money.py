"""``python -m core roi --play NAME --money``: customers saved, revenue saved, cost, net value and ROI
per treatment arm."""

from __future__ import annotations

import pandas as pd

from core.cli.format import text_table, write_table
from core.cli.roi_format import share_text
from core.cli.roi_play import Play
from core.export import units
from core.roi import setup
from core.roi.defaults import MARGIN, RETAINED, REVENUE, VALUE_MONTHS
from core.roi.money import money
from core.roi.setup import MoneySetup


def money_setup(p: Play, outcome: str | None = None, covariate: str | None = None) -> MoneySetup:
    """What ``--money`` values (:func:`core.roi.setup.money_setup`): ``--outcome`` the amount, ``--covariate`` its
    CUPED covariate (``none``: every estimate plain)."""
    return setup.money_setup(p.frame, p.name, outcome, covariate)


def money_rows(m: pd.DataFrame) -> list[list[str]]:
    """The printed cells of :func:`core.roi.money.money`: ``measure, value, 95% CI, definition``.

    Each figure in its unit (:func:`core.export.units.format_value`, as the Intervention ROI page and the quarterly
    review write it): contacts and customers as counts, money with its symbol (``-$2,029,336``), ROI as a signed
    percentage (``-93%``); the interval is left blank where the figure is known, not estimated (contacts, cost).
    """
    rows = []
    for r in m.itertuples(index=False):
        known = r.unit == "contacts" or r.measure == "Cost" or pd.isna(r.value)
        rows.append([r.measure, units.format_value(r.value, r.unit),
                     "" if known else units.interval(r.low, r.high, r.unit), r.definition])
    return rows


def money_settings(a) -> tuple[float, int]:
    return (MARGIN if a.margin is None else a.margin), (VALUE_MONTHS if a.value_months is None else a.value_months)


def money_table(p: Play, chosen: MoneySetup, margin: float, value_months: int) -> pd.DataFrame:
    """:func:`core.roi.money.money` of every treatment arm, with an ``arm`` column first."""
    m = pd.concat([money(p.frame, arm, control=p.control, margin=margin, value_months=value_months,
                         **chosen.kwargs()).assign(arm=arm) for arm in p.arms],
                  ignore_index=True)
    return m[["arm"] + [c for c in m.columns if c != "arm"]]


def show_money(p: Play, a) -> None:
    chosen = money_setup(p, a.outcome, a.covariate)
    margin, months = money_settings(a)
    m = money_table(p, chosen, margin, months)
    print(p.line())
    if a.out is not None:
        write_table(m, a.out, "Money", "money rows")
        return
    when = (f"over {p.window} days after the contact" if chosen.revenue in (RETAINED, REVENUE)
            else f"{chosen.revenue} as imported with the play")
    parts = [f"margin {share_text(margin)}"]
    if chosen.retention is not None:
        parts.append(f"a saved customer worth {months} months")
    parts.append(chosen.describe())
    print(f"money {when}: " + "; ".join(parts))
    for arm, g in m.groupby("arm", sort=False):
        print(f"\n{arm} vs {p.control}")
        print(text_table(("measure", "value", "95% CI", "definition"), money_rows(g), left=(0, 2, 3)))
