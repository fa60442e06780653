"""The store's version: a counter and a random token, changed in the transaction of every write to the data.

The pages cache what they read from the store under this version, so it must change whenever the data does
and never come back to a value it had. The import log cannot give that: SQLite hands out the id of a
deleted last row again, so "import A, undo A, import B" looked like "import A" and the pages showed A.
Every import, undo and demo load calls :func:`bump` inside its own transaction, so the new version commits
(or rolls back) with the rows; :func:`current` reads it back, once per page run.

The token is new with every change, so a store that is restored from a copy, or deleted and created again
under the same path, never repeats a version a running server has cached.
"""

from __future__ import annotations

import secrets

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from core.store.tables import ImportLog, StoreState

_STATE = StoreState.__table__
#: the key an import-log row's ``mapping`` carries while its load is in two steps and the second is not in yet
LOADING = "loading"


def bump(conn: Connection) -> str:
    """Give the store a new version inside the caller's transaction and return it.

    Call it in the same ``engine.begin()`` block as the write, so the version and the data commit together.

    Parameters
    ----------
    conn : sqlalchemy.engine.Connection
        A connection inside an open transaction.

    Returns
    -------
    str
        The new version, as :func:`current` will read it once the transaction commits.

    Examples
    --------
    >>> from core.store.engine import make_engine
    >>> engine = make_engine("sqlite://")
    >>> with engine.begin() as conn:
    ...     v = bump(conn)
    >>> v == current(engine) and v.startswith("1-")
    True
    """
    token = secrets.token_hex(6)
    done = conn.execute(update(_STATE).where(_STATE.c.id == 1).values(version=_STATE.c.version + 1, token=token))
    if done.rowcount == 0:  # the first change of this store (or of a store made before versions existed)
        conn.execute(insert(_STATE).values(id=1, version=1, token=token))
    return _read(conn)


def current(engine: Engine) -> str:
    """The store's version: ``"<changes>-<token>"``, one small query (read it fresh on every page run).

    A store that has not changed since versions were introduced has no version row yet; it reads as
    ``"0-<largest import id>:<imports>"``, so two such stores with different logs still differ, and its
    first import, undo or demo load gives it a real version.
    """
    with engine.connect() as conn:
        return _read(conn)


def _read(conn: Connection) -> str:
    row = conn.execute(select(_STATE.c.version, _STATE.c.token).where(_STATE.c.id == 1)).first()
    if row is not None:
        return f"{row.version}-{row.token}"
    last, n = conn.execute(select(func.max(ImportLog.id), func.count(ImportLog.id))).one()
    return f"0-{last or 0}:{n}"


def data_loading(engine: Engine) -> bool:
    """True while the newest import is loaded in two steps and its second step is not in yet (the app's first
    start, :mod:`core.demo.staged`): the store holds only a part of that load, so figures needing the rest wait."""
    log = ImportLog.__table__
    with engine.connect() as conn:
        mapping = conn.execute(select(log.c.mapping).where(log.c.undone_at.is_(None))
                               .order_by(log.c.id.desc()).limit(1)).scalar()
    return bool((mapping or {}).get(LOADING)) if isinstance(mapping, dict) else False
