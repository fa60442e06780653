"""SQLModel tables of the retention store.

One key ties everything together: ``customer_id`` (text, as the source spells it,
so zero-padded ids such as CDNOW's ``00001`` survive). Every data row records the
``import_id`` that loaded it, so an import can be traced and undone. Columns that an
upload carried but the schema does not name are kept in ``attributes`` (JSON).

One piece: the whole schema in one module, so that importing it registers every table before
:func:`core.store.engine.init_db` creates them and the erasure finds every table with a customer id.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, Integer, LargeBinary, TypeDecorator, text
from sqlalchemy.dialects.sqlite.base import SQLiteDialect
from sqlmodel import Field, SQLModel


class BigId(TypeDecorator):
    """The id of a table whose rows can pass 2^31 (activity, revenue lines, scores): 64-bit, except on SQLite (and
    any dialect built on it), whose INTEGER PRIMARY KEY is already 64-bit and the only kind that numbers rows by
    itself."""

    impl = BigInteger
    cache_ok = True

    def load_dialect_impl(self, dialect):
        return dialect.type_descriptor(Integer() if isinstance(dialect, SQLiteDialect) else BigInteger())


BIG_ID = BigId()


class Customer(SQLModel, table=True):
    customer_id: str = Field(primary_key=True)
    name: str | None = None
    segment: str | None = Field(default=None, index=True)
    plan: str | None = None
    region: str | None = None
    channel: str | None = None  # acquisition channel
    signup_date: dt.date | None = Field(default=None, index=True)
    churn_date: dt.date | None = Field(default=None, index=True)  # empty while active
    churn_type: str | None = None  # voluntary / involuntary, when known
    renewal_date: dt.date | None = None
    attributes: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    import_id: int | None = Field(default=None, index=True)


class Revenue(SQLModel, table=True):
    __table_args__ = (Index("ix_revenue_customer_period", "customer_id", "period"),)
    id: int | None = Field(default=None, primary_key=True, sa_type=BIG_ID)
    customer_id: str
    period: dt.date = Field(index=True)  # month start for recurring revenue, day for a sale
    mrr: float | None = None  # recurring amount for the period
    amount: float | None = None  # one-off transaction amount
    payment_failed: bool | None = None  # the payment for this period failed (dunning); empty when not known
    # a line-item log's order or invoice id, as written ("C536379"), and whether the line is a return (cancelled,
    # refunded or negative; its amount is negative and it is never a purchase). Empty for other revenue.
    order_id: str | None = None
    is_return: bool | None = None
    attributes: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    import_id: int | None = Field(default=None, index=True)


#: the activity rows that are purchases (core.buyers.purchases.PURCHASE_METRIC): a purchase log is read through
#: :data:`PURCHASES_ONLY`, a partial index holding those rows alone, so a store without any (a recurring book's
#: millions of usage rows) answers "no purchases" without reading its activity
PURCHASE = "purchase"
PURCHASES_ONLY = text(f"metric = '{PURCHASE}'")


class Activity(SQLModel, table=True):
    __table_args__ = (Index("ix_activity_customer_date", "customer_id", "date"),
                      Index("ix_activity_purchase", "customer_id", "date", sqlite_where=PURCHASES_ONLY,
                            postgresql_where=PURCHASES_ONLY))
    id: int | None = Field(default=None, primary_key=True, sa_type=BIG_ID)
    customer_id: str
    date: dt.date = Field(index=True)
    metric: str
    value: float
    attributes: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    import_id: int | None = Field(default=None, index=True)


class Ticket(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True, sa_type=BIG_ID)
    ticket_id: str | None = None
    customer_id: str | None = Field(default=None, index=True)
    # Ticket times are wall-clock times as the help desk exported them (no time zone).
    opened: dt.datetime | None = Field(default=None, index=True, sa_type=DateTime)
    first_response: dt.datetime | None = Field(default=None, sa_type=DateTime)
    resolved: dt.datetime | None = Field(default=None, sa_type=DateTime)
    priority: str | None = None
    category: str | None = None
    channel: str | None = None
    status: str | None = None
    satisfaction: float | None = None
    reopens: float | None = None  # times the ticket was reopened
    replies: float | None = None  # agent replies before it was resolved
    first_contact: bool | None = None  # the help desk's own flag: resolved at first contact
    effort: float | None = None  # the customer effort score (CES, 1-7, higher = easier) given to the ticket
    text: str | None = None  # subject or description: a verbatim like any survey comment
    attributes: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    import_id: int | None = Field(default=None, index=True)


class Feedback(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True, sa_type=BIG_ID)
    customer_id: str | None = Field(default=None, index=True)
    date: dt.date | None = Field(default=None, index=True)
    channel: str  # nps, csat, ces, review, social, support, ...
    score: float | None = None
    text: str | None = None
    status: str | None = None  # follow-up state of the verbatim: open, in progress, closed
    followed_up: dt.date | None = None  # the day the customer was first followed up (called, written back to)
    closed: dt.date | None = None  # the day the follow-up was closed (cleared when it is reopened)
    reopens: float | None = None  # times the follow-up was reopened after it was closed
    attributes: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    import_id: int | None = Field(default=None, index=True)


class Intervention(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True, sa_type=BIG_ID)
    customer_id: str = Field(index=True)
    play: str
    channel: str | None = None
    date: dt.date = Field(index=True)
    group: str  # "treatment" or "holdout"
    cost: float | None = None
    attributes: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    import_id: int | None = Field(default=None, index=True)


class Incident(SQLModel, table=True):
    """One row per incident and what it hit: an affected customer, or a segment, plan or region (``affected``), or
    neither (every customer)."""

    id: int | None = Field(default=None, primary_key=True, sa_type=BIG_ID)
    incident_id: str | None = None
    customer_id: str | None = Field(default=None, index=True)
    affected: str | None = None
    # Wall-clock times as the status page or incident tool exported them (no time zone), like a ticket's.
    start: dt.datetime = Field(sa_type=DateTime)
    end: dt.datetime | None = Field(default=None, sa_type=DateTime)
    severity: str | None = None
    title: str | None = None
    attributes: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    import_id: int | None = Field(default=None, index=True)


class ImportLog(SQLModel, table=True):
    # AUTOINCREMENT: an id is never given again, even if its row went (new stores; undo keeps the row anyway)
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    file_name: str
    sha256: str = Field(index=True)
    kind: str
    mode: str  # append / replace
    strict: bool
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    mapping: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    tables: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    started_at: dt.datetime  # UTC
    finished_at: dt.datetime  # UTC
    undone_at: dt.datetime | None = None  # UTC; set by core.ingest.manage.undo_import, which keeps the entry
    undo_reason: str | None = None


class StoreState(SQLModel, table=True):
    """The store's version (:mod:`core.store.version`): one row, changed in the transaction of every import,
    undo and demo load, so a cache keyed by it never serves data from before a change."""

    __tablename__ = "store_state"
    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    version: int = 0  # counts the changes
    token: str = ""  # random, new with every change: a restored or recreated store never repeats a version


class ChurnRun(SQLModel, table=True):
    """A saved churn model: its version, its model card and the fitted model itself."""

    version: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime  # UTC
    kind: str  # logistic / boosting
    source: str  # temporal / snapshot
    horizon_days: int
    scored_at: dt.date  # the day today's scores describe
    data_version: str  # store version (core.store.version) the model was fitted on
    threshold: float  # the high-risk threshold chosen from the economics
    card: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    model: bytes | None = Field(default=None, sa_column=Column(LargeBinary))  # joblib of ChurnModel


class ChurnScore(SQLModel, table=True):
    """One customer's churn score from one saved model (read by the other pages)."""

    id: int | None = Field(default=None, primary_key=True, sa_type=BIG_ID)
    version: int = Field(index=True)
    customer_id: str = Field(index=True)
    probability: float  # calibrated probability of churn within the horizon
    tier: str  # high risk / medium risk / low risk (core.churn.pipeline.TIERS)
    top_driver: str | None = None  # the feature pushing this customer's risk up the most
    top_controllable: str | None = None  # the controllable feature pushing it up the most


#: table name -> model, in the order ``status`` reports them
TABLES: dict[str, type[SQLModel]] = {
    "customer": Customer,
    "revenue": Revenue,
    "activity": Activity,
    "ticket": Ticket,
    "feedback": Feedback,
    "intervention": Intervention,
    "incident": Incident,
    "importlog": ImportLog,
}


class HealthConfigVersion(SQLModel, table=True):
    """A saved health-score configuration (never changed once saved; a change is a new version)."""

    __tablename__ = "healthconfig"
    version: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime  # UTC
    author: str
    reason: str
    parent: int | None = None  # the version it was edited from
    config: dict[str, Any] = Field(sa_column=Column(JSON))  # HealthConfig.to_dict()


class PlaybookVersion(SQLModel, table=True):
    """A saved playbook (core.plays.book_store): its triggers and guards, never changed once saved; an edit is a new
    version naming its parent."""

    __tablename__ = "playbook"
    version: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime  # UTC
    author: str
    reason: str
    parent: int | None = None
    book: dict[str, Any] = Field(sa_column=Column(JSON))  # Playbook.to_dict()


class PlayRun(SQLModel, table=True):
    """One playbook run (core.plays.record): the day its signals were read, the seed of its holdout draw, the
    playbook as run, who ran it, and the import that logged its queued actions (both arms) as play contacts."""

    __tablename__ = "playrun"
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime  # UTC
    as_of: dt.date = Field(index=True)
    seed: int
    book_version: int | None = None  # the saved playbook's version; None for a file's playbook
    book: dict[str, Any] = Field(sa_column=Column(JSON))  # Playbook.to_dict() as run
    author: str
    import_id: int | None = None  # the interventions import of its contacts; None when it queued nothing
    counts: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class PlayAction(SQLModel, table=True):
    """One action of a playbook run (core.plays.queue.QUEUE_COLUMNS): queued (in the treatment or holdout arm),
    held back by a guard, or merged into another; never changed once saved."""

    __tablename__ = "playaction"
    id: int | None = Field(default=None, primary_key=True, sa_type=BIG_ID)
    run_id: int = Field(index=True)
    customer_id: str = Field(index=True)
    segment: str | None = None
    tier: str | None = None
    trigger: str
    play: str
    owner: str
    channel: str
    due: dt.date
    reason: str
    priority: int
    status: str  # queued, held back, merged
    guard: str | None = None  # core.plays.guards.GUARDS
    held_back: str | None = None
    arm: str | None = None  # treatment or holdout, for a queued action
    note: str | None = None
    merged: str | None = None


class PlayResult(SQLModel, table=True):
    """What came of a playbook action, from a contact log (core.plays.results): done, reached or failed. Never
    changed; a later result for the same action is a new row, and the latest one holds."""

    __tablename__ = "playresult"
    id: int | None = Field(default=None, primary_key=True, sa_type=BIG_ID)
    action_id: int = Field(index=True)  # playaction.id
    run_id: int = Field(index=True)
    customer_id: str = Field(index=True)
    result: str  # done, reached, failed
    date: dt.date | None = None  # when, as the log says
    recorded_at: dt.datetime  # UTC
    file_name: str
    sha256: str = Field(index=True)


class LapseSetting(SQLModel, table=True):
    """A saved lapse period N for the store's buyers without a contract (core.buyers.lapse_setting): churn = no
    purchase within N days, on every page, the CLI and the review. Never changed once saved; a change is a new row."""

    __tablename__ = "lapsesetting"
    id: int | None = Field(default=None, primary_key=True)
    days: int
    created_at: dt.datetime  # UTC
    author: str
    reason: str


class ThemeRecord(SQLModel, table=True):
    """One theme of the feedback codebook (:class:`core.feedback.codebook.Theme`); ids are never reused."""

    __tablename__ = "theme"
    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    name: str
    keywords: list[str] = Field(sa_column=Column(JSON))
    exclude: list[str] = Field(sa_column=Column(JSON))
    negation: str = "ignore"
    parent: int | None = None
    team: str
    status: str = "active"  # active, merged, retired
    merged_into: int | None = None
    description: str = ""
    # rules of themes merged into this one: [{"keywords": [...], "exclude": [...], "negation": ...}]
    merged_rules: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    updated_at: dt.datetime  # UTC


class ThemeChange(SQLModel, table=True):
    """The codebook's change log: create, rename, edit, merge, split, retire."""

    __tablename__ = "themechange"
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime  # UTC
    action: str
    theme_ids: list[int] = Field(sa_column=Column(JSON))
    detail: str
    author: str
    reason: str = ""


class ReviewSnapshot(SQLModel, table=True):
    """A quarterly review pack (core.review.snapshot): never changed once saved (triggers refuse updates
    and deletes)."""

    id: int | None = Field(default=None, primary_key=True)
    quarter: str = Field(index=True)  # 2026-Q3
    as_of: dt.date
    created_at: dt.datetime  # UTC
    data_hash: str  # core.review.snapshot.data_fingerprint
    params: dict[str, Any] = Field(sa_column=Column(JSON))
    versions: dict[str, Any] = Field(sa_column=Column(JSON))
    figures: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))


class SnapshotRedaction(SQLModel, table=True):
    """A one-time permit to redact one saved review snapshot (core.access.redaction): the exact new JSON the
    snapshot may take. The snapshot's update trigger lets an UPDATE through only when its new content equals a
    permit's; the permit is written, used and deleted in one transaction by an audited erasure or retention run."""

    __tablename__ = "snapshotredaction"
    id: int | None = Field(default=None, primary_key=True)
    snapshot_id: int = Field(index=True)
    params: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    versions: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    figures: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))


class ReviewDecision(SQLModel, table=True):
    """One revision of a decision a review board took on a snapshot (core.review.log). Rows are never changed:
    a new status, owner or due date is a new revision of the same ``number``."""

    id: int | None = Field(default=None, primary_key=True)
    snapshot_id: int = Field(index=True)
    number: int  # the decision's number within its snapshot (1, 2, ...)
    revision: int  # 1 for the decision as taken, then one per change
    decision: str
    owner: str
    rationale: str = ""
    due: dt.date | None = None
    status: str = "open"  # core.review.log.STATUSES
    recorded_at: dt.datetime  # UTC
    author: str = ""


class ReviewAssumption(SQLModel, table=True):
    """An assumption a board recorded beside a snapshot (core.review.log); never changed once saved."""

    id: int | None = Field(default=None, primary_key=True)
    snapshot_id: int = Field(index=True)
    name: str
    value: float
    unit: str = ""
    owner: str = ""
    source: str = ""  # where the figure comes from, or why it was chosen
    recorded_at: dt.datetime  # UTC


class User(SQLModel, table=True):
    """A local account (core.access.users): the password only as an Argon2 hash; never deleted, disabled instead."""

    __tablename__ = "user"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    role: str  # core.access.rights.ROLES
    password_hash: str
    created_at: dt.datetime  # UTC
    disabled_at: dt.datetime | None = None  # UTC; set once, the account can no longer act


class AuditEntry(SQLModel, table=True):
    """Who did what and when (core.access.audit): append-only (triggers refuse an update or a delete)."""

    __tablename__ = "auditentry"
    id: int | None = Field(default=None, primary_key=True, sa_type=BIG_ID)
    at: dt.datetime = Field(index=True)  # UTC
    user: str
    role: str
    action: str
    target: str = ""
    detail: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class RetentionPolicy(SQLModel, table=True):
    """The retention policy for personal data (core.access.retention): a change is a new row, the latest one holds.
    Empty months or days: that part of the policy is off."""

    __tablename__ = "retentionpolicy"
    id: int | None = Field(default=None, primary_key=True)
    verbatim_months: int | None = None  # verbatim text older than this many months is masked
    contact_days: int | None = None  # a churned customer's contact details are cleared this many days after churn
    at: dt.datetime  # UTC
    user: str


class AccessSetting(SQLModel, table=True):
    """The roles besides admin that may see per-customer churn scores and risk lists (core.access.rights); a
    change is a new row, the latest one holds."""

    __tablename__ = "accesssetting"
    id: int | None = Field(default=None, primary_key=True)
    risk_list_roles: list[str] = Field(sa_column=Column(JSON))
    at: dt.datetime  # UTC
    user: str
