"""How a leader reads a cohort table at a glance: the average line's name, each cohort's name with its size, which
cohorts a chart draws first, and one sentence stating each chart's key figure (its text alternative).

Everything here reads a computed :class:`core.cohorts.table.CohortTable`; nothing is computed again.
"""

from __future__ import annotations

import pandas as pd

from core.export import units

#: the average line's name, by the table's ``weighting`` (the page's "Average" choice)
AVERAGE_NAMES = {"weighted": "Average, weighted by cohort size", "simple": "Simple mean of cohorts"}
#: how many cohorts a curves chart draws beside the average at first (all of them when there are at most MANY)
RECENT, MANY = 4, 6
#: the period a sentence reads first (month 6, quarter 2 ...), else the last one the average reaches
FOCUS = {"month": 6, "quarter": 2, "week": 4, "day": 7}


def average_name(t) -> str:
    """The average line's (and the average row's) name: "Average, weighted by cohort size" or "Simple mean of
    cohorts"."""
    return AVERAGE_NAMES.get(t.settings.get("weighting", "weighted"), AVERAGE_NAMES["weighted"])


def cohort_names(t) -> pd.Series:
    """Each cohort's name with its size, by cohort: "2024-03 (412 customers)"."""
    return pd.Series({c: f"{c} ({units.count(int(n))} customer{'' if n == 1 else 's'})"
                      for c, n in t.sizes.items()}, name="name", dtype=object)


def default_shown(t) -> list[str]:
    """The cohorts a curves chart draws beside the average at first: all when there are at most :data:`MANY`,
    else the :data:`RECENT` most recent of at least the minimum size that have lived through the period the
    sentences read (:func:`focus_period`: month 6 ...), so each draws a curve, not a dot; fewer conditions when
    no cohort meets them all."""
    cohorts = list(t.values.index)
    if len(cohorts) <= MANY:
        return cohorts
    big = [c for c in cohorts if not bool(t.small.loc[c])] or cohorts
    k = focus_period(t)
    lived = [c for c in big if k is not None and bool(t.complete.loc[c, k])]
    return (lived or big)[-RECENT:]


def _period(t) -> str:
    return str(t.settings.get("period", "month"))


def focus_period(t) -> int | None:
    """The period a sentence reads: :data:`FOCUS` (month 6 ...) when the average reaches it, else the last period
    the average reaches after the first; None when it reaches none after period 0."""
    reached = [int(k) for k in t.average.dropna().index if int(k) > 0]
    if not reached:
        return None
    want = FOCUS.get(_period(t), 1)
    return want if want in reached else reached[-1]


def _what(t) -> str:
    """What a cell counts, for a sentence: "of a cohort is retained" ..."""
    measure, base = t.settings.get("measure", "logo"), t.settings.get("base", "period0")
    if measure in ("net_revenue", "gross_revenue"):
        kind = "net" if measure == "net_revenue" else "gross"
        start = "previous" if base == "previous" else "first"
        return f"of a cohort's revenue of its {start} {_period(t)} is kept ({kind})"
    if base == "previous":
        return f"of a cohort's customers still there the {_period(t)} before are retained"
    return "of a cohort is retained"


def _how(t) -> str:
    return "weighted by cohort size" if t.settings.get("weighting", "weighted") == "weighted" else \
        "as the simple mean of the cohorts"


def _value(t, x) -> str:
    return f"{units.count(x)} customers" if t.settings.get("measure") == "count" else units.percent(x, 0)


def curves_sentence(t) -> str:
    """The curves chart's key figure: "On average 41% of a cohort is retained in month 6, weighted by cohort size
    (23 cohorts reached it)."."""
    k = focus_period(t)
    if k is None:
        return "No cohort has lived past its first period yet, so there is no retention to read."
    reached = int(t.complete[k].sum())
    cohorts = f"{units.count(reached)} cohort{'' if reached == 1 else 's'} reached it"
    if t.settings.get("measure") == "count":
        return (f"On average {_value(t, t.average[k])} of a cohort are still counted in {_period(t)} {k}, "
                f"{_how(t)} ({cohorts}).")
    return f"On average {_value(t, t.average[k])} {_what(t)} in {_period(t)} {k}, {_how(t)} ({cohorts})."


def table_sentence(t) -> str:
    """The heat map's key figures: the cohorts' sizes, and the best and worst cohort at the focus period."""
    sizes = t.sizes
    text = (f"{units.count(len(sizes))} cohorts of {units.count(int(sizes.min()))} to "
            f"{units.count(int(sizes.max()))} customers.")
    k = focus_period(t)
    if k is None:
        return text
    cells = t.values.loc[t.complete[k], k].dropna()
    if len(cells) < 2:
        return text
    hi, lo = cells.idxmax(), cells.idxmin()
    return (f"{text} In {_period(t)} {k}, the highest is cohort {hi} at {_value(t, cells[hi])} and the lowest "
            f'cohort {lo} at {_value(t, cells[lo])}; the bottom row ("{average_name(t)}") reads '
            f"{_value(t, t.average[k])}.")


def tracked_sentence(series: pd.Series, period: str = "month") -> str:
    """The tracked period's key figure: from the first cohort that completed it to the last."""
    s = series.dropna()
    k = str(series.name).removeprefix("period ")
    if len(s) < 2:
        return f"Too few cohorts have completed {period} {k} to compare them."
    first, last = s.index[0], s.index[-1]
    change = s.iloc[-1] - s.iloc[0]
    return (f"Retention in {period} {k} went from {units.percent(s.iloc[0], 0)} (cohort {first}) to "
            f"{units.percent(s.iloc[-1], 0)} (cohort {last}), {units.points(change, 0)}; highest "
            f"{units.percent(s.max(), 0)} (cohort {s.idxmax()}).")


def survival_sentence(km, months: float = 12) -> str:
    """The survival chart's key figure: the share still a customer ``months`` after signup, per group (the step
    curve's value at that time), with the median lifetime of all customers when not split."""
    curves = km.curves
    if curves.empty or curves["time"].max() < months:
        return f"No customer has been followed for {units.count(months)} months yet."
    shares = {g: float(c.loc[c["time"] <= months, "survival"].iloc[-1]) for g, c in curves.groupby("group", sort=False)}
    if len(shares) == 1:
        median = km.summary["median_text"].iloc[0]
        tail = "" if median == "not reached" else f"; half have left by month {median}"
        return (f"After {units.count(months)} months, {units.percent(next(iter(shares.values())), 0)} of customers "
                f"are still customers{tail}.")
    parts = ", ".join(f"{g} {units.percent(s, 0)}" for g, s in shares.items())
    return f"Still a customer {units.count(months)} months after signup: {parts}."
