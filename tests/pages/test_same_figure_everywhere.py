"""One figure reads the same on every surface: the Overview page, the Quarterly review's table, the printed
report and ``python -m core report`` all write it through core.export.units (issue 18: MRR read "$13,378,448"
on the Overview and "12,746,899" in the review)."""

import html

import pytest

import core
from core.cli.main import main as cli
from core.export import units
from core.review import report as review_report
from core.review import snapshot as review
from tests.pages.conftest import open_page, private_copy

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


def _review_value(snap, metric):
    table = review.page_table(snap, "Overview")
    return table.loc[table["metric"] == metric].iloc[0]


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
