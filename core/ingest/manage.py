"""Store housekeeping: undo an import, template spreadsheets per import kind."""

from __future__ import annotations

import io

import pandas as pd
from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine

from core.errors import DataValidationError
from core.ingest import fields as F
from core.store import columnar
from core.store.tables import TABLES, Customer, ImportLog

_DATA_TABLES = ("customer", "revenue", "activity", "ticket", "feedback", "intervention")
_EXAMPLES = {
    "key": ("C-1001", "C-1002"), "text": ("Pro", "Basic"), "date": ("2024-01-31", "2024-02-15"),
    "datetime": ("2024-01-31 09:30:00", "2024-02-15 14:05:00"), "number": ("120.50", "80"),
    "flag": ("No", "Yes"), "group": ("treatment", "holdout"), "months": ("12", "3"),
}
_SPECIFIC = {"channel": ("email", "chat"), "metric": ("logins", "reports"), "segment": ("SMB", "Enterprise"),
             "region": ("EMEA", "North America"), "play": ("Onboarding call", "Onboarding call"),
             "priority": ("High", "Low"), "category": ("Billing", "Bug"), "status": ("Closed", "Open"),
             "text": ("Setup was quick", "Too expensive, thinking of switching"), "name": ("Acme Ltd", "Globex"),
             "satisfaction": ("4", "2"), "score": ("9", "3"), "ticket_id": ("T-1", "T-2")}


def undo_import(engine: Engine, import_id: int) -> dict[str, int]:
    """Remove every row an import loaded, and its log entry, in one transaction.

    Raises
    ------
    DataValidationError
        No such import, or rows of other imports refer to customers this import created
        (undo those first, so no child row is left without its customer).

    Returns
    -------
    dict
        table -> rows removed.
    """
    with columnar.Staging(engine) as stage, engine.begin() as conn:
        stage.remove(import_id)
        if conn.execute(select(ImportLog.id).where(ImportLog.id == import_id)).first() is None:
            raise DataValidationError(f"There is no import #{import_id} to undo.")
        mine = select(Customer.customer_id).where(Customer.import_id == import_id)
        blockers = {}
        for name in _DATA_TABLES[1:]:
            t = TABLES[name].__table__
            rows = conn.execute(select(t.c.import_id, func.count()).where(
                t.c.customer_id.in_(mine), t.c.import_id != import_id).group_by(t.c.import_id)).all()
            for other, n in rows:
                blockers[other] = blockers.get(other, 0) + n
        if blockers:
            listed = ", ".join(f"#{k} ({v:,} rows)" for k, v in sorted(blockers.items()))
            raise DataValidationError(
                f"Import #{import_id} created customers that later imports still use: {listed}. "
                "Undo those imports first; nothing was removed.")
        removed = {}
        for name in _DATA_TABLES:
            t = TABLES[name].__table__
            removed[name] = conn.execute(delete(t).where(t.c.import_id == import_id)).rowcount
        conn.execute(delete(ImportLog.__table__).where(ImportLog.__table__.c.id == import_id))
    return removed


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
