"""The codebook in the store: themes by stable id, the change log, and verbatim follow-up statuses.

A change (:meth:`core.feedback.codebook.Codebook.create`, ``rename``, ``merge`` ...) is saved with
:func:`save_change`: the changed themes and one log row in one transaction, and only if nobody
changed the codebook in between (else a clear error asks to reload). The first read of an empty
store saves the starter codebook (:func:`core.feedback.starter.starter_codebook`) with one log row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
from sqlalchemy import case, delete, func, select, update
from sqlalchemy.engine import Connection, Engine

from core.access import guard, rights
from core.errors import DataValidationError
from core.feedback.codebook import Change, Codebook, Theme
from core.feedback.inputs import CLOSED_WORDS, follow_up_status
from core.feedback.starter import starter_codebook
from core.store.tables import Feedback, ThemeChange, ThemeRecord

FOLLOW_UP = ("open", "in progress", "closed")


def _read(conn: Connection) -> Codebook:
    rows = conn.execute(select(ThemeRecord.__table__)).mappings().all()
    themes = {int(r["id"]): Theme.from_dict(dict(r)) for r in rows}
    return Codebook(themes, max(themes, default=0) + 1)


def _write_themes(conn: Connection, themes) -> None:
    now = dt.datetime.now(dt.UTC)
    themes = list(themes)
    if not themes:
        return
    conn.execute(delete(ThemeRecord.__table__).where(ThemeRecord.__table__.c.id.in_([t.id for t in themes])))
    conn.execute(ThemeRecord.__table__.insert(), [
        {"id": t.id, "name": t.name, "keywords": list(t.keywords), "exclude": list(t.exclude), "negation": t.negation,
         "parent": t.parent, "team": t.team, "status": t.status, "merged_into": t.merged_into,
         "description": t.description, "merged_rules": t.to_dict()["merged_rules"], "updated_at": now}
        for t in themes])


def _log(conn: Connection, change: Change) -> None:
    conn.execute(ThemeChange.__table__.insert().values(
        at=change.at, action=change.action, theme_ids=list(change.theme_ids), detail=change.detail,
        author=change.author, reason=change.reason))


def load_codebook(engine: Engine) -> Codebook:
    """The stored codebook; an empty store first gets the starter codebook (and one log row)."""
    with engine.begin() as conn:
        book = _read(conn)
        if book.themes:
            return book
        book = starter_codebook()
        _write_themes(conn, book.themes.values())
        _log(conn, Change("create", tuple(sorted(book.themes)), f"Starter codebook: {len(book.themes)} themes",
                          "workbench", "first use"))
        return book


def save_change(engine: Engine, before: Codebook, after: Codebook, change: Change,
                user: str | guard.Actor | None = None) -> Codebook:
    """Save the themes that differ between ``before`` and ``after`` plus the log row, in one transaction, as
    ``user`` (None: ``RETENTION_USER``), who needs the codebook right; audited. A signed-in user is the author.

    Raises
    ------
    core.errors.DataValidationError
        The author is empty, or the stored codebook is no longer ``before`` (someone else changed it).
    core.access.guard.AccessDenied
        ``user`` may not change the codebook; nothing changes.
    """
    actor = guard.require(engine, user, rights.CODEBOOK)
    if not actor.local:
        change = dataclasses.replace(change, author=actor.name)
    if not str(change.author or "").strip():
        raise DataValidationError("Say who made this change: the author field is empty.")
    after.validate()
    with engine.begin() as conn:
        if _read(conn) != before:
            raise DataValidationError("The codebook changed since this page read it (another session saved a "
                                      "change). Reload the page and make the change again.")
        changed = [t for i, t in after.themes.items() if before.themes.get(i) != t]
        _write_themes(conn, changed)
        _log(conn, change)
    guard.done(engine, actor, f"codebook {change.action}", "themes " + ", ".join(map(str, change.theme_ids)),
               {"detail": change.detail, "reason": change.reason, "author": change.author})
    return after


def change_log(engine: Engine) -> pd.DataFrame:
    """Every change, newest first: ``at, action, theme_ids, detail, author, reason``."""
    with engine.connect() as conn:
        rows = conn.execute(select(ThemeChange.__table__).order_by(ThemeChange.__table__.c.id.desc())).mappings().all()
    df = pd.DataFrame([dict(r) for r in rows],
                      columns=["id", "at", "action", "theme_ids", "detail", "author", "reason"])
    df["theme_ids"] = df["theme_ids"].map(lambda x: ", ".join(str(i) for i in (x or [])))
    return df.drop(columns="id")


def codebook_table(book: Codebook) -> pd.DataFrame:
    """Every theme (active first, then merged and retired): ``id, theme, parent, team, keywords, exclude,
    negation, merged_rules, status, merged_into``."""
    rows = []
    order = [t.id for t in book.active()] + sorted(i for i, t in book.themes.items() if t.status != "active")
    for i in order:
        t = book.themes[i]
        merged = "; ".join(", ".join(k) + (f" (except {', '.join(e)})" if e else "")
                           + (" (negated mentions do not count)" if n == "exclude" else "")
                           for k, e, n in t.merged_rules)
        rows.append({"id": t.id, "theme": t.name, "parent": t.parent, "team": t.team,
                     "keywords": ", ".join(t.keywords), "exclude": ", ".join(t.exclude), "negation": t.negation,
                     "merged_rules": merged, "status": t.status, "merged_into": t.merged_into})
    return pd.DataFrame(rows, columns=["id", "theme", "parent", "team", "keywords", "exclude", "negation",
                                       "merged_rules", "status", "merged_into"]).astype(
        {"parent": "Int64", "merged_into": "Int64"})


def set_status(engine: Engine, vids, status: str, user: str | guard.Actor | None = None) -> int:
    """Set the follow-up status of survey, review and social verbatims (``F<id>``), as ``user`` (who needs the
    follow-up right; audited); returns rows changed. The change records today as the day the customer was first
    followed up (the first status other than open) and as the closed day (a closed status), and counts a reopening
    when a closed verbatim is set open or in progress again (:func:`_loop_times`).

    Raises
    ------
    core.access.guard.AccessDenied
        ``user`` may not change follow-up statuses; checked first, nothing changes.
    core.errors.DataValidationError
        An unknown status, or a ticket (``T<id>``): a ticket's status comes from the help desk.
    """
    actor = guard.require(engine, user, rights.FOLLOW_UP)
    if status not in FOLLOW_UP:
        raise DataValidationError(f"Status {status!r} is not one of {', '.join(FOLLOW_UP)}.")
    vids = [str(v) for v in vids]
    tickets = [v for v in vids if v.startswith("T")]
    if tickets:
        raise DataValidationError(f"{tickets[0]} is a support ticket: its status comes from the help desk. Close it "
                                  "there and import the tickets again.")
    try:
        ids = [int(v[1:]) for v in vids if v.startswith("F")]
    except ValueError:
        raise DataValidationError("Verbatim ids look like F123 (feedback) or T45 (ticket).") from None
    if len(ids) != len(vids):
        raise DataValidationError("Verbatim ids look like F123 (feedback) or T45 (ticket).")
    if not ids:
        return 0
    with engine.begin() as conn:
        res = conn.execute(update(Feedback.__table__).where(Feedback.__table__.c.id.in_(ids))
                           .values(**_loop_times(status, dt.date.today())))
    guard.done(engine, actor, "set follow-up status", f"{len(ids)} verbatims", {"status": status,
                                                                                "changed": int(res.rowcount)})
    return int(res.rowcount)


def _loop_times(status: str, today: dt.date) -> dict:
    """The columns a status change sets: the status; the day the customer was first followed up (the first change
    to in progress or closed); the day it was closed (kept when it was closed already; cleared when reopened); and
    one more reopening when a closed follow-up is set open or in progress again."""
    t = Feedback.__table__
    was_closed = func.lower(func.trim(func.coalesce(t.c.status, ""))).in_(sorted(CLOSED_WORDS))
    values = {"status": status}
    if status != "open":
        values["followed_up"] = func.coalesce(t.c.followed_up, today)
    if status == "closed":
        values["closed"] = case((was_closed & t.c.closed.is_not(None), t.c.closed), else_=today)
    else:
        values["closed"] = None
        values["reopens"] = case((was_closed, func.coalesce(t.c.reopens, 0) + 1), else_=t.c.reopens)
    return values


def statuses(engine: Engine) -> pd.Series:
    """Today's follow-up status of every survey, review and social verbatim, by ``F<id>`` (read fresh:
    statuses change without an import)."""
    with engine.connect() as conn:
        rows = conn.execute(select(Feedback.__table__.c.id, Feedback.__table__.c.status)
                            .where(Feedback.__table__.c.text.is_not(None))).all()
    df = pd.DataFrame(rows, columns=["id", "status"])
    return pd.Series(follow_up_status(df["status"]).to_numpy(), index="F" + df["id"].astype(str), dtype=object)
