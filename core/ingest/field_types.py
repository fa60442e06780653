"""Typing of the mapped columns: each field's text becomes keys and text, dates, numbers, flags or group labels,
and every cell that does not convert is reported (see :mod:`core.ingest.issues`)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core.ingest import fields as F
from core.ingest.issues import Issues
from core.ingest.wording import how

_EXAMPLE_DAY = dt.date(2024, 3, 31)  # shown in the fix of an unparseable date, in the column's format


def type_fields(kind: str, used: dict[str, str], constants: dict[str, str], issues: Issues,
                date_format: str | None, formats: dict[str, str | None] | None = None,
                ) -> tuple[dict[str, pd.Series], dict[str, str | None]]:
    """Every mapped column and every whole-file value as its field's type.

    ``formats`` (a file read in chunks): date field -> the format detected on the first chunk, used for the
    later ones (a field the first chunk found no format for is detected again).

    Returns
    -------
    typed : dict
        field -> typed Series over the source rows.
    date_formats : dict
        date field -> the format used (``date_format`` if given, else detected per column).
    """
    specs = {s.name: s for s in F.KINDS[kind]}
    frame = issues.raw.frame
    typed: dict[str, pd.Series] = {}
    date_formats: dict[str, str | None] = {}
    sources = [(fld, frame[col], col) for fld, col in used.items()]
    sources += [(fld, pd.Series([val] * len(frame), index=frame.index, dtype="str"), how("constant", fld))
                for fld, val in constants.items()]
    for fld, s, col in sources:
        typed[fld], fmt = type_field(specs[fld], s, col, issues, date_format or (formats or {}).get(fld))
        if specs[fld].type in ("date", "datetime"):
            date_formats[fld] = fmt
    return typed, date_formats


def type_field(spec: F.FieldSpec, s: pd.Series, col: str, issues: Issues,
               forced_fmt: str | None = None) -> tuple[pd.Series, str | None]:
    """Column ``s`` (text) as field ``spec``'s type, and the date format used (None for other types).

    Blank cells of a required field, and cells that do not convert, go into ``issues`` under ``col``.
    """
    blank = F.blank_mask(s).to_numpy()
    if spec.required:
        what = "customer id" if spec.name == "customer_id" else spec.name.replace("_", " ")
        issues.add(blank, col, spec.name, f"missing {what}",
                   f"fill in the {what} or remove the row", values=s[blank].to_numpy())
    if spec.type in ("key", "text"):
        return F.trimmed(s, blank), None
    if spec.type in ("date", "datetime"):
        return _dates(spec.name, s, col, issues, forced_fmt)
    if spec.type in ("number", "months"):
        return _numbers(spec, s, col, issues), None
    if spec.type == "flag":
        out, bad = F.to_flags(s)
        issues.add(bad.to_numpy(), col, spec.name, "not a yes/no value", "write Yes or No (or 1/0, true/false)")
        return out, None
    if spec.type == "group":  # any label is an arm; holdout and treatment words are normalised
        return F.to_groups(s)[0], None
    raise AssertionError(spec.type)


def _dates(name: str, s: pd.Series, col: str, issues: Issues,
           forced_fmt: str | None) -> tuple[pd.Series, str | None]:
    fmt = forced_fmt or F.detect_date_format(s)[0]
    out, bad = F.to_dates(s, fmt)
    example = _EXAMPLE_DAY.strftime(fmt) if fmt and fmt != "ISO8601" else "2024-03-31"
    fix = (f"write it like the rest of the column ({example}){how('date_format')}" if fmt
           else f"write dates as YYYY-MM-DD (e.g. 2024-03-31){how('date_format')}")
    issues.add(bad.to_numpy(), col, name, "unparseable date", fix)
    return out, fmt


def _numbers(spec: F.FieldSpec, s: pd.Series, col: str, issues: Issues) -> pd.Series:
    out, bad = F.to_numbers(s, issues.raw.details.get("decimal", "."))
    issues.add(bad.to_numpy(), col, spec.name, "text in a numeric column",
               "replace it with a number (or leave the cell empty if unknown)")
    if spec.type == "months":
        neg = (out < 0) | (out.notna() & (out % 1 != 0))
        issues.add(neg.to_numpy(), col, spec.name, "tenure must be a whole, non-negative number of months",
                   "correct the tenure")
        out = out.where(~neg)
    return out


def extra_columns(frame: pd.DataFrame, extras: list[str], issues: Issues,
                  decided: dict[str, str] | None = None) -> pd.DataFrame:
    """The file's extra (unmapped) columns typed for the ``attributes`` JSON, as one frame built at once.

    A column that is mostly numbers (:func:`core.ingest.fields.infer_extra_type`) becomes float64 and its blank
    and text cells are warned about; any other column stays text. Time is linear in cells however wide the file:
    a column of plain numbers (most columns of a wide export) is typed by one pyarrow cast, without the pandas
    passes, and the frame is assembled once (inserting columns one by one costs time in the number of columns
    for each column).

    ``decided`` (a file read in chunks): column -> ``number`` or ``text`` as the first chunk with a filled cell
    decided it; the later chunks follow it, and a column decided here is added.

    Returns
    -------
    pandas.DataFrame
        One column per extra column, on ``frame``'s index.
    """
    decimal = issues.raw.details.get("decimal", ".")
    out: dict[str, pd.Series | np.ndarray] = {}
    for c in extras:
        s = frame[c]
        plain = _plain_numbers(s) if decimal == "." else None
        kind = (decided or {}).get(c) or ("number" if plain is not None else F.infer_extra_type(s, decimal))
        if decided is not None and c not in decided and s.notna().any():
            decided[c] = kind
        if plain is not None and kind == "number":  # what to_numbers' own fast path gives, nothing to warn about
            out[c] = plain
        elif kind == "number":
            num, bad = F.to_numbers(s, decimal)
            ws = s.notna() & (s.str.strip() == "")
            issues.add(ws.to_numpy(), c, "", "blank value in a numeric column",
                       "stored as empty; fill in the number if it is known", severity="warning")
            issues.add((bad & ~ws).to_numpy(), c, "", "text in a numeric column",
                       "stored as empty; replace it with a number", severity="warning")
            out[c] = num
        else:
            out[c] = s
    return pd.DataFrame(out, index=frame.index)


def _plain_numbers(s: pd.Series) -> np.ndarray | None:
    """``s`` as a float64 array when every non-missing cell is a plain number (and one at least is), else None.

    (An array, not a Series: building 10,000 Series costs more than the 10,000 casts.)"""
    try:
        if getattr(s.dtype, "storage", None) == "pyarrow":
            arr = s.array.__arrow_array__()
        else:
            arr = pa.array(s.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
        if arr.null_count == len(arr):
            return None
        return pc.cast(arr, pa.float64()).to_numpy()
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None
