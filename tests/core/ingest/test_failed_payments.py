"""Failed payments: the revenue rows' optional ``payment_failed`` flag, from import (with its validation) and
the demo, through an upgrade of an older store, to the ``failed_payments_90d`` feature and health measure."""

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import inspect, text

import core
from core.demo.synthetic import make_demo
from core.health.score import measure_frame
from core.history.features import temporal_features
from core.history.inputs import inputs_from_frames, load_inputs

CUSTOMERS = b"customer_id,signup_date\nA,2024-01-10\nB,2024-02-01\n"
REVENUE = (b"Customer ID,Month,MRR,Failed Payment\n"
           b"A,2024-03-01,100,no\nA,2024-04-01,100,yes\nA,2024-05-01,100,Yes\nB,2024-03-01,50,\n"
           b"B,2024-04-01,50,false\n")


@pytest.fixture
def store(db_url):
    eng = core.make_engine(db_url)
    core.commit_import(eng, core.prepare_import(eng, CUSTOMERS, "c.csv", "customers"))
    return eng


def test_a_revenue_file_with_a_failed_payment_column_loads_the_flag(store):
    plan = core.prepare_import(store, REVENUE, "r.csv", "revenue")
    assert plan.mapping["payment_failed"] == "Failed Payment"  # matched by name
    core.commit_import(store, plan)
    rev = core.load_table(store, "revenue").sort_values(["customer_id", "period"])
    got = [None if pd.isna(v) else bool(v) for v in rev["payment_failed"]]
    assert got == [False, True, True, None, False]  # a blank cell stays unknown


def test_an_unreadable_failed_payment_value_names_the_row_and_column(store):
    bad = REVENUE.replace(b"A,2024-04-01,100,yes", b"A,2024-04-01,100,maybe")
    plan = core.prepare_import(store, bad, "r.csv", "revenue")
    rep = plan.report[plan.report["field"] == "payment_failed"]
    assert rep[["row", "column", "value"]].values.tolist() == [[3, "Failed Payment", "maybe"]]
    assert plan.n_errors == 1


def test_an_older_store_gains_the_column_and_keeps_its_rows(db_url):
    eng = core.make_engine(db_url)
    with eng.begin() as conn:  # the schema before payment_failed existed
        conn.execute(text('ALTER TABLE revenue DROP COLUMN payment_failed'))
        conn.execute(text("INSERT INTO customer (customer_id, signup_date) VALUES ('A', '2024-01-10')"))
        conn.execute(text("INSERT INTO revenue (customer_id, period, mrr) VALUES ('A', '2024-03-01', 100)"))
    eng.dispose()
    assert "payment_failed" not in {c["name"] for c in inspect(_raw(db_url)).get_columns("revenue")}
    eng = core.make_engine(db_url)  # start of the new version: the column is added, the row kept
    assert "payment_failed" in {c["name"] for c in inspect(eng).get_columns("revenue")}
    rev = core.load_table(eng, "revenue")
    assert rev["mrr"].tolist() == [100.0] and rev["payment_failed"].isna().all()
    inputs = load_inputs(eng)
    assert "payment_failed" in inputs.revenue


def _raw(url):
    from sqlalchemy import create_engine

    return create_engine(url)


@pytest.fixture(scope="module")
def demo():
    return make_demo(1500, seed=3)


def test_the_demo_fails_payments_before_involuntary_churn(demo):
    rev, cust = demo.revenue, demo.customers
    last = rev.sort_values("period").groupby("customer_id").tail(1).set_index("customer_id")
    kind = cust.set_index("customer_id")["churn_type"].reindex(last.index)
    inv = last[kind == "involuntary"]["payment_failed"]
    assert len(inv) >= 20 and inv.mean() > 0.75  # 90 % by construction
    others = rev[~rev["customer_id"].isin(inv.index)]["payment_failed"]
    assert 0.002 < others.mean() < 0.012  # recovered failures: 0.6 % of months
    assert demo.truth["failed_payments"]["recovered_monthly_rate"] == 0.006


def test_failed_payments_90d_equals_a_direct_count(demo):
    inputs = inputs_from_frames(demo.customers, demo.activity, demo.tickets, demo.feedback, demo.revenue)
    cutoff = pd.Timestamp("2026-03-15")
    X = temporal_features(inputs, cutoff, label=False)
    rev = demo.revenue.assign(period=pd.to_datetime(demo.revenue["period"]))
    window = rev[(rev["period"] <= cutoff) & (rev["period"] > cutoff - pd.Timedelta(days=90))]
    direct = window.groupby("customer_id")["payment_failed"].sum()
    got = pd.Series(X.X["failed_payments_90d"].to_numpy(), index=X.customer_id)
    expected = direct.reindex(got.index).fillna(0).to_numpy(float)
    np.testing.assert_array_equal(got.to_numpy(), expected)
    assert got.sum() > 0
    assert not any("failed payments" in m for m in X.missing)
    frame, missing = measure_frame(inputs, cutoff)
    assert "failed_payments" not in missing
    np.testing.assert_array_equal(frame["failed_payments_90d"].to_numpy(), expected)


def test_without_the_flag_failed_payments_are_named_missing(demo):
    inputs = inputs_from_frames(demo.customers, demo.activity, demo.tickets, demo.feedback,
                                demo.revenue.drop(columns="payment_failed"))
    X = temporal_features(inputs, "2026-03-15", label=False)
    assert "failed_payments_90d" not in X.X
    assert any("failed payments" in m for m in X.missing)
