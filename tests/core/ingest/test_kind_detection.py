"""core.ingest.kind_detection: the kind a file holds, from its columns and a sample of its values."""

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.ingest import kind_detection as K
from core.ingest.kind_detection import detect_file, detect_kind
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
    monkeypatch.setattr(K, "detect_kind", lambda frame, decimal=".": seen.append(len(frame)) or real(frame, decimal))
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
