"""Overview tiles (issue 21): each recurring tile's value and its change against the previous period, and the MRR at
risk, on the small demo, equal an independent pandas computation written here from the store's tables."""

import pandas as pd
import pytest
from streamlit.proto.Metric_pb2 import Metric

import core
from core.churn import pipeline as churn_report
from core.churn import store as churn_store
from core.health import score as h
from core.health import store as hs
from core.history.inputs import load_inputs
from tests.conftest import copy_store
from tests.pages.conftest import open_page
from tests.pages.test_overview_demo import independent


def _url(small_demo_store, folder) -> str:
    return f"sqlite:///{copy_store(small_demo_store, folder)}"


def _tables(url):
    eng = core.make_engine(url)
    cust, rev = core.load_table(eng, "customer"), core.load_table(eng, "revenue")
    return eng, cust, rev


def _month_mrr(rev: pd.DataFrame, month: pd.Period) -> pd.Series:
    """Each customer's MRR in ``month`` (plain pandas, no core helper)."""
    inside = rev[pd.to_datetime(rev["period"]).dt.to_period("M") == month]
    return inside.groupby(inside["customer_id"].astype(str))["mrr"].sum()


def _money_change(x: float) -> str:
    """A change of money as the tiles write it: whole dollars, cents under $100, the sign first."""
    digits = 2 if abs(x) < 100 and not float(x).is_integer() else 0
    return f"{'-' if x < 0 else '+'}${abs(x):,.{digits}f}"


def _expected(cust: pd.DataFrame, rev: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """(value, change) of every recurring tile as of the demo's last revenue month, against the month before."""
    month = pd.to_datetime(rev["period"]).max().to_period("M")
    now, before = independent(cust, rev, str(month)), independent(cust, rev, str(month - 1))
    m_now, m_before = _month_mrr(rev, month), _month_mrr(rev, month - 1)
    arpa_now, arpa_before = m_now[m_now > 0].mean(), m_before[m_before > 0].mean()
    rate = {"Logo churn rate": "logo", "NRR": "nrr", "GRR": "grr"}
    out = {label: (f"{now[k] * 100:.1f}%", f"{(now[k] - before[k]) * 100:+.1f} pts") for label, k in rate.items()}
    out["Revenue churn rate"] = (f"{(1 - now['grr']) * 100:.1f}%", f"{(before['grr'] - now['grr']) * 100:+.1f} pts")
    out["Customers"] = (f"{now['customers']:,}", f"{now['customers'] - before['customers']:+,}")
    out["Active customers"] = (f"{now['active']:,}", f"{now['active'] - before['active']:+,}")
    out["MRR"] = (f"${m_now.sum():,.0f}", _money_change(m_now.sum() - m_before.sum()))
    out["ARR"] = (f"${12 * m_now.sum():,.0f}", _money_change(12 * (m_now.sum() - m_before.sum())))
    out["ARPA"] = (f"${arpa_now:,.0f}", _money_change(arpa_now - arpa_before))
    return out


@pytest.fixture(scope="module")
def no_model(small_demo_store, tmp_path_factory):
    return _url(small_demo_store, tmp_path_factory.mktemp("tiles"))


def test_every_tile_and_its_change_equal_pandas(no_model, monkeypatch):
    eng, cust, rev = _tables(no_model)
    eng.dispose()
    at = open_page(monkeypatch, no_model, "overview")
    tiles = {m.label: m for m in at.metric}
    want = _expected(cust, rev)
    assert {k: (tiles[k].value, tiles[k].delta) for k in want} == want
    assert [m.label for m in at.metric][:9] == ["Customers", "Active customers", "Logo churn rate", "MRR", "ARR",
                                                "ARPA", "NRR", "GRR", "Revenue churn rate"]
    for label in want:  # every tile's help is its glossary definition
        assert tiles[label].help == core.metrics.GLOSSARY[label]
    for label, (_, change) in want.items():  # a rise of churn is red, a rise of anything else green
        up = not change.startswith("-")
        good = up != (label in ("Logo churn rate", "Revenue churn rate"))
        assert Metric.MetricColor.Name(tiles[label].proto.color) == ("GREEN" if good else "RED"), label
    month = pd.to_datetime(rev["period"]).max().to_period("M")
    assert tiles["MRR"].proto.delta_description == f"vs. {(month - 1).strftime('%b %Y')}"
    assert tiles["NRR"].proto.delta_description == f"vs. the 12 months to {(month - 1).strftime('%b %Y')}"


def test_without_a_churn_model_the_page_says_so_and_points_to_churn_drivers(no_model, monkeypatch):
    at = open_page(monkeypatch, no_model, "overview")
    assert "MRR at risk" in [s.value for s in at.subheader]
    assert any("No churn model is saved yet" in i.value and "Churn drivers page" in i.value for i in at.info)
    assert {m.label: m.value for m in at.metric}["MRR at high churn risk"] == "–"
    assert [link.proto.page for link in at.get("page_link")] == ["churn_drivers"]


@pytest.fixture(scope="module")
def with_model(small_demo_store, tmp_path_factory):
    url = _url(small_demo_store, tmp_path_factory.mktemp("tiles_model"))
    eng = core.make_engine(url)
    inputs = load_inputs(eng)
    result = churn_report.fit_churn(inputs, horizon_days=90, n_boot=20)
    version = churn_store.save_run(eng, result, churn_report.default_economics(inputs), core.store_version(eng))
    eng.dispose()
    return url, version


def test_mrr_at_high_churn_risk_is_the_high_risk_customers_mrr(with_model, monkeypatch):
    url, version = with_model
    eng, cust, rev = _tables(url)
    scores = pd.read_sql(f"SELECT customer_id, tier FROM churnscore WHERE version = {version}", eng)
    eng.dispose()
    high = scores.loc[scores["tier"] == "high risk", "customer_id"].astype(str)
    mrr = _month_mrr(rev, pd.to_datetime(rev["period"]).max().to_period("M")).reindex(high, fill_value=0.0)
    assert len(high) > 0 and mrr.sum() > 0
    at = open_page(monkeypatch, url, "overview")
    assert {m.label: m.value for m in at.metric}["MRR at high churn risk"] == f"${mrr.sum():,.0f}"
    table = next(d.value for d in at.dataframe if "tier" in d.value.columns)
    assert sorted(table["customer_id"]) == sorted(high)
    assert table.set_index("customer_id")["mrr"].round(2).to_dict() == mrr.round(2).to_dict()
    assert (table["churn_risk"] == "churn_drivers?customer=" + table["customer_id"]).all()
    assert any(f"churn model v{version}" in c.value for c in at.caption)
    # the sidebar's segment filter narrows the customers behind it: to a segment holding some of the high-risk
    # customers, not all (on the small demo, 1,000 customers, seed 0: 72 high risk, 13 of them Mid-Market, 59 SMB,
    # none Enterprise), the one with the fewest
    segment_of = cust.set_index(cust["customer_id"].astype(str))["segment"]
    held = segment_of.reindex(high).value_counts()
    assert len(held) >= 2, f"the high-risk customers are all in one segment: {held.to_dict()}"
    segment = held.sort_index().idxmin()
    mine = set(segment_of.index[segment_of == segment])
    at.session_state["filters_segment"] = [segment]
    at.run()
    assert not at.exception, at.exception
    narrowed = mrr[mrr.index.isin(mine)]
    assert 0 < narrowed.sum() < mrr.sum()
    assert {m.label: m.value for m in at.metric}["MRR at high churn risk"] == f"${narrowed.sum():,.0f}"
    table = next(d.value for d in at.dataframe if "tier" in d.value.columns)
    assert sorted(table["customer_id"]) == sorted(narrowed.index)


def test_mrr_in_red_is_the_red_band_customers_mrr(with_model, monkeypatch):
    url, _ = with_model
    eng, cust, rev = _tables(url)
    inputs = load_inputs(eng)
    frame, _ = h.measure_frame(inputs, inputs.end())
    cfg, _ = hs.current_config(eng, frame)
    eng.dispose()
    scored = h.score(cfg, frame)  # the bands are core's; the money is summed here
    red = scored.loc[scored["band"] == "red", "customer_id"].astype(str)
    mrr = _month_mrr(rev, pd.to_datetime(rev["period"]).max().to_period("M")).reindex(red, fill_value=0.0)
    assert len(red) > 0
    at = open_page(monkeypatch, url, "overview")
    assert {m.label: m.value for m in at.metric}["MRR in red"] == f"${mrr.sum():,.0f}"
    table = next(d.value for d in at.dataframe if "band" in d.value.columns)
    assert sorted(table["customer_id"]) == sorted(red) and (table["band"] == "red").all()
