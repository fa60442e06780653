"""Which column feeds which field: the automatic guess with the user's overrides, and the checks that every
field a kind needs has a column (or a value for the whole file)."""

from __future__ import annotations

import pandas as pd

from core.errors import DataValidationError
from core.ingest import fields as F
from core.ingest.reader import RawTable


def sheet_hint(raw: RawTable) -> str:
    """A reminder of the workbook's other sheets, for messages about missing columns ("" for one sheet)."""
    if len(raw.sheets) > 1:
        return f" Is '{raw.details.get('sheet')}' the right sheet? This workbook has: {', '.join(raw.sheets)}."
    return ""


def apply_overrides(raw: RawTable, kind: str, mapping: dict | None, constants: dict,
                    ignore: tuple[str, ...]) -> dict[str, str]:
    """field -> source column: the guessed mapping without ignored columns, then ``mapping``'s overrides
    (a column feeds one field; ``None`` un-maps a field), then fields given as ``constants`` left out."""
    specs = {s.name: s for s in F.KINDS[kind]}
    cols = list(raw.frame.columns)
    guessed = F.guess_mapping(raw.frame, kind, raw.details.get("decimal", "."))
    for col in ignore:
        if col not in cols:
            raise DataValidationError(f"Column '{col}' (to ignore) is not in the file. Columns: {', '.join(cols)}.")
    guessed = {f: c for f, c in guessed.items() if c not in ignore}
    for fld, col in (mapping or {}).items():
        if fld not in specs:
            raise DataValidationError(
                f"'{fld}' is not a field of {kind}. Fields: {', '.join(specs)}.")
        if col in (None, ""):
            guessed.pop(fld, None)
            continue
        if col not in cols:
            raise DataValidationError(
                f"Column '{col}' (mapped to {fld}) is not in the file. Columns: {', '.join(cols)}.")
        guessed = {f: c for f, c in guessed.items() if c != col}  # a column feeds one field
        guessed[fld] = col
    for fld in constants:
        if fld not in specs:
            raise DataValidationError(f"'{fld}' is not a field of {kind}. Fields: {', '.join(specs)}.")
        guessed.pop(fld, None)
    return guessed


def check_fields(raw: RawTable, kind: str, used: dict[str, str], constants: dict,
                 as_of: pd.Timestamp | None) -> None:
    """Raise DataValidationError, saying which column to map, when ``kind`` lacks a field it needs."""
    specs = {s.name: s for s in F.KINDS[kind]}
    for s in specs.values():
        if s.required and s.name not in used and s.name not in constants:
            raise _missing_field_error(raw, kind, s.name)
    if kind == "revenue" and not ({"mrr", "amount"} & (set(used) | set(constants))):
        raise DataValidationError(
            "No column of the file maps to 'mrr' (recurring amount) or 'amount' (transaction amount); "
            f"revenue needs one. Columns in the file: {', '.join(raw.frame.columns)}. Choose one "
            f"(--map COLUMN=mrr or --map COLUMN=amount).{sheet_hint(raw)}")
    if not used:
        raise DataValidationError(
            f"None of the file's columns matches a field of {kind} ({', '.join(specs)}). "
            f"Columns in the file: {', '.join(raw.frame.columns)}. Map them (--map COLUMN=FIELD), "
            f"or check the kind.{sheet_hint(raw)}")
    if kind == "customers" and ("tenure" in used or "churned" in used) and as_of is None:
        raise DataValidationError(
            "This customer file has a tenure column or a churn flag: give the snapshot date "
            "(--as-of YYYY-MM-DD) so signup and churn dates can be derived.")


def _missing_field_error(raw: RawTable, kind: str, fld: str) -> DataValidationError:
    cols = ", ".join(raw.frame.columns)
    how = f"--map COLUMN={fld}" if fld != "channel" else "--map COLUMN=channel or --set channel=VALUE"
    return DataValidationError(
        f"No column of the file maps to '{fld}', which {kind} needs. "
        f"Columns in the file: {cols}. Choose one ({how}).{sheet_hint(raw)}")
