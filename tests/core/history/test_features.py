"""Temporal churn features: nothing after the cutoff leaks in, each feature matches a direct computation,
and on the demo the model recovers the generator's true drivers."""

import numpy as np
import pandas as pd
import pytest

import core
from core.buyers import lapse
from core.churn.pipeline import fit_churn, plan_cutoffs
from core.errors import DataValidationError
from core.history.features import is_controllable, temporal_features
from core.history.frame_behaviour import latest_two_values
from core.history.inputs import inputs_from_frames, load_inputs

CUT = pd.Timestamp("2025-06-15")


def _cut_at(demo, c):
    """The demo as it looked at the end of day ``c``: later events gone, later resolutions and churn unknown."""
    nxt = c + pd.Timedelta(days=1)
    cust = demo.customers.copy()
    cust.loc[cust["churn_date"] > c, "churn_date"] = pd.NaT
    act = demo.activity[demo.activity["date"] <= c]
    t = demo.tickets[demo.tickets["opened"] < nxt].copy()
    t.loc[t["resolved"] >= nxt, "resolved"] = pd.NaT
    fb = demo.feedback[demo.feedback["date"] <= c]
    rev = demo.revenue[demo.revenue["period"] <= c]
    return inputs_from_frames(cust, act, t, fb, rev)


def _scrambled_after(demo, c):
    """Everything after ``c`` rewritten: heavy usage, instant resolutions, perfect scores, doubled MRR."""
    nxt = c + pd.Timedelta(days=1)
    act = demo.activity.copy()
    act.loc[act["date"] > c, "value"] *= 50
    t = demo.tickets.copy()
    late = t["resolved"] >= nxt
    t.loc[late, "resolved"] = t.loc[late, "resolved"] + pd.Timedelta(days=30)
    fb = demo.feedback.copy()
    fb.loc[fb["date"] > c, "score"] = 10
    rev = demo.revenue.copy()
    rev.loc[rev["period"] > c, "mrr"] *= 2
    return inputs_from_frames(demo.customers, act, t, fb, rev)


def test_nothing_after_the_cutoff_reaches_the_features(demo, inputs):
    full = temporal_features(inputs, CUT, label=False)
    cut = temporal_features(_cut_at(demo, CUT), CUT, label=False)
    pd.testing.assert_frame_equal(full.X, cut.X)
    pd.testing.assert_series_equal(full.customer_id, cut.customer_id)
    scrambled = temporal_features(_scrambled_after(demo, CUT), CUT, label=False)
    pd.testing.assert_frame_equal(full.X, scrambled.X)
    assert "renewal_date" not in full.X  # written after the fact: never a feature


def test_label_is_churn_within_the_horizon(demo, inputs):
    d = temporal_features(inputs, CUT, horizon_days=90)
    c = demo.customers.set_index("customer_id")
    assert ((c.loc[d.customer_id, "signup_date"] <= CUT).all()
            and not (c.loc[d.customer_id, "churn_date"] <= CUT).any())  # active at the cutoff
    churn = c.loc[d.customer_id, "churn_date"]
    expected = ((churn > CUT) & (churn <= CUT + pd.Timedelta(days=90))).to_numpy().astype(int)
    np.testing.assert_array_equal(d.y, expected)
    assert 50 < d.y.sum() < len(d.y) / 5
    with pytest.raises(DataValidationError, match="runs past the end"):
        temporal_features(inputs, "2026-10-01", horizon_days=90)


def test_each_feature_matches_a_direct_computation(demo, inputs):
    d = temporal_features(inputs, CUT)
    X = d.X.set_index(d.customer_id)
    a = demo.activity
    t, fb = demo.tickets, demo.feedback
    nxt = CUT + pd.Timedelta(days=1)
    for cid in X.index[::250]:
        mine = a[a["customer_id"] == cid]
        last30 = mine[(mine["date"] > CUT - pd.Timedelta(days=30)) & (mine["date"] <= CUT)]
        assert X.loc[cid, "usage_level_30d"] == pytest.approx(np.log1p(last30["value"].sum() / 30))
        assert X.loc[cid, "active_days_30d"] == last30["date"].nunique()
        tk = t[(t["customer_id"] == cid) & (t["opened"] < nxt) & (t["opened"] >= nxt - pd.Timedelta(days=90))]
        assert X.loc[cid, "tickets_90d"] == len(tk)
        assert X.loc[cid, "tickets_unresolved"] == (tk["resolved"].isna() | (tk["resolved"] >= nxt)).sum()
        nps = fb[(fb["customer_id"] == cid) & (fb["channel"] == "nps") & (fb["date"] <= CUT)].sort_values("date")
        if len(nps):
            assert X.loc[cid, "nps_latest"] == nps["score"].iloc[-1]
        else:
            assert np.isnan(X.loc[cid, "nps_latest"])


def test_days_to_renewal_counts_to_the_next_signup_anniversary():
    cust = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "signup_date": pd.to_datetime(
        ["2024-02-29", "2025-06-15", "2025-01-31", "2025-06-16"]), "churn_date": pd.NaT})
    d = temporal_features(inputs_from_frames(cust), "2026-06-15", label=False)
    # a: Feb 28 2027 (no Feb 29); b: anniversary on the cutoff day itself is past -> 2027-06-15;
    # c: 2027-01-31; d: tomorrow
    assert d.X["days_to_renewal"].tolist() == [258.0, 365.0, 230.0, 1.0]
    assert d.missing[0].startswith("product usage")


def test_out_of_time_cutoffs_never_see_the_test_period():
    train, test = plan_cutoffs(pd.Timestamp("2026-10-31"), pd.Timestamp("2023-11-01"), 90, n_train=6)
    assert test == pd.Timestamp("2026-08-02")
    assert len(train) == 6 and train[-1] + pd.Timedelta(days=90) <= test  # every training label known by then
    assert train == sorted(train) and (train[-1] - train[0]).days > 140


def test_latest_two_values_by_hand():
    """Per customer position: the latest and the previous value by date, whatever the row order; NaN when absent."""
    df = pd.DataFrame({"score": [7.0, 9.0, 3.0, 5.0],
                       "date": pd.to_datetime(["2024-03-01", "2024-01-01", "2024-02-01", "2024-01-15"])})
    # customer 0 answered 9 (Jan), 3 (Feb), 7 (Mar); customer 1 never; customer 2 once
    last, prev = latest_two_values(df, np.array([0, 0, 0, 2]), 3, "score", "date")
    np.testing.assert_array_equal(last, [7.0, np.nan, 5.0])
    np.testing.assert_array_equal(prev, [3.0, np.nan, np.nan])


def test_controllable_words_match_whole_words():
    assert is_controllable("usage_level_30d")  # "usage" contains "age", which is fixed context
    assert not is_controllable("customer_age") and not is_controllable("SeniorCitizen")
    assert is_controllable("TechSupport") and not is_controllable("days_to_renewal")


@pytest.fixture(scope="module")
def demo_fit(inputs):
    return fit_churn(inputs, horizon_days=90, seed=0, n_boot=50)


def test_demo_model_recovers_the_true_drivers(demo, demo_fit):
    truth = demo.truth["hazard"]["coefficients"]  # renewal 2.4, usage trend -1.2, level -0.6, nps 0.8, tickets 0.4
    assert set(truth) == {"usage_trend", "usage_level", "open_tickets", "nps_detractor", "renewal_month"}
    r = demo_fit
    assert r.source == "temporal" and r.validation.startswith("out of time")
    rank = {f: i for i, f in enumerate(r.drivers["feature"])}
    # the three largest true effects are the three top drivers
    assert set(r.drivers["feature"].head(3)) == {"days_to_renewal", "usage_level_30d", "usage_trend_90d"}
    # the weaker ones still beat the attributes that have no effect at all
    for f in ("nps_latest", "tickets_unresolved"):
        assert rank[f] < rank["region"] and rank[f] < rank["channel"]
    d = r.drivers.set_index("feature")["direction"]
    assert d["usage_level_30d"] == d["usage_trend_90d"] == d["nps_latest"] == "higher -> less churn"
    assert d["tickets_unresolved"] == "higher -> more churn" and d["days_to_renewal"] == "higher -> less churn"
    assert r.metrics[r.best]["roc_auc"] > 0.65


def test_demo_calibration_and_scores(demo_fit):
    r = demo_fit
    assert r.brier_calibrated <= r.metrics[r.best]["brier"] + 0.002
    assert abs(r.p_test.mean() - r.test.y.mean()) < 0.02  # calibrated to the held-out churn rate
    assert len(r.p_current) == len(r.current.X) and r.current.y is None
    assert ((r.p_current >= 0) & (r.p_current <= 1)).all()


def test_store_inputs_equal_frame_inputs(tmp_path, shared):
    demo = core.make_demo(300, seed=4)
    eng = core.make_engine(f"sqlite:///{tmp_path / 's.db'}")
    core.load_demo(eng, n_customers=300, seed=4)
    a = temporal_features(load_inputs(eng), "2026-03-31")
    b = temporal_features(inputs_from_frames(demo.customers, demo.activity, demo.tickets, demo.feedback,
                                             demo.revenue), "2026-03-31")
    pd.testing.assert_frame_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)


def test_a_store_without_churn_dates_gets_a_plain_message(demo):
    from core.errors import InsufficientDataError

    cust = demo.customers.assign(churn_date=pd.NaT)
    inputs = inputs_from_frames(cust, demo.activity, demo.tickets, demo.feedback, demo.revenue)
    with pytest.raises(InsufficientDataError, match="No customer in the store has a churn date"):
        fit_churn(inputs)


def test_a_mix_judges_buyers_by_purchases_and_book_customers_by_churn_date():
    """Buyers-only customers are active and labelled from their purchases at the cutoff (a buyer lapsed at the
    cutoff who returns later is not scored); a book customer (MRR) keeps its churn date."""
    customers = pd.DataFrame({"customer_id": ["back", "lapser", "loyal", "book"],
                              "signup_date": pd.to_datetime(["2020-01-01"] * 4),
                              "churn_date": pd.to_datetime([None, None, None, "2021-08-01"])})
    buys = {"back": ["2020-01-01", "2021-02-01", "2021-09-01"], "lapser": ["2020-01-01", "2021-06-01"],
            "loyal": ["2020-01-01", "2021-06-01", "2021-07-20", "2021-09-05", "2021-10-25"]}
    purchases = pd.DataFrame([(c, pd.Timestamp(d)) for c, ds in buys.items() for d in ds],
                             columns=["customer_id", "date"])
    activity = purchases.assign(value=1.0)
    revenue = pd.DataFrame({"customer_id": ["book"], "period": pd.to_datetime(["2021-06-01"]), "mrr": [50.0],
                            "payment_failed": [None]})
    rule = lapse.rule_for(customers, purchases, revenue, "2021-12-31", lapse_days=60)
    inputs = inputs_from_frames(lapse.with_churn_dates(customers, rule), activity, revenue=revenue)
    inputs.lapse = rule
    d = temporal_features(inputs, "2021-06-30", horizon_days=90)
    got = dict(zip(d.customer_id, d.y))
    # "back": last purchase 2021-02-01, lapsed on 2021-04-02; its final-purchase churn date (2021-10-31) would have
    # kept it active and labelled it "stays"
    assert got == {"lapser": 1, "loyal": 0, "book": 1}
