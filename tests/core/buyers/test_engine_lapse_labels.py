"""A purchase log's churn label at a cutoff judged by an engine (core.buyers.engine_lapse_labels) equals the pandas
definition (core.buyers.lapse_labels): on the docstring's two buyers and on buyers known by hand (a purchase on the
cutoff, a lapse on the horizon's last day, a return within N), and on the CDNOW sample in embedded DuckDB over a
SQLite store's files and inside PostgreSQL, at monthly cutoffs for three lapse periods and two horizons; the recency
the churn model's could-lapse check reads equals core.churn.horizon.recency_days."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from core.buyers import engine_lapse_labels as ell
from core.buyers import lapse
from core.buyers.lapse_labels import lapse_labels
from core.buyers.purchases import load_purchase_log
from core.churn.horizon import recency_days
from core.history.features import engine_recency, temporal_features
from core.history.inputs import load_inputs
from core.query import sources


def _source(purchases: pd.DataFrame) -> sources.Source:
    table = pa.table({"customer_id": purchases["customer_id"].astype(str).to_numpy(dtype=object),
                      "date": pa.array(pd.to_datetime(purchases["date"]).to_numpy(dtype="datetime64[D]"),
                                       pa.date32())})
    return sources.Source("by hand", ibis.duckdb.connect(), None, purchases=ibis.memtable(table))


def _same(got: pd.DataFrame, want: pd.DataFrame, cutoff, horizon: int) -> None:
    end = pd.Timestamp(cutoff) + pd.Timedelta(days=horizon)
    want = want.assign(lapse_date=want["lapse_date"].where(want["lapse_date"] <= end))
    pd.testing.assert_frame_equal(got, want, check_index_type=False, check_freq=False)


def _purchases(rows: dict[str, list[str]]) -> pd.DataFrame:
    return pd.DataFrame([(c, pd.Timestamp(d)) for c, days in rows.items() for d in days],
                        columns=["customer_id", "date"])


def test_buyers_known_by_hand():
    """N 30, cutoff 1 Mar 2024, horizon 60 (to 30 Apr): a bought on the cutoff and on 20 Mar, lapses 19 Apr (churned);
    b's last purchase, 31 Jan, lapsed on the cutoff (not active); c bought 15 Feb and 10 Mar and 5 Apr, lapses 5 May
    (after the horizon: kept); d bought 1 Feb, then 31 Mar: its lapse on 2 Mar is the first (churned); e buys after
    the cutoff only (no row); f bought twice on one day (one purchase day), 20 Feb, and lapses on 21 Mar."""
    p = _purchases({"a": ["2024-03-01", "2024-03-20"], "b": ["2024-01-31"],
                    "c": ["2024-02-15", "2024-03-10", "2024-04-05"], "d": ["2024-02-01", "2024-03-31"],
                    "e": ["2024-03-05"], "f": ["2024-02-20", "2024-02-20"]})
    got = ell.lapse_labels(_source(p), list("abcdef"), 30, "2024-03-01", 60)
    _same(got, lapse_labels(p, 30, "2024-03-01", 60), "2024-03-01", 60)
    assert got.index.tolist() == list("abcdf")
    assert got["active"].tolist() == [True, False, True, True, True]
    assert got["churned"].tolist() == [True, False, False, True, True]
    assert got.loc["d", "lapse_date"] == pd.Timestamp("2024-03-02") and pd.isna(got.loc["c", "lapse_date"])


def test_nobody_bought_by_the_cutoff():
    p = _purchases({"a": ["2024-03-05"]})
    got = ell.lapse_labels(_source(p), ["a"], 30, "2024-03-01", 60)
    assert got.empty and list(got.columns) == ell.COLUMNS


@pytest.mark.parametrize("n", [30, 120, 365])
def test_the_cdnow_sample_on_the_engines(cdnow, n):
    engine, source = cdnow
    days = load_purchase_log(engine).days
    ids = sorted(days["customer_id"].unique())
    cutoffs = pd.date_range("1997-02-28", "1998-03-31", freq="ME")
    for horizon in (90, 180):
        got = ell.asked(source, ids, n, cutoffs, horizon)
        for c in cutoffs:
            _same(got[c], lapse_labels(days, n, c, horizon), c, horizon)
    assert got[cutoffs[-1]]["churned"].sum() > 0 and (~got[cutoffs[-1]]["active"]).sum() > 0
    rows = np.array(ids[::3] + ["nobody"])
    np.testing.assert_array_equal(ell.recency_days(source, ids, rows, "1997-09-30"),
                                  recency_days(days, rows, "1997-09-30"))


def test_the_churn_models_inputs_leave_the_purchases_on_the_engine(cdnow, monkeypatch):
    """load_inputs with an engine: the lapse rule (N, the as-of day, each buyer's churn date, the value of a buyer)
    is the pandas path's, no purchase is read as a row, and the features and labels at training cutoffs are the
    same, to 1e-9 and row for row."""
    engine, source = cdnow
    want = load_inputs(engine, source=None)
    monkeypatch.setattr(lapse, "load_purchase_log", lambda *a: pytest.fail("the purchases were read as rows"))
    got = load_inputs(engine, source=source)
    assert got.lapse.purchases is None and want.lapse.purchases is not None
    assert (got.lapse.days, got.lapse.proposal, got.lapse.as_of) == (want.lapse.days, want.lapse.proposal,
                                                                      want.lapse.as_of)
    pd.testing.assert_series_equal(got.lapse.churn_dates, want.lapse.churn_dates, check_index_type=False)
    assert got.lapse.value_per_buyer == pytest.approx(want.lapse.value_per_buyer, rel=1e-9)
    for cutoff in ("1997-06-30", "1997-09-30", "1997-12-31"):  # N is 210 days: lapses within 180 days from June
        a, b = (temporal_features(x, cutoff, 180) for x in (got, want))
        assert a.customer_id.tolist() == b.customer_id.tolist() and 0 < a.y.sum() < len(a.y)
        np.testing.assert_array_equal(a.y, b.y)
        pd.testing.assert_frame_equal(a.X, b.X, rtol=1e-9, check_dtype=False)
    rows = want.customers["customer_id"].astype(str).to_numpy()[::5]
    np.testing.assert_array_equal(engine_recency(got, rows, "1997-09-30"),
                                  recency_days(want.lapse.purchases, rows, "1997-09-30"))


@pytest.mark.parametrize("lapse", [np.nan, -7.2e303, 10.0])
def test_a_lapse_day_read_back_missing_or_before_the_last_purchase_fails_loudly(lapse):
    """The engine returns NO_LAPSE, never a null, for no lapse: a missing or impossible day is a wrong read (once, a
    PostgreSQL result's null came back as a huge negative float) and must fail, not become a label."""
    rows = pd.DataFrame({"c": [100, 100], "customer_id": ["a", "b"], "last": [90, 95],
                         "lapse": [ell.NO_LAPSE, lapse], "active": [True, True]})
    with pytest.raises(ValueError, match="lapse day missing or before the last purchase"):
        ell._frame(rows, 190)
    fine = ell._frame(rows.assign(lapse=[ell.NO_LAPSE, 150]), 190)
    assert fine["lapse_date"].isna().tolist() == [True, False] and fine["churned"].tolist() == [False, True]
