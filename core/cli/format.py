"""Plain-text tables and table files shared by the ``python -m core`` sub-commands (roi, themes, report)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from core.export.csv import write_csv
from core.export.xlsx import to_xlsx


def text_table(headers, rows, left=()) -> str:
    """Columns separated by two spaces; ``left`` columns (by index) left-aligned, the rest right-aligned.

    Examples
    --------
    >>> print(text_table(("play", "n"), [["Call", "12"], ["E-mail", "3"]], left=(0,)))
    play     n
    Call    12
    E-mail   3
    """
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells):
        return "  ".join(c.ljust(w) if i in left else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    return "\n".join([line(headers)] + [line(r) for r in rows])


def write_table(df: pd.DataFrame, path: Path, sheet: str, what: str) -> None:
    """Write ``df`` to ``path`` (an .xlsx workbook with one ``sheet``, else CSV) and say so."""
    if path.suffix.lower() == ".xlsx":
        path.write_bytes(to_xlsx({sheet: df}))
    else:
        write_csv(df, path)
    print(f"wrote {len(df):,} {what} to {path}")
