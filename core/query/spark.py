"""Spark as an engine: the same expressions run by a Spark session through Ibis's PySpark backend, over the store's
column files (activity, revenue, tickets, feedback: the files the embedded engine reads, checked against the store
first).

``RETENTION_ENGINE=spark`` (:mod:`core.query.choice`) has the pages, the review and ``python -m core`` sum on the
Spark session of the server's process (:func:`session_source`): the company's Spark settings decide where it runs
(local mode when none name a cluster).

PySpark is not a dependency of the app (a company with a Spark cluster installs it, with a Java runtime); it is
pinned for the tests (requirements-dev.txt), which run it in local mode.
"""

from __future__ import annotations

import secrets

import ibis
from sqlalchemy.engine import Engine

from core.errors import DataValidationError
from core.query import choice
from core.query.periods import EPOCH
from core.query.sources import GIVEN, Source
from core.store import table_files
from core.store.columnar import checked_files


def session_source(engine: Engine) -> Source:
    """The Spark session of this process (started when there is none, in the session's UTC) reading ``engine``'s
    column files; closing the source leaves the session running for the next piece of work.

    Raises
    ------
    DataValidationError
        PySpark or Java is missing, Spark does not start, or the store keeps no column files.
    """
    choice.spark_installed()
    from pyspark.sql import SparkSession  # PySpark is optional: imported only when Spark is the engine

    try:
        session = (SparkSession.builder.config("spark.sql.session.timeZone", "UTC")  # the small tables sent along
                   .config("spark.sql.execution.arrow.pyspark.enabled", "true").getOrCreate())  # go as Arrow
    except Exception as e:  # Java missing or the cluster unreachable: py4j's and Spark's own errors
        raise DataValidationError(f"Spark did not start ({_first_line(e)}): {choice.NO_PYSPARK}.") from None
    try:
        return spark_source(session, engine, keep_session=True)
    except ValueError as e:
        raise DataValidationError(f"{e} Use duckdb (or pandas) here.") from None


def spark_source(session, engine: Engine, keep_session: bool = False) -> Source:
    """``session`` (a ``pyspark.sql.SparkSession``) reading ``engine``'s activity column files (``keep_session``:
    closing the source leaves the session running).

    Raises
    ------
    ValueError
        The store keeps no column files (an in-memory store), so Spark has nothing to read.
    """
    files = checked_files(engine)
    if files is None:
        raise ValueError("This store keeps no column files for Spark to read.")
    con = ibis.pyspark.connect(session)
    views = _Views(session, secrets.token_hex(4) if keep_session else "")
    if keep_session:
        con = _SessionKept(con, views)
    revenue, tickets, feedback, purchases = (_table(con, engine, t, views)
                                             for t in ("revenue", "ticket", "feedback", "purchase"))
    if not files:
        return Source("Spark", con, None, None, revenue, tickets, feedback, purchases=purchases)
    raw = con.table(views.register("activity", files))
    activity = raw.select("customer_id", date=EPOCH + raw.day.cast("int32").as_interval("D"), value=raw.value)
    return Source(f"Spark ({session.sparkContext.master})", con, activity, None, revenue, tickets, feedback,
                  purchases=purchases)


def _table(con, engine: Engine, table: str, views: _Views):
    """One fact table's checked column files as a Spark view (None when the table holds no rows)."""
    files = table_files.checked_files(engine, table)
    if not files:
        return None
    return con.table(views.register(table, files)).select(*GIVEN[table])


class _Views:
    """The temporary views one source registers in the session: named ``retention_<table>_files``, with a suffix
    of its own when the session is shared (two pieces of work at once never read each other's files)."""

    def __init__(self, session, suffix: str) -> None:
        self.session, self.suffix, self.names = session, suffix, []

    def register(self, table: str, files) -> str:
        name = f"retention_{table}_files" + (f"_{self.suffix}" if self.suffix else "")
        self.session.read.parquet(*[str(p) for p in files]).createOrReplaceTempView(name)
        self.names.append(name)
        return name

    def drop(self) -> None:
        for name in self.names:
            self.session.catalog.dropTempView(name)


class _SessionKept:
    """An Ibis PySpark backend whose ``disconnect`` drops the source's views and leaves the Spark session running
    (Ibis's stops it)."""

    def __init__(self, con, views: _Views) -> None:
        self._con, self._views = con, views

    def disconnect(self) -> None:
        self._views.drop()

    def __getattr__(self, name):
        return getattr(self._con, name)


def _first_line(e: Exception) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]
