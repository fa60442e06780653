"""Stream a worksheet's XML and measure it: the farthest row and column its cells reach, how many cells it holds,
and the text its shared-string cells expand to (:class:`SheetExtent`).

The XLSX reader builds its grid from the cells' ``r`` references (``XFD1048576``), so those decide, whatever the
``<dimension>`` claims. Each chunk is read as a byte array with numpy: the positions of ``<``, then a few
gathered comparisons find the cell and row elements and decode their references and shared-string indexes, about
0.2 s for a sheet of 1,000,000 cells (a regular expression per cell takes three times as long). An unusual
spelling (attributes in another order, cells without references) falls back to regular expressions for that
chunk. Used by :mod:`core.ingest.sheet_bounds`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from core.ingest.limits import ReadLimits

_ROOT = re.compile(rb"<([\w.-]+:)?(?:worksheet|chartsheet|dialogsheet)\b")
_WAIT = 8 << 20  # wait this long for the end of one element before cutting it anyway
_DELIMITER = np.zeros(256, dtype=bool)  # the bytes that can end an element's name
_DELIMITER[[ord(c) for c in " >/\t\r\n"]] = True


@dataclass(frozen=True)
class SheetExtent:
    """What a sheet's XML holds: the farthest row and column (1-based), its cells and their shared text."""

    rows: int
    columns: int
    cells: int
    text_bytes: int
    dimension: str | None
    complete: bool = True  # False when the scan stopped early, past a limit: the figures are lower bounds

    @property
    def grid(self) -> int:
        """Cells of the grid from A1 to the farthest row and column: what the reader allocates."""
        return self.rows * self.columns

    @property
    def span(self) -> str:
        return f"A1:{column_letters(self.columns)}{self.rows}"


def column_letters(n: int) -> str:
    """1 -> ``A``, 26 -> ``Z``, 16384 -> ``XFD``."""
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out or "A"


def column_number(letters: str | bytes) -> int:
    """``A`` -> 1, ``XFD`` -> 16384."""
    n = 0
    for ch in (letters.decode("ascii") if isinstance(letters, bytes) else letters).upper():
        n = n * 26 + ord(ch) - 64
    return n


class _Tokens:
    """The element names and fallback patterns for one namespace prefix (``b""`` or ``b"x:"``)."""

    def __init__(self, prefix: bytes):
        p = re.escape(b"<" + prefix)
        self.cell, self.row, self.value = prefix + b"c", prefix + b"row", prefix + b"v>"
        self.dimension = re.compile(p + rb'dimension\b[^>]*?\sref="([^"]*)"')
        self.any_ref = re.compile(p + rb'c\b[^>]*?\sr="([A-Za-z]{1,8})(\d{1,12})"')
        self.any_row_ref = re.compile(p + rb'row\b[^>]*?\sr="(\d{1,12})"')
        self.any_shared = re.compile(rb'\st="s"[^>]*>\s*' + p + rb"v>\s*(\d{1,12})\s*<")


def scan(chunks: Iterator[bytes], lengths: np.ndarray, limits: ReadLimits, early_exit: int) -> SheetExtent:
    """Measure a sheet from its XML ``chunks``; ``lengths[i]`` is shared string ``i``'s size in bytes.

    Past ``early_exit`` bytes, a sheet already beyond a limit is not read further (its figures are then lower
    bounds, ``complete=False``).
    """
    rows = cols = cells = n_rows = text = scanned = 0
    dimension, carry, tok = None, b"", None
    for chunk in _with_end(chunks):
        if tok is None:
            root = _ROOT.search(chunk[:65536])
            tok = _Tokens(root.group(1) or b"" if root else b"")
        part, carry = _whole_elements(carry + chunk, tok, final=not chunk)
        scanned += len(chunk)
        if part is None:
            continue
        if dimension is None and (m := tok.dimension.search(part)):
            dimension = m.group(1).decode("ascii", "replace")
        f = _figures(part, tok, lengths)
        cells, n_rows, text = cells + f[0], n_rows + f[1], text + f[4]
        rows, cols = max(rows, n_rows, f[2]), max(cols, f[3])
        if scanned > early_exit and (rows * cols > limits.max_cells or rows > limits.max_rows
                                     or cols > limits.max_columns or text > limits.max_text_bytes):
            return SheetExtent(rows, cols, cells, text, dimension, complete=False)  # the rest could only add
    return SheetExtent(rows, cols, cells, text, dimension)


def _figures(part: bytes, tok: _Tokens, lengths: np.ndarray) -> tuple[int, int, int, int, int]:
    """Cells, row elements, farthest row, farthest column and shared text of one run of whole elements."""
    b = np.frombuffer(part + b"\0" * 24, dtype=np.uint8)  # padding: reads past the end stay in the array
    lt = np.flatnonzero(b[:len(part)] == ord("<"))
    cells, rows = _named(b, lt, tok.cell), _named(b, lt, tok.row)
    refs = cells[_follows(b, cells + 1 + len(tok.cell), b' r="')]
    col_at = refs + len(tok.cell) + 5
    cols, n_letters = _letters(b, col_at)
    far_row = int(_digits(b, col_at + n_letters).max(initial=0))
    row_refs = rows[_follows(b, rows + 1 + len(tok.row), b' r="')]
    far_row = max(far_row, int(_digits(b, row_refs + len(tok.row) + 5).max(initial=0)))
    far_col = int(cols.max(initial=0))
    if len(refs) < len(cells) or len(row_refs) < len(rows):  # another spelling: the patterns decide
        found = tok.any_ref.findall(part)
        far_row = max(far_row, max((int(r) for _, r in found), default=0),
                      max(map(int, tok.any_row_ref.findall(part)), default=0))
        far_col = max(far_col, max(map(column_number, {c for c, _ in found}), default=0))
        if len(found) < len(cells):  # a cell without a reference sits right of the one before: at most the
            per_row = int(np.bincount(np.searchsorted(rows, cells)).max(initial=0))  # row's cells past the last
            far_col = max(far_col, (far_col if found else 0) + per_row)  # referenced one
    values = _named(b, lt, tok.value[:-1])
    shared = values[_follows(b, values - 6, b't="s">')]
    idx = _digits(b, shared + len(tok.value) + 1)
    if len(shared) < part.count(b' t="s"'):
        idx = np.fromiter(map(int, tok.any_shared.findall(part)), dtype=np.int64)
    text = int(lengths[idx[idx < len(lengths)]].sum())
    return len(cells), len(rows), far_row, far_col, text


def _follows(b: np.ndarray, at: np.ndarray, token: bytes) -> np.ndarray:
    """Which of the positions ``at`` start ``token``."""
    ok = (at >= 0) & (at + len(token) < len(b))
    at = np.where(ok, at, 0)
    for i, ch in enumerate(token):
        ok &= b[at + i] == ch
    return ok


def _named(b: np.ndarray, lt: np.ndarray, name: bytes) -> np.ndarray:
    """The positions of ``<`` (from ``lt``) that open an element ``name`` (``<c ...``, ``<c>``, not ``<col``)."""
    lt = lt[b[lt + 1] == name[0]]  # one cheap test first: most elements start with another letter
    hit = _follows(b, lt + 1, name)
    hit &= _DELIMITER[b[np.minimum(lt + 1 + len(name), len(b) - 1)]]
    return lt[hit]


def _letters(b: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column numbers of the references starting at ``at`` (``XFD`` -> 16384), and their letter counts."""
    col, n, going = np.zeros(len(at), np.int64), np.zeros(len(at), np.int64), np.ones(len(at), bool)
    for k in range(5):
        v = b[at + k].astype(np.int64)
        going &= (v >= 65) & (v <= 90)
        col, n = np.where(going, col * 26 + v - 64, col), n + going
    return np.where(going, np.iinfo(np.int64).max // 64, col), n  # five letters: beyond any limit


def _digits(b: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The numbers (up to 12 digits) starting at ``at``."""
    out, going = np.zeros(len(at), np.int64), np.ones(len(at), bool)
    for k in range(12):
        v = b[np.minimum(at + k, len(b) - 1)].astype(np.int64)
        going &= (v >= 48) & (v <= 57)
        out = np.where(going, out * 10 + v - 48, out)
    return out


def _with_end(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """``chunks``, then one empty chunk that marks the end."""
    yield from chunks
    yield b""


def _whole_elements(buf: bytes, tok: _Tokens, final: bool) -> tuple[bytes | None, bytes]:
    """Split ``buf`` before its last cell or row element (kept for the next chunk, so no element is cut in two);
    ``(None, buf)`` to wait for more of one long element."""
    if final:
        return buf, b""
    cut = max(buf.rfind(b"<" + tok.cell + b" "), buf.rfind(b"<" + tok.row + b" "))
    if cut > 0:
        return buf[:cut], buf[cut:]
    if len(buf) < _WAIT:
        return None, buf
    cut = buf.rfind(b"<")  # no cell for 8 MB: cut before the last element
    return (buf[:cut], buf[cut:]) if cut > 0 else (buf, b"")
