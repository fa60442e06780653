"""The bulk load: rows into a store table in batches, inside the caller's transaction, with progress.

SQLite takes the DB-API cursor's own ``executemany`` (and, for a load as large as the table, drops the
secondary indexes and builds them once afterwards); PostgreSQL takes COPY (core.store.pg_copy); other databases go
through SQLAlchemy Core's executemany.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from contextlib import contextmanager

import numpy as np
import pandas as pd
from sqlalchemy import func, select

from core.store.pg_copy import copy_rows
from core.store.tables import TABLES

BATCH = 100_000
#: loads at least this large (and at least as large as the table) rebuild the table's indexes
REBUILD_INDEXES_FROM = 50_000
#: ``progress(fraction, message)``, called after each batch
Progress = Callable[[float, str], None]
_BATCHED = "retention_batched_load"
_DATE_COLUMNS = ("signup_date", "churn_date", "renewal_date", "period", "date")
_DATETIME_COLUMNS = ("opened", "first_response", "resolved")


def _driver_executemany(conn) -> bool:
    """True where the DB-API cursor's own ``executemany`` is used (SQLite); other databases go
    through SQLAlchemy Core's executemany, which each dialect batches its own way."""
    return conn.dialect.name == "sqlite"


def bulk_insert(conn, table: str, df: pd.DataFrame, import_id: int, progress: Progress | None, done: int,
                total: int) -> int:
    """Insert ``df`` (store columns; dates as ISO text, attributes as JSON text) into ``table``, every row
    tagged with ``import_id``.

    Returns
    -------
    int
        ``done`` plus the rows inserted (``progress`` is told ``done / total`` after each batch).
    """
    if df.empty:
        return done
    df = df.assign(import_id=import_id)
    cols = list(df.columns)
    sa_table = TABLES[table].__table__
    alone = conn.dialect.name == "sqlite" and not conn.info.get(_BATCHED)  # big_load decides for batches
    indexes = _drop_indexes_for_a_big_load(conn, sa_table, len(df)) if alone else []
    raw = _driver_executemany(conn)
    if raw:
        cur = conn.connection.driver_connection.cursor()
        sql = (f'INSERT INTO "{table}" ({", ".join(chr(34) + c + chr(34) for c in cols)}) '
               f'VALUES ({", ".join("?" * len(cols))})')
    for start in range(0, len(df), BATCH):
        chunk = df.iloc[start:start + BATCH]
        arrays = [python_values(chunk[c]) for c in cols]
        if raw:
            cur.executemany(sql, zip(*arrays))
        elif conn.dialect.name == "postgresql":  # COPY: one stream, not one INSERT per row
            copy_rows(conn, table, cols, zip(*arrays))
        else:
            conn.execute(sa_table.insert(), _core_records(cols, arrays))
        done += len(chunk)
        if progress:
            progress(min(done / total, 1.0), f"Loaded {done:,} of {total:,} rows into {table}")
    for ix in indexes:
        ix.create(conn)
    return done


def python_values(s: pd.Series) -> np.ndarray:
    """A column as an object array of Python values for the driver, missing values (NaN, NaT, NA) as None.

    Arrow-backed text converts in Arrow (nulls come out as None) and float64 by a NaN mask: no per-cell test.
    """
    if getattr(s.dtype, "storage", None) == "pyarrow":
        return s.array.__arrow_array__().to_numpy(zero_copy_only=False)
    if s.dtype == np.float64:
        values = s.to_numpy()
        arr = values.astype(object)
        arr[np.isnan(values)] = None
        return arr
    arr = s.to_numpy(dtype=object, copy=True)
    arr[pd.isna(arr)] = None
    return arr


@contextmanager
def big_load(conn, counts: dict[str, int]):
    """Around a load given to :func:`bulk_insert` in batches: each table receiving ``counts[table]`` rows drops its
    secondary indexes first when that load is large (:func:`_drop_indexes_for_a_big_load`) and builds them again
    once every batch is in (not after each batch). On an error the caller's rollback restores them."""
    dropped = []
    if conn.dialect.name == "sqlite":
        for name, n in counts.items():
            dropped += _drop_indexes_for_a_big_load(conn, TABLES[name].__table__, n)
    conn.info[_BATCHED] = True
    try:
        yield
    finally:
        conn.info.pop(_BATCHED, None)
    for ix in dropped:
        ix.create(conn)


def _drop_indexes_for_a_big_load(conn, sa_table, n_rows: int) -> list:
    """Drop the table's secondary indexes when ``n_rows`` is large and at least the table's size; the dropped
    indexes, for the caller to build again after the load.

    Maintaining secondary indexes row by row in random key order costs ~4x the insert itself; building them
    once afterwards is far cheaper. DDL is transactional in SQLite, so a rollback restores the indexes too.
    """
    existing = conn.execute(select(func.count()).select_from(sa_table)).scalar_one()
    if n_rows < REBUILD_INDEXES_FROM or n_rows < existing:
        return []
    indexes = list(sa_table.indexes)
    for ix in indexes:
        ix.drop(conn)
    return indexes


def _core_records(cols: list[str], arrays: list) -> list[dict]:
    """Rows as dicts for Core's executemany: ISO dates and times as Python objects, JSON text parsed."""
    records = [dict(zip(cols, r)) for r in zip(*arrays)]
    for r in records:
        for c in _DATE_COLUMNS:
            if isinstance(r.get(c), str):
                r[c] = dt.date.fromisoformat(r[c])
        for c in _DATETIME_COLUMNS:
            if isinstance(r.get(c), str):
                r[c] = dt.datetime.fromisoformat(r[c])
        if isinstance(r.get("attributes"), str):
            r["attributes"] = json.loads(r["attributes"])
    return records
