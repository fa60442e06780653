"""The quarterly review built on embedded DuckDB, the product's default engine, equals the review built on pandas,
the reference: every figure (to 1e-9), every note and the customers at risk, on the demo, the CDNOW purchase log
and a mix (a recurring-revenue book beside a purchase log)."""

from __future__ import annotations

import pandas as pd
import pytest

import core
from core.query.choice import ENGINE_ENV
from core.review import snapshot
from tests.pages import store_kinds


@pytest.fixture(scope="module")
def stores(tmp_path_factory, small_demo_store):
    return store_kinds.Stores(lambda kind: tmp_path_factory.mktemp(f"review_{kind}"), small_demo_store)


def _built(monkeypatch, engine, quarter: str, name: str) -> snapshot.Snapshot:
    monkeypatch.setenv(ENGINE_ENV, name)
    return snapshot.build(engine, quarter)


@pytest.mark.parametrize("kind", ["demo", "cdnow", "mix"])
def test_the_review_is_the_same_on_duckdb_and_pandas(stores, monkeypatch, kind):
    engine = core.make_engine(stores.url(kind))
    want, got = built(monkeypatch, engine, "duckdb")
    assert_same_review(got, want)
    engine.dispose()


def assert_same_review(got: snapshot.Snapshot, want: snapshot.Snapshot) -> None:
    """Every figure to 1e-9, every note and label exactly, the customers at risk, the quarter, as-of day, data hash
    and parameters (also used for PostgreSQL, tests/pages/test_engine_choice_stores.py, and Spark,
    tests/core/query/test_spark.py)."""
    assert len(want.figures) > 10 and set(want.figures["page"]) >= {"Overview", "Health scores"}
    text = [c for c in want.figures.columns if c not in ("value", "low", "high")]
    pd.testing.assert_frame_equal(got.figures[text], want.figures[text])
    pd.testing.assert_frame_equal(got.figures[["value", "low", "high"]], want.figures[["value", "low", "high"]],
                                  rtol=1e-9, atol=1e-9)
    pd.testing.assert_frame_equal(got.at_risk, want.at_risk, rtol=1e-9, atol=1e-9)
    same = ("quarter", "as_of", "data_hash", "params")
    assert [getattr(got, k) for k in same] == [getattr(want, k) for k in same]


def built(monkeypatch, engine, name: str) -> tuple[snapshot.Snapshot, snapshot.Snapshot]:
    """(the review of the store's latest quarter on pandas, on the engine ``name``)."""
    _, quarter = snapshot.available_quarters(engine)
    return _built(monkeypatch, engine, quarter, "pandas"), _built(monkeypatch, engine, quarter, name)
