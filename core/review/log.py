"""What a review board decided and assumed beside a snapshot: the decision log and the assumptions register.

Both are kept like the snapshots themselves: rows are never changed or deleted (triggers refuse it, on SQLite
and PostgreSQL).

* A **decision** (:func:`add_decision`) has a number within its snapshot, the decision, an owner, the
  rationale, a due date and a status (:data:`STATUSES`). A later change of status, owner, due date or
  wording (:func:`update_decision`) is a new *revision* of the same number, so the log shows what was
  decided in the meeting and every change since (:func:`decisions` with ``history=True``).
* The **assumptions register** (:func:`assumptions`) lists first the assumptions the snapshot's figures
  were built on (its :class:`core.review.snapshot.ReviewParams`, and per play arm the outreach cost per contact and
  the value of a saved customer that its money figures imply), then those the board added
  (:func:`add_assumption`), such as a target margin or the cost of a planned campaign.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from core.access import guard, rights
from core.errors import DataValidationError
from core.review.snapshot import Snapshot
from core.store import read_only
from core.store.tables import ReviewAssumption, ReviewDecision, ReviewSnapshot

STATUSES = ("open", "in progress", "done", "dropped")
DECISION_COLUMNS = ["number", "decision", "owner", "rationale", "due", "status", "revision", "recorded_at", "author"]
ASSUMPTION_COLUMNS = ["name", "value", "unit", "owner", "source", "used_in_figures"]
#: the snapshot parameters that are assumptions: field -> (name, unit, where it is used)
PARAM_ASSUMPTIONS = {
    "margin": ("Gross margin", "share", "Intervention ROI: revenue saved and the value of customers saved"),
    "value_months": ("Months a saved customer stays", "months", "Intervention ROI: value of customers saved"),
    "roi_window": ("Play measurement window", "days", "Intervention ROI: retention after contact"),
    "health_horizon": ("Health back-test horizon", "days", "Health scores: churn counted after a month end"),
    "health_backtest_months": ("Health back-test months", "months", "Health scores: month ends scored"),
    "top_themes": ("Themes kept", "themes", "Feedback themes: ranked by churn impact"),
}


def _guard(engine: Engine, table: str) -> None:
    """Triggers that make ``table``'s rows read-only (SQLite and PostgreSQL): an UPDATE or DELETE is refused."""
    read_only.guard(engine, table, f"{table} rows are never changed")


def _snapshot_exists(conn, snapshot_id: int) -> None:

    t = ReviewSnapshot.__table__
    if conn.execute(select(t.c.id).where(t.c.id == int(snapshot_id))).first() is None:
        raise DataValidationError(f"There is no saved snapshot {snapshot_id}: save the quarter's snapshot first.")


def _text(value, what: str, required: bool = True) -> str:
    s = "" if value is None else str(value).strip()
    if required and not s:
        raise DataValidationError(f"The {what} is empty: write who or what it is.")
    return s


def _due(value) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str | dt.date):  # a number would be read as nanoseconds since 1970
        raise DataValidationError(f"The due date '{value}' is not a date: write it as 2026-12-31.")
    try:
        d = pd.Timestamp(value)
    except (ValueError, TypeError):
        d = pd.NaT
    if pd.isna(d):
        raise DataValidationError(f"The due date '{value}' is not a date: write it as 2026-12-31.")
    return d.date()


def _status(value) -> str:
    s = str(value).strip().lower()
    if s not in STATUSES:
        raise DataValidationError(f"'{value}' is not a status: use one of {', '.join(STATUSES)}.")
    return s


def add_decision(engine: Engine, snapshot_id: int, *, decision: str, owner: str, rationale: str = "", due=None,
                 status: str = "open", author: str = "", user: str | guard.Actor | None = None) -> int:
    """Record a decision taken on a saved snapshot as ``user`` (None: ``RETENTION_USER``), who needs the decide
    right; audited. The author is the signed-in user (``author`` only on a store without accounts). Returns its
    number within the snapshot.

    Raises
    ------
    DataValidationError
        No such snapshot, an empty decision or owner, a due date that is not a date, an unknown status.
    core.access.guard.AccessDenied
        ``user`` may not record a decision; nothing is stored.
    """
    actor = guard.require(engine, user, rights.DECIDE)
    row = {"decision": _text(decision, "decision"), "owner": _text(owner, "owner"),
           "rationale": _text(rationale, "rationale", False), "due": _due(due), "status": _status(status),
           "author": guard.author(actor, author)}
    _guard(engine, "reviewdecision")
    t = ReviewDecision.__table__
    with engine.begin() as conn:
        _snapshot_exists(conn, snapshot_id)
        number = int(conn.execute(select(func.coalesce(func.max(t.c.number), 0))
                                  .where(t.c.snapshot_id == int(snapshot_id))).scalar_one()) + 1
        conn.execute(t.insert().values(snapshot_id=int(snapshot_id), number=number, revision=1,
                                       recorded_at=dt.datetime.now(dt.UTC), **row))
    guard.done(engine, actor, "record decision", f"snapshot {snapshot_id}",
               {"number": number, "decision": row["decision"], "owner": row["owner"], "status": row["status"]})
    return number


def update_decision(engine: Engine, snapshot_id: int, number: int, *, author: str = "",
                    user: str | guard.Actor | None = None, **changes) -> int:
    """A new revision of decision ``number`` with ``changes`` (any of decision, owner, rationale, due, status), as
    ``user`` (None: ``RETENTION_USER``), who needs the decide right; audited, the author is the signed-in user.
    Returns the revision number. Earlier revisions stay as they were.

    Raises
    ------
    DataValidationError
        No such decision, an unknown field, nothing changed, or a bad value.
    core.access.guard.AccessDenied
        ``user`` may not record a decision; nothing is stored.
    """
    actor = guard.require(engine, user, rights.DECIDE)
    fields = {"decision", "owner", "rationale", "due", "status"}
    unknown = set(changes) - fields
    if unknown:
        raise DataValidationError(f"A decision has no field {', '.join(sorted(unknown))}: change one of "
                                  f"{', '.join(sorted(fields))}.")
    t = ReviewDecision.__table__
    with engine.begin() as conn:
        last = conn.execute(select(t).where((t.c.snapshot_id == int(snapshot_id)) & (t.c.number == int(number)))
                            .order_by(t.c.revision.desc()).limit(1)).mappings().first()
        if last is None:
            raise DataValidationError(f"Snapshot {snapshot_id} has no decision {number}.")
        new = {k: last[k] for k in fields}
        for k, v in changes.items():
            new[k] = {"due": _due, "status": _status}.get(k, lambda x, k=k: _text(x, k, k in ("decision", "owner")))(v)
        if new == {k: last[k] for k in fields}:
            raise DataValidationError(f"Nothing changed in decision {number}.")
        rev = int(last["revision"]) + 1
        conn.execute(t.insert().values(snapshot_id=int(snapshot_id), number=int(number), revision=rev,
                                       recorded_at=dt.datetime.now(dt.UTC), author=guard.author(actor, author),
                                       **new))
    guard.done(engine, actor, "update decision", f"snapshot {snapshot_id}",
               {"number": int(number), "revision": rev, "changes": sorted(changes)})
    return rev


def decisions(engine: Engine, snapshot_id: int, history: bool = False) -> pd.DataFrame:
    """The decision log of a snapshot: :data:`DECISION_COLUMNS`, by number; the latest revision of each
    decision, or every revision (``history``)."""

    t = ReviewDecision.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(*[t.c[c] for c in DECISION_COLUMNS]).where(t.c.snapshot_id == int(snapshot_id))
                            .order_by(t.c.number, t.c.revision)).all()
    df = pd.DataFrame(rows, columns=DECISION_COLUMNS)
    if not history:
        df = df.groupby("number", sort=True).tail(1)
    return df.reset_index(drop=True)


def add_assumption(engine: Engine, snapshot_id: int, *, name: str, value: float, unit: str = "", owner: str = "",
                   source: str = "", user: str | guard.Actor | None = None) -> int:
    """Add an assumption to a saved snapshot's register as ``user`` (None: ``RETENTION_USER``), who needs the
    decide right; audited. An empty ``owner`` (who stands behind it) is the signed-in user. Returns its id.

    Raises
    ------
    DataValidationError
        No such snapshot, an empty name, or a value that is not a finite number.
    core.access.guard.AccessDenied
        ``user`` may not record an assumption; nothing is stored.
    """
    actor = guard.require(engine, user, rights.DECIDE)
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = math.nan
    if not math.isfinite(v):
        raise DataValidationError(f"The value '{value}' of an assumption must be a number, for example 0.8.")
    row = {"name": _text(name, "assumption's name"), "value": v, "unit": _text(unit, "unit", False),
           "owner": _text(owner, "owner", False) or ("" if actor.local else actor.name),
           "source": _text(source, "source", False)}
    _guard(engine, "reviewassumption")
    t = ReviewAssumption.__table__
    with engine.begin() as conn:
        _snapshot_exists(conn, snapshot_id)
        res = conn.execute(t.insert().values(snapshot_id=int(snapshot_id), recorded_at=dt.datetime.now(dt.UTC), **row))
    i = int(res.inserted_primary_key[0])
    guard.done(engine, actor, "record assumption", f"snapshot {snapshot_id}",
               {"id": i, "name": row["name"], "value": v, "unit": row["unit"]})
    return i


def used_assumptions(snap: Snapshot) -> pd.DataFrame:
    """The assumptions the snapshot's figures rest on (:data:`ASSUMPTION_COLUMNS`, ``used_in_figures`` True):
    its parameters, then per play arm the outreach cost per treated contact (cost / contacts treated) and the
    value of a saved customer (value of customers saved / customers saved)."""
    rows = [{"name": name, "value": float(snap.params[k]), "unit": unit, "owner": "", "source":
             f"a setting of this review; {where}", "used_in_figures": True}
            for k, (name, unit, where) in PARAM_ASSUMPTIONS.items() if k in snap.params]
    if lapse := (snap.versions or {}).get("lapse"):  # buyers without a contract: churn = no purchase within N days
        rows.append({"name": "Lapse period (churn = no purchase within N days)", "value": float(lapse["days"]),
                     "unit": "days", "owner": "", "source": lapse["source"], "used_in_figures": True})
    f = snap.figures[snap.figures["page"] == "Intervention ROI"]
    money = f.pivot_table(index="group", columns="metric", values="value", aggfunc="first", sort=False)
    for group, r in money.iterrows():
        if "Cost" in r and "Contacts treated" in r and r["Contacts treated"] > 0:
            rows.append({"name": f"Outreach cost per contact · {group}", "value": r["Cost"] / r["Contacts treated"],
                         "unit": "currency", "owner": "", "source": "cost recorded on the arm's treated contacts / "
                         "contacts treated", "used_in_figures": True})
        saved = r.get("Customers saved", math.nan)
        if "Value of customers saved" in r and pd.notna(saved) and saved != 0:
            rows.append({"name": f"Value of a saved customer · {group}", "value": r["Value of customers saved"] / saved,
                         "unit": "currency", "owner": "", "source": f"mean MRR before contact x "
                         f"{snap.params.get('value_months')} months x margin {snap.params.get('margin')}",
                         "used_in_figures": True})
    return pd.DataFrame(rows, columns=ASSUMPTION_COLUMNS)


def assumptions(engine: Engine, snap: Snapshot) -> pd.DataFrame:
    """The register of a saved snapshot: :func:`used_assumptions`, then the ones added (in the order added)."""

    t = ReviewAssumption.__table__
    added = pd.DataFrame(columns=ASSUMPTION_COLUMNS)
    if snap.id is not None:
        with engine.connect() as conn:
            rows = conn.execute(select(t.c.name, t.c.value, t.c.unit, t.c.owner, t.c.source)
                                .where(t.c.snapshot_id == int(snap.id)).order_by(t.c.id)).all()
        added = pd.DataFrame(rows, columns=ASSUMPTION_COLUMNS[:-1]).assign(used_in_figures=False)
    used = used_assumptions(snap)
    return pd.concat([used, added], ignore_index=True) if len(added) else used


__all__ = ["ASSUMPTION_COLUMNS", "DECISION_COLUMNS", "PARAM_ASSUMPTIONS", "STATUSES", "add_assumption",
           "add_decision", "assumptions", "decisions", "update_decision", "used_assumptions"]
