"""Purchase recency (core/health/recency.py, core/health/score.py): buyers under the lapse rule (a purchase log) are
scored on the days since their last purchase, 100 points at 0 days down to 0 at the lapse period N, and have no
renewal (no days to renewal, no Renewal proximity, never the renewal stage); the default weights give purchase
recency the renewal weight (half of it in a mix); coverage says why Renewal proximity has no data instead of asking
to import signup dates; a configuration saved before the measure existed still loads."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from core.buyers.lapse import rule_for, with_churn_dates
from core.health.coverage import DATA_FOR, coverage
from core.health.score import (
    DEFAULT_WEIGHTS,
    MEASURES,
    STAGES,
    HealthConfig,
    contributions,
    default_config,
    measure_frame,
    score,
)
from core.history.inputs import inputs_from_frames

N = 120
DAY = pd.Timestamp("2024-06-30")
#: purchase days per buyer (one more after DAY, which must not count)
BUYS = {"b1": ["2024-01-05", "2024-06-20"], "b2": ["2024-02-01", "2024-03-03"], "b3": ["2024-01-10"],
        "b4": ["2024-01-03", "2024-06-30", "2024-07-15"], "b5": ["2024-05-01", "2024-05-01", "2024-05-31"]}


def _inputs(book: bool = False):
    """A purchase log (buyers b1..b5, churn by the lapse rule with N days) and, with ``book``, a contract customer
    without purchases (k1, whose renewal falls on its signup anniversary), as in a mix."""
    rows = [(c, pd.Timestamp(d), 1.0) for c, days in BUYS.items() for d in days]
    acts = pd.DataFrame(rows, columns=["customer_id", "date", "value"])
    ids = list(BUYS) + (["k1"] if book else [])
    first = acts.groupby("customer_id")["date"].min()
    cust = pd.DataFrame({"customer_id": ids, "segment": None, "plan": None, "region": None, "channel": None,
                         "signup_date": [first.get(c, pd.Timestamp("2023-09-01")) for c in ids],
                         "churn_date": pd.NaT, "attributes": None})
    rule = rule_for(cust, acts[["customer_id", "date"]], None, acts["date"].max(), lapse_days=N)
    base = inputs_from_frames(with_churn_dates(cust, rule), acts)
    return dataclasses.replace(base, lapse=rule)


def _by_hand(day: pd.Timestamp) -> pd.Series:
    """Days since each buyer's last purchase on or before ``day``, from the purchase lists above."""
    return pd.Series({c: float((day - max(pd.Timestamp(d) for d in days if pd.Timestamp(d) <= day)).days)
                      for c, days in BUYS.items() if any(pd.Timestamp(d) <= day for d in days)})


def test_recency_points_equal_a_hand_computation():
    inputs = _inputs()
    frame, missing = measure_frame(inputs, DAY)
    f = frame.set_index("customer_id")
    expected = _by_hand(DAY)  # b1 10, b2 119, b3 172, b4 0, b5 30 days
    assert expected.to_dict() == {"b1": 10.0, "b2": 119.0, "b3": 172.0, "b4": 0.0, "b5": 30.0}
    active = f.index  # b3 lapsed at its purchase + N (May 9): no longer scored (an active buyer: < N days)
    assert sorted(active) == ["b1", "b2", "b4", "b5"]
    assert f["days_since_purchase"].to_dict() == expected[active].to_dict()
    cfg = default_config(frame)
    assert cfg.rules["recency"] == {"kind": "linear", "worst": N, "best": 0}
    s = score(cfg, frame).set_index("customer_id")
    hand = (100 * (1 - expected[active] / N)).clip(0, 100)  # 0 days: 100 points; N days or more: 0
    assert s["points:recency"].to_dict() == pytest.approx(hand.to_dict(), abs=1e-9)
    assert s.at["b4", "points:recency"] == 100 and s.at["b2", "points:recency"] == pytest.approx(100 / 120)
    assert s.at["b1", "points:recency"] == pytest.approx(100 * (1 - 10 / 120))
    # no renewal for a buyer: no days to renewal, no Renewal proximity, never the renewal stage
    assert f["days_to_renewal"].isna().all() and "renewal" in missing and "recency" not in missing
    assert s["points:renewal"].isna().all() and not (s["stage"] == "renewal").any()


def test_the_default_weights_give_purchase_recency_the_renewal_weight():
    frame, _ = measure_frame(_inputs(), DAY)
    cfg = default_config(frame)
    for stage in STAGES:
        assert cfg.weights[stage]["recency"] == DEFAULT_WEIGHTS[stage]["renewal"]
        assert cfg.weights[stage]["renewal"] == 0
        assert sum(cfg.weights[stage].values()) == 100
    # a buyer's contributions list purchase recency as used, Renewal proximity without data
    cfg.min_measures = 1
    parts = contributions(cfg, score(cfg, frame), "b1").set_index("key")
    assert parts.at["recency", "status"] == "used" and parts.at["renewal", "status"] == "no data"


def test_in_a_mix_the_contract_customer_keeps_its_renewal_and_the_weight_is_shared():
    frame, missing = measure_frame(_inputs(book=True), DAY)
    f = frame.set_index("customer_id")
    assert f.at["k1", "days_to_renewal"] == (pd.Timestamp("2024-09-01") - DAY).days  # the signup anniversary
    assert np.isnan(f.at["k1", "days_since_purchase"]) and f.at["b1", "days_since_purchase"] == 10
    assert "renewal" not in missing and "recency" not in missing
    cfg = default_config(frame)
    for stage in STAGES:
        w = DEFAULT_WEIGHTS[stage]["renewal"]
        assert (cfg.weights[stage]["renewal"], cfg.weights[stage]["recency"]) == (w - w // 2, w // 2)


def test_coverage_says_why_renewal_has_no_data_on_a_purchase_log():
    inputs = _inputs()
    frame, _ = measure_frame(inputs, DAY)
    c = coverage(3, score(default_config(frame), frame))
    renewal = next(m for m in c.missing if m.startswith("Renewal proximity"))
    assert "buyers without a contract have no renewals" in renewal and "Purchase recency" in renewal
    assert DATA_FOR["renewal"] not in c.to_import  # importing signup dates would not add it
    assert c.measures == len(MEASURES) and "Purchase recency" not in c.missing


def test_without_the_lapse_rule_purchase_recency_is_not_a_measure_of_the_store():
    cust = pd.DataFrame({"customer_id": ["a"], "signup_date": ["2024-01-01"], "churn_date": [None]})
    frame, missing = measure_frame(inputs_from_frames(cust), DAY)
    assert frame["days_since_purchase"].isna().all() and "lapse_days" not in frame
    assert "recency" not in missing and frame["days_to_renewal"].notna().all()
    cfg = default_config(frame)
    assert cfg.to_dict() == default_config().to_dict()
    assert all(cfg.weights[s]["recency"] == 0 for s in STAGES)
    c = coverage(1, score(cfg, frame))
    assert c.measures == len(MEASURES) - 1 and not any("Purchase recency" in m for m in c.missing)


def test_a_configuration_saved_before_purchase_recency_still_loads():
    d = default_config().to_dict()
    d["rules"].pop("recency")
    for w in d["weights"].values():
        w.pop("recency")
    cfg = HealthConfig.from_dict(d)
    assert cfg.rules["recency"] == default_config().rules["recency"]
    assert all(cfg.weights[s].get("recency", 0) == 0 for s in STAGES)
    frame, _ = measure_frame(_inputs(), DAY)
    assert score(cfg, frame)["contrib:recency"].fillna(0).eq(0).all()  # weight 0: it changes no score
