"""Overview (pages/overview.py) on the demo data (a copy of the session's small demo store: 1,000 customers, seed 0)
equals an independent pandas computation, to the cent and the basis point."""

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import core
from core import metrics
from tests.conftest import copy_store
from tests.pages.conftest import rerun

ROOT = Path(__file__).resolve().parents[2]


def independent(cust: pd.DataFrame, rev: pd.DataFrame, as_of_month: str) -> dict:
    """Written apart from core.metrics: plain filters and merges, no shared helpers."""
    end = pd.Period(as_of_month, "M")
    start_day = (end - 12).end_time.normalize()           # last day before the 12-month window
    last_day = end.end_time.normalize()
    signup = pd.to_datetime(cust["signup_date"])
    churn = pd.to_datetime(cust["churn_date"])
    starters = cust.loc[(signup <= start_day) & (churn.isna() | (churn > start_day)), "customer_id"]
    left = cust.set_index("customer_id").loc[starters, "churn_date"]
    logo = (pd.to_datetime(left) <= last_day).sum() / len(starters)
    month = pd.to_datetime(rev["period"]).dt.to_period("M")
    base = rev[month == end - 12].groupby("customer_id")["mrr"].sum()
    now = rev[month == end].groupby("customer_id")["mrr"].sum()
    both = pd.DataFrame({"base": base, "now": now}).reindex(starters).fillna(0.0)
    nrr = both["now"].sum() / both["base"].sum()
    grr = both[["now", "base"]].min(axis=1).sum() / both["base"].sum()
    active = ((signup <= last_day) & (churn.isna() | (churn > last_day))).sum()
    signed_up = (signup.isna() | (signup <= last_day)).sum()
    return {"logo": logo, "nrr": nrr, "grr": grr, "mrr": now.sum(), "active": active, "customers": signed_up}


@pytest.fixture(scope="module")
def demo_store(small_demo_store, tmp_path_factory):
    """(url, customers, revenue) of a private copy of the session's small demo store (no churn model or health
    configuration saved by other tests), the tables as the store gives them back."""
    path = copy_store(small_demo_store, tmp_path_factory.mktemp("overview_small_demo"))
    eng = core.make_engine(f"sqlite:///{path}")
    cust, rev = core.load_table(eng, "customer"), core.load_table(eng, "revenue")
    eng.dispose()
    return f"sqlite:///{path}", cust, rev


def test_core_headline_equals_independent_computation(demo_store):
    _, cust, rev = demo_store
    last = pd.to_datetime(rev["period"]).max().strftime("%Y-%m")
    h = metrics.headline(cust, rev)
    ind = independent(cust, rev, last)
    assert round(h.mrr, 2) == round(ind["mrr"], 2)
    assert round(h.nrr, 4) == round(ind["nrr"], 4)
    assert round(h.grr, 4) == round(ind["grr"], 4)
    assert round(h.logo_churn_rate, 4) == round(ind["logo"], 4)
    assert round(h.revenue_churn_rate, 4) == round(1 - ind["grr"], 4)
    assert h.active_customers == ind["active"]
    # plausibility for a B2B book with 1-3 % monthly logo churn
    assert 0.10 < h.logo_churn_rate < 0.35 and 0.7 < h.grr <= 1.0 and h.nrr > h.grr


def test_overview_page_shows_those_figures(demo_store, monkeypatch):
    url, cust, rev = demo_store
    monkeypatch.setenv("RETENTION_DB_URL", url)
    monkeypatch.setenv("RETENTION_DEMO", "0")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    last = pd.to_datetime(rev["period"]).max().strftime("%Y-%m")
    ind = independent(cust, rev, last)
    shown = {m.label: m.value for m in at.metric}
    assert shown["Customers"] == f"{ind['customers']:,}"
    assert shown["Active customers"] == f"{ind['active']:,}"
    assert shown["MRR"] == f"${ind['mrr']:,.0f}"
    assert shown["NRR"] == f"{ind['nrr'] * 100:.1f}%"
    assert shown["GRR"] == f"{ind['grr'] * 100:.1f}%"
    assert shown["Logo churn rate"] == f"{ind['logo'] * 100:.1f}%"
    assert shown["Revenue churn rate"] == f"{(1 - ind['grr']) * 100:.1f}%"


def test_customers_and_every_figure_count_as_of_the_end_of_the_range(demo_store, monkeypatch):
    """Issue 20: with the range ending 2025-06-30 the Overview counted all the demo's customers (5,000 then) where
    fewer had signed up; now Customers, like every other tile, is as of that day."""
    url, cust, rev = demo_store
    monkeypatch.setenv("RETENTION_DB_URL", url)
    monkeypatch.setenv("RETENTION_DEMO", "0")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    rerun(at, dates=(dt.date(2024, 7, 1), dt.date(2025, 6, 30)))
    assert "Trailing 12 months to 30 Jun 2025" in at.caption[0].value
    ind = independent(cust, rev, "2025-06")
    signed_up = (pd.to_datetime(cust["signup_date"]) <= "2025-06-30").sum()
    assert ind["customers"] == signed_up < len(cust)
    shown = {m.label: m.value for m in at.metric}
    assert shown == {"Customers": f"{signed_up:,}", "Active customers": f"{ind['active']:,}",
                     "Logo churn rate": f"{ind['logo'] * 100:.1f}%",
                     "Revenue churn rate": f"{(1 - ind['grr']) * 100:.1f}%", "MRR": f"${ind['mrr']:,.0f}",
                     "ARR": f"${12 * ind['mrr']:,.0f}", "ARPA": shown["ARPA"],  # ARPA: test_overview_tiles.py
                     "NRR": f"{ind['nrr'] * 100:.1f}%", "GRR": f"{ind['grr'] * 100:.1f}%",
                     # the MRR at risk depends on a saved churn model: tests/pages/test_overview_tiles.py checks
                     # it against pandas on copies of the small demo, without and with a model
                     "MRR at high churn risk": shown["MRR at high churn risk"], "MRR in red": shown["MRR in red"]}
    # one section (untitled), the MRR at risk, then the movements
    assert [h.value for h in at.subheader] == ["MRR at risk", "MRR movements"]
    assert not [c for c in at.caption if "purchase log" in c.value]  # no notes
