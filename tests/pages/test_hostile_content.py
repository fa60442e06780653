"""Hostile content stays text (issue 22, Deliver 4): every page opened on the hostile store
(:mod:`tests.pages.hostile_store`, every text field carrying a Markdown image and link, emphasis, an HTML image and
spreadsheet formula starts) shows the payloads only escaped wherever Streamlit renders Markdown (bodies, labels,
help texts, radio options, tab and expander labels); and every download the page offers (written now or on the
click) is opened, CSV with the csv module and XLSX with openpyxl, and checked cell by cell: no cell starts like a
formula unless it is a plain number, and no workbook cell is a formula.

AppTest renders every tab at once, so one run per page covers all its tabs. Downloads are read as clicked
(:mod:`tests.pages.downloads`).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest

from tests.pages import hostile_store
from tests.pages.conftest import open_page
from tests.pages.downloads import downloads, recording

PAGES = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "pages").glob("*.py"))
#: Markdown that would load, link or format something, unescaped (plain() puts a backslash before each character);
#: a bare address is a link too (GitHub-flavoured Markdown), so "http://" is live where "http\\://" is not
LIVE = re.compile(r"(?<!\\)!(?<!\\)\[|(?<!\\)\]\(http|(?<!\\)<img|(?<!\\)\*\*bold|https?://|www\.")
#: proto fields that Streamlit renders as Markdown (labels, help tooltips, bodies, radio options, block labels)
MARKDOWN_FIELDS = {"body", "label", "help", "caption", "options", "title", "description", "tooltip"}
#: (element type, field) pairs Streamlit shows as plain text: never Markdown
PLAIN = {("text", "body"), ("code", "body"), ("selectbox", "options"), ("multiselect", "options"),
         ("exception", "message"), ("exception", "stack_trace")}
#: formula starts (OWASP): written apart from core.export.cells
STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?$")


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    return hostile_store.build(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def pages(store):
    """Each page opened once on the hostile store: page -> (AppTest, its run's media file manager)."""
    with pytest.MonkeyPatch.context() as mp, recording(mp) as made:
        opened = {}
        for page in PAGES:
            at = open_page(mp, store, page)
            opened[page] = (at, made[-1])
        yield opened


def markdown_texts(at) -> list[tuple[str, str, str]]:
    """(element type, field, text) of every string that the page's elements and blocks render as Markdown."""
    out = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is None or not hasattr(proto, "ListFields"):
            continue
        kind = getattr(node, "type", "")
        for field, value in proto.ListFields():
            if field.name not in MARKDOWN_FIELDS or (kind, field.name) in PLAIN:
                continue
            values = [value] if isinstance(value, (str, bytes)) or hasattr(value, "ListFields") else list(value)
            out += [(kind, field.name, v) for v in values if isinstance(v, str)]
            out += [(kind, f"{field.name}.{f.name}", v) for m in values if hasattr(m, "ListFields")
                    for f, v in m.ListFields() if isinstance(v, str) and f.name in MARKDOWN_FIELDS]
    return out


def formula_like(cell) -> bool:
    return isinstance(cell, str) and cell.startswith(STARTS) and not NUMBER.match(cell)


def bad_cells(name: str, data: bytes) -> list[str]:
    """Cells of a CSV or XLSX download that a spreadsheet would run."""
    if name.endswith(".csv"):
        rows = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
        return [f"row {r} col {c}: {v!r}" for r, row in enumerate(rows) for c, v in enumerate(row) if formula_like(v)]
    if name.endswith(".xlsx"):
        book = openpyxl.load_workbook(io.BytesIO(data))
        # a formula-like text is kept as written in a text cell (core.export.xlsx), which no spreadsheet runs
        return [f"{ws.title}!{cell.coordinate}: {cell.value!r}" for ws in book.worksheets for row in ws.iter_rows()
                for cell in row if cell.data_type == "f" or (formula_like(cell.value) and cell.data_type != "s")]
    return []


def test_the_store_carries_every_payload(store):
    """The walk below means something only if the pages were given the payloads."""
    import core

    engine = core.make_engine(store)
    cust = core.load_table(engine, "customer")
    for column in ("customer_id", *hostile_store.CUSTOMER_FIELDS):
        for start in ("=", "+", "-", "@", "\t", "\r"):
            assert cust[column].str.startswith(start).any(), (column, start)
        assert cust[column].str.contains(hostile_store.IMAGE.replace("PORT", "9"), regex=False).any(), column
    for table, column in hostile_store.TEXT_FIELDS:
        values = core.load_table(engine, table)[column]
        assert values.str.contains(hostile_store.LINK.replace("PORT", "9"), regex=False).all(), (table, column)


@pytest.mark.parametrize("page", PAGES)
def test_markdown_shows_the_payloads_only_escaped(pages, page):
    at, _ = pages[page]
    texts = markdown_texts(at)
    live = [f"{kind}.{field}: {t[:160]!r}" for kind, field, t in texts if LIVE.search(t)]
    assert not live, "\n".join(live)


def test_the_walk_sees_the_payloads_in_markdown(pages):
    """The walk means something: escaped payloads do reach Markdown elements (captions, labels, messages)."""
    seen = {page for page, (at, _) in pages.items() if any(r"\!\[px\]" in t for _, _, t in markdown_texts(at))}
    assert {"feedback_themes", "intervention_roi", "health_scores"} <= seen, seen
    assert sum(len(downloads(at, m)) for at, m in pages.values()) >= 20, "the walk found few downloads"


@pytest.mark.parametrize("page", PAGES)
def test_every_download_has_no_formula_cell(pages, page):
    at, manager = pages[page]
    files = downloads(at, manager)
    bad = {f"{label} ({name})": cells[:5] for label, name, data in files if (cells := bad_cells(name, data))}
    assert not bad, bad


def test_the_cell_check_finds_a_formula():
    """The checks can fail: a raw formula in a CSV and a formula cell in a workbook are found."""
    assert bad_cells("x.csv", b'a,b\n"=HYPERLINK(""http://x"",""y"")",-12.5\n') == \
        ['row 1 col 0: \'=HYPERLINK("http://x","y")\'']
    wb = openpyxl.Workbook()
    wb.active["A1"] = "=1+2"
    buf = io.BytesIO()
    wb.save(buf)
    assert bad_cells("x.xlsx", buf.getvalue()) == ["Sheet!A1: '=1+2'"]
    assert bad_cells("x.csv", b"a\n'=1+2\n-12.5\n\"'\n=1\"\n") == []
    assert LIVE.search("x ![px](http://h/x.png)") and not LIVE.search(r"x \!\[px\]\(http\://h/x.png)")
    assert LIVE.search("see http://h/y.png") and LIVE.search(r"x \!\[px\]\(http://h/x.png)")


def test_plain_leaves_no_live_markdown():
    """ui.components.plain (core.export.markdown) on every payload: nothing the walk above calls live."""
    from core.export.markdown import plain

    for payload in hostile_store.payloads(9) + ("www.example.com", "HTTPS://x", "see http://h/y.png."):
        assert not LIVE.search(plain(payload)), plain(payload)
