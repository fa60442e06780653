"""Recording a playbook run, before anyone sees its list: the run (day, seed, playbook, who ran it), every action of
its queue, and its queued actions of both arms as play contacts.

The contacts go through the import path as an interventions import named after the run: the treatment arm as the
play's contact, the holdout arm as its holdout, both dated the run's day, with the run (``run N``), trigger, owner and
due date kept as attributes (text, never read as an outcome). So the Intervention ROI page measures every triggered
play with no further input, sample-ratio check included, and the column files, the store's version, the import log
(which can undo them) and the audit trail are the import's. Recording needs the import right. A failure midway
leaves the store as it was.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd
from sqlalchemy import delete, update
from sqlalchemy.engine import Engine

from core.access import guard, rights
from core.ingest.importer import commit_import, prepare_import
from core.plays.queue import QUEUE_COLUMNS, QUEUED
from core.plays.rules import Playbook
from core.plays.summary import by_play
from core.store.engine import begin_write
from core.store.tables import PlayAction, PlayRun

#: the columns of a run's contacts file, as the interventions import reads it
CONTACT_COLUMNS = ["customer_id", "play", "channel", "date", "group", "playbook_run", "trigger", "owner", "due"]
#: the contacts file's columns mapped to the interventions fields (the rest are kept as attributes)
CONTACT_MAPPING = {"customer_id": "customer_id", "play": "play", "channel": "channel", "date": "date",
                   "group": "group", "cost": None}


def record_run(engine: Engine, book: Playbook, queue: pd.DataFrame, day, seed: int, book_version: int | None = None,
               user: str | guard.Actor | None = None) -> int:
    """Save the run of ``book`` on ``day`` with ``seed`` that made ``queue`` (:func:`core.plays.queue.run`), as
    ``user`` (None: ``RETENTION_USER``), who needs the import right; audited. Returns the run's number.

    Raises
    ------
    core.access.guard.AccessDenied
        ``user`` may not record contacts; nothing is saved.
    core.errors.StoreError
        The store could not take the rows; nothing is saved.
    """
    actor = guard.require(engine, user, rights.IMPORT)
    day = pd.Timestamp(day).date()
    counts = by_play(queue).drop(columns=["play", "owner"]).sum().astype(int).to_dict() if len(queue) else {}
    with begin_write(engine) as conn:
        run_id = conn.execute(PlayRun.__table__.insert().values(
            at=dt.datetime.now(dt.UTC), as_of=day, seed=int(seed), book_version=book_version, book=book.to_dict(),
            author=actor.name, counts=counts)).inserted_primary_key[0]
        if len(queue):
            conn.execute(PlayAction.__table__.insert(), _action_rows(run_id, queue))
    try:
        import_id = _log_contacts(engine, run_id, queue, day, actor)
    except BaseException:
        _forget(engine, run_id)
        raise
    guard.done(engine, actor, "run playbook", f"run #{run_id}",
               {"as_of": f"{day:%Y-%m-%d}", "seed": int(seed), "book_version": book_version,
                "contacts_import": import_id, **counts})
    return int(run_id)


def contacts_file(run_id: int, queue: pd.DataFrame, day: dt.date) -> bytes:
    """The queued actions of run ``run_id`` as an interventions file (CSV, :data:`CONTACT_COLUMNS`)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CONTACT_COLUMNS)
    for r in queue[queue["status"] == QUEUED].itertuples(index=False):
        w.writerow([r.customer_id, r.play, r.channel, f"{day:%Y-%m-%d}", r.arm, f"run {run_id}", r.trigger, r.owner,
                    f"{pd.Timestamp(r.due):%Y-%m-%d}"])
    return out.getvalue().encode("utf-8")


def _log_contacts(engine: Engine, run_id: int, queue: pd.DataFrame, day: dt.date, actor) -> int | None:
    """Import the run's queued actions as contacts; the import's id (None when the run queued nothing)."""
    if not (queue["status"] == QUEUED).any():
        return None
    plan = prepare_import(engine, contacts_file(run_id, queue, day), f"playbook run {run_id} ({day:%Y-%m-%d}).csv",
                          "interventions", mapping=CONTACT_MAPPING)
    import_id = commit_import(engine, plan, strict=True, user=actor).import_id
    with begin_write(engine) as conn:
        conn.execute(update(PlayRun.__table__).where(PlayRun.__table__.c.id == run_id).values(import_id=import_id))
    return import_id


def _action_rows(run_id: int, queue: pd.DataFrame) -> list[dict]:
    q = queue[QUEUE_COLUMNS].astype(object).where(queue[QUEUE_COLUMNS].notna(), None)
    rows = []
    for r in q.to_dict("records"):
        rows.append({**r, "run_id": run_id, "customer_id": str(r["customer_id"]), "due": pd.Timestamp(r["due"]).date(),
                     "priority": int(r["priority"]),
                     **{k: None if r[k] is None else str(r[k]) for k in ("segment", "tier")}})
    return rows


def _forget(engine: Engine, run_id: int) -> None:
    """Remove a run whose contacts could not be logged, so the store is as it was."""
    with begin_write(engine) as conn:
        conn.execute(delete(PlayAction.__table__).where(PlayAction.__table__.c.run_id == run_id))
        conn.execute(delete(PlayRun.__table__).where(PlayRun.__table__.c.id == run_id))
