"""How a text cell becomes a typed value: blank cells, dates (and which format a column writes), numbers with
currency signs and either decimal mark, yes/no flags, arm labels, and the store's ISO text back from dates.

Arrow-backed columns (how a CSV is read, :mod:`core.ingest.delimited`) are classified and cast by Arrow in
place where the result is the same as pandas' (blank cells, plain numbers, plain ``YYYY-MM-DD`` dates), so a
million-row column never becomes a million Python strings; anything else goes through pandas, which reports
each cell it cannot read. :mod:`core.ingest.fields` re-exports these for its callers.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core.store.dates import datetimes

DATE_FORMATS = ("ISO8601", "%Y%m%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d-%m-%Y",
                "%m-%d-%Y", "%m/%d/%y", "%d/%m/%y", "%d %b %Y", "%b %d %Y", "%d-%b-%Y", "%b %d, %Y",
                "%d %B %Y", "%B %d, %Y", "%Y-%m",
                # a day with a time, as line-item exports write it ("12/1/2010 8:26"); the time is dropped
                "%m/%d/%Y %H:%M", "%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S")
_TRUE = {"yes", "y", "true", "t", "1", "churned", "churn", "lost", "cancelled", "canceled", "exited", "1.0"}
_FALSE = {"no", "n", "false", "f", "0", "active", "retained", "stayed", "0.0"}
_TREATMENT = {"treatment", "treated", "test", "t", "1", "yes", "intervention", "exposed", "variant"}
_HOLDOUT = {"holdout", "control", "c", "0", "no", "hold out", "hold-out", "untreated", "baseline", "hold",
            "no contact", "not contacted", "no treatment", "no e-mail", "no email", "none", "held out"}


def blank_mask(s: pd.Series) -> pd.Series:
    """Cells that are empty or white space only (an Arrow-backed column is classified in place, no copy)."""
    arr = _arrow_text(s)
    if arr is not None:
        blank = pc.or_(pc.equal(pc.utf8_length(arr), 0), pc.utf8_is_space(arr)).fill_null(True)
        return pd.Series(blank.to_numpy(zero_copy_only=False), index=s.index, dtype=bool)
    return s.isna() | (s.str.strip() == "")


#: a cell with white space at either end (what ``str.strip`` removes: ASCII controls 9-13 and 28-31, NEL, Unicode Z)
_EDGE_SPACE = r"^[\t-\r\x1c-\x1f\x85\p{Z}]|[\t-\r\x1c-\x1f\x85\p{Z}]$"


def trimmed(s: pd.Series, blank: pd.Series | np.ndarray) -> pd.Series:
    """``s`` with white space stripped from each cell and ``blank`` cells missing. An Arrow-backed column that
    needs neither (the usual export) is returned as it is: no copy of a million-row column."""
    arr = _arrow_text(s)
    if arr is not None and not (np.asarray(blank) & s.notna().to_numpy()).any() \
            and not pc.any(pc.match_substring_regex(arr, _EDGE_SPACE)).as_py():
        return s
    return s.str.strip().where(~np.asarray(blank), None)


def _arrow_text(s: pd.Series) -> pa.ChunkedArray | pa.Array | None:
    """The Arrow array behind an Arrow-backed text column (None for any other column)."""
    if getattr(s.dtype, "storage", None) != "pyarrow":
        return None
    return s.array.__arrow_array__()


def detect_date_format(s: pd.Series, sample: int = 2000) -> tuple[str | None, float]:
    """Pick the date format that parses most of the non-blank cells of ``s``.

    Returns the format (``None`` if none fits) and the share of the sample it parsed. When
    day and month order are both possible (every day <= 12), month-first is kept, because
    a date format can be forced with ``date_format``.
    """
    distinct = pd.Series(s.unique(), dtype=s.dtype)  # distinct cells first: a long column repeats its dates
    vals = distinct[~blank_mask(distinct)].str.strip()
    if vals.empty:
        return None, 0.0
    vals = pd.Series(vals.unique()[:sample])
    best, best_share = None, 0.0
    for fmt in DATE_FORMATS:
        if fmt == "ISO8601" and not vals.str.match(r"^\d{4}-\d{1,2}-\d{1,2}").all():
            # pandas' ISO parser also takes compact forms; only use it on dashed dates
            share = vals.str.match(r"^\d{4}-\d{1,2}-\d{1,2}").mean()
            if share == 0:
                continue
        parsed = datetimes(vals, format=fmt, errors="coerce")
        share = float(parsed.notna().mean())
        if share > best_share:
            best, best_share = fmt, share
        if share == 1.0:
            break
    return best, best_share


def to_dates(s: pd.Series, fmt: str | None) -> tuple[pd.Series, pd.Series]:
    """Parse ``s`` with ``fmt``. Returns (datetime64 Series, mask of non-blank cells that failed)."""
    blank = blank_mask(s)
    if fmt is None:
        return pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]"), ~blank
    parsed = _iso_days(s) if fmt in ("%Y-%m-%d", "ISO8601") else None
    if parsed is None:
        parsed = datetimes(s.str.strip(), format=fmt, errors="coerce")
    return parsed, parsed.isna() & ~blank


_NUM_CLEAN = re.compile(r"[\s$€£¥,%]")


def to_numbers(s: pd.Series, decimal: str = ".") -> tuple[pd.Series, pd.Series]:
    """Parse numbers, allowing currency signs and thousands separators.

    With ``decimal=","`` (European files: ``1.234,56``) dots are thousands separators and the
    comma is the decimal mark. Returns (float Series, mask of non-blank cells that are not numbers).
    """
    blank = blank_mask(s)
    if decimal == ".":
        fast = _arrow_floats(s.where(~blank) if blank.any() else s)  # no copy of a column with no blanks
        if fast is not None:  # every cell is a plain number or empty: the common, large case
            return fast, pd.Series(False, index=s.index)
    if decimal == ",":
        s = s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    out = pd.to_numeric(s, errors="coerce")
    bad = out.isna() & ~blank
    if bad.any():  # second pass only over the cells that need cleaning ("$1,200", "12 %")
        fixed = pd.to_numeric(s[bad].str.replace(_NUM_CLEAN, "", regex=True), errors="coerce")
        out.loc[bad] = fixed
        bad = out.isna() & ~blank
    return out.astype("float64"), bad


_DAY_RANGE = (pa.scalar(-106_751, pa.date32()), pa.scalar(106_750, pa.date32()))  # datetime64[ns]'s span


def _iso_days(s: pd.Series) -> pd.Series | None:
    """An Arrow-backed column of plain ``YYYY-MM-DD`` dates (or blanks) as datetime64[ns], parsed by Arrow
    without a Python string per cell; None when any cell is anything else (pandas then parses the column, and
    reports each cell it cannot read)."""
    arr = _arrow_text(s)
    if arr is None:
        return None
    try:
        days = pc.cast(arr, pa.date32())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    low, high = pc.min_max(days).values()
    if low.is_valid and (low.value < _DAY_RANGE[0].value or high.value > _DAY_RANGE[1].value):
        return None
    out = days.to_numpy(zero_copy_only=False) if isinstance(days, pa.Array) else days.to_numpy()
    return pd.Series(out.astype("datetime64[ns]"), index=s.index)


def _arrow_floats(s: pd.Series) -> pd.Series | None:
    """Cast text to float64 with pyarrow (~30x faster than pandas); None if any cell is not a number."""

    try:
        arr = _arrow_text(s)
        if arr is None:
            arr = pa.array(s.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
        out = pc.cast(arr, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    return pd.Series(out.to_numpy(zero_copy_only=False), index=s.index, dtype="float64")


def to_flags(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse yes/no style flags. Returns (boolean Series with NA, mask of unrecognised cells)."""
    low = s.str.strip().str.lower()
    out = pd.Series(pd.NA, index=s.index, dtype="boolean")
    out[low.isin(_TRUE)] = True
    out[low.isin(_FALSE)] = False
    return out, out.isna() & ~blank_mask(s)


def to_groups(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Normalise arm labels. Returns (text Series, mask of unrecognised cells: always empty).

    Holdout words (control, no contact ...) become ``holdout`` and treatment words (test, treated ...)
    ``treatment``; any other label names an arm of its own and is kept as written (trimmed), so a
    campaign with several treatments ("Email A", "Email B") keeps them apart against one holdout.
    """
    stripped = s.str.strip()
    low = stripped.str.lower()
    out = stripped.where(~blank_mask(s)).astype(object)
    out[low.isin(_TREATMENT)] = "treatment"
    out[low.isin(_HOLDOUT)] = "holdout"
    return out, pd.Series(False, index=s.index)


def type_share(s: pd.Series, type_: str, decimal: str = ".") -> float:
    """Share of non-blank cells of ``s`` (sampled) that can be read as ``type_``."""
    vals = _first_filled(s, 2000)
    if vals.empty:
        return 0.0
    if type_ in ("date", "datetime"):
        return detect_date_format(vals)[1]
    if type_ in ("number", "months"):
        return float(1 - to_numbers(vals, decimal)[1].mean())
    if type_ == "flag":
        return float(1 - to_flags(vals)[1].mean())
    if type_ == "group":
        return float(1 - to_groups(vals)[1].mean())
    return 1.0


def infer_extra_type(s: pd.Series, decimal: str = ".") -> str:
    """``number`` when at least 95 % of the non-blank cells are numbers, else ``text``."""
    vals = _first_filled(s, 5000)
    if vals.empty:
        return "text"
    return "number" if float(1 - to_numbers(vals, decimal)[1].mean()) >= 0.95 else "text"


def _first_filled(s: pd.Series, n: int) -> pd.Series:
    """The first ``n`` cells of ``s`` that are not blank (looked for in the head first: no pass over a long
    column whose head holds them)."""
    for stop in (4 * n, len(s)):
        head = s.iloc[:stop]
        filled = np.flatnonzero(~blank_mask(head).to_numpy())
        if len(filled) >= n or stop >= len(s):
            return head.iloc[filled[:n]]
    return s.iloc[:0]


def iso_dates(s: pd.Series) -> np.ndarray:
    """datetime64 Series -> object array of ``YYYY-MM-DD`` strings (None where missing)."""

    days = pa.array(s.to_numpy(dtype="datetime64[D]"), from_pandas=True)  # NaT -> null
    return pc.cast(days, pa.string()).to_numpy(zero_copy_only=False).astype(object)


_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)


def iso_date_text(s: pd.Series) -> pd.api.extensions.ExtensionArray:
    """datetime64 Series -> ``YYYY-MM-DD`` text as an Arrow-backed array (missing where NaT): what
    :func:`iso_dates` gives without a Python string per cell."""
    days = pa.array(s.to_numpy(dtype="datetime64[D]"), from_pandas=True)  # NaT -> null
    return _TEXT.__from_arrow__(pc.cast(days, pa.string()))


def iso_datetimes(s: pd.Series) -> np.ndarray:
    """datetime64 Series -> object array of ``YYYY-MM-DD HH:MM:SS.ffffff`` strings (None where missing)."""
    arr = s.to_numpy(dtype="datetime64[us]")
    if arr.size == 0:  # np.char on an empty array fails; nothing to format
        return np.array([], dtype=object)
    out = np.char.replace(np.datetime_as_string(arr), "T", " ").astype(object)
    out[np.isnat(arr)] = None
    return out
