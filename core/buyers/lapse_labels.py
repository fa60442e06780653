"""A purchase log's churn label at a cutoff: who is an active buyer then, and who of them lapses within the horizon.

The lapse rule (:mod:`core.buyers.lapse`: churn = no purchase within N days) gives each buyer one churn date, the
final purchase plus N days. That date is right for "who has left by the as-of day", but a churn model trained on
it at earlier cutoffs learns its own label: a customer already past N days of silence at a training cutoff who buys
again later has no churn date before the final purchase, so is labelled active, and the model reads the cliff at
N minus the horizon off recency. :func:`lapse_labels` judges each cutoff from the purchases up to the end of its
horizon only, the same way at every cutoff (:func:`core.history.features.temporal_features` calls it).
"""

from __future__ import annotations

import pandas as pd

from core.buyers.lapse import check_lapse_days, purchase_days


def lapse_labels(purchases: pd.DataFrame, days: int, cutoff, horizon_days: int) -> pd.DataFrame:
    """Who is an active buyer at the end of ``cutoff``, and who of them lapses within ``horizon_days`` after it.

    The one definition of a purchase log's churn label, judged from purchases only (never from a customer's final
    purchase, which lies in the future of the cutoff):

    * a buyer has **lapsed on day d** when there is no purchase in the N days up to d, i.e. none in (d - N, d];
    * a buyer is **active at the cutoff** c when they bought in the N days up to it: a purchase in (c - N, c]. A
      buyer already lapsed at c (last purchase on or before c - N) is not a customer to train on or score, even
      when they buy again later;
    * an active buyer's **label** is 1 when they lapse on some day of (c, c + H]: walking from their last purchase
      on or before c, the first purchase p followed by no purchase in (p, p + N] lapses on p + N, and the label is
      p + N <= c + H. Only purchases up to c + H decide it.

    Parameters
    ----------
    purchases : pandas.DataFrame
        ``customer_id, date`` (several a day allowed).
    days : int
        N, the lapse period.
    cutoff : date-like
        c (its purchases count as known).
    horizon_days : int
        H.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer id (str, sorted), one row per customer with a purchase on or before c:
        ``last_purchase`` (the last on or before c), ``active`` (bool), ``lapse_date`` (the first lapse after the
        last purchase, possibly past the data; judged for active rows), ``churned`` (bool: active and lapsed by
        c + H).

    Examples
    --------
    >>> p = pd.DataFrame({"customer_id": ["a", "a", "b", "b"],
    ...                   "date": datetimes(["2020-01-01", "2020-03-01", "2019-01-01", "2020-06-01"])})
    >>> t = lapse_labels(p, 60, "2020-03-15", 90)
    >>> t[["active", "churned"]].to_dict("index")
    {'a': {'active': True, 'churned': True}, 'b': {'active': False, 'churned': False}}
    """
    n = check_lapse_days(days)
    c = pd.Timestamp(cutoff).normalize()
    end = c + pd.Timedelta(days=int(horizon_days))
    d = purchase_days(purchases)
    last = d[d["date"] <= c].groupby("customer_id")["date"].max().rename("last_purchase")
    if last.empty:
        return pd.DataFrame({"last_purchase": pd.Series(dtype="datetime64[ns]"), "active": pd.Series(dtype=bool),
                             "lapse_date": pd.Series(dtype="datetime64[ns]"), "churned": pd.Series(dtype=bool)})
    # each buyer's purchases from their last one up to c on: a gap over N after p (or none after p) lapses on p + N
    tail = d[d["customer_id"].isin(last.index)]
    tail = tail[tail["date"] >= tail["customer_id"].map(last)]
    following = tail.groupby("customer_id")["date"].shift(-1)
    step = pd.Timedelta(days=n)
    lapses = tail["date"] + step
    ends = following.isna() | (following > lapses)
    lapse_date = lapses[ends.to_numpy()].groupby(tail.loc[ends.to_numpy(), "customer_id"]).min()
    out = last.to_frame()
    out["active"] = out["last_purchase"] + step > c
    out["lapse_date"] = lapse_date.reindex(out.index)
    out["churned"] = out["active"] & (out["lapse_date"] <= end)
    out.index.name = "customer_id"
    return out
