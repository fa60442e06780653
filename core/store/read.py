"""Read the store back: table counts, the import log, whole tables as frames.

Both table loaders give the same types: date and time columns as ``datetime64[ns]`` with NaT for a missing
value, whatever the database returns (SQLite keeps ISO text, others ``datetime.date`` objects), so callers
compare dates with dates, never with text; number columns as float with NaN for a missing value.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Date, DateTime, Float, Select, select
from sqlalchemy.engine import Engine

from core.errors import DataValidationError
from core.store import version
from core.store.dates import datetimes
from core.store.engine import table_counts
from core.store.tables import TABLES, ImportLog


def import_history(engine: Engine) -> pd.DataFrame:
    """The import log, newest first, undone imports included (they stay in the log, marked undone).

    Returns
    -------
    pandas.DataFrame
        Columns ``id, file_name, kind, mode, strict, rows_read, rows_loaded, rows_rejected,
        sha256, started_at, finished_at, mapping, tables, status, undone_at, undo_reason``; ``status`` is
        ``loaded`` or ``undone``, ``undone_at`` (UTC) and ``undo_reason`` are empty for a loaded import.
    """
    cols = ["id", "file_name", "kind", "mode", "strict", "rows_read", "rows_loaded", "rows_rejected",
            "sha256", "started_at", "finished_at", "mapping", "tables", "undone_at", "undo_reason"]
    with engine.connect() as conn:
        rows = conn.execute(select(*[ImportLog.__table__.c[c] for c in cols])
                            .order_by(ImportLog.__table__.c.id.desc())).all()
    df = pd.DataFrame(rows, columns=cols)
    df.insert(cols.index("undone_at"), "status", df["undone_at"].notna().map({True: "undone", False: "loaded"}))
    return df


def store_version(engine: Engine) -> str:
    """The store's version (:func:`core.store.version.current`): it changes with every import, undo and demo
    load and never repeats.

    Caches in the UI are keyed by it, so an import made from the CLI (another process) shows up
    on the next page run instead of after a cache timeout, and an undone import never shows again.
    """
    return version.current(engine)


def has_imports(engine: Engine) -> bool:
    """True when anything was ever imported into the store (the demo and undone imports count): the app loads
    the demo business on first start only when this is False."""
    with engine.connect() as conn:
        return conn.execute(select(ImportLog.id).limit(1)).first() is not None


def _typed(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """``frame`` with every date or time column of table ``name`` as datetime64 (missing: NaT) and every
    number column as float (missing: NaN, also when a column is all empty)."""
    table = TABLES[name].__table__
    for c in frame.columns:
        kind = table.c[c].type if c in table.c else None
        if isinstance(kind, (Date, DateTime)) and not pd.api.types.is_datetime64_any_dtype(frame[c].dtype):
            try:
                frame[c] = datetimes(frame[c], format="ISO8601")
            except (ValueError, TypeError):  # text of another shape than ISO 8601
                frame[c] = datetimes(frame[c], format="mixed")
        elif isinstance(kind, Float) and frame[c].dtype == object:
            frame[c] = frame[c].astype(float)
    return frame


def load_table(engine: Engine, name: str) -> pd.DataFrame:
    """Read one store table (``customer``, ``revenue``, ``activity``, ...) into a frame.

    pandas types the columns from the table's schema: dates as datetime64 (NaT), numbers as float (NaN).
    """
    if name not in TABLES:
        raise DataValidationError(f"Unknown table '{name}'. Tables: {', '.join(TABLES)}.")
    with engine.connect() as conn:
        return pd.read_sql_table(name, conn)


def load_columns(engine: Engine, name: str, columns: list[str]) -> pd.DataFrame:
    """Read only ``columns`` of one store table (much faster than the whole table for activity); dates as
    datetime64, like :func:`load_table`."""
    if name not in TABLES:
        raise DataValidationError(f"Unknown table '{name}'. Tables: {', '.join(TABLES)}.")
    table = TABLES[name].__table__
    unknown = [c for c in columns if c not in table.c]
    if unknown:
        raise DataValidationError(f"Table '{name}' has no column {', '.join(unknown)}.")
    with engine.connect() as conn:
        cur = conn.connection.driver_connection.cursor() if conn.dialect.name == "sqlite" else None
        if cur is not None:  # skip SQLAlchemy's per-row type processing: ~3x faster on millions of rows
            cur.execute(f'SELECT {", ".join(chr(34) + c + chr(34) for c in columns)} FROM "{name}"')
            return _typed(pd.DataFrame(cur.fetchall(), columns=columns), name)
        rows = conn.execute(select(*[table.c[c] for c in columns])).all()
        return _typed(pd.DataFrame(rows, columns=columns), name)


def load_selected(engine: Engine, name: str, query: Select) -> pd.DataFrame:
    """The rows of ``query`` (a select of columns of table ``name``, with any filter) as a frame typed like
    :func:`load_columns`; on SQLite without SQLAlchemy's per-row type processing (a purchase log of a few
    hundred thousand rows read 4x faster)."""
    columns = [c.name for c in query.selected_columns]
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            compiled = query.compile(dialect=conn.dialect)
            cur = conn.connection.driver_connection.cursor()
            cur.execute(str(compiled), [compiled.params[k] for k in compiled.positiontup or []])
            rows = cur.fetchall()
        else:
            rows = conn.execute(query).all()
    return _typed(pd.DataFrame(rows, columns=columns), name)


def status(engine: Engine) -> dict:
    """Row counts per table and the import log.

    Returns
    -------
    dict
        ``{"counts": {table: rows}, "imports": DataFrame}`` (see :func:`import_history`).
    """
    return {"counts": table_counts(engine), "imports": import_history(engine)}
