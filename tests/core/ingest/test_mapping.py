"""Matching a file's columns to fields (core/ingest/mapping.py): real header spellings, confidences, outcomes that
are never a cost, the public files in ../shared/data and the bundled campaign sample from the CLI."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import core
from core.cli.main import main
from core.demo.campaign import make_campaign
from core.ingest import fields as F
from core.ingest import mapping as M
from core.ingest.reader import read_table
from tests.conftest import ROOT

CAMPAIGN = ROOT / "data" / "samples" / "campaign.csv"
#: cells that fit each field type, so a name match is not refused by the type check
VALUES = {"key": ["C1", "C2", "C3"], "text": ["a", "b", "c"], "date": ["2024-01-05", "2024-02-06", "2024-03-07"],
          "datetime": ["2024-01-05 10:00:00", "2024-02-06 11:30:00", "2024-03-07 09:15:00"],
          "number": ["12.5", "3", "40"], "months": ["3", "12", "30"], "flag": ["Yes", "No", "No"],
          "group": ["treatment", "holdout", "treatment"]}


def _spec(kind: str, field: str) -> F.FieldSpec:
    return next(s for s in F.KINDS[kind] if s.name == field)


def _one_column(header: str, kind: str, field: str) -> pd.DataFrame:
    return pd.DataFrame({header: VALUES[_spec(kind, field).type]}, dtype="str")


# header as exported -> (kind, field, confidence); the source of each spelling in the comment
REAL_HEADERS = [
    ("InvoiceDate", "transactions", "date", 1.0),             # online-retail line items (camelCase)
    ("invoice_date", "transactions", "date", 1.0),
    ("Invoice Date", "transactions", "date", 1.0),
    ("INVOICEDATE", "transactions", "date", 1.0),             # run together, upper case
    ("invoice-date", "revenue", "period", 1.0),               # kebab
    ("InvoiceDateUTC", "transactions", "date", 1.0),          # camelCase with a qualifier
    ("CustomerID", "transactions", "customer_id", 1.0),
    ("customer-id", "customers", "customer_id", 1.0),
    ("CUSTOMER_ID", "revenue", "customer_id", 1.0),
    ("customerId", "activity", "customer_id", 1.0),
    ("customerID", "customers", "customer_id", 1.0),          # telco
    ("MonthlyCharges", "customers", "mrr", 1.0),              # telco snapshot
    ("MonthlyCharges", "revenue", "mrr", 1.0),
    ("tweet_created", "feedback", "date", 1.0),               # airline tweets
    ("Sent On", "interventions", "date", 1.0),                # data/samples/campaign.csv
    ("Created (UTC)", "customers", "signup_date", 1.0),       # Stripe
    ("Canceled At (UTC)", "customers", "churn_date", 1.0),    # Stripe
    ("customer[id]", "customers", "customer_id", 1.0),        # Chargebee
    ("subscription[mrr]", "customers", "mrr", 0.7),           # Chargebee
    ("subscription[cancelled_at]", "customers", "churn_date", 0.7),
    ("Created at", "transactions", "date", 1.0),              # Shopify orders
    ("Lineitem quantity", "transactions", "quantity", 0.7),
    ("Id", "tickets", "ticket_id", 1.0),                      # Zendesk
    ("Requester id", "tickets", "customer_id", 1.0),
    ("Solved at", "tickets", "resolved", 1.0),
    ("Via", "tickets", "channel", 1.0),
    ("Conversation ID", "tickets", "ticket_id", 1.0),         # Intercom
    ("Conversation rating", "tickets", "satisfaction", 1.0),
    ("createdAtUTC", "tickets", "opened", 1.0),
    ("CaseNumber", "tickets", "ticket_id", 1.0),              # Salesforce
    ("AccountId", "tickets", "customer_id", 1.0),
    ("CreatedDate", "tickets", "opened", 1.0),
    ("ClosedDate", "tickets", "resolved", 1.0),
    ("Date/Time Opened", "tickets", "opened", 1.0),
    ("Case Origin", "tickets", "channel", 1.0),
    ("BillingCountry", "customers", "region", 1.0),
    ("Record ID", "customers", "customer_id", 1.0),           # HubSpot
    ("createdate", "customers", "signup_date", 1.0),
    ("Became a Customer Date", "customers", "signup_date", 1.0),
    ("Country/Region", "customers", "region", 1.0),
    ("Original Source", "customers", "channel", 1.0),
    ("Campaign Title", "interventions", "play", 1.0),         # Mailchimp
    ("Send Date", "interventions", "date", 1.0),
    ("RecordedDate", "feedback", "date", 1.0),                # Qualtrics
    ("ExternalReference", "feedback", "customer_id", 1.0),
    ("Star Rating", "feedback", "score", 1.0),                # Google Play console
    ("Review Submit Date and Time", "feedback", "date", 1.0),
    ("Review Text", "feedback", "text", 1.0),                 # clothing reviews
    ("number_of_cds", "transactions", "quantity", 1.0),       # CDNOW
    ("dollar_value", "transactions", "amount", 1.0),
    ("Customer Satisfaction Rating", "tickets", "satisfaction", 1.0),  # support tickets
    ("Ratings", "feedback", "score", 0.9),                    # a plural of a synonym
    ("Submission Date", "feedback", "date", 0.5),             # only a date-like name
]


@pytest.mark.parametrize(("header", "kind", "field", "confidence"), REAL_HEADERS)
def test_real_header_spellings_match_their_field(header, kind, field, confidence):
    found = M.match_columns(_one_column(header, kind, field), kind)
    assert found[field].column == header
    assert found[field].confidence == confidence
    assert found[field].how == M.HOW[confidence]


@pytest.mark.parametrize(("header", "kind", "field"), [
    ("Spend", "interventions", "cost"), ("Spend Last Year", "interventions", "cost"),
    ("Revenue", "interventions", "cost"), ("Converted", "interventions", "cost"),
    ("Visited", "interventions", "cost"), ("Purchase Amount", "interventions", "cost"),
    ("Order Value", "interventions", "cost"), ("Sales", "interventions", "cost"),
    ("Conversion Cost", "interventions", "cost"), ("Marketing Spend", "interventions", "cost"),
    ("Customer Name", "tickets", "customer_id"), ("Customer Email", "tickets", "customer_id"),
    ("Clothing ID", "feedback", "customer_id"), ("Date of Purchase", "tickets", "opened"),
    ("UnitPrice", "transactions", "quantity"), ("Q1_NPS_GROUP", "feedback", "score"),
    ("Positive Feedback Count", "feedback", "text"), ("TotalCharges", "customers", "mrr"),
])
def test_look_alike_headers_are_not_taken(header, kind, field):
    assert field not in M.match_columns(_one_column(header, kind, field), kind)
    assert M.name_match(kind, field, header) is None


_OUTCOME_WORDS = ["spend", "revenue", "sales", "converted", "conversion", "visited", "purchase amount",
                  "order value"]
_STYLES = [lambda ws: "_".join(ws), lambda ws: " ".join(w.title() for w in ws),
           lambda ws: "".join(w.title() for w in ws), lambda ws: "-".join(ws).upper(), lambda ws: "".join(ws)]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(_OUTCOME_WORDS), st.sampled_from(["", "cost", "total", "usd", "per contact", "last year"]),
       st.booleans(), st.sampled_from(_STYLES))
def test_an_outcome_is_never_a_cost_in_any_spelling(outcome, extra, before, style):
    parts = [*outcome.split(), *extra.split()] if before else [*extra.split(), *outcome.split()]
    header = style(parts)
    frame = pd.DataFrame({"Customer ID": ["C1", "C2"], header: ["0.0", "12.5"]}, dtype="str")
    assert "cost" not in M.match_columns(frame, "interventions"), header


def test_a_campaign_with_a_spend_outcome_and_no_cost_column_has_no_cost(engine):
    frame = make_campaign(60, seed=0).drop(columns="Cost")
    data = frame.to_csv(index=False).encode()
    plan = core.prepare_import(engine, data, "campaign.csv", "interventions", constants={"play": "Test"},
                               create_customers=True)
    assert plan.mapping == {"customer_id": "Customer ID", "date": "Sent On", "group": "Arm"}
    assert plan.tables["intervention"]["cost"].isna().all()
    spend = [json.loads(a)["Spend"] for a in plan.tables["intervention"]["attributes"]]
    assert spend == frame["Spend"].tolist()  # kept as the play's outcome


def test_words_split_camel_pascal_snake_kebab_spaces_and_run_together_names():
    assert M.words("InvoiceDate") == M.words("invoice_date") == M.words("INVOICE-DATE") == ("invoice", "date")
    assert M.words("invoicedate") == ("invoice", "date")
    assert M.words("netPromoterScore") == ("net", "promoter", "score")       # an unknown word: camelCase only
    assert M.words("AccountIDNumber") == ("account", "id", "number")
    assert M.words("Created (UTC)") == ("created",) and M.words("UTC") == ("utc",)
    assert M.words("  ") == () and M.words("Kündigungsdatum") == ("kündigungsdatum",)


def test_type_check_keeps_a_name_match_only_when_the_cells_fit():
    frame = pd.DataFrame({"date": ["soon", "later", "never"], "Order Date": ["2024-01-01", "2024-01-02", ""],
                          "Customer ID": ["C1", "C2", "C3"], "Amount": ["$10.00", "$12.50", "3"]}, dtype="str")
    found = M.match_columns(frame, "transactions")
    assert {f: m.column for f, m in found.items()} == {"customer_id": "Customer ID", "date": "Order Date",
                                                       "amount": "Amount"}
    assert found["date"].confidence == 1.0  # "order_date" is a synonym: the text "date" column lost only by type


def test_a_column_feeds_one_field_and_the_better_name_wins():
    frame = pd.DataFrame({"subscription[customer_id]": ["C1", "C2"], "customer[id]": ["C1", "C2"]}, dtype="str")
    assert M.guess_mapping(frame, "customers") == {"customer_id": "customer[id]"}
    frame = pd.DataFrame({"Ticket Subject": ["a", "b"], "Ticket Description": ["c", "d"]}, dtype="str")
    assert M.guess_mapping(frame, "tickets") == {"text": "Ticket Subject"}


def test_matching_ten_thousand_columns_checks_each_field_a_bounded_number_of_times(monkeypatch):
    """Linear in columns: names are looked up, not compared pairwise; type checks per field are capped."""
    calls = []
    real = F.type_share
    monkeypatch.setattr(F, "type_share", lambda s, t, d=".": calls.append(s.name) or real(s, t, d))
    cols = {f"Event {i} Date": ["not a date"] for i in range(10_000)}
    frame = pd.DataFrame({"Customer ID": ["C1"], **cols}, dtype="str")
    found = M.match_columns(frame, "feedback")
    assert set(found) == {"customer_id"}
    assert len(calls) == M.MAX_TYPE_CHECKS  # 10,000 date-like names, 20 looked at


# --------------------------------------------------------------------------- overrides and the plan


def test_the_plan_exposes_the_mapping_with_a_confidence_per_field(engine):
    data = b"CustomerID,InvoiceDate,Ratings,Submission Date,Review\nC1,2024-01-05,4,2024-01-06,ok\n"
    plan = core.prepare_import(engine, data, "f.csv", "feedback", constants={"channel": "review"},
                               create_customers=True)
    assert plan.mapping == {"customer_id": "CustomerID", "date": "InvoiceDate", "score": "Ratings", "text": "Review"}
    assert plan.confidence == {"customer_id": 1.0, "date": 0.5, "score": 0.9, "text": 1.0}
    assert plan.matches["date"].how == "guessed from a date-like name - check"
    chosen = core.prepare_import(engine, data, "f.csv", "feedback", constants={"channel": "review"},
                                 mapping={"date": "Submission Date", "score": "Ratings"}, create_customers=True)
    assert chosen.mapping["date"] == "Submission Date"
    assert chosen.matches["date"] == M.Match("date", "Submission Date", 1.0, M.CHOSEN)
    assert chosen.matches["score"].how == M.HOW[0.9]  # confirming the guess keeps how it was found


def test_ignored_columns_are_not_matched_and_the_next_best_takes_the_field():
    raw = read_table(b"Customer ID,Created At,Sent On,Arm\nC1,2024-01-01,2024-02-01,test\n", "c.csv")
    used = M.apply_overrides(raw, "interventions", None, {}, ("Sent On",))
    assert dict(used) == {"customer_id": "Customer ID", "date": "Created At", "group": "Arm"}
    assert used.matches["date"].confidence == 0.5


# --------------------------------------------------------------------------- public files and the sample


def _guess(path, kind):
    raw = read_table(path.read_bytes(), path.name)
    return M.match_columns(raw.frame, kind, raw.details.get("decimal", "."))


def test_telco_snapshot_offers_monthly_charges_as_mrr_and_keeps_it_as_a_feature(shared, engine):
    path = shared / "telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv"
    found = _guess(path, "customers")
    assert {f: m.column for f, m in found.items()} == {
        "customer_id": "customerID", "plan": "Contract", "tenure": "tenure", "churned": "Churn",
        "mrr": "MonthlyCharges"}
    assert all(m.confidence == 1.0 for m in found.values())
    core.commit_import(engine, core.prepare_import(engine, path.read_bytes(), path.name, "customers",
                                                   as_of="2024-01-31"), strict=False)
    stored = core.load_table(engine, "customer").set_index("customer_id")["attributes"]
    raw = pd.read_csv(path).set_index("customerID")["MonthlyCharges"]
    assert {c: a["MonthlyCharges"] for c, a in stored.items()} == raw.to_dict()


def test_cdnow_maps_every_field_by_name(shared):
    found = _guess(shared / "cdnow/CDNOW_master.txt", "transactions")
    assert {f: (m.column, m.confidence) for f, m in found.items()} == {
        "customer_id": ("customer_id", 1.0), "date": ("date", 1.0), "amount": ("dollar_value", 1.0),
        "quantity": ("number_of_cds", 1.0)}


def test_clothing_reviews_get_score_and_text_and_no_false_key_or_date(shared):
    found = _guess(shared / "womens_clothing_reviews/womens_clothing_reviews.csv", "feedback")
    assert {f: m.column for f, m in found.items()} == {"score": "Rating", "text": "Review Text"}


def test_support_tickets_get_their_id_and_dates_but_not_the_purchase_date(shared):
    found = _guess(shared / "support_tickets_synthetic/customer_support_tickets.csv", "tickets")
    assert {f: m.column for f, m in found.items()} == {
        "ticket_id": "Ticket ID", "first_response": "First Response Time", "resolved": "Time to Resolution",
        "priority": "Ticket Priority", "category": "Ticket Type", "channel": "Ticket Channel",
        "status": "Ticket Status", "satisfaction": "Customer Satisfaction Rating", "text": "Ticket Subject"}


def test_the_bundled_campaign_sample_imports_from_the_cli_without_map(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 's.db'}"
    assert main(["--db", url, "import", str(CAMPAIGN), "--kind", "interventions",
                 "--set", "play=Spring e-mail test", "--create-customers"]) == 0
    mapped = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("mapping:"))
    assert "Sent On -> date" in mapped and "Cost -> cost" in mapped and "Spend" not in mapped
    stored = core.load_table(core.make_engine(url), "intervention")
    raw = pd.read_csv(CAMPAIGN)
    assert len(stored) == len(raw)
    assert set(pd.to_datetime(stored["date"]).dt.date) == set(pd.to_datetime(raw["Sent On"], dayfirst=True).dt.date)
    assert stored["cost"].tolist() == raw["Cost"].tolist()


def test_the_samples_csv_round_trip_through_match_columns():
    """Every sample file's own headers come back as their fields, all by name."""
    for kind in ("customers", "revenue", "activity", "tickets", "feedback", "interventions"):
        path = ROOT / "data" / "samples" / f"{kind}.csv"
        frame = pd.read_csv(io.BytesIO(path.read_bytes()), dtype=str, keep_default_na=False)
        found = M.match_columns(frame, kind)
        assert found and all(m.confidence >= 0.9 for m in found.values()), kind
