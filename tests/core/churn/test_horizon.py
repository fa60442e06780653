"""core/churn/horizon.py on hand-made purchases: the rows it keeps as "could lapse within the horizon" are exactly
those the lapse label can mark 1, and its ROC-AUC equals sklearn's on the rows kept by hand."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from core.buyers.lapse_labels import lapse_labels
from core.churn import horizon as churn_horizon
from core.cli import defaults

N, H = 60, 20
CUTOFF = pd.Timestamp("2020-06-30")


def test_the_cli_copy_of_the_default_horizon():
    assert defaults.CHURN_HORIZON_DAYS == churn_horizon.DEFAULT_DAYS == 90


def test_could_lapse_is_exactly_who_the_label_can_mark():
    """One buyer per recency 0 .. N - 1 days at the cutoff, none buying again: each lapses N days after the last
    purchase, so the label is 1 exactly when recency >= N - H."""
    ids = [f"c{r:02d}" for r in range(N)]
    purchases = pd.DataFrame({"customer_id": ids, "date": [CUTOFF - pd.Timedelta(days=r) for r in range(N)]})
    labels = lapse_labels(purchases, N, CUTOFF, H)
    recency = churn_horizon.recency_days(purchases, ids, CUTOFF)
    assert recency.tolist() == list(range(N))
    keep = churn_horizon.could_lapse(recency, N, H)
    assert keep.tolist() == labels.loc[ids, "churned"].tolist()
    assert keep.sum() == H  # recency N - H .. N - 1
    assert churn_horizon.could_lapse(np.array([np.nan]), N, H).tolist() == [True]  # not a buyer: nothing rules out


def test_could_lapse_metrics_equal_sklearn_on_the_rows_kept_by_hand():
    rng = np.random.default_rng(0)
    recency = rng.integers(0, N, 400).astype(float)
    y = ((recency >= N - H) & (rng.random(400) < 0.5)).astype(int)
    p = {"logistic": rng.random(400) + recency / N, "boosting": rng.random(400)}
    got = churn_horizon.could_lapse_metrics(y, p, recency, N, H)
    rows = recency >= N - H
    assert got["roc_auc"] == {k: pytest.approx(roc_auc_score(y[rows], v[rows]), abs=1e-12) for k, v in p.items()}
    assert (got["rows"], got["churners"], got["all_rows"]) == (rows.sum(), y.sum(), 400)
    assert churn_horizon.could_lapse_metrics(y, p, recency, N, N) is None  # H = N: every buyer can lapse
    one_class = churn_horizon.could_lapse_metrics(np.zeros(400, int), p, recency, N, H)
    assert np.isnan(one_class["roc_auc"]["logistic"])
    assert "cannot be computed" in churn_horizon.inflation_sentence(one_class, "logistic", 0.9)


@pytest.mark.parametrize("first, end, n", [("1997-01-01", "1998-06-30", 210), ("2020-01-01", "2021-03-31", 365),
                                           ("2020-01-01", "2020-12-31", 400)])
def test_the_default_horizon_always_leaves_a_training_cutoff(first, end, n):
    """N when the data allow it, else the longest horizon the pipeline's cutoff plan can still train on: one day
    longer leaves it no training cutoff."""
    from core.churn.pipeline import plan_cutoffs

    first, end = pd.Timestamp(first), pd.Timestamp(end)
    h = churn_horizon.default_horizon(n, first, end)
    assert h <= n and plan_cutoffs(end, first, h)[0]
    if h < n:
        assert not plan_cutoffs(end, first, h + 1)[0]
        assert h in churn_horizon.horizon_options(n, h) and n in churn_horizon.horizon_options(n, h)
    assert churn_horizon.default_horizon(None, first, end) == churn_horizon.DEFAULT_DAYS
