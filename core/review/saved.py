"""Saved review snapshots: stored once, never changed (triggers refuse an update or a delete), listed and
loaded back exactly. The customers behind the MRR-at-risk figures are kept with the versions' JSON (under
:data:`AT_RISK_KEY`), so a saved snapshot exports the list the board saw."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from core.access import guard, rights
from core.errors import DataValidationError
from core.history.feature_labels import feature_label
from core.review.at_risk import CUSTOMER_COLUMNS
from core.review.snapshot import FIGURE_COLUMNS, Snapshot
from core.store import read_only
from core.store.tables import ReviewSnapshot

#: the versions' key that holds the customers behind the MRR-at-risk figures (records of CUSTOMER_COLUMNS)
AT_RISK_KEY = "at_risk_customers"


def _guard(engine: Engine) -> None:
    """Triggers that make saved snapshots read-only (SQLite and PostgreSQL): an UPDATE or DELETE is refused."""
    read_only.guard(engine, "reviewsnapshot", "review snapshots are never changed")


def save(engine: Engine, snap: Snapshot, user: str | guard.Actor | None = None) -> int:
    """Store ``snap`` for good as ``user`` (None: ``RETENTION_USER``), who needs the snapshot right; audited.
    Returns its id (and sets ``snap.id`` and ``snap.created_at``).

    Raises
    ------
    core.access.guard.AccessDenied
        ``user`` may not save a review snapshot; nothing is stored.
    """
    actor = guard.require(engine, user, rights.SNAPSHOT)
    _guard(engine)
    created = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        res = conn.execute(ReviewSnapshot.__table__.insert().values(
            quarter=snap.quarter, as_of=snap.as_of, created_at=created, data_hash=snap.data_hash,
            params=snap.params, versions={**snap.versions, AT_RISK_KEY: _customers(snap.at_risk)},
            figures=_records(snap.figures)))
    snap.id, snap.created_at = int(res.inserted_primary_key[0]), created
    guard.done(engine, actor, "save snapshot", f"snapshot {snap.id}", {"quarter": snap.quarter,
                                                                       "data": snap.data_hash[:12]})
    return snap.id


def _records(figures: pd.DataFrame) -> list[dict]:
    """JSON-safe rows (NaN as None)."""
    f = figures[FIGURE_COLUMNS].astype(object).where(figures[FIGURE_COLUMNS].notna(), None)
    return f.to_dict("records")


def _customers(listed: pd.DataFrame) -> list[dict]:
    return [{"figure": str(f), "customer_id": str(c), "mrr": float(m), "group": str(g)}
            for f, c, m, g in listed[CUSTOMER_COLUMNS].itertuples(index=False)]


def snapshots(engine: Engine) -> pd.DataFrame:
    """Saved snapshots, newest first: ``id, quarter, as_of, created_at, data_hash, figures``."""
    t = ReviewSnapshot.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.id, t.c.quarter, t.c.as_of, t.c.created_at, t.c.data_hash, t.c.figures)
                            .order_by(t.c.id.desc())).all()
    df = pd.DataFrame(rows, columns=["id", "quarter", "as_of", "created_at", "data_hash", "figures"])
    df["figures"] = [len(f or []) for f in df["figures"]]
    return df


def load(engine: Engine, snapshot_id: int) -> Snapshot:
    """A saved snapshot.

    Raises
    ------
    DataValidationError
        No snapshot has that id.
    """
    with engine.connect() as conn:
        t = ReviewSnapshot.__table__
        s = conn.execute(select(t).where(t.c.id == int(snapshot_id))).mappings().first()
    if s is None:
        have = snapshots(engine)["id"].tolist()
        raise DataValidationError(f"There is no snapshot {snapshot_id}. Saved: {', '.join(map(str, have)) or 'none'}.")
    figures = pd.DataFrame(s["figures"] or [], columns=FIGURE_COLUMNS)
    for c in ("value", "low", "high"):
        figures[c] = pd.to_numeric(figures[c], errors="coerce").astype(float)
    for c in ("page", "metric", "group", "unit", "text"):
        figures[c] = figures[c].fillna("").astype(str)
    driver = figures["metric"] == "Top driver"  # a snapshot saved before features had labels holds the code name
    figures.loc[driver, "text"] = [feature_label(t) for t in figures.loc[driver, "text"]]
    versions = dict(s["versions"])
    at_risk = pd.DataFrame(versions.pop(AT_RISK_KEY, None) or [], columns=CUSTOMER_COLUMNS)
    at_risk = at_risk.astype({"figure": str, "customer_id": str, "mrr": float, "group": str})
    return Snapshot(s["quarter"], s["as_of"], s["data_hash"], dict(s["params"]), versions, figures,
                    s["id"], s["created_at"], at_risk)
