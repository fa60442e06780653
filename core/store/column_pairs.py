"""Activity rows as the column files hold them (:mod:`core.store.columnar`): text ids, int32 days since
1970-01-01 and float64 values as one Arrow table, the exact sums a file's record carries, and the pairs read back
(:class:`ActivityPairs`).

An Arrow-backed column (an import's rows) goes into Arrow as it is, its ISO dates cast by Arrow: no Python string
per cell, so staging a million-row import costs a few tens of MB, not hundreds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core.store.dates import datetimes

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
    return (datetimes(pd.Series(date)).to_numpy(dtype="datetime64[D]") - _EPOCH).astype(np.int32)


def day_sum(days: np.ndarray) -> int:
    return int(np.asarray(days).sum(dtype=np.int64))


def value_sum(value: np.ndarray) -> int:
    """Sum of the values' IEEE bits modulo 2**64: exact, the same in any order or row grouping."""
    return int(np.ascontiguousarray(value, dtype=np.float64).view(np.uint64).sum(dtype=np.uint64))


@dataclass
class ActivityPairs:
    """(customer, day) activity pairs (repeats possible): ``codes`` index ``ids``; ``days`` from 1970-01-01;
    ``value`` the row's amount when read with ``values=True``."""

    ids: pd.Index
    codes: np.ndarray
    days: np.ndarray
    value: np.ndarray | None = None
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    def rows_in(self, customer_ids: np.ndarray) -> np.ndarray:
        """For every pair, the position of its customer in ``customer_ids`` (-1 if absent).

        The string join costs ~0.3 s per million customers, so the last result is kept and reused
        when the same customer list comes again (checked element by element, ~20 ms).
        """
        values = np.asarray(customer_ids, dtype=object)
        hit = self._memo.get("rows")
        if hit is not None and len(hit[0]) == len(values) and (hit[0] is values or (hit[0] == values).all()):
            return hit[1]
        per_id = pd.Index(values).get_indexer(self.ids)
        rows = per_id[self.codes] if len(self.codes) else np.array([], np.int64)
        self._memo["rows"] = (values, rows)
        return rows

    def dates(self) -> np.ndarray:
        return _EPOCH + self.days.astype("timedelta64[D]")

    def subset(self, customer_ids) -> ActivityPairs:
        """Only the pairs of ``customer_ids``."""
        keep = np.isin(self.codes, self.ids.get_indexer(pd.Index(list(customer_ids))))
        return ActivityPairs(self.ids, self.codes[keep], self.days[keep],
                             value=None if self.value is None else self.value[keep])

    def __len__(self) -> int:
        return len(self.codes)
