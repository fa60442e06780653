"""Cohort retention tables: cohort x period, computed on integer period numbers.

Definitions (each shown to the user on the Cohort curves page):

* **Cohort**: customers grouped by the period of their signup date, or of their first activity.
* **Period k** of a cohort: the k-th day/week/month/quarter after the cohort's own period (k = 0).
* **Retained in period k**:
  - subscription data (``retained_by="subscription"``): not churned before period k starts, so a
    customer who churns during period k still counts in k and in no later period;
  - activity data (``retained_by="activity"``, e.g. a purchase log such as CDNOW): at least one
    activity in period k (definition ``"on"``), or in period k or any later period (``"on_or_after"``).
* **Incomplete periods**: a period that has not fully ended by the as-of date is not counted; its
  cell is missing (NaN) and marked in ``complete``; averages use only cohorts that reached it.
* **Revenue retention**: MRR booked in period k by the cohort's customers over their MRR in
  period 0; net counts expansion, gross caps each customer at its period-0 MRR.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.errors import DataValidationError, InsufficientDataError
from core.store.columnar import ActivityPairs

#: what each choice means, shown on the Cohort curves page (one text, used everywhere)
DEFINITIONS_TEXT = {
    "cohort": "Customers grouped by the period of their signup (or of their first activity).",
    "period k": "The k-th period after the cohort's own period; period 0 is the cohort's first.",
    "retained (subscription)": "Not churned before period k starts: a customer who churns during period k "
                               "still counts in k, and in no later period.",
    "retained (activity)": "'on': at least one activity in period k. 'on or after': active in period k or in "
                           "any later period (a curve that never rises).",
    "incomplete periods": "A period that has not fully ended by the as-of date is not counted; its cell is "
                          "empty, and the average uses only cohorts that reached it.",
    "revenue retention": "MRR booked in period k by the cohort's customers over their MRR in period 0; net "
                         "counts expansion, gross caps each customer at its period-0 MRR.",
    "average": "Weighted: all reaching cohorts pooled (big cohorts weigh more). Simple: the mean of the "
               "cohorts' own rates.",
}

PERIODS = ("day", "week", "month", "quarter")
MEASURES = ("logo", "net_revenue", "gross_revenue", "count")
DEFINITIONS = ("on", "on_or_after")
_EPOCH = np.datetime64("1970-01-05", "D")  # a Monday, so week numbers start on Mondays


def period_number(dates: pd.Series, period: str) -> np.ndarray:
    """Integer number of the day/week/month/quarter each date falls in (NaT -> a large negative sentinel)."""
    d = pd.to_datetime(dates).to_numpy(dtype="datetime64[D]")
    nat = np.isnat(d)
    if period == "day":
        out = (d - _EPOCH).astype(np.int64)
    elif period == "week":
        out = np.floor_divide((d - _EPOCH).astype(np.int64), 7)
    elif period in ("month", "quarter"):
        months = d.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
        out = months if period == "month" else np.floor_divide(months, 3)
    else:
        raise DataValidationError(f"Unknown period '{period}'. Choose one of: {', '.join(PERIODS)}.")
    return np.where(nat, np.iinfo(np.int64).min // 2, out)


def period_start(number: np.ndarray | int, period: str) -> pd.DatetimeIndex:
    """The first day of period ``number`` (inverse of :func:`period_number`)."""
    n = np.atleast_1d(np.asarray(number, dtype=np.int64))
    if period == "day":
        d = _EPOCH + n.astype("timedelta64[D]")
    elif period == "week":
        d = _EPOCH + (n * 7).astype("timedelta64[D]")
    elif period == "month":
        d = n.astype("datetime64[M]").astype("datetime64[D]")
    else:
        d = (n * 3).astype("datetime64[M]").astype("datetime64[D]")
    return pd.DatetimeIndex(d)


def _label(number: np.ndarray, period: str) -> list[str]:
    starts = period_start(number, period)
    if period == "month":
        return [f"{s:%Y-%m}" for s in starts]
    if period == "quarter":
        return [f"{s.year}-Q{(s.month - 1) // 3 + 1}" for s in starts]
    return [f"{s:%Y-%m-%d}" for s in starts]


@dataclass
class CohortTable:
    """A computed cohort table.

    Attributes
    ----------
    values : pandas.DataFrame
        Cohorts (rows, labelled by their first period) x periods 0..K (columns): retention as a
        fraction (or counts for ``measure="count"``); NaN where the period is incomplete.
    counts : pandas.DataFrame
        Retained customers per cell (the numerator of logo retention), NaN where incomplete.
    sizes : pandas.Series
        Customers per cohort.
    complete : pandas.DataFrame
        True where the cohort had fully lived through that period by the as-of date.
    small : pandas.Series
        True for cohorts under ``min_size`` (shown greyed, not coloured).
    average : pandas.Series
        Per period, over the cohorts that reached it: weighted by cohort size (or the simple mean).
    settings : dict
        The choices the table was computed with (period, measure, definition, ...).
    """

    values: pd.DataFrame
    counts: pd.DataFrame
    sizes: pd.Series
    complete: pd.DataFrame
    small: pd.Series
    average: pd.Series
    settings: dict


def _check(customers: pd.DataFrame, cols: tuple[str, ...], what: str) -> None:
    missing = [c for c in cols if c not in customers]
    if missing:
        raise DataValidationError(f"{what} needs the column(s) {', '.join(missing)}; "
                                  f"it has: {', '.join(map(str, customers.columns))}.")


def cohort_table(customers: pd.DataFrame, activity: pd.DataFrame | None = None,
                 revenue: pd.DataFrame | None = None, *, cohort_by: str = "signup", period: str = "month",
                 measure: str = "logo", definition: str = "on", retained_by: str = "subscription",
                 base: str = "period0", as_of=None, min_size: int = 20, weighting: str = "weighted",
                 max_periods: int | None = None, _mapped: tuple | None = None) -> CohortTable:
    """Build a cohort x period retention table.

    Parameters
    ----------
    customers : pandas.DataFrame
        ``customer_id, signup_date, churn_date`` (churn_date NaT/None while active).
    activity : pandas.DataFrame, optional
        ``customer_id, date``; needed for ``cohort_by="first_activity"`` and ``retained_by="activity"``.
    revenue : pandas.DataFrame, optional
        ``customer_id, period, mrr``; needed for the revenue measures.
    cohort_by : {'signup', 'first_activity'}
    period : {'day', 'week', 'month', 'quarter'}
    measure : {'logo', 'net_revenue', 'gross_revenue', 'count'}
        ``count`` gives the absolute number of retained customers.
    definition : {'on', 'on_or_after'}
        With activity data: active in period k, or in k or any later period.
    retained_by : {'subscription', 'activity'}
    base : {'period0', 'previous'}
        Retention relative to period 0, or to the previous period of the same cohort.
    as_of : date-like, optional
        Periods that have not ended by this date are incomplete; default the latest date in the data.
    min_size : int
        Cohorts smaller than this are flagged in ``small``.
    weighting : {'weighted', 'simple'}
        How the average row combines cohorts.
    max_periods : int, optional
        Keep periods 0..max_periods only.

    Returns
    -------
    CohortTable

    Raises
    ------
    DataValidationError
        An unknown option, or a frame missing a column the options need.
    InsufficientDataError
        No customer falls in a cohort (e.g. nobody has a signup date or any activity).
    """
    for name, val, allowed in (("cohort_by", cohort_by, ("signup", "first_activity")), ("period", period, PERIODS),
                               ("measure", measure, MEASURES), ("definition", definition, DEFINITIONS),
                               ("retained_by", retained_by, ("subscription", "activity")),
                               ("base", base, ("period0", "previous")),
                               ("weighting", weighting, ("weighted", "simple"))):
        if val not in allowed:
            raise DataValidationError(f"Unknown {name} '{val}'. Choose one of: {', '.join(allowed)}.")
    _check(customers, ("customer_id", "signup_date", "churn_date"), "A cohort table")
    needs_activity = cohort_by == "first_activity" or retained_by == "activity"
    if needs_activity and (activity is None or not (isinstance(activity, ActivityPairs)
                                                    or {"customer_id", "date"} <= set(activity.columns))):
        raise DataValidationError("This choice needs activity data (customer_id, date): import activity or "
                                  "transactions, or build cohorts by signup with subscription retention.")
    if measure in ("net_revenue", "gross_revenue") and (revenue is None or "mrr" not in revenue
                                                        or not revenue["mrr"].notna().any()):
        raise InsufficientDataError("Revenue retention needs recurring revenue (MRR per customer and month); "
                                    "the store has none. Import a revenue file with an mrr column, or choose "
                                    "logo retention.")

    ids, cohort_p, in_scope, act_cust, act_p, bitmap = _cohort_index(
        customers, activity if needs_activity else None, cohort_by, period, _mapped if needs_activity else None)
    n = len(ids)
    if not in_scope.any():
        raise InsufficientDataError("No customer has a signup date or any activity to place it in a cohort.")

    last_day = data_end(customers, activity, revenue) if as_of is None else pd.Timestamp(as_of).normalize()
    # the last period that has fully ended by the as-of date
    last_complete = int(period_number(pd.Series([last_day + pd.Timedelta(days=1)]), period)[0]) - 1

    c0 = cohort_p[in_scope].min()
    cohorts = np.arange(c0, max(cohort_p[in_scope].max(), c0) + 1)
    n_periods = int(max(last_complete - c0, 0)) + 1
    if max_periods is not None:
        n_periods = min(n_periods, max_periods + 1)
    cidx = np.where(in_scope, cohort_p - c0, -1)
    sizes = np.bincount(cidx[in_scope], minlength=len(cohorts)).astype(float)

    # retained[c, k]: customers of cohort c retained in period k
    if retained_by == "subscription":
        churn_p = period_number(customers["churn_date"], period)
        has_churn = pd.notna(pd.to_datetime(customers["churn_date"])).to_numpy()
        last_k = np.where(has_churn, churn_p - cohort_p, n_periods)  # retained for k <= last_k
        retained = _reverse_cumulative(cidx[in_scope], np.clip(last_k[in_scope], -1, n_periods - 1),
                                       len(cohorts), n_periods)
    else:
        mark, p0 = bitmap if bitmap is not None else _activity_bitmap(act_cust, act_p, n)
        if mark is None:
            k = act_p - cohort_p[act_cust]
            ok = in_scope[act_cust] & (k >= 0) & (k < n_periods)
        if mark is not None:
            if definition == "on_or_after":  # active in this period or any later one
                mark = np.logical_or.accumulate(mark[:, ::-1], axis=1)[:, ::-1]
            sums = _cohort_sums(mark, cidx, len(cohorts))
            col = (cohorts - p0)[:, None] + np.arange(n_periods)[None, :]  # absolute column of (c, k)
            valid = (col >= 0) & (col < mark.shape[1])
            retained = np.where(valid, sums[np.arange(len(cohorts))[:, None], np.clip(col, 0, max(0, mark.shape[1]
                                                                                                   - 1))], 0)
        elif definition == "on":
            retained = _active_counts(act_cust[ok], k[ok], cidx, n, len(cohorts), n_periods)
        else:
            last_k = _group_reduce(act_cust[ok], k[ok], n, -1, "max")
            retained = _reverse_cumulative(cidx[in_scope], last_k[in_scope], len(cohorts), n_periods)
    retained = retained.astype(float)

    age = last_complete - cohorts  # the last complete period index of each cohort
    complete = np.arange(n_periods)[None, :] <= age[:, None]

    if measure in ("logo", "count"):
        num, den = retained, np.repeat(sizes[:, None], n_periods, axis=1)
    else:
        num, den = _revenue_cells(revenue, ids, cidx, cohort_p, period, measure, len(cohorts), n_periods)
    if base == "previous":
        den = np.concatenate([den[:, :1], num[:, :-1]], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = retained.copy() if measure == "count" else num / den
    values[~complete] = np.nan

    labels = _label(cohorts, period)
    cols = pd.RangeIndex(n_periods, name="period")
    values_df = pd.DataFrame(values, index=pd.Index(labels, name="cohort"), columns=cols)
    counts_df = pd.DataFrame(np.where(complete, retained, np.nan), index=values_df.index, columns=cols)
    complete_df = pd.DataFrame(complete, index=values_df.index, columns=cols)
    sizes_s = pd.Series(sizes.astype(int), index=values_df.index, name="customers")
    keep_rows = sizes > 0
    values_df, counts_df, complete_df, sizes_s = (values_df[keep_rows], counts_df[keep_rows],
                                                  complete_df[keep_rows], sizes_s[keep_rows])
    num_df = pd.DataFrame(np.where(complete, num, np.nan)[keep_rows], index=values_df.index, columns=cols)
    den_df = pd.DataFrame(np.where(complete, den, np.nan)[keep_rows], index=values_df.index, columns=cols)
    if measure == "count":
        average = counts_df.mean() if weighting == "simple" else counts_df.sum() / complete_df.sum()
    elif weighting == "weighted":
        average = num_df.sum() / den_df.sum().where(complete_df.any(), np.nan)
    else:
        average = values_df.mean()
    average.name = "average"
    return CohortTable(values=values_df, counts=counts_df, sizes=sizes_s, complete=complete_df,
                       small=sizes_s < min_size, average=average,
                       settings={"cohort_by": cohort_by, "period": period, "measure": measure,
                                 "definition": definition, "retained_by": retained_by, "base": base,
                                 "as_of": last_day.date().isoformat(), "min_size": min_size,
                                 "weighting": weighting})


def _reverse_cumulative(cohort_idx: np.ndarray, last_k: np.ndarray, n_cohorts: int, n_periods: int) -> np.ndarray:
    """retained[c, k] = number of customers of cohort c whose last retained period is >= k."""
    ok = last_k >= 0
    hist = np.bincount(cohort_idx[ok] * n_periods + last_k[ok], minlength=n_cohorts * n_periods)
    hist = hist.reshape(n_cohorts, n_periods)
    return hist[:, ::-1].cumsum(axis=1)[:, ::-1]


def _revenue_cells(revenue, ids, cidx, cohort_p, period, measure, n_cohorts, n_periods):
    rev = revenue.dropna(subset=["mrr"])
    cust = ids.get_indexer(rev["customer_id"].astype(str))
    p = period_number(rev["period"], period)
    ok = (cust >= 0)
    cust, p, mrr = cust[ok], p[ok], rev["mrr"].to_numpy(dtype=float)[ok]
    ok = cidx[cust] >= 0
    cust, p, mrr = cust[ok], p[ok], mrr[ok]
    k = p - cohort_p[cust]
    ok = (k >= 0) & (k < n_periods)
    cust, k, mrr = cust[ok], k[ok], mrr[ok]
    per = pd.DataFrame({"c": cust, "k": k, "mrr": mrr}).groupby(["c", "k"], as_index=False)["mrr"].sum()
    start = per[per["k"] == 0].set_index("c")["mrr"]
    per["start"] = per["c"].map(start).fillna(0.0)
    if measure == "gross_revenue":
        per["mrr"] = np.minimum(per["mrr"], per["start"])
    flat = cidx[per["c"].to_numpy()] * n_periods + per["k"].to_numpy()
    num = np.bincount(flat, weights=per["mrr"].to_numpy(), minlength=n_cohorts * n_periods).reshape(n_cohorts, -1)
    den0 = np.bincount(cidx[start.index.to_numpy()], weights=start.to_numpy(), minlength=n_cohorts)
    return num, np.repeat(den0[:, None], n_periods, axis=1)


def data_end(customers: pd.DataFrame, activity=None, revenue: pd.DataFrame | None = None) -> pd.Timestamp:
    """The last day the data speaks about (signup, churn, activity, or the end of the last revenue month)."""
    # the max of each column first, then one parse (ISO text sorts like dates; 1M parses cost ~0.2 s)
    dates = [pd.to_datetime(customers[c].max()) for c in ("signup_date", "churn_date")
             if c in customers and customers[c].notna().any()]
    if isinstance(activity, ActivityPairs) and len(activity):
        dates.append(pd.Timestamp(np.datetime64("1970-01-01") + np.timedelta64(int(activity.days.max()), "D")))
    elif activity is not None and len(activity):
        dates.append(pd.to_datetime(activity["date"]).max())
    if revenue is not None and len(revenue):
        # a monthly revenue row stands for the whole month
        dates.append(pd.to_datetime(revenue["period"]).max() + pd.offsets.MonthEnd(0))
    dates = [d for d in dates if pd.notna(d)]
    return max(dates).normalize() if dates else pd.Timestamp.today().normalize()


def period_across_cohorts(table: CohortTable, k: int) -> pd.Series:
    """Retention in period ``k`` for each cohort that completed it (is retention improving?)."""
    if k not in table.values.columns:
        raise DataValidationError(f"Period {k} is not in the table (periods 0..{table.values.columns.max()}).")
    return table.values.loc[table.complete[k], k].rename(f"period {k}")


def _ids(customers: pd.DataFrame) -> pd.Index:
    col = customers["customer_id"]
    return pd.Index(col if col.dtype == object else col.astype(str), dtype=object)


def _cohort_index(customers, activity, cohort_by, period, mapped=None):
    """Per customer: cohort period number and whether it is in a cohort; activity as (customer, period).

    ``mapped`` = {"rows", "periods"[, "bitmap"]} when the caller already mapped the activity to these
    customers (a breakdown maps once for all groups). Returns the activity bitmap too, when built.
    """
    ids = _ids(customers)
    act_cust = act_p = None
    bitmap = None
    if mapped is not None:
        act_cust, act_p = mapped["rows"], mapped["periods"]
        bitmap = mapped.get("bitmap")
    elif isinstance(activity, ActivityPairs):  # integer-coded pairs from the column store
        act_cust = activity.rows_in(ids.to_numpy())
        act_p = _period_of_days(activity.days, period)
    elif activity is not None:
        act_cust = ids.get_indexer(activity["customer_id"].astype(str))
        act_p = period_number(activity["date"], period)
    if act_cust is not None and mapped is None:
        keep = act_cust >= 0
        act_cust, act_p = act_cust[keep], act_p[keep]
    if act_cust is not None and bitmap is None:
        bitmap = _activity_bitmap(act_cust, act_p, len(ids))
    if cohort_by == "signup":
        cohort_p = period_number(customers["signup_date"], period)
        in_scope = pd.notna(pd.to_datetime(customers["signup_date"])).to_numpy()
    else:
        mark, p0 = bitmap if bitmap is not None else (None, 0)
        if mark is not None:  # first active period straight from the bitmap
            in_scope = mark.any(axis=1)
            cohort_p = np.where(in_scope, mark.argmax(axis=1) + p0, np.iinfo(np.int64).max)
        else:
            cohort_p = _group_reduce(act_cust, act_p, len(ids), np.iinfo(np.int64).max, "min")
            in_scope = cohort_p != np.iinfo(np.int64).max
    return ids, cohort_p, in_scope, act_cust, act_p, bitmap


def _period_of_days(days: np.ndarray, period: str) -> np.ndarray:
    """:func:`period_number` for integer days since 1970-01-01, by lookup over the days' range."""
    if not len(days):
        return days.astype(np.int64)
    lo, hi = int(days.min()), int(days.max())
    span = np.arange(lo, hi + 1, dtype=np.int64)
    if period == "day":
        table = span - 4  # period_number counts days from Monday 1970-01-05
    elif period == "week":
        table = np.floor_divide(span - 4, 7)
    else:
        months = span.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        table = months if period == "month" else np.floor_divide(months, 3)
    return table[days.astype(np.int64) - lo]


_BITMAP_CELLS = 400_000_000  # customers x periods above which the sort-based path is used


def _activity_bitmap(act_cust, act_p, n):
    """(mark, p0): mark[i, j] is True when customer i was active in period p0 + j; None if too large."""
    if act_cust is None or not len(act_cust):
        return None, 0
    p0 = int(act_p.min())
    width = int(act_p.max()) - p0 + 1
    if n * width > _BITMAP_CELLS:
        return None, p0
    mark = np.zeros((n, width), dtype=bool)
    mark[act_cust, act_p - p0] = True
    return mark, p0


def _cohort_sums(mark: np.ndarray, cidx: np.ndarray, n_cohorts: int) -> np.ndarray:
    """sums[c, j] = customers of cohort c with mark[i, j] (customers outside every cohort have cidx -1)."""
    inside = cidx >= 0
    c, m = cidx[inside], mark[inside]
    return np.stack([np.bincount(c, weights=m[:, j], minlength=n_cohorts) for j in range(mark.shape[1])],
                    axis=1) if mark.shape[1] else np.zeros((n_cohorts, 0))


def _group_reduce(index: np.ndarray, values: np.ndarray, n: int, fill: int, how: str) -> np.ndarray:
    """Per customer min/max of ``values`` (a sort-free groupby; np.minimum.at is ~10x slower)."""
    out = np.full(n, fill, dtype=np.int64)
    if index is None or not len(index):
        return out
    s = pd.Series(values).groupby(index, sort=False)
    agg = s.min() if how == "min" else s.max()
    out[agg.index.to_numpy()] = agg.to_numpy()
    return out


def _active_counts(cust: np.ndarray, k: np.ndarray, cidx: np.ndarray, n: int, n_cohorts: int,
                   n_periods: int) -> np.ndarray:
    """Customers of each cohort active in each period, each customer counted once per period."""
    if n * n_periods <= 400_000_000:  # a customer x period bitmap: no sort needed
        mark = np.zeros((n, n_periods), dtype=bool)
        mark[cust, k] = True
        order = np.argsort(cidx, kind="stable")
        ordered = cidx[order]
        keep = ordered >= 0
        rows, cohort_of = order[keep], ordered[keep]
        starts = np.flatnonzero(np.r_[True, cohort_of[1:] != cohort_of[:-1]])
        sums = np.add.reduceat(mark[rows].astype(np.int32), starts, axis=0) if len(rows) else None
        out = np.zeros((n_cohorts, n_periods), dtype=np.int64)
        if sums is not None:
            out[cohort_of[starts]] = sums
        return out
    pairs = np.sort(cust.astype(np.int64) * n_periods + k)  # customer x period, once (sort beats np.unique)
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]] if len(pairs) else pairs
    cust_of, k_of = np.divmod(pairs, n_periods)
    flat = cidx[cust_of] * n_periods + k_of
    return np.bincount(flat, minlength=n_cohorts * n_periods).reshape(n_cohorts, n_periods)


def cell_customers(customers: pd.DataFrame, activity: pd.DataFrame | None = None, *, cohort: str, k: int,
                   cohort_by: str = "signup", period: str = "month", definition: str = "on",
                   retained_by: str = "subscription") -> pd.DataFrame:
    """The customers of one cohort, with whether each was retained in period ``k`` (a cell's drill-down).

    Uses the same definitions as :func:`cohort_table`, so the number of ``retained`` rows equals
    the cell's count.

    Returns
    -------
    pandas.DataFrame
        The cohort's rows of ``customers`` plus a boolean ``retained`` column, retained first.
    """
    if retained_by == "activity" or cohort_by == "first_activity":
        if activity is None:
            raise DataValidationError("This choice needs activity data (customer_id, date).")
    ids, cohort_p, in_scope, act_cust, act_p, _ = _cohort_index(customers, activity, cohort_by, period)
    labels = np.array(_label(np.where(in_scope, cohort_p, 0), period), dtype=object)
    mine = in_scope & (labels == cohort)
    if not mine.any():
        raise DataValidationError(f"No cohort '{cohort}' for these choices.")
    target = cohort_p + k
    if retained_by == "subscription":
        churn_p = period_number(customers["churn_date"], period)
        has_churn = pd.notna(pd.to_datetime(customers["churn_date"])).to_numpy()
        retained = ~has_churn | (churn_p >= target)
    else:
        hit = np.zeros(len(ids), dtype=bool)
        target = target.astype(np.int64)
        sel = act_p == target[act_cust] if definition == "on" else act_p >= target[act_cust]
        hit[act_cust[sel]] = True
        retained = hit
    out = customers[mine].copy()
    out["retained"] = retained[mine]
    return out.sort_values(["retained", "customer_id"], ascending=[False, True]).reset_index(drop=True)


def compare_groups(customers: pd.DataFrame, activity: pd.DataFrame | None = None,
                   revenue: pd.DataFrame | None = None, *, group: str, **options) -> pd.DataFrame:
    """The average retention curve of each value of ``group`` (segment, plan, region, channel ...).

    Returns
    -------
    pandas.DataFrame
        Columns ``group, period, value, customers`` (one row per group and period reached).
    """
    _check(customers, (group,), f"A breakdown by {group}")
    if options.get("as_of") is None:  # one as-of for every group (and computed once)
        options = {**options, "as_of": data_end(customers, activity, revenue)}
    rows = []
    labels = customers[group].fillna("(not set)").to_numpy()
    full_rows = full_p = None
    full_mark = None
    if isinstance(activity, ActivityPairs):  # map pairs to customers once, then re-index per group
        full_rows = activity.rows_in(_ids(customers).to_numpy())
        full_p = _period_of_days(activity.days, options.get("period", "month"))
        keep = full_rows >= 0
        full_rows, full_p = full_rows[keep], full_p[keep]
        full_mark = _activity_bitmap(full_rows, full_p, len(customers))
    for value in sorted(pd.unique(labels), key=str):
        member = labels == value
        part = customers[member]
        act, mapped = None, None
        if full_rows is not None:
            if full_mark[0] is not None:  # the bitmap carries everything: slice its rows
                mapped = {"rows": np.array([], np.int64), "periods": np.array([], np.int64),
                          "bitmap": (full_mark[0][member], full_mark[1])}
            else:
                remap = np.full(len(customers), -1, dtype=np.int64)
                remap[np.flatnonzero(member)] = np.arange(int(member.sum()))
                mine = remap[full_rows] if len(full_rows) else full_rows
                keep = mine >= 0
                mapped = {"rows": mine[keep], "periods": full_p[keep]}
            act = activity
        elif activity is not None:
            act = activity[activity["customer_id"].isin(set(part["customer_id"]))]
        rev = revenue[revenue["customer_id"].isin(set(part["customer_id"]))] if revenue is not None else None
        try:
            t = cohort_table(part, act, rev, _mapped=mapped, **options)
        except InsufficientDataError:
            continue
        avg = t.average.dropna()
        rows.append(pd.DataFrame({"group": value, "period": avg.index, "value": avg.to_numpy(),
                                  "customers": int(t.sizes.sum())}))
    if not rows:
        raise InsufficientDataError(f"No {group} has customers to compare.")
    return pd.concat(rows, ignore_index=True)
