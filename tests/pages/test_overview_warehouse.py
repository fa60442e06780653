"""AppTest of the Overview page (pages/overview.py) with a company's warehouse set (``RETENTION_WAREHOUSE_URL``: a
DuckDB file in the company's own shape, tests/company_warehouse.py) over a store holding nothing: the page says where
its figures come from and shows the store's own Overview of the same business on pandas (tiles, changes, captions,
MRR in red and the customers behind it, the MRR movements of the 12 months to the as-of month); MRR at high churn
risk shows once the Churn drivers page has fitted the model on the warehouse, equal to the store's from its saved
model; nothing but configurations is written to the store; a warehouse that cannot be read is one plain message."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import text

import core
from core.review.warehouse_at_risk import NOT_FITTED
from tests.company_warehouse import PEOPLE, business_fixture, mapped, with_verbatims
from tests.core.buyers import test_warehouse_purchases as wh_purchases
from tests.pages import store_kinds
from tests.pages.conftest import open_page, private_copy
from tests.pages.test_engine_choice import _shown, store_and_warehouse
from ui.overview import sections
from ui.overview import warehouse as on_warehouse

HIGH_RISK = "MRR at high churn risk"


#: (the warehouse's URL, the mapping file, the store holding the business, an empty store)
business = business_fixture("overview_warehouse")


def _without_feedback_links(table: pd.DataFrame) -> pd.DataFrame:
    """A store's table of customers behind MRR at risk as the warehouse's shows it when its mapping names no texts:
    no link to the Feedback themes page, which would have no verbatims to show."""
    return table.drop(columns=[c for c in ("feedback_page",) if c in table])


def test_the_page_shows_on_the_warehouse_what_the_store_shows(business, monkeypatch):
    want, at, got = store_and_warehouse(monkeypatch, business, "overview")
    empty = business[3]
    assert not at.error
    assert got["notes"][0].startswith("Figures from the warehouse (duckdb), through warehouse.toml, read only")
    assert got["notes"][1:] == [NOT_FITTED] and want["notes"][0].startswith("No churn model is saved yet")
    assert got["metrics"] == want["metrics"]  # MRR in red too; no MRR at high churn risk on either
    red = dict((m[0], m[1]) for m in got["metrics"])["MRR in red"]
    assert red.startswith("$") and red != "$0"
    headline, behind_red, months, net = got["captions"]
    assert headline.replace(on_warehouse.SPARK, sections._SPARK) == want["captions"][0]
    assert behind_red == want["captions"][1] and "customers in the red health band" in behind_red
    moves = got["tables"][-1]
    stored = want["tables"][-1]
    assert len(moves) == 12 and moves.equals(stored.tail(12).reset_index(drop=True))
    stored_months = want["captions"][2]  # over the sidebar's dates
    assert months.startswith(f"{moves['Month'].iloc[0]} to {moves['Month'].iloc[-1]}, month by month.")
    assert months.split(", month by month.")[1] == stored_months.split(", month by month.")[1]
    assert net == want["captions"][-1] and net.startswith("Net change of MRR in")
    (listed,) = got["tables"][:-1]
    pd.testing.assert_frame_equal(listed, _without_feedback_links(want["tables"][0]))
    assert len(listed) > 0 and set(listed.columns) >= {"customer_id", "mrr", "band", "churn_risk", "health_page"}
    with core.make_engine(empty).connect() as conn:  # nothing is written to the store
        assert conn.execute(text("SELECT COUNT(*) FROM customer")).scalar() == 0
        assert conn.execute(text("SELECT COUNT(*) FROM revenue")).scalar() == 0


def test_mrr_at_high_churn_risk_shows_once_the_churn_model_is_fitted_on_the_warehouse(business, monkeypatch,
                                                                                     tmp_path):
    url, mapping, store, empty = business
    store = private_copy(store, tmp_path)  # the Churn drivers page saves its model there
    open_page(monkeypatch, store, "churn_drivers", timeout=300)
    want = _shown(open_page(monkeypatch, store, "overview"))
    # texts mapped too: the lists link to the Feedback themes page, which reads them
    mapped(monkeypatch, url, with_verbatims(mapping.read_text(encoding="utf-8")), tmp_path)
    open_page(monkeypatch, empty, "churn_drivers", timeout=300)  # fitted on the warehouse, kept by this server
    got = _shown(open_page(monkeypatch, empty, "overview"))
    high = [m for m in got["metrics"] if m[0] == HIGH_RISK]
    assert high == [m for m in want["metrics"] if m[0] == HIGH_RISK] and high[0][1].startswith("$")
    note = next(c for c in got["captions"] if "high-risk tier of the churn model fitted on the warehouse" in c)
    stored = next(c for c in want["captions"] if "high-risk tier of churn model v1" in c)
    assert note.split(" customers")[0] == stored.split(" customers")[0]  # the same customers
    listed = next(t for t in got["tables"] if "tier" in t.columns)
    pd.testing.assert_frame_equal(listed, next(t for t in want["tables"] if "tier" in t))
    assert "feedback_page" in listed.columns
    with core.make_engine(empty).connect() as conn:  # the warehouse's model is not saved in the store
        assert conn.execute(text("SELECT COUNT(*) FROM churnrun")).scalar() == 0


def test_a_warehouse_that_cannot_be_read_is_one_plain_message(business, monkeypatch, tmp_path):
    url, _, _, empty = business
    mapped(monkeypatch, url, PEOPLE.replace('mrr = "monthly_amount"', 'mrr = "amount_due"'), tmp_path)
    at = open_page(monkeypatch, empty, "overview")
    assert len(at.error) == 1 and 'has no column "amount_due"' in at.error[0].value.replace("\\", "")
    assert not at.metric
    assert at.info[-1].value.startswith("On a warehouse the Overview page needs customers with signup dates")


def test_a_purchase_log_in_the_warehouse_shows_the_stores_buyer_figures_and_cohorts(monkeypatch, tmp_path):
    """The CDNOW sample laid out as a company's orders and sale lines ([purchases], [revenue] amount and is_return:
    tests/core/buyers/test_warehouse_purchases.py): the buyer tiles, their captions and the revenue retention table
    are the store's page's on pandas; the note speaks of the mapping."""
    (tmp_path / "store").mkdir()
    store = store_kinds.build("cdnow_sample", tmp_path / "store")
    engine = core.make_engine(store)
    url = wh_purchases._warehouse(engine, tmp_path / "company.duckdb")
    engine.dispose()
    want = _shown(open_page(monkeypatch, store, "overview"))
    mapped(monkeypatch, url, wh_purchases.MAP, tmp_path)
    at = open_page(monkeypatch, f"sqlite:///{tmp_path / 'empty.db'}", "overview")
    got = _shown(at)
    assert not at.error and "Active buyers" in [m[0] for m in got["metrics"]]
    assert got["metrics"] == want["metrics"]
    # the buyers' window (the sparklines: the 12 months to then), the cohorts' definition
    assert [c.replace(on_warehouse.SPARK, sections._SPARK) for c in got["captions"][1:]] == want["captions"][1:]
    assert len(got["tables"]) == len(want["tables"]) == 1  # the cells, added up exactly there: to 1e-9
    pd.testing.assert_frame_equal(got["tables"][0], want["tables"][0], rtol=1e-9, atol=1e-12)
    assert [s.value for s in at.subheader] == ["Revenue retention by cohort"]
    assert got["captions"][0].startswith("The warehouse's revenue holds no MRR, so it is a purchase log")
    assert want["captions"][0].startswith("There is no recurring revenue in this store: it is a purchase log")
