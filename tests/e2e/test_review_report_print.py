"""The review's board pack (core.review.report) in a real browser: the 2026-Q3 snapshot of the small demo, with its
decision log, assumptions register and the comparison with 2026-Q2, opens offline (nothing fetched), shows its
cover and charts, keeps the cover on the first printed page, and prints to a multi-page A4 PDF, a new page per
major section."""

import re

import pytest
from playwright.sync_api import expect

import core
from core.review import compare as review_compare
from core.review import log as review_log
from core.review import report as rr
from core.review import saved as review_saved
from core.review import snapshot as review
from tests.conftest import copy_store
from tests.e2e.conftest import SCREENSHOTS

#: A4 at 96 px per inch
A4 = {"width": 794, "height": 1123}


@pytest.fixture(scope="module")
def pack(small_demo_store, tmp_path_factory):
    """The board pack of the saved 2026-Q3 snapshot, written to a file; returns (path, html)."""
    folder = tmp_path_factory.mktemp("review_pack")
    engine = core.make_engine(f"sqlite:///{copy_store(small_demo_store, folder)}")
    try:
        q2 = review.build(engine, "2026-Q2")
        sid = review_saved.save(engine, review.build(engine, "2026-Q3"))
        review_log.add_decision(engine, sid, decision="Stop the renewal save offer & rethink its pricing",
                                owner="CFO", rationale="Projected ROI below zero", due="2026-12-31")
        review_log.add_assumption(engine, sid, name="Target gross margin", value=0.82, unit="share", owner="CFO")
        snap = review_saved.load(engine, sid)
        path = rr.write(folder / "review_2026-Q3.html", snap, review_log.decisions(engine, sid),
                        review_log.assumptions(engine, snap), review_compare.compare(q2, snap))
    finally:
        engine.dispose()
    return path, path.read_text(encoding="utf-8")


def test_board_pack_prints_offline(browser, pack, tmp_path):
    path, text = pack
    context = browser.new_context(viewport=A4)
    fetched = []

    def only_the_file(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            fetched.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_file)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(path.as_uri())
        expect(page.get_by_role("heading", level=1, name="Retention review 2026-Q3")).to_be_visible()
        expect(page.locator("#cover")).to_contain_text("Figures as of 30 September 2026")
        charts = page.locator("figure.chart svg")
        expect(charts).to_have_count(5)
        first = charts.first
        expect(first).to_be_visible()
        # the title in lines a phone holds (core.review.charts._title): one text line each
        expect(first).to_contain_text(re.compile(r"Revenue kept and customers lost over the last\s*12 months"))
        box = first.bounding_box()
        assert 500 <= box["width"] <= A4["width"] - 100 and box["height"] > 150  # drawn at the page's width
        # the cover and the headline fit on the first page; the Overview starts the second
        cover = page.locator("#cover")
        content = page.evaluate("""() => { const c = document.querySelector('#cover');
            return Math.max(...[...c.children].map(e => e.getBoundingClientRect().bottom)); }""")
        assert content <= A4["height"] - 53, content  # inside the 14 mm bottom margin
        assert cover.bounding_box()["height"] <= A4["height"] + 1
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "review_report_first_page.png"),
                        clip={"x": 0, "y": 0, "width": A4["width"], "height": A4["height"]})
        page.screenshot(path=str(SCREENSHOTS / "review_report.png"), full_page=True)

        pdf_path = tmp_path / "review_2026-Q3.pdf"
        pdf = page.pdf(format="A4", path=str(pdf_path), print_background=True)
    finally:
        context.close()
    assert fetched == [] and errors == []
    assert pdf.startswith(b"%PDF") and pdf_path.read_bytes() == pdf
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    majors = text.count('class="sheet page major"') + text.count('class="sheet major"')
    assert majors == 4 + 5  # the pages with figures; comparison, decisions, assumptions, definitions, units
    assert pages > 1 and pages >= 1 + majors
    assert re.search(rb"/MediaBox\s*\[0 0 59[0-9.]+ 84[0-9.]+\]", pdf)  # A4: 595 x 842 points
