"""Bulk loads into a PostgreSQL store with ``COPY ... FROM STDIN`` (psycopg 3's ``cursor.copy``): one stream per
batch instead of one INSERT per row, inside the caller's transaction (a failure rolls it back with the rest).

Values are the ones the SQLite load gives its driver: ISO text for dates and times, JSON text for ``attributes``,
None for a missing value; PostgreSQL parses them by the column's type. Ids are left to the table's sequence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from sqlalchemy.engine import Connection

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def copy_statement(table: str, columns: Sequence[str]) -> str:
    """The ``COPY`` statement for ``columns`` of ``table`` (schema names only: letters, digits, underscores).

    Examples
    --------
    >>> copy_statement("activity", ["customer_id", "date"])
    'COPY "activity" ("customer_id", "date") FROM STDIN'
    """
    names = [table, *columns]
    if not all(_NAME.match(n) for n in names):
        raise ValueError(f"not a store table or column name: {names}")
    return f'COPY "{table}" ({", ".join(chr(34) + c + chr(34) for c in columns)}) FROM STDIN'


def copy_rows(conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Stream ``rows`` (tuples in the order of ``columns``) into ``table`` of a PostgreSQL store; returns the rows.

    Parameters
    ----------
    conn : sqlalchemy.engine.Connection
        A connection to a PostgreSQL store through psycopg 3, inside a transaction.
    """
    n = 0
    with conn.connection.driver_connection.cursor() as cur, cur.copy(copy_statement(table, columns)) as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n
