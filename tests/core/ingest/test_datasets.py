"""The four public datasets import through the CLI with the counts of shared/data/README.md."""

import sqlite3

import pytest

from core.cli.main import main


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, shared):
    """Import all four datasets into one store through `python -m core import`."""
    path = tmp_path_factory.mktemp("store") / "store.db"
    url = f"sqlite:///{path}"
    out = {}
    runs = {
        "telco": ["telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv", "--kind", "customers",
                  "--as-of", "2024-01-31", "--lenient"],
        "cdnow": ["cdnow/CDNOW_master.txt", "--kind", "transactions"],
        "reviews": ["womens_clothing_reviews/womens_clothing_reviews.csv", "--kind", "feedback",
                    "--set", "channel=review"],
        "tickets": ["support_tickets_synthetic/customer_support_tickets.csv", "--kind", "tickets",
                    "--map", "Customer Email=-", "--map", "Customer Name=-"],
    }
    for name, (file, *args) in runs.items():
        report = path.parent / f"{name}.report.csv"
        out[name] = main(["--db", url, "import", str(shared / file), *args, "--report", str(report)])
    con = sqlite3.connect(path)
    yield con, out, path.parent
    con.close()


def q(con, sql):
    return con.execute(sql).fetchone()[0]


def test_every_import_exits_zero(loaded):
    _, codes, _ = loaded
    assert codes == {"telco": 0, "cdnow": 0, "reviews": 0, "tickets": 0}


def test_telco_customers_churn_and_blank_charges(loaded):
    con, _, folder = loaded
    assert q(con, "select count(*) from customer where import_id = 1") == 7043
    assert q(con, "select count(*) from customer where import_id = 1 and churn_date is not null") == 1869
    assert q(con, "select count(distinct customer_id) from customer where import_id = 1") == 7043
    import pandas as pd

    report = pd.read_csv(folder / "telco.report.csv", keep_default_na=False)
    blanks = report[report["column"] == "TotalCharges"]
    assert len(blanks) == 11
    assert set(blanks["value"]) == {" "}
    assert set(blanks["severity"]) == {"warning"}
    # tenure 0 customers are the blank-charge ones (README fact), signed up on the as-of date
    assert q(con, "select count(*) from customer where signup_date = '2024-01-31' and import_id = 1") == 11


def test_telco_signup_derived_from_tenure(loaded):
    con, _, _ = loaded
    # 7590-VHVEG has tenure 1 -> one month before 2024-01-31 is 2023-12-31; 5575-GNVDE tenure 34
    assert q(con, "select signup_date from customer where customer_id = '7590-VHVEG'") == "2023-12-31"
    assert q(con, "select signup_date from customer where customer_id = '5575-GNVDE'") == "2021-03-31"
    # churned customers churn on the as-of date; others stay active
    assert q(con, "select count(distinct churn_date) from customer where import_id = 1") == 1
    assert q(con, "select json_extract(attributes, '$.gender') from customer "
                  "where customer_id = '7590-VHVEG'") == "Female"


def test_cdnow_transactions_customers_and_revenue(loaded):
    con, _, _ = loaded
    assert q(con, "select count(*) from customer where import_id = 2") == 23570
    assert q(con, "select count(*) from revenue") == 69659
    assert q(con, "select count(*) from activity") == 69659
    assert round(q(con, "select sum(amount) from revenue"), 2) == 2500315.63
    # zero-padded ids survive, and signup is the first purchase (all in 1997-01..03)
    assert q(con, "select signup_date from customer where customer_id = '00001'") == "1997-01-01"
    assert q(con, "select max(signup_date) from customer where import_id = 2") <= "1997-03-31"
    assert q(con, "select min(signup_date) from customer where import_id = 2") >= "1997-01-01"


def test_reviews_feedback(loaded):
    con, _, _ = loaded
    assert q(con, "select count(*) from feedback") == 23486
    counts = dict(con.execute("select cast(score as int), count(*) from feedback group by 1").fetchall())
    assert counts == {1: 842, 2: 1565, 3: 2871, 4: 5077, 5: 13131}
    assert q(con, "select count(*) from feedback where text is null") == 845
    assert q(con, "select count(*) from feedback where json_extract(attributes, '$.\"Recommended IND\"') = 1") \
        == 19314


def test_tickets(loaded):
    con, _, _ = loaded
    assert q(con, "select count(*) from ticket") == 8469
    cats = dict(con.execute("select category, count(*) from ticket group by 1").fetchall())
    assert cats == {"Refund request": 1752, "Technical issue": 1747, "Cancellation request": 1695,
                    "Product inquiry": 1641, "Billing inquiry": 1634}
    # the e-mail and name columns were left out on request, not kept as attributes
    assert q(con, "select count(*) from ticket where json_extract(attributes, '$.\"Customer Email\"') "
                  "is not null") == 0


def test_import_log_records_each_file(loaded):
    con, _, _ = loaded
    rows = con.execute("select kind, rows_read, rows_loaded, rows_rejected, length(sha256) from importlog "
                       "order by id").fetchall()
    assert rows == [("customers", 7043, 7043, 0, 64), ("transactions", 69659, 69659, 0, 64),
                    ("feedback", 23486, 23486, 0, 64), ("tickets", 8469, 8469, 0, 64)]
