"""What the Admin page tests share: a small hand-made store with one account per role (tests/core/access/store.py:
two customers imported by the local admin, a saved snapshot, then root (admin), ann (analyst), bo (board) and vic
(viewer)), the page opened as one of them, and independent reads of the store (plain SQL)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from core.access.guard import Actor
from tests.core.access.store import PASSWORD, PEOPLE, build
from ui.frame import signin

APP = str(Path(__file__).resolve().parents[2] / "app.py")
__all__ = ["PASSWORD", "PEOPLE", "build", "open_admin", "point", "sql", "user_rows", "trail_rows"]


def open_admin(url: str, who: str | None, timeout: int = 60, role: str | None = None) -> AppTest:
    """The app on ``url`` switched to the Admin page, signed in as ``who`` (None: nobody), without error. The
    caller holds a monkeypatch of the environment (RETENTION_DB_URL); this sets it."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    if who is not None:
        at.session_state[signin.ACTOR] = Actor(who, role or PEOPLE[who])
    at.switch_page("pages/admin.py").run()  # the first run opens the page (tests/pages/conftest.open_page)
    assert not at.exception, at.exception
    return at


def point(mp, url: str) -> str:
    """Point the app at the store ``url`` (demo off) with the monkeypatch ``mp``."""
    mp.setenv("RETENTION_DB_URL", url)
    mp.setenv("RETENTION_DEMO", "0")
    return url


def sql(url: str, query: str, *args) -> list[tuple]:
    """Rows of ``query`` on the SQLite store at ``url`` (plain sqlite3, not the code under test)."""
    con = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        return con.execute(query, args).fetchall()
    finally:
        con.close()


def user_rows(url: str) -> pd.DataFrame:
    """The accounts as the page should list them, computed here: by name, times cut to the minute, never disabled
    as empty text."""
    rows = sql(url, "SELECT name, role, created_at, disabled_at FROM user ORDER BY name")
    minute = [(n, r, str(c)[:16], "" if d is None else str(d)[:16]) for n, r, c, d in rows]
    return pd.DataFrame(minute, columns=["User", "Role", "Created (UTC)", "Disabled (UTC)"])


def _flat(value) -> str:
    """A detail value as text (written here, apart from core.access.trail)."""
    if value is None:
        return "none"
    if isinstance(value, dict):
        return ", ".join((str(k).replace("_", " ") + " " + _flat(v)).strip() for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_flat(v) for v in value) or "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def trail_rows(url: str) -> pd.DataFrame:
    """The audit trail as the page should show it, computed here from the table: newest first; who, role, when,
    action, what, and the detail as ``key: value; ...``."""
    rows = sql(url, 'SELECT "user", role, at, action, target, detail FROM auditentry ORDER BY id DESC')
    out = []
    for user, role, at, action, target, detail in rows:
        d = json.loads(detail) if detail else {}
        text = "; ".join(f"{k.replace('_', ' ')}: {_flat(v)}" for k, v in d.items())
        out.append((user, role, pd.Timestamp(at), action, target, text))
    return pd.DataFrame(out, columns=["user", "role", "at", "action", "target", "detail"])
