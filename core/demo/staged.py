"""The demo in two steps, for the app's first start: what the Overview needs first, the rest after.

Step one (:func:`load_first`) replaces every data table with the demo's customers and revenue, in one transaction,
and commits: the Overview's figures come from these two tables alone, so it can draw within seconds. Its import-log
row carries a loading mark (:func:`core.store.version.data_loading`) that tells every reader the store is not
whole yet: the figures that need usage, tickets or feedback say the demo is still loading instead of showing
figures from a part of the data. Step two (:func:`load_rest`, run in the background) loads activity, tickets,
feedback and interventions in a second transaction that also clears the mark and gives the store a new version.

Once both steps are done the store holds exactly what :func:`core.demo.load.load_demo` loads. If step two fails,
step one is taken back (its rows and its import-log row), so the store is as it was before the first start. If the
process stops during step two, the store keeps step one and its mark; :func:`resume` loads the rest again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select

from core.demo.load import DATA_TABLES, _finished, _insert, _replace_all, demo_label, for_store, generate
from core.demo.synthetic import first_draws
from core.ingest.bulk import Progress
from core.store import columnar, version
from core.store.tables import TABLES, ImportLog

#: the tables of step one: all the Overview reads (its MRR in red waits for the rest)
FIRST = ("customer", "revenue")


@dataclass
class Pending:
    """What step two still has to load: the demo of ``n_customers`` and ``seed`` (generated again by step two) into
    import ``import_id``, whose ``first`` rows (customers and revenue) are in."""

    import_id: int
    n_customers: int
    seed: int
    first: int


def first_frames(n_customers: int = 5000, seed: int = 0, months: int = 36,
                 end: dt.date = dt.date(2026, 10, 31)) -> dict:
    """The demo's customers and revenue, exactly as :func:`core.demo.synthetic.make_demo` makes them, without the
    usage, tickets and feedback it draws after them (the same steps in the same order on the same stream, up to
    the customers; revenue has its own stream)."""
    first = first_draws(n_customers, months, seed, end)
    return {"customer": first.customers, "revenue": first.revenue()}


def load_first(engine, n_customers: int = 5000, seed: int = 0, progress: Progress | None = None) -> Pending:
    """Step one: replace every data table with the demo's customers and revenue (:func:`first_frames`), in one
    transaction whose import-log row carries the loading mark.

    Returns
    -------
    Pending
        The rest, for :func:`load_rest`.
    """
    if progress:
        progress(0.0, f"Generating the demo's customers and revenue ({n_customers:,} customers, seed {seed})")
    first = {name: for_store(df) for name, df in first_frames(n_customers, seed).items()}
    label = demo_label(n_customers, seed)
    counts = {name: len(df) for name, df in first.items()}
    marked = {**label["mapping"], version.LOADING: True}
    with columnar.Staging(engine) as stage, engine.begin() as conn:
        stage.remove_all()
        import_id = _replace_all(conn, label["file_name"], label["kind"], label["sha"], marked, counts)
        done = _insert(conn, stage, first, import_id, None, 0, sum(counts.values()))
        version.bump(conn)
    return Pending(import_id, n_customers, seed, done)


def load_rest(engine, pending: Pending, progress: Progress | None = None) -> None:
    """Step two: generate the demo and load its other tables into step one's import, complete its import-log row
    (the counts of every table, no loading mark) and bump the store's version, in one transaction. On an error step
    one is taken back too (the store is as it was before), and the error raised."""
    try:
        demo, label = generate(pending.n_customers, pending.seed)
        frames = demo.frames()
        counts = {name: len(df) for name, df in frames.items()}
        total = sum(counts.values())
        rest = {name: for_store(df) for name, df in frames.items() if name not in FIRST}
        with columnar.Staging(engine) as stage, engine.begin() as conn:
            for name in rest:
                conn.execute(delete(TABLES[name].__table__))  # rows of an earlier try that did not commit are gone
            _insert(conn, stage, rest, pending.import_id, progress, pending.first, total)
            conn.execute(ImportLog.__table__.update().where(ImportLog.__table__.c.id == pending.import_id)
                         .values(rows_read=total, rows_loaded=total, tables=counts))
            _finished(conn, pending.import_id, label["mapping"])
    except BaseException:
        take_back(engine, pending.import_id)
        raise
    if progress:
        progress(1.0, f"Demo loaded: {total:,} rows")


def take_back(engine, import_id: int) -> None:
    """Remove step one: every row of ``import_id`` and its import-log row; the store gets a new version."""
    with engine.begin() as conn:
        for name in reversed(DATA_TABLES):
            sa_table = TABLES[name].__table__
            conn.execute(delete(sa_table).where(sa_table.c.import_id == import_id))
        conn.execute(delete(ImportLog.__table__).where(ImportLog.__table__.c.id == import_id))
        version.bump(conn)


def resume(engine) -> Pending | None:
    """The rest of a step one whose step two never committed (the app stopped meanwhile), from its import-log row;
    None when no load is waiting for its rest."""
    log = ImportLog.__table__
    with engine.connect() as conn:
        row = conn.execute(select(log.c.id, log.c.mapping, log.c.tables).where(log.c.undone_at.is_(None))
                           .order_by(log.c.id.desc()).limit(1)).first()
    if row is None or not (row.mapping or {}).get(version.LOADING):
        return None
    first = sum(int((row.tables or {}).get(name, 0)) for name in FIRST)
    return Pending(int(row.id), int(row.mapping["n_customers"]), int(row.mapping["seed"]), first)
