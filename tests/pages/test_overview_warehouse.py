"""AppTest of the Overview page (pages/overview.py) with a company's warehouse set (``RETENTION_WAREHOUSE_URL``: a
DuckDB file in the company's own shape, tests/company_warehouse.py) over a store holding nothing: the page says where
its figures come from and shows the store's own Overview of the same business on pandas (tiles, changes, captions,
the MRR movements of the 12 months to the as-of month), MRR at risk pointing to the pages that score the warehouse's
customers; nothing is written to the store; a warehouse that cannot be read is one plain message."""

from __future__ import annotations

import pytest
from sqlalchemy import text

import core
from core.buyers import warehouse_overview
from core.query import warehouse
from tests.company_warehouse import MAPPING, demo_business
from tests.pages.conftest import open_page
from tests.pages.test_engine_choice import _open, _shown
from ui.overview import sections
from ui.overview import warehouse as on_warehouse

#: the tiles of the store's MRR at risk, which the warehouse's Overview leaves to the pages that score its customers
AT_RISK = ("MRR at high churn risk", "MRR in red")


@pytest.fixture(scope="module")
def business(tmp_path_factory):
    """(the warehouse's URL, the mapping file, the store holding the business, an empty store)."""
    folder = tmp_path_factory.mktemp("overview_warehouse")
    b = demo_business(folder, 200, 5)
    (folder / "warehouse.toml").write_text(MAPPING, encoding="utf-8")
    return b.url, folder / "warehouse.toml", f"sqlite:///{folder / 'business.db'}", b.empty_store


def _point(mp, url: str, mapping) -> None:
    mp.setenv(warehouse.URL_ENV, url)
    mp.setenv(warehouse.MAP_ENV, str(mapping))


def test_the_page_shows_on_the_warehouse_what_the_store_shows(business, monkeypatch):
    url, mapping, store, empty = business
    want = _shown(_open(monkeypatch, store, "overview", "pandas"))
    _point(monkeypatch, url, mapping)
    at = _open(monkeypatch, empty, "overview", None)
    got = _shown(at)
    assert not at.error
    assert got["notes"][0].startswith("Figures from the warehouse (duckdb), through warehouse.toml, read only")
    assert got["notes"][1:] == [warehouse_overview.AT_RISK]
    assert got["metrics"] == [m for m in want["metrics"] if m[0] not in AT_RISK]
    assert [m[0] for m in got["metrics"]][:3] == ["Customers", "Active customers", "Logo churn rate"]
    (moves,) = got["tables"]
    stored = next(t for t in want["tables"] if "MRR at start ($)" in t.columns)
    assert len(moves) == 12 and moves.equals(stored.tail(12).reset_index(drop=True))
    headline, months, net = got["captions"]
    assert headline.replace(on_warehouse.SPARK, sections._SPARK) == want["captions"][0]
    stored_months = next(c for c in want["captions"] if ", month by month." in c)  # over the sidebar's dates
    assert months.startswith(f"{moves['Month'].iloc[0]} to {moves['Month'].iloc[-1]}, month by month.")
    assert months.split(", month by month.")[1] == stored_months.split(", month by month.")[1]
    assert net == want["captions"][-1] and net.startswith("Net change of MRR in")
    assert [p.proto.page for p in at.get("page_link")] == ["churn_drivers", "health_scores"]
    with core.make_engine(empty).connect() as conn:  # nothing is written to the store
        assert conn.execute(text("SELECT COUNT(*) FROM customer")).scalar() == 0
        assert conn.execute(text("SELECT COUNT(*) FROM revenue")).scalar() == 0


def test_a_warehouse_that_cannot_be_read_is_one_plain_message(business, monkeypatch, tmp_path):
    url, _, _, empty = business
    (tmp_path / "m.toml").write_text(MAPPING.replace('mrr = "monthly_amount"', 'mrr = "amount_due"'),
                                     encoding="utf-8")
    _point(monkeypatch, url, tmp_path / "m.toml")
    at = open_page(monkeypatch, empty, "overview")
    assert len(at.error) == 1 and 'has no column "amount_due"' in at.error[0].value.replace("\\", "")
    assert not at.metric
    assert at.info[-1].value.startswith("On a warehouse the Overview page needs customers with signup dates")
