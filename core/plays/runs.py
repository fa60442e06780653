"""The playbook runs saved in the store (:mod:`core.plays.record`): the list of runs, one run's actions, the
actions still open, which a later run does not queue again, and every play contact (the guards' history)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from core.plays.queue import QUEUE_COLUMNS, QUEUED, TREATMENT
from core.store.dates import datetimes
from core.store.read import load_table
from core.store.tables import ImportLog, PlayAction, PlayRun

#: the columns of :func:`runs`
RUN_COLUMNS = ["run", "at", "as_of", "seed", "book_version", "author", "import_id", "contacts_undone", "queued",
               "reached", "held_out", "held_back", "merged"]


def runs(engine: Engine) -> pd.DataFrame:
    """Every saved run, newest first: :data:`RUN_COLUMNS` (``contacts_undone``: its contacts' import was undone)."""
    r, log = PlayRun.__table__, ImportLog.__table__
    q = (select(r.c.id, r.c.at, r.c.as_of, r.c.seed, r.c.book_version, r.c.author, r.c.import_id, r.c.counts,
                log.c.undone_at).select_from(r.outerjoin(log, log.c.id == r.c.import_id)).order_by(r.c.id.desc()))
    with engine.connect() as conn:
        rows = conn.execute(q).fetchall()
    out = []
    for row in rows:
        counts = row.counts or {}
        out.append([row.id, row.at, pd.Timestamp(row.as_of), row.seed, row.book_version, row.author, row.import_id,
                    row.undone_at is not None, *(int(counts.get(k, 0)) for k in RUN_COLUMNS[-5:])])
    return pd.DataFrame(out, columns=RUN_COLUMNS)


def run_actions(engine: Engine, run_id: int) -> pd.DataFrame:
    """The queue run ``run_id`` made, as :func:`core.plays.queue.run` returned it (:data:`QUEUE_COLUMNS`)."""
    a = PlayAction.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(*(a.c[c] for c in QUEUE_COLUMNS)).where(a.c.run_id == int(run_id))
                            .order_by(a.c.id)).fetchall()
    out = pd.DataFrame(rows, columns=QUEUE_COLUMNS)
    out["due"] = pd.to_datetime(out["due"])
    return out


def open_actions(engine: Engine, day: dt.date) -> pd.DataFrame:
    """The actions to reach from earlier runs not yet due on ``day``: ``customer_id, play, trigger, due`` (a run
    whose contacts were undone left none open)."""
    a, r, log = PlayAction.__table__, PlayRun.__table__, ImportLog.__table__
    q = (select(a.c.customer_id, a.c.play, a.c.trigger, a.c.due)
         .select_from(a.join(r, r.c.id == a.c.run_id).outerjoin(log, log.c.id == r.c.import_id))
         .where(a.c.status == QUEUED, a.c.arm == TREATMENT, a.c.due >= pd.Timestamp(day).date(),
                log.c.undone_at.is_(None)))
    with engine.connect() as conn:
        rows = conn.execute(q).fetchall()
    out = pd.DataFrame(rows, columns=["customer_id", "play", "trigger", "due"])
    return out.assign(due=pd.to_datetime(out["due"]))


def contacts(engine: Engine) -> pd.DataFrame:
    """Every play contact in the store (its interventions, a run's included): ``customer_id, play, date, arm``
    (``holdout`` for one held out), the history the guards and the calendar read."""
    rows = load_table(engine, "intervention")
    if not len(rows):
        return pd.DataFrame({"customer_id": pd.Series(dtype=str), "play": pd.Series(dtype=str),
                             "date": pd.Series(dtype="datetime64[ns]"), "arm": pd.Series(dtype=str)})
    return pd.DataFrame({"customer_id": rows["customer_id"].astype(str), "play": rows["play"].astype(str),
                         "date": datetimes(rows["date"]).dt.normalize(), "arm": rows["group"].astype(str)})
