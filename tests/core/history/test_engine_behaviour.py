"""Every behavioural feature of the churn and health models aggregated by an engine (core.history.engine_behaviour)
equals the churn model's own (core.history.features.temporal_features) customer for customer, to 1e-9, at several
cutoffs: on the 1,000-customer demo (embedded DuckDB over the column files of activity, revenue, tickets and
feedback), on a 200-customer demo held by PostgreSQL (inside the database and through DuckDB over its cache) and on a
hand-made history whose features are known by hand (ties on a day, a missing score, a customer without rows); and
the churn model built on the engine's sums gives the figures it gives on pandas'."""

from __future__ import annotations

import dataclasses

import ibis
import numpy as np
import pandas as pd
import pytest

from core.churn.pipeline import fit_churn
from core.history import engine_behaviour
from core.history.engine_behaviour import behaviour
from core.history.features import temporal_features
from core.history.inputs import load_inputs
from core.query import sources

CUTOFFS = ("2025-03-31", "2025-09-14", "2026-01-01")
BEHAVIOUR = ["usage_level_30d", "usage_trend_90d", "active_days_30d", "days_since_active", "tickets_90d",
             "tickets_unresolved", "hours_to_resolve", "nps_latest", "nps_change", "csat_latest", "csat_change",
             "mrr_latest", "mrr_change_3m", "failed_payments_90d"]


def _model_view(inputs, cutoff) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The customers active at ``cutoff`` (id, signup date), their behavioural features and what is missing, as
    the churn model sees them."""
    data = temporal_features(inputs, cutoff, label=False)
    signup = inputs.customers.set_index(inputs.customers["customer_id"].astype(str))["signup_date"]
    customers = pd.DataFrame({"customer_id": data.customer_id.to_numpy(),
                              "signup_date": signup.loc[data.customer_id].to_numpy()})
    return customers, data.X[[c for c in BEHAVIOUR if c in data.X]], data.missing


def _assert_equal(src, inputs, cutoff) -> pd.DataFrame:
    customers, want, missing = _model_view(inputs, cutoff)
    groups = behaviour(src, customers, cutoff)
    got = {name: values for columns, _ in groups for name, values in columns.items()}
    assert list(got) == list(want.columns)
    assert [gap for columns, gap in groups if not columns] == missing
    for col in want.columns:
        np.testing.assert_allclose(got[col], want[col].to_numpy(float), rtol=1e-9, atol=1e-9, equal_nan=True,
                                   err_msg=col)
    return want


@pytest.mark.parametrize("cutoff", CUTOFFS)
def test_the_demo_features_equal_the_models(embedded_demo, cutoff):
    src, inputs = embedded_demo
    assert src.name == "DuckDB (embedded) over the store's column files"
    want = _assert_equal(src, inputs, cutoff)
    assert list(want.columns) == BEHAVIOUR  # the demo has every kind of behaviour
    # not vacuous: the groups vary across customers and hold missing values where the model has them
    assert want["tickets_90d"].gt(0).mean() > 0.2 and want["hours_to_resolve"].notna().mean() > 0.2
    assert want["nps_latest"].notna().any() and want["nps_change"].notna().any() and want["csat_change"].notna().any()
    assert want["mrr_change_3m"].ne(0).any() and want["failed_payments_90d"].gt(0).any()


@pytest.mark.parametrize("kind", ["inside", "embedded"])
def test_postgresql_gives_the_same_features(demo_on_both_stores, kind):
    engine = demo_on_both_stores["postgresql"]
    inputs = load_inputs(engine)
    with getattr(sources, kind)(engine) as src:
        for cutoff in CUTOFFS[1:]:
            _assert_equal(src, inputs, cutoff)


def _hand_source():
    """Customers a (two NPS answers on one day, then a later one), b (a missing score, a ticket still open, MRR
    rising), c (no rows at all)."""
    tickets = pd.DataFrame({"id": [1, 2, 3], "customer_id": ["a", "b", "a"],
                            "opened": pd.to_datetime(["2024-06-01 08:00", "2024-06-20 09:30", "2023-01-01 00:00"]),
                            "resolved": pd.to_datetime(["2024-06-02 20:00", None, "2023-01-02 00:00"])})
    feedback = pd.DataFrame({"id": [1, 2, 3, 4, 5], "customer_id": ["a", "a", "a", "b", "b"],
                             "date": pd.to_datetime(["2024-05-01", "2024-05-01", "2024-06-10", "2024-06-01",
                                                     "2024-07-05"]).date,
                             "channel": ["nps", "NPS", "nps", "nps", "nps"], "score": [3.0, 9.0, 7.0, None, 10.0]})
    revenue = pd.DataFrame({"id": [1, 2, 3, 4], "customer_id": ["b", "b", "b", "a"],
                            "period": pd.to_datetime(["2024-03-01", "2024-05-01", "2024-06-01", "2024-06-01"]).date,
                            "mrr": [100.0, 110.0, 150.0, 40.0], "payment_failed": [False, True, True, None]})
    con = ibis.duckdb.connect()
    return sources.Source("hand", con, None, revenue=ibis.memtable(revenue), tickets=ibis.memtable(tickets),
                          feedback=ibis.memtable(feedback))


def test_a_history_known_by_hand():
    customers = pd.DataFrame({"customer_id": ["a", "b", "c"], "signup_date": pd.to_datetime(["2020-01-01"] * 3)})
    with _hand_source() as src:
        got = {k: v for columns, _ in behaviour(src, customers, "2024-06-30") for k, v in columns.items()}
    assert got["tickets_90d"].tolist() == [1.0, 1.0, 0.0] and got["tickets_unresolved"].tolist() == [0.0, 1.0, 0.0]
    assert got["hours_to_resolve"][0] == 36.0 and np.isnan(got["hours_to_resolve"][1:]).all()
    # a: 7 on June 10 after two answers on May 1, the later row (9) the previous; b: its only scored answer is after
    assert got["nps_latest"][0] == 7.0 and got["nps_change"][0] == -2.0 and np.isnan(got["nps_latest"][1:]).all()
    assert "csat_latest" not in got
    # b: 150 in June against 100 in March (on or before March 30, three months before the cutoff)
    assert got["mrr_latest"][:2].tolist() == [40.0, 150.0] and got["mrr_change_3m"][1] == pytest.approx(0.5)
    assert np.isnan(got["mrr_change_3m"][[0, 2]]).all()
    assert got["failed_payments_90d"].tolist() == [0.0, 2.0, 0.0]


def test_the_churn_model_built_on_engine_sums_gives_the_same_figures(embedded_demo):
    """The churn pipeline on inputs whose behaviour an engine sums (ChurnInputs.source): every feature of every
    cutoff to 1e-9, then the same held-out metrics, today's scores and drivers as on pandas' sums."""
    src, inputs = embedded_demo
    on_pandas = fit_churn(inputs, horizon_days=90)
    on_engine = fit_churn(dataclasses.replace(inputs, source=src), horizon_days=90)
    for part in ("train", "test", "current"):
        a, b = getattr(on_pandas, part), getattr(on_engine, part)
        assert list(a.X.columns) == list(b.X.columns) and a.missing == b.missing
        numeric = a.X.select_dtypes("number").columns
        np.testing.assert_allclose(b.X[numeric].to_numpy(float), a.X[numeric].to_numpy(float), rtol=1e-9,
                                   atol=1e-9, equal_nan=True)
    assert on_engine.best == on_pandas.best
    for kind, m in on_pandas.metrics.items():
        assert on_engine.metrics[kind]["roc_auc"] == pytest.approx(m["roc_auc"], abs=1e-9)
    np.testing.assert_allclose(on_engine.p_current, on_pandas.p_current, rtol=1e-9, atol=1e-9)
    assert on_engine.drivers["feature"].tolist() == on_pandas.drivers["feature"].tolist()


def test_one_source_asked_at_many_cutoffs_finds_each_groups_first_row_on_its_own_day():
    """The source remembers each table's first row (a back-test asks at every cutoff): the day before the first NPS
    answer, MRR row and known payment (2024-03-01 .. 2024-05-01) the groups are empty, on their day they are there,
    whatever was asked before, and the answers equal a fresh source's."""
    customers = pd.DataFrame({"customer_id": ["a", "b"], "signup_date": pd.to_datetime(["2020-01-01"] * 2)})
    cutoffs = ["2024-06-30", "2024-02-29", "2024-03-01", "2024-04-30", "2024-05-01"]
    with _hand_source() as src:
        asked = [{k: v for columns, _ in behaviour(src, customers, c) for k, v in columns.items()} for c in cutoffs]
    for c, got in zip(cutoffs, asked, strict=True):
        with _hand_source() as fresh:
            want = {k: v for columns, _ in behaviour(fresh, customers, c) for k, v in columns.items()}
        assert list(got) == list(want)
        for k in want:
            np.testing.assert_array_equal(got[k], want[k], err_msg=f"{c} {k}")
    assert "mrr_latest" not in asked[1] and "failed_payments_90d" not in asked[1]
    assert asked[2]["mrr_latest"].tolist()[1] == 100.0  # b's first MRR, on the cutoff day itself
    assert asked[2]["failed_payments_90d"].tolist() == [0.0, 0.0]  # b's March payment is known, it did not fail
    assert "nps_latest" not in asked[3] and asked[4]["nps_latest"][0] == 9.0  # a's first answers: May 1


def _flat(groups) -> dict:
    return {k: v for columns, _ in groups for k, v in columns.items()}


def test_a_block_of_cutoffs_is_asked_once_per_group_and_reads_like_each_cutoff_alone(monkeypatch):
    """engine_behaviour.prepared asks for every cutoff at once (one query per group that has rows, after the
    once-per-source first-row checks) and behaviour at each cutoff then reads exactly what it asks alone; customers
    outside the prepared ones are asked afresh; after the block nothing is kept."""
    customers = pd.DataFrame({"customer_id": ["a", "b", "c"], "signup_date": pd.to_datetime(["2020-01-01"] * 3)})
    cutoffs = ["2024-02-29", "2024-03-01", "2024-05-01", "2024-06-30", "2024-07-31"]
    with _hand_source() as fresh:
        alone = {c: _flat(behaviour(fresh, customers, c)) for c in cutoffs}
    with _hand_source() as src:
        for c in cutoffs:  # the first-row facts, remembered per source, asked before counting
            behaviour(src, customers, c)
        asked = []
        real = src.con.execute
        monkeypatch.setattr(src.con, "execute", lambda expr, **kw: asked.append(expr) or real(expr, **kw))
        with engine_behaviour.prepared(src, customers, reversed(cutoffs)):
            n = len(asked)
            got = {c: _flat(behaviour(src, customers.iloc[::-1], c)) for c in cutoffs}
            assert len(asked) == n  # read from the block's answers, in any order of customers
            behaviour(src, pd.concat([customers, customers.assign(customer_id="d")]), cutoffs[0])
            assert len(asked) > n  # a customer the block did not ask about: asked afresh
        assert not [k for k in src.memo if k[0] == "behaviour"]
    # tickets, NPS, MRR (now and three months before: one query), payments; no activity, no CSAT
    assert n == 4
    for c in cutoffs:
        assert list(got[c]) == list(alone[c]), c
        for k, v in alone[c].items():
            np.testing.assert_array_equal(got[c][k], v[::-1], err_msg=f"{c} {k}")
    assert got["2024-06-30"]["nps_latest"][2] == 7.0 and "mrr_latest" not in got["2024-02-29"]
