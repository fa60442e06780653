"""Read an uploaded file (CSV, TXT, XLSX) into a frame of text cells.

Everything is read as text first so that validation can quote the value as the user
typed it (``" "`` in the telco file's ``TotalCharges``, ``00001`` in CDNOW's ids) and name
the spreadsheet row it came from. Typing happens later, in :mod:`core.ingest.fields`. One thing is undone
at once: a cell (or header) our own exports neutralised (``'-3``, :mod:`core.export.cells`) reads as it was
(``-3``), so a rejected-rows CSV can be fixed and imported again.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from python_calamine import CalamineWorkbook

from core.errors import FileFormatError
from core.export import units
from core.export.cells import unneutralise, unneutralise_text
from core.ingest import csv_file, delimited
from core.ingest.limits import ReadLimits
from core.ingest.sheet_bounds import check_sheet, open_book

#: magic numbers of files people upload by mistake
_BINARY_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\xd0\xcf\x11\xe0": "an old binary Office file (.xls/.doc)",
    b"\x1f\x8b": "a gzip archive",
    b"SQLite format 3": "a SQLite database",
}


@dataclass
class RawTable:
    """A file read as text.

    Attributes
    ----------
    frame : pandas.DataFrame
        One text column per source column (clean, unique header names); missing cells are NA.
    rows : numpy.ndarray
        The 1-based spreadsheet row number of each frame row (what a user sees in Excel).
    file_format : str
        ``"csv"`` or ``"xlsx"``.
    details : dict
        What was detected: encoding, delimiter, sheet, header row, original headers.
    sheets : list of str
        Sheet names of a workbook (empty for CSV).
    """

    frame: pd.DataFrame
    rows: object
    file_format: str
    details: dict = field(default_factory=dict)
    sheets: list[str] = field(default_factory=list)


def clean_headers(headers: list) -> list[str]:
    """Strip, collapse white space, name blank headers ``column_N`` and make names unique.

    A name our exports neutralised (``'=total``) loses its apostrophe first (``=total``).

    Uniqueness ignores case (``Amount`` and ``amount`` collide) and a repeat becomes
    ``name_2``, ``name_3``, ... skipping any name the file already uses.
    """
    names = []
    for i, h in enumerate(headers, start=1):
        name = "" if h is None or (isinstance(h, float) and pd.isna(h)) else str(h)
        name = re.sub(r"\s+", " ", unneutralise(name.replace("\ufeff", ""))).strip()
        if not name or re.fullmatch(r"Unnamed: \d+", name):
            name = f"column_{i}"
        names.append(name)
    taken = {n.lower() for n in names}
    used: set[str] = set()
    out: list[str] = []
    for name in names:
        final = name
        if final.lower() in used:
            k = 2
            while f"{name}_{k}".lower() in used or f"{name}_{k}".lower() in taken:
                k += 1
            final = f"{name}_{k}"
        used.add(final.lower())
        out.append(final)
    return out


def _sniff_binary(data: bytes) -> None:
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise FileFormatError(
                f"This file is {what}, not a spreadsheet CSV or XLSX. Save or export it as .xlsx or .csv."
            )
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileFormatError(
            "This file is binary, not a spreadsheet. Upload a CSV (text) or an XLSX file."
        )


def read_csv_bytes(data: bytes, *, header: bool | None = None, limits: ReadLimits | None = None) -> RawTable:
    """Read delimited text (CSV, TSV, semicolon, whitespace-aligned) into a :class:`RawTable`.

    Row numbers count every line a spreadsheet would show, blank ones included (a quoted cell
    that spans lines is one row, as in Excel). A first line wider than ``limits.max_columns`` is refused.
    """
    text, encoding = delimited.decode(data)
    sample = delimited.check_text(text)
    delim = delimited.detect_delimiter(sample)
    first_line = delimited.first_line(text)
    first = first_line.split() if delim == "whitespace" else next(csv.reader([first_line], delimiter=delim))
    _check_width(len(first), limits or ReadLimits.from_env())
    if header is None:
        header = delimited.looks_like_header(first)
    has_blank_lines = delimited.has_blank_lines(text)
    if encoding == "utf-8" and delim != "whitespace" and not has_blank_lines:  # pyarrow parses the bytes:
        # the decoded text goes before the parse (it is a long file's largest transient)
        text = None
    parsed = delimited.parse_delimited(data, text, encoding, delim, len(first), has_blank_lines)
    if isinstance(parsed, pa.Table):
        frame, rows, original = _from_arrow(parsed, header)
    else:
        frame, rows = parsed, np.arange(1, len(parsed) + 1)
        if has_blank_lines:  # drop blank lines but keep every row's own number
            keep = ~(frame.isna() | (frame == "")).all(axis=1).to_numpy()
            frame, rows = frame[keep].reset_index(drop=True), rows[keep]
        frame, rows, original = _take_header(frame, rows, header)
        frame = _clean_cells(frame)
    return RawTable(
        frame=frame, rows=rows, file_format="csv",
        details={"encoding": encoding, "delimiter": delimited.delim_name(delim), "header": bool(header),
                 "decimal": delimited.detect_decimal(frame, delim), "original_headers": original},
    )


def read_source(source: bytes | os.PathLike, file_name: str = "", *, sheet: str | int | None = None,
                header: bool | None = None, limits: ReadLimits | None = None) -> tuple[RawTable, str]:
    """:func:`read_table` of bytes or of a file on disk, and the file's sha256.

    A long UTF-8 delimited file on disk is parsed from the disk (:mod:`core.ingest.csv_file`): neither its bytes
    nor its text are held. Any other file is read as bytes.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        return read_table(bytes(source), file_name, sheet=sheet, header=header, limits=limits), \
            hashlib.sha256(source).hexdigest()
    limits = limits or ReadLimits.from_env()
    found = csv_file.probe(source, header) if sheet in (None, "", 0) else None
    if found is not None:
        with open(source, "rb") as f:  # what the bytes path refuses as binary, this path refuses too
            _sniff_binary(f.read(8192))
        _check_width(len(found.first), limits)
        try:
            table = delimited.arrow_table(os.fspath(source), found.delimiter, len(found.first))
        except (pa.ArrowInvalid, ValueError):  # ragged rows: the bytes path names the line
            table = None
        if table is not None:
            frame, rows, original = _from_arrow(table, found.header)
            del table
            return RawTable(frame=frame, rows=rows, file_format="csv", details={
                "encoding": found.encoding, "delimiter": delimited.delim_name(found.delimiter),
                "header": bool(found.header), "decimal": delimited.detect_decimal(frame, found.delimiter),
                "original_headers": original}), found.sha256
    data = Path(source).read_bytes()
    return read_table(data, file_name, sheet=sheet, header=header, limits=limits), hashlib.sha256(data).hexdigest()


def _check_width(n_columns: int, limits: ReadLimits) -> None:
    if n_columns > limits.max_columns:
        raise FileFormatError(
            f"The file has {units.count(n_columns)} columns, over the limit of {units.count(limits.max_columns)}: "
            f"delete the columns you do not need and save again, or {limits.hint('max_columns')}.")


def _take_header(frame: pd.DataFrame, rows: np.ndarray, header: bool) -> tuple[pd.DataFrame, np.ndarray, list]:
    """Name the columns from the first row (then dropped) or ``column_1`` ...; also the original headers."""
    if not header:
        frame.columns = clean_headers([None] * frame.shape[1])
        return frame, rows, []
    original = ["" if pd.isna(c) else str(c) for c in frame.iloc[0]] if len(frame) else []
    frame.columns = clean_headers(original)
    return frame.iloc[1:].reset_index(drop=True), rows[1:], original


def _clean_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Empty cells become NA (cells of only white space stay as they are so validation can report them), and
    neutralised cells (``'-3``) read as they were (``-3``).

    Whole-table passes, in time linear in cells however wide the file: a column-by-column assignment into the
    frame costs time in the number of columns for each column.
    """
    if frame.empty or not len(frame.columns):
        return frame
    values = frame.to_numpy(dtype=object, copy=True)
    values[values == ""] = None
    flat = pd.Series(values.ravel(order="F"))
    quoted = flat.str.startswith("'", na=False).to_numpy(dtype=bool)
    if quoted.any():
        flat[quoted] = unneutralise_text(flat[quoted].astype(object)).to_numpy()
        values = flat.to_numpy().reshape(values.shape, order="F")
    return pd.DataFrame(values, index=frame.index, columns=frame.columns)


def _from_arrow(table: pa.Table, header: bool, names: list | None = None,
                after: int = 0) -> tuple[pd.DataFrame, np.ndarray, list]:
    """:func:`_take_header` and :func:`_clean_cells` for a pyarrow table, column by column in pyarrow (a cheap
    test each; pandas only for a column with an apostrophe-led cell), then one conversion to pandas: pandas'
    per-column costs on a frame 10,000 columns wide dwarf the parse.

    A later chunk of a long file (:mod:`core.ingest.chunks`) has no header: ``names`` are the first chunk's
    original headers and its rows are numbered on from row ``after``."""
    header = bool(header) and table.num_rows > 0 and names is None
    original = ["" if c[0].as_py() is None else c[0].as_py() for c in table.columns] if header else (names or [])
    body = table.slice(1) if header else table
    columns = []
    for col in body.columns:
        if pc.any(pc.starts_with(col, "'")).as_py():
            s = unneutralise_text(pd.Series(col.to_pandas(), dtype=delimited.TEXT_DTYPE))
            col = pa.chunked_array([pa.array(s.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)])
        columns.append(col)
    given = names is not None
    frame = delimited.text_frame(pa.Table.from_arrays(columns, names=[f"f{i}" for i in range(len(columns))]))
    frame.columns = clean_headers(original if header or given else [None] * len(columns))
    return frame, np.arange(1, body.num_rows + 1) + (1 if header else 0) + after, original


def _cell_text(v) -> str | None:
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ") if (v.hour or v.minute or v.second) else v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def workbook_sheets(data: bytes, limits: ReadLimits | None = None) -> list[str]:
    """Return the sheet names of an XLSX workbook (read from its zip, checked against ``limits``)."""
    return open_book(data, limits or ReadLimits.from_env()).sheets


def _open_workbook(data: bytes):

    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise FileFormatError(f"This file is not a readable XLSX workbook ({exc}). "
                              "Open it in Excel and save it again as .xlsx, or export a CSV.") from exc


def _sheet_name(names: list[str], sheet: str | int | None) -> str:
    """The sheet ``sheet`` (name or 0-based number; default the first) names, from ``names``."""
    if not names:
        raise FileFormatError("The workbook has no sheets. Open it in Excel and save it again, or export a CSV.")
    if sheet is None or sheet == "":
        return names[0]
    if isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit() and sheet not in names):
        idx = int(sheet)
        if not 0 <= idx < len(names):
            raise FileFormatError(f"The workbook has no sheet number {idx}. Its sheets are: {', '.join(names)}.")
        return names[idx]
    if sheet not in names:
        raise FileFormatError(f"The workbook has no sheet named '{sheet}'. Its sheets are: {', '.join(names)}.")
    return sheet


def read_xlsx_bytes(data: bytes, sheet: str | int | None = None, limits: ReadLimits | None = None) -> RawTable:
    """Read one sheet of an XLSX workbook (default: the first) into a :class:`RawTable`.

    The workbook is first measured against ``limits`` (default :meth:`ReadLimits.from_env`) without the native
    reader (:mod:`core.ingest.sheet_bounds`). The header is the first row more than half as full as the fullest
    of the first 20 rows, so title lines above a table are skipped; fully empty rows are dropped.
    """
    limits = limits or ReadLimits.from_env()
    book = open_book(data, limits)
    names = book.sheets
    sheet = _sheet_name(names, sheet)
    check_sheet(data, book, sheet, limits)
    cells = _open_workbook(data).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    rows = [(i + 1, r) for i, r in enumerate(cells) if any(c not in (None, "") for c in r)]
    if not rows:
        raise FileFormatError(f"Sheet '{sheet}' is empty. Its workbook has the sheets: {', '.join(names)}.")
    fill = [sum(c not in (None, "") for c in r) for _, r in rows[:20]]
    h = next(i for i, f in enumerate(fill) if f > 0.5 * max(fill))
    header_row, header = rows[h]
    width = max(len(r) for _, r in rows)
    body = rows[h + 1:]
    frame = pd.DataFrame(
        [[_cell_text(c) for c in r] + [None] * (width - len(r)) for _, r in body],
        columns=range(width), dtype=object,
    )
    frame.columns = clean_headers(list(header) + [None] * (width - len(header)))
    frame = frame.astype("str").where(frame.notna(), None) if len(frame) else frame.astype("str")
    frame = _clean_cells(frame)
    return RawTable(
        frame=frame,
        rows=pd.Series([r for r, _ in body], dtype="int64").to_numpy(),
        file_format="xlsx",
        details={"sheet": sheet, "header_row": header_row, "original_headers": [_cell_text(c) for c in header]},
        sheets=names,
    )


def read_table(data: bytes, file_name: str = "", *, sheet: str | int | None = None,
               header: bool | None = None, limits: ReadLimits | None = None) -> RawTable:
    """Read an uploaded file, choosing CSV or XLSX by its content (not only its name).

    Parameters
    ----------
    data : bytes
        The file's bytes.
    file_name : str
        Used for messages and to recognise ``.xlsx``.
    sheet : str or int, optional
        Sheet name or 0-based number for a workbook; default the first sheet.
    header : bool, optional
        Whether delimited text has a header line; detected when not given.
    limits : ReadLimits, optional
        How large a workbook (or how wide a CSV) is read; default :meth:`ReadLimits.from_env`.

    Returns
    -------
    RawTable

    Raises
    ------
    FileFormatError
        Empty file, binary file that is not a workbook, damaged workbook, unknown sheet, or a file beyond
        ``limits`` (refused in well under a second, before the native reader sees it).
    """
    limits = limits or ReadLimits.from_env()
    if not data or not data.strip():
        raise FileFormatError(f"'{file_name or 'the file'}' is empty: it has no header and no rows.")
    if data.startswith(b"PK\x03\x04"):
        return read_xlsx_bytes(data, sheet, limits)
    if file_name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        _sniff_binary(data)
        raise FileFormatError(f"'{file_name}' is named like a workbook but is not an XLSX file. "
                              "Open it in Excel and save it as .xlsx, or export a CSV.")
    _sniff_binary(data)
    if sheet not in (None, "", 0):
        raise FileFormatError(f"'{file_name or 'the file'}' is a text (CSV) file: it has no sheets, so "
                              f"sheet '{sheet}' cannot be chosen. Leave the sheet empty.")
    return read_csv_bytes(data, header=header, limits=limits)
