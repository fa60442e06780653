"""Which engine answers a store's aggregations, and the fact tables in one shape on every engine.

- :func:`embedded` (the default): DuckDB in this process over the store's column files (activity:
  :func:`core.store.columnar.checked_files`; revenue: :func:`core.store.table_files.checked_files`; every file
  checked against the store first, rebuilt if stale), for SQLite and PostgreSQL stores alike; over the store's
  rows, read once, when a store has no files (in memory).
- :func:`inside`: the store's own database runs the expressions (PostgreSQL), nothing copied out but the
  aggregates.

Every source gives activity as ``customer_id`` (text), ``date`` (a date) and ``value`` (a float: the row's
amount), customers as ``customer_id, signup_date, churn_date`` (dates) and revenue as ``customer_id, period, mrr``,
so one expression serves every engine. The store's own sources (:func:`embedded`, :func:`inside`) also give the
revenue's ``amount`` (a sale's), ``payment_failed`` and row ``id``, tickets as ``id, customer_id, opened,
resolved`` (times) and feedback as ``id, customer_id, date, channel, score``: the churn and health models' inputs
(:mod:`core.history.engine_behaviour`) and the plays' windows (:mod:`core.roi.engine_outcomes`).
"""

from __future__ import annotations

import os
import secrets
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.engine import Engine

from core.errors import DataValidationError, EngineError
from core.query import choice
from core.query.choice import NAMES
from core.query.duckdb_memory import MEMORY_ENV, memory_limit
from core.store import table_files
from core.store.columnar import checked_files
from core.store.dates import datetimes
from core.store.read import load_columns, load_selected
from core.store.tables import PURCHASE, PURCHASES_ONLY, Activity

CUSTOMER_COLUMNS = ["customer_id", "signup_date", "churn_date"]

#: the columns each table's source gives
GIVEN = {"revenue": ("customer_id", "period", "mrr", "amount", "payment_failed", "id", "is_return"),
         "ticket": ("id", "customer_id", "opened", "resolved"),
         "feedback": ("id", "customer_id", "date", "channel", "score"),
         "purchase": ("customer_id", "date")}


@dataclass
class Source:
    """An engine and the store's fact tables on it.

    Attributes
    ----------
    name : str
        Where the figures come from, in plain words (``python -m core cohorts`` says it on stderr).
    con : ibis.BaseBackend
        The engine.
    activity : ibis.Table or None
        ``customer_id`` (string), ``date`` (date), ``value`` (float64); repeats possible. None: the source has no
        activity.
    store_customers : ibis.Table or None
        The store's own customer table on this engine, when it has one (else customers come as frames).
    revenue : ibis.Table or None
        ``customer_id`` (string), ``period`` (date: a month's first day for recurring revenue), ``mrr`` (float64,
        null on a sale's row), and from the store also ``payment_failed`` (boolean, null when not known) and ``id``
        (the row's id); None: the source has no revenue.
    tickets : ibis.Table or None
        ``id, customer_id, opened, resolved`` (timestamps); None: the source has no tickets.
    feedback : ibis.Table or None
        ``id, customer_id, date, channel, score``; None: the source has no feedback.
    contacts : ibis.Table or None
        A warehouse's play contacts: ``customer_id, play, date, arm`` and those of ``channel, cost, id`` its
        mapping names (:mod:`core.query.warehouse`); None elsewhere (a store's are read as rows).
    purchases : ibis.Table or None
        A purchase log's ``purchase`` activity rows as ``customer_id, date`` (date; repeats possible): with the
        revenue's one-off sales (``amount``, ``is_return``) the purchases of :mod:`core.buyers.purchases`
        (:mod:`core.buyers.engine_purchases`); None when the source holds none.
    """

    name: str
    con: ibis.BaseBackend
    activity: ir.Table | None
    store_customers: ir.Table | None = None
    revenue: ir.Table | None = None
    tickets: ir.Table | None = None
    feedback: ir.Table | None = None
    contacts: ir.Table | None = None
    purchases: ir.Table | None = None
    #: answers that do not change while the source is open (:meth:`remembered`)
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.con, Serialized):
            self.con = Serialized(self.con)

    def remembered(self, key: str, compute):
        """``compute()``, run once per source for ``key``: a fact of its tables that one piece of work asks at every
        cutoff (whether a table has rows, its first date), the tables not changing while the source is open."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    def customers(self, frame: pd.DataFrame | None = None, extra: tuple[str, ...] = ()) -> ir.Table:
        """``customer_id, signup_date, churn_date`` and the text columns ``extra`` (e.g. ``segment``) of ``frame``
        (the customers a page's filters kept), or of every customer in the store when ``frame`` is None and the
        engine holds them."""
        if frame is None and self.store_customers is not None:
            return self.store_customers.select(*CUSTOMER_COLUMNS, *extra)
        if frame is None:
            raise ValueError("This source holds no customer table: pass the customers.")
        return ibis.memtable(customer_frame(frame, extra))

    def restricted(self, column: str, values) -> Source:
        """This source with only the store customers whose ``column`` is one of ``values`` (a filter run by the
        engine, nothing uploaded)."""
        if self.store_customers is None:
            raise ValueError("This source holds no customer table: filter the customers' frame instead.")
        kept = self.store_customers.filter(self.store_customers[column].isin(list(values)))
        return Source(self.name, self.con, self.activity, kept, self.revenue, self.tickets, self.feedback,
                      self.contacts, self.purchases)

    def close(self) -> None:
        self.con.disconnect()

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Serialized:
    """An engine's connection that runs one query at a time: a connection is not safe to use from two threads at
    once (DuckDB's, a database driver's), and the app shares a source between its users' sessions (the plays' inputs
    are read once per store version), so two sessions asking it together take turns instead of corrupting each
    other's query. Everything else is the connection's own."""

    def __init__(self, con) -> None:
        self._con = con
        self._lock = threading.RLock()

    def execute(self, expr, *args, **kwargs):
        with self._lock:
            try:
                return self._con.execute(expr, *args, **kwargs)
            except duckdb.OutOfMemoryException:
                raise EngineError(f"DuckDB needed more memory than it may use ({memory_limit()}, "
                                  f"{MEMORY_ENV}): set {MEMORY_ENV} higher, for example 4GB, and reload the "
                                  "page.") from None

    def raw_sql(self, query, *args, **kwargs):
        with self._lock:
            return self._con.raw_sql(query, *args, **kwargs)

    def disconnect(self) -> None:
        with self._lock:  # a query running in another session ends first
            self._con.disconnect()

    def __getattr__(self, name: str):
        return getattr(self._con, name)


def customer_frame(frame: pd.DataFrame, extra: tuple[str, ...] = ()) -> pa.Table:
    """The customer columns an expression reads, typed alike on every engine (ids and ``extra`` columns as text,
    empty values as nulls; dates as dates)."""
    out = {"customer_id": pa.array(frame["customer_id"].astype(str).to_numpy(dtype=object), pa.string())}
    for col in CUSTOMER_COLUMNS[1:]:
        dates = datetimes(frame[col]) if col in frame else pd.Series(pd.NaT, index=frame.index)
        out[col] = pa.array(dates.to_numpy(dtype="datetime64[D]"), pa.date32())  # NaT becomes null
    for col in extra:
        values = frame[col].astype("string") if col in frame else pd.Series(pd.NA, index=frame.index, dtype="string")
        out[col] = pa.array(values.to_numpy(dtype=object, na_value=None), pa.string())
    return pa.table(out)


def duckdb_connection():
    """A new embedded DuckDB, capped at :func:`memory_limit` and spilling beyond it into a folder of its own in the
    system's temporary folder (DuckDB creates it only when it spills and removes it when it closes)."""
    limit = memory_limit()
    con = ibis.duckdb.connect()
    spill = Path(tempfile.gettempdir()) / f"retention-duckdb-{os.getpid()}-{secrets.token_hex(4)}"
    con.raw_sql(f"SET memory_limit = '{limit}'")
    con.raw_sql(f"SET temp_directory = '{str(spill).replace(chr(39), chr(39) * 2)}'")
    return con


def embedded(engine: Engine) -> Source:
    """DuckDB in this process over the store's column files (see the module docstring)."""
    con = duckdb_connection()
    revenue, tickets, feedback, purchases = (_embedded_table(con, engine, t)
                                             for t in ("revenue", "ticket", "feedback", "purchase"))
    files = checked_files(engine)
    if files:
        # the files hold int32 days; DATE + INTEGER is a DATE in DuckDB (an interval would make a timestamp: slower)
        con.raw_sql(f"CREATE TEMP VIEW activity AS SELECT customer_id, CAST(DATE '1970-01-01' + day AS DATE) AS date, "
                    f"value FROM read_parquet([{_paths(files)}])")
        return Source("DuckDB (embedded) over the store's column files", con, con.table("activity"), None, revenue,
                      tickets, feedback, purchases=purchases)
    rows = load_columns(engine, "activity", ["customer_id", "date", "value"])
    days = datetimes(rows["date"]).to_numpy(dtype="datetime64[D]")
    table = pa.table({"customer_id": pa.array(rows["customer_id"].astype(str).to_numpy(dtype=object), pa.string()),
                      "date": pa.array(days, pa.date32()),
                      "value": pa.array(pd.to_numeric(rows["value"]).to_numpy(float), pa.float64())})
    # a memtable: Ibis 12's create_table from Arrow data fails on DuckDB 2.0 (it drops a view with no name)
    return Source("DuckDB (embedded) over the store's rows", con, ibis.memtable(table), None, revenue, tickets,
                  feedback, purchases=purchases)


def _embedded_table(con, engine: Engine, table: str) -> ir.Table | None:
    """A fact table of the store for DuckDB: its checked column files (:mod:`core.store.table_files`), or its rows
    read once (a store without files); None when it holds no rows."""
    files = table_files.checked_files(engine, table)
    if files == []:
        return None
    cols = GIVEN[table]
    if files:
        con.raw_sql(f"CREATE TEMP VIEW {table} AS SELECT {', '.join(cols)} FROM read_parquet([{_paths(files)}])")
        return con.table(table)
    rows = _rows(engine, table, cols)
    if rows.empty:
        return None
    schema = table_files.SCHEMAS[table]
    typed = table_files.typed(rows, pa.schema([schema.field(c) for c in cols]))
    return ibis.memtable(pa.Table.from_pandas(typed, schema=pa.schema([schema.field(c) for c in cols]),
                                              preserve_index=False))


def _rows(engine: Engine, table: str, cols) -> pd.DataFrame:
    """The store's rows of a table of :data:`GIVEN` (a purchase log's purchases: its ``purchase`` activity rows)."""
    if table == "purchase":
        return load_selected(engine, "activity", select(Activity.customer_id, Activity.date).where(PURCHASES_ONLY))
    return load_columns(engine, table, list(cols))


def _paths(files) -> str:
    """Paths as a DuckDB list of string literals."""
    return ", ".join("'" + str(p).replace("'", "''") + "'" for p in files)


#: who sums the churn and health models' behavioural features and the plays' windows (:mod:`core.query.choice`)
ENGINES = NAMES


def by_name(engine: Engine, name: str) -> Source | None:
    """The source called ``name`` in :data:`ENGINES` over the store ``engine`` (None for ``pandas``: the frames).

    Raises
    ------
    core.errors.DataValidationError
        An unknown name, or ``postgres`` on a store that is not PostgreSQL.
    """
    if name == "pandas":
        return None
    if name == "duckdb":
        return embedded(engine)
    if name == "postgres":
        choice.refuse_postgres_on(engine)
        return inside(engine)
    if name == "spark":
        from core.query.spark import session_source  # spark.py builds on this module

        return session_source(engine)
    raise DataValidationError(f"Unknown engine '{name}': one of {', '.join(ENGINES)}.")


def inside(engine: Engine) -> Source:
    """The store's own PostgreSQL database runs the expressions.

    Raises
    ------
    ValueError
        The store is not PostgreSQL.
    """
    if engine.dialect.name != "postgresql":
        raise ValueError("Only a PostgreSQL store runs the aggregations inside its database.")
    u = engine.url
    con = ibis.postgres.connect(host=u.host or "localhost", port=u.port or 5432, user=u.username,
                                password=u.password, database=u.database)
    act = con.table("activity")
    customer = con.table("customer")
    rev, tickets, feedback = con.table("revenue"), con.table("ticket"), con.table("feedback")
    return Source("PostgreSQL (inside the store's database)", con,
                  act.select("customer_id", "date", value=act.value.cast("float64")), customer,
                  rev.select("customer_id", "period", "payment_failed", "id", "is_return", mrr=rev.mrr.cast("float64"),
                             amount=rev.amount.cast("float64")),
                  tickets.select(*GIVEN["ticket"]),
                  feedback.select("id", "customer_id", "date", "channel", score=feedback.score.cast("float64")),
                  purchases=act.filter(act.metric == PURCHASE).select(*GIVEN["purchase"]))
