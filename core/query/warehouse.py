"""A company's warehouse as a read-only source: ``RETENTION_WAREHOUSE_URL`` (any backend Ibis connects to:
``postgres://``, ``duckdb://``, ``snowflake://``, ``bigquery://``, ``databricks://`` ...) and
``RETENTION_WAREHOUSE_MAP``, a TOML file naming the company's tables and columns for the workbench's fields::

    [customers]
    table = "crm.accounts"        # schema.table (or just table)
    customer_id = "account_id"
    signup_date = "created_at"    # a date or a timestamp (the day is used)
    churn_date = "cancelled_at"   # optional; empty while active
    segment = "tier"              # optional: segment, plan, region, channel
    name = "account_name"         # optional: the name the action lists show

    [activity]
    table = "analytics.events"
    customer_id = "user_id"
    date = "event_time"
    value = "duration_minutes"    # optional: the row's amount (usage features); 1 per row when not mapped

    [revenue]                     # optional: recurring revenue, for the revenue measures
    table = "billing.invoices"
    customer_id = "account_id"
    period = "invoice_month"      # the month the revenue is for (a date in it); a sale's day
    mrr = "mrr"                   # mrr, amount or both
    payment_failed = "failed"     # optional: true when the period's payment failed (the models' failed payments)
    amount = "amount"             # optional: a sale's amount, on rows without MRR (a return's is negative)
    is_return = "returned"        # optional: true on a return or cancelled line (never a purchase)
    id = "invoice_no"             # optional: orders two rows of one period (the later is the latest)

    [purchases]                   # optional: a purchase log's purchases (the Overview's buyer figures)
    table = "shop.orders"
    customer_id = "customer_id"
    date = "ordered_at"           # a date or a timestamp (the day is used)

    [tickets]                     # optional: support tickets (the models' ticket features)
    table = "support.tickets"
    customer_id = "account_id"
    opened = "created_at"         # a timestamp
    resolved = "closed_at"        # optional; empty while open
    text = "description"          # optional: the ticket's text (Feedback themes); satisfaction (a number), status
    id = "ticket_no"              # optional, a whole number: the ticket's id

    [feedback]                    # optional: survey answers (NPS and CSAT; CES for the health scores)
    table = "cx.survey_answers"
    customer_id = "account_id"
    date = "answered_at"
    score = "rating"
    channel = "survey_type"       # nps, csat or ces in any case; or survey = "nps" when the table holds one survey
    id = "answer_no"              # optional: orders two answers of one day (the later is the latest)
    text = "comment"              # optional: the answer's text (Feedback themes); status: its follow-up status

    [contacts]                    # optional: the plays' contacts and holdouts (python -m core roi)
    table = "marketing.outreach"
    customer_id = "account_id"
    play = "campaign"
    date = "sent_at"
    arm = "arm"                   # treatment (or the arm's name) or holdout
    channel = "medium"            # optional
    cost = "cost_usd"             # optional: a number
    id = "touch_id"               # optional, a whole number: the contact's id
    columns = "responded, spend"  # optional: the play's own columns (numbers, or yes/no), outcomes the page offers

The warehouse is only read: every aggregation runs there as a query and only its small result comes back. The
cohort table writes nothing to it (not even a temporary table: the customers come from its own table); the models'
features send the customers and the cutoffs as small tables (Ibis memtables), which PostgreSQL holds as temporary
tables for the session. App state (imports, models, configurations, snapshots, decisions, users) stays in the store.
"""

from __future__ import annotations

import functools
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import ibis
import ibis.expr.types as ir

from core.errors import DataValidationError, EngineError, WorkbenchError
from core.query.sources import CUSTOMER_COLUMNS, Source

URL_ENV = "RETENTION_WAREHOUSE_URL"
MAP_ENV = "RETENTION_WAREHOUSE_MAP"
#: per table of the mapping: (fields it must name, fields it may name)
FIELDS = {"customers": (("table", "customer_id", "signup_date"), ("churn_date", "segment", "plan", "region",
                                                                   "channel", "name")),
          "activity": (("table", "customer_id", "date"), ("value",)),
          "revenue": (("table", "customer_id", "period"), ("mrr", "payment_failed", "amount", "is_return", "id")),
          "tickets": (("table", "customer_id", "opened"), ("resolved", "text", "satisfaction", "status", "id")),
          "feedback": (("table", "customer_id", "date", "score"), ("channel", "survey", "id", "text", "status")),
          "contacts": (("table", "customer_id", "play", "date", "arm"), ("channel", "cost", "id", "columns")),
          "purchases": (("table", "customer_id", "date"), ())}
#: how each field is read, whatever the warehouse's own type (ids and names as text)
_CASTS = {"signup_date": "date", "churn_date": "date", "date": "date", "period": "date",
          "opened": "timestamp", "resolved": "timestamp",
          "value": "float64", "mrr": "float64", "amount": "float64", "score": "float64", "cost": "float64",
          "satisfaction": "float64",
          "payment_failed": "boolean", "is_return": "boolean", "id": "int64"}
#: the fields that hold a value written in the mapping file, not a column's name
_VALUES = ("table", "survey", "columns")
_SURVEYS = ("nps", "csat", "ces")


@dataclass(frozen=True)
class Mapping:
    """The company's table and column for each workbench field: ``tables[name][field] = column``."""

    tables: dict[str, dict[str, str]]
    path: Path


def read_mapping(path: str | Path) -> Mapping:
    """Read and check a mapping file.

    Raises
    ------
    DataValidationError
        The file is missing or not TOML, a table or field is unknown, a required field is missing or a value is
        not text; the message names the key and says what to write.
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise DataValidationError(f"The warehouse mapping file {path} cannot be read ({e.strerror}): set "
                                  f"{MAP_ENV} to the path of a TOML file (see the README).") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise DataValidationError(f"The warehouse mapping file {path} is not valid TOML: {e}.") from None
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        raise DataValidationError(f"The mapping file {path} has a section [{unknown[0]}]: the sections are "
                                  f"{', '.join('[' + k + ']' for k in FIELDS)}.")
    if "customers" not in raw:
        raise DataValidationError(f"The mapping file {path} has no [customers] section: name the table of your "
                                  "customers and its customer_id and signup_date columns.")
    return Mapping({name: _section(path, name, section) for name, section in raw.items()}, path)


def _section(path: Path, name: str, section) -> dict[str, str]:
    required, optional = FIELDS[name]
    if not isinstance(section, dict):
        raise DataValidationError(f"In {path}, [{name}] must be a section of keys (table = \"...\", ...).")
    for key in required:
        if key not in section:
            raise DataValidationError(f"In {path}, [{name}] has no {key}: add {key} = \"...\" (the "
                                      f"{'table' if key == 'table' else 'column'} holding it).")
    for key, value in section.items():
        if key not in required + optional:
            raise DataValidationError(f"In {path}, [{name}] has a key {key}: the keys are "
                                      f"{', '.join(required + optional)}.")
        if not isinstance(value, str) or not value.strip():
            raise DataValidationError(f"In {path}, [{name}] {key} must be a name in quotes, e.g. {key} = \"...\".")
    if name == "feedback" and ("channel" in section) == ("survey" in section):
        raise DataValidationError(f"In {path}, [feedback] needs one of channel (the column saying nps, csat or ces) or "
                                  "survey = \"nps\" (or \"csat\", \"ces\") when the table holds one survey's answers.")
    if name == "revenue" and "mrr" not in section and "amount" not in section:
        raise DataValidationError(f"In {path}, [revenue] needs mrr (the column of monthly recurring revenue), amount "
                                  "(a sale's amount) or both.")
    if "survey" in section and section["survey"].strip().lower() not in _SURVEYS:
        raise DataValidationError(f"In {path}, [feedback] survey = \"{section['survey'].strip()}\": the surveys "
                                  f"the models read are {', '.join(_SURVEYS[:-1])} and {_SURVEYS[-1]}.")
    taken = [c for c in own_columns(section) if c in required + optional + ("group", "attributes")]
    if taken:
        raise DataValidationError(f"In {path}, [{name}] columns names {taken[0]}, a name the workbench gives a field: "
                                  f"leave it out of columns, or map a view that renames it.")
    return {k: v.strip() for k, v in section.items()}


def own_columns(fields: dict[str, str]) -> list[str]:
    """The columns a section's ``columns = "a, b"`` names (the plays' own outcomes and values), in order."""
    return [c.strip() for c in fields.get("columns", "").split(",") if c.strip()]


def connect(url: str, mapping: Mapping) -> Source:
    """The warehouse at ``url`` as a :class:`~core.query.sources.Source`, its tables read through ``mapping``.

    Raises
    ------
    DataValidationError
        The warehouse cannot be reached, or a mapped table or column does not exist there.
    """
    try:
        con = ibis.connect(url)
    except Exception as e:  # every backend raises its own driver's errors: one line, the cause named
        raise DataValidationError(f"The warehouse at {safe_url(url)} cannot be reached: {_first_line(e)}. Check "
                                  f"{URL_ENV}.") from None
    customers = _mapped(con, mapping, "customers")
    activity, revenue, tickets, feedback, contacts, purchases = (
        _mapped(con, mapping, t) if t in mapping.tables else None
        for t in ("activity", "revenue", "tickets", "feedback", "contacts", "purchases"))
    return Source(f"the warehouse ({con.name}), through {mapping.path.name}", con, activity, customers, revenue,
                  tickets, feedback, contacts, purchases)


def configured() -> Source | None:
    """The warehouse set by ``RETENTION_WAREHOUSE_URL`` and ``RETENTION_WAREHOUSE_MAP``, or None when no URL is set.

    Raises
    ------
    DataValidationError
        A URL without a mapping file, or any refusal of :func:`read_mapping` and :func:`connect`.
    """
    url = os.environ.get(URL_ENV, "").strip()
    if not url:
        return None
    path = os.environ.get(MAP_ENV, "").strip()
    if not path:
        raise DataValidationError(f"{URL_ENV} is set but {MAP_ENV} is not: point it at the mapping file of your "
                                  "tables and columns (see the README).")
    return connect(url, read_mapping(path))


def identity() -> tuple | None:
    """What names the configured warehouse, for a cache of its answers: the URL and the mapping file's path, size
    and modification time (an edited mapping connects again); None when no URL is set."""
    url = os.environ.get(URL_ENV, "").strip()
    if not url:
        return None
    path = os.environ.get(MAP_ENV, "").strip()
    try:
        stat = os.stat(path) if path else None
    except OSError:
        stat = None  # :func:`configured` says what is wrong with it
    return url, path, None if stat is None else (stat.st_size, stat.st_mtime_ns)


def _mapped(con, mapping: Mapping, name: str) -> ir.Table:
    """The mapped table with the workbench's field names, ids as text and dates as dates."""
    fields = mapping.tables[name]
    schema, _, table = fields["table"].rpartition(".")
    try:
        t = con.table(table, database=schema or None)
    except Exception as e:  # the backend's own "no such table" error
        raise DataValidationError(f"The warehouse has no table {fields['table']} ([{name}] table in "
                                  f"{mapping.path.name}): {_first_line(e)}.") from None
    missing = [f"{k} = \"{v}\"" for k, v in fields.items() if k not in _VALUES and v not in t.columns]
    missing += [f"columns = \"{c}\"" for c in own_columns(fields) if c not in t.columns]
    if missing:
        raise DataValidationError(f"Table {fields['table']} has no column {missing[0].split(' = ')[1]} "
                                  f"([{name}] {missing[0]} in {mapping.path.name}); its columns are "
                                  f"{', '.join(t.columns)}.")
    _check_types(t, fields, name, mapping.path.name)
    out = {key: t[column].cast(_CASTS.get(key, "string")) for key, column in fields.items() if key not in _VALUES}
    out |= {c: t[c] for c in own_columns(fields)}  # as they are: numbers, flags or yes/no text (read as the store's)
    if name == "customers":
        for key in CUSTOMER_COLUMNS:
            out.setdefault(key, ibis.null("date"))
    elif name == "activity":
        out.setdefault("value", ibis.literal(1.0))
    elif name == "revenue":
        out.setdefault("mrr", ibis.null("float64"))
    elif name == "tickets":
        out.setdefault("resolved", ibis.null("timestamp"))
    elif name == "feedback" and "survey" in fields:
        out["channel"] = ibis.literal(fields["survey"].lower())
    return t.select(**out)


#: the fields whose column must already be of a kind (a text id or flag would fail only when a query runs)
_KINDS = {"id": ("is_integer", "a whole number"), "payment_failed": ("is_boolean", "true or false"),
          "is_return": ("is_boolean", "true or false"),
          "score": ("is_numeric", "a number"), "cost": ("is_numeric", "a number"),
          "satisfaction": ("is_numeric", "a number")}


def _check_types(t: ir.Table, fields: dict[str, str], name: str, file: str) -> None:
    """Refuse a mapped column whose type cannot hold its field (:data:`_KINDS`), naming the key and the fix."""
    for key, (test, kind) in _KINDS.items():
        if key in fields and not getattr(t[fields[key]].type(), test)():
            hint = " (or leave id out)" if key == "id" else ""
            raise DataValidationError(f"Column {fields[key]} of {fields['table']} is {t[fields[key]].type()}, but "
                                      f"[{name}] {key} must be {kind} ({file}): map another column{hint}.")


def answered(f):
    """``f`` with the warehouse's own failures (its server gone, a mapped column it cannot read as the field, e.g. a
    date kept as text that is not a date) as one plain :class:`~core.errors.EngineError`, never the driver's trace."""
    @functools.wraps(f)
    def asked(*args, **kwargs):
        try:
            return f(*args, **kwargs)
        except WorkbenchError:
            raise
        except Exception as e:  # every backend raises its own driver's errors
            raise EngineError(f"The warehouse could not answer ({_first_line(e)}). Check that it is reachable and "
                              "that each column the mapping file names holds its field (dates as dates, amounts as "
                              "numbers).") from None
    return asked


def safe_url(url: str) -> str:
    """``url`` without its password."""
    scheme, sep, rest = url.partition("://")
    creds, at, host = rest.rpartition("@")
    return f"{scheme}{sep}{creds.split(':')[0]}{at}{host}" if at else url


def _first_line(e: Exception) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]
