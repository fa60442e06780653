"""A long delimited file read from disk, never held as bytes or text in memory.

The command line imports a file it can name. For a file of :data:`FROM_DISK_BYTES` or more this module reads it
the way :func:`core.ingest.reader.read_csv_bytes` reads bytes, without holding the file: one pass in blocks
checks that it is UTF-8 (BOM or not) and has no blank line between rows and hashes it (sha256), then pyarrow
parses the file itself. Its memory is the parsed text columns, not the file plus its decoded text (an 800 MB,
5,000,000-row export held 160 MB of bytes and as much again of text before). Any file this path does not take
(not UTF-8, blank lines, whitespace-aligned, ragged rows, a first line beyond the first block, a workbook) is read
as bytes as before: :func:`read_csv_path` returns None and the caller falls back.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from core.ingest import delimited

#: files at least this large are read from disk (smaller ones are read as bytes: no gain, one code path)
FROM_DISK_BYTES = 16 << 20
#: the block the pass over the file reads at a time
BLOCK = 8 << 20
#: the head the delimiter, header and encoding are judged on: the bytes path's 64,000 characters and a BOM
HEAD = 64_001
_BLANK_LINE = re.compile(rb"\n[ \t]*\r?\n")


@dataclass
class Probe:
    """A long file the disk path can read: its sha256, encoding, delimiter, first line's cells and header."""

    sha256: str
    encoding: str
    delimiter: str
    first: list[str]
    header: bool


def scan(path: str | os.PathLike) -> tuple[str, bool, str, bool]:
    """One pass over ``path`` in blocks: its sha256, whether it is UTF-8 with no blank line between rows
    (blank lines after the last text do not count; before the first they do, and the bytes path reads the file),
    its decoded head without the BOM, and whether it starts with a UTF-8 BOM."""
    digest, decoder = hashlib.sha256(), codecs.getincrementaldecoder("utf-8")()
    plain, pending, head, tail = True, False, "", b""
    with open(path, "rb") as f:
        while block := f.read(BLOCK):
            digest.update(block)
            if not plain:
                continue
            try:
                text = decoder.decode(block)
            except UnicodeDecodeError:
                plain = False
                continue
            if len(head) < HEAD:
                head += text[:HEAD - len(head)]
            if pending and block.strip():
                plain = False
            window = tail + block
            found = _BLANK_LINE.search(window)
            if found is not None:
                plain, pending = plain and not window[found.end():].strip(), True
            tail = window[window.rfind(b"\n"):][-4096:] if b"\n" in window else b""
    if plain:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            plain = False
    bom = head.startswith("\ufeff")
    plain = plain and not head.startswith("\ufeff\ufeff")  # a BOM saved twice: the bytes path reads it as text
    return digest.hexdigest(), plain, head[1:] if bom else head, bom


def probe(path: str | os.PathLike, header: bool | None) -> Probe | None:
    """The disk path's reading of ``path`` before the parse, or None when the bytes path must read it (see the
    module docstring)."""
    path = Path(path)
    if path.stat().st_size < FROM_DISK_BYTES or path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        return None
    sha, plain, head, bom = scan(path)
    if not plain or not head.strip() or "\n" not in head.strip():
        return None
    sample = delimited.check_text(head)
    delim = delimited.detect_delimiter(sample)
    if delim == "whitespace":
        return None
    first = next(csv.reader([delimited.first_line(sample)], delimiter=delim))
    return Probe(sha256=sha, encoding="utf-8-sig" if bom else "utf-8", delimiter=delim, first=first,
                 header=delimited.looks_like_header(first) if header is None else header)
