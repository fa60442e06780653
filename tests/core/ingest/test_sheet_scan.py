"""The sheet scan: the farthest row and column, the cells and the shared text of a sheet's XML, the same as a
plain regular-expression reading, however the XML is cut into chunks and however its attributes are spelled."""

from __future__ import annotations

import re

import numpy as np
import pytest

from core.ingest.limits import ReadLimits
from core.ingest.sheet_scan import column_letters, column_number, scan

HEAD = b'<?xml version="1.0"?><worksheet xmlns="main"><dimension ref="A1:B2"/><sheetData>'
TAIL = b"</sheetData></worksheet>"


def _reference(xml: bytes, lengths: np.ndarray) -> tuple[int, int, int, int]:
    """Rows, columns, cells, shared text: each reference read by a regular expression."""
    refs = re.findall(rb'<c\b[^>]*?\sr="([A-Z]+)(\d+)"', xml)
    rows = max([int(r) for _, r in refs] + [int(r) for r in re.findall(rb'<row\b[^>]*?\sr="(\d+)"', xml)] + [0])
    cols = max([column_number(c) for c, _ in refs] + [0])
    idx = [int(i) for i in re.findall(rb'\st="s"[^>]*>\s*<v>(\d+)<', xml)]
    return rows, cols, len(re.findall(rb"<c[\s>/]", xml)), int(lengths[idx].sum()) if idx else 0


def _random_sheet(rng: np.random.Generator, n_rows: int, n_shared: int) -> bytes:
    parts = [HEAD]
    for r in sorted(rng.choice(np.arange(1, 5 * n_rows), n_rows, replace=False)):
        cells = []
        for c in sorted(rng.choice(np.arange(1, 60), rng.integers(1, 6), replace=False)):
            ref = f"{column_letters(int(c))}{r}"
            style = rng.integers(0, 3)
            if rng.random() < 0.5:
                attrs = [f'r="{ref}"', 't="s"'] + ([f's="{style}"'] if style else [])
                if rng.random() < 0.2:  # another attribute order now and then
                    attrs.reverse()
                cells.append(f'<c {" ".join(attrs)}><v>{rng.integers(0, n_shared)}</v></c>')
            else:
                cells.append(f'<c r="{ref}"><v>{rng.random():.3f}</v></c>')
        parts.append(f'<row r="{r}" spans="1:60">{"".join(cells)}</row>'.encode())
    parts.append(TAIL)
    return b"".join(parts)


def _chunks(xml: bytes, size: int):
    return (xml[i:i + size] for i in range(0, len(xml), size))


@pytest.mark.parametrize("seed", range(6))
def test_same_figures_as_a_regular_expression_reading_whatever_the_chunks(seed):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 500, 40).astype(np.int64)
    xml = _random_sheet(rng, n_rows=300, n_shared=40)
    want = _reference(xml, lengths)
    for size in (len(xml), 4096, 257, 61):
        e = scan(_chunks(xml, size), lengths, ReadLimits(), early_exit=1 << 40)
        assert (e.rows, e.columns, e.cells, e.text_bytes) == want, size
        assert e.dimension == "A1:B2" and e.complete


def test_cells_without_references_count_from_the_last_referenced_one():
    xml = HEAD + b'<row r="3"><c r="C3"><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row>' + TAIL
    e = scan(iter([xml]), np.zeros(0, np.int64), ReadLimits(), early_exit=1 << 40)
    assert (e.rows, e.cells) == (3, 3) and e.columns >= 5  # C, then D and E: at least E


def test_a_namespace_prefix_is_followed():
    xml = (b'<x:worksheet xmlns:x="main"><x:sheetData><x:row r="9"><x:c r="AB9" t="s"><x:v>1</x:v></x:c>'
           b"</x:row></x:sheetData></x:worksheet>")
    e = scan(iter([xml]), np.array([5, 70], np.int64), ReadLimits(), early_exit=1 << 40)
    assert (e.rows, e.columns, e.cells, e.text_bytes) == (9, 28, 1, 70)


def test_a_scan_past_a_limit_stops_early_and_says_so():
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (r, r) for r in range(1, 5001))
    xml = HEAD + rows + TAIL
    e = scan(_chunks(xml, 1000), np.zeros(0, np.int64), ReadLimits(max_rows=10), early_exit=10_000)
    assert not e.complete and 10 < e.rows < 5000


def test_five_letters_are_beyond_any_column_limit():
    xml = HEAD + b'<row r="1"><c r="ABCDE1"><v>1</v></c></row>' + TAIL
    e = scan(iter([xml]), np.zeros(0, np.int64), ReadLimits(), early_exit=1 << 40)
    assert e.columns > 10 ** 9
