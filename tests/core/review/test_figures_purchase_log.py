"""A review's Overview figures (core/review/figures.py ``overview``) are the Overview page's on every kind of store
(issue 20): on the CDNOW purchase log (its published 1/10 sample), the buyer figures as of the quarter's end, equal to
pandas on the file, with the reason there is no MRR as the first figure's note (before: MRR $0, NRR and GRR "–", active
customers 23,570, logo churn 0.0 %); on a mix, the recurring headline and the buyer figures once each; on a recurring
book, the seven figures as before. ``python -m core report --quarter 1998-Q2`` prints and writes them; the printable
report's headline shows the buyers."""

import datetime as dt
import math

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

import core
from core.cli.main import main
from core.review import charts, figures, report
from core.review import saved as review_saved
from tests.pages import store_kinds
from tests.pages.test_overview import CUSTOMERS, REVENUE
from tests.pages.test_overview_stores import PURCHASES

RECURRING = ["Customers", "Active customers", "Logo churn rate", "MRR", "ARR", "ARPA", "NRR", "GRR",
             "Revenue churn rate"]
BUYERS = ["Active buyers", "Repeat-purchase rate", "Revenue", "Revenue per buyer", "Purchase frequency"]
#: the quarter's MRR movements, after the headline (core.review.figures.quarter_movements)
MOVEMENTS = ["New MRR", "Expansion MRR", "Reactivation MRR", "Contraction MRR", "Churned MRR"]


@pytest.fixture(scope="module")
def cdnow_url(tmp_path_factory) -> str:
    return store_kinds.build("cdnow_sample", tmp_path_factory.mktemp("review_cdnow"))


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return store_kinds.cdnow_sample_raw()


def _store(folder, files) -> Engine:
    engine = core.make_engine(f"sqlite:///{folder / 'store.db'}")
    for data, name, kind in files:
        core.commit_import(engine, core.prepare_import(engine, data, name, kind))
    return engine


def buyers(raw: pd.DataFrame, first: str, last: str) -> dict[str, float]:
    """The buyer figures over [first, last] from the purchases alone (unrounded)."""
    inside = raw[(raw["date"] >= first) & (raw["date"] <= last)]
    days = inside.groupby("customer_id")["date"].nunique()
    revenue = math.fsum(inside["dollar_value"])
    return {"Customers": float((raw.groupby("customer_id")["date"].min() <= last).sum()),
            "Active buyers": float(len(days)), "Repeat-purchase rate": float((days >= 2).mean()),
            "Revenue": revenue, "Revenue per buyer": revenue / len(days), "Purchase frequency": float(days.mean())}


def _values(rows) -> dict[str, float]:
    return {r["metric"]: r["value"] for r in rows}


@pytest.mark.parametrize("as_of, first", [(dt.date(1998, 6, 30), "1997-07-01"), (dt.date(1997, 12, 31), "1997-01-01")])
def test_a_purchase_log_reviews_its_buyers(cdnow_url, raw, as_of, first):
    engine = core.make_engine(cdnow_url)
    rows = figures.overview(engine, as_of)
    engine.dispose()
    assert [r["metric"] for r in rows] == ["Customers", *BUYERS]  # no MRR, NRR, GRR or logo churn row
    want = buyers(raw, first, as_of.isoformat())
    assert _values(rows) == pytest.approx(want, rel=1e-12)
    assert rows[0]["text"].startswith("There is no recurring revenue in this store: it is a purchase log, so the "
                                      "Overview cannot show MRR, NRR, GRR or revenue churn")
    assert all(r["text"] == "" for r in rows[1:])
    assert all(charts.UNIT_OF[r["metric"]] == r["unit"] for r in rows)  # a comparison keeps each figure's unit


def test_a_mix_reviews_the_book_and_its_buyers_once_each(tmp_path):
    engine = _store(tmp_path, [(CUSTOMERS, "c.csv", "customers"), (REVENUE, "r.csv", "revenue"),
                               (PURCHASES, "p.csv", "transactions")])
    rows = figures.overview(engine, dt.date(2025, 1, 31))
    engine.dispose()
    assert [r["metric"] for r in rows] == RECURRING + BUYERS + MOVEMENTS
    got = _values(rows)
    assert (got["Customers"], got["MRR"]) == (7, 150 + 60 + 50 + 999)  # the book's five, P1 and P2
    assert (got["Active buyers"], got["Revenue"], got["Purchase frequency"]) == (2, 40 + 60 + 25 + 10 - 10, 1.5)
    assert all(r["text"] == "" for r in rows if r["metric"] not in MOVEMENTS)  # a mix with MRR lacks nothing


def test_a_recurring_book_keeps_its_seven_figures(tmp_path):
    engine = _store(tmp_path, [(CUSTOMERS, "c.csv", "customers"), (REVENUE, "r.csv", "revenue")])
    rows = figures.overview(engine, dt.date(2025, 1, 31))
    engine.dispose()
    assert [r["metric"] for r in rows] == RECURRING + MOVEMENTS
    assert _values(rows)["NRR"] == pytest.approx((150 + 60 + 50) / (100 + 200 + 100 + 50))


def test_the_cli_report_and_the_printable_report_show_the_buyers(cdnow_url, raw, tmp_path, capsys):
    # built once (a review of CDNOW takes seconds) and saved: the file and the printable report read that snapshot
    assert main(["--db", cdnow_url, "report", "--quarter", "1998-Q2", "--save"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("1998-Q2 as of 1998-06-30; ")
    lines = [ln for ln in printed if ln.strip().startswith("Overview ")]
    want = buyers(raw, "1997-07-01", "1998-06-30")
    assert [ln.split()[1] for ln in lines] == ["Customers", "Active", "Repeat-purchase", "Revenue", "Revenue",
                                               "Purchase"]
    assert f"${want['Revenue']:,.0f}" in lines[3] and "There is no recurring revenue" in lines[0]
    engine = core.make_engine(cdnow_url)
    (saved,) = review_saved.snapshots(engine)["id"]
    out = tmp_path / "q2.csv"
    assert main(["--db", cdnow_url, "report", "--snapshot", str(saved), "--out", str(out)]) == 0
    written = pd.read_csv(out)
    overview = written[written["page"] == "Overview"].set_index("metric")["value"]
    assert overview.to_dict() == pytest.approx(want, rel=1e-12)
    assert "MRR" not in overview.index
    health = written[written["page"] == "Health scores"].set_index("metric")
    assert "Health band" in health.index and "MRR in red" not in health.index  # no "$0" of MRR in red

    snap = review_saved.load(engine, int(saved))
    engine.dispose()
    html = report.to_html(snap)
    headline = html.split('<section id="headline">')[1].split("</section>")[0]
    assert "Active buyers" in headline and f"{int(want['Active buyers']):,}" in headline
    assert ">MRR<" not in headline and ">MRR in red<" not in headline and "no headline figures" not in headline
