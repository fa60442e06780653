"""Where a store's activity column files live (:mod:`core.store.columnar`) and the store-side SQL their checks use,
for SQLite and PostgreSQL alike.

A SQLite store keeps them beside its file (``<store>.columns/activity``). A PostgreSQL store has no file to sit
beside, so each app server keeps its own local cache: ``$RETENTION_COLUMNS_DIR`` if set, else the user's cache folder
(``$XDG_CACHE_HOME`` or ``~/.cache``) under ``retention-workbench``, then ``<sha256 of the store URL without its
password>/columns/activity``. Several servers sharing one database each hold their own files; every read checks them
against the database's counts and import identities, so an import or undo made through another server is seen.

The truth a read checks is one query: activity rows per import (the ids found by jumping through the ``import_id``
index: a few b-tree searches, the same on both databases) and the identity of each import's log row (``sha256|start
time``; SQLite stores the time as text, and its expression is unchanged so files written before stay valid;
PostgreSQL gives its seconds since the epoch as text, which no session time zone changes).
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection, Engine

#: the cache root of a PostgreSQL store's column files (else the user's cache folder)
COLUMNS_DIR_ENV = "RETENTION_COLUMNS_DIR"
_APP = "retention-workbench"
_COUNTS = """
WITH RECURSIVE ids(x) AS (
    SELECT (SELECT MIN(import_id) FROM activity)
    UNION ALL
    SELECT (SELECT MIN(import_id) FROM activity WHERE import_id > x) FROM ids WHERE x IS NOT NULL),
counts(import_id, n) AS (
    SELECT x, (SELECT COUNT(*) FROM activity WHERE import_id = x) FROM ids WHERE x IS NOT NULL
    UNION ALL
    SELECT NULL, COUNT(*) FROM activity WHERE import_id IS NULL)
SELECT c.import_id, c.n, {identity}
FROM counts AS c LEFT JOIN importlog AS l ON l.id = c.import_id"""
_IDENTITY = "SELECT id, {identity} FROM importlog WHERE id IN :ids"
#: PostgreSQL: one import's rows as CSV, days since 1970-01-01 computed by the server (no date parsing here)
_PG_ROWS = ("COPY (SELECT customer_id, date - DATE '1970-01-01', value FROM activity WHERE import_id {match}) "
            "TO STDOUT (FORMAT csv)")
_PAIRS = pa.schema([("customer_id", pa.string()), ("day", pa.int32()), ("value", pa.float64())])


def cache_root() -> Path:
    """The folder holding the column caches of PostgreSQL stores on this machine."""
    given = os.environ.get(COLUMNS_DIR_ENV, "").strip()
    if given:
        return Path(given).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError):  # no home folder (a service account): the system's temporary folder
            base = tempfile.gettempdir()
    return Path(base) / _APP


def store_key(engine: Engine) -> str:
    """sha256 of the store's URL without its password: the same store gives the same cache folder."""
    url = engine.url._replace(password=None).render_as_string(hide_password=False)  # URL.set keeps on None
    return hashlib.sha256(url.encode()).hexdigest()


def folder(engine: Engine) -> Path | None:
    """The activity column folder of ``engine``'s store: beside a SQLite file, in the local cache for PostgreSQL;
    None for an in-memory or other store (read from SQL)."""
    name = engine.dialect.name
    if name == "sqlite":
        db = engine.url.database
        return Path(db + ".columns") / "activity" if db and db != ":memory:" else None
    if name == "postgresql":
        return cache_root() / store_key(engine) / "columns" / "activity"
    return None


def identity_sql(dialect: str, prefix: str = "") -> str:
    """The SQL expression of an import-log row's identity (``sha256|start``), ``prefix`` naming its table."""
    # PostgreSQL: the start as seconds since the epoch, text of an exact number: the same whatever the session's
    # time zone (a timestamp with time zone would print in it)
    started = f"CAST(EXTRACT(EPOCH FROM {prefix}started_at) AS VARCHAR)"
    if dialect == "sqlite":
        started = f"{prefix}started_at"
    return f"coalesce({prefix}sha256, '') || '|' || coalesce({started}, '')"


def counts_sql(dialect: str) -> str:
    """Activity rows per import id (NULL: rows without one) and the identity of each id's import-log row."""
    return _COUNTS.format(identity=identity_sql(dialect, "l."))


def identities(conn: Connection, ids: list[int]) -> dict[int, str]:
    """The identity of each import id's log row, by the same expression :func:`counts_sql` gives."""
    if not ids:
        return {}
    q = text(_IDENTITY.format(identity=identity_sql(conn.dialect.name))).bindparams(bindparam("ids", expanding=True))
    return {int(i): ident for i, ident in conn.execute(q, {"ids": [int(i) for i in ids]}).all()}


def pg_pairs(conn: Connection, import_id: int | None) -> pa.Table:
    """One import's activity of a PostgreSQL store as a pairs table (text ids, int32 days, float64 values), streamed
    with ``COPY ... TO STDOUT``: about a second per million rows, against several through the driver's rows."""
    match = "IS NULL" if import_id is None else f"= {int(import_id)}"
    buf = io.BytesIO()
    with conn.connection.driver_connection.cursor() as cur, cur.copy(_PG_ROWS.format(match=match)) as copy:
        for block in copy:
            buf.write(block)
    if not buf.tell():
        return _PAIRS.empty_table()
    buf.seek(0)
    table = pacsv.read_csv(buf, read_options=pacsv.ReadOptions(column_names=_PAIRS.names),
                           parse_options=pacsv.ParseOptions(newlines_in_values=True),
                           convert_options=pacsv.ConvertOptions(column_types=_PAIRS, strings_can_be_null=False))
    return pa.table({"customer_id": pc.cast(table.column("customer_id"), pa.string()),
                     "day": table.column("day"), "value": table.column("value")}, schema=_PAIRS)
