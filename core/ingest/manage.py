"""Store housekeeping: undo an import (what it would remove, then remove it and mark it undone), template
spreadsheets per import kind."""

from __future__ import annotations

import datetime as dt
import io
import operator

import pandas as pd
from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine

from core.access import guard, rights
from core.errors import DataValidationError
from core.export import units
from core.ingest import fields as F
from core.store import columnar, version
from core.store.tables import TABLES, Customer, ImportLog

_LOG = ImportLog.__table__
_DATA_TABLES = ("customer", "revenue", "activity", "ticket", "feedback", "intervention", "incident")
_EXAMPLES = {
    "key": ("C-1001", "C-1002"), "text": ("Pro", "Basic"), "date": ("2024-01-31", "2024-02-15"),
    "datetime": ("2024-01-31 09:30:00", "2024-02-15 14:05:00"), "number": ("120.50", "80"),
    "flag": ("No", "Yes"), "group": ("treatment", "holdout"), "months": ("12", "3"),
}
_SPECIFIC = {"channel": ("email", "chat"), "metric": ("logins", "reports"), "segment": ("SMB", "Enterprise"),
             "region": ("EMEA", "North America"), "play": ("Onboarding call", "Onboarding call"),
             "priority": ("High", "Low"), "category": ("Billing", "Bug"), "status": ("Closed", "Open"),
             "text": ("Setup was quick", "Too expensive, thinking of switching"), "name": ("Acme Ltd", "Globex"),
             "satisfaction": ("4", "2"), "reopens": ("0", "2"), "replies": ("1", "4"),
             "effort": ("6", "2"), "score": ("9", "3"), "ticket_id": ("T-1", "T-2"),
             "incident_id": ("INC-7", "INC-8"), "affected": ("EMEA", "Enterprise"), "severity": ("SEV1", "SEV3"),
             "title": ("Login outage", "Slow reports")}


def undo_preview(engine: Engine, import_id: int) -> dict[str, int]:
    """What :func:`undo_import` would remove: the rows import ``import_id`` still holds, per data table.

    Raises the errors :func:`undo_import` would raise, so a page can show them before asking to confirm.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
    import_id : int
        An id from the import history.

    Returns
    -------
    dict
        ``{table: rows}`` for ``customer, revenue, activity, ticket, feedback, intervention`` (zeros included;
        all zero when a later replace or the demo reset already removed the import's rows).

    Raises
    ------
    DataValidationError
        No such import, the import was already undone, or rows of other imports refer to customers this
        import created.

    Examples
    --------
    >>> import core
    >>> engine = core.make_engine("sqlite://")
    >>> plan = core.prepare_import(engine, b"customer_id\\nA\\nB\\n", "c.csv", "customers")
    >>> undo_preview(engine, core.commit_import(engine, plan).import_id)["customer"]
    2
    """
    import_id = operator.index(import_id)  # as undo_import
    with engine.connect() as conn:
        _check_undoable(conn, import_id)
        return _rows_of(conn, import_id)


def undo_import(engine: Engine, import_id: int, reason: str | None = None,
                user: str | guard.Actor | None = None) -> dict[str, int]:
    """Remove every row an import loaded, in one transaction, and mark its log entry undone (as ``user``, who
    needs the undo right; audited).

    The entry stays in the import history with the time (UTC) and ``reason``; its id is never given to
    another import. The store's version changes in the same transaction, so no page shows the rows again.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
    import_id : int
        An id from the import history.
    reason : str, optional
        Why the import was undone (kept in the history).
    user : str or core.access.guard.Actor, optional
        Who undoes it (None: ``RETENTION_USER``; a store without accounts: the local admin).

    Raises
    ------
    DataValidationError
        No such import, the import was already undone, or rows of other imports refer to customers this
        import created (undo those first, so no child row is left without its customer). Nothing changes.
    core.access.guard.AccessDenied
        ``user`` may not undo an import. Nothing changes.

    Returns
    -------
    dict
        table -> rows removed.
    """
    actor = guard.require(engine, user, rights.UNDO)
    import_id = operator.index(import_id)  # an id read from a frame (numpy's int64) would bind as no row in SQLite
    reason = (reason or "").strip() or None
    with columnar.Staging(engine) as stage, engine.begin() as conn:
        _check_undoable(conn, import_id)
        stage.remove(import_id)
        removed = {}
        for name in _DATA_TABLES:
            t = TABLES[name].__table__
            removed[name] = conn.execute(delete(t).where(t.c.import_id == import_id)).rowcount
        conn.execute(update(_LOG).where(_LOG.c.id == import_id)
                     .values(undone_at=dt.datetime.now(dt.UTC), undo_reason=reason))
        version.bump(conn)
    guard.done(engine, actor, "undo import", f"import #{import_id}", {"reason": reason, "removed": removed})
    return removed


def _check_undoable(conn, import_id: int) -> None:
    """Raise :class:`DataValidationError` unless ``import_id`` exists, is not undone yet, and created no
    customer that rows of another import still use."""
    entry = conn.execute(select(_LOG.c.undone_at, _LOG.c.undo_reason).where(_LOG.c.id == import_id)).first()
    if entry is None:
        raise DataValidationError(f"There is no import #{import_id} to undo.")
    if entry.undone_at is not None:
        why = f" (reason: {entry.undo_reason})" if entry.undo_reason else ""
        raise DataValidationError(f"Import #{import_id} was already undone on {entry.undone_at:%Y-%m-%d %H:%M} "
                                  f"UTC{why}; its rows are gone and nothing was removed.")
    mine = select(Customer.customer_id).where(Customer.import_id == import_id)
    blockers: dict[int, int] = {}
    for name in _DATA_TABLES[1:]:
        t = TABLES[name].__table__
        rows = conn.execute(select(t.c.import_id, func.count()).where(
            t.c.customer_id.in_(mine), t.c.import_id != import_id).group_by(t.c.import_id)).all()
        for other, n in rows:
            blockers[other] = blockers.get(other, 0) + n
    if blockers:
        listed = ", ".join(f"#{k} ({units.count(v)} rows)" for k, v in sorted(blockers.items()))
        raise DataValidationError(
            f"Import #{import_id} created customers that later imports still use: {listed}. "
            "Undo those imports first; nothing was removed.")


def _rows_of(conn, import_id: int) -> dict[str, int]:
    """Rows per data table that ``import_id`` loaded and the store still holds."""
    out = {}
    for name in _DATA_TABLES:
        t = TABLES[name].__table__
        out[name] = int(conn.execute(select(func.count()).select_from(t).where(t.c.import_id == import_id))
                        .scalar_one())
    return out


def template(kind: str) -> pd.DataFrame:
    """A two-row example table for ``kind``, one column per field, named as the importer expects."""
    if kind not in F.KINDS:
        raise DataValidationError(f"Unknown kind '{kind}'. Choose one of: {', '.join(F.KINDS)}.")
    cols = {}
    for spec in F.KINDS[kind]:
        if kind == "customers" and spec.name in ("tenure", "churned"):
            continue  # snapshot-only fields: a template carries dates instead
        cols[spec.name] = list(_SPECIFIC.get(spec.name, _EXAMPLES[spec.type]))
    if kind == "customers":
        cols["churn_date"] = ["", "2024-06-30"]
        cols["churn_type"] = ["", "voluntary"]
    return pd.DataFrame(cols)


def template_xlsx(kind: str) -> bytes:
    """:func:`template` as an XLSX workbook: the table on sheet ``kind`` and field notes on ``Fields``."""
    buf = io.BytesIO()
    notes = pd.DataFrame([{"field": s.name, "required": "yes" if s.required else "", "type": s.type,
                           "notes": s.help, "also recognised as": ", ".join(s.synonyms[:6])}
                          for s in F.KINDS[kind]])
    with pd.ExcelWriter(buf, engine="xlsxwriter") as xw:
        template(kind).to_excel(xw, sheet_name=kind, index=False)
        notes.to_excel(xw, sheet_name="Fields", index=False)
    return buf.getvalue()
