"""AppTest of the Intervention ROI page (pages/intervention_roi.py) with a company's warehouse set
(``RETENTION_WAREHOUSE_URL``: a DuckDB file in the company's own shape with its outreach table mapped as
``[contacts]``, tests/company_warehouse.py) over a store holding nothing: the page says where its figures come from
and shows, figure for figure, what the store's own pandas path shows of the same business (every play at a glance, a
play's effect, money, time to impact, where it works, next wave (today's customers' usage summed in the warehouse),
fatigue, planning); nothing is written to the store; a mapping without contacts is the page's empty state, naming what
to map."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import text

import core
from core.roi.warehouse_inputs import NO_CONTACTS
from tests.company_warehouse import CONTACTS, PEOPLE, business_fixture, mapped
from tests.pages.conftest import open_page
from tests.pages.test_engine_choice import store_and_warehouse

#: what only the store's page says: the split by churn risk needs a saved churn model (a warehouse's model is never
#: saved, and the store's does not score the warehouse's customers)
STORE_ONLY = "To split by churn risk at contact, save a churn model"


#: the words that differ between the two runs: which contacts count
WHO = ("every contact of the warehouse.", "contacts within the sidebar filters.")


#: (the warehouse's URL, the mapping file, the store holding the business, an empty store)
business = business_fixture("roi_warehouse_page", PEOPLE + CONTACTS)


def test_the_page_shows_on_the_warehouse_what_the_store_shows(business, monkeypatch):
    want, at, got = store_and_warehouse(monkeypatch, business, "intervention_roi")
    empty = business[3]
    assert not at.error, [e.value for e in at.error]
    assert got["notes"][0].startswith("Measured on the company's warehouse, read only")
    assert got["notes"][1:] == [n for n in want["notes"] if not n.startswith(STORE_ONLY)]
    assert got["metrics"] == want["metrics"] and len(got["metrics"]) >= 4
    assert got["markdown"] == want["markdown"]
    assert [c.replace(*WHO) for c in got["captions"]] == want["captions"]
    assert any(c.endswith(WHO[0]) for c in got["captions"])
    assert len(got["tables"]) == len(want["tables"]) >= 5
    for g, w in zip(got["tables"], want["tables"], strict=True):
        pd.testing.assert_frame_equal(g, w, rtol=1e-9, atol=1e-8)
    plays = got["tables"][0]
    assert plays["play"].nunique() == 4 and plays["treated"].sum() > 1000  # every play, every contact
    with core.make_engine(empty).connect() as conn:  # nothing is written to the store
        assert conn.execute(text("SELECT COUNT(*) FROM intervention")).scalar() == 0
        assert conn.execute(text("SELECT COUNT(*) FROM customer")).scalar() == 0


def test_a_mapping_without_contacts_says_what_to_map(business, monkeypatch, tmp_path):
    url, _, _, empty = business
    mapped(monkeypatch, url, PEOPLE, tmp_path)
    at = open_page(monkeypatch, empty, "intervention_roi")
    assert not at.error, [e.value for e in at.error]
    assert not at.metric
    assert [i.value for i in at.info][-1].replace("\\", "") == NO_CONTACTS
