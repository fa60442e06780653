"""Health scores: rules give 0..100 points, weights add to 100 per stage, a missing measure is dropped and the
others re-weighted, contributions add up to the score, and the measures are read as of a day (nothing later)."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import DataValidationError
from core.health.score import (
    DEFAULT_WEIGHTS,
    MEASURES,
    STAGES,
    HealthConfig,
    band_of,
    contributions,
    default_config,
    measure_frame,
    points,
    score,
    stage_of,
)
from core.history.inputs import inputs_from_frames

KEYS = list(MEASURES)
#: the measures of a store without the lapse rule (purchase recency is listed only where buyers have one)
SHOWN = [k for k in KEYS if not MEASURES[k].only_with_data]
BASE = ["customer_id", "segment", "mrr", "tenure_days", "days_to_renewal"]


def frame_of(rows: list[dict]) -> pd.DataFrame:
    """A measure frame as :func:`measure_frame` returns it; measures not given are missing (NaN)."""
    recs = []
    for i, r in enumerate(rows):
        rec = {"customer_id": r.get("customer_id", f"c{i}"), "segment": r.get("segment", "SMB"),
               "mrr": r.get("mrr", 100.0), "tenure_days": r.get("tenure_days", 400.0),
               "days_to_renewal": r.get("days_to_renewal", 200.0)}
        for k, m in MEASURES.items():
            if m.column not in rec:
                rec[m.column] = float(r.get(k, np.nan))
        recs.append(rec)
    return pd.DataFrame(recs)


# ----------------------------------------------------------------------------------------------------------
# scores stay within 0..100 (property)


@st.composite
def weights_100(draw):
    """Non-negative integer weights for every measure adding to exactly 100."""
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=len(KEYS) - 1, max_size=len(KEYS) - 1)))
    bounds = [0, *cuts, 100]
    return {k: bounds[i + 1] - bounds[i] for i, k in enumerate(KEYS)}


_num = st.floats(-1000, 1000, allow_nan=False, allow_subnormal=False)


@st.composite
def rule(draw):
    if draw(st.booleans()):
        worst = draw(_num)
        best = draw(_num.filter(lambda b: b != worst))
        return {"kind": "linear", "worst": worst, "best": best}
    edges = sorted(draw(st.sets(_num, min_size=1, max_size=4)))
    pts = draw(st.lists(st.floats(0, 100), min_size=len(edges) + 1, max_size=len(edges) + 1))
    return {"kind": "tiers", "edges": edges, "points": pts}


@st.composite
def configs(draw):
    red = draw(st.floats(1, 97))
    amber = draw(st.floats(red + 1, 99))
    return HealthConfig(rules={k: draw(rule()) for k in KEYS}, weights={s: draw(weights_100()) for s in STAGES},
                        red_max=red, amber_max=amber, onboarding_days=draw(st.integers(0, 400)),
                        renewal_days=draw(st.integers(0, 365)), min_measures=draw(st.integers(1, 4))).validate()


@st.composite
def measure_frames(draw):
    n = draw(st.integers(1, 12))
    rows = []
    for _ in range(n):
        present = draw(st.sets(st.sampled_from(KEYS)))  # the rest are missing (NaN)
        r = {k: draw(st.one_of(_num, st.just(math.nan))) if k in present else math.nan for k in KEYS}
        r["tenure_days"] = float(draw(st.integers(0, 1500)))
        r["days_to_renewal"] = float(draw(st.integers(1, 366)))
        rows.append(r)
    return frame_of(rows)  # the renewal measure reads days_to_renewal, drawn above


@settings(max_examples=150, deadline=None)
@given(configs(), measure_frames())
def test_score_stays_within_0_100_and_contributions_add_up(config, frame):
    s = score(config, frame)
    assert len(s) == len(frame)
    stage = stage_of(frame["tenure_days"], frame["days_to_renewal"], config)
    for i in range(len(frame)):
        w = config.weights[stage[i]]
        avail = [k for k in KEYS if w[k] > 0 and not np.isnan(frame.at[i, MEASURES[k].column])]
        contrib = s.loc[i, [f"contrib:{k}" for k in KEYS]].to_numpy(float)
        assert s.at[i, "measures"] == len(avail)
        if len(avail) < config.min_measures:  # too few weighted measures (or none): no score, no band
            assert np.isnan(s.at[i, "score"]) and s.at[i, "band"] is None
            assert np.isnan(contrib).all()
            continue
        sc = s.at[i, "score"]
        assert 0 <= sc <= 100
        assert contrib.sum() == pytest.approx(sc, abs=1e-9)
        # the weighted mean of the available measures' points
        pts = {k: float(points(config.rules[k], [frame.at[i, MEASURES[k].column]])[0]) for k in avail}
        expected = sum(w[k] * pts[k] for k in avail) / sum(w[k] for k in avail)
        assert sc == pytest.approx(expected, abs=1e-9)
        assert s.at[i, "band"] == ("red" if sc <= config.red_max else "amber" if sc <= config.amber_max
                                   else "green")
        for k in KEYS:
            p = s.at[i, f"points:{k}"]
            assert np.isnan(p) == np.isnan(frame.at[i, MEASURES[k].column])
            assert np.isnan(p) or 0 <= p <= 100


# ----------------------------------------------------------------------------------------------------------
# validation


def _cfg(**changes) -> HealthConfig:
    cfg = default_config()
    for k, v in changes.items():
        setattr(cfg, k, v)
    return cfg


def _with_weights(stage: str, **w) -> HealthConfig:
    cfg = default_config()
    cfg.weights[stage].update(w)
    return cfg


def _with_rule(key: str, rule_: dict) -> HealthConfig:
    cfg = default_config()
    cfg.rules[key] = rule_
    return cfg


def test_default_weights_add_to_100_and_default_config_is_valid():
    for s in STAGES:
        assert sum(DEFAULT_WEIGHTS[s].values()) == 100
    assert default_config().validate().weights == DEFAULT_WEIGHTS


@pytest.mark.parametrize("cfg, match", [
    (_with_weights("adoption", usage=19), "The adoption weights add up to 99, not 100"),
    (_with_weights("renewal", usage=16), "The renewal weights add up to 101, not 100"),
    (_with_weights("onboarding", usage=35, breadth=-5), "negative"),
    (_with_weights("onboarding", usage=float("nan")), "negative or empty"),
    (_with_weights("adoption", bogus=0), "unknown measures: bogus"),
    (_cfg(weights={"onboarding": DEFAULT_WEIGHTS["onboarding"], "adoption": DEFAULT_WEIGHTS["adoption"]}),
     "one profile per stage"),
    (_cfg(red_max=75.0, amber_max=75.0), "red limit < amber limit"),
    (_cfg(red_max=80.0, amber_max=75.0), "red limit < amber limit"),
    (_cfg(red_max=0.0), "0 < red limit"),
    (_cfg(amber_max=100.0), "amber limit < 100"),
    (_cfg(onboarding_days=-1), "0 or more"),
    (_with_rule("tickets", {"kind": "tiers", "edges": [1, 1, 4], "points": [100, 80, 50, 20]}), "must increase"),
    (_with_rule("tickets", {"kind": "tiers", "edges": [2, 1, 4], "points": [100, 80, 50, 20]}), "must increase"),
    (_with_rule("tickets", {"kind": "tiers", "edges": [1, 2, 4], "points": [100, 80, 50, 120]}),
     "between 0 and 100"),
    (_with_rule("tickets", {"kind": "tiers", "edges": [1, 2, 4], "points": [100, -1, 50, 20]}),
     "between 0 and 100"),
    (_with_rule("tickets", {"kind": "tiers", "edges": [1, 2, 4], "points": [100, 80, 50]}),
     "one more points value than edges"),
    (_with_rule("tickets", {"kind": "tiers", "edges": [], "points": [100]}), "one more points value"),
    (_with_rule("csat", {"kind": "linear", "worst": 3, "best": 3}), "two different bounds"),
    (_with_rule("csat", {"kind": "linear", "worst": None, "best": 3}), "needs numbers"),
    (_with_rule("csat", {"kind": "curve"}), "must be 'linear' or 'tiers'"),
    (_with_rule("bogus", {"kind": "linear", "worst": 0, "best": 1}), "Unknown measure 'bogus'"),
])
def test_validate_says_what_to_fix(cfg, match):
    with pytest.raises(DataValidationError, match=match):
        cfg.validate()


def test_weights_must_add_up_to_100_in_every_stage():
    for stage in STAGES:
        for delta, total in ((-1, "99"), (1, "101")):
            cfg = default_config()
            key = next(k for k, v in cfg.weights[stage].items() if v >= 1)
            cfg.weights[stage][key] += delta
            with pytest.raises(DataValidationError, match=f"{stage} weights add up to {total}"):
                cfg.validate()


def test_a_missing_rule_is_refused():
    cfg = default_config()
    del cfg.rules["nps"]
    with pytest.raises(DataValidationError, match="No scoring rule for nps"):
        cfg.validate()


def test_config_round_trips_through_a_dict_and_json():
    cfg = default_config()
    cfg.weights["adoption"].update(usage=25, breadth=0)
    cfg.red_max, cfg.amber_max, cfg.onboarding_days = 40.0, 70.0, 60
    d = cfg.to_dict()
    again = HealthConfig.from_dict(json.loads(json.dumps(d)))
    assert again.to_dict() == d
    assert again == cfg
    # the dict is a copy: changing it does not change the configuration
    d["weights"]["adoption"]["usage"] = 0
    assert cfg.weights["adoption"]["usage"] == 25


@pytest.mark.parametrize("d", [{"rules": default_config().rules}, {"weights": DEFAULT_WEIGHTS}, {},
                               {"rules": default_config().rules, "weights": DEFAULT_WEIGHTS, "red_max": "high"}])
def test_from_dict_of_an_incomplete_dict_is_refused(d):
    with pytest.raises(DataValidationError, match="incomplete"):
        HealthConfig.from_dict(d)


def test_from_dict_validates():
    d = default_config().to_dict()
    d["weights"]["onboarding"]["usage"] = 31
    with pytest.raises(DataValidationError, match="add up to 101"):
        HealthConfig.from_dict(d)


def test_with_weights_returns_a_validated_copy():
    cfg = default_config()
    w = {s: dict.fromkeys(KEYS, 0) | {"usage": 100} for s in STAGES}
    other = cfg.with_weights(w)
    assert other.weights == w and cfg.weights == DEFAULT_WEIGHTS and other.rules == cfg.rules
    w["adoption"]["usage"] = 90
    with pytest.raises(DataValidationError, match="add up to 90"):
        cfg.with_weights(w)


# ----------------------------------------------------------------------------------------------------------
# points, stages, bands


def test_linear_points_both_directions_and_clipped():
    up = {"kind": "linear", "worst": 0, "best": 10}
    np.testing.assert_allclose(points(up, [-5, 0, 2.5, 7, 10, 15, np.nan]), [0, 0, 25, 70, 100, 100, np.nan])
    down = {"kind": "linear", "worst": 120, "best": 8}  # hours to resolve: fewer is better
    np.testing.assert_allclose(points(down, [500, 120, 64, 36, 8, 0, np.nan]), [0, 0, 50, 75, 100, 100, np.nan])
    neg = {"kind": "linear", "worst": -0.2, "best": 0.1}
    np.testing.assert_allclose(points(neg, [-1, -0.2, -0.05, 0.1, 3]), [0, 0, 50, 100, 100])


def test_tier_points_edges_fall_in_the_upper_tier():
    tickets = {"kind": "tiers", "edges": [1, 2, 4], "points": [100, 80, 50, 20]}
    np.testing.assert_array_equal(points(tickets, [0, 0.999, 1, 1.5, 2, 3.99, 4, 100, np.nan]),
                                  [100, 100, 80, 80, 50, 50, 20, 20, np.nan])
    trend = {"kind": "tiers", "edges": [-0.5, -0.2, 0.0], "points": [0, 40, 75, 100]}
    np.testing.assert_array_equal(points(trend, [-2, -0.5, -0.3, -0.2, -0.01, 0.0, 0.4]),
                                  [0, 40, 40, 75, 75, 100, 100])
    one = {"kind": "tiers", "edges": [7], "points": [0, 100]}
    np.testing.assert_array_equal(points(one, [6.99, 7, 10]), [0, 100, 100])


def test_stage_onboarding_beats_renewal_and_boundaries():
    cfg = default_config()  # onboarding 90 days, renewal window 90 days
    tenure = [10, 89, 90, 90, 90, 400, 0]
    renewal = [10, 300, 300, 90, 91, 0, 0]
    assert stage_of(tenure, renewal, cfg).tolist() == ["onboarding", "onboarding", "adoption", "renewal",
                                                       "adoption", "renewal", "onboarding"]
    cfg.onboarding_days, cfg.renewal_days = 30, 60
    assert stage_of([29, 30, 30], [100, 60, 61], cfg).tolist() == ["onboarding", "renewal", "adoption"]


def test_band_boundaries():
    cfg = default_config()
    assert band_of([0, 50, 50.01, 75, 75.01, 100], cfg).tolist() == ["red", "red", "amber", "amber", "green",
                                                                       "green"]
    assert band_of([np.nan], cfg).tolist() == [None]
    cfg.red_max, cfg.amber_max = 30, 60
    assert band_of([30, 30.5, 60, 61], cfg).tolist() == ["red", "amber", "amber", "green"]


# ----------------------------------------------------------------------------------------------------------
# a missing measure is dropped and the others re-weighted


def small_config() -> HealthConfig:
    cfg = default_config()
    cfg.rules.update(usage={"kind": "linear", "worst": 0.5, "best": 4.0},
                     csat={"kind": "linear", "worst": 1, "best": 5},
                     nps={"kind": "tiers", "edges": [7, 9], "points": [10, 60, 100]},
                     tickets={"kind": "tiers", "edges": [1, 2, 4], "points": [100, 80, 50, 20]})
    zero = dict.fromkeys(KEYS, 0)
    cfg.weights = {"adoption": zero | {"usage": 40, "nps": 30, "csat": 20, "tickets": 10},
                   "onboarding": zero | {"usage": 50, "breadth": 50},
                   "renewal": zero | {"usage": 10, "renewal": 90}}
    cfg.min_measures = 1  # re-weighting on its own here; the minimum has its own test
    return cfg.validate()


def test_a_customer_with_a_missing_measure_is_scored_on_the_rest():
    cfg = small_config()
    frame = frame_of([
        # all four weighted measures: usage 2.25 -> 50 points, nps 8 -> 60, csat 4 -> 75, tickets 2 -> 50
        {"customer_id": "all", "usage": 2.25, "nps": 8, "csat": 4, "tickets": 2, "breadth": 3},
        {"customer_id": "no_nps", "usage": 2.25, "csat": 4, "tickets": 2},
        {"customer_id": "only_tickets", "tickets": 0},
        {"customer_id": "none", "breadth": 20},  # only an unweighted measure: no score
        # onboarding profile: usage 4.0 -> 100, breadth 10 (5..25) -> 25
        {"customer_id": "new", "usage": 4.0, "breadth": 10, "nps": 0, "tenure_days": 30},
    ])
    s = score(cfg, frame).set_index("customer_id")
    assert s.at["all", "score"] == pytest.approx((40 * 50 + 30 * 60 + 20 * 75 + 10 * 50) / 100)  # 58
    assert s.at["no_nps", "score"] == pytest.approx((40 * 50 + 20 * 75 + 10 * 50) / (40 + 20 + 10))  # 57.14
    assert s.at["only_tickets", "score"] == pytest.approx(100.0)
    assert np.isnan(s.at["none", "score"]) and s.at["none", "band"] is None
    assert s.at["new", "stage"] == "onboarding"
    assert s.at["new", "score"] == pytest.approx((50 * 100 + 50 * 25) / 100)  # 62.5
    assert s["band"].tolist() == ["amber", "amber", "green", None, "amber"]
    assert np.isnan(s.at["no_nps", "points:nps"]) and s.at["no_nps", "contrib:nps"] == 0
    assert s.at["no_nps", "contrib:usage"] == pytest.approx(40 * 50 / 70)
    assert s.at["all", "contrib:breadth"] == 0  # available but weight 0 in adoption
    for cid in ("all", "no_nps", "only_tickets", "new"):
        assert s.loc[cid, [f"contrib:{k}" for k in KEYS]].sum() == pytest.approx(s.at[cid, "score"])
    assert list(s.reset_index().columns[:8]) == BASE + ["stage", "score", "band"]


def test_score_of_an_empty_frame_is_empty():
    s = score(default_config(), frame_of([{}]).iloc[:0])
    assert s.empty and "score" in s and "contrib:usage" in s


def test_contributions_of_one_customer():
    cfg = small_config()
    frame = frame_of([{"customer_id": "all", "usage": 2.25, "nps": 8, "csat": 4, "tickets": 2, "breadth": 3},
                      {"customer_id": "no_nps", "usage": 2.25, "csat": 4, "tickets": 2}])
    scored = score(cfg, frame)
    for cid, sc in (("all", 58.0), ("no_nps", 4000 / 70)):
        c = contributions(cfg, scored, cid)
        assert len(c) == len(SHOWN) and set(c["key"]) == set(SHOWN)
        assert c["contribution"].sum() == pytest.approx(sc)
        used = c[c["status"] == "used"]
        assert used["share"].sum() == pytest.approx(1.0)
        assert (c.loc[c["status"] != "used", "share"] == 0).all()
        np.testing.assert_allclose(used["contribution"], used["share"] * used["points"])
        assert c["lost"].sum() == pytest.approx(100 - sc)
        assert c["contribution"].is_monotonic_decreasing
    c = contributions(cfg, scored, "no_nps").set_index("key")
    assert c.at["nps", "status"] == "no data" and c.at["breadth", "status"] == "no data"
    assert c.at["usage", "share"] == pytest.approx(40 / 70)
    assert c.at["usage", "contribution"] == pytest.approx(2000 / 70)
    c = contributions(cfg, scored, "all").set_index("key")
    assert c.at["breadth", "status"] == "weight 0" and c.at["breadth", "contribution"] == 0
    assert c.at["nps", "share"] == pytest.approx(0.3) and c.at["nps", "lost"] == pytest.approx(0.3 * 40)
    with pytest.raises(DataValidationError, match="nobody"):
        contributions(cfg, scored, "nobody")


# ----------------------------------------------------------------------------------------------------------
# measure_frame: values as of a day, nothing later

DAY = pd.Timestamp("2025-06-15")


def _tiny_inputs(later: bool):
    """Three customers active on DAY (a, b, e) plus one churned before (c) and one not yet signed up (d);
    ``later`` adds rows dated after DAY that must change nothing."""
    customers = pd.DataFrame({
        "customer_id": ["a", "b", "c", "d", "e"],
        "segment": ["SMB", "Mid", "SMB", "Ent", "Ent"],
        "signup_date": ["2024-03-10", "2025-05-01", "2024-01-01", "2025-07-01", "2024-06-01"],
        "churn_date": [None, None, "2025-03-01", None, "2025-09-01" if later else None],
    })
    activity = pd.DataFrame({
        "customer_id": ["a", "a", "a", "a", "b"],
        "date": pd.to_datetime(["2025-03-01", "2025-05-16", "2025-06-01", "2025-06-15", "2025-06-10"]),
        "value": [15.0, 100.0, 30.0, 30.0, 3.0],
    })
    tickets = pd.DataFrame({
        "customer_id": ["a", "a"],
        "opened": pd.to_datetime(["2025-06-01 10:00", "2025-06-10 09:00"]),
        "resolved": pd.to_datetime(["2025-06-03 10:00", "2025-06-20 09:00"]),
    })
    feedback = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "b", "e", "e"],
        "date": pd.to_datetime(["2025-05-01", "2025-06-15", "2025-04-01", "2025-06-01", "2025-06-20",
                                "2025-01-01", "2025-02-01"]),
        "channel": ["ces", "ces", "nps", "csat", "ces", "CES", "ces"],
        "score": [3.0, 6.0, 9.0, 4.0, 7.0, 2.0, np.nan],
    })
    revenue = pd.DataFrame({
        "customer_id": ["a"] * 4 + ["b"] * 2,
        "period": pd.to_datetime(["2025-03-01", "2025-04-01", "2025-05-01", "2025-06-01", "2025-05-01",
                                  "2025-06-01"]),
        "mrr": [100.0, 100.0, 110.0, 120.0, 50.0, 50.0],
    })
    if later:
        activity = pd.concat([activity, pd.DataFrame({"customer_id": ["a", "b"], "date": pd.to_datetime(
            ["2025-06-16", "2025-07-01"]), "value": [999.0, 50.0]})], ignore_index=True)
        tickets = pd.concat([tickets, pd.DataFrame({"customer_id": ["a", "b"], "opened": pd.to_datetime(
            ["2025-06-16 08:00", "2025-06-30 08:00"]), "resolved": pd.to_datetime(["2025-06-16 09:00", None])})],
            ignore_index=True)
        feedback = pd.concat([feedback, pd.DataFrame({"customer_id": ["a", "a", "b"], "date": pd.to_datetime(
            ["2025-06-16", "2025-08-01", "2025-06-16"]), "channel": ["ces", "nps", "csat"],
            "score": [1.0, 0.0, 1.0]})], ignore_index=True)
        revenue = pd.concat([revenue, pd.DataFrame({"customer_id": ["a", "b"], "period": pd.to_datetime(
            ["2025-07-01", "2025-07-01"]), "mrr": [500.0, 5.0]})], ignore_index=True)
    return inputs_from_frames(customers, activity, tickets, feedback, revenue)


def test_measure_frame_reads_each_measure_as_of_the_day():
    f, missing = measure_frame(_tiny_inputs(later=True), DAY)
    assert f["customer_id"].tolist() == ["a", "b", "e"]  # c churned before, d signed up after
    assert missing == ["failed_payments"]
    assert list(f.columns[:5]) == BASE[:2] + ["tenure_days", "days_to_renewal", "mrr"]
    assert set(BASE) | {m.column for m in MEASURES.values()} == set(f.columns)
    f = f.set_index("customer_id")
    # CES: the latest answer on or before the day (a answered 3 on May 1 and 6 on the day itself, 1 the day
    # after); b only answered after the day; e's latest answer has no score, so the one before counts
    assert f.at["a", "ces_latest"] == 6.0
    assert np.isnan(f.at["b", "ces_latest"])
    assert f.at["e", "ces_latest"] == 2.0  # channel "CES" in capitals still counts
    assert f.at["a", "nps_latest"] == 9.0 and np.isnan(f.at["b", "nps_latest"])
    assert f.at["b", "csat_latest"] == 4.0
    assert f.at["a", "tenure_days"] == (DAY - pd.Timestamp("2024-03-10")).days
    assert f.at["b", "tenure_days"] == 45
    assert f.at["a", "days_to_renewal"] == (pd.Timestamp("2026-03-10") - DAY).days
    assert f.at["b", "days_to_renewal"] == (pd.Timestamp("2026-05-01") - DAY).days
    # usage: May 16 is 30 days before the day, outside the 30-day window (May 17 .. June 15)
    assert f.at["a", "usage_level_30d"] == pytest.approx(np.log1p(60 / 30))
    assert f.at["a", "active_days_30d"] == 2 and f.at["b", "active_days_30d"] == 1
    assert f.at["a", "usage_trend_90d"] == pytest.approx(np.log1p(2) - np.log1p(15 / 30))
    assert np.isnan(f.at["b", "usage_trend_90d"])  # younger than 120 days
    # tickets: the one resolved after the day is still open on the day
    assert f.at["a", "tickets_90d"] == 2 and f.at["a", "tickets_unresolved"] == 1
    assert f.at["a", "hours_to_resolve"] == pytest.approx(48.0)
    assert f.at["b", "tickets_90d"] == 0 and np.isnan(f.at["b", "hours_to_resolve"])
    assert f.at["a", "mrr"] == 120.0 and f.at["a", "mrr_change_3m"] == pytest.approx(0.2)
    assert np.isnan(f.at["b", "mrr_change_3m"]) and np.isnan(f.at["e", "mrr"])
    assert f["failed_payments_90d"].isna().all()


def test_measure_frame_ignores_everything_after_the_day():
    early, m1 = measure_frame(_tiny_inputs(later=False), DAY)
    full, m2 = measure_frame(_tiny_inputs(later=True), DAY)
    pd.testing.assert_frame_equal(early, full)
    assert m1 == m2 == ["failed_payments"]
    # the later rows do count from the next day on
    after = measure_frame(_tiny_inputs(later=True), DAY + pd.Timedelta(days=1))[0].set_index("customer_id")
    assert after.at["a", "ces_latest"] == 1.0 and after.at["b", "csat_latest"] == 1.0


def test_measure_frame_lists_every_measure_without_data():
    cust = pd.DataFrame({"customer_id": ["a", "b"], "signup_date": ["2024-01-01", "2024-06-01"],
                         "churn_date": [None, None]})
    f, missing = measure_frame(inputs_from_frames(cust), DAY)
    # only the renewal measure (from the signup date) is known without behaviour data: under the default
    # minimum of 3 measures nobody is scored; with a minimum of 1, the renewal points are the score
    assert missing == [k for k in SHOWN if k != "renewal"]
    s = score(default_config(), f)
    assert (s["stage"] == "adoption").all() and (s["measures"] == 1).all()
    assert s["score"].isna().all() and s["band"].isna().all()
    one = default_config()
    one.min_measures = 1
    np.testing.assert_allclose(score(one, f)["score"], points(one.rules["renewal"], f["days_to_renewal"]))


def test_a_customer_with_fewer_measures_than_the_minimum_gets_no_score_or_band():
    cfg = small_config()  # adoption weighs usage 40, nps 30, csat 20, tickets 10
    frame = frame_of([{"customer_id": "four", "usage": 2.25, "nps": 8, "csat": 4, "tickets": 2},
                      {"customer_id": "three", "usage": 2.25, "csat": 4, "tickets": 2},
                      {"customer_id": "two", "usage": 2.25, "tickets": 2, "breadth": 10},  # breadth weighs 0 here
                      {"customer_id": "none"}])
    counted = {"four": 4, "three": 3, "two": 2, "none": 0}
    for least, scored in ((1, {"four", "three", "two"}), (3, {"four", "three"}), (4, {"four"})):
        cfg.min_measures = least
        s = score(cfg, frame).set_index("customer_id")
        assert s["measures"].to_dict() == counted
        assert set(s.index[s["score"].notna()]) == scored == set(s.index[s["band"].notna()])
        for cid in set(counted) - scored:
            assert np.isnan(s.loc[cid, [f"contrib:{k}" for k in KEYS]].to_numpy(float)).all()
        # a scored customer's score does not depend on the minimum
        assert s.at["four", "score"] == pytest.approx(58.0)
    assert default_config().min_measures == 3


@pytest.mark.parametrize("least", [0, len(MEASURES) + 1])
def test_the_minimum_is_one_to_the_number_of_measures(least):
    cfg = default_config()
    cfg.min_measures = least
    with pytest.raises(DataValidationError, match=f"minimum number of measures per customer must be 1 to "
                                                  f"{len(MEASURES)}"):
        cfg.validate()
    d = default_config().to_dict()
    assert d["min_measures"] == 3
    d.pop("min_measures")  # a version saved before the minimum existed gets the default
    assert HealthConfig.from_dict(d).min_measures == 3


def test_failed_payments_count_flagged_periods_of_the_last_90_days():
    cust = pd.DataFrame({"customer_id": ["a", "b", "c"], "signup_date": ["2024-01-01"] * 3, "churn_date": [None] * 3})
    revenue = pd.DataFrame({
        "customer_id": ["a", "a", "a", "a", "a", "b", "b", "c"],
        # the 90 days up to DAY are March 18 .. June 15: March 17 is one day too early, July 1 after DAY
        "period": pd.to_datetime(["2025-03-17", "2025-03-18", "2025-05-01", "2025-06-01", "2025-07-01",
                                  "2025-05-01", "2025-06-01", "2025-06-01"]),
        "mrr": 100.0,
        "payment_failed": [True, True, True, False, True, False, False, None],
    })
    f, missing = measure_frame(inputs_from_frames(cust, revenue=revenue), DAY)
    assert "failed_payments" not in missing
    assert f.set_index("customer_id")["failed_payments_90d"].to_dict() == {"a": 2.0, "b": 0.0, "c": 0.0}
    tiers = points(default_config().rules["failed_payments"], f["failed_payments_90d"])
    assert tiers.tolist() == [0.0, 100.0, 100.0]  # edges 1, 2: two failures -> 0 points
    # without the flag the measure is missing, not zero
    f, missing = measure_frame(inputs_from_frames(cust, revenue=revenue.drop(columns="payment_failed")), DAY)
    assert "failed_payments" in missing and f["failed_payments_90d"].isna().all()


def test_an_empty_weight_or_a_nan_tier_edge_is_a_clear_error_not_a_crash():
    cfg = default_config()
    cfg.weights["adoption"]["usage"] = None
    with pytest.raises(DataValidationError, match="empty or non-numeric weight"):
        cfg.validate()
    d = default_config().to_dict()
    d["weights"]["renewal"]["nps"] = "ten"
    with pytest.raises(DataValidationError, match="renewal profile"):
        HealthConfig.from_dict(d)
    cfg = default_config()
    cfg.rules["tickets"] = {"kind": "tiers", "edges": [1, float("nan"), 4], "points": [100, 80, 50, 20]}
    with pytest.raises(DataValidationError, match="finite"):
        cfg.validate()


@pytest.mark.parametrize("field, value, message", [
    ("rules", [1, 2], "rules must map each measure"),
    ("rules", {"usage": 5}, "rules must map each measure"),
    ("weights", {"onboarding": [1], "adoption": {}, "renewal": {}}, "weights must map each stage"),
])
def test_a_configuration_of_the_wrong_shape_is_a_clear_error(field, value, message):
    d = default_config().to_dict()
    d[field] = value
    with pytest.raises(DataValidationError, match=message):
        HealthConfig.from_dict(d)
