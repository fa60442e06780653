"""Churn models saved before ``core/`` became packages still load and score as they did.

The blobs in tests/fixtures were written by ``joblib.dump`` of a calibrated ``core.churn.ChurnModel`` (the
module path of the time), exactly as ``save_run`` writes the ``churnrun.model`` column; the expected
probabilities were computed by that same code before the move.
"""

import json

import pandas as pd
import pytest
from sqlalchemy import insert

from core.churn import store as churn_store
from core.churn.model import ChurnModel
from core.store.engine import init_db, make_engine
from core.store.tables import ChurnRun
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"


@pytest.mark.parametrize("kind", ["logistic", "boosting"])
def test_a_model_pickled_before_the_move_loads_from_the_store_and_scores_the_same(tmp_path, kind):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    init_db(engine)
    blob = (FIXTURES / f"churn_model_{kind}_before_packages.joblib").read_bytes()
    with engine.begin() as conn:
        conn.execute(insert(ChurnRun.__table__).values(
            version=1, created_at=pd.Timestamp("2026-11-30", tz="UTC").to_pydatetime(), kind=kind, source="demo",
            horizon_days=90, scored_at=pd.Timestamp("2026-11-30").date(), data_version="x", threshold=0.5,
            card={}, model=blob))
    model = churn_store.load_model(engine, 1)
    assert isinstance(model, ChurnModel)
    rows = pd.read_csv(FIXTURES / "churn_model_before_packages_rows.csv")
    expected = json.loads((FIXTURES / "churn_model_before_packages_expected.json").read_text())[kind]
    assert list(model.predict_proba(rows, calibrated=True)) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_scores_saved_under_the_old_tier_colours_read_under_today_s_names(tmp_path):
    """Before issue 20 a risk tier was saved as red / amber / green, the health bands' names."""
    from core.churn.pipeline import TIERS
    from core.store.tables import ChurnScore

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    init_db(engine)
    with engine.begin() as conn:
        conn.execute(insert(ChurnScore.__table__), [
            {"version": 1, "customer_id": c, "probability": p, "tier": t}
            for c, p, t in (("a", 0.6, "red"), ("b", 0.2, "amber"), ("c", 0.01, "green"), ("d", 0.7, "high risk"))])
    scores = churn_store.latest_scores(engine, version=1)
    assert scores["tier"].tolist() == ["high risk", "medium risk", "low risk", "high risk"] == [*TIERS, TIERS[0]]
