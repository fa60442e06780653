"""Which engine answers a store's aggregations, and the fact tables in one shape on every engine.

- :func:`embedded` (the default): DuckDB in this process over the store's column files (activity:
  :func:`core.store.columnar.checked_files`; revenue: :func:`core.store.table_files.checked_files`; every file
  checked against the store first, rebuilt if stale), for SQLite and PostgreSQL stores alike; over the store's
  rows, read once, when a store has no files (in memory).
- :func:`inside`: the store's own database runs the expressions (PostgreSQL), nothing copied out but the
  aggregates.

Every source gives activity as ``customer_id`` (text), ``date`` (a date) and ``value`` (a float: the row's
amount), customers as ``customer_id, signup_date, churn_date`` (dates) and revenue as ``customer_id, period, mrr``,
so one expression serves every engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
from sqlalchemy.engine import Engine

from core.store import table_files
from core.store.columnar import checked_files
from core.store.read import load_columns

CUSTOMER_COLUMNS = ["customer_id", "signup_date", "churn_date"]


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
        null on a sale's row); None: the source has no revenue.
    """

    name: str
    con: ibis.BaseBackend
    activity: ir.Table | None
    store_customers: ir.Table | None = None
    revenue: ir.Table | None = None

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
        return Source(self.name, self.con, self.activity, kept, self.revenue)

    def close(self) -> None:
        self.con.disconnect()

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def customer_frame(frame: pd.DataFrame, extra: tuple[str, ...] = ()) -> pa.Table:
    """The customer columns an expression reads, typed alike on every engine (ids and ``extra`` columns as text,
    empty values as nulls; dates as dates)."""
    out = {"customer_id": pa.array(frame["customer_id"].astype(str).to_numpy(dtype=object), pa.string())}
    for col in CUSTOMER_COLUMNS[1:]:
        dates = pd.to_datetime(frame[col]) if col in frame else pd.Series(pd.NaT, index=frame.index)
        out[col] = pa.array(dates.to_numpy(dtype="datetime64[D]"), pa.date32())  # NaT becomes null
    for col in extra:
        values = frame[col].astype("string") if col in frame else pd.Series(pd.NA, index=frame.index, dtype="string")
        out[col] = pa.array(values.to_numpy(dtype=object, na_value=None), pa.string())
    return pa.table(out)


def embedded(engine: Engine) -> Source:
    """DuckDB in this process over the store's column files (see the module docstring)."""
    con = ibis.duckdb.connect()
    revenue = _embedded_revenue(con, engine)
    files = checked_files(engine)
    if files:
        # the files hold int32 days; DATE + INTEGER is a DATE in DuckDB (an interval would make a timestamp: slower)
        con.raw_sql(f"CREATE TEMP VIEW activity AS SELECT customer_id, CAST(DATE '1970-01-01' + day AS DATE) AS date, "
                    f"value FROM read_parquet([{_paths(files)}])")
        return Source("DuckDB (embedded) over the store's column files", con, con.table("activity"), None, revenue)
    rows = load_columns(engine, "activity", ["customer_id", "date", "value"])
    days = pd.to_datetime(rows["date"]).to_numpy(dtype="datetime64[D]")
    table = pa.table({"customer_id": pa.array(rows["customer_id"].astype(str).to_numpy(dtype=object), pa.string()),
                      "date": pa.array(days, pa.date32()),
                      "value": pa.array(pd.to_numeric(rows["value"]).to_numpy(float), pa.float64())})
    # a memtable: Ibis 12's create_table from Arrow data fails on DuckDB 2.0 (it drops a view with no name)
    return Source("DuckDB (embedded) over the store's rows", con, ibis.memtable(table), None, revenue)


def _embedded_revenue(con, engine: Engine) -> ir.Table | None:
    """The store's revenue for DuckDB: its checked column files, or its rows read once (a store without files)."""
    files = table_files.checked_files(engine, "revenue")
    if files == []:
        return None
    if files:
        con.raw_sql(f"CREATE TEMP VIEW revenue AS SELECT customer_id, period, mrr FROM read_parquet([{_paths(files)}])")
        return con.table("revenue")
    rows = load_columns(engine, "revenue", ["customer_id", "period", "mrr"])
    if rows.empty:
        return None
    return ibis.memtable(pa.table({
        "customer_id": pa.array(rows["customer_id"].astype(str).to_numpy(dtype=object), pa.string()),
        "period": pa.array(pd.to_datetime(rows["period"]).to_numpy(dtype="datetime64[D]"), pa.date32()),
        "mrr": pa.array(pd.to_numeric(rows["mrr"]).to_numpy(float), pa.float64())}))


def _paths(files) -> str:
    """Paths as a DuckDB list of string literals."""
    return ", ".join("'" + str(p).replace("'", "''") + "'" for p in files)


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
    rev = con.table("revenue")
    return Source("PostgreSQL (inside the store's database)", con,
                  act.select("customer_id", "date", value=act.value.cast("float64")), customer,
                  rev.select("customer_id", "period", mrr=rev.mrr.cast("float64")))
