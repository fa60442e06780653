"""Back-test of the health score: labels, AUC and band churn rates equal direct computations, cutoffs respect
the horizon, suggested weights are fitted on earlier months only, and on the demo they beat the defaults."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from core.errors import DataValidationError, InsufficientDataError
from core.health.backtest import BacktestData, backtest_cutoffs, backtest_data, evaluate, suggest_weights
from core.health.score import MEASURES, STAGES, default_config, measure_frame, score
from core.history.inputs import inputs_from_frames

HORIZON = pd.Timedelta(days=90)


@pytest.fixture(scope="module")
def config(inputs):
    return default_config(measure_frame(inputs, inputs.end())[0])


@pytest.fixture(scope="module")
def data(inputs):
    return backtest_data(inputs, months=12)


@pytest.fixture(scope="module")
def result(config, data):
    return evaluate(config, data)


@pytest.fixture(scope="module")
def suggestion(config, data):
    return suggest_weights(config, data)


@pytest.fixture(scope="module")
def pooled(demo, inputs, config, data):
    """Scores and labels computed directly: measure_frame + score at each cutoff, label from churn dates."""
    churn = demo.customers.set_index("customer_id")["churn_date"]
    parts = []
    for c in data.cutoffs:
        s = score(config, measure_frame(inputs, c)[0])
        d = churn.reindex(s["customer_id"]).to_numpy()
        churned = ((d > np.datetime64(c)) & (d <= np.datetime64(c + HORIZON))).astype(int)
        parts.append(pd.DataFrame({"cutoff": c, "customer_id": s["customer_id"], "score": s["score"],
                                   "churned": churned}))
    out = pd.concat(parts, ignore_index=True)
    return out[out["score"].notna()].reset_index(drop=True)


def _band(s: pd.Series) -> pd.Series:
    return pd.Series(np.where(s <= 50, "red", np.where(s <= 75, "amber", "green")), index=s.index)


# ----------------------------------------------------------------------------------------------------------
# cutoffs and labels


def test_cutoffs_are_the_last_month_ends_whose_horizon_has_passed():
    end, start = pd.Timestamp("2026-10-31"), pd.Timestamp("2024-03-15")
    cuts = backtest_cutoffs(end, start, 12, 90)
    assert cuts == list(pd.date_range("2025-08-31", "2026-07-31", freq="ME"))
    assert all(c.is_month_end for c in cuts) and cuts == sorted(cuts)
    assert all(c + HORIZON <= end for c in cuts)
    assert cuts[-1] + pd.offsets.MonthEnd(1) + HORIZON > end  # the next month end's horizon has not passed
    # a month end exactly one horizon before the end counts
    assert backtest_cutoffs(pd.Timestamp("2026-10-29"), start, 1, 90) == [pd.Timestamp("2026-07-31")]
    assert backtest_cutoffs(pd.Timestamp("2026-10-28"), start, 1, 90) == [pd.Timestamp("2026-06-30")]
    # a longer horizon moves the cutoffs back; few months of data give fewer cutoffs than asked
    assert backtest_cutoffs(end, start, 2, 180) == [pd.Timestamp("2026-03-31"), pd.Timestamp("2026-04-30")]
    short = backtest_cutoffs(end, pd.Timestamp("2026-04-10"), 12, 90)
    assert short == [pd.Timestamp("2026-04-30"), pd.Timestamp("2026-05-31"), pd.Timestamp("2026-06-30"),
                     pd.Timestamp("2026-07-31")]
    assert backtest_cutoffs(end, start, 0, 90) == []
    assert backtest_cutoffs(end, pd.Timestamp("2026-09-01"), 12, 90) == []


def test_backtest_data_uses_the_last_12_cutoffs(inputs, data):
    assert data.cutoffs == backtest_cutoffs(inputs.end(), inputs.customers["signup_date"].min() + pd.Timedelta(
        days=120), 12, 90)
    assert len(data.cutoffs) == 12 and data.horizon_days == 90
    assert all(c + HORIZON <= inputs.end() for c in data.cutoffs)
    # the demo has every measure (failed payments come from the revenue rows' payment_failed flag)
    assert data.missing == measure_frame(inputs, data.cutoffs[-1])[1] == []


def test_labels_equal_a_direct_computation(demo, data):
    c, f = data.frames[4]
    cust = demo.customers
    active = cust[(cust["signup_date"] <= c) & (cust["churn_date"].isna() | (cust["churn_date"] > c))]
    assert sorted(f["customer_id"]) == sorted(active["customer_id"])
    expected = active.set_index("customer_id")["churn_date"].pipe(lambda d: (d > c) & (d <= c + HORIZON))
    got = f.set_index("customer_id")["churned"]
    pd.testing.assert_series_equal(got.sort_index(), expected.astype(int).sort_index(), check_names=False,
                                   check_dtype=False)
    assert 0 < got.sum() < len(got) / 5
    # and the frame is the measure frame of that day
    for _, frame in data.frames:
        assert set(frame["churned"].unique()) <= {0, 1}


# ----------------------------------------------------------------------------------------------------------
# AUC and bands


def test_auc_equals_sklearn_on_the_pooled_scores(result, pooled):
    assert result.auc == pytest.approx(roc_auc_score(pooled["churned"], -pooled["score"]), abs=1e-12)
    assert len(result.rows) == len(pooled)
    assert 0.6 < result.auc < 0.8


def test_auc_per_month_equals_sklearn(result, pooled, data):
    bm = result.by_month.set_index("cutoff")
    assert list(bm.index) == data.cutoffs
    for c, g in pooled.groupby("cutoff"):
        assert bm.at[c, "auc"] == pytest.approx(roc_auc_score(g["churned"], -g["score"]), abs=1e-12)
        assert bm.at[c, "customers"] == len(g) and bm.at[c, "churners"] == g["churned"].sum()
        assert bm.at[c, "churn_rate"] == pytest.approx(g["churned"].mean())


def test_band_churn_rates_equal_a_direct_groupby(result, pooled):
    g = pooled.assign(band=_band(pooled["score"])).groupby("band")["churned"]
    rate, size = g.mean(), g.size()
    bands = result.bands.set_index("band")
    assert list(bands.index) == ["red", "amber", "green"]
    for b in ("red", "amber", "green"):
        assert bands.at[b, "customers"] == size[b]
        assert bands.at[b, "churners"] == g.sum()[b]
        assert bands.at[b, "churn_rate"] == pytest.approx(rate[b])
        assert bands.at[b, "share"] == pytest.approx(size[b] / len(pooled))
        assert bands.at[b, "lift"] == pytest.approx(rate[b] / pooled["churned"].mean())
        assert 0 < bands.at[b, "predicted"] < 1
    assert result.red_green_ratio == pytest.approx(rate["red"] / rate["green"])
    assert rate["red"] > rate["amber"] > rate["green"]
    # month by month too
    bm = result.band_months.set_index(["cutoff", "band"])
    direct = pooled.assign(band=_band(pooled["score"])).groupby(["cutoff", "band"])["churned"].mean()
    pd.testing.assert_series_equal(bm["churn_rate"].sort_index(), direct.sort_index(), check_names=False)


def test_evaluate_on_chosen_months(config, data, pooled):
    last = data.cutoffs[-3:]
    r = evaluate(config, data, last)
    sub = pooled[pooled["cutoff"].isin(last)]
    assert r.auc == pytest.approx(roc_auc_score(sub["churned"], -sub["score"]), abs=1e-12)
    assert sorted(r.rows["cutoff"].unique()) == last
    with pytest.raises(DataValidationError, match="pick at least one"):
        evaluate(config, data, [pd.Timestamp("2001-01-31")])


# ----------------------------------------------------------------------------------------------------------
# suggested weights


def test_suggested_weights_are_whole_shares_of_100(suggestion, config, data):
    w = suggestion.config.weights
    assert set(w) == set(STAGES)
    for s in STAGES:
        assert set(w[s]) == set(MEASURES)
        assert all(isinstance(v, int) and v >= 0 for v in w[s].values())
        assert sum(w[s].values()) == 100
        for k in data.missing:
            assert w[s][k] == 0
    assert suggestion.config.rules == config.rules and suggestion.config.red_max == config.red_max
    t = suggestion.weights
    assert len(t) == len(STAGES) * (len(MEASURES) - 1)  # every measure but purchase recency (no lapse rule)
    for row in t.itertuples():
        assert row.suggested == w[row.stage][row.key]
        assert row.current == config.weights[row.stage][row.key]


def test_suggestion_is_fitted_on_earlier_months_and_judged_on_later_ones(suggestion, config, data):
    assert suggestion.train_cutoffs + suggestion.eval_cutoffs == data.cutoffs
    assert len(suggestion.eval_cutoffs) == 3
    assert max(suggestion.train_cutoffs) < min(suggestion.eval_cutoffs)
    assert suggestion.auc_current == pytest.approx(evaluate(config, data, suggestion.eval_cutoffs).auc, abs=1e-12)
    assert suggestion.auc_suggested == pytest.approx(evaluate(suggestion.config, data,
                                                              suggestion.eval_cutoffs).auc, abs=1e-12)


def test_the_evaluation_months_do_not_change_the_suggestion(suggestion, config, data):
    """The fit sees only the training months: scrambling the labels of the evaluation months changes nothing."""
    frames = [(c, f.assign(churned=1 - f["churned"]) if i >= 9 else f) for i, (c, f) in enumerate(data.frames)]
    a = suggestion
    b = suggest_weights(config, BacktestData(frames, data.horizon_days, data.missing), eval_months=3)
    assert a.config.weights == b.config.weights
    assert a.auc_current != b.auc_current  # but they are judged on them


def test_measures_without_data_get_no_weight(suggestion, config, data):
    """A measure the store lacks (here usage and NPS declared missing) keeps weight 0 in every profile."""
    s = suggest_weights(config, BacktestData(data.frames, data.horizon_days, [*data.missing, "nps", "usage"]),
                        eval_months=3)
    for stage in STAGES:
        assert s.config.weights[stage]["nps"] == s.config.weights[stage]["usage"] == 0
        assert sum(s.config.weights[stage].values()) == 100
    # with their data, usage and NPS (true drivers of the demo's churn) do get weight
    assert all(suggestion.config.weights[stage]["usage"] > 0 for stage in STAGES)
    assert any(suggestion.config.weights[stage]["nps"] > 0 for stage in STAGES)


def test_suggesting_needs_more_months_than_evaluated(config, data):
    short = BacktestData(data.frames[-3:], data.horizon_days, data.missing)
    with pytest.raises(InsufficientDataError, match="more than 3 back-test months"):
        suggest_weights(config, short, eval_months=3)


# ----------------------------------------------------------------------------------------------------------
# acceptance on the demo


def test_demo_suggested_weights_beat_the_defaults(suggestion):
    assert suggestion.auc_suggested > suggestion.auc_current
    assert suggestion.auc_current > 0.6


def test_demo_red_churns_at_least_three_times_as_often_as_green(result):
    assert result.red_green_ratio >= 3


# ----------------------------------------------------------------------------------------------------------
# error paths


def test_no_churn_dates_is_insufficient(demo):
    cust = demo.customers.assign(churn_date=pd.NaT)
    inputs = inputs_from_frames(cust, demo.activity, demo.tickets, demo.feedback, demo.revenue)
    with pytest.raises(InsufficientDataError, match="needs churn dates"):
        backtest_data(inputs, months=12)


def _small(signups, churns, end):
    cust = pd.DataFrame({"customer_id": [f"c{i}" for i in range(len(signups))], "signup_date": signups,
                         "churn_date": churns})
    revenue = pd.DataFrame({"customer_id": ["c0"], "period": [end], "mrr": [10.0]})
    return inputs_from_frames(cust, revenue=revenue)


def test_data_too_short_is_insufficient():
    # signups from 2026-01-01, data to 2026-06-30: the first possible cutoff (May 31) needs data to Aug 29
    inputs = _small(["2026-01-01", "2026-02-01"], [None, "2026-05-01"], "2026-06-01")
    with pytest.raises(InsufficientDataError, match="too short"):
        backtest_data(inputs, months=12)


def test_no_churner_within_any_horizon_is_insufficient():
    # the only churn is long before every cutoff
    inputs = _small(["2024-01-01", "2024-01-01", "2024-02-01"], [None, "2024-03-01", None], "2026-06-01")
    with pytest.raises(InsufficientDataError, match="No customer churned within the horizon"):
        backtest_data(inputs, months=6)


def test_no_signup_dates_is_insufficient():
    inputs = _small([None, None], [None, "2026-05-01"], "2026-06-01")
    with pytest.raises(InsufficientDataError, match="signup dates"):
        backtest_data(inputs)


def test_progress_is_reported_per_month():
    inputs = _small(["2024-01-01", "2024-01-01", "2024-02-01"], [None, "2026-02-15", None], "2026-06-01")
    seen = []
    data = backtest_data(inputs, months=3, progress=lambda p, text: seen.append((p, text)))
    assert data.cutoffs == [pd.Timestamp("2026-01-31"), pd.Timestamp("2026-02-28"), pd.Timestamp("2026-03-31")]
    assert [p for p, _ in seen] == pytest.approx([0, 1 / 3, 2 / 3]) and seen[0][1].startswith("Scoring Jan 2026")
    assert [int(f["churned"].sum()) for _, f in data.frames] == [1, 0, 0]
