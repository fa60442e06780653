"""Each public file in ../shared/data imports from the CLI with no ``--kind`` and no ``--map`` (issue 19).

The options each file is given are exactly those of README.md's table "Public files (``../shared/data``) that
still need a choice, and why": a snapshot date for the telco file, a channel for the reviews, nothing for the
CDNOW log and the tickets. Every file is imported once (module fixture), into a store of its own, and the loaded
figures are checked against pandas reading the same file. The files the table lists as needing a choice (the CDNOW
sample, which has no header line, and the CDNOW model summaries) are refused with exit code 2 and one line that
says what to give; the sample then imports with the choice the table gives (with or without ``--kind``), and the
summaries import as customers only when the analyst says so.
"""

import contextlib
import io
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from core.cli.main import main

TELCO = "telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv"
MASTER = "cdnow/CDNOW_master.txt"
SAMPLE = "cdnow/CDNOW_sample.txt"
SUMMARY = "cdnow/cdnow_customers_summary.csv"
SUMMARY_TX = "cdnow/cdnow_customers_summary_with_transactions.csv"
REVIEWS = "womens_clothing_reviews/womens_clothing_reviews.csv"
TICKETS = "support_tickets_synthetic/customer_support_tickets.csv"

#: file -> the options README.md's table says it needs (never --kind, never --map)
OPTIONS = {TELCO: ["--as-of", "2024-01-31"], MASTER: [], REVIEWS: ["--set", "channel=review"], TICKETS: [],
           SAMPLE: [], SUMMARY: [], SUMMARY_TX: []}
#: file -> the kind the CLI should detect
DETECTED = {TELCO: "customers", MASTER: "transactions", REVIEWS: "feedback", TICKETS: "tickets"}
#: the README's mapping of the headerless CDNOW sample
SAMPLE_MAP = ["column_1=customer_id", "column_2=-", "column_3=date", "column_4=quantity", "column_5=amount"]


@dataclass
class Run:
    """One ``python -m core import`` run: exit code, stdout, stderr and the store it wrote."""

    code: int
    out: str
    err: str
    con: sqlite3.Connection

    def q(self, sql: str):
        return self.con.execute(sql).fetchone()[0]

    def pairs(self, sql: str) -> dict:
        return dict(self.con.execute(sql).fetchall())

    def mapping(self) -> dict[str, str]:
        """The ``mapping:`` line, column -> field."""
        line = next(x for x in self.out.splitlines() if x.startswith("mapping: "))
        return dict(part.split(" -> ") for part in line.removeprefix("mapping: ").split(", ") if " -> " in part)


@pytest.fixture(scope="module")
def runs(tmp_path_factory, shared):
    """Every public file imported once, each into a fresh store, with only its README options."""
    out = {}
    for name, options in OPTIONS.items():
        folder = tmp_path_factory.mktemp("public")
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(["--db", f"sqlite:///{folder / 'store.db'}", "import", str(shared / name), *options])
        out[name] = Run(code, stdout.getvalue(), stderr.getvalue(), sqlite3.connect(folder / "store.db"))
    yield out
    for run in out.values():
        run.con.close()


@pytest.mark.parametrize("name", list(DETECTED))
def test_the_file_imports_with_its_detected_kind(runs, name):
    run = runs[name]
    assert run.code == 0, run.err
    assert run.err == ""
    first = run.out.splitlines()[0]
    assert first.startswith(f"kind: {DETECTED[name]} (detected: ") and first.endswith(")"), first
    assert run.pairs("select kind, rows_rejected from importlog") == {DETECTED[name]: 0}


def test_telco_customers(runs, shared):
    df = pd.read_csv(shared / TELCO)
    run = runs[TELCO]
    assert run.mapping() == {"customerID": "customer_id", "Contract": "plan", "tenure": "tenure",
                             "Churn": "churned", "MonthlyCharges": "mrr"}
    assert run.q("select count(*) from customer") == df["customerID"].nunique() == 7043
    assert run.q("select count(churn_date) from customer") == (df["Churn"] == "Yes").sum() == 1869
    assert run.pairs("select plan, count(*) from customer group by 1") == df["Contract"].value_counts().to_dict()
    # tenure 0 signs up on the snapshot date; the monthly charge is kept with the customer
    assert run.q("select count(*) from customer where signup_date = '2024-01-31'") == (df["tenure"] == 0).sum()
    charges = run.q("select sum(json_extract(attributes, '$.MonthlyCharges')) from customer")
    assert charges == pytest.approx(df["MonthlyCharges"].sum())


def test_cdnow_master_purchases(runs, shared):
    df = pd.read_csv(shared / MASTER, sep=r"\s+", dtype={"customer_id": str, "date": str})
    run = runs[MASTER]
    assert run.mapping() == {"customer_id": "customer_id", "date": "date", "dollar_value": "amount",
                             "number_of_cds": "quantity"}
    assert run.q("select count(*) from revenue") == run.q("select count(*) from activity") == len(df) == 69659
    assert run.q("select count(*) from customer") == df["customer_id"].nunique() == 23570
    assert round(run.q("select sum(amount) from revenue"), 2) == round(df["dollar_value"].sum(), 2) == 2500315.63
    assert run.q("select sum(value) from activity") == df["number_of_cds"].sum()
    first = pd.to_datetime(df["date"], format="%Y%m%d").groupby(df["customer_id"]).min().dt.strftime("%Y-%m-%d")
    assert run.pairs("select customer_id, signup_date from customer") == first.to_dict()


def test_reviews_feedback(runs, shared):
    df = pd.read_csv(shared / REVIEWS, index_col=0)
    run = runs[REVIEWS]
    assert run.mapping() == {"Rating": "score", "Review Text": "text"}
    assert run.q("select count(*) from feedback") == len(df) == 23486
    assert run.pairs("select channel, count(*) from feedback group by 1") == {"review": len(df)}
    assert run.pairs("select cast(score as int), count(*) from feedback group by 1") \
        == df["Rating"].value_counts().to_dict() == {1: 842, 2: 1565, 3: 2871, 4: 5077, 5: 13131}
    assert run.q("select count(*) from feedback where text is null") == df["Review Text"].isna().sum() == 845
    # Clothing ID is a product, never a customer; the file has no date (the report says what will not show)
    assert run.q("select count(customer_id) from feedback") == run.q("select count(date) from feedback") == 0
    summary = next(line for line in run.out.splitlines() if line.startswith("womens_clothing_reviews.csv: "))
    assert ". First: row 2, field date: no date column: none of the 23,486 rows will show on the Feedback " \
        "themes page" in summary, summary  # the whole file lacks the column: no empty "column :"


def test_support_tickets(runs, shared):
    df = pd.read_csv(shared / TICKETS)
    run = runs[TICKETS]
    mapped = run.mapping()
    assert {mapped[c] for c in ("Ticket ID", "Ticket Type", "Ticket Priority", "Ticket Status", "Ticket Channel",
                                "First Response Time", "Time to Resolution", "Customer Satisfaction Rating")} \
        == {"ticket_id", "category", "priority", "status", "channel", "first_response", "resolved", "satisfaction"}
    assert "Date of Purchase" not in mapped and "opened" not in mapped.values()
    assert run.q("select count(*) from ticket") == len(df) == 8469
    for column, field in [("Ticket Type", "category"), ("Ticket Priority", "priority"),
                          ("Ticket Status", "status"), ("Ticket Channel", "channel")]:
        assert run.pairs(f"select {field}, count(*) from ticket group by 1") == df[column].value_counts().to_dict()
    assert run.q("select count(first_response) from ticket") == df["First Response Time"].notna().sum() == 5650
    assert run.q("select count(resolved) from ticket") == df["Time to Resolution"].notna().sum() == 2769
    assert run.q("select sum(satisfaction) from ticket") == df["Customer Satisfaction Rating"].sum()
    assert run.q("select count(customer_id) from ticket") == run.q("select count(opened) from ticket") == 0


def test_support_ticket_text_is_kept(runs, shared):
    df = pd.read_csv(shared / TICKETS)
    run = runs[TICKETS]
    column = next(c for c, f in run.mapping().items() if f == "text")
    assert run.q("select count(text) from ticket") == df[column].notna().sum() == 8469
    assert run.pairs("select text, count(*) from ticket group by 1") == df[column].value_counts().to_dict()


@pytest.mark.parametrize("name", [SAMPLE, SUMMARY, SUMMARY_TX])
def test_a_file_that_needs_a_choice_is_refused_in_one_line(runs, name):
    run = runs[name]
    assert run.code == 2, run.out
    err = run.err.strip()
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in err, err
    assert "--kind" in err or "--map" in err, err  # it says what to give
    assert run.q("select count(*) from importlog") == 0
    assert "import #" not in run.out


def test_the_headerless_sample_says_it_has_no_header_and_what_to_map(runs):
    err = runs[SAMPLE].err.strip()
    assert err.startswith("error: Cannot tell what CDNOW_sample.txt holds (it has no header line, so its columns "
                          "are named column_1 to column_5"), err
    assert "--kind transactions" in err and "map every column to a field (--map column_1=FIELD" in err


@pytest.mark.parametrize("name, columns", [(SUMMARY, "frequency, recency and T"), (SUMMARY_TX, "x, t_x, T and zbar")])
def test_the_summaries_name_the_columns_no_field_takes(runs, name, columns):
    err = runs[name].err.strip()
    assert f"only the customer id, ID, matches a field; {columns} match no field" in err, err
    assert "give the kind with --kind customers and map those columns" in err
    assert "the file holds no customer records to import" in err


def test_the_summaries_import_as_customers_when_the_analyst_says_so(tmp_path, shared, capsys):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    assert main(["--db", url, "import", str(shared / SUMMARY), "--kind", "customers"]) == 0, capsys.readouterr().err
    assert not capsys.readouterr().out.startswith("kind:")  # given, not detected
    df = pd.read_csv(shared / SUMMARY)
    con = sqlite3.connect(tmp_path / "store.db")
    try:
        assert con.execute("select count(*) from customer").fetchone()[0] == df["ID"].nunique() == 2357
        kept = con.execute("select sum(json_extract(attributes, '$.frequency')) from customer").fetchone()[0]
        assert kept == df["frequency"].sum()  # the other columns are kept with each customer
    finally:
        con.close()


@pytest.mark.parametrize("kind", [["--kind", "transactions"], []])
def test_the_headerless_sample_imports_with_the_choice_the_readme_gives(tmp_path, shared, capsys, kind):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    argv = ["--db", url, "import", str(shared / SAMPLE), *kind]
    assert main([*argv, *[x for m in SAMPLE_MAP for x in ("--map", m)]]) == 0, capsys.readouterr().err
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("kind: transactions (detected: ") if not kind else not first.startswith("kind:"), first
    df = pd.read_csv(shared / SAMPLE, sep=r"\s+", header=None, dtype={0: str})
    con = sqlite3.connect(tmp_path / "store.db")
    try:
        assert con.execute("select count(*) from revenue").fetchone()[0] == len(df) == 6919
        assert con.execute("select count(*) from customer").fetchone()[0] == df[0].nunique() == 2357
        assert round(con.execute("select sum(amount) from revenue").fetchone()[0], 2) == round(df[4].sum(), 2)
    finally:
        con.close()


def test_the_readme_lists_every_file_that_needs_a_choice():
    text = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    table = text.split("that still need a choice, and why:")[1].split("\n\n")[1]
    rows = [line.split("|")[1:-1] for line in table.splitlines()[2:]]
    given = {(f.strip(), kind.strip()): what for f, kind, what, _ in rows}
    assert given[("CDNOW master", "transactions")].strip() == "nothing"
    assert given[("support tickets", "tickets")].startswith(" nothing")
    assert "--kind transactions" in given[("CDNOW sample", "transactions")]
    assert "`column_1=customer_id`" in given[("CDNOW sample", "transactions")]
    assert ("CDNOW summaries", "none") in given
    assert "--set channel=review" in given[("clothing reviews", "feedback")]
    assert "--as-of 2024-01-31" in given[("telco churn", "customers")]
    assert "--kind revenue --set period=2024-01-31" in given[("telco churn", "revenue")]  # detected: customers
