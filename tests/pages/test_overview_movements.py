"""The Overview's MRR movements (pages/overview.py, ui/overview/sections.py): the table shown equals a loop per
customer written in the tests (tests/core/history/test_movements.py), on a hand-made book and on the demo, over the
sidebar's date range and segments."""

import datetime as dt
import io

import pandas as pd

import core
from tests.core.history.test_movements import loop_per_customer
from tests.pages.conftest import open_page, rerun
from tests.pages.test_overview import CUSTOMERS, REVENUE

HEADERS = ["Month", "MRR at start ($)", "New ($)", "Expansion ($)", "Reactivation ($)", "Contraction ($)",
           "Churned ($)", "MRR at end ($)"]


def _money(x: float) -> str:
    """Money as the pages write it: whole dollars, cents for a fraction under $100, no minus on zero."""
    if x != int(x) and abs(x) < 100:
        return f"${x:,.2f}"
    return f"${round(x):,}"


def _expected(table: pd.DataFrame) -> pd.DataFrame:
    shown = pd.DataFrame({"Month": table["month"].dt.strftime("%b %Y")})
    for header, column in zip(HEADERS[1:], table.columns[1:], strict=True):
        shown[header] = table[column].map(_money)
    return shown.reset_index(drop=True)


def _shown(at) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "New ($)" in d.value.columns).reset_index(drop=True)


def _store(tmp_path, files) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = core.make_engine(url)
    for data, name, kind in files:
        core.commit_import(engine, core.prepare_import(engine, data, name, kind))
    engine.dispose()
    return url


def test_the_hand_made_book_shows_its_movements(tmp_path, monkeypatch):
    url = _store(tmp_path, [(CUSTOMERS, "c.csv", "customers"), (REVENUE, "r.csv", "revenue")])
    at = open_page(monkeypatch, url, "overview")
    assert [h.value for h in at.subheader] == ["MRR at risk", "MRR movements"]
    shown = _shown(at)
    assert shown.columns.tolist() == HEADERS
    # Jan 2024: A 100, B 200, C 100, E 50 new; Feb 2024: all churned; Jan 2025: A, C, E back, D new
    assert shown.iloc[0].tolist() == ["Jan 2024", "$0", "$450", "$0", "$0", "$0", "$0", "$450"]
    assert shown.iloc[1].tolist() == ["Feb 2024", "$450", "$0", "$0", "$0", "$0", "$450", "$0"]
    assert shown.iloc[-1].tolist() == ["Jan 2025", "$0", "$999", "$0", "$260", "$0", "$0", "$1,259"]
    assert len(shown) == 13 and (shown.iloc[2:-1, 1:] == "$0").all().all()
    pd.testing.assert_frame_equal(shown, _expected(loop_per_customer(pd.read_csv(io.BytesIO(REVENUE)))))
    # a range after the last month with MRR: the tiles stay on Jan 2025, the movements say why they are empty
    rerun(at, dates=(dt.date(2025, 3, 1), dt.date(2025, 6, 30)))
    assert not [d for d in at.dataframe if "New ($)" in d.value.columns]
    assert any("no MRR movements to show" in i.value for i in at.info)


def test_a_store_without_recurring_revenue_shows_no_movements(tmp_path, monkeypatch):
    url = _store(tmp_path, [(CUSTOMERS, "c.csv", "customers")])
    at = open_page(monkeypatch, url, "overview")
    assert "MRR movements" not in [h.value for h in at.subheader]
    assert not [d for d in at.dataframe if "New ($)" in d.value.columns]


def test_the_demo_shows_the_movements_of_the_chosen_months_and_segments(small_demo_store, monkeypatch):
    url = f"sqlite:///{small_demo_store}"
    engine = core.make_engine(url)
    customers, revenue = core.load_table(engine, "customer"), core.load_table(engine, "revenue")
    engine.dispose()
    whole = loop_per_customer(revenue)
    at = open_page(monkeypatch, url, "overview")
    rerun(at, dates=(dt.date(2024, 7, 1), dt.date(2025, 6, 30)))
    months = whole[(whole["month"] >= "2024-07-01") & (whole["month"] <= "2025-06-01")]
    assert len(months) == 12
    pd.testing.assert_frame_equal(_shown(at), _expected(months))
    caption = next(c.value for c in at.caption if "month by month" in c.value)
    assert caption.startswith("Jul 2024 to Jun 2025, month by month.")
    # a segment: only its customers' revenue moves
    segment = sorted(customers["segment"].dropna().unique())[0]
    rerun(at, segments=[segment], dates=(dt.date(2024, 7, 1), dt.date(2025, 6, 30)))
    ids = customers.loc[customers["segment"] == segment, "customer_id"]
    theirs = loop_per_customer(revenue[revenue["customer_id"].isin(ids)])
    theirs = theirs[(theirs["month"] >= "2024-07-01") & (theirs["month"] <= "2025-06-01")]
    pd.testing.assert_frame_equal(_shown(at), _expected(theirs))
    assert not _shown(at).equals(_expected(months))
