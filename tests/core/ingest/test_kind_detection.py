"""core.ingest.kind_detection: the kind a file holds, from its columns and a sample of its values."""

import io
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.cli.main import main
from core.ingest import kind_detection as K
from core.ingest.kind_detection import advice, detect_file, detect_kind, refusal
from core.ingest.reader import read_table
from tests.conftest import xlsx_bytes
from tests.core.ingest.test_line_items import make_line_items

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "data/samples"
SAMPLE_KINDS = {"customers.csv": "customers", "revenue.csv": "revenue", "activity.csv": "activity",
                "tickets.csv": "tickets", "feedback.csv": "feedback", "interventions.csv": "interventions",
                "campaign.csv": "interventions"}
PUBLIC = {"telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv": "customers", "cdnow/CDNOW_master.txt": "transactions",
          "womens_clothing_reviews/womens_clothing_reviews.csv": "feedback",
          "support_tickets_synthetic/customer_support_tickets.csv": "tickets"}


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def _generated(kind: str, n: int = 300, seed: int = 0) -> pd.DataFrame:
    """A file of ``kind`` as an analyst's system would export it (seeded)."""
    rng = np.random.default_rng(seed)
    ids = [f"C{i:04d}" for i in rng.integers(0, n // 5, n)]
    days = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    if kind == "revenue":
        months = days.to_period("M").to_timestamp()
        return pd.DataFrame({"account_id": ids, "period": months.strftime("%Y-%m-%d"),
                             "mrr": rng.integers(50, 900, n).astype(str)})
    if kind == "activity":
        return pd.DataFrame({"user_id": ids, "day": days.strftime("%Y-%m-%d"),
                             "metric": rng.choice(["logins", "reports", "api_calls"], n),
                             "value": rng.integers(0, 40, n).astype(str)})
    if kind == "interventions":
        return pd.DataFrame({"customer_id": ids, "play": "Renewal call", "arm": rng.choice(["treatment", "control"], n),
                             "contact_date": days.strftime("%d/%m/%Y")})
    if kind == "transactions":
        return pd.DataFrame({"CustomerID": ids, "OrderDate": days.strftime("%Y-%m-%d"),
                             "OrderTotal": rng.uniform(5, 200, n).round(2).astype(str)})
    raise ValueError(kind)


@pytest.mark.parametrize("name, kind", sorted(PUBLIC.items()))
def test_the_public_files_are_detected(shared, name, kind):
    found = detect_file((shared / name).read_bytes(), name)
    assert found.kind == kind, found
    assert not found.ambiguous and found.candidates == (kind,)
    assert found.reason.endswith(K.NOUNS[kind])
    assert found.scores[kind] == max(found.scores.values())


def test_the_purchase_log_reads_as_purchases_not_revenue(shared):
    found = detect_file((shared / "cdnow/CDNOW_master.txt").read_bytes(), "CDNOW_master.txt")
    assert found.reason == "a customer id, a date, an amount and a quantity per row, dates on any day: purchases"
    assert found.matches == {"customer_id": "customer_id", "date": "date", "amount": "dollar_value",
                             "quantity": "number_of_cds"}
    assert 0 < found.scores["revenue"] < K.CLOSE * found.scores["transactions"]
    assert found.scores["customers"] < found.scores["transactions"] / 4  # ids repeat: no customer list


def test_the_telco_snapshot_is_one_row_per_customer(shared):
    found = detect_file((shared / "telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv").read_bytes(), "telco.csv")
    assert "each customer once" in found.reason and "a churn flag" in found.reason


@pytest.mark.parametrize("name, kind", sorted(SAMPLE_KINDS.items()))
def test_the_bundled_samples_are_detected(name, kind):
    found = detect_file((SAMPLES / name).read_bytes(), name)
    assert found.kind == kind, found


@pytest.mark.parametrize("kind", ["revenue", "activity", "interventions", "transactions"])
def test_generated_files_of_each_kind_are_detected(kind):
    frame = _generated(kind)
    found = detect_file(_csv(frame), f"{kind}.csv")
    assert found.kind == kind, found
    wb = detect_file(xlsx_bytes({"Sheet1": [list(frame.columns), *frame.values.tolist()]}), f"{kind}.xlsx")
    assert wb.kind == kind, wb


def test_revenue_periods_on_the_first_of_the_month_say_so():
    found = detect_kind(read_table(_csv(_generated("revenue"))).frame)
    assert found.reason == "a customer id, a month and MRR per row, dates on the first of the month: monthly revenue"


def test_an_id_and_a_date_is_ambiguous_not_a_guess():
    frame = pd.DataFrame({"customer_id": [f"C{i % 9}" for i in range(60)],
                          "date": pd.date_range("2024-01-01", periods=60).strftime("%Y-%m-%d")})
    found = detect_kind(frame)
    assert found.ambiguous and found.kind is None
    assert len(found.candidates) >= 2 and set(found.candidates) <= set(K.NOUNS)
    assert "a customer id and a date" in found.reason and "it could be" in found.reason
    assert detect_kind(frame.assign(customer_id=[f"C{i}" for i in range(60)])).ambiguous  # unique ids: still unsure


def test_two_close_kinds_are_both_named():
    # a customer, a date and a comment per row: a ticket or a survey answer
    frame = pd.DataFrame({"customer_id": [f"C{i % 20}" for i in range(80)],
                          "date": pd.date_range("2024-01-01", periods=80).strftime("%Y-%m-%d"),
                          "comment": ["The export fails every time I try it"] * 80})
    found = detect_kind(frame)
    assert found.ambiguous and found.candidates == ("tickets", "feedback")
    assert found.reason == ("it could be tickets (a customer id, an opened time and text) "
                            "or feedback (a customer id, a date and text)")


def test_amounts_on_the_first_of_each_month_are_revenue():
    frame = pd.DataFrame({"customer_id": [f"C{i % 20}" for i in range(80)],
                          "date": pd.date_range("2024-01-01", periods=80, freq="MS").strftime("%Y-%m-%d"),
                          "amount": [str(10 + i) for i in range(80)]})
    assert detect_kind(frame).kind == "revenue"
    days = frame.assign(date=pd.date_range("2024-01-03", periods=80, freq="5D").strftime("%Y-%m-%d"))
    assert detect_kind(days).kind == "transactions"


def test_columns_that_name_nothing_are_ambiguous():
    found = detect_kind(pd.DataFrame({"a": ["1"], "b": ["x"]}))
    assert found.ambiguous and found.candidates == tuple(K.NOUNS) and max(found.scores.values()) == 0


def test_headers_alone_are_enough_for_a_clear_file():
    assert detect_kind(["Ticket ID", "Created At", "Priority", "Status", "Subject"]).kind == "tickets"
    assert detect_kind(["customer_id", "play", "group", "sent_at"]).kind == "interventions"
    assert detect_kind(["customer_id", "date"]).ambiguous


def test_only_the_first_rows_are_read(monkeypatch):
    """A large text file is cut before reading: the detection costs the same on a long log."""
    seen = []
    real = detect_kind
    monkeypatch.setattr(K, "detect_kind", lambda frame, decimal=".", **given: seen.append(len(frame))
                        or real(frame, decimal, **given))
    frame = _generated("transactions", n=60_000)
    data = _csv(frame)
    assert len(data) > K.SAMPLE_BYTES
    assert K.detect_file(data, "big.csv").kind == "transactions"
    assert seen == [K.SAMPLE_ROWS]


def test_a_kind_lacking_a_needed_field_is_out(shared):
    telco = detect_file((shared / "telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv").read_bytes(), "telco.csv")
    assert telco.scores["revenue"] == 0  # MonthlyCharges is MRR, but no column says which month
    cdnow = detect_file((shared / "cdnow/CDNOW_master.txt").read_bytes(), "CDNOW_master.txt")
    assert cdnow.scores["activity"] == 0 and cdnow.scores["interventions"] == 0  # no metric; no play or group
    assert detect_kind(pd.DataFrame({"customer_id": ["C1", "C2"], "date": ["2024-01-05", "2024-02-07"],
                                     "count": ["1", "2"]})).scores["activity"] == 0  # a count of what?
    months = detect_kind(pd.DataFrame({"customer_id": ["C1", "C2"], "month": ["2024-01-01", "2024-02-01"]}))
    assert months.scores["revenue"] == 0 and months.ambiguous  # revenue needs MRR or an amount


def test_a_customer_id_that_repeats_is_no_customer_list(shared):
    frame = read_table((shared / "telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv").read_bytes()).frame.head(500)
    once = detect_kind(frame)
    repeated = detect_kind(frame.assign(customerID=frame["customerID"].iloc[:50].tolist() * 10))
    assert "each customer once" in once.reason and "each customer once" not in repeated.reason
    assert once.scores["customers"] >= 2 * repeated.scores["customers"] + 0.4  # a bonus once, halved when repeated


def test_a_line_item_log_without_a_line_total_is_purchases():
    """The online-retail shape (InvoiceNo, Quantity, UnitPrice, no amount): the amount is derived, so the file
    is purchases, not tickets (which its Description column also fits)."""
    buf = io.StringIO()
    make_line_items().to_csv(buf, index=False)
    d = detect_file(buf.getvalue().encode(), "Online Retail.csv")
    assert d.kind == "transactions"
    assert d.reason.startswith("a customer id, a date, a unit price and an order or invoice id per row")


def _summaries(n: int = 200, seed: int = 1) -> pd.DataFrame:
    """A model's summary per customer, shaped like the CDNOW summaries (ID, frequency, recency, T), seeded."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"ID": np.arange(1, n + 1).astype(str), "frequency": rng.integers(0, 9, n).astype(str),
                         "recency": rng.uniform(0, 39, n).round(2).astype(str), "T": ["38.86"] * n})


def _headerless(n: int = 120, seed: int = 2) -> bytes:
    """A purchase log with no header line, shaped like CDNOW_sample.txt (id, another id, day, quantity, amount)."""
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("1997-01-01") + pd.to_timedelta(rng.integers(0, 540, n), unit="D")
    frame = pd.DataFrame({"a": [f"{i:05d}" for i in rng.integers(1, 30, n)], "b": [f"{i:04d}" for i in range(n)],
                          "c": days.strftime("%Y%m%d"), "d": rng.integers(1, 5, n).astype(str),
                          "e": rng.uniform(5, 90, n).round(2).astype(str)})
    return frame.to_csv(index=False, header=False, sep=" ").encode()


#: the README's mapping of a headerless purchase log: field -> column, and the column left out
FULL_MAP = {"customer_id": "column_1", "date": "column_3", "quantity": "column_4", "amount": "column_5"}


def test_an_id_beside_columns_no_field_takes_is_refused_naming_them():
    found = detect_file(_csv(_summaries()), "summary.csv")
    assert found.ambiguous and found.candidates == ("customers",) and not found.headerless
    assert found.unplaced == ("frequency", "recency", "T")
    assert found.reason == "only the customer id, ID, matches a field; frequency, recency and T match no field"
    line = refusal(found, "summary.csv")
    assert "\n" not in line and line.startswith("Cannot tell what summary.csv holds (only the customer id, ID, ")
    assert "give the kind with --kind customers and map those columns (--map COLUMN=FIELD" in line
    assert line.endswith("the file holds no customer records to import.")
    page = advice(found, "page")
    assert "--" not in page and page.startswith("if the rows are customer records, choose customers in What the file")


def test_many_columns_no_field_takes_are_counted_not_all_named():
    frame = _summaries().assign(**{f"score_{i}": "1" for i in range(10)})
    found = detect_kind(frame)
    assert len(found.unplaced) == 13 and "frequency, recency, T, score_0, score_1, score_2 and 7 more match" \
        in found.reason


def test_the_summaries_shape_imports_as_customers_when_the_kind_is_given(tmp_path, capsys):
    f = tmp_path / "summary.csv"
    f.write_bytes(_csv(_summaries()))
    url = f"sqlite:///{tmp_path / 'store.db'}"
    assert main(["--db", url, "import", str(f)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: Cannot tell what summary.csv holds") and "\n" not in err
    assert main(["--db", url, "import", str(f), "--kind", "customers"]) == 0, capsys.readouterr().err
    con = sqlite3.connect(tmp_path / "store.db")
    try:
        assert con.execute("select count(*) from customer").fetchone()[0] == 200
        assert con.execute("select count(*) from importlog").fetchone()[0] == 1  # the refusal wrote nothing
    finally:
        con.close()


def test_a_plain_list_of_accounts_is_a_customer_list():
    ids = pd.DataFrame({"customer_id": [f"C{i:03d}" for i in range(40)]})
    found = detect_kind(ids)
    assert found.kind == "customers" and found.matches == {"customer_id": "customer_id"} and not found.unplaced
    assert found.reason == "a customer id per row and no other column, each customer once: a customer list"
    # an empty column, or one the analyst leaves out, is no other column
    assert detect_kind(ids.assign(note="")).kind == "customers"
    assert detect_kind(ids.assign(colour="red"), ignore=("colour",)).kind == "customers"
    assert detect_kind(ids.assign(colour="red")).unplaced == ("colour",)
    # ids that repeat are no customer list; names alone cannot tell either
    assert detect_kind(pd.DataFrame({"customer_id": [f"C{i % 9}" for i in range(40)]})).ambiguous
    assert detect_kind(["customer_id"]).ambiguous


def test_a_file_without_a_header_line_says_so_and_what_to_map():
    found = detect_file(_headerless(), "sample.txt")
    assert found.ambiguous and found.headerless and found.candidates == tuple(K.NOUNS)
    assert found.reason == ("it has no header line, so its columns are named column_1 to column_5 and no name "
                            "says what a column holds")
    cli = advice(found, "cli")
    assert cli.startswith("give the kind (--kind customers, --kind revenue, ") and "--kind transactions" in cli
    assert cli.endswith("and map every column to a field (--map column_1=FIELD and so on; COLUMN=- leaves a column "
                        "out)")
    page = advice(found, "page")
    assert "--" not in page and page.endswith("then pick the column of each field in the column mapping")
    # a file with a header is never told it has none
    assert not detect_kind(pd.DataFrame({"a": ["1"], "b": ["x"]})).headerless


def test_a_headerless_file_with_a_full_mapping_is_detected():
    found = detect_file(_headerless(), "sample.txt", mapping=FULL_MAP, ignore=("column_2",))
    assert found.kind == "transactions" and found.matches == FULL_MAP
    assert found.reason == "a customer id, a date, an amount and a quantity per row, dates on any day: purchases"
    partly = detect_file(_headerless(), "sample.txt", mapping={"customer_id": "column_1", "date": "column_3"})
    assert partly.headerless and partly.unplaced == ("column_2", "column_4", "column_5")
    assert set(partly.candidates) == {"activity", "transactions", "feedback", "interventions"}  # have both fields


def test_the_fields_the_analyst_gives_decide_between_kinds():
    frame = pd.DataFrame({"customer_id": [f"C{i % 7}" for i in range(40)],
                          "date": [f"2024-01-{i % 28 + 1:02d}" for i in range(40)]})
    assert detect_kind(frame).ambiguous
    tickets = detect_kind(frame, mapping={"opened": "date"})
    assert tickets.kind == "tickets" and tickets.matches == {"customer_id": "customer_id", "opened": "date"}
    assert detect_kind(frame, mapping={"nonsense": "date"}).reason == "no kind has every field given (nonsense)"
    # a snapshot's charges: no month, so no kind fits, until the analyst gives the month for the whole file
    charges = pd.DataFrame({"customer_id": [f"C{i % 9}" for i in range(40)], "amount": [str(i) for i in range(40)]})
    assert detect_kind(charges).ambiguous
    month = detect_kind(charges, constants={"period": "2024-01-31"})
    assert month.kind == "revenue" and month.matches == {"customer_id": "customer_id", "amount": "amount"}


def test_the_cli_passes_its_map_to_the_detection(tmp_path, capsys):
    f = tmp_path / "sample.txt"
    f.write_bytes(_headerless())
    url = f"sqlite:///{tmp_path / 'store.db'}"
    assert main(["--db", url, "import", str(f)]) == 2
    assert "no header line" in capsys.readouterr().err
    maps = [x for fld, col in FULL_MAP.items() for x in ("--map", f"{col}={fld}")]
    assert main(["--db", url, "import", str(f), *maps, "--map", "column_2=-"]) == 0, capsys.readouterr().err
    assert capsys.readouterr().out.startswith("kind: transactions (detected: a customer id, a date, an amount and ")
