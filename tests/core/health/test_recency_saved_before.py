"""A health configuration saved before Purchase recency existed (no weight for it in any stage) on a purchase-log
store (core/health/store.py, core/health/recency.py): loading it for the store's measures gives Purchase recency its
default weight (each stage's renewal weight, half of it in a mix) and the default's rule (worst at the lapse period
N), keeps each stage's sum at 100, and so changes the scores; the page's note is driven by ``saved_before_recency``.
A configuration saved later (its recency weight 0 by choice) and a store without the lapse rule keep it as saved."""

import datetime as dt

import pandas as pd
import pytest
from sqlmodel import Session

import core
from core.health import store as hs
from core.health.recency import predates_recency
from core.health.score import STAGES, HealthConfig, default_config, measure_frame, score
from core.history.inputs import inputs_from_frames
from core.store.tables import HealthConfigVersion
from tests.core.health.test_recency import DAY, N, _inputs


def _old(weights_from: HealthConfig | None = None) -> dict:
    """A configuration as saved before Purchase recency existed: no rule and no weight for it; renewal weights
    edited to 10 in every stage (the default's are 0, 5 and more) to tell a moved weight from the default's."""
    d = (weights_from or default_config()).to_dict()
    d["rules"].pop("recency")
    for w in d["weights"].values():
        w.pop("recency")
        extra = 10 - w["renewal"]
        w["renewal"] += extra
        w["usage"] -= extra  # keep the sum at 100
    return d


@pytest.fixture(scope="module")
def log_frame():
    return measure_frame(_inputs(), DAY)[0]


def test_the_old_dictionary_is_recognised_and_a_later_one_is_not():
    assert predates_recency(_old())
    assert not predates_recency(default_config().to_dict())  # recency weighed 0 by choice: saved after
    assert not predates_recency({"rules": {}, "weights": {}})


def test_on_a_purchase_log_purchase_recency_takes_the_renewal_weight(log_frame):
    saved = _old()
    cfg = hs.with_recency(saved, log_frame)
    for stage in STAGES:
        assert cfg.weights[stage]["recency"] == saved["weights"][stage]["renewal"]  # 10 as edited
        assert cfg.weights[stage]["renewal"] == 0
        assert sum(cfg.weights[stage].values()) == 100
        for k, w in saved["weights"][stage].items():  # every other weight as saved
            if k != "renewal":
                assert cfg.weights[stage][k] == w
    assert cfg.rules["recency"] == {"kind": "linear", "worst": N, "best": 0}
    as_saved = HealthConfig.from_dict(saved)
    assert score(as_saved, log_frame)["contrib:recency"].fillna(0).eq(0).all()
    assert score(cfg, log_frame)["contrib:recency"].fillna(0).gt(0).any()  # now it counts


def test_in_a_mix_it_takes_half_and_renewal_keeps_the_rest():
    frame = measure_frame(_inputs(book=True), DAY)[0]
    saved = _old()
    cfg = hs.with_recency(saved, frame)
    for stage in STAGES:
        w = saved["weights"][stage]["renewal"]
        assert (cfg.weights[stage]["renewal"], cfg.weights[stage]["recency"]) == (w - w // 2, w // 2)


def test_a_saved_rule_for_it_is_kept(log_frame):
    saved = _old()
    saved["rules"]["recency"] = {"kind": "linear", "worst": 60, "best": 0}
    assert hs.with_recency(saved, log_frame).rules["recency"]["worst"] == 60


def test_without_the_lapse_rule_or_when_saved_later_the_configuration_is_as_saved(log_frame):
    cust = pd.DataFrame({"customer_id": ["a"], "signup_date": ["2024-01-01"], "churn_date": [None]})
    contract = measure_frame(inputs_from_frames(cust), DAY)[0]
    saved = _old()
    assert hs.with_recency(saved, contract).to_dict() == HealthConfig.from_dict(saved).to_dict()
    later = default_config().to_dict()
    assert hs.with_recency(later, log_frame).to_dict() == HealthConfig.from_dict(later).to_dict()


def test_loading_it_from_a_store_gives_the_default_weight_and_says_it_predates(tmp_path, log_frame):
    engine = core.make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    saved = _old()
    with Session(engine) as s:  # as an old version of the workbench saved it, never validated again
        s.add(HealthConfigVersion(created_at=dt.datetime(2025, 1, 2, tzinfo=dt.UTC), author="old", reason="before",
                                  parent=None, config=saved))
        s.commit()
    assert hs.load_config(engine, 1).to_dict() == HealthConfig.from_dict(saved).to_dict()  # no frame: as saved
    loaded = hs.load_config(engine, 1, frame=log_frame)
    assert [loaded.weights[s]["recency"] for s in STAGES] == [10] * len(STAGES)
    assert hs.current_config(engine, log_frame)[0].to_dict() == loaded.to_dict()
    assert hs.saved_before_recency(engine, 1, log_frame)
    v2 = hs.save_config(engine, loaded, "Dana", "keep recency", parent=1)  # saved again: no longer predates
    assert not hs.saved_before_recency(engine, v2, log_frame)
    engine.dispose()
