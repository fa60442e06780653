"""The printable board pack of a review snapshot (core.review.report, core.review.charts): every figure of every
page is in its page's section as the review shows it, one inline SVG per chart that exists, nothing fetched or
run (no URL, no script), every definition and unit, the text escaped, the charts' data the snapshot's own
figures, and clear errors."""

import dataclasses
import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from core.errors import DataValidationError
from core.export import units
from core.metrics import GLOSSARY
from core.review import charts as rc
from core.review import compare as review_compare
from core.review import log as review_log
from core.review import report as rr
from core.review import saved as review_saved
from core.review import snapshot as review

DECISION = "Stop the <b>renewal</b> offer & rethink pricing"


class Parsed(HTMLParser):
    """The parts of a report the tests read: per section or header with an id, its text pieces, its table
    cells and its <svg> count; and every tag and attribute of the document."""

    TRACKED = ("section", "header")

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.open, self.order = [], []
        self.text, self.cells, self.svgs = {}, {}, {}
        self.tags, self.attrs, self.cell = [], [], None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs
        a = dict(attrs)
        if tag in self.TRACKED:
            self.open.append(a.get("id"))
            if a.get("id"):
                self.order.append(a["id"])
                for d in (self.text, self.cells):
                    d[a["id"]] = []
                self.svgs[a["id"]] = 0
        elif tag == "svg":
            for i in filter(None, self.open):
                self.svgs[i] += 1
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in self.TRACKED:
            self.open.pop()
        elif tag in ("td", "th") and self.cell is not None:
            for i in filter(None, self.open):
                self.cells[i].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data):
        for i in filter(None, self.open):
            self.text[i].append(data)
        if self.cell is not None:
            self.cell.append(data)

    def section(self, ident: str) -> str:
        return " ".join(self.text[ident])


@pytest.fixture(scope="module")
def engine(engine_on_small_demo):
    return engine_on_small_demo


@pytest.fixture(scope="module")
def snap(engine):
    """2026-Q3, saved, with a decision (markup characters in it) and an assumption the board added."""
    built = review.build(engine, "2026-Q3")
    sid = review_saved.save(engine, built)
    review_log.add_decision(engine, sid, decision=DECISION, owner="CFO & COO", rationale="ROI < 0 for 2 quarters",
                            due="2026-12-31")
    review_log.add_assumption(engine, sid, name="Target gross margin", value=0.82, unit="share", owner="CFO",
                              source="FY27 plan")
    return review_saved.load(engine, sid)


@pytest.fixture(scope="module")
def comparison(snap):
    """Against an earlier build on other data with a shorter play window (every figure 5 % lower)."""
    before = review.Snapshot("2026-Q3", snap.as_of, "0" * 64, {**snap.params, "roi_window": 60}, snap.versions,
                             snap.figures.assign(value=snap.figures["value"] * 0.95))
    return review_compare.compare(before, snap)


@pytest.fixture(scope="module")
def report(engine, snap, comparison):
    text = rr.to_html(snap, review_log.decisions(engine, snap.id), review_log.assumptions(engine, snap), comparison)
    return text, Parsed(text)


def test_every_figure_is_in_its_page_section_as_the_review_shows_it(snap, report):
    _, doc = report
    ids = [rr.page_id(p) for p in review.PAGES]
    assert [i for i in doc.order if i in ids] == ids  # one section per page, in review.PAGES order
    shown = 0
    for page in review.PAGES:
        t = review.page_table(snap, page)
        cells, text = doc.cells[rr.page_id(page)], doc.section(rr.page_id(page))
        for r in t.itertuples(index=False):
            assert r.shown in cells, (page, r.metric, r.group, r.shown)
            assert r.metric in cells
            if r.note:
                assert r.note in cells, (page, r.note)
            if r.group:  # in the For column, or heading its run of rows
                assert r.group in text
            assert r.definition in text
            shown += 1
        # the figures of a page are only in its own section
        others = [rr.page_id(p) for p in review.PAGES if p != page]
        for r in t[t["unit"] == "points"].itertuples(index=False):
            assert all(r.shown not in doc.cells[o] for o in others)
    assert shown == len(snap.figures) > 50
    # no churn model was saved on the demo: its section says so instead of a table
    assert "No churn model had been saved" in doc.section("page-churn-drivers")
    assert not doc.cells["page-churn-drivers"]


def test_one_inline_svg_per_chart_that_exists(snap, comparison, report):
    _, doc = report
    per_page = {"page-overview": rc.headline(snap), "page-health-scores": rc.health_bands(snap),
                "page-feedback-themes": rc.theme_impacts(snap), "page-intervention-roi": rc.play_effects(snap),
                "comparison": rc.moves(comparison, snap)}
    assert all(c is not None for c in per_page.values())  # the demo has every chart
    assert doc.tags.count("svg") == len(per_page) == 5
    assert {i: doc.svgs[i] for i in per_page} == dict.fromkeys(per_page, 1)
    assert doc.svgs["page-churn-drivers"] == 0 and doc.svgs["cover"] == 0
    # charts come before their page's table, drawn with a title a leader can read
    assert "Effect of each play on 90-day retention" in doc.section("page-intervention-roi")


def test_the_document_is_self_contained(report):
    text, doc = report
    assert text.startswith("<!DOCTYPE html>")
    assert "http" not in text.lower()
    assert "script" not in doc.tags and "<script" not in text.lower()
    assert not any(k in ("src", "srcset", "action") for k, _ in doc.attrs)
    assert all(v.startswith("#") for k, v in doc.attrs if k in ("href", "xlink:href"))
    assert "url(" not in text and "@import" not in text
    assert not any(k.startswith("on") for k, _ in doc.attrs)  # no event handlers either
    # print CSS: A4, margins, page breaks before the major sections, rows kept whole
    assert "@page { size: A4; margin: 14mm" in text
    assert ".major { break-before: page" in text and "tr { break-inside: avoid" in text


def test_cover_names_what_makes_the_figures_reproducible(snap, report):
    _, doc = report
    cover = doc.section("cover")
    assert "Retention review 2026-Q3" in cover and "30 September 2026" in cover
    assert f"#{snap.id}, saved {snap.created_at:%Y-%m-%d %H:%M} UTC" in cover
    assert snap.data_hash[:12] in cover and snap.data_hash not in cover  # the short hash (the full one at the end)
    assert snap.data_hash in doc.section("versions")
    row = dict(zip(doc.cells["cover"][::2], doc.cells["cover"][1::2]))
    assert row["Churn model"] == "none saved" and row["Codebook"] == f"v{snap.versions['codebook']}"
    assert row["Health configuration"].startswith("none saved")
    # the headline: the Overview's NRR as a tile, and plain sentences
    nrr = snap.figures[snap.figures["metric"] == "NRR"]["value"].iloc[0]
    assert units.format_value(nrr, "share") in doc.section("headline")
    assert "No play clearly keeps more customers" in doc.section("headline")
    unsaved = Parsed(rr.to_html(dataclasses.replace(snap, id=None, created_at=None))).cells["cover"]
    assert dict(zip(unsaved[::2], unsaved[1::2]))["Snapshot"] == "not saved"


def test_definitions_units_and_versions(snap, report):
    _, doc = report
    for metric, text in GLOSSARY.items():
        assert metric in doc.text["definitions"] and text in doc.text["definitions"], metric
    assert len(GLOSSARY) > 40
    cells = doc.cells["units"]
    for unit, meaning in units.UNITS.items():
        assert unit in cells and meaning in cells
    versions = doc.cells["versions"]
    for lib, version in snap.versions["libraries"].items():
        assert lib in versions and version in versions
    assert "Play measurement window" in versions and "90" in versions


def test_decisions_assumptions_and_comparison(engine, snap, comparison, report):
    text, doc = report
    assert DECISION not in text and "<b>renewal" not in text
    assert "Stop the &lt;b&gt;renewal&lt;/b&gt; offer &amp; rethink pricing" in text
    assert DECISION in doc.cells["decisions"] and "CFO & COO" in doc.cells["decisions"]
    assert "ROI &lt; 0 for 2 quarters" in text and "2026-12-31" in doc.cells["decisions"]
    cells = doc.cells["assumptions"]
    assert "Target gross margin" in cells and "82.0%" in cells and "FY27 plan" in cells
    assert "Gross margin" in cells and "80.0%" in cells  # the snapshot's own assumption comes first
    assert cells.index("Gross margin") < cells.index("Target gross margin")
    # the comparison: its causes, and each moved figure before, after and by how much
    moved = doc.section("comparison")
    assert "new data; play measurement window 60 -> 90 days" in moved and "new data" in moved
    nrr = comparison[comparison["metric"] == "NRR"].iloc[0]
    for value in (units.format_value(nrr["before"], "share"), units.format_value(nrr["after"], "share"),
                  units.format_value(nrr["change"], "share", signed=True)):
        assert value in doc.cells["comparison"]
    # every section can be left out; one given empty says so
    bare = Parsed(rr.to_html(snap))
    assert not {"comparison", "decisions", "assumptions"} & set(bare.order)
    assert bare.tags.count("svg") == 4
    empty = rr.to_html(snap, decisions=review_log.decisions(engine, snap.id).iloc[:0])
    assert "No decision has been recorded on this snapshot." in empty


def test_the_charts_data_are_the_snapshots_figures(snap, comparison):
    f = snap.figures

    def rows(page, metric):
        return f[(f["page"] == page) & (f["metric"] == metric)].reset_index(drop=True)

    def dataset(chart):
        spec = chart.to_dict()
        (values,) = [v for v in spec["datasets"].values() if v and {"value", "change"} & set(v[0])]
        return pd.DataFrame(values)

    head = rc.headline(snap)
    want = f[(f["page"] == "Overview") & f["metric"].isin(rc.HEADLINE)].set_index("metric")["value"]
    got = dataset(head).set_index("metric")["value"]
    assert list(got.index) == list(rc.HEADLINE)
    assert got.to_dict() == want.to_dict()
    assert dataset(head)["shown"].tolist() == [units.format_value(want[m], "share") for m in rc.HEADLINE]

    bands = dataset(rc.health_bands(snap))
    want = rows("Health scores", "Health band")
    assert bands["band"].tolist() == want["group"].tolist() == ["red", "amber", "green"]
    assert bands["value"].tolist() == want["value"].tolist() and bands["customers"].tolist() == want["text"].tolist()

    for chart, metric, page, key in ((rc.play_effects(snap), "Play effect", "Intervention ROI", "play"),
                                     (rc.theme_impacts(snap), "Churn impact", "Feedback themes", "theme")):
        d, want = dataset(chart), rows(page, metric)
        assert d[key].tolist() == want["group"].tolist()
        for c in ("value", "low", "high"):
            assert d[c].tolist() == want[c].tolist()
            assert d[{"value": "pts", "low": "pts_low", "high": "pts_high"}[c]].tolist() == pytest.approx(
                (100 * want[c]).tolist())
        assert d["shown"].tolist() == [units.format_value(v, "points") for v in want["value"]]
        # the direction follows the interval: only what lies wholly above or below zero is called a move
        above = (want["low"] > 0).tolist()
        assert [x in ("works", "more churn") for x in d["direction"]] == above

    mv = dataset(rc.moves(comparison, snap, top=6))
    unit_of = rc.units(comparison, snap)
    rates = comparison[unit_of.isin(["share", "points"]) & (comparison["change"].abs() > 0)]
    largest = rates.reindex(rates["change"].abs().sort_values(ascending=False, kind="stable").index).head(6)
    assert mv[["page", "metric", "group", "change"]].values.tolist() == \
        largest[["page", "metric", "group", "change"]].values.tolist()
    assert mv["pts"].tolist() == pytest.approx((100 * largest["change"]).tolist())


def test_charts_are_none_without_figures_and_svg_fits_the_page(snap):
    empty = snap.figures.iloc[:0]
    assert all(fn(empty) is None for fn in (rc.headline, rc.health_bands, rc.play_effects, rc.theme_impacts))
    same = review_compare.compare(snap, snap)
    assert rc.moves(same, snap) is None
    svg = rc.to_svg(rc.theme_impacts(snap), fit=rr.CHART_WIDTH)
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>") and "<script" not in svg
    width = float(re.search(r'<svg[^>]*?\swidth="([0-9.]+)"', svg).group(1))
    assert width <= rr.CHART_WIDTH + 20  # text is not shrunk to fit the page
    assert "Pricing &amp; value" in svg


def test_write_and_the_same_snapshot_gives_the_same_document(engine, snap, comparison, report, tmp_path):
    text, _ = report
    path = rr.write(tmp_path / "pack.html", snap, review_log.decisions(engine, snap.id),
                    review_log.assumptions(engine, snap), comparison)
    assert path.read_text(encoding="utf-8") == text


def test_bad_input_is_a_clear_error(snap):
    with pytest.raises(DataValidationError, match="needs a review snapshot"):
        rr.to_html(snap.figures)
    with pytest.raises(DataValidationError, match="decision log lacks the columns number"):
        rr.to_html(snap, decisions=pd.DataFrame({"text": ["x"]}))
    with pytest.raises(DataValidationError, match="assumptions register lacks"):
        rr.to_html(snap, assumptions=pd.DataFrame({"name": ["x"]}))
    with pytest.raises(DataValidationError, match="comparison lacks the columns"):
        rr.to_html(snap, comparison=snap.figures)
    with pytest.raises(DataValidationError, match="figures lack the columns"):
        rc.headline(snap.figures.drop(columns="unit"))
