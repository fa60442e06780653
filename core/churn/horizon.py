"""The churn horizon on a purchase log, and the held-out ROC-AUC among the buyers who could lapse within it.

On a purchase log churn is the lapse rule's (:mod:`core.buyers.lapse`: no purchase within N days), and an active
buyer's label at a cutoff c is 1 when they lapse within the horizon H after it (:mod:`core.buyers.lapse_labels`).
A buyer lapses N days after their last purchase at the earliest, so one who bought fewer than N - H days before c
cannot be labelled 1, by definition: with H shorter than N, most stayers are told apart by recency alone and the
held-out ROC-AUC mostly restates the definition. So:

* :func:`default_horizon`: on a store where the lapse rule applies the default horizon is N (every active buyer can
  lapse within it); elsewhere :data:`DEFAULT_DAYS`. :func:`horizon_options` adds N to :data:`OPTIONS`;
* :func:`could_lapse_metrics`: when H < N anyway, the held-out ROC-AUC among the rows that could lapse within H
  (recency at the cutoff >= N - H), and :func:`inflation_sentence` says in plain words why the headline is higher.

The Churn drivers page (ui/churn/buyers.py) and ``python -m core churn`` (core/cli/churn.py) both call these.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from core.churn import plain
from core.export import units
from core.store.dates import datetimes

#: the horizon of a store with churn dates of its own (core/cli/defaults.py holds a copy for ``--help``)
DEFAULT_DAYS = 90
#: days of history a training cutoff needs after the first signup (the usage-trend window)
HISTORY_DAYS = 120
#: the horizons the Churn drivers page offers (plus N on a purchase log)
OPTIONS = (30, 60, 90, 180)


def longest_horizon(first, end) -> int | None:
    """The longest horizon that leaves one training cutoff between ``first`` (the first signup) and ``end`` (the
    data's last day): the test cutoff is end - H, the newest training cutoff end - 2H, and that needs
    :data:`HISTORY_DAYS` after ``first`` (:func:`core.churn.pipeline.plan_cutoffs`). None when either day is unknown.

    >>> longest_horizon("1997-01-01", "1998-06-30")
    212
    """
    if first is None or end is None or pd.isna(first) or pd.isna(end):
        return None
    return int((pd.Timestamp(end).normalize() - pd.Timestamp(first).normalize()).days - HISTORY_DAYS) // 2


def default_horizon(lapse_days: int | None, first=None, end=None) -> int:
    """N on a store where the lapse rule applies (``lapse_days`` is its N), else :data:`DEFAULT_DAYS`; N is cut to
    the longest horizon the data allow (:func:`longest_horizon` from ``first`` to ``end``, at least 7 days), so the
    default always fits.

    >>> default_horizon(210), default_horizon(None), default_horizon(365, "1997-01-01", "1998-06-30")
    (210, 90, 212)
    """
    if lapse_days is None:
        return DEFAULT_DAYS
    most = longest_horizon(first, end)
    return int(lapse_days) if most is None else max(7, min(int(lapse_days), most))


def horizon_options(lapse_days: int | None, default: int | None = None) -> list[int]:
    """The horizons to offer: :data:`OPTIONS`, and N and the ``default`` on a store where the lapse rule applies, in
    order.

    >>> horizon_options(210), horizon_options(90), horizon_options(None), horizon_options(365, 212)
    ([30, 60, 90, 180, 210], [30, 60, 90, 180], [30, 60, 90, 180], [30, 60, 90, 180, 212, 365])
    """
    extra = set() if lapse_days is None else {int(lapse_days)} | ({int(default)} if default is not None else set())
    return sorted(set(OPTIONS) | extra)


def recency_days(purchases: pd.DataFrame, customer_ids, cutoff) -> np.ndarray:
    """Days from each customer's last purchase on or before ``cutoff`` to ``cutoff`` (NaN without one).

    Parameters
    ----------
    purchases : pandas.DataFrame
        ``customer_id, date`` (the lapse rule's purchase days).
    customer_ids : sequence
        The rows' customers, in row order.
    cutoff : date-like
    """
    c = pd.Timestamp(cutoff).normalize()
    dates = datetimes(purchases["date"]).dt.normalize()
    seen = dates <= c
    last = dates[seen].groupby(purchases.loc[seen, "customer_id"].astype(str).to_numpy()).max()
    got = pd.Series(customer_ids).astype(str).map(last)
    return (c - got).dt.days.to_numpy(float)


def could_lapse(recency: np.ndarray, lapse_days: int, horizon_days: int) -> np.ndarray:
    """Rows that could lapse within the horizon: not a buyer whose last purchase is fewer than N - H days before the
    cutoff (their first possible lapse, last purchase + N, is after the horizon). A row without a purchase (a
    customer with churn dates of its own, in a mix) is kept: nothing rules its churn out."""
    recency = np.asarray(recency, float)
    return ~(recency < int(lapse_days) - int(horizon_days))


def could_lapse_metrics(y, p_by_model: dict, recency, lapse_days: int, horizon_days: int) -> dict | None:
    """The held-out ROC-AUC among the rows that could lapse within the horizon (None when H >= N: every row can).

    Returns
    -------
    dict or None
        ``lapse_days, horizon_days, min_recency_days`` (N - H), ``rows, churners`` (of those rows), ``all_rows`` and
        ``roc_auc``: model kind -> ROC-AUC on those rows (NaN when they hold one class only).
    """
    if horizon_days >= lapse_days:
        return None
    keep = could_lapse(recency, lapse_days, horizon_days)
    ys = np.asarray(y)[keep]
    both = 0 < ys.sum() < len(ys)
    auc = {k: float(roc_auc_score(ys, np.asarray(p)[keep])) if both else float("nan") for k, p in p_by_model.items()}
    return {"lapse_days": int(lapse_days), "horizon_days": int(horizon_days),
            "min_recency_days": int(lapse_days) - int(horizon_days), "rows": int(keep.sum()),
            "churners": int(ys.sum()), "all_rows": int(len(keep)), "roc_auc": auc}


def inflation_sentence(could: dict, kind: str, headline: float) -> str:
    """Why the headline ROC-AUC of model ``kind`` is inflated when the horizon is shorter than N, in plain words.

    >>> c = {"lapse_days": 210, "horizon_days": 90, "min_recency_days": 120, "rows": 900, "churners": 300,
    ...      "all_rows": 2000, "roc_auc": {"boosting": 0.71}}
    >>> inflation_sentence(c, "boosting", 0.98)[:60]
    'The held-out ROC-AUC of 0.980 is inflated: churn here is no '
    """
    n, h, gap = could["lapse_days"], could["horizon_days"], could["min_recency_days"]
    auc = could["roc_auc"].get(kind, float("nan"))
    among = ("cannot be computed (they are all churners or all stayers)" if np.isnan(auc)
             else f"is {units.score(auc)}: the model {plain.roc_auc(auc)}")
    return (f"The held-out ROC-AUC of {units.score(headline)} is inflated: churn here is no purchase within {n} "
            f"days, so a buyer whose last purchase was fewer than {gap} days before the cutoff cannot lapse within "
            f"{h} days; recency alone tells those buyers apart, by definition. Among the "
            f"{units.count(could['rows'])} of {units.count(could['all_rows'])} held-out buyers who could lapse "
            f"within {h} days ({units.count(could['churners'])} churners) the ROC-AUC {among}. Choose churn within "
            f"{n} days to judge every buyer.")
