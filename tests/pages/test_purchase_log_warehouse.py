"""AppTest of the Churn drivers and Health scores pages on a purchase log held in a company's warehouse (the CDNOW
sample laid out as a company's orders and sale lines: tests/core/buyers/test_warehouse_purchases.py, its orders
mapped as [activity] too, as a store's purchases are activity rows) over a store holding nothing: each page shows,
figure for figure, what it shows of the same log imported into a store on pandas, the buyers' churn dates coming from
the lapse rule proposed in the warehouse (issue 23)."""

from __future__ import annotations

import pandas as pd
import pytest

import core
from tests.company_warehouse import point
from tests.core.buyers import test_warehouse_purchases as wh_purchases
from tests.pages import store_kinds
from tests.pages.test_engine_choice import _open, _shown, store_and_warehouse

#: the purchases mapped as [activity] too (the store's purchases are activity rows, which the models' usage reads)
MAP = wh_purchases.MAP + wh_purchases.ACTIVITY

#: the words that differ between the two runs: who is counted
WHO = ("every customer of the warehouse", "within the sidebar filters")


@pytest.fixture(scope="module")
def business(tmp_path_factory):
    """(the warehouse's URL, its mapping file, the store holding the same log, an empty store's URL)."""
    folder = tmp_path_factory.mktemp("purchase_log_warehouse")
    (folder / "store").mkdir()
    store = store_kinds.build("cdnow_sample", folder / "store")
    engine = core.make_engine(store)
    url = wh_purchases._warehouse(engine, folder / "company.duckdb")
    engine.dispose()
    (folder / "map.toml").write_text(MAP, encoding="utf-8")
    return url, folder / "map.toml", store, f"sqlite:///{folder / 'empty.db'}"


def _tables_equal(got: list[pd.DataFrame], want: list[pd.DataFrame]) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        extra = set(w.columns) - set(g.columns)  # the Feedback themes page reads the store only: no link to it
        assert extra <= {"feedback", "feedback_page"}, extra
        pd.testing.assert_frame_equal(g, w.drop(columns=list(extra)), rtol=1e-9, atol=1e-8)


#: the churn page's words that differ on the warehouse (fitted there and not saved; the sidebar reads the store)
SAID = (("fitted on the warehouse and not saved in the store (the store's pages score the store's customers)",
         "saved as version 1"),
        ("the sidebar's filters apply to the store's pages", "the sidebar filters narrow the customer lists"),
        (WHO[0], WHO[1]), ("**Churn model v(unsaved)**", "**Churn model v1**"))

#: the Lifetime value tab's figures (its models fitted on the buyers' rows counted in the warehouse)
CLV = ("Buyers valued", "Lifetime value, 12 months", "Expected purchases, 90 days",
       "Repeat buyers still buying (median chance)")


def _as_on_the_store(texts: list[str]) -> list[str]:
    for old, new in SAID:
        texts = [t.replace(old, new) for t in texts]
    return texts


def test_the_churn_drivers_page_fits_on_the_warehouse_what_it_fits_on_the_store(business, monkeypatch):
    """The buyers churn after the lapse period proposed from their gaps (210 days on the sample, proposed in the
    warehouse) and the model is judged within it, as on the store; every figure, driver, tier and list is the
    store's, and so is the Lifetime value tab (its models fitted on one row per buyer counted there)."""
    want, at, got = store_and_warehouse(monkeypatch, business, "churn_drivers")
    assert not at.error
    assert got["notes"][0].startswith("Fitted on the company's warehouse, read only")
    assert got["notes"][1:] == want["notes"]
    assert want["captions"][0].startswith("Proposed: 210 days. 90% of the 4,339 gaps")
    assert any("churn within 210 days of each cutoff" in c for c in want["captions"])
    metrics = {label: value for label, value, _ in want["metrics"]}
    assert float(metrics["Held-out ROC-AUC"]) > 0.7  # the buyers who lapse are told apart: not a vacuous model
    assert got["metrics"] == want["metrics"] and [m[0] for m in got["metrics"][-4:]] == list(CLV)
    assert _as_on_the_store(got["captions"]) == want["captions"]
    assert _as_on_the_store(got["markdown"]) == want["markdown"]
    assert any(m.startswith("**Checked on a hold-out:**") for m in got["markdown"])
    assert "p_alive" in got["tables"][-2] and got["tables"][-1].columns[0] == "frequency"  # the Lifetime value tab's
    _tables_equal(got["tables"], want["tables"])
    scored = next(t for t in got["tables"] if "probability" in t.columns)
    assert len(scored) > 100


def test_another_lapse_period_tried_on_the_page_is_fitted_on_the_warehouse_and_not_offered_to_save(business,
                                                                                                   monkeypatch):
    """120 days instead of the proposed 210, on this page only: the model is fitted with buyers churning after 120
    days (the same N through the CLI prints what the store prints: tests/core/buyers/test_warehouse_purchases.py);
    nothing is offered to save, as the warehouse's pages read no saved N."""
    url, mapping, _, empty = business
    point(monkeypatch, url, mapping)
    at = _open(monkeypatch, empty, "churn_drivers", None)
    at.number_input(key="churn_lapse_days_210").set_value(120).run()
    assert not at.exception and not at.error
    got = _shown(at)
    assert any("churn within 120 days of each cutoff); churn = no purchase within 120 days of the last one" in c
               for c in got["captions"])
    assert "Only this page uses 120 days; on the warehouse the other pages use the proposed 210 days." in got["notes"]
    assert not at.get("form")  # saving N is the store's


def test_the_health_scores_page_scores_on_the_warehouse_what_it_scores_on_the_store(business, monkeypatch):
    want, at, got = store_and_warehouse(monkeypatch, business, "health_scores")
    assert not at.error
    assert got["notes"][0].startswith("Scored on the company's warehouse, read only")
    assert got["notes"][1:] == want["notes"]
    assert got["metrics"] == want["metrics"] and len(got["metrics"]) >= 5
    assert [c.replace(*WHO) for c in got["captions"]] == want["captions"]
    assert got["markdown"] == want["markdown"]
    _tables_equal(got["tables"], want["tables"])
    assert len(got["tables"]) >= 3
