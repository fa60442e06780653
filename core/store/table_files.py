"""Column files of the fact tables besides activity (revenue, tickets, feedback, and a purchase log's purchases: its
``purchase`` activity rows, :data:`ROWS_OF`), for the engines that read files
(DuckDB through :mod:`core.query`): one Parquet file per import in ``<store>.columns/<table>/`` (a PostgreSQL store: its
local cache, :mod:`core.store.column_home`).

Like the activity files they are a cache, never the truth: every read asks the store for its rows per import and
each import's identity (``sha256|start`` of its log row), and uses a file only when the record in its footer says
exactly that; any other file (missing, stale, of an undone import, truncated, foreign) is written again from the
store, and files of imports that hold no rows are removed. Unlike the activity files, staged inside the import's
transaction, they are written right after an import or the demo's load commits (:func:`write_after_load`; these
tables are small beside activity), and again on any read that finds them stale; rows are never changed in place in
these tables (an undo or an erasure deletes them), so a row count per import tells a stale file.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from core.store import column_home
from core.store.dates import datetimes
from core.store.tables import PURCHASE

#: per table, the columns its files hold and their types (``id``: the store's row id, which orders rows of one day)
SCHEMAS = {
    "revenue": pa.schema([("id", pa.int64()), ("customer_id", pa.string()), ("period", pa.date32()),
                          ("mrr", pa.float64()), ("amount", pa.float64()), ("payment_failed", pa.bool_()),
                          ("is_return", pa.bool_())]),
    "ticket": pa.schema([("id", pa.int64()), ("customer_id", pa.string()), ("opened", pa.timestamp("us")),
                         ("resolved", pa.timestamp("us"))]),
    "feedback": pa.schema([("id", pa.int64()), ("customer_id", pa.string()), ("date", pa.date32()),
                           ("channel", pa.string()), ("score", pa.float64())]),
    "purchase": pa.schema([("id", pa.int64()), ("customer_id", pa.string()), ("date", pa.date32())]),
}
#: the files that hold some rows of a store table: name -> (the table, which of its rows). A purchase log's purchases
#: are its ``purchase`` activity rows (:data:`core.store.tables.PURCHASES_ONLY`, a partial index), a few beside a
#: usage log's millions, so they have files of their own rather than a kind column in the activity files
ROWS_OF = {"purchase": ("activity", f"t.metric = '{PURCHASE}'")}
_RECORD = "retention.table"
#: 2: revenue files hold the row id and the payment flag; 3: and the return flag, every file zstd-compressed (older
#: files are written again)
_LAYOUT = 3
_UNREADABLE = (OSError, ValueError, TypeError, KeyError, pa.ArrowException)
_COUNTS = ("SELECT t.import_id, COUNT(*), {identity} FROM {table} AS t LEFT JOIN importlog AS l ON l.id = t.import_id "
           "WHERE {rows} GROUP BY t.import_id, l.sha256, l.started_at")


def checked_files(engine: Engine, table: str) -> list[Path] | None:
    """The file of every import holding rows of ``table``, each checked against the store (written again when it
    does not match); None for a store that keeps no files (in memory) or when a file could not be written."""
    base = column_home.folder(engine)
    if base is None:
        return None
    d = base.parent / table
    want = _expected(engine, table)
    paths = []
    for i, (n, identity) in sorted(want.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)):
        path = d / f"import_{'none' if i is None else i}.parquet"
        if not _matches(path, table, i, n, identity) and not _rebuild(engine, table, i, identity, path):
            return None
        paths.append(path)
    keep = {p.name for p in paths}
    for f in d.glob("import_*.parquet") if d.is_dir() else ():
        if f.name not in keep:
            f.unlink(missing_ok=True)
    return paths


def write_after_load(engine: Engine, tables) -> None:
    """Write (or check) the files of each of ``tables`` that has them, right after a load committed its rows: the
    engines' first read finds them ready. A file that cannot be written now (a full disk, a busy or read-only
    store) is written on that read instead: the load has committed, and a cache never undoes it."""
    tables = set(tables) | {name for name, (table, _) in ROWS_OF.items() if table in set(tables)}
    for table in [t for t in SCHEMAS if t in tables]:
        try:
            checked_files(engine, table)
        except (*_UNREADABLE, SQLAlchemyError):
            return


def forget(engine: Engine) -> int:
    """Delete every file of every table in :data:`SCHEMAS` (an erasure: no copy of a row may stay; the next read
    writes them again from the store). Returns the files deleted."""
    base = column_home.folder(engine)
    gone = 0
    for table in SCHEMAS if base is not None else ():
        for f in (base.parent / table).glob("import_*"):
            f.unlink(missing_ok=True)
            gone += 1
    return gone


def _expected(engine: Engine, table: str) -> dict[int | None, tuple[int, str]]:
    """import id -> (rows of ``table``, identity of its import-log row)."""
    with engine.connect() as conn:
        stored, rows = ROWS_OF.get(table, (table, "1 = 1"))
        q = _COUNTS.format(table=stored, rows=rows, identity=column_home.identity_sql(conn.dialect.name, "l."))
        return {i: (int(n), ident) for i, n, ident in conn.execute(text(q)).all() if n}


def _matches(path: Path, table: str, import_id: int | None, rows: int, identity: str) -> bool:
    """Whether the file's footer record says it holds exactly these rows (never raises)."""
    try:
        meta = pq.read_metadata(path)
        rec = json.loads((meta.metadata or {}).get(_RECORD.encode(), b"null"))
    except (*_UNREADABLE, json.JSONDecodeError):
        return False
    return (isinstance(rec, dict) and rec.get("layout") == _LAYOUT and rec.get("table") == table
            and rec.get("import_id") == import_id and rec.get("import") == identity and rec.get("rows") == rows
            and meta.num_rows == rows)


def _rebuild(engine: Engine, table: str, import_id: int | None, identity: str, path: Path) -> bool:
    """Write one import's rows of ``table`` from the store, sealed with its record; False if it could not be."""
    schema = SCHEMAS[table]
    stored, which = ROWS_OF.get(table, (table, "1 = 1"))
    where = "t.import_id IS NULL" if import_id is None else f"t.import_id = {int(import_id)}"
    with engine.connect() as conn:
        cols = ", ".join(f"t.{c}" for c in schema.names)
        rows = pd.read_sql(text(f"SELECT {cols} FROM {stored} AS t WHERE {where} AND {which}"), conn)
    data = pa.Table.from_pandas(typed(rows, schema), schema=schema, preserve_index=False)
    record = {"layout": _LAYOUT, "table": table, "import_id": import_id, "import": identity, "rows": len(rows)}
    data = data.replace_schema_metadata({_RECORD: json.dumps(record)})
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # zstd: Spark (its LZ4 reader) refused an LZ4 revenue file of the CDNOW log's sample pyarrow wrote; DuckDB,
        # Spark and pyarrow read zstd alike
        pq.write_table(data, tmp, compression="zstd", write_page_checksum=True)
        os.replace(tmp, path)
        return True
    except _UNREADABLE:
        tmp.unlink(missing_ok=True)
        return False


def typed(rows: pd.DataFrame, schema: pa.Schema) -> pd.DataFrame:
    """The store's rows in the files' types (SQLite gives dates as ISO text)."""
    out = rows.copy()
    for f in schema:
        if f.type == pa.date32():
            out[f.name] = datetimes(out[f.name]).dt.date
        elif pa.types.is_timestamp(f.type):
            out[f.name] = datetimes(out[f.name], format="mixed")
        elif f.type == pa.float64():
            out[f.name] = pd.to_numeric(out[f.name], errors="coerce")
        elif f.type in (pa.int64(), pa.bool_()):
            kind = int if f.type == pa.int64() else bool
            out[f.name] = out[f.name].astype(object).where(out[f.name].notna(), None).map(
                lambda v, kind=kind: v if v is None else kind(v))
        else:
            out[f.name] = out[f.name].astype(object).where(out[f.name].notna(), None).map(
                lambda v: v if v is None else str(v))
    return out
