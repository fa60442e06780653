"""The Overview (pages/overview.py) on each kind of store (issue 20): a mix shows the recurring-revenue and the buyer
sections, a snapshot its customer counts and what it cannot show, a customer list its count as of the day, a
feedback-only store what to import; every figure against a computation written in the test."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import core
from tests.pages.conftest import open_page, rerun
from tests.pages.test_overview import CUSTOMERS, REVENUE

#: purchases of three customers the recurring book does not hold: same-day orders (P2) and a return (P2)
PURCHASES = b"""customer_id,date,amount
P1,2024-03-05,40
P1,2024-09-01,60
P2,2024-11-11,25
P2,2024-11-11,10
P2,2025-01-20,-10
"""


def _store(tmp_path, files) -> str:
    """A store at a temporary path holding ``files``: (bytes, name, kind, options)."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = core.make_engine(url)
    for data, name, kind, options in files:
        core.commit_import(engine, core.prepare_import(engine, data, name, kind, **options))
    engine.dispose()
    return url


def _tiles(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_a_mix_shows_both_sections_and_the_cohorts(tmp_path, monkeypatch):
    url = _store(tmp_path, [(CUSTOMERS, "c.csv", "customers", {}), (REVENUE, "r.csv", "revenue", {}),
                            (PURCHASES, "p.csv", "transactions", {})])
    at = open_page(monkeypatch, url, "overview")
    tiles = _tiles(at)
    assert [h.value for h in at.subheader] == ["Recurring revenue", "MRR at risk", "MRR movements", "Buyers",
                                               "Revenue retention by cohort"]
    # the recurring book as in test_overview.py, plus P1 and P2 (signed up with their first purchase, no churn date)
    start = 100 + 200 + 100 + 50
    assert {k: tiles[k] for k in ("Customers", "Active customers", "MRR", "NRR")} == {
        "Customers": "7", "Active customers": "6", "MRR": "$1,259", "NRR": f"{(150 + 60 + 50) / start * 100:.1f}%"}
    # buyers of Feb 2024 .. Jan 2025: P1 on 2 days, P2 on 1 day (two orders); revenue 40 + 60 + 25 + 10 - 10
    assert {k: tiles[k] for k in ("Active buyers", "Repeat-purchase rate", "Revenue", "Revenue per buyer",
                                  "Purchase frequency")} == {
        "Active buyers": "2", "Repeat-purchase rate": "50.0%", "Revenue": "$125", "Revenue per buyer": "$62.50",
        "Purchase frequency": "1.5"}
    assert [m.label for m in at.metric].count("Customers") == 1
    assert not [c for c in at.caption if "cannot show" in c.value]  # a mix with recurring revenue lacks nothing
    table = next(d.value for d in at.dataframe if "buyers" in d.value.columns)
    assert table.index.tolist() == ["2024-03", "2024-11"] and table["buyers"].tolist() == [1, 1]
    assert table.loc["2024-03", "6"] == pytest.approx(60 / 40) and table.loc["2024-11", "2"] == pytest.approx(-10 / 35)
    assert table.loc["2024-03", "1"] == 0.0 and np.isnan(table.loc["2024-11", "3"])  # not reached by Jan 2025


def test_a_snapshot_shows_its_counts_and_says_what_it_cannot_show(tmp_path, monkeypatch, shared):
    telco = shared / "telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv"
    url = _store(tmp_path, [(telco.read_bytes(), telco.name, "customers", {"as_of": "2024-01-31"})])
    at = open_page(monkeypatch, url, "overview")
    raw = pd.read_csv(telco)
    starters = raw[raw["tenure"] >= 12]  # active at the start of the 12 months to the 2024-01-31 snapshot
    assert _tiles(at) == {"Customers": f"{len(raw):,}", "Active customers": f"{(raw['Churn'] == 'No').sum():,}",
                          "Logo churn rate": f"{(starters['Churn'] == 'Yes').mean() * 100:.1f}%"}
    captions = " ".join(c.value for c in at.caption)
    assert "This store is a snapshot" in captions and "MRR, NRR, GRR, revenue churn or buyer figures" in captions
    assert "Trailing 12 months to 31 Jan 2024" in captions
    assert "Revenue retention by cohort" not in [h.value for h in at.subheader]


def test_a_customer_list_counts_its_customers_as_of_the_day(tmp_path, monkeypatch):
    data = b"customer_id,signup_date\nA,2024-01-10\nB,2024-05-02\nC,\n"
    url = _store(tmp_path, [(data, "c.csv", "customers", {})])
    at = open_page(monkeypatch, url, "overview")
    assert _tiles(at) == {"Customers": "3"}  # as of 31 May 2024, the month of the last signup
    assert "As of 31 May 2024" in " ".join(c.value for c in at.caption)
    rerun(at, dates=(dt.date(2024, 1, 1), dt.date(2024, 3, 31)))
    assert _tiles(at) == {"Customers": "2"}  # A, and C, whose signup date is unknown, always counts
    captions = " ".join(c.value for c in at.caption)
    assert "cannot show active customers, logo churn, MRR" in captions


def test_a_feedback_only_store_says_what_to_import(tmp_path, monkeypatch):
    data = b"text,score\nGreat fit,5\nToo small,2\n"
    url = _store(tmp_path, [(data, "reviews.csv", "feedback", {"constants": {"channel": "review"}})])
    at = open_page(monkeypatch, url, "overview")
    assert len(at.metric) == 0
    info = at.info[0].value
    assert "This store holds feedback only" in info and "purchase log (transactions" in info
    assert "Data page" in info
