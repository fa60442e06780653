"""A columnar copy of who was active on which day, kept beside the store at import time.

Cohort tables over millions of activity rows need only (customer, day) pairs: from SQLite ~15 s for 10M rows,
from Parquet, integer-coded, well under a second. So every import that loads activity also writes
``<store>.columns/activity/import_<id>.parquet`` (customer id, day as int32 since 1970-01-01, value; one
dictionary of ids per row group, read back as integer codes without touching Python strings).

The files are a cache, never the truth. A file is staged during the import's transaction and
published only after the commit (a rollback deletes it). Each file carries its own record in the
Parquet footer: the import id, the import's identity (sha256 and start time of its import-log row,
so a file of an undone import whose id the store later reused, or of a database recreated under the same URL, is told
apart), its row count, and sums of
its days and of its values' bits; its pages carry CRC checksums. Every read asks SQLite one small question,
the activity row count of each import (one query over the ``import_id`` index), and trusts a file only if its
record matches SQLite and its pages and sums match the record. Anything else, a missing, stale, short, truncated
or garbage file, is rebuilt from SQLite (or, if the folder cannot be written, served from SQLite
directly); files of imports that no longer hold activity rows are removed. Reads never raise
because of a column file. A process keeps the last pairs it read (up to 5,000,000 rows): the next read of the same
imports checks only the files' records, not their pages (a review build read them twice, 0.4 s each on the
1,500-customer demo).

A PostgreSQL store keeps the same files, with the same checks, in a local cache folder of each app server
(:mod:`core.store.column_home`); "SQLite" above then means the PostgreSQL database, and a rebuild streams the import's
rows with COPY. Only in-memory and other stores read from SQL every time.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from core.store import column_home
from core.store.column_home import folder
from core.store.column_pairs import ActivityPairs, day_sum, pairs_table, value_sum
from core.store.dates import datetimes
from core.store.read import load_columns

_EPOCH = np.datetime64("1970-01-01", "D")
_RECORD = "retention.activity"  # the footer key of a file's own record
_LAYOUT = 2  # files of layout 1 (no record, no values) are rebuilt on first read
_STALE_TMP = 6 * 3600  # seconds after which a temporary file is a crashed writer's leftover
#: what a damaged or foreign file raises while its footer or pages are read
_UNREADABLE = (OSError, ValueError, TypeError, KeyError, pa.ArrowException)
#: the last reads of :func:`activity_pairs` kept in this process, by store and what it holds (:func:`_kept`)
_KEPT: dict[tuple, ActivityPairs] = {}
_KEPT_LOCK = threading.Lock()
_KEEP_ENTRIES = 2
_KEEP_ROWS = 5_000_000  # a bigger store is read afresh each time rather than held in memory between reads


def file_name(import_id: int | None) -> str:
    """The column file of one import (``import_none`` holds rows that carry no import id)."""
    return f"import_{'none' if import_id is None else import_id}.parquet"


class _Writer:
    """One column file being written, row group by row group, under a temporary name of its own (so two
    processes rebuilding the same file never write into each other's); ``publish`` seals and renames it."""

    def __init__(self, final: Path):
        self.final = final
        self.tmp = final.with_name(f"{final.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        self.writer: pq.ParquetWriter | None = None
        self.rows = self.days = self.values = 0

    def write(self, table: pa.Table) -> None:
        """Append ``table`` as one row group (one dictionary page for its ids)."""
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.tmp, table.schema, compression="lz4", write_page_checksum=True,
                                           dictionary_pagesize_limit=1 << 30)
        self.writer.write_table(table, row_group_size=max(1, table.num_rows))
        self.rows += table.num_rows
        self.days += day_sum(table.column("day").to_numpy())
        self.values = (self.values + value_sum(table.column("value").to_numpy())) % (1 << 64)

    def publish(self, import_id: int | None, identity: str) -> None:
        """Write the file's record into its footer and move it into place."""
        if self.writer is None:
            return
        record = {"layout": _LAYOUT, "import_id": import_id, "import": identity, "rows": self.rows,
                  "days": self.days, "values": self.values}
        self.writer.add_key_value_metadata({_RECORD: json.dumps(record)})
        self.writer.close()
        self.writer = None
        os.replace(self.tmp, self.final)

    def discard(self) -> None:
        """Drop the temporary file (rollback, or a folder that cannot be written)."""
        try:
            if self.writer is not None:
                self.writer.close()
        except _UNREADABLE:
            pass
        self.writer = None
        try:
            self.tmp.unlink(missing_ok=True)
        except OSError:  # its folder cannot be reached: nothing was written there
            pass


def _split(table: pa.Table, values: bool) -> tuple:
    """(ids, codes, days) of a table of pairs, and its values when ``values`` is set."""
    col = table.column("customer_id")
    if not pa.types.is_dictionary(col.type):  # rebuilt from SQLite: encode the ids once
        col = pa.chunked_array([col.combine_chunks().dictionary_encode()])
    days = table.column("day").to_numpy()
    extra = (table.column("value").to_numpy(),) if values else ()
    if col.num_chunks == 0:
        return (pd.Index([], dtype=object), np.array([], np.int64), days) + extra
    first = col.chunk(0).dictionary
    if not all(c.dictionary.equals(first) for c in col.chunks[1:]):  # several row groups: merge (slower)
        col = col.unify_dictionaries()
        first = col.chunk(0).dictionary
    codes = np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in col.chunks])
    return (pd.Index(first.to_numpy(zero_copy_only=False), dtype=object), codes.astype(np.int64), days) + extra


def _read(path: Path, values: bool = False) -> tuple:
    """(ids, codes, days) of one file, and its values when ``values`` is set; every page's CRC is checked."""
    table = pq.read_table(path, columns=["customer_id", "day"] + (["value"] if values else []),
                          read_dictionary=["customer_id"], page_checksum_verification=True)
    return _split(table, values)


def record(path: Path) -> dict | None:
    """The record in a column file's footer (import id, identity, rows, sums of days and of values' bits) and
    ``file_rows``, the rows the footer says the file holds; None if the file has no record (older layout).

    Raises
    ------
    OSError, ValueError, pyarrow.ArrowException
        The file is missing, truncated or not Parquet.
    """
    meta = pq.read_metadata(path)
    raw = (meta.metadata or {}).get(_RECORD.encode())
    got = json.loads(raw) if raw else None
    if isinstance(got, dict):
        got["file_rows"] = meta.num_rows
    return got if isinstance(got, dict) else None


def _trusted(path: Path, import_id: int | None, rows: int, identity: str, values: bool) -> tuple | None:
    """The file's pairs if it is exactly what SQLite holds for this import, else None (never raises)."""
    if not _recorded(path, import_id, rows, identity):
        return None
    try:
        rec = record(path)
        part = _read(path, values)
        if day_sum(part[2]) != rec["days"] or (values and value_sum(part[3]) != rec["values"]):
            return None
        return part
    except _UNREADABLE:
        return None


def _store_pairs(engine: Engine, import_id: int | None) -> pa.Table:
    """One import's activity as the store holds it, as a pairs table."""
    chunks = []
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            return column_home.pg_pairs(conn, import_id)
        cur = conn.connection.driver_connection.cursor()
        cur.execute("SELECT customer_id, date, value FROM activity WHERE import_id IS ?", (import_id,))
        while batch := cur.fetchmany(500_000):  # Arrow holds the rows far more compactly than tuples
            rows = pd.DataFrame(batch, columns=["customer_id", "date", "value"])
            chunks.append(pairs_table(rows["customer_id"], rows["date"], rows["value"]))
    return pa.concat_tables(chunks) if chunks else pairs_table([], [], [])


def _rebuild(engine: Engine, import_id: int | None, identity: str, path: Path, values: bool) -> tuple:
    """Read one import's activity from the store, write its file (best effort) and return its pairs."""
    table = _store_pairs(engine, import_id)
    writer = _Writer(path)
    try:
        if table.num_rows:  # rows gone meanwhile (an undo in another process): nothing to keep
            path.parent.mkdir(parents=True, exist_ok=True)
            writer.write(table)
            writer.publish(import_id, identity)
    except _UNREADABLE:  # read-only folder, full disk: serve from memory, try again on the next read
        writer.discard()
    return _split(table, values)


def _tidy(d: Path, keep: set[str], asked: float) -> None:
    """Remove files of imports that held no activity rows when SQLite was ``asked`` (a file published since, by
    an import that committed meanwhile, is left to the next read), and temporary files of crashed writers."""
    now = time.time()
    for f in d.glob("import_*"):
        try:
            if f.suffix == ".parquet":
                stale = f.name not in keep and f.stat().st_mtime < asked
            else:
                stale = now - f.stat().st_mtime > _STALE_TMP
            if stale:
                f.unlink(missing_ok=True)
        except OSError:
            pass


class Staging:
    """Collects the column files of one transaction; publishes them only if it commits.

    Use around ``engine.begin()``::

        with Staging(engine) as stage, engine.begin() as conn:
            ...insert activity rows for import_id...
            stage.add(import_id, frame)     # written now, as a temporary file
        # committed: sealed with the import's record and renamed into place; rolled back or crashed: deleted

    Publishing happens after the commit, so it never fails the import: a file that cannot be
    published is left out and rebuilt from SQLite on the next read.
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self.dir = folder(engine)
        self.writers: dict[int, _Writer] = {}
        self.drop_all = False
        self.drop: list[int] = []
        self.failed: set[int] = set()

    def __enter__(self) -> Staging:
        return self

    def add(self, import_id: int, frame: pd.DataFrame) -> None:
        """Stage the activity of ``frame`` (columns ``customer_id, date`` and optionally ``value``); several
        calls for one import append row groups to the same file."""
        if self.dir is None or frame.empty or import_id in self.failed:
            return
        writer = self.writers.setdefault(import_id, _Writer(self.dir / file_name(import_id)))
        value = frame["value"] if "value" in frame else np.ones(len(frame))
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            writer.write(pairs_table(frame["customer_id"], frame["date"], value))
        except OSError:  # a cache folder that cannot be written never fails the import: rebuilt on a read
            writer.discard()
            del self.writers[import_id]
            self.failed.add(import_id)

    def remove(self, import_id: int) -> None:
        """Delete an import's file once the transaction commits (undo)."""
        self.drop.append(import_id)

    def remove_all(self) -> None:
        """Delete every activity file once the transaction commits (replace mode, demo reset)."""
        self.drop_all = True

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None or self.dir is None:
            for w in self.writers.values():
                w.discard()
            return
        gone = list(self.dir.glob("import_*.parquet")) if self.drop_all else []
        for f in gone + [self.dir / file_name(i) for i in self.drop]:
            try:
                f.unlink(missing_ok=True)
            except OSError:  # left behind: the next read finds it matches nothing in SQLite and removes it
                pass
        try:
            identities = self._identities()
        except SQLAlchemyError:
            identities = None
        for i, w in self.writers.items():
            try:
                if identities is None:
                    raise OSError("the import log could not be read")
                w.publish(i, identities.get(i, "|"))
            except _UNREADABLE:
                w.discard()

    def _identities(self) -> dict[int, str]:
        """The identity of each staged import, read after the commit (the same expression a read checks)."""
        if not self.writers:
            return {}
        with self.engine.connect() as conn:
            return column_home.identities(conn, list(self.writers))


def expected(engine: Engine) -> dict[int | None, tuple[int, str]]:
    """What SQLite holds: import id -> (activity rows, identity of its import-log row), for every import that
    has activity rows. One query over the ``import_id`` index."""
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(column_home.counts_sql(conn.dialect.name)).all()
    return {i: (int(n), ident) for i, n, ident in rows if n}


def checked_files(engine: Engine) -> list[Path] | None:
    """The column file of every import holding activity, for an engine that reads them itself (DuckDB through
    :mod:`core.query`): each file's footer record is checked against the store (import, identity, rows) and a file
    that fails is rebuilt. The pages' checksums and sums are checked by :func:`activity_pairs`, not here: the
    engine reads the pages, and reading them twice would double a cold read. None for a store without a folder,
    or when a file could not be written (the caller then reads the store's rows)."""
    d = folder(engine)
    if d is None:
        return None
    asked = time.time()
    want = expected(engine)
    paths = []
    for i, (n, identity) in sorted(want.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)):
        path = d / file_name(i)
        if not _recorded(path, i, n, identity):
            _rebuild(engine, i, identity, path, False)
            if not _recorded(path, i, n, identity):
                return None
        paths.append(path)
    _tidy(d, {file_name(i) for i in want}, asked)
    return paths


def _recorded(path: Path, import_id: int | None, rows: int, identity: str) -> bool:
    """Whether the file's footer record says it is exactly this import's activity (never raises)."""
    try:
        rec = record(path)
    except _UNREADABLE:
        return False
    return (rec is not None and rec.get("layout") == _LAYOUT and rec.get("import_id") == import_id
            and rec.get("import") == identity and rec.get("rows") == rows and rec.get("file_rows") == rows)


def activity_pairs(engine: Engine, customer_ids=None, values: bool = False) -> ActivityPairs:
    """Every (customer, day) with activity, read from the column files, each checked against SQLite first.

    A file is used only when its record matches SQLite's row count and import for its import id and its
    pages and sums check out; otherwise it is rebuilt from SQLite. Files of imports without activity rows
    are removed. A damaged column file never raises.

    Parameters
    ----------
    customer_ids : iterable of str, optional
        Keep only these customers.
    values : bool
        Also read each row's ``value`` (usage amounts, for the churn features).
    """
    d = folder(engine)
    if d is None:
        rows = load_columns(engine, "activity", ["customer_id", "date"] + (["value"] if values else []))
        codes, ids = pd.factorize(rows["customer_id"].astype(object))
        days = (datetimes(rows["date"]).to_numpy(dtype="datetime64[D]") - _EPOCH).astype(np.int32)
        result = ActivityPairs(pd.Index(ids, dtype=object), codes.astype(np.int64), days,
                               value=rows["value"].to_numpy(float) if values else None)
        return result if customer_ids is None else result.subset(customer_ids)
    asked = time.time()
    want = expected(engine)
    key = (str(engine.url), str(d), values, tuple(sorted(want.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))))
    with _KEPT_LOCK:
        hit = _KEPT.get(key)
    if hit is not None and all(_recorded(d / file_name(i), i, n, identity) for i, (n, identity) in want.items()):
        _tidy(d, {file_name(i) for i in want}, asked)
    else:  # first read, or a file changed under the kept pairs: read, check and rebuild as needed
        hit = _kept(key, _read_pairs(engine, d, want, asked, values))
    return hit if customer_ids is None else hit.subset(customer_ids)


def _kept(key: tuple, pairs: ActivityPairs) -> ActivityPairs:
    """``pairs``, kept for the next read of the same store holding the same imports (``key``: the store, the
    folder, whether values were read, and every import's id, activity rows and identity, which change with every
    import, undo and demo load). That read checks each file's footer record and tidies the folder but reads no
    page: a file replaced, removed or of an old layout is read, checked and rebuilt again. Their arrays are made
    read-only: every caller shares them."""
    for a in (pairs.codes, pairs.days, pairs.value):
        if a is not None:
            a.setflags(write=False)
    if len(pairs) <= _KEEP_ROWS:
        with _KEPT_LOCK:
            _KEPT[key] = pairs
            while len(_KEPT) > _KEEP_ENTRIES:
                _KEPT.pop(next(iter(_KEPT)))
    return pairs


def _read_pairs(engine: Engine, d: Path, want: dict, asked: float, values: bool) -> ActivityPairs:
    """Every import's pairs from its column file, checked (rebuilt from the store when it fails), in one list."""
    parts = []
    for i, (n, identity) in sorted(want.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)):
        path = d / file_name(i)
        part = _trusted(path, i, n, identity, values)
        parts.append(part if part is not None else _rebuild(engine, i, identity, path, values))
    _tidy(d, {file_name(i) for i in want}, asked)
    if not parts:
        return ActivityPairs(pd.Index([], dtype=object), np.array([], np.int64), np.array([], np.int32),
                             value=np.array([], float) if values else None)
    if len(parts) == 1:
        ids, codes, days = parts[0][:3]
    else:  # one id list for all imports
        ids = pd.Index(pd.unique(np.concatenate([p[0].to_numpy() for p in parts])), dtype=object)
        codes = np.concatenate([ids.get_indexer(p[0])[p[1]] for p in parts])
        days = np.concatenate([p[2] for p in parts])
    value = np.concatenate([p[3] for p in parts]) if values else None
    return ActivityPairs(ids, codes, days, value=value)
