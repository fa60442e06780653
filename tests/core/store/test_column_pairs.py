"""Activity rows as column-file pairs: the Arrow-backed path (an import's rows) gives exactly what the Python path
gives, checked against days counted by the standard library."""

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa

from core.ingest.delimited import TEXT_DTYPE
from core.store.column_pairs import day_sum, pairs_table, value_sum

IDS = ["C1", "C2", "Ω3"]
DATES = ["1970-01-01", "2024-02-29", "1969-12-31"]
VALUES = [1.0, 2.5, np.nan]


def test_arrow_backed_and_python_columns_give_the_same_pairs():
    arrow = pairs_table(pd.Series(IDS, dtype=TEXT_DTYPE), pd.Series(DATES, dtype=TEXT_DTYPE), pd.Series(VALUES))
    python = pairs_table(pd.Series(IDS, dtype=object), pd.Series(DATES, dtype=object), VALUES)
    assert arrow.schema == python.schema  # one file may hold row groups of either path
    assert arrow.to_pandas().equals(python.to_pandas())
    epoch = dt.date(1970, 1, 1)
    assert arrow.column("day").to_pylist() == [(dt.date.fromisoformat(d) - epoch).days for d in DATES]
    assert arrow.column("customer_id").to_pylist() == IDS
    assert arrow.schema.field("day").type == pa.int32()


def test_empty_rows_give_an_empty_table():
    table = pairs_table([], [], [])
    assert table.num_rows == 0 and table.column_names == ["customer_id", "day", "value"]


def test_sums_are_exact_and_independent_of_order():
    days = np.array([0, 19782, -1], dtype=np.int32)
    assert day_sum(days) == 19781
    values = np.array([0.1, 0.2, 1e300])
    assert value_sum(values) == value_sum(values[::-1])
    assert value_sum(values) != value_sum(np.array([0.1, 0.2, 1e299]))
