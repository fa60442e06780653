"""A company's warehouse for the tests: the store's business in the company's own shape (its schemas, table and
column names, timestamps at odd hours, columns the workbench does not read) and the mapping file that reads it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import core
from core.cli.main import main as cli
from core.demo.load import load_demo
from core.query import warehouse
from core.store import columnar
from core.store.read import load_columns

MAPPING = """
[customers]
table = "crm.accounts"
customer_id = "account_id"
signup_date = "created_at"
churn_date = "cancelled_at"
segment = "tier"

[activity]
table = "analytics.events"
customer_id = "user_id"
date = "event_time"

[revenue]
table = "billing.invoices"
customer_id = "account_id"
period = "invoice_month"
mrr = "monthly_amount"
"""
#: the company's tickets and survey answers, and its invoices' payment outcome and number
FACTS = MAPPING.replace('date = "event_time"\n', 'date = "event_time"\nvalue = "minutes"\n') + """\
payment_failed = "failed"
id = "invoice_no"

[tickets]
table = "support.tickets"
customer_id = "account_id"
opened = "created_at"
resolved = "closed_at"

[feedback]
table = "cx.survey_answers"
customer_id = "account_id"
date = "answered_at"
score = "rating"
channel = "survey_type"
id = "answer_no"
"""

#: the company's plays' contacts and holdouts (python -m core roi)
CONTACTS = """
[contacts]
table = "marketing.outreach"
customer_id = "account_id"
play = "campaign"
date = "sent_at"
arm = "arm"
channel = "medium"
cost = "cost_usd"
id = "touch_id"
columns = "responded, recovered"
"""

#: the company's feedback and tickets with their texts (the Feedback themes page), in place of FACTS' [tickets] and
#: [feedback]
VERBATIMS = """
[tickets]
table = "support.cases"
customer_id = "account_id"
opened = "created_at"
resolved = "closed_at"
text = "description"
satisfaction = "csat"
status = "state"
id = "case_no"

[feedback]
table = "cx.feedback"
customer_id = "account_id"
date = "given_at"
score = "rating"
channel = "kind"
id = "entry_no"
text = "comment"
status = "follow_up"
"""

#: FACTS with the customers' plan, region and acquisition channel (every column the churn model reads) and their
#: names (the action lists')
PEOPLE = FACTS.replace('segment = "tier"\n', 'segment = "tier"\nplan = "package"\nregion = "area"\n'
                       'channel = "source"\nname = "account_name"\n', 1)


def company_tables(customers: pd.DataFrame, activity: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The same business in the company's own shape: other names, timestamps at odd hours, an extra column."""
    accounts = pd.DataFrame({"account_id": customers["customer_id"], "tier": customers["segment"],
                             "created_at": customers["signup_date"] + pd.Timedelta(hours=13, minutes=45),
                             "cancelled_at": customers["churn_date"] + pd.Timedelta(hours=23, minutes=59),
                             "mrr_cents": 9900})
    events = pd.DataFrame({"user_id": activity["customer_id"], "event_time": activity["date"] + pd.Timedelta(hours=7),
                           "kind": "login", "minutes": activity["value"]})
    return accounts, events


def company_facts(engine) -> dict[str, pd.DataFrame]:
    """The store's tickets, survey answers and invoices as the company keeps them: its own names, survey types in
    capitals, answers at odd hours, a column the workbench does not read."""
    tickets = load_columns(engine, "ticket", ["customer_id", "opened", "resolved"])
    answers = load_columns(engine, "feedback", ["id", "customer_id", "date", "channel", "score"])
    answers = answers[answers["channel"].isin(["nps", "csat", "ces"])]
    revenue = load_columns(engine, "revenue", ["id", "customer_id", "period", "mrr", "payment_failed"])
    return {
        "support.tickets": pd.DataFrame({"account_id": tickets["customer_id"], "created_at": tickets["opened"],
                                         "closed_at": tickets["resolved"], "queue": "general"}),
        "cx.survey_answers": pd.DataFrame({"answer_no": answers["id"], "account_id": answers["customer_id"],
                                           "answered_at": pd.to_datetime(answers["date"]) + pd.Timedelta(hours=18),
                                           "survey_type": answers["channel"].str.upper(),
                                           "rating": answers["score"]}),
        "billing.invoices": pd.DataFrame({"account_id": revenue["customer_id"], "invoice_month": revenue["period"],
                                          "monthly_amount": revenue["mrr"],
                                          "failed": revenue["payment_failed"].astype("boolean"),
                                          "invoice_no": revenue["id"]})}


def company_verbatims(engine) -> dict[str, pd.DataFrame]:
    """The store's feedback (surveys, reviews, social posts) and tickets with their texts as the company keeps them:
    its own names, channels in capitals, answers at odd hours (the Feedback themes page's :data:`THEMES`)."""
    fb = load_columns(engine, "feedback", ["id", "customer_id", "date", "channel", "score", "text", "status"])
    tk = load_columns(engine, "ticket", ["id", "customer_id", "opened", "resolved", "satisfaction", "status", "text"])
    return {
        "cx.feedback": pd.DataFrame({"entry_no": fb["id"], "account_id": fb["customer_id"],
                                     "given_at": pd.to_datetime(fb["date"]) + pd.Timedelta(hours=18),
                                     "kind": fb["channel"].str.upper(), "rating": fb["score"], "comment": fb["text"],
                                     "follow_up": fb["status"]}),
        "support.cases": pd.DataFrame({"case_no": tk["id"], "account_id": tk["customer_id"], "created_at": tk["opened"],
                                       "closed_at": tk["resolved"], "csat": tk["satisfaction"], "state": tk["status"],
                                       "description": tk["text"]})}


def company_contacts(engine) -> pd.DataFrame:
    """The store's play contacts as the company keeps them: its own names, send times at odd hours."""
    iv = load_columns(engine, "intervention", ["id", "customer_id", "play", "channel", "date", "group", "cost",
                                               "attributes"])
    attributes = [json.loads(a) if isinstance(a, str) else a for a in iv["attributes"]]  # JSON text in SQLite
    flag = {k: [a.get(k) if isinstance(a, dict) else None for a in attributes] for k in ("responded", "recovered")}
    return pd.DataFrame({"touch_id": iv["id"], "account_id": iv["customer_id"], "campaign": iv["play"],
                         "medium": iv["channel"], "sent_at": pd.to_datetime(iv["date"]) + pd.Timedelta(hours=10),
                         "arm": iv["group"], "cost_usd": iv["cost"],
                         # the plays' own outcomes, as the company's tool logs them: yes/no, empty for other plays
                         **{k: pd.array(["yes" if r == 1 else "no" if r == 0 else None for r in v], dtype="string")
                            for k, v in flag.items()}})


def duckdb_file(engine, customers: pd.DataFrame, activity: pd.DataFrame, path: Path) -> str:
    """The business of the store ``engine`` (its ``customers`` and ``activity`` frames) as a DuckDB file at ``path``
    with the schemas crm, analytics and billing; returns its URL."""
    accounts, events = company_tables(customers, activity)  # noqa: F841 (DuckDB reads the frames by name)
    invoices = company_facts(engine)["billing.invoices"]  # noqa: F841
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA crm; CREATE SCHEMA analytics; CREATE SCHEMA billing")
        con.execute("CREATE TABLE crm.accounts AS SELECT * FROM accounts")
        con.execute("CREATE TABLE analytics.events AS SELECT * FROM events")
        con.execute("CREATE TABLE billing.invoices AS SELECT * FROM invoices")
    return f"duckdb://{path}"


def facts_duckdb_file(engine, path: Path) -> str:
    """Every fact the models read of the store ``engine`` (customers with their plan, region and channel, activity
    with its minutes, tickets, survey answers, invoices, the plays' contacts) in the company's shape as a DuckDB file
    at ``path``, which :data:`PEOPLE` (or :data:`FACTS`; the contacts :data:`CONTACTS`) maps; returns its URL."""
    customers = load_columns(engine, "customer", ["customer_id", "signup_date", "churn_date", "segment", "plan",
                                                  "region", "channel", "name"])
    accounts, events = company_tables(customers, load_columns(engine, "activity", ["customer_id", "date", "value"]))
    accounts = accounts.assign(package=customers["plan"], area=customers["region"], source=customers["channel"],
                               account_name=customers["name"])
    accounts = accounts.sample(frac=1, random_state=0)  # a company's table is not kept in the order of its ids
    return write_tables(path, {"crm.accounts": accounts, "analytics.events": events, **company_facts(engine),
                               "marketing.outreach": company_contacts(engine), **company_verbatims(engine)})


def write_tables(path: Path, tables: dict[str, pd.DataFrame]) -> str:
    """A DuckDB file at ``path`` holding each frame as the ``schema.table`` it is keyed by; returns its URL."""
    with duckdb.connect(str(path)) as con:
        for table, frame in tables.items():
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {table.split('.')[0]}")
            con.register("frame", frame)
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM frame")
            con.unregister("frame")
    return f"duckdb://{path}"


@dataclass(frozen=True)
class Business:
    """A demo business in a store and the same business in a company's DuckDB warehouse beside it."""

    customers: pd.DataFrame  #: customer_id, signup_date, churn_date, segment
    pairs: columnar.ActivityPairs  #: the store's (customer, active day) pairs
    url: str  #: the warehouse's URL
    empty_store: str  #: the URL of a store beside it that holds nothing


def demo_business(folder: Path, n_customers: int, seed: int) -> Business:
    """The demo of ``n_customers`` (``seed``) in ``folder``/business.db and in ``folder``/company.duckdb."""
    engine = core.make_engine(f"sqlite:///{folder / 'business.db'}")
    load_demo(engine, n_customers=n_customers, seed=seed)
    customers = load_columns(engine, "customer", ["customer_id", "signup_date", "churn_date", "segment"])
    activity = load_columns(engine, "activity", ["customer_id", "date", "value"])
    url = duckdb_file(engine, customers, activity, folder / "company.duckdb")
    pairs = columnar.activity_pairs(engine)
    engine.dispose()
    return Business(customers, pairs, url, f"sqlite:///{folder / 'empty.db'}")


@dataclass(frozen=True)
class FactsBusiness:
    """A demo business in a store and, every fact the models read mapped (:data:`PEOPLE`), in a company's DuckDB
    warehouse beside it."""

    store: str  #: the store's URL
    url: str  #: the warehouse's URL
    mapping: Path  #: the mapping file (:data:`PEOPLE`)
    empty_store: str  #: the URL of a store beside it that holds nothing


def facts_business(folder: Path, n_customers: int = 500, seed: int = 2, built: Path | None = None) -> FactsBusiness:
    """The demo of ``n_customers`` (``seed``) in a store in ``folder`` and in ``folder``/company.duckdb
    (:func:`facts_duckdb_file`), read through ``folder``/warehouse.toml; ``built``: a store file already holding
    that demo (tests/conftest.facts_demo_store), copied rather than loaded again."""
    if built is not None:
        from tests.conftest import copy_store  # here, as tests/pages/conftest.private_copy does: pytest's conftest

        path = copy_store(built, folder)
    else:
        path = folder / "business.db"
        with_demo = core.make_engine(f"sqlite:///{path}")
        load_demo(with_demo, n_customers=n_customers, seed=seed)
        with_demo.dispose()
    engine = core.make_engine(f"sqlite:///{path}")
    url = facts_duckdb_file(engine, folder / "company.duckdb")
    engine.dispose()
    (folder / "warehouse.toml").write_text(PEOPLE, encoding="utf-8")
    return FactsBusiness(f"sqlite:///{path}", url, folder / "warehouse.toml", f"sqlite:///{folder / 'empty.db'}")


def business_fixture(name: str, mapping: str | None = None):
    """A module fixture of the page tests: (the warehouse's URL, its mapping file (:data:`PEOPLE`, or ``mapping``),
    the store holding the same business, an empty store's URL), the business copied from the run's
    ``facts_demo_store`` into a folder called ``name``."""

    @pytest.fixture(scope="module")
    def business(tmp_path_factory, facts_demo_store):
        b = facts_business(tmp_path_factory.mktemp(name), built=facts_demo_store)
        if mapping is not None:
            b.mapping.write_text(mapping, encoding="utf-8")
        return b.url, b.mapping, b.store, b.empty_store

    return business


def with_verbatims(mapping: str) -> str:
    """``mapping`` (:data:`FACTS` or :data:`PEOPLE`) with its [tickets] and [feedback] read from the tables holding
    the texts (:data:`VERBATIMS`)."""
    return mapping[:mapping.index("\n[tickets]")] + VERBATIMS


def point(mp, url: str, mapping) -> None:
    """Set the app's warehouse (its URL and mapping file) with the monkeypatch ``mp``."""
    mp.setenv(warehouse.URL_ENV, url)
    mp.setenv(warehouse.MAP_ENV, str(mapping))


def mapped(mp, url: str, text: str, folder: Path) -> None:
    """Set the app's warehouse ``url`` read through a mapping file holding ``text`` (written in ``folder``), with the
    monkeypatch ``mp``: the page tests' mappings that leave out or misname a table or column."""
    (folder / "m.toml").write_text(text, encoding="utf-8")
    point(mp, url, folder / "m.toml")


def run_cli(capsys, store: str, *args: str) -> tuple[int, str, str]:
    """``python -m core --db store args...`` in this process: (exit code, stdout, stderr)."""
    code = cli(["--db", store, *args])
    out, err = capsys.readouterr()
    return code, out, err
