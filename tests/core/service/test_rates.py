"""Churn rates by band (core.service.rates) and the level tables (core.service.levels), each checked against an
independent computation written here:

* raw rates against the pandas mean of churn per band, their intervals against a cluster-robust sandwich covariance
  computed by hand with numpy (statsmodels' small-sample correction G/(G-1) * (N-1)/(N-K));
* adjusted rates and gaps against numpy.linalg.lstsq on a design matrix built by hand, standardised at the mean of
  the factor indicators, with intervals from a' V a of the same hand covariance;
* on a seeded data set where the segment drives both churn and speed, the planted within-segment gaps lie inside
  the adjusted intervals and outside the raw ones;
* the demo's resolution and first response tables against tickets, churn and MRR counted in pandas from the raw
  demo frames, their adjusted rates and their gaps against the first band with a rate against the hand fit on the
  judged tickets, and the emptied rates of bands too small or without churners.
"""

import numpy as np
import pandas as pd
import pytest

from core.service import inputs, levels, outcomes, rates
from core.service.outcomes import Judged

Z = 1.959963984540054
BANDS = ["fast", "medium", "slow"]
#: planted gap of each band over "fast", the same within every segment
PLANTED = {"fast": 0.0, "medium": 0.0, "slow": 0.05}
FACTORS = ("segment", "plan", "tenure")
LEVEL_COLUMN = {"resolution": "resolve_hours", "first_response": "first_response_hours"}


@pytest.fixture(scope="module")
def tickets():
    """About 4,500 tickets of 1,500 customers (1 to 5 each); enterprise customers churn less and get fast tickets
    more often; a customer's tickets share one uniform draw, so they churn together."""
    rng = np.random.default_rng(20240611)
    n_customers = 1500
    enterprise = rng.random(n_customers) < 0.3
    plan = rng.choice(["Basic", "Pro", "Team"], n_customers)
    draw = rng.random(n_customers)
    customer = np.repeat(np.arange(n_customers), rng.integers(1, 6, n_customers))
    ent = enterprise[customer]
    u = rng.random(len(customer))
    band = np.where(ent, np.where(u < 0.8, "fast", np.where(u < 0.95, "medium", "slow")),
                    np.where(u < 0.2, "fast", np.where(u < 0.5, "medium", "slow")))
    p = np.where(ent, 0.05, 0.35) + np.vectorize(PLANTED.get)(band)
    return pd.DataFrame({
        "customer_id": pd.Series(customer).map("C{:04d}".format), "churned": draw[customer] < p,
        "band": pd.Categorical(band, categories=BANDS, ordered=True),
        "segment": np.where(ent, "enterprise", "smb"), "plan": plan[customer],
        "tenure": rng.choice(["under 3 months", "3 to 12 months", "1 to 2 years"], len(customer))})


def design(frame, factors=(), bands=BANDS):
    """Band indicators (all bands, in order), then one indicator per factor value but the first in sorted order."""
    cols = [(frame["band"] == b).to_numpy(float) for b in bands]
    for f in factors:
        values = frame[f].astype(str)
        cols += [(values == v).to_numpy(float) for v in sorted(values.unique())[1:]]
    return np.column_stack(cols)


def sandwich(X, y, groups):
    """OLS coefficients and their covariance clustered by ``groups``, with statsmodels' default correction."""
    beta = np.linalg.lstsq(X, y, rcond=None)[0]
    bread = np.linalg.inv(X.T @ X)
    scores = pd.DataFrame(X * (y - X @ beta)[:, None]).groupby(np.asarray(groups)).sum().to_numpy()
    n, k = X.shape
    g = len(scores)
    return beta, g / (g - 1) * (n - 1) / (n - k) * bread @ (scores.T @ scores) @ bread


def combination(X, n_bands, i):
    """``a``: band ``i``'s indicator, the factor indicators at their means."""
    return np.r_[np.eye(n_bands)[i], X[:, n_bands:].mean(axis=0)]


def adjusted(X, beta, V, n_bands, i):
    """(rate, low, high) of band ``i`` standardised to the mean factor mix, interval clipped to 0..1."""
    a = combination(X, n_bands, i)
    est, se = a @ beta, np.sqrt(a @ V @ a)
    return est, max(est - Z * se, 0.0), min(est + Z * se, 1.0)


def cut(hours, edges, labels, missing):
    return pd.cut(hours, edges, right=False, labels=labels).astype(object).fillna(missing)


def fit(frame, factors=()):
    return rates.fit(frame["churned"], frame["band"], frame["customer_id"],
                     frame[list(factors)] if factors else None)


def test_raw_rates_are_band_means_with_clustered_intervals(tickets):
    got = fit(tickets)
    X, y = design(tickets), tickets["churned"].to_numpy(float)
    beta, V = sandwich(X, y, tickets["customer_id"])
    means = tickets.groupby("band", observed=True)["churned"].mean()
    assert got.bands == BANDS
    for i, b in enumerate(BANDS):
        rate, low, high = got.rate(b)
        se = np.sqrt(V[i, i])
        assert rate == pytest.approx(means[b], abs=1e-12)
        assert beta[i] == pytest.approx(means[b], abs=1e-12)
        assert (low, high) == pytest.approx((max(means[b] - Z * se, 0.0), min(means[b] + Z * se, 1.0)), abs=1e-12)
    # the clustering matters here: the customer-level interval is wider than the one ignoring customers
    e = y - X @ beta
    naive = np.linalg.inv(X.T @ X) * (e @ e) / (len(y) - X.shape[1])
    assert V[2, 2] > 1.5 * naive[2, 2]


def test_interval_is_clipped_to_zero_and_one():
    frame = pd.DataFrame({"customer_id": [f"C{i // 2}" for i in range(40)],
                          "churned": [i == 0 for i in range(20)] + [i != 0 for i in range(20)],
                          "band": pd.Categorical(["fast"] * 20 + ["slow"] * 20, categories=BANDS[::2])})
    got = rates.fit(frame["churned"], frame["band"], frame["customer_id"])
    assert got.rate("fast")[0] == pytest.approx(0.05, abs=1e-12) and got.rate("fast")[1] == 0.0
    assert got.rate("slow")[0] == pytest.approx(0.95, abs=1e-12) and got.rate("slow")[2] == 1.0


def test_adjusted_rates_and_gaps_match_hand_fit(tickets):
    got = fit(tickets, FACTORS)
    X = design(tickets, FACTORS)
    beta, V = sandwich(X, tickets["churned"].to_numpy(float), tickets["customer_id"])
    assert X.shape[1] == 3 + 1 + 2 + 2
    np.testing.assert_allclose(got.params, beta, rtol=0, atol=1e-12)
    mean_z = X[:, 3:].mean(axis=0)
    for i, b in enumerate(BANDS):
        expected = adjusted(X, beta, V, 3, i)
        assert expected[0] == pytest.approx(beta[i] + mean_z @ beta[3:], abs=1e-12)
        assert got.rate(b) == pytest.approx(expected, abs=1e-12)
    for b, ref in (("slow", "fast"), ("fast", "slow"), ("medium", "fast")):
        d = combination(X, 3, BANDS.index(b)) - combination(X, 3, BANDS.index(ref))
        est, se = d @ beta, np.sqrt(d @ V @ d)
        assert got.gap(b, ref) == pytest.approx((est, est - Z * se, est + Z * se), abs=1e-12)
    assert got.gap("fast", "slow")[1] < 0  # a gap's interval is not clipped at 0


def test_adjustment_recovers_planted_gaps(tickets):
    raw, adj = fit(tickets), fit(tickets, FACTORS)
    for b in ("medium", "slow"):
        true = PLANTED[b] - PLANTED["fast"]
        gap, low, high = adj.gap(b, "fast")
        assert low < true < high and abs(gap - true) < 0.03
        raw_gap, raw_low, raw_high = raw.gap(b, "fast")
        assert raw_low > true + 0.05 and raw_gap > 0.1


def expected_table(demo, inp, edges, labels, column, missing):
    """A level table's counts, churn and MRR computed from the raw demo frames."""
    t = demo.tickets.merge(demo.customers[["customer_id", "churn_date"]], on="customer_id")
    day, horizon = t["opened"].dt.normalize(), pd.Timedelta(days=90)
    t = t[(t["churn_date"].isna() | (t["churn_date"] >= day)) & (day + horizon <= inp.end)]
    day = day[t.index]
    hours = (t[column] - t["opened"]).dt.total_seconds() / 3600
    band = cut(hours, edges, labels, missing)
    rev = demo.revenue.assign(month=demo.revenue["period"].dt.to_period("M"))
    mrr = rev.groupby(["customer_id", "month"])["mrr"].sum()
    t = t.assign(band=pd.Categorical(band, categories=[*labels, missing], ordered=True),
                 churned=t["churn_date"].notna() & (t["churn_date"] <= day + horizon),
                 month=t["opened"].dt.to_period("M"))
    t = t.merge(mrr.rename("mrr").reset_index(), on=["customer_id", "month"], how="left").fillna({"mrr": 0.0})
    t["lost"] = t["mrr"] * t["churned"]
    g = t.groupby("band", observed=True)
    out = pd.DataFrame({"tickets": g.size(), "customers": g["customer_id"].nunique(),
                        "churned": g["churned"].sum(), "churn_rate": g["churned"].mean(),
                        "mrr_at_stake": g["mrr"].sum(), "lost": g["lost"].sum()})
    out["mrr_kept"] = 1 - out["lost"] / out["mrr_at_stake"]
    out.index = out.index.astype(str)
    return out


@pytest.mark.parametrize("key, column, edges, labels, missing", [
    ("resolution", "resolved", [0, 24, 72, 168, np.inf], ["under 1 day", "1 to 3 days", "3 to 7 days",
                                                          "7 days or more"], "not resolved"),
    ("first_response", "first_response", [0, 1, 4, 24, np.inf], ["under 1 h", "1 to 4 h", "4 to 24 h",
                                                                 "24 h or more"], "no response")])
def test_demo_level_table_matches_raw_frames(demo, key, column, edges, labels, missing):
    inp = inputs.from_frames(demo.tickets, demo.customers, demo.revenue)
    judged = outcomes.judge(inp, 90)
    got = levels.level_table(judged, key).set_index("band")
    want = expected_table(demo, inp, edges, labels, column, missing)
    assert list(got.index) == list(want.index)
    assert got["tickets"].sum() > 20000
    for col in ("tickets", "customers", "churned"):
        assert got[col].tolist() == want[col].tolist(), col
    for col in ("mrr_at_stake", "mrr_kept"):
        np.testing.assert_allclose(got[col], want[col], rtol=1e-12, err_msg=col)
    unclear = (want["tickets"] < levels.MIN_TICKETS) | (want["churned"] == 0)
    np.testing.assert_allclose(got["churn_rate"], want["churn_rate"].mask(unclear), rtol=0, atol=1e-12)
    assert got.loc[unclear, levels.RATES].isna().all().all()
    assert got.loc[~unclear, levels.COLUMNS[4:10]].notna().all().all()
    ref = want.index[~unclear][0]
    assert levels.reference(got.reset_index()) == ref == want.index[0]
    assert got.loc[ref, ["gap", "gap_low", "gap_high"]].isna().all()
    assert got.loc[~unclear & (want.index != ref), ["gap", "gap_low", "gap_high"]].notna().all().all()
    if key == "first_response":
        assert unclear.any()  # "24 h or more": 10 tickets, none churned
    # adjusted rates: the hand fit on the judged tickets, banded here
    f = judged.frame.assign(band=cut(judged.frame[LEVEL_COLUMN[key]], edges, labels, missing))
    X = design(f, FACTORS, list(want.index))
    beta, V = sandwich(X, f["churned"].to_numpy(float), f["customer_id"])
    for i, b in enumerate(want.index):
        if not unclear[b]:
            row = tuple(got.loc[b, ["adjusted_rate", "adjusted_low", "adjusted_high"]])
            assert row == pytest.approx(adjusted(X, beta, V, len(want), i), abs=1e-12)
        if not unclear[b] and b != ref:  # the gap: this band's combination minus the reference band's
            d = combination(X, len(want), i) - combination(X, len(want), 0)
            est, se = d @ beta, np.sqrt(d @ V @ d)
            gap = tuple(got.loc[b, ["gap", "gap_low", "gap_high"]])
            assert gap == pytest.approx((est, est - Z * se, est + Z * se), abs=1e-12)


def test_small_or_churnless_bands_have_no_rates(tickets):
    frame = tickets.assign(mrr=100.0, resolve_hours=np.select(
        [tickets["band"] == "fast", tickets["band"] == "medium"], [2.0, 30.0], 100.0))
    frame.loc[frame["band"] == "medium", "churned"] = False
    slow = frame.index[frame["band"] == "slow"]
    frame.loc[slow[:20], "resolve_hours"] = 500.0
    frame.loc[slow[0], "churned"] = True
    table = levels.level_table(Judged(frame, 90, len(frame), 0, 0, 0, pd.Timestamp("2024-12-31")), "resolution")
    table = table.set_index("band")
    assert table.loc["7 days or more", "tickets"] == 20 and table.loc["7 days or more", "churned"] >= 1
    assert table.loc["1 to 3 days", "tickets"] >= levels.MIN_TICKETS and table.loc["1 to 3 days", "churned"] == 0
    rates_ = table[levels.RATES]
    assert rates_.loc[["1 to 3 days", "7 days or more"]].isna().all().all()
    assert rates_.loc[["under 1 day", "3 to 7 days"], levels.COLUMNS[4:10]].notna().all().all()
    assert rates_.loc["3 to 7 days", ["gap", "gap_low", "gap_high"]].notna().all()
    assert table.loc["1 to 3 days", "mrr_kept"] == 1.0


def test_gaps_are_taken_against_the_first_band_with_a_rate(tickets):
    fast = tickets.index[tickets["band"] == "fast"]
    hours = np.select([tickets["band"] == "fast", tickets["band"] == "medium"], [30.0, 100.0], 500.0)
    frame = tickets.assign(mrr=100.0, resolve_hours=hours)
    frame.loc[fast[:10], "resolve_hours"] = 2.0  # "under 1 day": 10 tickets, too few for a rate
    table = levels.level_table(Judged(frame, 90, len(frame), 0, 0, 0, pd.Timestamp("2024-12-31")), "resolution")
    table = table.set_index("band")
    assert levels.reference(table.reset_index()) == "1 to 3 days"
    assert table.loc[["under 1 day", "1 to 3 days"], ["gap", "gap_low", "gap_high"]].isna().all().all()
    band = levels.banded(frame, levels.LEVELS["resolution"])
    want = rates.fit(frame["churned"], band, frame["customer_id"], frame[list(FACTORS)])
    for b in ("3 to 7 days", "7 days or more"):
        assert tuple(table.loc[b, ["gap", "gap_low", "gap_high"]]) == pytest.approx(want.gap(b, "1 to 3 days"),
                                                                                   abs=1e-12)
    low, high = table.loc["7 days or more", ["gap_low", "gap_high"]]
    assert low < PLANTED["slow"] - PLANTED["fast"] < high  # the planted gap, the segments held alike
