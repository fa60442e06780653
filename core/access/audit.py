"""The audit trail: who did what and when. Every action :func:`core.access.guard.require` lets through writes one
entry (:func:`record`); entries are never changed or deleted (triggers refuse an UPDATE or a DELETE)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from core.export.csv import write_csv
from core.store.tables import AuditEntry

#: the columns of :func:`entries`, as stored
AUDIT_COLUMNS = ["id", "at", "user", "role", "action", "target", "detail"]

_T = AuditEntry.__table__
_MESSAGE = "the audit trail is append-only"
#: PostgreSQL: one function refusing the change, called by a trigger per statement kind
_PG_FUNCTION = (f"CREATE OR REPLACE FUNCTION auditentry_refuse() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN RAISE EXCEPTION '{_MESSAGE}'; END $$")


def guard(engine: Engine) -> None:
    """Triggers that refuse an UPDATE or a DELETE of an audit entry (SQLite; PostgreSQL also a TRUNCATE)."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            for what in ("UPDATE", "DELETE"):
                conn.execute(text(f"CREATE TRIGGER IF NOT EXISTS auditentry_no_{what.lower()} BEFORE {what} ON "
                                  f"auditentry BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"))
        elif engine.dialect.name == "postgresql":
            conn.execute(text(_PG_FUNCTION))
            for what in ("UPDATE", "DELETE", "TRUNCATE"):  # per statement: TRUNCATE has no rows
                conn.execute(text(f"CREATE OR REPLACE TRIGGER auditentry_no_{what.lower()} BEFORE {what} ON "
                                  "auditentry FOR EACH STATEMENT EXECUTE FUNCTION auditentry_refuse()"))


def record(engine: Engine, user: str, role: str, action: str, target: str = "", detail: dict | None = None) -> int:
    """Append one entry; returns its id. ``detail`` is JSON-safe (values that are not become text)."""
    guard(engine)
    safe = json.loads(json.dumps(detail or {}, default=str))
    with engine.begin() as conn:
        res = conn.execute(_T.insert().values(at=dt.datetime.now(dt.UTC), user=str(user), role=str(role),
                                              action=str(action), target=str(target), detail=safe))
    return int(res.inserted_primary_key[0])


def entries(engine: Engine, limit: int | None = None) -> pd.DataFrame:
    """The trail, newest first: :data:`AUDIT_COLUMNS` (``detail`` as a dict)."""
    q = select(*[_T.c[c] for c in AUDIT_COLUMNS]).order_by(_T.c.id.desc())
    with engine.connect() as conn:
        rows = conn.execute(q if limit is None else q.limit(int(limit))).all()
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)


def flat(trail: pd.DataFrame) -> pd.DataFrame:
    """The trail for a file or a screen: ``at`` in UTC to the second, ``detail`` as compact JSON text."""
    out = trail.copy()
    out["at"] = [f"{t:%Y-%m-%d %H:%M:%S}" for t in out["at"]]
    out["detail"] = [json.dumps(d or {}, sort_keys=True, ensure_ascii=False) for d in out["detail"]]
    return out


def export_csv(engine: Engine, path: Path) -> int:
    """Write the whole trail, newest first, to ``path`` (core.export.csv); returns the number of entries."""
    trail = flat(entries(engine))
    write_csv(trail, path)
    return len(trail)
