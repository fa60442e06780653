"""The store's lapse period N, saved: one churn definition for buyers on every page, the CLI and the review.

The lapse rule (:mod:`core.buyers.lapse`: a buyer has churned when no purchase follows the last one within N days)
proposes N from the data. An analyst who settles on another N saves it here, with who and why
(:func:`save_days`); from then on :func:`core.buyers.lapse.store_rule` (the churn model, Health scores, the review,
the cohort page's survival) and the Overview (:func:`core.buyers.lapse.store_days`) read the saved N instead of the
proposal. Saving gives the store a new version (:func:`core.store.version.bump`), so no page serves figures cached
under the old N.
Rows are never changed: a new N is a new row, and :func:`history` lists them all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from core.access import guard, rights
from core.errors import DataValidationError
from core.store.tables import LapseSetting
from core.store.version import bump

#: the longest N accepted (ten years)
MAX_DAYS = 3650

_TABLE = LapseSetting.__table__
_COLUMNS = ["days", "created_at", "author", "reason"]


@dataclass(frozen=True)
class SavedLapse:
    """The saved N, who saved it, when (UTC) and why."""

    days: int
    created_at: dt.datetime
    author: str
    reason: str

    @property
    def words(self) -> str:
        """One plain sentence for a caption: 'Saved for every page: 120 days, by Ana on 2026-12-03 (reason).'"""
        return (f"Saved for every page: {self.days} days, by {self.author} on {self.created_at:%Y-%m-%d} "
                f"({self.reason}).")


def check_lapse_days(days) -> int:
    """``days`` as a whole number of days from 1 to :data:`MAX_DAYS`, else a :class:`DataValidationError`."""
    try:
        n = int(days)
    except (TypeError, ValueError):
        n = None
    if n is None or n != days or not 1 <= n <= MAX_DAYS:
        raise DataValidationError(f"The lapse period must be a whole number of days from 1 to {MAX_DAYS}, not "
                                  f"{days!r}: for example 180 (no purchase within 180 days of the last one).")
    return n


def save_days(engine: Engine, days: int, author: str, reason: str,
              user: str | guard.Actor | None = None) -> SavedLapse:
    """Save N as the store's lapse period as ``user`` (None: ``RETENTION_USER``), who needs the configure right;
    audited. The author is the signed-in user (``author`` only on a store without accounts). Returns it.

    Raises
    ------
    DataValidationError
        N is not a whole number of days from 1 to ten years, or the author or the reason is empty.
    core.access.guard.AccessDenied
        ``user`` may not change the configuration; nothing is saved.
    """
    actor = guard.require(engine, user, rights.CONFIGURE)
    days = check_lapse_days(days)
    author = guard.author(actor, author)
    if not author:
        raise DataValidationError("Say who sets the lapse period: the author field is empty.")
    if not str(reason or "").strip():
        raise DataValidationError("Say why: the reason field is empty (it is what a reviewer reads later).")
    row = {"days": days, "created_at": dt.datetime.now(dt.UTC), "author": author, "reason": str(reason).strip()}
    with engine.begin() as conn:  # the setting and the store's new version commit together
        conn.execute(insert(_TABLE).values(**row))
        bump(conn)
    guard.done(engine, actor, "save lapse period", f"{days} days", {"reason": row["reason"], "author": author})
    return SavedLapse(**row)


def saved(engine: Engine) -> SavedLapse | None:
    """The latest saved N (None when the store has none: the proposal applies)."""
    with engine.connect() as conn:
        row = conn.execute(select(*(_TABLE.c[c] for c in _COLUMNS)).order_by(_TABLE.c.id.desc()).limit(1)).first()
    return None if row is None else SavedLapse(int(row.days), row.created_at, row.author, row.reason)


def saved_days(engine: Engine) -> int | None:
    """The latest saved N, None without one."""
    s = saved(engine)
    return None if s is None else s.days


def history(engine: Engine) -> pd.DataFrame:
    """Every saved N, newest first: ``days, created_at, author, reason``."""
    with engine.connect() as conn:
        rows = conn.execute(select(*(_TABLE.c[c] for c in _COLUMNS)).order_by(_TABLE.c.id.desc())).all()
    return pd.DataFrame(rows, columns=_COLUMNS)
