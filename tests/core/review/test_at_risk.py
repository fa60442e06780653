"""MRR at risk in the review and the CLI (issue 21): MRR at high churn risk (the newest saved churn scores' high-risk
tier) and MRR in red, with the customers behind them, in the snapshot's Overview, the workbook's "MRR at risk" sheet,
the printed report, ``python -m core overview`` (and its ``--at-risk-out`` file) and a saved snapshot, each equal to
an independent computation (sqlite + pandas)."""

import html
import io
import sqlite3

import openpyxl
import pandas as pd
import pytest

import core
from core.cli.main import main as cli
from core.export import units
from core.review import report as review_report
from core.review import saved as review_saved
from core.review import snapshot as review
from core.review import workbook as review_workbook
from tests.conftest import copy_store

#: the small demo's data end in October 2026: the review of 2026-Q4 is as of the Overview's month
QUARTER, MONTH = "2026-Q4", "2026-10"
HIGH, RED = "MRR at high churn risk", "MRR in red"


@pytest.fixture(scope="module")
def url(small_demo_store, tmp_path_factory):
    """A private copy of the small demo with a churn model saved by the CLI (its scores carry the tiers)."""
    path = copy_store(small_demo_store, tmp_path_factory.mktemp("at_risk"))
    url = f"sqlite:///{path}"
    assert cli(["--db", url, "churn", "--save"]) == 0
    return url


@pytest.fixture(scope="module")
def snap(url):
    engine = core.make_engine(url)
    yield review.build(engine, QUARTER)
    engine.dispose()


def _pandas_high(url) -> pd.Series:
    """MRR in October 2026 of each customer in the high-risk tier of the newest saved scores, straight from sqlite."""
    with sqlite3.connect(url.split("///", 1)[1]) as con:
        scores = pd.read_sql("SELECT customer_id, tier, version FROM churnscore", con)
        revenue = pd.read_sql("SELECT customer_id, period, mrr FROM revenue", con)
    scores = scores[scores["version"] == scores["version"].max()]
    high = scores.loc[scores["tier"] == "high risk", "customer_id"].astype(str)
    month = revenue[revenue["period"].astype(str).str.startswith(MONTH)]
    mrr = month.groupby(month["customer_id"].astype(str))["mrr"].sum()
    return mrr.reindex(high, fill_value=0.0)


def _row(snap, metric, page="Overview"):
    f = snap.figures
    return f[(f["page"] == page) & (f["metric"] == metric)].iloc[0]


def test_the_review_holds_mrr_at_high_churn_risk_as_pandas_computes_it(url, snap):
    want = _pandas_high(url)
    assert len(want) > 10
    got = _row(snap, HIGH)
    assert got["unit"] == "currency"
    assert got["value"] == pytest.approx(want.sum())
    assert got["text"].startswith(f"{units.count(len(want))} customers in the high-risk tier of churn model v1")
    listed = snap.at_risk[snap.at_risk["figure"] == HIGH].set_index("customer_id")["mrr"]
    assert sorted(listed.index) == sorted(want.index)
    pd.testing.assert_series_equal(listed.sort_index(), want.sort_index(), check_names=False)
    assert listed.is_monotonic_decreasing  # largest MRR first


def test_mrr_in_red_matches_the_health_page_figure_and_its_customers(url, snap):
    """The Overview's MRR in red equals the Health scores page's (its own path through the health frame's MRR), and
    the customers behind it sum to it with their October MRR from sqlite."""
    red = _row(snap, RED)
    assert red["value"] == pytest.approx(_row(snap, RED, "Health scores")["value"])
    listed = snap.at_risk[snap.at_risk["figure"] == RED]
    assert set(listed["group"]) == {"red"} and len(listed) > 10
    with sqlite3.connect(url.split("///", 1)[1]) as con:
        revenue = pd.read_sql("SELECT customer_id, period, mrr FROM revenue", con)
    month = revenue[revenue["period"].astype(str).str.startswith(MONTH)]
    mrr = month.groupby("customer_id")["mrr"].sum().reindex(listed["customer_id"], fill_value=0.0)
    assert mrr.to_numpy() == pytest.approx(listed["mrr"].to_numpy())
    assert red["value"] == pytest.approx(mrr.sum())


def test_the_cli_overview_prints_the_figures_and_writes_the_customers(url, snap, tmp_path, capsys):
    out = tmp_path / "at_risk.csv"
    assert cli(["--db", url, "overview", "--at-risk-out", str(out)]) == 0
    printed = capsys.readouterr().out
    for metric in (HIGH, RED):
        line = next(x for x in printed.splitlines() if x.strip().startswith(metric))
        assert units.format_value(_row(snap, metric)["value"], "currency") in line, line
        assert _row(snap, metric)["text"] in line
    written = pd.read_csv(out, dtype={"Customer": str})
    assert written.columns.tolist() == ["Figure", "Customer", "MRR ($)", "Risk tier or health band"]
    assert written["Customer"].tolist() == snap.at_risk["customer_id"].tolist()
    assert written["MRR ($)"].to_numpy() == pytest.approx(snap.at_risk["mrr"].to_numpy())


def test_a_store_without_recurring_revenue_refuses_the_list(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    core.make_engine(url).dispose()
    assert cli(["--db", url, "overview", "--at-risk-out", str(tmp_path / "x.csv")]) == 2
    assert not (tmp_path / "x.csv").exists()


def test_the_workbook_and_the_report_carry_the_figures_and_the_list(snap):
    wb = openpyxl.load_workbook(io.BytesIO(review_workbook.to_xlsx(snap)))
    assert "MRR at risk" in wb.sheetnames
    rows = list(wb["MRR at risk"].iter_rows(values_only=True))
    assert rows[0] == ("Figure", "Customer", "MRR ($)", "Risk tier or health band")
    body = pd.DataFrame(rows[1:], columns=["figure", "customer_id", "mrr", "group"])
    pd.testing.assert_frame_equal(body, snap.at_risk.reset_index(drop=True), check_dtype=False)
    overview = {r[0]: r for r in wb["Overview"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert overview[HIGH][2] == pytest.approx(_row(snap, HIGH)["value"])
    page = html.unescape(review_report.to_html(snap))
    assert f"{HIGH}</div><div class=\"value\">{units.format_value(_row(snap, HIGH)['value'], 'currency')}" in page


def test_a_saved_snapshot_keeps_the_customers(url, snap):
    engine = core.make_engine(url)
    sid = review_saved.save(engine, review.build(engine, QUARTER))
    back = review_saved.load(engine, sid)
    engine.dispose()
    pd.testing.assert_frame_equal(back.at_risk, snap.at_risk)
    assert "at_risk_customers" not in back.versions
    pd.testing.assert_frame_equal(back.figures, snap.figures)
