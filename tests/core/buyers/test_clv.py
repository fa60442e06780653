"""Customer lifetime value (core/buyers/clv.py) against the published CDNOW figures (Fader, Hardie & Lee 2005:
BG/NBD r 0.243, alpha 4.414 weeks, a 0.793, b 2.426; Gamma-Gamma p 6.25, q 3.74, gamma 15.44), a hold-out test with
stated tolerances, the summary against lifetimes' own utilities, and the CLV sum against an independent one."""

import numpy as np
import pandas as pd
import pytest
from lifetimes.utils import summary_data_from_transaction_data
from scipy.special import hyp2f1

import core
from core.buyers import clv
from core.errors import DataValidationError, InsufficientDataError

SAMPLE = "cdnow/CDNOW_sample.txt"
CALIBRATION_END, HOLDOUT_END = "1997-09-30", "1998-06-30"
#: the hold-out tolerances: all buyers' predicted repeat purchase days within 15 % of those made (observed -12.1 %),
#: the mean per calibration frequency (0 to 7+) within 30 % (observed -2 % to -25 %, under-forecasting as the paper)
AGGREGATE_TOLERANCE, GROUP_TOLERANCE = 0.15, 0.30


@pytest.fixture(scope="module")
def sample(shared) -> pd.DataFrame:
    df = pd.read_csv(shared / SAMPLE, sep=r"\s+", header=None, dtype={"customer_id": str, "date": str},
                     names=["customer_id", "sample_id", "date", "cds", "amount"])
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
    assert (len(df), df["customer_id"].nunique()) == (6919, 2357)
    return df


@pytest.fixture(scope="module")
def check(sample) -> clv.HoldoutCheck:
    return clv.holdout_check(sample, CALIBRATION_END, HOLDOUT_END)


def test_the_published_parameters(check):
    p = check.fit.params
    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426, "p": 6.25, "q": 3.74, "gamma": 15.44}
    for name, value in published.items():
        assert p[name] == pytest.approx(value, rel=0.005), name
    assert len(check.fit.summary) == 2357 and int((check.fit.summary["frequency"] > 0).sum()) == 946


def test_the_hold_out_within_the_stated_tolerance(check, sample):
    cal = pd.Timestamp(CALIBRATION_END)
    later = sample[(sample["date"] > cal)].drop_duplicates(["customer_id", "date"])
    assert check.actual == len(later) == 1882  # purchase days in the hold-out, counted by pandas
    assert check.weeks == 39
    assert abs(check.error) <= AGGREGATE_TOLERANCE
    groups = check.by_frequency
    assert groups["frequency"].tolist() == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert groups["customers"].sum() == 2357
    assert (groups["error"].abs() <= GROUP_TOLERANCE).all(), groups
    # each group's actual mean, by pandas from the raw file
    first = sample[sample["date"] <= cal].drop_duplicates(["customer_id", "date"]).groupby("customer_id").size() - 1
    bought = later.groupby("customer_id").size().reindex(first.index, fill_value=0)
    want = bought.groupby(first.clip(upper=7)).mean().to_numpy()
    np.testing.assert_allclose(groups["actual"].to_numpy(), want)


def test_the_summary_equals_lifetimes_utilities(sample):
    mine = clv.rfm(sample, HOLDOUT_END)
    theirs = summary_data_from_transaction_data(sample, "customer_id", "date", monetary_value_col="amount",
                                                observation_period_end=HOLDOUT_END, freq="D")
    theirs = theirs.reindex(mine.index)
    np.testing.assert_allclose(mine["frequency"], theirs["frequency"])
    np.testing.assert_allclose(mine["recency"] * 7, theirs["recency"])
    np.testing.assert_allclose(mine["T"] * 7, theirs["T"])
    np.testing.assert_allclose(mine["monetary_value"], theirs["monetary_value"])


@pytest.fixture(scope="module")
def values(sample):
    return clv.buyer_values(sample, days=90, horizon_months=12, monthly_discount=0.01)


def test_each_buyer_is_valued(values):
    fit, table = values
    assert list(table.columns) == clv.VALUE_COLUMNS and len(table) == 2357
    assert table["customer_id"].is_unique and table["clv"].is_monotonic_decreasing
    assert table["p_alive"].between(0, 1).all() and (table["expected_purchases"] >= 0).all()
    once = table[table["frequency"] == 0]
    assert np.allclose(once["p_alive"], 1.0)  # BG/NBD: drop-out happens only after a repeat purchase
    p = fit.params  # a first-time buyer's next purchase is worth the population mean p gamma / (q - 1)
    np.testing.assert_allclose(once["expected_value_per_purchase"], p["p"] * p["gamma"] / (p["q"] - 1))


def test_clv_equals_an_independent_discounted_sum(values, sample):
    """CLV = sum over months m of value x (E[X(m months)] - E[X(m - 1 months)]) / (1 + d)^m, from the fitted
    BG/NBD's closed-form conditional expectation written out here (not lifetimes' CLV helper)."""
    fit, table = values
    p, s = fit.params, fit.summary
    r, alpha, a, b = p["r"], p["alpha"], p["a"], p["b"]
    x, tx, T = s["frequency"].to_numpy(), s["recency"].to_numpy(), s["T"].to_numpy()

    def expected(t):  # Fader, Hardie & Lee 2005, equation (10)
        hyp = hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
        first = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp)
        return first / (1 + (x > 0) * a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x))

    months = np.arange(1, 13) * clv.WEEKS_PER_MONTH
    sums = sum((expected(m) - expected(m - clv.WEEKS_PER_MONTH)) / 1.01 ** (i + 1) for i, m in enumerate(months))
    value = table.set_index("customer_id").loc[s.index, "expected_value_per_purchase"].to_numpy()
    got = table.set_index("customer_id").loc[s.index, "clv"].to_numpy()
    np.testing.assert_allclose(got, value * sums, rtol=1e-6)
    purchases = table.set_index("customer_id").loc[s.index, "expected_purchases"].to_numpy()
    np.testing.assert_allclose(purchases, expected(90 / 7), rtol=1e-6)


def test_more_months_and_less_discount_add_value(sample):
    fit = clv.fit_clv(clv.rfm(sample, HOLDOUT_END), HOLDOUT_END)
    base = clv.customer_values(fit, horizon_months=12, monthly_discount=0.01).set_index("customer_id")["clv"]
    longer = clv.customer_values(fit, horizon_months=24, monthly_discount=0.01).set_index("customer_id")["clv"]
    flat = clv.customer_values(fit, horizon_months=12, monthly_discount=0.0).set_index("customer_id")["clv"]
    assert (longer.loc[base.index] > base).all() and (flat.loc[base.index] > base).all()
    with pytest.raises(DataValidationError, match="whole numbers"):
        clv.customer_values(fit, days=0)


def test_too_little_data_says_so(sample):
    with pytest.raises(InsufficientDataError, match="purchases"):
        clv.buyer_values(sample.iloc[:0])
    few = sample[sample["customer_id"].isin(sample["customer_id"].unique()[:15])]
    with pytest.raises(InsufficientDataError, match="at least 20 buyers"):
        clv.buyer_values(few)
    with pytest.raises(DataValidationError, match="after the calibration"):
        clv.holdout_check(sample, HOLDOUT_END, CALIBRATION_END)


def test_the_store_s_transactions(engine, tmp_path):
    """A purchase log imported with the importer reads back as purchase days with the day's sales (returns left
    out), equal to a pandas sum of the file."""
    rows = pd.DataFrame({"customer_id": ["A", "A", "A", "B", "B", "C"],
                         "date": ["2024-01-05", "2024-01-05", "2024-02-01", "2024-01-07", "2024-03-01", "2024-02-02"],
                         "amount": [10.0, 5.0, 7.5, 20.0, -4.0, 3.0]})
    path = tmp_path / "orders.csv"
    rows.to_csv(path, index=False)
    core.commit_import(engine, core.prepare_import(engine, path.read_bytes(), path.name, "transactions"))
    got = clv.read_transactions(engine).sort_values(["customer_id", "date"]).reset_index(drop=True)
    want = rows[rows["amount"] > 0].assign(date=lambda d: pd.to_datetime(d["date"]))
    want = want.groupby(["customer_id", "date"], as_index=False)["amount"].sum()
    pd.testing.assert_frame_equal(got[["customer_id", "date", "amount"]], want, check_dtype=False)
