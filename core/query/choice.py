"""Which engine sums the behaviour behind the pages' figures: ``RETENTION_ENGINE`` (``duckdb``, the default:
embedded DuckDB over the store's column files, nothing to set up; ``postgres``: inside a PostgreSQL store;
``pandas``: the frames in the server's process, the reference path the tests compare the engines with; ``spark``: the
server's Spark session over the column files, :mod:`core.query.spark`).

One setting for the whole server: the Cohort curves page's tables, breakdowns, cells and survival lifetimes
(:mod:`core.cohorts.engine_views`, :mod:`core.cohorts.engine_survival`), the Overview's headline revenue and MRR
movements (:mod:`core.buyers.engine_headline`, :mod:`core.history.engine_movements`), the Feedback themes page's
theme counts (:mod:`core.feedback.engine_mentions`), the churn and health models' behavioural features
(:mod:`core.history.engine_behaviour`) and the plays' revenue and usage windows (:mod:`core.roi.engine_outcomes`)
are summed by the chosen engine on every page, in the review and in ``python -m core`` (whose ``--engine`` wins
over it); the figures are the same on each (tested to 1e-9), only where the work runs changes (amounts are summed
exactly, :mod:`core.query.exact`, so a figure reproduces bit for bit). Statistics and models stay in Python.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from core.errors import DataValidationError
from core.query.duckdb_memory import memory_limit

if TYPE_CHECKING:  # the CLI's --help imports this module: no SQLAlchemy at import time
    from sqlalchemy.engine import Engine

ENGINE_ENV = "RETENTION_ENGINE"
#: ``source=CONFIGURED``, the input loaders' default: the engine :data:`ENGINE_ENV` names (:func:`configured`)
CONFIGURED = "configured"
#: the engines a store can be summed by (:func:`core.query.sources.by_name`); the first is the default
NAMES = ("duckdb", "pandas", "postgres", "spark")
NO_PYSPARK = ("the spark engine needs PySpark and a Java runtime in the server's environment (pip install the "
              "pyspark of requirements-dev.txt; Debian: apt-get install default-jre-headless)")


def configured_name() -> str:
    """The engine ``RETENTION_ENGINE`` names (any case), ``duckdb`` when it is not set.

    Raises
    ------
    core.errors.DataValidationError
        The variable names no engine: the message lists them.
    """
    name = os.environ.get(ENGINE_ENV, "").strip().lower() or NAMES[0]
    if name not in NAMES:
        raise DataValidationError(f"{ENGINE_ENV}={os.environ[ENGINE_ENV].strip()!r} names no engine: set it to one "
                                  f"of {', '.join(NAMES)} (or leave it unset for duckdb, the default).")
    return name


def check(engine: Engine) -> None:
    """Refuse, without opening anything, an engine the store ``engine`` cannot be summed by: an unknown name,
    ``postgres`` on a store that is not PostgreSQL, or DuckDB with a memory cap that is not a size (each page checks
    this first, so no figure half-computes).

    Raises
    ------
    core.errors.DataValidationError
        The message says what to set instead.
    """
    name = configured_name()
    if name == "postgres":
        refuse_postgres_on(engine, prefix=f"{ENGINE_ENV}=postgres: ")
    if name == "duckdb":
        memory_limit()  # RETENTION_DUCKDB_MEMORY is a size
    if name == "spark":
        spark_installed()


def spark_installed() -> None:
    """Refuse, without starting Spark, when PySpark is not installed (:data:`NO_PYSPARK`)."""
    if importlib.util.find_spec("pyspark") is None:
        raise DataValidationError(f"{ENGINE_ENV}=spark: {NO_PYSPARK}.")


def refuse_postgres_on(engine: Engine, prefix: str = "") -> None:
    """Raise :class:`core.errors.DataValidationError` unless ``engine`` is a PostgreSQL store."""
    if engine.dialect.name != "postgresql":
        raise DataValidationError(f"{prefix}the postgres engine runs the sums inside a PostgreSQL store; this store "
                                  f"is {engine.dialect.name}. Use duckdb (or pandas) here.")


def configured(engine: Engine):
    """The :class:`core.query.sources.Source` of the configured engine over the store ``engine``, None for pandas.

    Raises
    ------
    core.errors.DataValidationError
        An unknown engine, or ``postgres`` on a store that is not PostgreSQL.
    """
    name = configured_name()
    if name == "pandas":
        return None
    from core.query import sources  # Ibis loads only when an engine is chosen (a fast start otherwise)

    try:
        return sources.by_name(engine, name)
    except DataValidationError as e:
        raise DataValidationError(f"{ENGINE_ENV}={name}: {e}") from None


@contextmanager
def opened(engine: Engine) -> Iterator:
    """:func:`configured` for one piece of work: yields the source (None for pandas) and closes it after."""
    source = configured(engine)
    try:
        yield source
    finally:
        if source is not None:
            source.close()
