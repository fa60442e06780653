"""``python -m core roi --play NAME --money``: customers saved, revenue saved, cost, net value and ROI
per treatment arm."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.cli.format import text_table, write_table
from core.cli.roi_format import amount, label, share_text
from core.cli.roi_options import MARGIN, VALUE_MONTHS
from core.cli.roi_play import Play, covariate_for, no_store
from core.errors import DataValidationError
from core.roi.defaults import PRE_USAGE, RETAINED, REVENUE
from core.roi.estimates import is_binary
from core.roi.money import money
from core.roi.outcomes import imported_columns


@dataclass
class MoneySetup:
    """What :func:`core.roi.money.money` values, chosen as the Intervention ROI page does."""

    revenue: str
    retention: str | None
    revenue_covariate: str | None
    retention_covariate: str | None


def money_setup(p: Play, outcome: str | None = None, covariate: str | None = None) -> MoneySetup:
    """The amount and the yes/no outcome :func:`core.roi.money.money` values, and their CUPED covariates.

    A play the store follows: ``revenue_kept`` (or ``outcome``, an imported amount) and ``retained``, CUPED on
    revenue and usage before the contact. A campaign the store does not follow: its first imported amount
    (or ``outcome``), no customers saved, no covariate unless ``covariate`` is given. ``covariate`` ``none``
    makes every estimate plain.

    Raises
    ------
    core.errors.DataValidationError
        ``outcome`` is not an amount of the play, or a campaign has no amount to value.
    """
    f, store = p.frame, p.store
    amounts = [c for c in imported_columns(f) if not is_binary(f[c].dropna())]
    choices = ([REVENUE] if store else []) + amounts
    if outcome in (RETAINED, REVENUE) and not store:
        raise DataValidationError(no_store(f, p.name, p.window) + (
            f"; --money can value one of the play's own amounts: --outcome {', '.join(amounts)}." if amounts else "."))
    if not choices:
        raise DataValidationError(no_store(f, p.name, p.window) + ", and no amount to value (such as spend) was "
                                  "imported with the play.")
    if outcome is not None and outcome not in choices:
        raise DataValidationError(f"--money values an amount: --outcome {outcome!r} is not one of '{p.name}'. "
                                  f"Amounts: {', '.join(choices)}.")
    revenue = outcome or choices[0]
    retention = RETAINED if store else None
    if covariate is not None and covariate.strip().lower() == "none":
        return MoneySetup(revenue, retention, None, None)
    return MoneySetup(revenue, retention, covariate_for(f, revenue, covariate), PRE_USAGE if store else None)


def money_rows(m: pd.DataFrame) -> list[list[str]]:
    """The printed cells of :func:`core.roi.money.money`: ``measure, value, 95% CI, definition``.

    Contacts as whole numbers, customers to 1 decimal, currency to whole units, ratios to 2 decimals;
    the interval is left blank where the figure is known, not estimated (contacts, cost).
    """
    fmt = {"contacts": amount(0), "customers": amount(1), "currency": amount(0), "ratio": amount(2)}
    rows = []
    for r in m.itertuples(index=False):
        f = fmt.get(r.unit, amount(2))
        known = r.unit == "contacts" or r.measure == "Cost" or pd.isna(r.value)
        rows.append([r.measure, f(r.value), "" if known else f"[{f(r.low)}, {f(r.high)}]", r.definition])
    return rows


def money_settings(a) -> tuple[float, int]:
    return (MARGIN if a.margin is None else a.margin), (VALUE_MONTHS if a.value_months is None else a.value_months)


def money_table(p: Play, setup: MoneySetup, margin: float, value_months: int) -> pd.DataFrame:
    """:func:`core.roi.money.money` of every treatment arm, with an ``arm`` column first."""
    m = pd.concat([money(p.frame, arm, control=p.control, margin=margin, value_months=value_months,
                         revenue=setup.revenue, retention=setup.retention,
                         retention_covariate=setup.retention_covariate,
                         revenue_covariate=setup.revenue_covariate).assign(arm=arm) for arm in p.arms],
                  ignore_index=True)
    return m[["arm"] + [c for c in m.columns if c != "arm"]]


def show_money(p: Play, a) -> None:
    setup = money_setup(p, a.outcome, a.covariate)
    margin, months = money_settings(a)
    m = money_table(p, setup, margin, months)
    print(p.line())
    if a.out is not None:
        write_table(m, a.out, "Money", "money rows")
        return
    when = (f"over {p.window} days after the contact" if setup.revenue in (RETAINED, REVENUE)
            else f"{setup.revenue} as imported with the play")
    parts = [f"margin {share_text(margin)}"]
    if setup.retention is not None:
        parts.append(f"a saved customer worth {months} months")
        parts.append("retention " + (f"CUPED on {label(setup.retention_covariate)}" if setup.retention_covariate
                                     else "without CUPED"))
    parts.append(f"{label(setup.revenue)} " + (f"CUPED on {label(setup.revenue_covariate)}"
                                                 if setup.revenue_covariate else "without CUPED"))
    print(f"money {when}: " + "; ".join(parts))
    for arm, g in m.groupby("arm", sort=False):
        print(f"\n{arm} vs {p.control}")
        print(text_table(("measure", "value", "95% CI", "definition"), money_rows(g), left=(0, 2, 3)))
