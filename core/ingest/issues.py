"""The problem report of an import: every validation problem, and the rows rejected for an error."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.ingest.reader import RawTable

REPORT_COLUMNS = ["row", "column", "field", "value", "problem", "fix", "severity"]


class Issues:
    """Collects validation problems as masks over the source rows, turned into one report frame at the end.

    Parameters
    ----------
    raw : RawTable
        The file as read; ``raw.rows`` gives each row's spreadsheet row number.
    """

    def __init__(self, raw: RawTable):
        self.raw = raw
        self.parts: list[pd.DataFrame] = []
        self.error_rows = np.zeros(len(raw.frame), dtype=bool)
        self.reasons: list[tuple[np.ndarray, str]] = []

    def add(self, mask, column, fld, problem, fix, severity="error", values=None) -> None:
        """Report ``problem`` (and how to ``fix`` it) for the rows in ``mask``; errors reject those rows.

        ``values`` defaults to the rows' cells of ``column``; ``fix`` is one text or one per row.
        """
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        if values is None:
            values = self.raw.frame[column][mask].to_numpy() if column in self.raw.frame else ""
        self.parts.append(pd.DataFrame({
            "row": self.raw.rows[mask], "column": column or "", "field": fld or "",
            "value": values, "problem": problem, "fix": fix, "severity": severity,
        }))
        if severity == "error":
            self.error_rows |= mask
            self.reasons.append((mask, f"{column or fld}: {problem}"))

    def frame(self) -> pd.DataFrame:
        """The report: one row per problem and source row, in row order (columns :data:`REPORT_COLUMNS`)."""
        if not self.parts:
            return pd.DataFrame(columns=REPORT_COLUMNS)
        rep = pd.concat(self.parts, ignore_index=True)
        rep["value"] = rep["value"].astype(object).where(rep["value"].notna(), "")
        return rep.sort_values(["row", "severity"], kind="stable").reset_index(drop=True)[REPORT_COLUMNS]

    def rejected(self) -> pd.DataFrame:
        """The source rows with an error, with their row number first and their reasons last."""
        # take, not a boolean mask and a copy: one pass over the columns instead of two (a 10,000-column file)
        err = np.flatnonzero(self.error_rows)
        rows = self.raw.frame.take(err) if len(err) else self.raw.frame.iloc[:0]  # take joins Arrow chunks
        reasons = np.full(len(err), "", dtype=object)  # over the rejected rows only, not every source row
        for mask, text in self.reasons:
            hit = np.asarray(mask, dtype=bool)[err]
            reasons[hit] = [f"{r}; {text}" if r else text for r in reasons[hit]]
        row_col, why_col = _free_name("row", rows.columns), _free_name("reasons", rows.columns)
        rows.insert(0, row_col, self.raw.rows[err])
        rows[why_col] = reasons
        return rows.reset_index(drop=True)


def _free_name(name: str, taken) -> str:
    """``name``, or ``_name``, ``__name`` ... whichever the source columns do not use."""
    while name in set(taken):
        name = "_" + name
    return name
