"""Erasing a customer: every row that names them, their activity in the column files, and their id, name and
verbatims in saved review snapshots (redacted, the snapshots' figures kept), in one audited transaction.

A PostgreSQL store's column files are a cache of each app server (:mod:`core.store.column_home`): this server's
are rebuilt and checked here; another server's no longer match the database's row counts for the imports the
customer was in, so its next read rebuilds them from the database (the customer gone).

The tables are found from the schema (:func:`customer_tables`: every table with a ``customer_id`` column), so a
table added later is erased too. The store keeps no copy of an uploaded file (the import log holds its name,
sha256, column mapping and row counts only), so nothing else can bring the customer back: an export reads the
tables. The audit entry names the customer only by the SHA-256 of the id (an admin can check whether an id was
erased by hashing it; the trail itself does not say who), and the reason with the id and name taken out.

On a SQLite store the deleted rows are overwritten in the file (``secure_delete``) and the write-ahead log is
checkpointed afterwards (best effort: a reader holding an old snapshot open delays it until the next checkpoint).
"""

from __future__ import annotations

import hashlib

import pyarrow.parquet as pq
from sqlalchemy import delete, func, select, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from core.access import guard, redaction, rights
from core.errors import DataValidationError
from core.store import columnar, table_files, version
from core.store.engine import begin_write
from core.store.tables import Activity, Customer, Feedback, Ticket

#: the action the audit trail records
ACTION = "erase customer"
#: the tables (and the other counts of :func:`erase`) in plain words, for the CLI and the admin page
WORDS = {"customer": "customer record", "revenue": "revenue rows", "activity": "activity rows",
         "ticket": "support tickets", "feedback": "feedback verbatims", "intervention": "play contacts",
         "incident": "incidents that name the customer",
         "churnscore": "churn scores", "playaction": "playbook actions",
         "playresult": "playbook results",
         "snapshots redacted": "review snapshots redacted",
         "column files rebuilt": "activity column files rebuilt"}


def label(name: str) -> str:
    """A table (or count) of :func:`erase`'s result in plain words (a table added later: its name)."""
    return WORDS.get(name, name)


def customer_tables() -> list:
    """Every table of the schema with a ``customer_id`` column, the ``customer`` table last."""
    found = [t for t in SQLModel.metadata.sorted_tables if "customer_id" in t.c]
    return sorted(found, key=lambda t: t.name == Customer.__tablename__)


def hashed(customer_id: str) -> str:
    """The SHA-256 (hex) of an id, as the audit trail names an erased customer."""
    return hashlib.sha256(str(customer_id).encode("utf-8")).hexdigest()


def preview(engine: Engine, customer_id: str) -> dict[str, int]:
    """The rows :func:`erase` would remove, per table (zeros included); reading needs no right."""
    with engine.connect() as conn:
        return _counts(conn, str(customer_id).strip())


def _counts(conn: Connection, cid: str) -> dict[str, int]:
    return {t.name: int(conn.execute(select(func.count()).select_from(t).where(t.c.customer_id == cid)).scalar_one())
            for t in customer_tables()}


def _personal(conn: Connection, cid: str) -> list[str]:
    """The id, the name and the verbatims of the customer: what a snapshot must no longer hold."""
    c, f, t = Customer.__table__, Feedback.__table__, Ticket.__table__
    found = [cid, conn.execute(select(c.c.name).where(c.c.customer_id == cid)).scalar()]
    for table in (f, t):
        found += conn.execute(select(table.c.text).where(table.c.customer_id == cid)).scalars().all()
    return [v for v in found if v and str(v).strip() and str(v) != redaction.MARKER]


def _secure(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA secure_delete = ON")


def erase(engine: Engine, customer_id: str, reason: str, user: str | guard.Actor | None = None) -> dict[str, int]:
    """Erase ``customer_id`` everywhere, as ``user``, who needs the erase right (an admin's); audited.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
    customer_id : str
        The id as the store holds it.
    reason : str
        Why (a request under data-protection law, a contract ending ...); required, kept in the audit trail.
    user : str or core.access.guard.Actor, optional
        Who erases (None: ``RETENTION_USER``; a store without accounts: the local admin).

    Returns
    -------
    dict
        Rows removed per table (every table with a customer id; zeros included), then ``snapshots redacted``
        and ``column files rebuilt``.

    Raises
    ------
    core.access.guard.AccessDenied
        ``user`` may not erase; checked first, nothing changes.
    DataValidationError
        No reason, or no table holds the id; nothing changes.
    """
    actor = guard.require(engine, user, rights.ERASE)
    cid, why = str(customer_id or "").strip(), " ".join(str(reason or "").split())
    if not why:
        raise DataValidationError("Say why the customer is erased (--reason): the audit trail keeps it.")
    if not cid:
        raise DataValidationError("Give the id of the customer to erase.")
    if not any(preview(engine, cid).values()):  # before anything is installed or locked
        raise DataValidationError(f"There is no customer {cid} in this store: nothing was erased.")
    redaction.install(engine)
    a = Activity.__table__
    with columnar.Staging(engine) as stage, begin_write(engine) as conn:
        _secure(conn)
        removed = _counts(conn, cid)
        if not any(removed.values()):
            raise DataValidationError(f"There is no customer {cid} in this store: nothing was erased.")
        personal = _personal(conn, cid)
        for i in conn.execute(select(a.c.import_id).where(a.c.customer_id == cid).distinct()).scalars().all():
            stage.remove(i)  # the column file of each import the customer was in goes at the commit
        for t in customer_tables():
            conn.execute(delete(t).where(t.c.customer_id == cid))
        snapshots = redaction.redact(conn, personal)
        version.bump(conn)
    files = _column_files(engine, cid)
    table_files.forget(engine)  # the other tables' files: written again from the store on their next read
    _checkpoint(engine)
    guard.done(engine, actor, ACTION, f"customer sha256:{hashed(cid)[:16]}",
               {"customer_sha256": hashed(cid), "reason": _without(why, personal), "removed": removed,
                "snapshots_redacted": snapshots, "column_files_rebuilt": files})
    return {**removed, "snapshots redacted": len(snapshots), "column files rebuilt": files}


def _without(reason: str, personal: list[str]) -> str:
    """``reason`` with the customer's id and name (and any verbatim) replaced by the marker."""
    return str(redaction.scrub(reason, personal)[0])


def _column_files(engine: Engine, cid: str) -> int:
    """Rebuild the activity column files from the store (the files of the imports the customer was in were
    dropped at the commit), then drop any file that still holds the id; returns the files dropped and rebuilt."""
    d = columnar.folder(engine)
    if d is None or not d.exists():
        return 0
    before = {p.name for p in d.glob("import_*.parquet")}
    columnar.activity_pairs(engine)
    dropped = 0
    for p in d.glob("import_*.parquet"):
        if _holds(p, cid):
            p.unlink(missing_ok=True)
            dropped += 1
    return dropped + len({p.name for p in d.glob("import_*.parquet")} - before)


def _holds(path, cid: str) -> bool:
    """Whether a column file holds ``cid`` (an unreadable file counts as holding it: it is dropped)."""
    try:
        ids = pq.read_table(path, columns=["customer_id"]).column("customer_id")
        return cid in set(ids.to_pylist())
    except (OSError, ValueError, KeyError):
        return True


def _checkpoint(engine: Engine) -> None:
    """SQLite: move the write-ahead log (which still holds the pages as they were) into the store file."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
