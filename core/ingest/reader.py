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
import io
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from charset_normalizer import from_bytes
from python_calamine import CalamineWorkbook

from core.errors import FileFormatError
from core.export.cells import unneutralise, unneutralise_text

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
_DELIMITERS = [",", ";", "\t", "|"]


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


def _decode(data: bytes) -> tuple[str, str]:
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


def _detect_delimiter(sample: str) -> str:
    lines = [ln for ln in sample.splitlines()[:50] if ln.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters="".join(_DELIMITERS)).delimiter
    except csv.Error:
        pass
    # A whitespace-aligned log (like CDNOW's): every line splits into the same number of fields.
    widths = {len(ln.split()) for ln in lines}
    if len(widths) == 1 and widths.pop() > 1:
        return "whitespace"
    counts = {d: min(ln.count(d) for ln in lines) for d in _DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def _looks_like_header(first: list[str]) -> bool:
    """A header row has at least one cell that is text, not a number or a date."""
    def is_data(cell: str) -> bool:
        cell = cell.strip()
        return bool(re.fullmatch(r"[-+]?[\d.,/:\- ]+", cell)) if cell else False

    return not all(is_data(c) for c in first)


def read_csv_bytes(data: bytes, *, header: bool | None = None) -> RawTable:
    """Read delimited text (CSV, TSV, semicolon, whitespace-aligned) into a :class:`RawTable`.

    Row numbers count every line a spreadsheet would show, blank ones included (a quoted cell
    that spans lines is one row, as in Excel).
    """
    text, encoding = _decode(data)
    sample = _check_text(text)
    delim = _detect_delimiter(sample)
    first_line = next(ln for ln in text.splitlines() if ln.strip())
    first = first_line.split() if delim == "whitespace" else next(csv.reader([first_line], delimiter=delim))
    if header is None:
        header = _looks_like_header(first)
    has_blank_lines = bool(re.search(r"\n[ \t]*\r?\n", text.strip()))
    frame = _parse_delimited(data, text, encoding, delim, len(first), has_blank_lines)
    rows = np.arange(1, len(frame) + 1)
    if has_blank_lines:  # drop blank lines but keep every row's own number
        keep = ~(frame.isna() | (frame == "")).all(axis=1).to_numpy()
        frame, rows = frame[keep].reset_index(drop=True), rows[keep]
    frame, rows, original = _take_header(frame, rows, header)
    frame = _clean_cells(frame)
    return RawTable(
        frame=frame, rows=rows, file_format="csv",
        details={"encoding": encoding, "delimiter": _delim_name(delim), "header": bool(header),
                 "decimal": _detect_decimal(frame, delim), "original_headers": original},
    )


def _check_text(text: str) -> str:
    """The first 64,000 characters of ``text``; FileFormatError when it is empty or binary."""
    if not text.strip():
        raise FileFormatError("The file is empty: it has no header and no rows.")
    sample = text[:64_000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    if controls > 0.01 * len(sample):
        raise FileFormatError("This file is binary, not a spreadsheet. Upload a CSV (text) or an XLSX file.")
    return sample


def _parse_delimited(data: bytes, text: str, encoding: str, delim: str, n_columns: int,
                     has_blank_lines: bool) -> pd.DataFrame:
    """Every line as text cells, header included (pyarrow when it can, else pandas' C engine)."""
    # header=None always: pandas would rename repeated headers its own way ("name.1");
    # clean_headers names them the same way for CSV and XLSX ("name_2").
    kwargs = dict(dtype=str, keep_default_na=False, na_values=[], header=None)
    try:
        if delim == "whitespace":
            return pd.read_csv(io.StringIO(text), sep=r"\s+", engine="c", **kwargs)
        if has_blank_lines:
            return pd.read_csv(io.StringIO(text), sep=delim, engine="c", skip_blank_lines=False, **kwargs)
        try:
            return _arrow_text_frame(data if encoding == "utf-8" else text.encode("utf-8"), delim, n_columns)
        except Exception:  # pyarrow refuses ragged rows; the C engine names the line
            return pd.read_csv(io.StringIO(text), sep=delim, engine="c", **kwargs)
    except pd.errors.ParserError as exc:
        detail = " ".join(str(exc).split())
        raise FileFormatError(
            f"The file could not be read as {_delim_name(delim)}-separated text: {detail}. "
            "Check that line for a stray delimiter or an unclosed quote.") from exc
    except pd.errors.EmptyDataError as exc:
        raise FileFormatError("The file is empty: it has no header and no rows.") from exc


def _take_header(frame: pd.DataFrame, rows: np.ndarray, header: bool) -> tuple[pd.DataFrame, np.ndarray, list]:
    """Name the columns from the first row (then dropped) or ``column_1`` ...; also the original headers."""
    if not header:
        frame.columns = clean_headers([None] * frame.shape[1])
        return frame, rows, []
    original = ["" if pd.isna(c) else str(c) for c in frame.iloc[0]] if len(frame) else []
    frame.columns = clean_headers(original)
    return frame.iloc[1:].reset_index(drop=True), rows[1:], original


_DECIMAL_COMMA = re.compile(r"^\s*[-+]?(\d{1,3}(\.\d{3})+|\d+),\d+\s*$")


def _detect_decimal(frame: pd.DataFrame, delim: str) -> str:
    """``","`` when the file writes decimals with a comma (``1,50``, ``1.234,56``), else ``"."``.

    Only semicolon- or tab-separated files can: in a comma-separated file a comma inside a
    number would be quoted and is a thousands separator far more often.
    """
    if delim not in (";", "\t"):
        return "."
    for col in frame.columns:
        vals = frame[col].dropna().head(500)
        if len(vals) and vals.str.match(_DECIMAL_COMMA).mean() > 0.5:
            return ","
    return "."


def _arrow_text_frame(data: bytes, delim: str, ncols: int) -> pd.DataFrame:
    """Parse with pyarrow's multithreaded reader, every column typed as text up front.

    (pandas' ``engine="pyarrow"`` with ``dtype=str`` parses numbers first and converts them back,
    turning "12.50" into "12.5" and "00042" into "42".)
    """

    table = pacsv.read_csv(
        io.BytesIO(data),
        read_options=pacsv.ReadOptions(autogenerate_column_names=True, block_size=8 << 20),
        parse_options=pacsv.ParseOptions(delimiter=delim),
        convert_options=pacsv.ConvertOptions(column_types={f"f{i}": pa.string() for i in range(ncols)},
                                             strings_can_be_null=False, quoted_strings_can_be_null=False))
    if table.num_columns != ncols:
        raise ValueError("column count differs from the first line")
    # pyarrow-backed text with NaN for missing: pandas 3's default "str" dtype, available in 2.3
    text_dtype = pd.StringDtype("pyarrow", na_value=np.nan)
    frame = table.to_pandas(types_mapper={pa.string(): text_dtype}.get)
    frame.columns = range(ncols)
    return frame


def _delim_name(d: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(d, d)


def _clean_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Empty cells become NA (cells of only white space stay as they are so validation can report them), and
    neutralised cells (``'-3``) read as they were (``-3``)."""
    for col in frame.columns:
        s = frame[col]
        frame[col] = unneutralise_text(s.where(s != "", None))
    return frame


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


def workbook_sheets(data: bytes) -> list[str]:
    """Return the sheet names of an XLSX workbook."""
    return list(_open_workbook(data).sheet_names)


def _open_workbook(data: bytes):

    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise FileFormatError(f"This file is not a readable XLSX workbook ({exc}). "
                              "Open it in Excel and save it again as .xlsx, or export a CSV.") from exc


def read_xlsx_bytes(data: bytes, sheet: str | int | None = None) -> RawTable:
    """Read one sheet of an XLSX workbook (default: the first) into a :class:`RawTable`.

    The header is the first row more than half as full as the fullest of the first 20 rows,
    so title lines above a table are skipped; fully empty rows are dropped.
    """
    wb = _open_workbook(data)
    names = list(wb.sheet_names)
    if sheet is None or sheet == "":
        sheet = names[0]
    if isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit() and sheet not in names):
        idx = int(sheet)
        if not 0 <= idx < len(names):
            raise FileFormatError(f"The workbook has no sheet number {idx}. Its sheets are: {', '.join(names)}.")
        sheet = names[idx]
    if sheet not in names:
        raise FileFormatError(f"The workbook has no sheet named '{sheet}'. Its sheets are: {', '.join(names)}.")
    cells = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
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
               header: bool | None = None) -> RawTable:
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

    Returns
    -------
    RawTable

    Raises
    ------
    FileFormatError
        Empty file, binary file that is not a workbook, damaged workbook, unknown sheet.
    """
    if not data or not data.strip():
        raise FileFormatError(f"'{file_name or 'the file'}' is empty: it has no header and no rows.")
    if data.startswith(b"PK\x03\x04"):
        return read_xlsx_bytes(data, sheet)
    if file_name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        _sniff_binary(data)
        raise FileFormatError(f"'{file_name}' is named like a workbook but is not an XLSX file. "
                              "Open it in Excel and save it as .xlsx, or export a CSV.")
    _sniff_binary(data)
    if sheet not in (None, "", 0):
        raise FileFormatError(f"'{file_name or 'the file'}' is a text (CSV) file: it has no sheets, so "
                              f"sheet '{sheet}' cannot be chosen. Leave the sheet empty.")
    return read_csv_bytes(data, header=header)
