"""AppTest of the Health scores page (pages/health_scores.py) with a company's warehouse set
(``RETENTION_WAREHOUSE_URL``: a DuckDB file in the company's own shape, tests/company_warehouse.py) over a store
holding nothing: the page says where its figures come from and shows, figure for figure, what the store's own pandas
path shows of the same business (bands, alerts, action list, back-test, suggested weights); only its configuration is
saved in the store; a warehouse that cannot be read is one plain message."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import text

import core
from core.health import monitor as hm
from core.health import score as h
from core.history.inputs import load_inputs
from tests.company_warehouse import PEOPLE, business_fixture, mapped, point
from tests.pages.conftest import open_page
from tests.pages.test_engine_choice import store_and_warehouse

#: the words that differ between the two runs: who is counted
WHO = ("every customer of the warehouse", "within the sidebar filters")


#: (the warehouse's URL, the mapping file, the store holding the business, an empty store)
business = business_fixture("health_warehouse")


def test_the_page_shows_on_the_warehouse_what_the_store_shows(business, monkeypatch):
    want, at, got = store_and_warehouse(monkeypatch, business, "health_scores")
    empty = business[3]
    assert not at.error
    assert got["notes"][0].startswith("Scored on the company's warehouse, read only")
    assert got["notes"][1:] == want["notes"]
    assert got["metrics"] == want["metrics"] and len(got["metrics"]) >= 5
    assert [c.replace(*WHO) for c in got["captions"]] == want["captions"]
    assert any(WHO[0] in c for c in got["captions"])
    assert got["markdown"] == want["markdown"]
    assert len(got["tables"]) == len(want["tables"]) >= 4
    for g, w in zip(got["tables"], want["tables"], strict=True):
        extra = set(w.columns) - set(g.columns)  # the Feedback themes page reads the store only: no link to it
        assert extra == ({"feedback_page"} if "churn_risk" in w.columns else set()), extra
        pd.testing.assert_frame_equal(g, w.drop(columns=list(extra)), rtol=1e-9, atol=1e-8)
    actions = next(t for t in got["tables"] if "churn_risk" in t.columns)
    assert len(actions) > 10 and actions[["name", "segment"]].ne("").all().all()  # the warehouse's customers
    with core.make_engine(empty).connect() as conn:  # only the configuration is kept in the store
        assert conn.execute(text("SELECT COUNT(*) FROM customer")).scalar() == 0
        assert conn.execute(text("SELECT COUNT(*) FROM healthconfig")).scalar() == 1


def test_the_banded_customers_are_the_store_computations(business, monkeypatch):
    """Not vacuous: the page's count and shares are core's on the business (pandas, the store's inputs)."""
    url, mapping, store, empty = business
    inputs = load_inputs(core.make_engine(store), source=None)
    snaps = hm.snapshots(inputs, 13)
    now, _ = hm.latest_two(hm.history(h.default_config(snaps[-1][1]), snaps))
    banded = now[now["band"].notna()]
    point(monkeypatch, url, mapping)
    at = open_page(monkeypatch, empty, "health_scores")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Customers scored"] == f"{len(banded):,}"
    for band in h.BANDS:
        assert metrics[band.title()] == f"{(banded['band'] == band).mean():.1%}"


def test_a_warehouse_that_cannot_be_read_is_one_plain_message(business, monkeypatch, tmp_path):
    url, _, _, empty = business
    mapped(monkeypatch, url, PEOPLE.replace('plan = "package"', 'plan = "bundle"'), tmp_path)
    at = open_page(monkeypatch, empty, "health_scores")
    assert len(at.error) == 1 and 'has no column "bundle"' in at.error[0].value.replace("\\", "")
    assert not at.metric
    assert at.info[-1].value.startswith("On a warehouse the Health scores page needs customers with signup dates")
