"""A snapshot's figures (core/review/figures.py) on a snapshot store: the figures built from the snapshot's customers
say so ("from the snapshot of DAY"), and a quarter before its day says why no churn shows; health's "Customers
scored" says why nobody is banded. A store without a snapshot gets no such note."""

import dataclasses
import datetime as dt
import math

import pandas as pd
import pytest

import core
from core import metrics
from core.health import backtest as hb
from core.review import charts, figures, report_blocks
from core.review import snapshot as review

TELCO = "telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv"


@pytest.fixture(scope="module")
def telco(tmp_path_factory, shared):
    engine = core.make_engine(f"sqlite:///{tmp_path_factory.mktemp('review_telco') / 'store.db'}")
    path = shared / TELCO
    core.commit_import(engine, core.prepare_import(engine, path.read_bytes(), path.name, "customers",
                                                   as_of="2024-01-31"), strict=False)
    yield engine
    engine.dispose()


def _overview(snap) -> pd.DataFrame:
    return review.page_table(snap, "Overview").set_index("metric")


def test_the_quarter_of_the_snapshot_labels_its_figures(telco, shared):
    snap = review.build(telco, "2024-Q1")
    o = _overview(snap)
    assert (o["note"] == "from the snapshot of 2024-01-31").all()
    raw = pd.read_csv(shared / TELCO)
    assert o.at["Customers", "shown"] == f"{len(raw):,}"
    health = review.page_table(snap, "Health scores").set_index("metric")
    scored = health.loc["Customers scored"]
    assert scored["shown"] == "0"
    assert scored["note"].startswith("No customer has the 3 measures a health band needs")
    assert scored["note"].endswith("; from the snapshot of 2024-01-31")


def test_a_quarter_before_the_snapshot_says_why_logo_churn_reads_zero(telco):
    snap = review.build(telco, "2023-Q4")
    churn = _overview(snap).loc["Logo churn rate"]
    assert churn["shown"] == "0.0%"  # the figure itself, not hidden ...
    assert churn["note"] == ("from the snapshot of 2024-01-31, a later day: all its churn is dated on that day, so "
                             "none shows before it")  # ... but labelled


def test_rows_of_a_store_without_a_snapshot_are_left_alone(engine):
    rows = [figures.row("Overview", "Logo churn rate", 0.1, unit="share"),
            figures.row("Health scores", "Customers scored", 5, unit="customers", text_="as is")]
    before = [dict(r) for r in rows]
    assert figures.snapshot_notes(engine, dt.date(2024, 1, 31), rows) == before


def test_only_the_named_pages_are_labelled(telco):
    rows = [figures.row("Overview", "MRR", 0.0, unit="currency"),
            figures.row("Feedback themes", "NPS", 10.0, unit="nps")]
    out = figures.snapshot_notes(telco, dt.date(2024, 3, 31), rows)
    assert [r["text"] for r in out] == ["from the snapshot of 2024-01-31", ""]


def test_undated_verbatims_are_said_to_count_only_in_an_all_dates_view():
    """Reviews exported without a date fall in no quarter: the review's Feedback section says how many there are
    and where they count, instead of "no verbatim was dated"."""
    fb = pd.DataFrame({"text": ["Love it", "Too small, returning it", "Great fabric", "Would not buy again", "Meh"],
                       "date": ["2024-02-01", "", "", "2024-05-01", ""]})
    engine = core.make_engine("sqlite://")
    core.commit_import(engine, core.prepare_import(engine, fb.to_csv(index=False).encode(), "fb.csv", "feedback",
                                                   constants={"channel": "review"}), strict=False)
    rows, _ = figures.themes(engine, dt.date(2024, 3, 31), dt.date(2024, 1, 1), 5)
    undated = [r for r in rows if r["metric"] == "Undated verbatims"]
    assert len(undated) == 1 and undated[0]["value"] == (fb["date"] == "").sum() == 3
    assert undated[0]["text"].startswith("3 verbatims have no date") and "all-dates view" in undated[0]["text"]
    assert metrics.definition("Undated verbatims") and charts.UNIT_OF["Undated verbatims"] == undated[0]["unit"]
    engine.dispose()


def test_a_red_green_ratio_without_a_number_says_why_in_words(small_demo_store, monkeypatch):
    """Green without a churner has no ratio: the review's row says so (the row read "–" alone), and the report's
    health sentence carries the words instead of leaving the back-test out."""
    real = hb.evaluate

    def no_green_churner(cfg, data, cutoffs=None):
        bt = real(cfg, data, cutoffs)
        bands = bt.bands.copy()
        bands.loc[bands["band"] == "green", "churners"] = 0
        return dataclasses.replace(bt, bands=bands, red_green_ratio=float("nan"))

    engine = core.make_engine(f"sqlite:///{small_demo_store}")  # only read
    monkeypatch.setattr(hb, "evaluate", no_green_churner)
    rows, _ = figures.health(engine, dt.date(2026, 6, 30), 6, 90)
    ratio = [r for r in rows if r["metric"] == "Red/green churn ratio"]
    assert len(ratio) == 1 and math.isnan(ratio[0]["value"])
    assert ratio[0]["text"] == "no green customer churned"
    clause = report_blocks.red_green(pd.DataFrame(ratio))
    assert clause == "; in the back-test, red against green: no green customer churned"
    monkeypatch.setattr(hb, "evaluate", real)
    rows, _ = figures.health(engine, dt.date(2026, 6, 30), 6, 90)
    ratio = [r for r in rows if r["metric"] == "Red/green churn ratio"]
    assert ratio[0]["text"] == "" and ratio[0]["value"] > 1
    assert report_blocks.red_green(pd.DataFrame(ratio)) == (f"; in the back-test, red customers churned "
                                                            f"{ratio[0]['value']:.2f}x as often as green ones")
    assert report_blocks.red_green(pd.DataFrame(columns=["value", "text"])) == ""
    engine.dispose()
