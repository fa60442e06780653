"""How large a file the importer reads: the limits a spreadsheet is checked against before it is read.

A workbook is a zip of XML parts, and its cost is not its size on disk: a 1.5 KB file with one cell at
``XFD1048576`` makes the native reader ask for a grid of 17 billion cells (549 GB), and a 400 KB file whose
cells all point at one long shared string expands to gigabytes. :mod:`core.ingest.sheet_bounds` measures a
workbook against these limits from its zip directory and by streaming its XML, and refuses it with one line
before the native reader sees it.

Each limit, its default, its environment variable and what it bounds:

- ``max_cells`` = 5,000,000 (``RETENTION_MAX_CELLS``): rows x columns of the grid a sheet's cells span, from A1
  to the farthest row and column; the reader holds every cell of that grid (about 1 GB and 10 s at this size).
- ``max_rows`` = 1,048,576 (``RETENTION_MAX_ROWS``): rows of a sheet (Excel's own limit).
- ``max_columns`` = 16,384 (``RETENTION_MAX_COLUMNS``): columns of a sheet or of a CSV (Excel's own, ``XFD``).
- ``min_fill`` = 0.01 (``RETENTION_MIN_FILL``): a grid of over 1,000,000 cells must hold at least this share of
  cells (one stray cell at Z100000 below a 10-row table is a mistake, not data).
- ``max_shared_strings_bytes`` = 100,000,000 (``RETENTION_MAX_SHARED_STRINGS_BYTES``): uncompressed size of
  ``xl/sharedStrings.xml``.
- ``max_text_bytes`` = 250,000,000 (``RETENTION_MAX_TEXT_BYTES``): the text a sheet's cells hold once each shared
  string is copied into every cell that points at it.
- ``max_uncompressed_bytes`` = 1,000,000,000 (``RETENTION_MAX_UNCOMPRESSED_BYTES``): all the workbook's parts,
  uncompressed (checked against the zip directory, and again while decompressing).
- ``max_ratio`` = 100 (``RETENTION_MAX_RATIO``): uncompressed / compressed size of any part over 1 MB (real
  sheets compress about 10:1, a zip bomb 1,000:1).

Set an environment variable before starting the app or the CLI to change a limit
(``RETENTION_MAX_CELLS=20000000 python3 dev.py app``). A sheet beyond a limit is best saved as CSV: a CSV is
held to ``max_columns`` only, and read without a grid of empty cells or copies of shared text.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

from core.errors import DataValidationError

#: field -> the environment variable that overrides it
ENV = {
    "max_cells": "RETENTION_MAX_CELLS",
    "max_rows": "RETENTION_MAX_ROWS",
    "max_columns": "RETENTION_MAX_COLUMNS",
    "min_fill": "RETENTION_MIN_FILL",
    "max_shared_strings_bytes": "RETENTION_MAX_SHARED_STRINGS_BYTES",
    "max_text_bytes": "RETENTION_MAX_TEXT_BYTES",
    "max_uncompressed_bytes": "RETENTION_MAX_UNCOMPRESSED_BYTES",
    "max_ratio": "RETENTION_MAX_RATIO",
}
#: a grid at least this large must be ``min_fill`` full
SPARSE_FROM_CELLS = 1_000_000
#: parts smaller than this are not held to ``max_ratio`` (a tiny part cannot hurt, whatever its ratio)
RATIO_FROM_BYTES = 1_000_000


@dataclass(frozen=True)
class ReadLimits:
    """The bounds a workbook is checked against before it is read (defaults in the module docstring).

    Examples
    --------
    >>> ReadLimits().max_cells
    5000000
    >>> ReadLimits(max_cells=100).max_cells
    100
    """

    max_cells: int = 5_000_000
    max_rows: int = 1_048_576
    max_columns: int = 16_384
    min_fill: float = 0.01
    max_shared_strings_bytes: int = 100_000_000
    max_text_bytes: int = 250_000_000
    max_uncompressed_bytes: int = 1_000_000_000
    max_ratio: float = 100.0

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> ReadLimits:
        """The defaults, each overridden by its environment variable (:data:`ENV`) when set.

        Raises
        ------
        DataValidationError
            A variable that is not a positive number (``min_fill``: a share from 0 to 1).
        """
        environ = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            text = environ.get(ENV[f.name], "").strip().replace(",", "").replace("_", "")
            if text:
                values[f.name] = _parse(f.name, text, float if f.name in ("min_fill", "max_ratio") else int)
        return cls(**values)

    def hint(self, name: str) -> str:
        """How to raise limit ``name``: ``"raise the limit (RETENTION_MAX_CELLS)"``."""
        return f"raise the limit ({ENV[name]})"


def _parse(name: str, text: str, kind: type) -> int | float:
    try:
        value = kind(float(text)) if kind is int else float(text)
    except ValueError:
        value = -1
    ok = 0 <= value <= 1 if name == "min_fill" else value > 0
    if not ok:
        want = "a share from 0 to 1" if name == "min_fill" else "a positive number"
        raise DataValidationError(f"The setting {ENV[name]}={text!r} is not {want}; fix or unset it.")
    return value
