"""CSV files of a table: UTF-8, ISO dates, and no formula from the data (:mod:`core.export.cells`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from core.export.cells import neutralise_frame


def to_csv_bytes(df: pd.DataFrame, index: bool = False, **options) -> bytes:
    """``df`` as CSV bytes (UTF-8), each text cell neutralised; ``options`` go to :meth:`pandas.DataFrame.to_csv`."""
    options.setdefault("date_format", "%Y-%m-%d")
    return neutralise_frame(df).to_csv(index=index, **options).encode("utf-8")


def write_csv(df: pd.DataFrame, path: Path | str, index: bool = False, **options) -> None:
    """Write ``df`` to ``path`` as :func:`to_csv_bytes` does."""
    Path(path).write_bytes(to_csv_bytes(df, index=index, **options))
