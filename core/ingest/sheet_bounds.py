"""Measure an XLSX workbook against :class:`~core.ingest.limits.ReadLimits` before the native reader opens it.

The native reader (calamine) builds a dense grid from A1 to the farthest cell, copies each shared string into
every cell that points at it, and trusts the zip's sizes; a hostile or careless workbook of a few KB can make it
ask for hundreds of GB and abort the whole process (the app's server for every user, or the CLI with a Rust
backtrace). So, in well under a second for such a file and in pure Python:

1. the zip directory: total uncompressed size, each large part's compression ratio, no encryption, no exotic
   compression method;
2. every part is decompressed from its raw bytes with a cap: a part that unpacks to more than the directory
   declares is refused (the native reader would not stop there);
3. the shared strings: their uncompressed size, their declared ``uniqueCount``, and each string's length;
4. the sheet's XML is streamed (:mod:`core.ingest.sheet_scan`): the farthest row and column any cell reaches
   (the ``<dimension ref>`` is read too but only quoted: it can be missing or lie either way, and the grid is
   built from the cells), the number of cells, and the text its shared-string cells expand to.

A file beyond a limit raises :class:`~core.errors.FileFormatError` with one line: which limit, the file's
figure, and the fix (save the sheet as CSV, delete the far cell, or raise the limit).
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from core.errors import FileFormatError
from core.export import units
from core.ingest.limits import RATIO_FROM_BYTES, SPARSE_FROM_CELLS, ReadLimits
from core.ingest.sheet_scan import SheetExtent, column_letters, column_number, scan  # noqa: F401

_CHUNK = 1 << 20  # decompressed bytes per step of the sheet scan
_EARLY_EXIT = 64 << 20  # past a limit, a sheet scan stops after this many bytes (its figures then lower bounds)
_SMALL_PART = 16_000_000  # workbook.xml and .rels parts: read whole, refused beyond this
_P = rb"<(?:[\w.-]+:)?"  # an element's start, with any namespace prefix (<c, <x:c)
_SI = re.compile(_P + rb"si(?=[\s>/])")
_UNIQUE = re.compile(rb'\suniqueCount="(\d+)"')
_TAG = re.compile(rb"<(?:[\w.-]+:)?(Relationship|sheet)\b[^>]*>")
_ATTR = re.compile(rb"([\w.:-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_PART_ERROR = ("This file is not a readable XLSX workbook ({}). Open it in Excel and save it again as .xlsx, "
               "or export a CSV.")


@dataclass(frozen=True)
class Book:
    """What a workbook's zip holds: its sheets in order, each sheet's XML part, the shared strings part."""

    sheets: list[str]
    parts: dict[str, str]
    shared_strings: str | None
    members: dict[str, zipfile.ZipInfo]


def open_book(data: bytes, limits: ReadLimits) -> Book:
    """Check the zip directory and every part's real size; the sheet names and parts.

    Raises
    ------
    FileFormatError
        A damaged zip, a zip that is not a workbook, or one beyond ``max_uncompressed_bytes`` / ``max_ratio``.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise FileFormatError(_PART_ERROR.format(f"a damaged zip: {exc}")) from exc
    _check_directory(infos, limits)
    members = {i.filename: i for i in infos}
    root = _rels(data, members, "_rels/.rels")
    book_part = next((t for typ, t in root if typ.endswith("/officeDocument")), "xl/workbook.xml")
    if book_part not in members:
        raise FileFormatError(_PART_ERROR.format("the zip holds no workbook part (xl/workbook.xml)"))
    folder = posixpath.dirname(book_part)
    rels = {rid: (typ, target) for rid, typ, target in _rel_ids(data, members,
            posixpath.join(folder, "_rels", posixpath.basename(book_part) + ".rels"), folder)}
    names, parts = [], {}
    for attrs in _tags(_read(data, members[book_part], _SMALL_PART), b"sheet"):
        name = html.unescape(attrs.get("name", ""))
        rid = next((v for k, v in attrs.items() if k == "id" or k.endswith(":id")), "")
        names.append(name)
        parts[name] = rels.get(rid, ("", ""))[1]
    sst = next((t for typ, t in rels.values() if typ.endswith("/sharedStrings")), None)
    for info in infos:  # every other part unpacks to no more than the directory says (sheets: when scanned)
        if info.filename not in parts.values() and info.filename != sst:
            for _ in _stream(data, info):
                pass
    return Book(sheets=names, parts=parts, shared_strings=sst if sst in members else None, members=members)


def check_sheet(data: bytes, book: Book, sheet: str, limits: ReadLimits) -> SheetExtent:
    """Measure sheet ``sheet`` (a name from ``book.sheets``) against ``limits`` by streaming its XML.

    Raises
    ------
    FileFormatError
        The sheet or its shared strings are beyond a limit; the message names the limit, the sheet's figure
        and the fix.
    """
    members = book.members
    part = book.parts.get(sheet)
    if part not in members:
        raise FileFormatError(_PART_ERROR.format(f"sheet '{sheet}' has no part in the zip"))
    lengths = _shared_lengths(data, members.get(book.shared_strings), limits)
    extent = scan(_stream(data, members[part]), lengths, limits, _EARLY_EXIT)
    _check_extent(extent, sheet, limits)
    return extent


def _check_directory(infos: list[zipfile.ZipInfo], limits: ReadLimits) -> None:
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_bytes:
        raise FileFormatError(
            f"This workbook unpacks to {_mb(total)}, over the limit of {_mb(limits.max_uncompressed_bytes)}: "
            f"save the sheet you need as CSV, or {limits.hint('max_uncompressed_bytes')}.")
    for i in infos:
        if i.flag_bits & 1:
            raise FileFormatError(_PART_ERROR.format(f"part '{i.filename}' is encrypted; remove the password"))
        if i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise FileFormatError(_PART_ERROR.format(f"part '{i.filename}' uses compression method "
                                                     f"{i.compress_type}"))
        ratio = i.file_size / max(i.compress_size, 1)
        if i.file_size >= RATIO_FROM_BYTES and ratio > limits.max_ratio:
            raise FileFormatError(
                f"Part '{i.filename}' of this workbook unpacks to {_mb(i.file_size)} from "
                f"{units.count(i.compress_size)} bytes ({units.count(round(ratio))} times; real sheets compress "
                f"about 10 times), over the limit of {units.count(limits.max_ratio)} times: it looks like a zip "
                f"bomb. Open it in Excel and save it again, or save the sheet as CSV; or "
                f"{limits.hint('max_ratio')}.")


def _stream(data: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A part's bytes, decompressed from its raw data in steps of at most :data:`_CHUNK` bytes.

    Refuses a part that unpacks to more than ``info.file_size`` (the zip directory's word, checked against the
    limits): the native reader would keep going.
    """
    off = info.header_offset
    if data[off:off + 4] != b"PK\x03\x04":
        raise FileFormatError(_PART_ERROR.format(f"part '{info.filename}' is damaged"))
    name_len, extra_len = struct.unpack("<HH", data[off + 26:off + 30])
    start = off + 30 + name_len + extra_len
    raw = memoryview(data)[start:start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        for pos in range(0, min(len(raw), info.file_size), _CHUNK):
            yield bytes(raw[pos:min(pos + _CHUNK, info.file_size)])
        return
    inflate, produced = zlib.decompressobj(-zlib.MAX_WBITS), 0
    try:
        for pos in range(0, len(raw), _CHUNK):
            piece = raw[pos:pos + _CHUNK]
            while piece and not inflate.eof:
                out = inflate.decompress(piece, _CHUNK)
                piece = inflate.unconsumed_tail
                produced += len(out)
                if produced > info.file_size:
                    raise FileFormatError(
                        f"Part '{info.filename}' of this workbook unpacks to more than the "
                        f"{units.count(info.file_size)} bytes its zip directory declares: the file is damaged or "
                        "built to mislead. Open it in Excel and save it again as .xlsx, or export a CSV.")
                yield out
    except zlib.error as exc:
        raise FileFormatError(_PART_ERROR.format(f"part '{info.filename}' is damaged: {exc}")) from exc


def _read(data: bytes, info: zipfile.ZipInfo, cap: int) -> bytes:
    if info.file_size > cap:
        raise FileFormatError(_PART_ERROR.format(f"part '{info.filename}' is {_mb(info.file_size)}, far larger "
                                                 "than a workbook needs"))
    return b"".join(_stream(data, info))


def _tags(xml: bytes, tag: bytes) -> Iterator[dict[str, str]]:
    """The attributes of every ``<tag ...>`` element (``Relationship`` or ``sheet``), unescaped."""
    for m in _TAG.finditer(xml):
        if m.group(1) == tag:
            yield {k.decode(): html.unescape((a or b).decode("utf-8", "replace"))
                   for k, a, b in _ATTR.findall(m.group(0))}


def _rel_ids(data: bytes, members: dict, path: str, folder: str) -> list[tuple[str, str, str]]:
    """(id, type, part path) of each relationship in the ``.rels`` part ``path`` (targets relative to
    ``folder``)."""
    if path not in members:
        return []
    out = []
    for a in _tags(_read(data, members[path], _SMALL_PART), b"Relationship"):
        target = a.get("Target", "")
        target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out.append((a.get("Id", ""), a.get("Type", ""), target))
    return out


def _rels(data: bytes, members: dict, path: str) -> list[tuple[str, str]]:
    return [(typ, target) for _, typ, target in _rel_ids(data, members, path, "")]


def _shared_lengths(data: bytes, info: zipfile.ZipInfo | None, limits: ReadLimits) -> np.ndarray:
    """Each shared string's length in bytes (of its XML: an upper bound of its text)."""
    if info is None:
        return np.zeros(0, dtype=np.int64)
    if info.file_size > limits.max_shared_strings_bytes:
        raise FileFormatError(
            f"The shared strings of this workbook (the text its cells share, {info.filename}) take "
            f"{_mb(info.file_size)}, over the limit of {_mb(limits.max_shared_strings_bytes)}: save the sheet as "
            f"CSV, or {limits.hint('max_shared_strings_bytes')}.")
    xml = b"".join(_stream(data, info))
    declared = _UNIQUE.search(xml[:4096])
    if declared and int(declared.group(1)) > limits.max_cells:
        raise FileFormatError(
            f"This workbook declares {units.count(int(declared.group(1)))} distinct texts, more than the limit of "
            f"{units.count(limits.max_cells)} cells could hold: save the sheet as CSV, or "
            f"{limits.hint('max_cells')}.")
    starts = np.fromiter((m.start() for m in _SI.finditer(xml)), dtype=np.int64)
    return np.diff(np.append(starts, len(xml)))


def _check_extent(e: SheetExtent, sheet: str, limits: ReadLimits) -> None:
    claim = f" (its dimension says {e.dimension})" if e.dimension and e.dimension != e.span else ""
    more = "" if e.complete else " or more"
    stray = e.grid > SPARSE_FROM_CELLS and e.cells < limits.min_fill * e.grid
    held = f", yet it holds only {units.count(e.cells)} cells" if stray else ""
    fix = ("delete the far cell (and any other cell beyond your table) and save, or save the sheet as CSV"
           if stray else "save the sheet as CSV")
    if e.columns > limits.max_columns:
        raise FileFormatError(
            f"Sheet '{sheet}' has cells out to column {column_letters(e.columns)} ({units.count(e.columns)} "
            f"columns{more}){claim}, over the limit of {units.count(limits.max_columns)} columns{held}: {fix}; or "
            f"{limits.hint('max_columns')}.")
    if e.rows > limits.max_rows:
        raise FileFormatError(
            f"Sheet '{sheet}' has cells down to row {units.count(e.rows)}{more}{claim}, over the limit of "
            f"{units.count(limits.max_rows)} rows{held}: {fix}; or {limits.hint('max_rows')}.")
    size = f"{units.count(e.rows)} rows x {units.count(e.columns)} columns = {units.count(e.grid)} cells{more}"
    if e.grid > limits.max_cells:
        raise FileFormatError(
            f"Sheet '{sheet}' spans {e.span} ({size}){claim}, over the limit of {units.count(limits.max_cells)} "
            f"cells{held}: {fix}; or {limits.hint('max_cells')}.")
    if stray:
        raise FileFormatError(
            f"Sheet '{sheet}' spans {e.span} ({size}){claim} but holds only {units.count(e.cells)} cells: a stray "
            f"cell lies far from the table. Delete the far cell (and any other cell beyond your table) and save, or "
            f"save the sheet as CSV; or {limits.hint('min_fill')}.")
    if e.text_bytes > limits.max_text_bytes:
        raise FileFormatError(
            f"Sheet '{sheet}' holds {_mb(e.text_bytes)}{more} of text once its shared strings are copied into every "
            f"cell that points at them, over the limit of {_mb(limits.max_text_bytes)} (the same long text repeated in "
            f"many cells): save the sheet as CSV, or {limits.hint('max_text_bytes')}.")


def _mb(n: int) -> str:
    return f"{units.count(max(round(n / 1e6), 1) if n else 0)} MB"
