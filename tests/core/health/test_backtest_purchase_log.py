"""Health back-test on a purchase log (churn = no purchase within N days, as the lapse rule gives CDNOW): a buyer
with no purchase now nor 90 days earlier has no usage trend (not a flat one worth full points), so lapsed buyers no
longer outscore young idle ones and the AUC (equal to sklearn's on the same rows) is above 0.5; customers without a
score are left out of the AUC, the bands and the suggested weights alike, with no numerical warning."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from core.health.backtest import backtest_data, evaluate, paired_auc, suggest_weights
from core.health.score import default_config, measure_frame, score
from core.history.inputs import inputs_from_frames

LAPSE = pd.Timedelta(days=210)
HORIZON = pd.Timedelta(days=90)
END = pd.Timestamp("2021-03-31")


def purchase_log(n: int = 600, seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Shaped like CDNOW: buyers whose first purchase falls in the first quarter of 2020, half of them buying once,
    the others every few weeks until a random day; churn date = last purchase + :data:`LAPSE` when that day has
    come (the lapse rule). A buyer churning within 90 days of a month end has been idle for 120 days at least, so
    is older than 120 days; many idle buyers who do not churn yet are younger. Counting no use in either window as
    a flat trend (full points) gave the first and not the second the trend's points: AUC 0.46 here."""
    rng = np.random.default_rng(seed)
    rows, customers = [], []
    for i in range(n):
        cid = f"C{i:04d}"
        day = pd.Timestamp("2020-01-01") + pd.Timedelta(days=int(rng.integers(0, 90)))
        first = day
        stop = day if rng.random() < 0.5 else day + pd.Timedelta(days=int(rng.integers(30, 700)))
        while day <= min(stop, END):
            rows.append((cid, day, float(rng.integers(1, 4))))
            day += pd.Timedelta(days=int(rng.exponential(35)) + 1)
        last = rows[-1][1]
        churn = last + LAPSE if last + LAPSE <= END else pd.NaT
        customers.append({"customer_id": cid, "segment": None, "plan": None, "region": None, "channel": None,
                          "signup_date": first, "churn_date": churn, "attributes": None})
    return pd.DataFrame(customers), pd.DataFrame(rows, columns=["customer_id", "date", "value"])


@pytest.fixture(scope="module")
def log():
    return purchase_log()


@pytest.fixture(scope="module")
def inputs(log):
    return inputs_from_frames(log[0], log[1])


@pytest.fixture(scope="module")
def data(inputs):
    return backtest_data(inputs, months=12)


@pytest.fixture(scope="module")
def config(inputs):
    return default_config(measure_frame(inputs, inputs.end())[0])


@pytest.fixture(scope="module")
def result(config, data):
    return evaluate(config, data)


def test_an_idle_buyer_has_no_usage_trend_and_an_active_one_has(log, inputs):
    customers, acts = log
    day = pd.Timestamp("2020-10-31")
    frame = measure_frame(inputs, day)[0].set_index("customer_id")
    d = acts["date"]
    now = acts[(d > day - pd.Timedelta(days=30)) & (d <= day)]["customer_id"].unique()
    before = acts[(d > day - pd.Timedelta(days=120)) & (d <= day - pd.Timedelta(days=90))]["customer_id"].unique()
    idle = frame.index.difference(pd.Index(now).union(pd.Index(before)))
    used = frame.index.intersection(pd.Index(now).union(pd.Index(before)))
    assert len(idle) > 20 and len(used) > 20
    assert frame.loc[idle, "usage_trend_90d"].isna().all()
    assert frame.loc[idle, "usage_level_30d"].eq(0).all()  # the level still says: no use
    assert frame.loc[used, "usage_trend_90d"].notna().all()  # everyone is older than 120 days by then


def test_auc_equals_sklearn_on_the_scored_rows_and_ranks_lapse_churn(result, config, data, log):
    churn = log[0].set_index("customer_id")["churn_date"]
    parts = []
    for c, f in data.frames:  # scores, and labels straight from the churn dates
        s = score(config, f)
        d = churn.reindex(s["customer_id"]).to_numpy()
        parts.append(pd.DataFrame({"cutoff": c, "customer_id": s["customer_id"], "score": s["score"],
                                   "churned": ((d > np.datetime64(c)) & (d <= np.datetime64(c + HORIZON)))
                                   .astype(int)}))
    rows = pd.concat(parts, ignore_index=True)
    rows = rows[rows["score"].notna()]
    assert len(rows) == len(result.rows) and rows["churned"].sum() == result.rows["churned"].sum()
    assert result.auc == pytest.approx(roc_auc_score(rows["churned"], -rows["score"]), abs=1e-12)
    assert result.auc > 0.7  # a low score means churn: lapsing buyers score low (0.46 with a flat trend of nothing)
    bands = result.bands.set_index("band")
    assert bands["churners"].sum() == rows["churned"].sum()  # the bands count the same rows as the AUC


def test_red_against_green_is_said_in_words_without_a_ratio(result):
    b = result.bands.set_index("band")
    if b.at["green", "churners"] == 0 and b.at["green", "customers"] > 0:
        assert np.isnan(result.red_green_ratio)
        assert result.red_green_text == "no green customer churned"
    else:
        assert result.red_green_text.endswith("x")


def test_red_green_text_when_green_has_no_churner(result):
    bands = result.bands.copy()
    bands.loc[bands["band"] == "green", ["customers", "churners", "churn_rate"]] = [10, 0, 0.0]
    r = type(result)(result.rows, result.auc, result.by_month, bands, result.band_months, float("nan"))
    assert r.red_green_text == "no green customer churned"
    bands.loc[bands["band"] == "green", ["customers", "churners", "churn_rate"]] = [0, 0, np.nan]
    r = type(result)(result.rows, result.auc, result.by_month, bands, result.band_months, float("nan"))
    assert r.red_green_text == "no customer in green"
    r = type(result)(result.rows, result.auc, result.by_month, result.bands, result.band_months, 2.5)
    assert r.red_green_text == "2.50x"


def test_suggested_weights_score_the_same_customers_without_a_warning(config, data):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow or a NaN in the fit was a RuntimeWarning
        s = suggest_weights(config, data)
    assert np.isfinite(s.auc_current) and np.isfinite(s.auc_suggested)
    current, suggested = evaluate(config, data, s.eval_cutoffs), evaluate(s.config, data, s.eval_cutoffs)
    keys = ["cutoff", "customer_id"]
    assert set(map(tuple, current.rows[keys].to_numpy())) <= set(map(tuple, suggested.rows[keys].to_numpy()))
    m = current.rows.merge(suggested.rows, on=keys, suffixes=("_a", "_b"))
    assert s.auc_current == pytest.approx(roc_auc_score(m["churned_a"], -m["score_a"]), abs=1e-12)
    assert s.auc_suggested == pytest.approx(roc_auc_score(m["churned_b"], -m["score_b"]), abs=1e-12)
    assert paired_auc(current, suggested) == (s.auc_current, s.auc_suggested)
    for stage, w in s.config.weights.items():  # every measure with data the current profile weighs keeps a point
        for k, v in config.weights[stage].items():
            if v > 0 and k not in data.missing:
                assert w[k] >= 1
