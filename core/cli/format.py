"""Plain-text tables and table files shared by the ``python -m core`` sub-commands (roi, themes, report, health).

Every figure in a printed table is written by :mod:`core.export.units` (the one formatter of the pages, the review
and the CLI); the table files (``--out``) keep the raw numbers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from core.export import units
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


def with_ci(value, low, high, write) -> str:
    """``value [low, high]``: a figure and its 95 % interval, each written by ``write`` (a :mod:`core.export.units`
    writer); the figure alone when an end of the interval is missing, :data:`core.export.units.MISSING` when the
    figure is.

    Examples
    --------
    >>> with_ci(0.05, -0.01, 0.11, units.points)
    '+5.0 pts [-1.0 pts, +11.0 pts]'
    """
    if units.is_missing(value):
        return units.MISSING
    if units.is_missing(low) or units.is_missing(high):
        return write(value)
    return f"{write(value)} [{write(low)}, {write(high)}]"


def figures_text(df: pd.DataFrame, unit_of: dict[str, str], left=()) -> str:
    """A frame as a :func:`text_table`, each column in ``unit_of`` written in its unit
    (:func:`core.export.units.format_value`), the others as text; ``left`` columns (by name) left-aligned."""
    rows = [[units.format_value(v, unit_of[c]) if c in unit_of else str(v) for c, v in zip(df.columns, r)]
            for r in df.itertuples(index=False)]
    return text_table([str(c) for c in df.columns], rows, left={i for i, c in enumerate(df.columns) if c in left})


def write_table(df: pd.DataFrame, path: Path, sheet: str, what: str) -> None:
    """Write ``df`` to ``path`` (an .xlsx workbook with one ``sheet``, else CSV) and say so."""
    if path.suffix.lower() == ".xlsx":
        path.write_bytes(to_xlsx({sheet: df}))
    else:
        write_csv(df, path)
    print(f"wrote {units.count(len(df))} {what} to {path}")
