"""One figure reads the same on every surface: the Overview page, the Quarterly review's table, the printed
report and ``python -m core report`` all write it through core.export.units (issue 18: MRR read "$13,378,448"
on the Overview and "12,746,899" in the review). The Churn drivers model figures, the Health back-test and the
Feedback survey scores are checked the same way against the review's rows of those pages."""

import html
import io
import re

import openpyxl
import pytest

import core
from core.churn.pipeline import TIERS
from core.churn.store import latest_scores
from core.cli.main import main as cli
from core.export import units
from core.metrics import GLOSSARY
from core.review import report as review_report
from core.review import snapshot as review
from core.review import workbook as review_workbook
from tests.pages.conftest import open_page, private_copy, rerun

#: the small demo's data end in October 2026, so the review of 2026-Q4 is as of the Overview's month
QUARTER = "2026-Q4"
FIGURES = {"MRR": "currency", "NRR": "share", "Logo churn rate": "share", "Active customers": "customers"}


@pytest.fixture(scope="module")
def url(small_demo_store, tmp_path_factory):
    return private_copy(f"sqlite:///{small_demo_store}", tmp_path_factory.mktemp("same_figure"))


@pytest.fixture(scope="module")
def snap(url):
    engine = core.make_engine(url)
    yield review.build(engine, QUARTER)
    engine.dispose()


def _review_value(snap, metric, page="Overview"):
    table = review.page_table(snap, page)
    return table.loc[table["metric"] == metric].iloc[0]


def _help(at, label):
    return next(m.help for m in at.metric if m.label == label)


def test_the_overview_and_the_review_write_each_headline_figure_identically(url, snap, monkeypatch):
    at = open_page(monkeypatch, url, "overview")
    shown = {m.label: m.value for m in at.metric}
    for metric, unit in FIGURES.items():
        row = _review_value(snap, metric)
        assert row["unit"] == unit
        assert shown[metric] == units.format_value(row["value"], unit), metric
        assert row["shown"].startswith(shown[metric]), metric  # the review's table cell (plus any interval)
    assert shown["MRR"].startswith("$")


def test_the_printed_report_and_the_cli_write_the_review_figures_as_the_page_does(url, snap, capsys):
    page = html.unescape(review_report.to_html(snap))
    assert cli(["--db", url, "report", "--quarter", QUARTER]) == 0
    printed = capsys.readouterr().out
    for metric, unit in FIGURES.items():
        text = units.format_value(_review_value(snap, metric)["value"], unit)
        assert text in page, metric
        line = next(x for x in printed.splitlines() if metric in x and "Overview" in x)
        assert text in line, (metric, line)


def test_the_churn_model_figures_read_the_same_on_the_page_the_review_the_report_and_the_cli(url, capsys,
                                                                                             monkeypatch):
    """The page saves its model; the review of that store reads the saved card: ROC-AUC and PR-AUC are written
    identically on the page, in the review's table, in the printed report and by the CLI."""
    at = open_page(monkeypatch, url, "churn_drivers")
    shown = {m.label: m.value for m in at.metric}
    engine = core.make_engine(url)
    snap = review.build(engine, QUARTER)
    engine.dispose()
    for label, metric in (("Held-out ROC-AUC", "ROC-AUC"), ("PR-AUC", "PR-AUC")):
        row = _review_value(snap, metric, "Churn drivers")
        assert row["unit"] == "score"
        assert shown[label] == units.format_value(row["value"], "score"), metric
        assert row["shown"].startswith(shown[label] + " ["), metric  # the review adds the interval
    # the page's model table writes the interval as the review's table does
    table = next(d.value for d in at.dataframe if "ROC-AUC" in d.value.columns)
    used = table.loc[table["model"].str.endswith("(used)")].iloc[0]
    assert used["ROC-AUC"] == _review_value(snap, "ROC-AUC", "Churn drivers")["shown"]
    assert f"ROC-AUC {shown['Held-out ROC-AUC']}" in html.unescape(review_report.to_html(snap))
    assert cli(["--db", url, "report", "--quarter", QUARTER]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if "ROC-AUC" in x and "Churn drivers" in x)
    assert shown["Held-out ROC-AUC"] in line, line


def test_the_health_back_test_reads_the_same_on_the_page_and_in_the_review(url, snap, monkeypatch):
    """Back-test AUC (a score, 3 decimals) and the red/green churn ratio (a multiple, '2.50x')."""
    at = open_page(monkeypatch, url, "health_scores")
    shown = {m.label: m.value for m in at.metric}
    auc = _review_value(snap, "Health back-test AUC", "Health scores")
    ratio = _review_value(snap, "Red/green churn ratio", "Health scores")
    assert (auc["unit"], ratio["unit"]) == ("score", "ratio")
    assert shown["Back-test ROC-AUC"] == units.format_value(auc["value"], "score") == auc["shown"]
    assert shown["Red churns ... x green"] == units.format_value(ratio["value"], "ratio") == ratio["shown"]
    assert shown["Red churns ... x green"].endswith("x") and "." in shown["Red churns ... x green"]


def test_the_survey_scores_read_the_same_on_the_page_and_in_the_review(url, snap, monkeypatch):
    """With the sidebar on the review's quarter, NPS, CSAT and CES and their 95 % intervals are written as the
    review writes them (CSAT a share, CES a score)."""
    at = open_page(monkeypatch, url, "feedback_themes")
    rerun(at, dates=(review.quarter_bounds(QUARTER)[0], snap.as_of))
    shown = {m.label: m.value for m in at.metric}
    for metric, unit in (("NPS", "nps"), ("CSAT", "share"), ("CES", "score")):
        row = _review_value(snap, metric, "Feedback themes")
        assert row["unit"] == unit
        assert shown[metric] == units.format_value(row["value"], unit), metric
        low, high = units.format_value(row["low"], unit), units.format_value(row["high"], unit)
        assert row["shown"] == f"{shown[metric]} [{low}, {high}]", metric
        assert f"95 % interval {low} to {high}," in _help(at, metric), metric


#: a health band's name, which must never name a churn-risk tier
BAND_WORD = re.compile(r"\b(red|amber|green)\b", re.IGNORECASE)


def test_no_surface_names_a_risk_tier_like_a_health_band(url, monkeypatch, capsys):
    """Issue 20: "red" named a churn-risk tier (975 customers) and a health band (8.4 %) side by side. Risk tiers
    now read high / medium / low risk on the Churn drivers page, the CLI, the review, its workbook and the glossary;
    red, amber and green name health bands only."""
    at = open_page(monkeypatch, url, "churn_drivers")  # the page saves its model: the review reads its scores
    line = next(m.value for m in at.markdown if m.value.startswith("**Today's customers"))
    assert all(f"{t} " in line for t in TIERS) and not BAND_WORD.search(line)
    assert any(s.label.startswith("High-risk threshold") for s in at.slider)
    assert not any(BAND_WORD.search(s.label) for s in at.slider)
    legend = next(c.value for c in at.caption if "from half of it" in c.value)
    assert "High risk: at or above the threshold; medium risk: from half of it; low risk: below." in legend
    assert not BAND_WORD.search(legend)
    engine = core.make_engine(url)
    scores = latest_scores(engine)
    assert set(scores["tier"]) <= set(TIERS)
    snap = review.build(engine, QUARTER)
    engine.dispose()
    churn = review.page_table(snap, "Churn drivers")
    tiers = churn[churn["metric"] == "Risk tier"]
    counts = scores["tier"].value_counts()
    assert tiers["group"].tolist() == list(TIERS)
    assert tiers["shown"].tolist() == [units.count(counts.get(t, 0)) for t in TIERS]
    assert not churn[["group", "shown", "note"]].apply(lambda c: c.str.contains(BAND_WORD)).any().any()
    # the workbook's Churn drivers sheet, cell by cell
    wb = openpyxl.load_workbook(io.BytesIO(review_workbook.to_xlsx(snap)))
    cells = [str(v) for row in wb["Churn drivers"].iter_rows(values_only=True) for v in row if v is not None]
    assert all(t in cells for t in TIERS) and not [c for c in cells if BAND_WORD.search(c) and "Red, amber" not in c]
    # the command line's tier counts
    assert cli(["--db", url, "churn"]) == 0
    today = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("today ("))
    assert all(f"{t} " in today for t in TIERS) and not BAND_WORD.search(today)
    # the glossary names the tiers, and says the colours are the bands'
    assert GLOSSARY["Risk tier"].startswith("The churn model's tiers: high risk at or above")
    assert "(Red, amber and green name health bands, never risk tiers.)" in GLOSSARY["Risk tier"]
