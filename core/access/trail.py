"""The audit trail as people read it (the Admin page and its downloads): one row per entry, newest first, with the
detail written out as plain text, and the filter by user and action.

The entries themselves are :func:`core.access.audit.entries`; nothing here changes them.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Engine

from core.access import audit
from core.store.dates import datetimes

#: the trail's columns for people: stored column -> heading
HEADINGS = {"user": "Who", "role": "Role", "at": "When (UTC)", "action": "Action", "target": "What",
            "detail": "Detail"}


def _value(value) -> str:
    """One detail value as text: a list as its items joined by commas, a mapping as ``key value`` pairs, ``none``
    for a missing value or an empty list."""
    if value is None:
        return "none"
    if isinstance(value, dict):
        return ", ".join(f"{_key(k)} {_value(v)}".strip() for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_value(v) for v in value) if value else "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _key(key) -> str:
    return str(key).replace("_", " ")


def detail_text(detail: dict | None) -> str:
    """An entry's detail as one line: ``before: viewer; after: analyst`` (keys in words, in their stored order).

    Examples
    --------
    >>> detail_text({"before": [], "after": ["viewer", "board"], "horizon_days": 90, "removed": {"customer": 2}})
    'before: none; after: viewer, board; horizon days: 90; removed: customer 2'
    """
    return "; ".join(f"{_key(k)}: {_value(v)}" for k, v in (detail or {}).items())


def table(engine: Engine) -> pd.DataFrame:
    """Every entry, newest first: ``user, role, at`` (a UTC timestamp without zone), ``action, target, detail``
    (text); :data:`HEADINGS` gives each column's heading."""
    trail = audit.entries(engine)
    out = trail[list(HEADINGS)].copy()
    out["at"] = datetimes(trail["at"], utc=True).dt.tz_localize(None)  # stored in UTC, with or without zone
    out["detail"] = [detail_text(d) for d in trail["detail"]]
    return out.reset_index(drop=True)


def last(engine: Engine, action: str) -> dict | None:
    """The newest entry of ``action`` (``user, role, at, action, target, detail`` as stored), or None."""
    trail = audit.entries(engine)
    hit = trail[trail["action"] == action]
    return None if hit.empty else hit.iloc[0].to_dict()


def filtered(trail: pd.DataFrame, user: str | None = None, action: str | None = None) -> pd.DataFrame:
    """The rows of ``trail`` (:func:`table`) by ``user`` and of ``action`` (None: any)."""
    keep = pd.Series(True, index=trail.index)
    if user is not None:
        keep &= trail["user"] == user
    if action is not None:
        keep &= trail["action"] == action
    return trail[keep].reset_index(drop=True)


def for_file(trail: pd.DataFrame) -> pd.DataFrame:
    """``trail`` for a CSV or XLSX file: the time as text to the second, the columns under their headings."""
    out = trail.copy()
    out["at"] = out["at"].dt.strftime("%Y-%m-%d %H:%M:%S")
    return out.rename(columns=HEADINGS)
