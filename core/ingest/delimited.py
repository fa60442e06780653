"""Delimited text, parsed: the encoding, the delimiter, the header line, the decimal mark, and every line as text
cells (pyarrow's multithreaded reader when it can, pandas' C engine for ragged, blank-lined or whitespace-aligned
files). :mod:`core.ingest.reader` turns the cells into a :class:`~core.ingest.reader.RawTable`."""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from charset_normalizer import from_bytes

from core.errors import FileFormatError

DELIMITERS = [",", ";", "\t", "|"]
#: taken only when it alone splits every line into the same number of columns (times like 08:26 hold colons too)
COLON = ":"
#: the text dtype of a CSV read by pyarrow
TEXT_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)
#: a table wider than this, and of at most WIDE_CELLS cells, is held as one block of Python text (text_frame)
WIDE_COLUMNS, WIDE_CELLS = 1_000, 5_000_000


def decode(data: bytes) -> tuple[str, str]:
    """The text and its encoding: a BOM, else UTF-8, else cp1252, else a statistical guess (latin-1 last)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode Text" export
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:  # the usual Western legacy export; stricter and likelier than a statistical guess
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        pass

    best = from_bytes(data[:200_000]).best()
    enc = best.encoding if best is not None else "latin-1"
    try:
        return data.decode(enc), enc
    except (UnicodeDecodeError, LookupError):
        return data.decode("latin-1"), "latin-1"


def _widths(lines: list[str], delim: str) -> set[int]:
    """The numbers of columns ``delim`` splits ``lines`` into (quotes respected)."""
    return {len(row) for row in csv.reader(lines, delimiter=delim)}


def _colon_only(lines: list[str]) -> bool:
    """Whether ``:`` splits every line into the same number (> 1) of columns and no other delimiter does."""
    def consistent(d: str) -> bool:
        widths = _widths(lines, d)
        return len(widths) == 1 and widths.pop() > 1

    return consistent(COLON) and not any(consistent(d) for d in DELIMITERS)


def detect_delimiter(sample: str) -> str:
    """``,``, ``;``, tab, ``|``, ``:`` or ``"whitespace"`` (an aligned log like CDNOW's), from the first 50 lines.

    A colon is chosen only when it alone gives every line the same column count: a comma file whose cells hold
    times (``08:26``) stays a comma file.
    """
    lines = [ln for ln in sample.splitlines()[:50] if ln.strip()]
    if not lines:
        return ","
    if _colon_only(lines):
        return COLON
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        pass
    # A whitespace-aligned log (like CDNOW's): every line splits into the same number of fields.
    widths = {len(ln.split()) for ln in lines}
    if len(widths) == 1 and widths.pop() > 1:
        return "whitespace"
    counts = {d: min(ln.count(d) for ln in lines) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def looks_like_header(first: list[str]) -> bool:
    """A header row has at least one cell that is text, not a number or a date."""
    def is_data(cell: str) -> bool:
        cell = cell.strip()
        return bool(re.fullmatch(r"[-+]?[\d.,/:\- ]+", cell)) if cell else False

    return not all(is_data(c) for c in first)


def first_line(text: str) -> str:
    """The first line of ``text`` that is not blank (without splitting the whole text into lines)."""
    start = 0
    while True:
        end = text.find("\n", start)
        line = text[start:] if end < 0 else text[start:end]
        if line.strip() or end < 0:
            return line.rstrip("\r")
        start = end + 1


_BLANK_LINE = re.compile(r"\n[ \t]*\r?\n")
_ANY_TEXT = re.compile(r"\S")


def has_blank_lines(text: str) -> bool:
    """Whether a blank line lies between two lines of text (blank lines before or after all the text do not
    count); one pass, no copy of the text."""
    first = _ANY_TEXT.search(text)
    if first is None:
        return False
    m = _BLANK_LINE.search(text, first.start())
    return m is not None and _ANY_TEXT.search(text, m.end()) is not None


def check_text(text: str) -> str:
    """The first 64,000 characters of ``text``; FileFormatError when it is empty or binary."""
    if not text or text.isspace():
        raise FileFormatError("The file is empty: it has no header and no rows.")
    sample = text[:64_000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    if controls > 0.01 * len(sample):
        raise FileFormatError("This file is binary, not a spreadsheet. Upload a CSV (text) or an XLSX file.")
    return sample


def parse_delimited(data: bytes, text: str | None, encoding: str, delim: str, n_columns: int,
                     has_blank_lines: bool) -> pd.DataFrame | pa.Table:
    """Every line as text cells, header included: a pyarrow table (:func:`arrow_table`) when pyarrow can read
    the file, else a frame from pandas' C engine (ragged, blank-lined or whitespace-aligned files). ``text`` may
    be None for UTF-8 ``data`` (decoded again only if pandas has to read it)."""
    # header=None always: pandas would rename repeated headers its own way ("name.1");
    # clean_headers names them the same way for CSV and XLSX ("name_2").
    kwargs = dict(dtype=str, keep_default_na=False, na_values=[], header=None)
    try:
        if delim == "whitespace":
            return pd.read_csv(io.StringIO(text), sep=r"\s+", engine="c", **kwargs)
        if has_blank_lines:
            return pd.read_csv(io.StringIO(text), sep=delim, engine="c", skip_blank_lines=False, **kwargs)
        try:
            return arrow_table(data if encoding == "utf-8" else text.encode("utf-8"), delim, n_columns)
        except Exception:  # pyarrow refuses ragged rows; the C engine names the line
            return pd.read_csv(io.StringIO(text if text is not None else data.decode("utf-8")), sep=delim,
                               engine="c", **kwargs)
    except pd.errors.ParserError as exc:
        detail = " ".join(str(exc).split())
        raise FileFormatError(
            f"The file could not be read as {delim_name(delim)}-separated text: {detail}. "
            "Check that line for a stray delimiter or an unclosed quote.") from exc
    except pd.errors.EmptyDataError as exc:
        raise FileFormatError("The file is empty: it has no header and no rows.") from exc


_DECIMAL_COMMA = re.compile(r"^\s*[-+]?(\d{1,3}(\.\d{3})+|\d+),\d+\s*$")


def detect_decimal(frame: pd.DataFrame, delim: str) -> str:
    """``","`` when the file writes decimals with a comma (``1,50``, ``1.234,56``), else ``"."``.

    Only semicolon- or tab-separated files can: in a comma-separated file a comma inside a
    number would be quoted and is a thousands separator far more often. A column decides by its first 500
    cells among the first 5,000 rows, all columns in one pass (time linear in cells, however wide the file).
    """
    if delim not in (";", "\t") or frame.empty:
        return "."
    head = frame.head(5000).to_numpy(dtype=object)
    present = pd.notna(head)
    sample = present & (np.cumsum(present, axis=0) <= 500)
    cells = pd.Series(np.where(sample, head, None).ravel(), dtype=object)
    hits = cells.str.match(_DECIMAL_COMMA, na=False).to_numpy(dtype=bool).reshape(head.shape).sum(axis=0)
    n = sample.sum(axis=0)
    return "," if ((n > 0) & (hits > 0.5 * n)).any() else "."


def arrow_table(data: bytes | str, delim: str, ncols: int) -> pa.Table:
    """Parse with pyarrow's multithreaded reader, every column typed as text up front, empty cells as null.

    (pandas' ``engine="pyarrow"`` with ``dtype=str`` parses numbers first and converts them back,
    turning "12.50" into "12.5" and "00042" into "42".)
    """
    table = pacsv.read_csv(
        data if isinstance(data, str) else io.BytesIO(data),  # a path: pyarrow reads the file itself
        read_options=pacsv.ReadOptions(autogenerate_column_names=True, block_size=8 << 20),
        parse_options=pacsv.ParseOptions(delimiter=delim, newlines_in_values=True),  # a quoted cell may span lines
        convert_options=pacsv.ConvertOptions(column_types={f"f{i}": pa.large_string() for i in range(ncols)},
                                             null_values=[""], strings_can_be_null=True,
                                             quoted_strings_can_be_null=True))
    if table.num_columns != ncols:
        raise ValueError("column count differs from the first line")
    return table


def text_frame(table: pa.Table) -> pd.DataFrame:
    """A table of text columns as a frame, in one conversion; columns numbered from 0.

    Text is pandas' pyarrow-backed ``str`` (NaN for missing; pandas 3's default, available in 2.3): compact for a
    long file. A wide and short table (over :data:`WIDE_COLUMNS` columns, at most :data:`WIDE_CELLS` cells) is
    one block of Python text instead (None for missing): there, pandas' cost per column of extension arrays
    (selecting rows, iterating columns) outweighs the parse, and the cells are few enough for their memory.
    """
    if table.num_columns > WIDE_COLUMNS and table.num_rows * table.num_columns <= WIDE_CELLS:
        frame = table.to_pandas()
    else:
        frame = table.to_pandas(types_mapper={pa.string(): TEXT_DTYPE, pa.large_string(): TEXT_DTYPE}.get)
    frame.columns = range(table.num_columns)
    return frame


def delim_name(d: str) -> str:
    """``"comma"``, ``"semicolon"``, ``"tab"``, ``"pipe"``, ``"colon"`` (or the delimiter itself)."""
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", COLON: "colon"}.get(d, d)
