"""A small hand-made store for the access tests: two customers imported (import #1, by the local admin of a store
without users), a saved review snapshot (id 1) to record decisions against, then one user per role."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from sqlalchemy import text

import core
from core.access import users as accounts
from core.cli.main import main
from core.store.tables import ReviewSnapshot

#: user name -> role; every password is PASSWORD
PEOPLE = {"root": "admin", "ann": "analyst", "bo": "board", "vic": "viewer"}
PASSWORD = "correct horse battery"


def build(folder: Path, with_users: bool = True) -> str:
    """The store's URL (``sqlite:///folder/store.db``)."""
    path = Path(folder) / "store.db"
    url = f"sqlite:///{path}"
    first = Path(folder) / "customers.csv"
    first.write_text("customer_id,signup_date,segment\nA,2024-01-01,SMB\nB,2024-02-01,Enterprise\n")
    assert main(["--db", url, "import", str(first), "--kind", "customers"]) == 0
    engine = core.make_engine(url)
    with engine.begin() as conn:
        conn.execute(ReviewSnapshot.__table__.insert().values(
            quarter="2026-Q3", as_of=dt.date(2026, 9, 30), created_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC),
            data_hash="hand-made", params={}, versions={}, figures=[]))
    if with_users:
        for name, role in PEOPLE.items():  # the admin first: a store's first user must be one
            accounts.add(engine, name, role, PASSWORD)
    with engine.connect() as conn:  # everything into the store file, so that a copy of the file holds it
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return url


def dump(url: str) -> dict:
    """Every row of every table, and the column files with their sizes: what 'nothing changed' compares."""
    path = Path(url.removeprefix("sqlite:///"))
    con = sqlite3.connect(path)
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        rows = {n: sorted(map(repr, con.execute(f'SELECT * FROM "{n}"').fetchall())) for n in names}
    finally:
        con.close()
    cols = Path(str(path) + ".columns")
    files = sorted((p.name, p.stat().st_size) for p in cols.rglob("*") if p.is_file()) if cols.exists() else []
    return {"tables": rows, "column files": files}


def last_entry(url: str) -> dict:
    """The newest audit entry (raw SQL, independent of core.access.audit)."""
    engine = core.make_engine(url)
    with engine.connect() as conn:
        row = conn.execute(text('SELECT "user", role, action, target FROM auditentry ORDER BY id DESC LIMIT 1')).first()
    engine.dispose()
    return None if row is None else dict(row._mapping)
