"""Activity rows as the column files hold them (:mod:`core.store.columnar`): text ids, int32 days since
1970-01-01 and float64 values as one Arrow table, and the exact sums a file's record carries.

An Arrow-backed column (an import's rows) goes into Arrow as it is, its ISO dates cast by Arrow: no Python string
per cell, so staging a million-row import costs a few tens of MB, not hundreds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_EPOCH = np.datetime64("1970-01-01", "D")


def pairs_table(customer_id, date, value) -> pa.Table:
    """(customer_id, day, value) rows as Arrow: text ids, int32 days since 1970-01-01, float64 values."""
    return pa.table({"customer_id": _text(customer_id), "day": pa.array(_day_numbers(date), pa.int32()),
                     "value": pa.array(pd.to_numeric(pd.Series(value), errors="coerce").to_numpy(float),
                                       pa.float64())})


def _arrow(values) -> pa.ChunkedArray | None:
    """The Arrow array behind an Arrow-backed Series (its text as it is, no Python string per cell), else None."""
    return values.array.__arrow_array__() if getattr(getattr(values, "dtype", None), "storage", None) == "pyarrow" \
        else None


def _text(values) -> pa.Array | pa.ChunkedArray:
    arr = _arrow(values)
    if arr is not None:  # pandas holds large_string; the files hold string, whichever path a row group took
        return arr if arr.type == pa.string() else pc.cast(arr, pa.string())
    return pa.array(pd.Series(values, dtype=object).to_numpy(), pa.string())


def _day_numbers(date) -> np.ndarray:
    """Days since 1970-01-01 (int32) of ISO dates, dates or datetimes (Arrow-backed ISO text cast in place)."""
    if (arr := _arrow(date)) is not None:
        return np.asarray(pc.cast(pc.cast(arr, pa.date32()), pa.int32()), dtype=np.int32)
    return (pd.to_datetime(pd.Series(date)).to_numpy(dtype="datetime64[D]") - _EPOCH).astype(np.int32)


def day_sum(days: np.ndarray) -> int:
    return int(np.asarray(days).sum(dtype=np.int64))


def value_sum(value: np.ndarray) -> int:
    """Sum of the values' IEEE bits modulo 2**64: exact, the same in any order or row grouping."""
    return int(np.ascontiguousarray(value, dtype=np.float64).view(np.uint64).sum(dtype=np.uint64))
