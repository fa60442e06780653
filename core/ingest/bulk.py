"""The bulk load: rows into a store table in batches, inside the caller's transaction, with progress.

SQLite takes the DB-API cursor's own ``executemany`` (and, for a load as large as the table, drops the
secondary indexes and builds them once afterwards); other databases go through SQLAlchemy Core's executemany.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pandas as pd
from sqlalchemy import func, select

from core.store.tables import TABLES

BATCH = 100_000
#: loads at least this large (and at least as large as the table) rebuild the table's indexes
REBUILD_INDEXES_FROM = 50_000
#: ``progress(fraction, message)``, called after each batch
Progress = Callable[[float, str], None]
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
    indexes = _drop_indexes_for_a_big_load(conn, sa_table, len(df)) if conn.dialect.name == "sqlite" else []
    raw = _driver_executemany(conn)
    if raw:
        cur = conn.connection.driver_connection.cursor()
        sql = (f'INSERT INTO "{table}" ({", ".join(chr(34) + c + chr(34) for c in cols)}) '
               f'VALUES ({", ".join("?" * len(cols))})')
    for start in range(0, len(df), BATCH):
        chunk = df.iloc[start:start + BATCH]
        arrays = [chunk[c].to_numpy(dtype=object, copy=True) for c in cols]
        for arr in arrays:  # NaN and NaT become NULL
            arr[pd.isna(arr)] = None
        if raw:
            cur.executemany(sql, zip(*arrays))
        else:
            conn.execute(sa_table.insert(), _core_records(cols, arrays))
        done += len(chunk)
        if progress:
            progress(min(done / total, 1.0), f"Loaded {done:,} of {total:,} rows into {table}")
    for ix in indexes:
        ix.create(conn)
    return done


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
