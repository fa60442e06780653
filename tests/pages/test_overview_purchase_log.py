"""The Overview (pages/overview.py) on a purchase log (the CDNOW file, imported as the Data page imports it): buyer
tiles instead of empty MRR tiles, revenue retention by cohort, a caption saying why; every figure equal to an
independent pandas computation on the file read in place."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import core
from core.export import units
from core.metrics import GLOSSARY
from tests.pages.conftest import open_page, rerun
from tests.pages.shown import column_types, display_values

BUYER_TILES = ["Customers", "Active buyers", "Repeat-purchase rate", "Revenue", "Revenue per buyer",
               "Purchase frequency"]


@pytest.fixture(scope="module")
def raw(shared) -> pd.DataFrame:
    df = pd.read_csv(shared / "cdnow/CDNOW_master.txt", sep=r"\s+", dtype={"customer_id": str, "date": str})
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
    return df


@pytest.fixture(scope="module")
def url(shared, tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cdnow') / 'store.db'}"
    engine = core.make_engine(url)
    path = shared / "cdnow/CDNOW_master.txt"
    core.commit_import(engine, core.prepare_import(engine, path.read_bytes(), path.name, "transactions"))
    engine.dispose()
    return url


def independent(raw: pd.DataFrame, first: str, last: str) -> dict[str, str]:
    """The tiles over [first, last], written apart from core and formatted by hand."""
    inside = raw[(raw["date"] >= first) & (raw["date"] <= last)]
    days = inside.groupby("customer_id")["date"].nunique()
    revenue = inside["dollar_value"].sum()
    per_buyer = revenue / len(days)
    signed_up = (raw.groupby("customer_id")["date"].min() <= last).sum()
    assert revenue >= 100 and days.mean() < 100  # a frequency with one decimal
    cents = ".2f" if per_buyer < 100 else ".0f"  # the money rule: an amount under $100 keeps its cents
    return {"Customers": f"{signed_up:,}", "Active buyers": f"{len(days):,}",
            "Repeat-purchase rate": f"{(days >= 2).mean() * 100:.1f}%", "Revenue": f"${revenue:,.0f}",
            "Revenue per buyer": f"${per_buyer:,{cents}}", "Purchase frequency": f"{days.mean():.1f}"}


def cohort_cells(raw: pd.DataFrame, last: str) -> pd.DataFrame:
    """Revenue in month k over month 0 per cohort of first purchase, months up to ``last``'s."""
    df = raw[raw["date"] <= last]
    month = df["date"].dt.to_period("M")
    cohort = month.groupby(df["customer_id"]).transform("min")
    k = (month.dt.year - cohort.dt.year) * 12 + month.dt.month - cohort.dt.month
    cells = df.groupby([cohort.astype(str), k])["dollar_value"].sum().unstack()
    return cells.div(cells[0], axis=0)


def _tiles(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_cdnow_shows_buyer_tiles_equal_to_pandas_and_says_why(url, raw, monkeypatch):
    at = open_page(monkeypatch, url, "overview")
    assert list(_tiles(at)) == BUYER_TILES  # no MRR, NRR or GRR tile reading $0 or "–"
    assert _tiles(at) == independent(raw, "1997-07-01", "1998-06-30")
    assert all(m.help == GLOSSARY[m.label] for m in at.metric)
    captions = " ".join(c.value for c in at.caption)
    assert "no recurring revenue" in captions and "purchase log" in captions
    assert "Trailing 12 months to 30 Jun 1998 (01 Jul 1997 to 30 Jun 1998)" in captions
    buyers = next(m for m in at.metric if m.label == "Active buyers")
    assert len(buyers.proto.chart_data) > 0  # a sparkline over the chosen range

    table = next(d.value for d in at.dataframe if "buyers" in d.value.columns)
    want = cohort_cells(raw, "1998-06-30")
    assert table.index.tolist() == want.index.tolist() == ["1997-01", "1997-02", "1997-03"]
    assert table["buyers"].tolist() == [7846, 8476, 7248]
    got = table.drop(columns="buyers").to_numpy(dtype=float)
    np.testing.assert_allclose(got, want.to_numpy(), rtol=1e-12)  # NaN where a cohort has not reached month k
    assert "Revenue retention by cohort" in [h.value for h in at.subheader]
    assert any(b.label == "Download revenue retention by cohort (CSV)" for b in at.get("download_button"))
    assert len(at.get("vega_lite_chart")) == 1  # the heat map
    # written as the unit formatter writes them: buyers with thousands separators ("7,846"), every share with one
    # decimal, rounded ("20.4%", "9.1%"; the grid's own format mixes "20.41%" with "9.1%", or cuts with a step)
    frame = next(d for d in at.dataframe if "buyers" in d.value.columns)
    config = column_types(frame)
    assert config["buyers"]["format"] == "localized"
    shares = [k for k in config if k != "buyers"]
    assert shares and all(config[k] == {"type": "number"} for k in shares)
    written = display_values(frame)
    for k in shares:
        assert written[k].tolist() == [units.percent(x) for x in frame.value[k]], k


def test_the_end_of_the_range_is_the_as_of_day_of_every_buyer_figure(url, raw, monkeypatch):
    at = open_page(monkeypatch, url, "overview")
    rerun(at, dates=(dt.date(1997, 1, 1), dt.date(1997, 12, 31)))
    assert _tiles(at) == independent(raw, "1997-01-01", "1997-12-31")
    rerun(at, dates=(dt.date(1997, 1, 1), dt.date(1997, 2, 15)))
    shown = _tiles(at)
    # the window ends with February 1997: only the January and February cohorts had signed up
    assert shown == independent(raw, "1996-03-01", "1997-02-28")
    assert shown["Customers"] == f"{7846 + 8476:,}"
    table = next(d.value for d in at.dataframe if "buyers" in d.value.columns)
    assert table.index.tolist() == ["1997-01", "1997-02"]
    np.testing.assert_allclose(table.drop(columns="buyers").to_numpy(dtype=float),
                               cohort_cells(raw, "1997-02-28").to_numpy(), rtol=1e-12)
