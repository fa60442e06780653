"""Spark as an engine: the same expressions run by a Spark session through Ibis's PySpark backend, over the store's
column files (activity, revenue, tickets, feedback: the files the embedded engine reads, checked against the store
first).

PySpark is not a dependency of the app (a company with a Spark cluster installs it, with a Java runtime); it is
pinned for the tests (requirements-dev.txt), which run it in local mode.
"""

from __future__ import annotations

import ibis
from sqlalchemy.engine import Engine

from core.query.periods import EPOCH
from core.query.sources import GIVEN, Source
from core.store import table_files
from core.store.columnar import checked_files


def spark_source(session, engine: Engine) -> Source:
    """``session`` (a ``pyspark.sql.SparkSession``) reading ``engine``'s activity column files.

    Raises
    ------
    ValueError
        The store keeps no column files (an in-memory store), so Spark has nothing to read.
    """
    files = checked_files(engine)
    if files is None:
        raise ValueError("This store keeps no column files for Spark to read.")
    con = ibis.pyspark.connect(session)
    revenue, tickets, feedback = (_table(session, con, engine, t) for t in ("revenue", "ticket", "feedback"))
    if not files:
        return Source("Spark", con, None, None, revenue, tickets, feedback)
    session.read.parquet(*[str(p) for p in files]).createOrReplaceTempView("retention_activity_files")
    raw = con.table("retention_activity_files")
    activity = raw.select("customer_id", date=EPOCH + raw.day.cast("int32").as_interval("D"), value=raw.value)
    return Source(f"Spark ({session.sparkContext.master})", con, activity, None, revenue, tickets, feedback)


def _table(session, con, engine: Engine, table: str):
    """One fact table's checked column files as a Spark view (None when the table holds no rows)."""
    files = table_files.checked_files(engine, table)
    if not files:
        return None
    session.read.parquet(*[str(p) for p in files]).createOrReplaceTempView(f"retention_{table}_files")
    return con.table(f"retention_{table}_files").select(*GIVEN[table])
