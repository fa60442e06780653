"""Saved playbooks: versions with an author and a reason, like the health score's configurations.

A version is never changed: editing a trigger or a guard saves a new version that names its parent. A save needs
the configure right and is audited; the author is the signed-in user (the given name only on a store without
accounts). The CLI may run a playbook file without saving it; the Playbooks page runs the latest saved version.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.access import guard, rights
from core.errors import DataValidationError
from core.plays.rules import Playbook, parse
from core.store.saved_versions import saved_version
from core.store.tables import PlaybookVersion

#: the columns of :func:`versions`
VERSION_COLUMNS = ["version", "created_at", "author", "reason", "parent", "triggers"]


def save_book(engine: Engine, book: Playbook, author: str, reason: str, parent: int | None = None,
              user: str | guard.Actor | None = None) -> int:
    """Save ``book`` as a new version as ``user`` (None: ``RETENTION_USER``), who needs the configure right; audited.
    Returns the version number.

    Raises
    ------
    DataValidationError
        The author or the reason is empty, or ``parent`` is not a saved version.
    core.access.guard.AccessDenied
        ``user`` may not change the playbook; nothing is saved.
    """
    actor = guard.require(engine, user, rights.CONFIGURE)
    author = guard.author(actor, author)
    if not str(author or "").strip():
        raise DataValidationError("Say who made this change: the author field is empty.")
    if not str(reason or "").strip():
        raise DataValidationError("Say why: the reason field is empty (it is what a reviewer reads later).")
    parse(book.to_dict())  # what is saved reads back as the same playbook
    with Session(engine) as s:
        if parent is not None and s.get(PlaybookVersion, int(parent)) is None:
            raise DataValidationError(f"There is no playbook version {parent} to edit from.")
        row = PlaybookVersion(created_at=dt.datetime.now(dt.UTC), author=author.strip(), reason=reason.strip(),
                              parent=parent, book=book.to_dict())
        s.add(row)
        s.commit()
        version = int(row.version)
    guard.done(engine, actor, "save playbook", f"v{version}", {"reason": reason.strip(), "parent": parent,
                                                                "author": author.strip()})
    return version


def load_book(engine: Engine, version: int | None = None) -> tuple[int, Playbook] | None:
    """(version, playbook) of ``version`` (default the latest); None when none is saved.

    Raises
    ------
    DataValidationError
        ``version`` does not exist.
    """
    row = saved_version(engine, PlaybookVersion, version, "playbook")
    return None if row is None else (int(row.version), parse(row.book))


def versions(engine: Engine) -> pd.DataFrame:
    """Every saved version, newest first: :data:`VERSION_COLUMNS` (``triggers``: how many it has)."""
    with Session(engine) as s:
        rows = s.exec(select(PlaybookVersion).order_by(PlaybookVersion.version.desc())).all()
    rows = [r[0] if not isinstance(r, PlaybookVersion) else r for r in rows]
    out = pd.DataFrame([(r.version, r.created_at, r.author, r.reason, r.parent, len(r.book.get("triggers") or []))
                        for r in rows], columns=VERSION_COLUMNS)
    out["parent"] = out["parent"].astype(object).where(out["parent"].notna(), None)  # a first version has none
    return out
