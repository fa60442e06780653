"""Tables whose rows are never changed once written (saved review snapshots, decisions, assumptions): triggers
that refuse an UPDATE or a DELETE, on SQLite and PostgreSQL alike.

SQLite: one ``BEFORE UPDATE`` and one ``BEFORE DELETE`` trigger that abort. PostgreSQL: a plpgsql function that
raises an exception, called by ``BEFORE UPDATE``, ``BEFORE DELETE`` and ``BEFORE TRUNCATE`` triggers (per
statement, so even a TRUNCATE, which touches no row, is refused). :func:`guard` is idempotent: it creates only
what is missing, so it can run before every write.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
#: the statements refused on each dialect
_REFUSED = {"sqlite": ("UPDATE", "DELETE"), "postgresql": ("UPDATE", "DELETE", "TRUNCATE")}


def trigger_names(table: str, dialect: str) -> list[str]:
    """The guard's trigger names of ``table`` on ``dialect`` (``sqlite`` or ``postgresql``)."""
    return [f"{table}_no_{what.lower()}" for what in _REFUSED.get(dialect, ())]


def guard(engine: Engine, table: str, message: str) -> None:
    """Make ``table`` read-only: an UPDATE or DELETE (PostgreSQL: also a TRUNCATE) fails with ``message``.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
        A SQLite or PostgreSQL store; other dialects are left alone.
    table : str
        A table name (lower case letters, digits and underscores).
    message : str
        The error the refused statement raises (no quotes, no colons).
    """
    if not _NAME.match(table) or "'" in message or ":" in message:
        raise ValueError(f"unsafe table name or message for a trigger: {table!r}, {message!r}")
    dialect = engine.dialect.name
    if dialect not in _REFUSED:
        return
    with engine.begin() as conn:
        if dialect == "sqlite":
            for what, name in zip(_REFUSED[dialect], trigger_names(table, dialect)):
                conn.execute(text(f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {what} ON {table} "
                                  f"BEGIN SELECT RAISE(ABORT, '{message}'); END"))
        else:
            _guard_postgres(conn, table, message)


def _guard_postgres(conn: Connection, table: str, message: str) -> None:
    have = set(conn.execute(text("SELECT tgname FROM pg_trigger WHERE tgrelid = CAST(:t AS regclass) "
                                 "AND NOT tgisinternal"), {"t": table}).scalars())
    missing = [(what, name) for what, name in zip(_REFUSED["postgresql"], trigger_names(table, "postgresql"))
               if name not in have]
    if not missing:
        return
    function = f"{table}_refuse_change"
    conn.execute(text(f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS "
                      f"$$ BEGIN RAISE EXCEPTION '{message}'; END $$"))
    for what, name in missing:
        conn.execute(text(f"CREATE OR REPLACE TRIGGER {name} BEFORE {what} ON {table} FOR EACH STATEMENT "
                          f"EXECUTE FUNCTION {function}()"))
