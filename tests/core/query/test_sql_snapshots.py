"""Snowflake, BigQuery and Databricks cannot run here, so each heavy expression is compiled to their SQL (Ibis over
sqlglot, no connection) and compared with a stored snapshot (tests/core/query/sql_snapshots/<dialect>/<name>.sql):
a change to an expression shows as a reviewed diff of the SQL every warehouse would receive. The SQL must be the
same on every build (no generated names), parse back in its dialect, and the same expressions compiled to DuckDB's
SQL, run as text on a hand-made book, must give the Python path's cohort tables, lifetimes and arm comparisons.

After reviewing an intended change, rewrite the snapshots with::

    RETENTION_UPDATE_SQL_SNAPSHOTS=1 .venv/bin/python -m pytest -q tests/core/query/test_sql_snapshots.py
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import duckdb
import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import sqlglot

from core.buyers import engine_lapse, engine_purchases
from core.buyers.engine_headline import sums_expression
from core.cohorts import survival
from core.cohorts.engine_counts import counts_expression
from core.cohorts.engine_revenue import revenue_expression
from core.cohorts.engine_survival import SIGNUP_MONTH, lifetime_rows, lifetimes_expression
from core.cohorts.from_counts import engine_cohort_table
from core.cohorts.settings import CohortSettings
from core.cohorts.table import cohort_table
from core.feedback.engine_mentions import mentions_expression, totals_expression
from core.history import engine_behaviour as behaviour
from core.history import engine_cutoffs
from core.history.engine_movements import movements_expression
from core.history.engine_movements import recurring as recurring_months
from core.history.engine_usage import window_sums
from core.query.sources import CUSTOMER_COLUMNS, Source
from core.roi.defaults import PRE_REVENUE, RETAINED, REVENUE
from core.roi.estimates import compare
from core.roi.sums import arm_sums, compare_on

DIALECTS = ("snowflake", "bigquery", "databricks")
SNAPSHOTS = Path(__file__).parent / "sql_snapshots"
UPDATE_ENV = "RETENTION_UPDATE_SQL_SNAPSHOTS"
HOW_TO_UPDATE = (f"If the change is intended, review the SQL diff, then rewrite the snapshots with {UPDATE_ENV}=1 "
                 ".venv/bin/python -m pytest -q tests/core/query/test_sql_snapshots.py and commit them with the "
                 "change (git diff tests/core/query/sql_snapshots shows what each warehouse will now receive).")
#: a name Ibis makes up (a memtable's, a generated alias) would change between runs and leak the data's identity
GENERATED = re.compile(r"ibis_|memtable|_[0-9a-z]{26}", re.IGNORECASE)
AS_OF = (2024, 5, 1)  # after every signup but h's, before e's churn


def activity() -> ir.Table:
    """A warehouse's mapped activity table."""
    return ibis.table({"customer_id": "string", "date": "date"}, name="activity")


def customers() -> ir.Table:
    """A warehouse's mapped customer table."""
    return ibis.table({"customer_id": "string", "signup_date": "date", "churn_date": "date", "segment": "string"},
                      name="customers")


def contacts() -> ir.Table:
    """One play's contacts with their outcomes (:func:`core.roi.outcomes.outcomes`' columns that arm_sums reads)."""
    return ibis.table({"arm": "string", "eligible": "boolean", RETAINED: "float64", REVENUE: "float64",
                       PRE_REVENUE: "float64"}, name="contacts")


def revenue() -> ir.Table:
    """A warehouse's mapped revenue table."""
    return ibis.table({"customer_id": "string", "period": "date", "mrr": "float64"}, name="revenue")


def activity_values():
    return ibis.table({"customer_id": "string", "date": "date", "value": "float64"}, name="activity")


def billing():
    """Revenue as the store's own sources give it to the churn and health features."""
    return ibis.table({"customer_id": "string", "period": "date", "mrr": "float64", "payment_failed": "boolean",
                       "id": "int64"}, name="revenue")


def tickets():
    return ibis.table({"id": "int64", "customer_id": "string", "opened": "timestamp", "resolved": "timestamp"},
                      name="tickets")


def feedback():
    return ibis.table({"id": "int64", "customer_id": "string", "date": "date", "channel": "string",
                       "score": "float64"}, name="feedback")


def cutoffs():
    """The cutoffs the features are asked at, with their windows' bounds (core.history.engine_cutoffs)."""
    return ibis.table(engine_cutoffs.SCHEMA, name="cutoffs")


def _cust():
    return customers().select(*CUSTOMER_COLUMNS)


#: the churn and health models' behavioural features at a table of cutoffs (core.history.engine_usage,
#: engine_behaviour)
FEATURES = {
    "features_usage": lambda: window_sums(activity_values(), _cust(), cutoffs()),
    "features_tickets": lambda: behaviour.ticket_expression(tickets(), _cust(), cutoffs()),
    "features_nps_latest_two": lambda: behaviour.latest_two(
        behaviour.survey_rows(feedback(), cutoffs(), "nps").semi_join(_cust(), "customer_id"), "date", "score"),
    "features_mrr_now_and_then": lambda: behaviour.mrr_now_and_then(
        behaviour.mrr_rows(billing(), cutoffs()).semi_join(_cust(), "customer_id")),
    "features_failed_payments": lambda: behaviour.payment_expression(behaviour.known_payments(billing(), cutoffs()),
                                                                     _cust()),
}


def verbatims():
    """The verbatims of a window as the themes' counts read them: a row number, the key (segment or period)."""
    return ibis.table({"row": "int64", "key": "string", "sentiment": "float64"}, name="verbatims")


def theme_tags():
    return ibis.table({"row": "int64", "theme_id": "int64"}, name="tags")


#: theme mentions per segment or period (core.feedback.engine_mentions)
THEMES = {"themes_mentions_by_key": lambda: mentions_expression(verbatims(), theme_tags(), "key"),
          "themes_verbatims_by_key": lambda: totals_expression(verbatims(), "key")}


def months():
    """The as-of months of the Overview's headline with their base month and the day before their window
    (core.buyers.engine_headline.month_table)."""
    return ibis.table({"m": "int64", "base_m": "int64", "day_before": "date"}, name="months")


#: the Overview's headline revenue sums and MRR movements (core.buyers.engine_headline, core.history.engine_movements)
OVERVIEW = {"overview_headline_sums": lambda: sums_expression(revenue(), _cust(), months()),
            "overview_mrr_movements": lambda: movements_expression(recurring_months(revenue(), _cust()))}


def _purchase_source() -> Source:
    """A purchase log's tables as the store's sources give them: purchase activity and revenue with sales."""
    sales = ibis.table({"customer_id": "string", "period": "date", "mrr": "float64", "amount": "float64",
                        "is_return": "boolean"}, name="revenue")
    return Source("snapshot", ibis.duckdb.connect(), None, revenue=sales,
                  purchases=ibis.table({"customer_id": "string", "date": "date"}, name="purchases"))


def _buyer_windows():
    return ibis.table({"m": "int64", "first_m": "int64"}, name="windows")


#: a purchase log's buyer sums per 12-month window and the lapse rule's counted gaps (core.buyers.engine_purchases,
#: core.buyers.engine_lapse), for the customers a page kept
BUYERS = {"buyers_window_sums": lambda: engine_purchases.sums_expression(
              engine_purchases.purchase_days(_purchase_source(), _cust()),
              engine_purchases.sales(_purchase_source(), _cust()), _buyer_windows()),
          "buyers_lapse_gap_counts": lambda: engine_lapse.gap_counts(
              engine_purchases.purchase_days(_purchase_source(), _cust()))}


def _revenue(**opts):
    s = CohortSettings.of(**opts)
    return lambda: revenue_expression(revenue(), activity(), s, customers().select(*CUSTOMER_COLUMNS))


def _counts(**opts):
    s = CohortSettings.of(**opts)
    # what Source.customers gives an expression: the three customer columns of the mapped table
    return lambda: counts_expression(activity(), s, customers().select(*CUSTOMER_COLUMNS))


def _lifetimes(group):
    extra = (group,) if group not in (None, SIGNUP_MONTH) else ()
    return lambda: lifetimes_expression(customers().select(*CUSTOMER_COLUMNS, *extra), ibis.date(*AS_OF), group)


def _sums(outcome, covariate):
    return lambda: arm_sums(contacts(), outcome, covariate)


#: every cohort_by x retained_by x definition at period month (subscription has one definition), week and quarter
#: for one of them; lifetimes for one group, a customer column and the signup month; arm sums with and without a
#: covariate
COUNTS = {f"counts_{c}_{r}_{d}_{p}": dict(cohort_by=c, retained_by=r, definition=d, period=p)
          for c in ("signup", "first_activity") for r in ("activity", "subscription")
          for d in (("on", "on_or_after") if r == "activity" else ("on",)) for p in ("month",)}
COUNTS |= {f"counts_first_activity_activity_on_or_after_{p}": dict(cohort_by="first_activity", retained_by="activity",
                                                                  definition="on_or_after", period=p)
           for p in ("week", "quarter")}
LIFETIMES = {"lifetimes_all": None, "lifetimes_segment": "segment", "lifetimes_signup_month": SIGNUP_MONTH}
SUMS = {"arm_sums_retained": (RETAINED, None), "arm_sums_revenue_kept_pre_revenue": (REVENUE, PRE_REVENUE)}
REVENUE_CELLS = {"revenue_net_signup_month": dict(measure="net_revenue"),
                 "revenue_gross_first_activity_quarter": dict(measure="gross_revenue", cohort_by="first_activity",
                                                              period="quarter")}
CASES = ({name: _counts(**o) for name, o in COUNTS.items()} | {name: _lifetimes(g) for name, g in LIFETIMES.items()}
         | {name: _sums(*a) for name, a in SUMS.items()} | {name: _revenue(**o) for name, o in REVENUE_CELLS.items()}
         | FEATURES | THEMES | OVERVIEW | BUYERS)
PAIRS = [(d, name) for d in DIALECTS for name in CASES]


def compiled(name: str, dialect: str) -> str:
    """The SQL ``dialect``'s warehouse would receive for case ``name``, from a fresh build of its expression."""
    return ibis.to_sql(CASES[name](), dialect=dialect).strip() + "\n"


def snapshot(dialect: str, name: str) -> Path:
    return SNAPSHOTS / dialect / f"{name}.sql"


@pytest.mark.parametrize(("dialect", "name"), PAIRS, ids=[f"{d}-{n}" for d, n in PAIRS])
def test_the_sql_each_warehouse_receives_is_its_snapshot(dialect, name):
    sql, path = compiled(name, dialect), snapshot(dialect, name)
    if os.environ.get(UPDATE_ENV) == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != sql:
            path.write_text(sql)
        return
    if not path.exists():
        pytest.fail(f"No SQL snapshot {path.relative_to(SNAPSHOTS.parents[3])} for {dialect}. {HOW_TO_UPDATE}")
    stored = path.read_text()
    if stored != sql:
        diff = "".join(difflib.unified_diff(stored.splitlines(True), sql.splitlines(True), "snapshot", "compiled now"))
        pytest.fail(f"The {dialect} SQL of {name} differs from its snapshot {path.name}:\n{diff}\n{HOW_TO_UPDATE}")


def test_every_snapshot_file_is_a_case():
    """A snapshot left behind by a renamed or removed case is deleted when updating, and fails otherwise."""
    stale = [p for p in SNAPSHOTS.glob("*/*.sql") if (p.parent.name, p.stem) not in set(PAIRS)]
    if os.environ.get(UPDATE_ENV) == "1":
        for p in stale:
            p.unlink()
        return
    assert not stale, f"Snapshots with no case: {[str(p.relative_to(SNAPSHOTS)) for p in stale]}. {HOW_TO_UPDATE}"
    assert len(PAIRS) == 3 * (8 + 3 + 2 + 2 + 5 + 2 + 2 + 2)


@pytest.mark.parametrize("name", CASES)
def test_the_sql_is_the_same_on_every_build_and_names_no_generated_table(name):
    for dialect in DIALECTS:
        sql = compiled(name, dialect)
        assert sql == compiled(name, dialect)
        assert not GENERATED.search(sql), f"a generated name in the {dialect} SQL of {name}"
        tree = sqlglot.parse_one(sql, read=dialect)
        ctes = {c.alias for c in tree.find_all(sqlglot.exp.CTE)}
        tables = {t.name for t in tree.find_all(sqlglot.exp.Table)} - ctes
        assert tables and tables <= {"activity", "customers", "contacts", "revenue", "tickets", "feedback", "verbatims",
                                     "tags", "cutoffs", "months", "purchases", "windows"}, tables


@pytest.mark.parametrize(("dialect", "name"), PAIRS, ids=[f"{d}-{n}" for d, n in PAIRS])
def test_the_sql_parses_back_in_its_dialect(dialect, name):
    tree = sqlglot.parse_one(compiled(name, dialect), read=dialect, error_level=sqlglot.ErrorLevel.RAISE)
    assert isinstance(tree, sqlglot.exp.Query)
    assert tree.sql(dialect=dialect)  # and is written back without error


def test_the_warehouse_date_arithmetic_is_each_dialects_own():
    """The lines a reviewer checks first: day differences and month numbers in each warehouse's words."""
    month = {d: compiled("counts_signup_subscription_on_month", d) for d in DIALECTS}
    assert "DATEDIFF(DAY, DATE_FROM_PARTS(1970, 1, 1)" not in month["snowflake"]  # months need no day count
    assert 'DATE_PART(year, "t0"."signup_date") - 1970' in month["snowflake"]
    assert 'DATE_PART(month, "t0"."signup_date")' in month["snowflake"]
    for d in ("bigquery", "databricks"):
        assert "EXTRACT(year FROM `t0`.`signup_date`) - 1970" in month[d]
        assert "EXTRACT(month FROM `t0`.`signup_date`)" in month[d]
    week = {d: compiled("counts_first_activity_activity_on_or_after_week", d) for d in DIALECTS}
    assert 'DATEDIFF(DAY, DATE_FROM_PARTS(1970, 1, 1), "t0"."date")' in week["snowflake"]
    assert "DATE_DIFF(`t0`.`date`, DATE(1970, 1, 1), DAY)" in week["bigquery"]
    assert "DATEDIFF(DAY, MAKE_DATE(1970, 1, 1), `t0`.`date`)" in week["databricks"]


# --- the same expressions compiled to DuckDB's SQL, run as text on a hand-made book --------------------------------


class CompiledSQL:
    """An engine standing in for a warehouse: every expression is compiled to DuckDB's SQL and that text run."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con, self.statements = con, []

    def execute(self, expr: ir.Expr):
        sql = ibis.to_sql(expr, dialect="duckdb")
        self.statements.append(sql)
        out = self.con.sql(sql).df()
        return out.iloc[0, 0] if isinstance(expr, ir.Scalar) else out


def book_customers() -> pd.DataFrame:
    """Eight customers over half a year: churned ones (one in its signup month, one the next month, one on the
    lifetimes' as-of day, one after it), active ones, one without any activity; two segments."""
    return pd.DataFrame({
        "customer_id": ["a", "b", "c", "d", "e", "f", "g", "h"],
        "signup_date": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-02-01", "2024-02-28", "2024-03-15",
                                       "2024-03-31", "2024-04-02", "2024-05-10"]),
        "churn_date": pd.to_datetime(["2024-03-10", None, "2024-02-20", "2024-05-01", "2024-06-01", "2024-04-15",
                                      None, None]),
        "segment": ["smb", "smb", "mid", "mid", "smb", "mid", "smb", "mid"]})


def book_activity() -> pd.DataFrame:
    """Activity with repeats in one period, a row before a customer's signup, one of a customer not in the book,
    and gaps (active in month 0 and 2, not 1)."""
    rows = [("a", "2024-01-06"), ("a", "2024-01-25"), ("a", "2024-03-02"), ("b", "2023-12-30"), ("b", "2024-01-21"),
            ("b", "2024-02-10"), ("b", "2024-03-11"), ("b", "2024-05-02"), ("c", "2024-02-03"), ("d", "2024-02-28"),
            ("d", "2024-04-01"), ("d", "2024-04-30"), ("e", "2024-03-20"), ("e", "2024-05-05"), ("f", "2024-04-01"),
            ("g", "2024-04-02"), ("g", "2024-05-31"), ("g", "2024-06-03"), ("z", "2024-02-14"), ("z", "2024-03-14")]
    return pd.DataFrame({"customer_id": [r[0] for r in rows], "date": pd.to_datetime([r[1] for r in rows])})


def book_contacts() -> pa.Table:
    """Sixty contacts in three arms, some not eligible, covariates missing as NaN (kept: Arrow, not pandas)."""
    rng = np.random.default_rng(7)
    arm = np.repeat(["holdout", "email", "call"], [24, 20, 16])
    pre = rng.gamma(2.0, 40.0, arm.size)
    pre[rng.random(arm.size) < 0.2] = np.nan
    kept = 0.5 * np.nan_to_num(pre) + rng.normal(20, 15, arm.size) + np.where(arm == "call", 12.0, 0.0)
    return pa.table({"arm": pa.array(arm), "eligible": pa.array(rng.random(arm.size) < 0.85),
                     RETAINED: pa.array((rng.random(arm.size) < 0.6).astype(float)), REVENUE: pa.array(kept),
                     PRE_REVENUE: pa.array(pre)})


@pytest.fixture(scope="module")
def book():
    con = duckdb.connect()
    cust, act, contact = book_customers(), book_activity(), book_contacts()  # noqa: F841  (read by DuckDB by name)
    con.execute("CREATE TABLE customers AS SELECT customer_id::VARCHAR AS customer_id, signup_date::DATE AS "
                "signup_date, churn_date::DATE AS churn_date, segment::VARCHAR AS segment FROM cust")
    con.execute("CREATE TABLE activity AS SELECT customer_id::VARCHAR AS customer_id, date::DATE AS date FROM act")
    con.execute("CREATE TABLE contacts AS SELECT * FROM contact")
    engine = CompiledSQL(con)
    yield Source("compiled SQL", engine, activity(), customers()), engine, cust, act, contact.to_pandas()
    con.close()


@pytest.mark.parametrize("name", COUNTS)
def test_the_compiled_counts_give_the_rows_paths_cohort_table(book, name):
    src, engine, cust, act, _ = book
    opts = dict(COUNTS[name], as_of="2024-06-30")
    engine.statements.clear()
    got = engine_cohort_table(src, None, **opts)
    assert any('FROM "activity"' in q for q in engine.statements)  # the text ran, not an Ibis expression
    want = cohort_table(cust, act, **opts)
    for part in ("values", "counts", "complete"):
        pd.testing.assert_frame_equal(getattr(got, part), getattr(want, part), check_exact=False, rtol=1e-12)
    pd.testing.assert_series_equal(got.sizes, want.sizes)
    assert got.settings == want.settings


def test_one_compiled_cohort_by_hand(book):
    """Signup cohort 2024-01 (a, b): a is active in months 0 and 2, b in 0, 1, 2 and 4 (its December row is before
    its cohort and left out)."""
    src = book[0]
    t = engine_cohort_table(src, None, cohort_by="signup", retained_by="activity", definition="on",
                            measure="count", as_of="2024-06-30")
    assert t.sizes.loc["2024-01"] == 2
    assert t.counts.loc["2024-01", [0, 1, 2, 3, 4]].tolist() == [2, 1, 2, 0, 1]


@pytest.mark.parametrize("name", LIFETIMES)
def test_the_compiled_lifetimes_give_one_row_per_customers_durations(book, name):
    src, _, cust, _, _ = book
    group = LIFETIMES[name]
    rows = lifetime_rows(src, None, as_of="2024-05-01", unit="day", group=group)
    want = survival.durations(cust, as_of="2024-05-01", unit="day")
    keys = ["duration", "event"] + ([group] if group else [])
    want = want.groupby(keys).size().rename("customers").reset_index()
    got = rows.sort_values(keys).reset_index(drop=True)[keys + ["customers"]]
    pd.testing.assert_frame_equal(got, want.sort_values(keys).reset_index(drop=True), check_dtype=False)
    assert rows["customers"].sum() == len(cust) - 1 and rows["event"].any() and not rows["event"].all()


@pytest.mark.parametrize("name", SUMS)
def test_the_compiled_arm_sums_give_compares_table(book, name):
    src, _, _, _, frame = book
    outcome, covariate = SUMS[name]
    got = compare_on(src.con, contacts(), outcome, covariate=covariate)
    want = compare(frame, outcome, covariate=covariate)
    assert got["arm"].tolist() == want["arm"].tolist() and len(got) == 2
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-9, atol=1e-12, check_dtype=False)
