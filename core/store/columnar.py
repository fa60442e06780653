"""A columnar copy of who was active on which day, kept beside the SQLite store at import time.

Cohort tables over millions of activity rows need only (customer, day) pairs. Reading those
from SQLite takes ~15 s for 10M rows; from Parquet, integer-coded, well under a second. So
every import that loads activity also writes ``<store>.columns/activity/import_<id>.parquet``
(customer id, day as int32 since 1970-01-01; one dictionary of ids per file, read back as integer
codes without touching Python strings).

The files are a cache, never the truth: a file is staged during the import's transaction and
published only after the commit (a rollback deletes it), and every read compares the files
with the imports that hold activity rows in the store, rebuilding a missing file from SQLite
and ignoring a stray one. Stores that are not SQLite files simply read from SQL.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.engine import Engine

from core.store.read import load_columns
from core.store.tables import Activity

_EPOCH = np.datetime64("1970-01-01", "D")


def folder(engine: Engine) -> Path | None:
    """``<store file>.columns/activity`` for a file-backed SQLite store, else None."""
    if engine.dialect.name != "sqlite" or not engine.url.database or engine.url.database == ":memory:":
        return None
    return Path(engine.url.database + ".columns") / "activity"


def _pairs_table(customer_id, date, value) -> pa.Table:
    """(customer_id, day, value) rows as Arrow: text ids, int32 days since 1970-01-01, float64 values."""
    days = (pd.to_datetime(pd.Series(date)).to_numpy(dtype="datetime64[D]") - _EPOCH).astype(np.int32)
    return pa.table({"customer_id": pa.array(pd.Series(customer_id, dtype=object).to_numpy(), pa.string()),
                     "day": pa.array(days, pa.int32()),
                     "value": pa.array(pd.to_numeric(pd.Series(value), errors="coerce").to_numpy(float),
                                       pa.float64())})


def _write(path: Path, customer_id, date, value) -> Path:
    """Write to a temporary file beside ``path`` and return it. One row group and one dictionary
    page, so reading back yields a single dictionary for the ids (no merging of dictionaries)."""
    table = _pairs_table(customer_id, date, value)
    tmp = path.with_suffix(".parquet.tmp")
    pq.write_table(table, tmp, compression="lz4", row_group_size=max(1, table.num_rows),
                   dictionary_pagesize_limit=1 << 30)
    return tmp


def _read(path: Path, values: bool = False) -> tuple:
    """(ids, codes, days) of one file, and its values when ``values`` is set."""
    table = pq.read_table(path, columns=["customer_id", "day"] + (["value"] if values else []),
                          read_dictionary=["customer_id"])
    col = table.column("customer_id")
    days = table.column("day").to_numpy()
    extra = (table.column("value").to_numpy(),) if values else ()
    if col.num_chunks == 0:
        return (pd.Index([], dtype=object), np.array([], np.int64), days) + extra
    first = col.chunk(0).dictionary
    if all(c.dictionary.equals(first) for c in col.chunks[1:]):
        codes = np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in col.chunks])
    else:  # a file written elsewhere with several dictionaries: merge them (slower)
        col = col.unify_dictionaries()
        first = col.chunk(0).dictionary
        codes = np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in col.chunks])
    return (pd.Index(first.to_numpy(zero_copy_only=False), dtype=object), codes.astype(np.int64), days) + extra


class Staging:
    """Collects the column files of one transaction; publishes them only if it commits.

    Use around ``engine.begin()``::

        with Staging(engine) as stage, engine.begin() as conn:
            ...insert activity rows for import_id...
            stage.add(import_id, frame)     # written now, as a temporary file
        # committed: renamed into place; rolled back or crashed: deleted
    """

    def __init__(self, engine: Engine):
        self.dir = folder(engine)
        self.staged: list[tuple[Path, Path]] = []
        self.drop_all = False
        self.drop: list[int] = []

    def __enter__(self) -> Staging:
        return self

    def add(self, import_id: int, frame: pd.DataFrame) -> None:
        """Stage the activity of ``frame`` (columns ``customer_id, date, value``)."""
        if self.dir is None or frame.empty:
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        final = self.dir / f"import_{import_id}.parquet"
        value = frame["value"] if "value" in frame else np.ones(len(frame))
        self.staged.append((_write(final, frame["customer_id"], frame["date"], value), final))

    def remove(self, import_id: int) -> None:
        """Delete an import's file once the transaction commits (undo)."""
        self.drop.append(import_id)

    def remove_all(self) -> None:
        """Delete every activity file once the transaction commits (replace mode, demo reset)."""
        self.drop_all = True

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            for tmp, _ in self.staged:
                tmp.unlink(missing_ok=True)
            return
        if self.dir is None:
            return
        if self.drop_all and self.dir.exists():
            for f in self.dir.glob("import_*.parquet"):
                f.unlink(missing_ok=True)
        for i in self.drop:
            (self.dir / f"import_{i}.parquet").unlink(missing_ok=True)
        for tmp, final in self.staged:
            os.replace(tmp, final)


@dataclass
class ActivityPairs:
    """(customer, day) activity pairs (repeats possible): ``codes`` index ``ids``; ``days`` from 1970-01-01;
    ``value`` the row's amount when read with ``values=True``."""

    ids: pd.Index
    codes: np.ndarray
    days: np.ndarray
    value: np.ndarray | None = None
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    def rows_in(self, customer_ids: np.ndarray) -> np.ndarray:
        """For every pair, the position of its customer in ``customer_ids`` (-1 if absent).

        The string join costs ~0.3 s per million customers, so the last result is kept and reused
        when the same customer list comes again (checked element by element, ~20 ms).
        """
        values = np.asarray(customer_ids, dtype=object)
        hit = self._memo.get("rows")
        if hit is not None and len(hit[0]) == len(values) and (hit[0] is values or (hit[0] == values).all()):
            return hit[1]
        per_id = pd.Index(values).get_indexer(self.ids)
        rows = per_id[self.codes] if len(self.codes) else np.array([], np.int64)
        self._memo["rows"] = (values, rows)
        return rows

    def dates(self) -> np.ndarray:
        return _EPOCH + self.days.astype("timedelta64[D]")

    def subset(self, customer_ids) -> ActivityPairs:
        """Only the pairs of ``customer_ids``."""
        keep = np.isin(self.codes, self.ids.get_indexer(pd.Index(list(customer_ids))))
        return ActivityPairs(self.ids, self.codes[keep], self.days[keep],
                             value=None if self.value is None else self.value[keep])

    def __len__(self) -> int:
        return len(self.codes)


def activity_pairs(engine: Engine, customer_ids=None, values: bool = False) -> ActivityPairs:
    """Every (customer, day) with activity, read from the column files (rebuilt where missing).

    Parameters
    ----------
    customer_ids : iterable of str, optional
        Keep only these customers.
    values : bool
        Also read each row's ``value`` (usage amounts, for the churn features).
    """
    d = folder(engine)
    with engine.connect() as conn:
        wanted = sorted(conn.execute(select(Activity.import_id).distinct()).scalars().all())
    if d is None:
        rows = load_columns(engine, "activity", ["customer_id", "date"] + (["value"] if values else []))
        codes, ids = pd.factorize(rows["customer_id"].astype(object))
        days = (pd.to_datetime(rows["date"]).to_numpy(dtype="datetime64[D]") - _EPOCH).astype(np.int32)
        result = ActivityPairs(pd.Index(ids, dtype=object), codes.astype(np.int64), days,
                               value=rows["value"].to_numpy(float) if values else None)
        return result if customer_ids is None else result.subset(customer_ids)
    parts = []
    for i in wanted:
        f = d / f"import_{i}.parquet"
        if not _current(f):
            _rebuild(engine, i, f)
        parts.append(_read(f, values))
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
    result = ActivityPairs(ids, codes, days, value=value)
    return result if customer_ids is None else result.subset(customer_ids)


def _rebuild(engine: Engine, import_id: int, path: Path) -> None:
    with engine.connect() as conn:
        cur = conn.connection.driver_connection.cursor()
        cur.execute("SELECT customer_id, date, value FROM activity WHERE import_id = ?", (import_id,))
        rows = pd.DataFrame(cur.fetchall(), columns=["customer_id", "date", "value"])
    path.parent.mkdir(parents=True, exist_ok=True)
    os.replace(_write(path, rows["customer_id"], rows["date"], rows["value"]), path)


def _current(path: Path) -> bool:
    """The file exists and has the present layout (files written before values were kept lack them)."""
    return path.exists() and "value" in pq.read_schema(path).names
