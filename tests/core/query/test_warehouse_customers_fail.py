"""A warehouse that fails inside its customer table (a signup date kept as text, one of them not a date): every
reader of the warehouse's customers (core.history.warehouse_inputs.warehouse_customers) says so in one plain line, an
EngineError naming the value, never the driver's trace: the churn model's inputs and the lapse proposal, the
Overview, the review's quarters, the ROI contacts and the feedback verbatims. With the date mended, each reads."""

import duckdb
import pytest

from core.buyers.warehouse_overview import overview
from core.errors import EngineError
from core.feedback.warehouse_inputs import warehouse_feedback_inputs
from core.history.warehouse_inputs import warehouse_inputs, warehouse_proposal
from core.query import warehouse
from core.review.warehouse_snapshot import warehouse_quarters
from core.roi.warehouse_inputs import warehouse_roi_inputs
from tests.company_warehouse import CONTACTS

MAPPING = """[customers]
table = "crm.accounts"
customer_id = "account_id"
signup_date = "created_at"
churn_date = "cancelled_at"

[revenue]
table = "billing.invoices"
customer_id = "account_id"
period = "invoice_month"
mrr = "mrr"

[feedback]
table = "cx.answers"
customer_id = "account_id"
date = "answered_at"
score = "rating"
survey = "nps"
text = "comment"
""" + CONTACTS
READERS = {"churn inputs": warehouse_inputs, "lapse proposal": warehouse_proposal, "overview": overview,
           "review quarters": warehouse_quarters, "roi contacts": warehouse_roi_inputs,
           "feedback verbatims": warehouse_feedback_inputs}


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    """The warehouse file and its mapping: 40 accounts, one signup date 'soon'; their invoices, answers, contacts."""
    folder = tmp_path_factory.mktemp("failing_customers")
    path = folder / "company.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA crm; CREATE SCHEMA billing; CREATE SCHEMA cx; CREATE SCHEMA marketing")
        con.execute("CREATE TABLE crm.accounts AS SELECT 'A' || i AS account_id, CASE WHEN i = 7 THEN 'soon' ELSE "
                    "strftime(DATE '2024-01-01' + CAST(i * 3 AS INTEGER), '%Y-%m-%d') END AS created_at, "
                    "CASE WHEN i % 5 = 0 THEN TIMESTAMP '2025-03-01' END AS cancelled_at FROM range(40) t(i)")
        con.execute("CREATE TABLE billing.invoices AS SELECT 'A' || i AS account_id, DATE '2024-06-01' + "
                    "to_months(CAST(m AS INTEGER)) AS invoice_month, 100.0 AS mrr FROM range(40) t(i), range(6) s(m)")
        con.execute("CREATE TABLE cx.answers AS SELECT 'A' || i AS account_id, TIMESTAMP '2024-09-01' AS "
                    "answered_at, i % 11 AS rating, 'slow support' AS comment FROM range(40) t(i)")
        con.execute("CREATE TABLE marketing.outreach AS SELECT 'A' || i AS account_id, 'Check-in' AS campaign, "
                    "TIMESTAMP '2024-10-01' AS sent_at, CASE WHEN i % 4 = 0 THEN 'holdout' ELSE 'treatment' END "
                    "AS arm, 'email' AS medium, 1.5 AS cost_usd, i AS touch_id, i % 2 = 0 AS responded, "
                    "i % 3 = 0 AS recovered FROM range(40) t(i)")
    (folder / "m.toml").write_text(MAPPING, encoding="utf-8")
    return path, warehouse.read_mapping(folder / "m.toml")


@pytest.mark.parametrize("reader", list(READERS))
def test_each_reader_of_the_customers_says_so_in_one_plain_line(company, reader):
    path, mapping = company
    with warehouse.connect(f"duckdb://{path}", mapping) as wh, pytest.raises(EngineError) as e:
        READERS[reader](wh)
    message = str(e.value)
    assert message.startswith("The warehouse could not answer (") and "\n" not in message, reader
    assert '"soon"' in message and "dates as dates" in message and "Traceback" not in message


def test_with_the_date_mended_each_reader_reads(company, tmp_path):
    path, mapping = company
    mended = tmp_path / "mended.duckdb"
    with duckdb.connect(str(mended)) as con:
        con.execute(f"ATTACH '{path}' AS src (READ_ONLY)")
        for schema, table in (("crm", "accounts"), ("billing", "invoices"), ("cx", "answers"),
                              ("marketing", "outreach")):
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            con.execute(f"CREATE TABLE {schema}.{table} AS SELECT * FROM src.{schema}.{table}")
        con.execute("UPDATE crm.accounts SET created_at = '2024-01-22' WHERE created_at = 'soon'")
    with warehouse.connect(f"duckdb://{mended}", mapping) as wh:
        for name, read in READERS.items():
            assert read(wh) is not None or name == "lapse proposal", name  # no buyers without MRR: no proposal
