"""When each follow-up item was closed and how often it was reopened, read fresh from the store (statuses change
without an import): a survey, review or social verbatim (``F<id>``) by its follow-up's closed day and reopenings
(imported, or recorded by :func:`core.feedback.store.set_status`); a ticket (``T<id>``) by its resolution time and
the help desk's reopen count."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from core.store.dates import datetimes
from core.store.tables import Feedback, Ticket

COLUMNS = ["closed", "reopens"]


def loop_times(engine: Engine) -> pd.DataFrame:
    """Every verbatim's ``closed`` day (a datetime, missing while not closed) and ``reopens`` (missing when not
    known), indexed by verbatim id (``F<id>``, ``T<id>``)."""
    f, t = Feedback.__table__, Ticket.__table__
    with engine.connect() as conn:
        fb = conn.execute(select(f.c.id, f.c.closed, f.c.reopens).where(f.c.text.is_not(None))).all()
        tk = conn.execute(select(t.c.id, t.c.resolved, t.c.reopens).where(t.c.text.is_not(None))).all()
    frames = [pd.DataFrame(rows, columns=["id", *COLUMNS]).assign(vid=lambda d, p=prefix: p + d["id"].astype(str))
              for prefix, rows in (("F", fb), ("T", tk))]
    out = pd.concat(frames, ignore_index=True).set_index("vid")[COLUMNS]
    return out.assign(closed=datetimes(out["closed"], format="mixed").dt.normalize(),
                      reopens=pd.to_numeric(out["reopens"], errors="coerce"))
