"""The memory embedded DuckDB may use: ``RETENTION_DUCKDB_MEMORY`` (default 2GB). Uncapped, DuckDB takes up to 80 % of
the machine's memory; 2GB kept the monthly cohort table of 100,000,000 activity rows under 4 GB in all, as fast
(DuckDB spills beyond the cap, :func:`core.query.sources.duckdb_connection`). Plain Python, so a page checks the
setting before anything is opened (:func:`core.query.choice.check`)."""

from __future__ import annotations

import os
import re

from core.errors import DataValidationError

MEMORY_ENV = "RETENTION_DUCKDB_MEMORY"
DEFAULT_MEMORY = "2GB"
_SIZE = re.compile(r"\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)


def memory_limit() -> str:
    """``RETENTION_DUCKDB_MEMORY`` (e.g. ``4GB``), else 2GB.

    Raises
    ------
    DataValidationError
        The variable is not a size.
    """
    limit = os.environ.get(MEMORY_ENV, "").strip() or DEFAULT_MEMORY
    if not _SIZE.fullmatch(limit):
        raise DataValidationError(f"{MEMORY_ENV}={limit!r} is not a size: write a number and a unit, for example "
                                  f"4GB or 512MB (or leave it unset for {DEFAULT_MEMORY}).")
    return limit
