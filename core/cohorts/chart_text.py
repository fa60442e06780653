"""The text alternative of each Cohort curves chart (issue 21, Deliver 3): one sentence with the chart's key figure
and the chart's data as a tidy table with human headers (the download under the chart).

The heat map, curves, tracked period and survival sentences are :mod:`core.cohorts.reading`'s (the same figures the
page has always named); the groups chart's sentence is here. Every function reads what the chart draws (a computed
:class:`core.cohorts.table.CohortTable`, a breakdown frame, Kaplan-Meier curves): nothing is computed again.
"""

from __future__ import annotations

import pandas as pd

from core.cohorts import reading
from core.export import chart_text, units

#: the customer columns a cohort chart can be split by, as a leader names them (the widgets' option labels)
GROUP_LABELS = {"segment": "Segment", "plan": "Plan", "region": "Region", "channel": "Acquisition channel"}
#: what each split's groups are called in a sentence
GROUP_PLURALS = {"segment": "segments", "plan": "plans", "region": "regions", "channel": "acquisition channels"}
#: the breakdown's and the survival comparison's "no split" options, in words
NO_SPLIT = {"(none)": "No breakdown", "(all customers)": "All customers"}


def group_label(code: str) -> str:
    """A split's option label: ``"channel" -> "Acquisition channel"``, ``"(none)" -> "No breakdown"`` (any other
    text, such as a label already, as given)."""
    return GROUP_LABELS.get(code, NO_SPLIT.get(code, str(code)))


def _periods(period: str) -> str:
    return f"{str(period).capitalize()}s since cohort start"


def _value_header(measure: str) -> str:
    if measure == "count":
        return "Customers still counted"
    return "Revenue kept (%)" if measure in ("net_revenue", "gross_revenue") else "Retained (%)"


def _shown(values: pd.Series, measure: str) -> pd.Series:
    """A chart's values as the table shows them: percentages with one decimal, or counts."""
    return values.astype(float).round(1) if measure == "count" else (100 * values.astype(float)).round(1)


def heatmap_sentence(t) -> str:
    """The heat map's key figures (:func:`core.cohorts.reading.table_sentence`)."""
    return reading.table_sentence(t)


def curves_sentence(t) -> str:
    """The curves chart's key figure (:func:`core.cohorts.reading.curves_sentence`)."""
    return reading.curves_sentence(t)


def tracked_sentence(series: pd.Series, period: str = "month") -> str:
    """The tracked period's key figure (:func:`core.cohorts.reading.tracked_sentence`)."""
    return reading.tracked_sentence(series, period)


def survival_sentence(km) -> str:
    """The survival chart's key figure (:func:`core.cohorts.reading.survival_sentence`)."""
    return reading.survival_sentence(km)


def groups_period(df: pd.DataFrame, period: str = "month") -> int | None:
    """The period the groups sentence reads: :data:`core.cohorts.reading.FOCUS` (month 6 ...) when every group
    reaches it, else the last period after the first that every group reaches; None when there is none."""
    if df.empty:
        return None
    common = set.intersection(*(set(int(k) for k in g["period"]) for _, g in df.groupby("group")))
    reached = sorted(k for k in common if k > 0)
    if not reached:
        return None
    want = reading.FOCUS.get(str(period), 1)
    return want if want in reached else reached[-1]


def groups_sentence(df: pd.DataFrame, group: str, measure: str = "logo", period: str = "month") -> str:
    """The groups chart's key figure: the group with the highest average at the period every group reaches
    (:func:`groups_period`), how many groups there are, and the lowest.

    >>> df = pd.DataFrame({"group": ["A", "A", "B", "B"], "period": [0, 1, 0, 1], "value": [1, .8, 1, .6]})
    >>> groups_sentence(df, "plan")
    'Largest average retention in month 1: A, 80.0% (of 2 plans). Lowest: B, 60.0%.'
    """
    what = "average retention" if measure != "count" else "average number of customers"
    k = groups_period(df, period)
    if k is None:
        return chart_text.none_shown(f"{what.capitalize()} by {GROUP_LABELS.get(group, group).lower()}")
    at = df[df["period"] == k].set_index("group")["value"]
    write = (lambda x: f"{units.count(x)} customers") if measure == "count" else units.percent
    hi, lo = at.idxmax(), at.idxmin()
    sentence = chart_text.largest(f"{what} in {period} {k}", str(hi), write(at[hi]))
    of = f" (of {units.count(len(at))} {GROUP_PLURALS.get(group, group)})."
    return sentence[:-1] + of + (f" Lowest: {lo}, {write(at[lo])}." if len(at) > 1 else "")


def heatmap_data(t) -> pd.DataFrame:
    """The heat map's cells, one row per cohort and period, the average row last (its cohort its name)."""
    measure, period = t.settings.get("measure", "logo"), t.settings.get("period", "month")
    long = t.values.stack(future_stack=True).rename("value").reset_index().dropna(subset=["value"])
    long["size"] = long["cohort"].map(t.sizes).astype(int)
    avg = t.average.dropna().rename("value").reset_index().assign(cohort=reading.average_name(t),
                                                                   size=int(t.sizes.sum()))
    out = pd.concat([long, avg], ignore_index=True)
    return pd.DataFrame({"Cohort": out["cohort"].astype(str), "Customers in the cohort": out["size"],
                         _periods(period): out["period"].astype(int), _value_header(measure): _shown(out["value"],
                                                                                                      measure)})


def curves_data(t, shown: list[str]) -> pd.DataFrame:
    """The curves chart's lines: the average's points, then each cohort's of ``shown`` (named with its size)."""
    measure, period = t.settings.get("measure", "logo"), t.settings.get("period", "month")
    names = reading.cohort_names(t)
    avg = t.average.dropna().rename("value").reset_index().assign(line=reading.average_name(t))
    picked = [c for c in t.values.index if c in set(shown)]
    long = t.values.loc[picked].stack(future_stack=True).rename("value").reset_index().dropna(subset=["value"])
    long["line"] = long["cohort"].map(names)
    out = pd.concat([avg, long], ignore_index=True)
    return pd.DataFrame({"Line": out["line"], _periods(period): out["period"].astype(int),
                         _value_header(measure): _shown(out["value"], measure)})


def tracked_data(series: pd.Series, period: str = "month") -> pd.DataFrame:
    """The tracked period's points: each cohort that completed it and its retention then."""
    k = str(series.name).removeprefix("period ")
    return pd.DataFrame({"Cohort": series.index.astype(str),
                         f"Retained in {period} {k} (%)": (100 * series.astype(float)).round(1).to_numpy()})


def groups_data(df: pd.DataFrame, group: str, measure: str = "logo", period: str = "month") -> pd.DataFrame:
    """The groups chart's lines: each group's average at each period, with the group's customers."""
    header = {"count": "Average customers still counted", "net_revenue": "Average revenue kept (%)",
              "gross_revenue": "Average revenue kept (%)"}.get(measure, "Average retention (%)")
    return pd.DataFrame({GROUP_LABELS.get(group, group): df["group"].astype(str).to_numpy(),
                         _periods(period): df["period"].astype(int).to_numpy(),
                         header: _shown(df["value"], measure).to_numpy(),
                         "Customers in the group": df["customers"].astype(int).to_numpy()})


def survival_data(curves: pd.DataFrame) -> pd.DataFrame:
    """The survival chart's steps: each group's share still a customer (with its 95% band) by months since
    signup, and how many customers were followed that long."""
    return pd.DataFrame({"Group": curves["group"].astype(str).to_numpy(),
                         "Months since signup": curves["time"].astype(float).round(2).to_numpy(),
                         "Still a customer (%)": chart_text.percents(curves["survival"]),
                         **chart_text.band_data(curves),
                         "Customers followed this long": curves["at_risk"].astype(int).to_numpy()})
