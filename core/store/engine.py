"""Engine and schema set-up for the retention store.

The default store is the SQLite file ``data/retention.db``; ``RETENTION_DB_URL`` takes
any SQLAlchemy URL instead. Nothing here runs at import time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import BigInteger, TypeDecorator, event, func, inspect, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import SQLModel, create_engine

from core.store import faults
from core.store import tables as models

DEFAULT_DB_PATH = Path(__file__).resolve().parent.parent / "data" / "retention.db"


def default_url() -> str:
    """Return the store URL: ``RETENTION_DB_URL`` if set, else ``data/retention.db``."""
    return os.environ.get("RETENTION_DB_URL") or f"sqlite:///{DEFAULT_DB_PATH}"


#: the SQLAlchemy dialect of a PostgreSQL store: psycopg 3 (requirements.txt), whatever driver a URL names by default
PG_DIALECT = "postgresql+psycopg"
#: seconds to wait for a PostgreSQL server to answer before saying it cannot be reached
PG_CONNECT_TIMEOUT_S = 10


def driver_url(url: str) -> str:
    """``url`` with a plain PostgreSQL scheme (``postgresql://``, ``postgres://``) mapped to psycopg 3.

    Examples
    --------
    >>> driver_url("postgresql://team@db.example:5432/retention")
    'postgresql+psycopg://team@db.example:5432/retention'
    >>> driver_url("sqlite:///data/retention.db")
    'sqlite:///data/retention.db'
    """
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return f"{PG_DIALECT}://{url[len(scheme):]}"
    return url


def _sqlite_pragmas(dbapi_conn, _record):
    cur = dbapi_conn.cursor()
    # first, so that even the pragmas below wait for another writer instead of failing at once:
    # two imports at the same time take turns (the second waits up to the busy timeout)
    cur.execute(f"PRAGMA busy_timeout={int(faults.busy_timeout() * 1000)}")
    # WAL lets readers (the app) work while an import writes; NORMAL sync is safe with WAL
    # (a crash can lose the last commit, never corrupt or half-apply one).
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def make_engine(url: str | None = None) -> Engine:
    """Create an engine for ``url`` (default :func:`default_url`) and make sure the schema exists.

    Parameters
    ----------
    url : str, optional
        Any SQLAlchemy URL; ``postgresql://`` uses psycopg 3 (:func:`driver_url`). ``sqlite://`` (in memory)
        gets a single shared connection so that every session sees the same data. A SQLite connection waits up
        to the busy timeout (30 s; ``RETENTION_BUSY_TIMEOUT`` in seconds) for another writer before it gives up.

    Returns
    -------
    sqlalchemy.engine.Engine

    Raises
    ------
    core.errors.StoreError
        The store file is busy past the busy timeout, read-only, not a database or damaged, or its disk is full;
        a PostgreSQL store's driver is not installed or its server cannot be reached.
    """
    url = driver_url(url or default_url())
    kwargs: dict = {}
    path = faults.store_path(url)
    with faults.translated(path):
        if url.startswith("sqlite"):
            # the driver's own wait for a locked store, as long as the pragma's (its default is 5 s)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": faults.busy_timeout()}
            if path is None:
                kwargs["poolclass"] = StaticPool
            else:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
        elif url.startswith(PG_DIALECT):
            # a server that went away (restarted, idle connection closed) is reconnected instead of failing once
            kwargs.update(pool_pre_ping=True, connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S})
        engine = create_engine(url, **kwargs)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        init_db(engine)
    return engine


@contextmanager
def begin_write(engine: Engine) -> Iterator[Connection]:
    """``engine.begin()`` that takes the store's write lock first (SQLite: ``BEGIN IMMEDIATE``).

    A transaction that reads, then writes (an import checks for an earlier import of the same file before
    it loads) must hold the write lock from its first read: a second import then waits for the first to
    commit (up to the busy timeout) and reads what it wrote, instead of failing midway with "database is
    locked" or loading the same file twice.

    Yields
    ------
    sqlalchemy.engine.Connection
        Committed when the block ends, rolled back if it raises.
    """
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            # the driver opens its own transaction only before the first INSERT/UPDATE/DELETE; this one
            # opens now, and the driver commits or rolls it back as usual
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        yield conn


def init_db(engine: Engine) -> None:
    """Create every table and index that does not exist yet, and add the nullable columns a newer
    version of the schema has to tables an older version created (for example
    ``revenue.payment_failed``), and the indexes it added (``ix_activity_purchase``), so an existing store keeps
    working after an upgrade."""
    SQLModel.metadata.create_all(engine)
    existing = inspect(engine)
    with engine.begin() as conn:
        for table in SQLModel.metadata.sorted_tables:
            have = {c["name"] for c in existing.get_columns(table.name)}
            for col in table.columns:
                if col.name not in have and col.nullable and not col.primary_key:
                    kind = col.type.compile(dialect=engine.dialect)
                    conn.execute(text(f'ALTER TABLE "{table.name}" ADD COLUMN "{col.name}" {kind}'))
            indexed = {ix["name"] for ix in existing.get_indexes(table.name)}
            for ix in table.indexes:
                if ix.name not in indexed:
                    ix.create(conn)
        if engine.dialect.name == "postgresql":
            _widen_ids(conn, existing)


def _dialect_type(type_, dialect):
    """The type a column has on ``dialect`` (a decorated type's own choice for it, such as the store's 64-bit id)."""
    return type_.load_dialect_impl(dialect) if isinstance(type_, TypeDecorator) else type_.dialect_impl(dialect)


def _widen_ids(conn: Connection, existing) -> None:
    """PostgreSQL: make 64-bit the ids (and their sequences) that the schema declares 64-bit but an older version
    created as 32-bit ``integer`` (``activity.id``), so a long-lived store never runs out of ids."""
    for table in SQLModel.metadata.sorted_tables:
        for col in table.primary_key.columns:
            if not isinstance(_dialect_type(col.type, conn.dialect), BigInteger):
                continue
            have = {c["name"]: c["type"] for c in existing.get_columns(table.name)}
            if col.name in have and not isinstance(have[col.name], BigInteger):
                conn.execute(text(f'ALTER TABLE "{table.name}" ALTER COLUMN "{col.name}" TYPE bigint'))
                seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                   {"t": f'"{table.name}"', "c": col.name}).scalar()
                if seq:
                    conn.execute(text(f"ALTER SEQUENCE {seq} AS bigint"))


def table_counts(engine: Engine) -> dict[str, int]:
    """Return the number of rows in each store table, keyed by table name."""
    with engine.connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(model.__table__)).scalar_one()
            for name, model in models.TABLES.items()
        }
