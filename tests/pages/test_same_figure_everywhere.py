"""One figure reads the same on every surface: the Overview page, the Quarterly review's table, the printed
report and ``python -m core report`` all write it through core.export.units (issue 18: MRR read "$13,378,448"
on the Overview and "12,746,899" in the review). The Churn drivers model figures, the Health back-test and the
Feedback survey scores are checked the same way against the review's rows of those pages.

Issue 21's acceptance point, in one test: one headline figure of each kind (money, a rate, the churn model's AUC,
the health back-test's AUC, MRR at risk) reads the same, as text, on its page, in the CLI, in the workbook and in
the printed report (:func:`test_one_figure_of_each_kind_reads_the_same_on_all_four_surfaces`)."""

import contextlib
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
from core.review.report import page_id
from tests.pages.conftest import open_page, private_copy, rerun

#: the small demo's data end in October 2026, so the review of 2026-Q4 is as of the Overview's month
QUARTER = "2026-Q4"
FIGURES = {"MRR": "currency", "NRR": "share", "Logo churn rate": "share", "Active customers": "customers"}


@pytest.fixture(scope="module")
def url(small_demo_store, tmp_path_factory):
    return private_copy(f"sqlite:///{small_demo_store}", tmp_path_factory.mktemp("same_figure"))


@pytest.fixture(scope="module")
def pages(url):
    """The Churn drivers, Overview and Health scores pages on the module's store, each opened once (the tests only
    read them): the Churn drivers page first, as it saves its model, which the review and the Overview read."""
    mp = pytest.MonkeyPatch()
    try:
        yield {module: open_page(mp, url, module) for module in ("churn_drivers", "overview", "health_scores")}
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def snap(url, pages):
    """The review of QUARTER, built once after the Churn drivers page saved its model (the page saves one model per
    store version, and nothing in this module imports data: every later build would be the same); only read."""
    engine = core.make_engine(url)
    yield review.build(engine, QUARTER)
    engine.dispose()


@pytest.fixture(scope="module")
def report(snap):
    """The printed report of :func:`snap`, as written (HTML)."""
    return review_report.to_html(snap)


@pytest.fixture(scope="module")
def printed(url, pages):
    """What ``python -m core report --quarter QUARTER`` prints on the module's store once the model is saved (run
    once: the store does not change after, so every run prints the same)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli(["--db", url, "report", "--quarter", QUARTER]) == 0
    return out.getvalue()


#: (page module, the page's metric label, the review's page, the review's metric) of one figure of each kind
EVERY_SURFACE = (("overview", "MRR", "Overview", "MRR"), ("overview", "NRR", "Overview", "NRR"),
                 ("overview", "MRR at high churn risk", "Overview", "MRR at high churn risk"),
                 ("overview", "MRR in red", "Overview", "MRR in red"),
                 ("churn_drivers", "Held-out ROC-AUC", "Churn drivers", "ROC-AUC"),
                 ("health_scores", "Back-test ROC-AUC", "Health scores", "Health back-test AUC"))


def _cli_cells(printed: str, page: str, metric: str) -> list[str]:
    """The cells of ``python -m core report``'s line of ``metric`` on ``page``."""
    rows = [re.split(r"\s{2,}", x.strip()) for x in printed.splitlines()]
    return next(r for r in rows if r[:2] == [page, metric])


def _report_cell(report: str, page: str, metric: str) -> str:
    """The value cell (as the reader sees it) of ``metric``'s row in ``page``'s section of the printed report."""
    section = report.split(f'id="{page_id(page)}"', 1)[1].split("</section>", 1)[0]
    hit = re.search(rf'<tr><td>{re.escape(html.escape(metric))}</td>(?:<td>[^<]*</td>)?<td class="val">([^<]*)</td>',
                    section)
    assert hit, (page, metric)
    return html.unescape(hit.group(1))


def _workbook_cell(wb, page: str, metric: str) -> str:
    """The "As shown" cell of ``metric``'s row on ``page``'s sheet of the workbook."""
    rows = list(wb[page].iter_rows(values_only=True))
    col = rows[0].index("As shown")
    return next(r[col] for r in rows[1:] if r[0] == metric)


def test_one_figure_of_each_kind_reads_the_same_on_all_four_surfaces(url, pages, snap, report, printed, capsys):
    """The page (its tile), ``python -m core report`` (and ``overview`` for the Overview's), the board workbook's
    page sheet and the printed report's page table write each figure with the same characters (the review adds a
    model figure's 95 % interval after it)."""
    shown = {}
    for module in ("churn_drivers", "overview", "health_scores"):  # the churn page saves its model first
        shown |= {(module, m.label): m.value for m in pages[module].metric}
    wb = openpyxl.load_workbook(io.BytesIO(review_workbook.to_xlsx(snap)))
    capsys.readouterr()
    assert cli(["--db", url, "overview"]) == 0
    overview = capsys.readouterr().out.splitlines()
    for module, label, page, metric in EVERY_SURFACE:
        text = shown[(module, label)]
        assert re.search(r"\d", text), (label, text)  # a figure, not "–"
        for surface, cell in (("cli", _cli_cells(printed, page, metric)[2]),
                              ("workbook", _workbook_cell(wb, page, metric)),
                              ("report", _report_cell(report, page, metric))):
            assert cell == text or cell.startswith(text + " ["), (surface, metric, text, cell)
        if page == "Overview":
            line = next(x for x in overview if x.strip().startswith(metric + "  "))
            assert re.split(r"\s{2,}", line.strip())[1] == text, (metric, line)


def _review_value(snap, metric, page="Overview"):
    table = review.page_table(snap, page)
    return table.loc[table["metric"] == metric].iloc[0]


def _help(at, label):
    return next(m.help for m in at.metric if m.label == label)


def test_the_overview_and_the_review_write_each_headline_figure_identically(pages, snap):
    at = pages["overview"]
    shown = {m.label: m.value for m in at.metric}
    for metric, unit in FIGURES.items():
        row = _review_value(snap, metric)
        assert row["unit"] == unit
        assert shown[metric] == units.format_value(row["value"], unit), metric
        assert row["shown"].startswith(shown[metric]), metric  # the review's table cell (plus any interval)
    assert shown["MRR"].startswith("$")


def test_the_printed_report_and_the_cli_write_the_review_figures_as_the_page_does(snap, report, printed):
    page = html.unescape(report)
    for metric, unit in FIGURES.items():
        text = units.format_value(_review_value(snap, metric)["value"], unit)
        assert text in page, metric
        line = next(x for x in printed.splitlines() if metric in x and "Overview" in x)
        assert text in line, (metric, line)


def test_the_churn_model_figures_read_the_same_on_the_page_the_review_the_report_and_the_cli(pages, snap, report,
                                                                                             printed):
    """The page saves its model; the review of that store reads the saved card: ROC-AUC and PR-AUC are written
    identically on the page, in the review's table, in the printed report and by the CLI."""
    at = pages["churn_drivers"]
    shown = {m.label: m.value for m in at.metric}
    for label, metric in (("Held-out ROC-AUC", "ROC-AUC"), ("PR-AUC", "PR-AUC")):
        row = _review_value(snap, metric, "Churn drivers")
        assert row["unit"] == "score"
        assert shown[label] == units.format_value(row["value"], "score"), metric
        assert row["shown"].startswith(shown[label] + " ["), metric  # the review adds the interval
    # the page's model table writes the interval as the review's table does
    table = next(d.value for d in at.dataframe if "ROC-AUC" in d.value.columns)
    used = table.loc[table["model"].str.endswith("(used)")].iloc[0]
    assert used["ROC-AUC"] == _review_value(snap, "ROC-AUC", "Churn drivers")["shown"]
    assert f"ROC-AUC {shown['Held-out ROC-AUC']}" in html.unescape(report)
    line = next(x for x in printed.splitlines() if "ROC-AUC" in x and "Churn drivers" in x)
    assert shown["Held-out ROC-AUC"] in line, line


def test_the_health_back_test_reads_the_same_on_the_page_and_in_the_review(pages, snap):
    """Back-test AUC (a score, 3 decimals) and the red/green churn ratio (a multiple, '2.50x')."""
    at = pages["health_scores"]
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
BAND_WORD = re.compile(r"\b(?:red|amber|green)\b", re.IGNORECASE)


def test_no_surface_names_a_risk_tier_like_a_health_band(url, pages, snap, capsys):
    """Issue 20: "red" named a churn-risk tier (975 customers) and a health band (8.4 %) side by side. Risk tiers
    now read high / medium / low risk on the Churn drivers page, the CLI, the review, its workbook and the glossary;
    red, amber and green name health bands only."""
    at = pages["churn_drivers"]  # the page saves its model: the review reads its scores
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
