"""AppTest of the Churn drivers page (pages/churn_drivers.py) with a company's warehouse set
(``RETENTION_WAREHOUSE_URL``: a DuckDB file in the company's own shape, tests/company_warehouse.py) over a store
holding nothing: the page says where its figures come from, fits on the warehouse's customers and behaviour the model
the store's own pandas path fits on the same business (headline, tiers, today's list with the warehouse's segments),
saves nothing in the store, and a warehouse that cannot be read is one plain message."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

import core
from core.churn.pipeline import Economics, best_threshold, confusion_at, default_economics, fit_churn, net_value_curve
from core.history.inputs import load_inputs
from core.query import warehouse
from tests.company_warehouse import PEOPLE, facts_business
from tests.pages.conftest import open_page
from tests.pages.downloads import downloads, recording


@pytest.fixture(scope="module")
def business(tmp_path_factory, facts_demo_store):
    """((the store fit's result, its default economics), the customers' segments, the warehouse's URL, the mapping
    file, an empty store's URL)."""
    b = facts_business(tmp_path_factory.mktemp("churn_warehouse"), built=facts_demo_store)
    engine = core.make_engine(b.store)
    inputs = load_inputs(engine, source=None)
    reference = fit_churn(inputs, horizon_days=90), default_economics(inputs)  # at the page's default horizon
    segments = pd.read_sql("SELECT customer_id, segment FROM customer", engine)
    engine.dispose()
    return reference, segments, b.url, b.mapping, b.empty_store


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_the_page_fits_on_the_warehouse_what_the_store_fits(business, monkeypatch):
    (r, default), segments, url, mapping, store = business
    monkeypatch.setenv(warehouse.URL_ENV, url)
    monkeypatch.setenv(warehouse.MAP_ENV, str(mapping))
    with recording(monkeypatch) as made:
        at = open_page(monkeypatch, store, "churn_drivers")
        files = {name: data for _, name, data in downloads(at, made[-1])}
    assert not at.error
    assert at.info[0].value.startswith("Fitted on the company's warehouse, read only")
    m = r.metrics[r.best]
    assert _metric(at, "Held-out ROC-AUC") == f"{m['roc_auc']:.3f}"
    assert _metric(at, "PR-AUC") == f"{m['pr_auc']:.3f}"
    assert _metric(at, "Brier (calibrated)") == f"{r.brier_calibrated:.3f}"
    assert _metric(at, "Customers scored") == f"{len(r.p_current):,}"
    assert any("fitted on the warehouse and not saved in the store" in c.value for c in at.caption)
    econ = Economics(float(at.number_input(key="churn_value").value), float(at.number_input(key="churn_cost").value),
                     float(at.number_input(key="churn_success").value))
    assert (econ.value_saved, econ.outreach_cost) == (default.value_saved, default.outreach_cost)  # the MRR's year
    t = round(best_threshold(net_value_curve(r.p_test, econ, r.test.y)), 2)
    assert _metric(at, "Flagged (held out)") == f"{confusion_at(r.test.y, r.p_test, t)['flagged']:,}"
    assert any(f"high risk {int((r.p_current >= t).sum()):,}" in md.value and "(every customer of the warehouse)"
               in md.value for md in at.markdown)
    listed = next(d.value for d in at.dataframe if "probability" in d.value.columns)
    assert "feedback" not in listed  # no link to the Feedback themes page, which reads the store only
    assert listed["health"].tolist() == ("health_scores?customer=" + listed["customer_id"]).tolist()  # scored there
    scores = pd.read_csv(io.BytesIO(files["churn_scores.csv"]))
    want = pd.DataFrame({"customer_id": r.current.customer_id, "probability": r.p_current}).merge(segments)
    got = scores.set_index("customer_id").loc[want["customer_id"]]
    np.testing.assert_allclose(got["probability"].to_numpy(), want["probability"].to_numpy(), rtol=1e-9)
    assert got["segment"].tolist() == want["segment"].tolist()  # named with the warehouse's customers
    with core.make_engine(store).connect() as conn:  # nothing saved in the store
        assert conn.execute(text("SELECT COUNT(*) FROM churnrun")).scalar() == 0


def test_a_warehouse_that_cannot_be_read_is_one_plain_message(business, monkeypatch, tmp_path):
    *_, url, mapping, store = business
    monkeypatch.setenv(warehouse.URL_ENV, url)
    (tmp_path / "m.toml").write_text(PEOPLE.replace('plan = "package"', 'plan = "bundle"'), encoding="utf-8")
    monkeypatch.setenv(warehouse.MAP_ENV, str(tmp_path / "m.toml"))
    at = open_page(monkeypatch, store, "churn_drivers")
    assert [e.value.replace("\\", "") for e in at.error] == [  # shown escaped, as any text from data
        'Table crm.accounts has no column "bundle" ([customers] plan = "bundle" in m.toml); its columns are '
        + ", ".join(["account_id", "tier", "created_at", "cancelled_at", "mrr_cents", "package", "area", "source",
                   "account_name"])
        + "."]
    assert not at.metric
    assert [i.value.replace("\\", "") for i in at.info] == [  # what to check, not the store's import advice (escaped)
        at.info[0].value.replace("\\", ""),
        "On a warehouse the Churn drivers page needs customers with churn dates and, for out-of-time validation, dated "
        "behaviour: check the tables and columns the mapping file names (RETENTION_WAREHOUSE_MAP; "
        "the README's Engines and warehouses shows a worked one)."]
