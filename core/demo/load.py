"""Load the synthetic demo business (:mod:`core.demo.synthetic`) into the store, replacing its data."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Iterable

import pandas as pd
from sqlalchemy import delete
from sqlalchemy.engine import Engine

from core.demo.synthetic import make_demo
from core.ingest import fields as F
from core.ingest.bulk import Progress, big_load, bulk_insert
from core.store import columnar, table_files, version
from core.store.tables import TABLES, ImportLog

DATA_TABLES = ("customer", "revenue", "activity", "ticket", "feedback", "intervention", "incident")
_DATE_COLS = ("signup_date", "churn_date", "renewal_date", "period", "date", "followed_up", "closed")
_DATETIME_COLS = ("opened", "first_response", "resolved", "start", "end")


def for_store(df: pd.DataFrame) -> pd.DataFrame:
    """Dates as ISO strings and attributes as JSON text (what :func:`~core.ingest.bulk.bulk_insert` writes on
    SQLite and parses elsewhere)."""
    out = df.copy()
    for c in out.columns:
        if c in _DATE_COLS:
            out[c] = F.iso_dates(out[c])
        elif c in _DATETIME_COLS:
            out[c] = F.iso_datetimes(out[c])
        elif c == "attributes":  # JSON text, as an import stores it
            out[c] = [json.dumps(a) if isinstance(a, dict) else None for a in out[c]]
    return out


_for_store = for_store  # its name before the two-step first start (core.demo.staged) used it too


def load_frames(engine: Engine, frames: dict[str, pd.DataFrame], *, file_name: str, kind: str, sha: str,
                mapping: dict, progress: Progress | None = None) -> int:
    """Replace every data table with ready-typed ``frames`` in one transaction (demo, benchmarks).

    ``frames`` maps table names to frames with the store's columns (dates as ISO text, see
    :func:`for_store`); tables not given are emptied too. One import-log row records the load.

    Returns
    -------
    int
        The import id.
    """
    counts = {name: len(df) for name, df in frames.items()}
    total = sum(counts.values())
    with columnar.Staging(engine) as stage, engine.begin() as conn:
        stage.remove_all()
        import_id = _replace_all(conn, file_name, kind, sha, mapping, counts)
        _insert(conn, stage, frames, import_id, progress, 0, total)
        _finished(conn, import_id, mapping)
    table_files.write_after_load(engine, counts)
    return import_id


def load_frames_streamed(engine: Engine, frames: dict[str, pd.DataFrame], table: str, chunks: Iterable[pd.DataFrame],
                         n_rows: int, *, file_name: str, kind: str, sha: str, mapping: dict,
                         progress: Progress | None = None) -> int:
    """:func:`load_frames` with ``table``'s rows given as ``chunks`` (``n_rows`` in all), each chunk inserted and
    (for activity) staged as its column file's next row group before the next is made: a load larger than memory
    (the benchmarks' 100,000,000 activity rows), in one transaction all the same.

    Returns
    -------
    int
        The import id.
    """
    counts = {**{name: len(df) for name, df in frames.items()}, table: n_rows}
    total = sum(counts.values())
    with columnar.Staging(engine) as stage, engine.begin() as conn:
        stage.remove_all()
        import_id = _replace_all(conn, file_name, kind, sha, mapping, counts)
        done = _insert(conn, stage, frames, import_id, progress, 0, total)
        with big_load(conn, {table: n_rows}):
            for chunk in chunks:
                done = bulk_insert(conn, table, chunk, import_id, progress, done, total)
                if table == "activity":
                    stage.add(import_id, chunk)
        _finished(conn, import_id, mapping)
    table_files.write_after_load(engine, counts)
    return import_id


def _replace_all(conn, file_name: str, kind: str, sha: str, mapping: dict, counts: dict[str, int]) -> int:
    """Empty every data table and write the load's import-log row; its id."""
    total = sum(counts.values())
    started = dt.datetime.now(dt.UTC)
    for name in reversed(DATA_TABLES):
        conn.execute(delete(TABLES[name].__table__))
    log = conn.execute(ImportLog.__table__.insert().values(
        file_name=file_name, sha256=sha, kind=kind, mode="replace", strict=True, rows_read=total,
        rows_loaded=total, rows_rejected=0, mapping=mapping, tables=counts, started_at=started,
        finished_at=started))
    return log.inserted_primary_key[0]


def _insert(conn, stage: columnar.Staging, frames: dict[str, pd.DataFrame], import_id: int,
            progress: Progress | None, done: int, total: int) -> int:
    """Bulk-insert ``frames`` in load order (activity also staged as its column file); rows done so far."""
    for name in DATA_TABLES:
        if name not in frames:
            continue
        done = bulk_insert(conn, name, frames[name], import_id, progress, done, total)
        if name == "activity":
            stage.add(import_id, frames[name])
    return done


def _finished(conn, import_id: int, mapping: dict) -> None:
    """Close the load's import-log row (its mapping as given: no loading mark) and give the store a new version,
    with the rows: no page keeps showing the data this load replaced."""
    conn.execute(ImportLog.__table__.update().where(ImportLog.__table__.c.id == import_id)
                 .values(finished_at=dt.datetime.now(dt.UTC), mapping=mapping))
    version.bump(conn)


def load_demo(engine: Engine, n_customers: int = 5000, seed: int = 0,
              progress: Progress | None = None, incidents: bool = False, slow_tickets: bool = False) -> dict:
    """Generate the demo business and load it in one transaction, replacing every data table.

    Customer, revenue, activity, ticket, feedback and intervention rows are all deleted first (the
    import log is kept and gains one ``kind='demo'`` row); a failure leaves the store as it was.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
        The store.
    n_customers : int
        Customers to simulate (at least 50).
    seed : int
        Seed; the same seed loads the same rows.
    progress : callable, optional
        Called as ``progress(fraction, message)`` while loading.
    incidents : bool
        With the demo's incidents and the known effect of its outage (:mod:`core.demo.outages`).
    slow_tickets : bool
        With the known effect of slow tickets on churn (:mod:`core.demo.slow_tickets`).

    Returns
    -------
    dict
        ``import_id``, ``counts`` (table -> rows loaded), ``seconds`` (generate + load) and
        ``truth`` (see :func:`core.demo.synthetic.make_demo`).

    Raises
    ------
    DataValidationError
        ``n_customers`` below 50.

    Examples
    --------
    >>> import core
    >>> out = load_demo(core.make_engine("sqlite://"), n_customers=100, seed=1)
    >>> out["counts"]["customer"]
    100
    """
    t0 = time.perf_counter()
    demo, label = generate(n_customers, seed, progress, incidents, slow_tickets)
    frames = {name: for_store(df) for name, df in demo.frames().items()}
    counts = {name: len(df) for name, df in frames.items()}
    total = sum(counts.values())
    import_id = load_frames(engine, frames, progress=progress, **label)
    if progress:
        progress(1.0, f"Demo loaded: {total:,} rows")
    return {"import_id": import_id, "counts": counts, "seconds": time.perf_counter() - t0, "truth": demo.truth}


def generate(n_customers: int, seed: int, progress: Progress | None = None, incidents: bool = False,
             slow_tickets: bool = False) -> tuple:
    """``(demo, label)``: the demo business (:func:`~core.demo.synthetic.make_demo`) and the keywords naming its
    load (``file_name, kind, sha, mapping``)."""
    if progress:
        progress(0.0, f"Generating the demo business ({n_customers:,} customers, seed {seed})")
    return (make_demo(n_customers=n_customers, seed=seed, incidents=incidents, slow_tickets=slow_tickets),
            demo_label(n_customers, seed, incidents, slow_tickets))


def demo_label(n_customers: int, seed: int, incidents: bool = False, slow_tickets: bool = False) -> dict:
    """The keywords naming a demo load: ``file_name, kind, sha, mapping`` (the known effects named only when made, so
    a demo without them is named as it always was)."""
    extras = [name for name, made in (("incidents", incidents), ("slow_tickets", slow_tickets)) if made]
    with_them = "".join(f", with {name.replace('_', ' ')}" for name in extras)
    mapping = {"generator": "core.demo.synthetic.make_demo", "seed": seed, "n_customers": n_customers}
    return {"file_name": f"demo (seed {seed}, {n_customers} customers{with_them})", "kind": "demo",
            "sha": hashlib.sha256(f"demo:{seed}:{n_customers}{''.join(':' + e for e in extras)}".encode()).hexdigest(),
            "mapping": mapping | {name: True for name in extras}}
