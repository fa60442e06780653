"""Redacting saved review snapshots: the one narrow way a snapshot may change, used by an erasure
(:mod:`core.access.erasure`) and by the retention policy (:mod:`core.access.retention`), both audited.

Saved snapshots are read-only (:mod:`core.store.read_only`): an UPDATE or a DELETE is refused by triggers. A
redaction must still take an erased customer's id, name and verbatims out of a snapshot's JSON, so the snapshot's
UPDATE trigger is replaced by one that lets exactly one kind of UPDATE through, on SQLite and PostgreSQL alike:

* the snapshot keeps its id, quarter, as-of day, creation time and data fingerprint, and
* its new ``params``, ``versions`` and ``figures`` are, text for text, those of a **permit**: a row of
  ``snapshotredaction`` (:class:`core.store.tables.SnapshotRedaction`) for that snapshot.

:func:`redact` writes the permit, copies it into the snapshot with one UPDATE and deletes the permit, all in the
caller's transaction; a plain UPDATE (no permit) is refused as before, and so is every DELETE (and TRUNCATE). Why a
permit and not a redaction table the readers overlay: an overlay would leave the erased values in the stored
snapshot, where a raw query or a copy of the store file would still find them. The permit holds only the redacted
copy, lives for one transaction and is never kept. The triggers guard against changes by the app and by mistake;
whoever may write raw SQL to the store may also drop triggers, so the audit entry of the erasure or retention run
is the record of each redaction.

What is replaced (:func:`scrub`): every text value in the JSON (and every key) equal to a given value, and every
occurrence, inside longer text, of a given value of at least :data:`MIN_INSIDE` characters; numbers, dates and
the shape of the JSON never change, so a snapshot's figures (values, intervals, units) stay what they were.
"""

from __future__ import annotations

import json
import re

from sqlalchemy import select, text
from sqlalchemy.engine import Connection, Engine

from core.store import read_only
from core.store.tables import ReviewSnapshot, SnapshotRedaction

#: what replaces an erased or expired value
MARKER = "[redacted]"
#: a value shorter than this is replaced only where a whole text equals it (an id "A" inside words is left alone)
MIN_INSIDE = 4
_TRIGGER = "reviewsnapshot_no_update"
_FUNCTION = "reviewsnapshot_redaction_only"
_MESSAGE = "review snapshots are never changed"
_KEEP = ("id", "quarter", "as_of", "created_at", "data_hash")
_JSON = ("params", "versions", "figures")
_SQLITE_TRIGGER = (
    f"CREATE TRIGGER {_TRIGGER} BEFORE UPDATE ON reviewsnapshot WHEN NOT ("
    + " AND ".join(f"NEW.{c} IS OLD.{c}" for c in _KEEP)
    + " AND EXISTS (SELECT 1 FROM snapshotredaction AS p WHERE p.snapshot_id = OLD.id AND "
    + " AND ".join(f"p.{c} IS NEW.{c}" for c in _JSON)
    + f")) BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END")
_PG_FUNCTION = (
    f"CREATE OR REPLACE FUNCTION {_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF "
    + " AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in _KEEP)
    + " AND EXISTS (SELECT 1 FROM snapshotredaction AS p WHERE p.snapshot_id = OLD.id AND "
    + " AND ".join(f"p.{c}::text IS NOT DISTINCT FROM NEW.{c}::text" for c in _JSON)
    + f") THEN RETURN NEW; END IF; RAISE EXCEPTION '{_MESSAGE}'; END $$")


def _pattern(values) -> re.Pattern | None:
    """One regular expression finding any of ``values`` (longest first) inside a text, or None."""
    inside = sorted({v for v in values if len(v) >= MIN_INSIDE}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, inside))) if inside else None


def scrub(value, values) -> tuple[object, int]:
    """``value`` (JSON: dicts, lists, text, numbers) with each of ``values`` replaced by :data:`MARKER`; and how
    many texts changed.

    Examples
    --------
    >>> scrub({"rows": [{"customer_id": "C-77", "mrr": 10.0}, {"text": "Jane Roe said hi"}]}, ["C-77", "Jane Roe"])
    ({'rows': [{'customer_id': '[redacted]', 'mrr': 10.0}, {'text': '[redacted] said hi'}]}, 2)
    """
    exact = {str(v) for v in values if str(v)}
    return _scrub(value, exact, _pattern(exact))


def _scrub(value, exact: set[str], inside: re.Pattern | None) -> tuple[object, int]:
    if isinstance(value, str):
        new = MARKER if value in exact else (inside.sub(MARKER, value) if inside is not None else value)
        return new, int(new != value)
    if isinstance(value, list):
        parts = [_scrub(v, exact, inside) for v in value]
        return [p[0] for p in parts], sum(p[1] for p in parts)
    if isinstance(value, dict):
        out, n = {}, 0
        for k, v in value.items():
            key, nk = _scrub(k, exact, inside) if isinstance(k, str) else (k, 0)
            new, nv = _scrub(v, exact, inside)
            out[key], n = new, n + nk + nv
        return out, n
    return value, 0


def _installed(conn: Connection) -> bool:
    """Whether the snapshot's UPDATE trigger is the redaction-aware one."""
    if conn.dialect.name == "sqlite":
        sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :n"),
                           {"n": _TRIGGER}).scalar()
        return bool(sql) and "snapshotredaction" in sql
    found = conn.execute(text("SELECT p.proname FROM pg_trigger AS t JOIN pg_proc AS p ON p.oid = t.tgfoid "
                              "WHERE t.tgname = :n AND t.tgrelid = CAST('reviewsnapshot' AS regclass)"),
                         {"n": _TRIGGER}).scalar()
    return found == _FUNCTION


def install(engine: Engine) -> None:
    """Make saved snapshots read-only except for a permitted redaction (idempotent; SQLite and PostgreSQL).

    Replaces the plain UPDATE trigger of :func:`core.store.read_only.guard` (same name, so that guard, which
    creates only missing triggers, leaves it alone), then lets that guard add the DELETE (and TRUNCATE) triggers.
    """
    if engine.dialect.name not in ("sqlite", "postgresql"):
        return
    with engine.begin() as conn:
        if not _installed(conn):
            if conn.dialect.name == "sqlite":
                conn.execute(text(f"DROP TRIGGER IF EXISTS {_TRIGGER}"))
                conn.execute(text(_SQLITE_TRIGGER))
            else:
                conn.execute(text(_PG_FUNCTION))
                conn.execute(text(f"DROP TRIGGER IF EXISTS {_TRIGGER} ON reviewsnapshot"))
                conn.execute(text(f"CREATE TRIGGER {_TRIGGER} BEFORE UPDATE ON reviewsnapshot FOR EACH ROW "
                                  f"EXECUTE FUNCTION {_FUNCTION}()"))
    read_only.guard(engine, "reviewsnapshot", _MESSAGE)


def affected(conn: Connection, values) -> dict[int, dict]:
    """snapshot id -> its redacted ``params``, ``versions`` and ``figures``, for every saved snapshot that holds
    one of ``values`` (nothing is written)."""
    exact = {str(v) for v in values if v is not None and str(v).strip()}
    if not exact:
        return {}
    inside, snaps, out = _pattern(exact), ReviewSnapshot.__table__, {}
    for row in conn.execute(select(snaps.c.id, *[snaps.c[c] for c in _JSON]).order_by(snaps.c.id)).mappings():
        new = {c: _scrub(row[c], exact, inside) for c in _JSON}
        if any(n for _, n in new.values()):
            out[int(row["id"])] = {c: v for c, (v, _) in new.items()}
    return out


def redact(conn: Connection, values) -> list[int]:
    """Replace ``values`` in every saved snapshot (inside the caller's transaction, after :func:`install`);
    returns the ids of the snapshots that changed. Their figures' numbers and every other column stay."""
    permits = SnapshotRedaction.__table__
    sets = ", ".join(f"{c} = (SELECT {c} FROM snapshotredaction WHERE id = :pid)" for c in _JSON)
    changed = affected(conn, values)
    for sid, new in changed.items():
        pid = conn.execute(permits.insert().values(snapshot_id=sid, **new)).inserted_primary_key[0]
        conn.execute(text(f"UPDATE reviewsnapshot SET {sets} WHERE id = :sid"), {"pid": pid, "sid": sid})
        conn.execute(permits.delete().where(permits.c.id == pid))
    return list(changed)


def holds(conn: Connection, value: str) -> list[int]:
    """The ids of the saved snapshots whose JSON still holds ``value`` anywhere (a check after a redaction)."""
    snaps = ReviewSnapshot.__table__
    rows = conn.execute(snaps.select().order_by(snaps.c.id)).mappings().all()
    return [int(r["id"]) for r in rows if any(value in json.dumps(r[c], ensure_ascii=False) for c in _JSON)]
