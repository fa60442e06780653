"""AppTest of the Quarterly review page (pages/quarterly_review.py) with a company's warehouse set
(``RETENTION_WAREHOUSE_URL``: a DuckDB file in the company's own shape, texts and contacts mapped,
tests/company_warehouse.py) over a store holding nothing: the page says where a built snapshot comes from, offers the
warehouse's quarters, and shows, tile for tile and table for table, what the store's own pandas page shows of the
same business (its churn model fitted and saved as the warehouse's review fits it), but for the cover line naming the
model and the note of MRR at high churn risk; the review reports the model the Churn drivers page fitted on the
warehouse that day rather than fitting another; saving freezes the warehouse's snapshot in the store."""

from __future__ import annotations

import pandas as pd
import pytest

import core
from core.churn import pipeline as cr
from core.churn.horizon import default_horizon
from core.churn.store import save_fitted
from core.history.inputs import load_inputs
from core.review import saved as review_saved
from core.review.warehouse_snapshot import FITTED
from tests.company_warehouse import CONTACTS, PEOPLE, business_fixture, point
from tests.company_warehouse import with_verbatims as texts
from tests.pages.conftest import open_page, rerun
from tests.pages.test_engine_choice import _open, _shown

#: (the warehouse's URL, the mapping file, the store holding the business, an empty store)
business = business_fixture("review_warehouse_page", texts(PEOPLE) + CONTACTS)

#: what names where the churn model comes from: the cover line, and the note of MRR at high churn risk
MODEL = ("churn model ", "high-risk tier of ")


@pytest.fixture(scope="module")
def modelled(business):
    """The business with the churn model the warehouse's review fits saved in its store."""
    url, mapping, store, empty = business
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RETENTION_ENGINE", "pandas")
        engine = core.make_engine(store)
        inputs = load_inputs(engine, source=None)
        save_fitted(engine, cr.fit_churn(inputs, horizon_days=default_horizon(None)), cr.default_economics(inputs),
                    "test")
        engine.dispose()
    return url, mapping, store, empty


def _same(lines: list[str]) -> list[str]:
    return [t for t in lines if not any(m in t for m in MODEL)]


def test_the_page_shows_on_the_warehouse_what_the_store_shows(modelled, monkeypatch):
    url, mapping, store, empty = modelled
    want = _shown(_open(monkeypatch, store, "quarterly_review", "pandas"))
    point(monkeypatch, url, mapping)
    fits = []
    monkeypatch.setattr(cr, "fit_churn", lambda *a, fit=cr.fit_churn, **k: fits.append(1) or fit(*a, **k))
    _open(monkeypatch, empty, "churn_drivers", None)  # the page fits the model on the warehouse (at its defaults)
    at = open_page(monkeypatch, empty, "quarterly_review")  # in the same server: the review reports that fit
    assert len(fits) == 1
    got = _shown(at)
    assert not at.error, [e.value for e in at.error]
    assert got["notes"][0].startswith("Built from the company's warehouse, read only")
    assert got["notes"][1:] == want["notes"]
    assert at.selectbox(key="review_quarter").value == "2026-Q3"
    assert got["metrics"] == want["metrics"] and len(got["metrics"]) >= 7
    assert _same(got["captions"]) == _same(want["captions"])
    assert any(f"churn model {FITTED}" in c for c in got["captions"])
    assert got["markdown"] == want["markdown"]
    assert len(got["tables"]) == len(want["tables"]) >= 5
    for g, w in zip(got["tables"], want["tables"], strict=True):
        keep = ~g.astype(str).apply(lambda c: c.str.contains(MODEL[1], regex=False)).any(axis=1)
        pd.testing.assert_frame_equal(g[keep], w[keep], rtol=1e-9, atol=1e-8)
        assert keep.sum() >= len(g) - 1
    # saving freezes the warehouse's snapshot in the store
    next(b for b in at.button if b.label == "Save this snapshot").click()
    rerun(at)
    saved = review_saved.snapshots(core.make_engine(empty))
    assert len(saved) == 1 and any("Saved as snapshot 1" in s.value for s in at.success)
    snap = review_saved.load(core.make_engine(empty), 1)
    assert snap.versions["churn_fit"] == FITTED and snap.versions["source"].startswith("the warehouse (duckdb)")
