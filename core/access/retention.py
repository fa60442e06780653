"""The retention policy for personal data: verbatim text older than N months is masked (the text becomes
:data:`core.access.redaction.MARKER`; its score, date and channel stay) and a churned customer's contact details
(the name, and any e-mail, phone or address attribute) are cleared N days after churn.

The policy is stored as versioned rows (who set it, when; the latest holds): :func:`set_policy` needs the admin's
retention right and is audited. :func:`preview` says what :func:`apply` would change; :func:`apply` changes it in
one transaction, redacts the masked verbatims and cleared names from saved review snapshots (the same narrow path
as an erasure, :mod:`core.access.redaction`), and is audited with its counts. Applying twice changes nothing the
second time.

**Today** is, unless given, the store's last dated day (:attr:`core.store.profile.StoreProfile.last_day`: the latest
signup, churn, revenue period, activity, snapshot as-of day, ticket, verbatim or play, as the Data page and ``python
-m core status`` report it), so a store of past data is aged from where its data ends, like every page; a store
without any date uses the UTC date. The pages' own as-of rule (:func:`core.history.asof.data_end`, which also counts
a revenue month to its last day) sits above :mod:`core.access` in the layering and is not used here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import pandas as pd
from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection, Engine

from core.access import guard, redaction, rights
from core.access.contacts import cleared
from core.errors import DataValidationError
from core.store import version
from core.store.engine import begin_write
from core.store.profile import profile
from core.store.tables import Customer, Feedback, RetentionPolicy, Ticket

#: the most months and days a policy may keep data (100 years)
MAX_MONTHS, MAX_DAYS = 1200, 36500
#: the columns of :func:`history`
HISTORY_COLUMNS = ["at", "user", "verbatim_months", "contact_days"]
_P = RetentionPolicy.__table__


@dataclass(frozen=True)
class Policy:
    """``verbatim_months``: verbatims older than this are masked; ``contact_days``: contact details of customers
    who churned at least this many days ago are cleared. None: that part is off."""

    verbatim_months: int | None = None
    contact_days: int | None = None

    def __post_init__(self):
        for name, top, low in (("verbatim_months", MAX_MONTHS, 1), ("contact_days", MAX_DAYS, 0)):
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or not low <= v <= top):
                what = "months" if name == "verbatim_months" else "days"
                raise DataValidationError(f"The retention period must be a whole number of {what} from {low} to "
                                          f"{top}, not {v!r}.")

    @property
    def off(self) -> bool:
        return self.verbatim_months is None and self.contact_days is None

    def describe(self) -> str:
        """The policy in plain words."""
        parts = [f"verbatim text older than {self.verbatim_months} months is masked" if self.verbatim_months
                 else "verbatim text is kept", f"contact details are cleared {self.contact_days} days after churn"
                 if self.contact_days is not None else "contact details are kept"]
        return "; ".join(parts)


def policy(engine: Engine) -> Policy:
    """The policy in force (the latest set); everything off when none was set."""
    with engine.connect() as conn:
        row = conn.execute(select(_P.c.verbatim_months, _P.c.contact_days).order_by(_P.c.id.desc()).limit(1)).first()
    return Policy() if row is None else Policy(row.verbatim_months, row.contact_days)


def history(engine: Engine) -> pd.DataFrame:
    """Every policy set, newest first: :data:`HISTORY_COLUMNS` (``at`` in UTC)."""
    with engine.connect() as conn:
        rows = conn.execute(select(*[_P.c[c] for c in HISTORY_COLUMNS]).order_by(_P.c.id.desc())).all()
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)


def set_policy(engine: Engine, new: Policy, user: str | guard.Actor | None = None) -> Policy:
    """Store ``new`` as the policy in force, as ``user``, who needs the retention right (an admin's); audited.

    Raises
    ------
    core.access.guard.AccessDenied
        ``user`` may not set the retention policy; nothing changes.
    """
    actor = guard.require(engine, user, rights.RETENTION)
    before = policy(engine)
    with engine.begin() as conn:
        conn.execute(_P.insert().values(verbatim_months=new.verbatim_months, contact_days=new.contact_days,
                                        at=dt.datetime.now(dt.UTC), user=actor.name))
    guard.done(engine, actor, "set retention policy", "retention policy", {"before": asdict(before),
                                                                          "after": asdict(new)})
    return new


def today_of(engine: Engine) -> dt.date:
    """The day the policy measures ages from: the store's last dated day (see the module), else the UTC date."""
    return profile(engine).last_day or dt.datetime.now(dt.UTC).date()


def _cutoffs(p: Policy, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """(verbatims dated before this are masked, customers churned on or before this are cleared)."""
    verbatim = (pd.Timestamp(today) - pd.DateOffset(months=p.verbatim_months)).date() if p.verbatim_months else None
    contact = today - dt.timedelta(days=p.contact_days) if p.contact_days is not None else None
    return verbatim, contact


def _expired(conn: Connection, cutoff: dt.date | None) -> dict[str, tuple]:
    """table -> (table, condition, texts) of the verbatims to mask (none when the verbatim part is off)."""
    if cutoff is None:
        return {}
    f, t = Feedback.__table__, Ticket.__table__
    found = {}
    for table, when in ((f, f.c.date < cutoff), (t, t.c.opened < dt.datetime.combine(cutoff, dt.time()))):
        cond = when & table.c.text.is_not(None) & (table.c.text != redaction.MARKER)
        found[table.name] = (table, cond, conn.execute(select(table.c.text).where(cond)).scalars().all())
    return found


def _contacts(conn: Connection, cutoff: dt.date | None) -> list[tuple[str, dict | None, str | None]]:
    """(customer id, attributes without contact details, name cleared) of the customers to clear."""
    if cutoff is None:
        return []
    c = Customer.__table__
    rows = conn.execute(select(c.c.customer_id, c.c.name, c.c.attributes).where(c.c.churn_date <= cutoff)).all()
    out = []
    for cid, name, attrs in rows:
        kept = cleared(attrs)
        if name is not None or kept != attrs:
            out.append((cid, kept, name))
    return out


def _undated(conn: Connection) -> int:
    f, t = Feedback.__table__, Ticket.__table__
    return sum(int(conn.execute(select(func.count()).select_from(x).where(w.is_(None), x.c.text.is_not(None),
                                                                          x.c.text != redaction.MARKER)).scalar_one())
               for x, w in ((f, f.c.date), (t, t.c.opened)))


def _plan(conn: Connection, p: Policy, today: dt.date) -> tuple[dict, list, dict]:
    verbatim, contact = _cutoffs(p, today)
    expired, people = _expired(conn, verbatim), _contacts(conn, contact)
    counts = {"today": today.isoformat(), "verbatims before": verbatim.isoformat() if verbatim else None,
              "churned on or before": contact.isoformat() if contact else None,
              "feedback verbatims masked": len(expired.get("feedback", (0, 0, []))[2]),
              "ticket texts masked": len(expired.get("ticket", (0, 0, []))[2]),
              "customers' contact details cleared": len(people), "undated verbatims kept": _undated(conn)}
    return expired, people, counts


def _personal(expired: dict, people: list) -> list[str]:
    return [x for _, _, texts in expired.values() for x in texts] + [name for _, _, name in people if name]


def preview(engine: Engine, p: Policy | None = None, today: dt.date | None = None) -> dict:
    """What :func:`apply` would change with ``p`` (default: the policy in force) on ``today`` (default:
    :func:`today_of`): ``today``, the cut-off days (ISO text, None for a part that is off) and the counts of
    verbatims masked, contact details cleared, undated verbatims kept and snapshots redacted. Needs no right."""
    p = policy(engine) if p is None else p
    today = today or today_of(engine)
    with engine.connect() as conn:
        expired, people, counts = _plan(conn, p, today)
        counts["snapshots redacted"] = len(redaction.affected(conn, _personal(expired, people)))
    return counts


def apply(engine: Engine, user: str | guard.Actor | None = None, today: dt.date | None = None) -> dict:
    """Apply the policy in force on ``today`` (default :func:`today_of`), as ``user``, who needs the retention
    right; one transaction, audited with the counts :func:`preview` gives. A second run changes nothing.

    Raises
    ------
    core.access.guard.AccessDenied
        ``user`` may not apply the policy; nothing changes.
    DataValidationError
        No policy is set (or every part of it is off); nothing changes.
    """
    actor = guard.require(engine, user, rights.RETENTION)
    p = policy(engine)
    if p.off:
        raise DataValidationError("There is no retention policy to apply: an admin sets one first "
                                  "(python -m core retention set --verbatim-months N --contact-days N).")
    today = today or today_of(engine)
    redaction.install(engine)
    with begin_write(engine) as conn:
        expired, people, counts = _plan(conn, p, today)
        for table, cond, _ in expired.values():
            conn.execute(update(table).where(cond).values(text=redaction.MARKER))
        c = Customer.__table__
        for cid, attrs, _ in people:
            conn.execute(update(c).where(c.c.customer_id == cid).values(name=None, attributes=attrs))
        snapshots = redaction.redact(conn, _personal(expired, people))
        if people or any(texts for _, _, texts in expired.values()):
            version.bump(conn)
    counts["snapshots redacted"] = len(snapshots)
    guard.done(engine, actor, "apply retention policy", "retention policy", {"policy": asdict(p), **counts})
    return counts
