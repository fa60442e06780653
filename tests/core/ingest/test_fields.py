"""Typing text cells (dates, numbers, flags, groups) and guessing the column mapping."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core.ingest import fields as F
from core.ingest.reader import clean_headers, read_table

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data"
TELCO = SHARED / "telco_churn" / "WA_Fn-UseC_-Telco-Customer-Churn.csv"
CDNOW_MASTER = SHARED / "cdnow" / "CDNOW_master.txt"
TICKETS = SHARED / "support_tickets_synthetic" / "customer_support_tickets.csv"
REVIEWS = SHARED / "womens_clothing_reviews" / "womens_clothing_reviews.csv"


def S(*values) -> pd.Series:
    return pd.Series(list(values), dtype="str")


@pytest.fixture(scope="module")
def telco():
    return read_table(TELCO.read_bytes(), TELCO.name).frame


@pytest.fixture(scope="module")
def cdnow():
    return read_table(CDNOW_MASTER.read_bytes(), CDNOW_MASTER.name).frame


@pytest.fixture(scope="module")
def tickets():
    return read_table(TICKETS.read_bytes(), TICKETS.name).frame


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(("values", "fmt"), [
    (["2024-03-31", "2024-01-05", "2023-12-01"], "ISO8601"),
    (["2024-03-31 14:30:00", "2024-01-05 08:00:00"], "ISO8601"),
    (["20240331", "19970101", "19980630"], "%Y%m%d"),
    (["03/04/2024", "31/01/2024", "12/12/2023"], "%d/%m/%Y"),   # a day > 12 settles it: day first
    (["03/04/2024", "01/31/2024", "12/12/2023"], "%m/%d/%Y"),   # a day > 12 in second place: month first
    (["03/04/2024", "01/02/2024"], "%m/%d/%Y"),                 # ambiguous: month first by convention
    (["31.03.2024", "01.12.2023"], "%d.%m.%Y"),
    (["Mar 31, 2024", "Jan 5, 2024"], "%b %d, %Y"),
    (["31 March 2024", "5 January 2024"], "%d %B %Y"),
    (["2024-03", "2023-12"], "%Y-%m"),
])
def test_detect_date_format(values, fmt):
    found, share = F.detect_date_format(S(*values))
    assert found == fmt
    assert share == 1.0


def test_detect_date_format_ignores_blanks_and_reports_the_share():
    assert F.detect_date_format(S("", " ", None)) == (None, 0.0)
    fmt, share = F.detect_date_format(S("2024-03-31", "", "2024-04-30", "not a date"))
    assert fmt == "ISO8601"
    assert share == pytest.approx(2 / 3)


def test_to_dates_flags_only_non_blank_failures():
    out, bad = F.to_dates(S("2024-03-31", "2024-02-30", "", None, " 2024-01-05 ", "soon"), "ISO8601")
    assert bad.tolist() == [False, True, False, False, False, True]
    assert out.iloc[0] == pd.Timestamp("2024-03-31")
    assert out.iloc[4] == pd.Timestamp("2024-01-05")  # surrounding white space is fine
    assert out.iloc[[1, 2, 3, 5]].isna().all()


def test_to_dates_without_a_format_flags_every_filled_cell():
    out, bad = F.to_dates(S("x", "", "2024-01-01"), None)
    assert bad.tolist() == [True, False, True]
    assert out.isna().all()


def test_iso_dates_and_datetimes():
    s = pd.Series(pd.to_datetime(["2024-03-31 14:30:05", None]))
    assert F.iso_dates(s).tolist() == ["2024-03-31", None]
    assert F.iso_datetimes(s).tolist() == ["2024-03-31 14:30:05.000000", None]


# --------------------------------------------------------------------------- numbers, flags, groups


def test_to_numbers_accepts_currency_and_separators():
    out, bad = F.to_numbers(S("$1,200.50", "12 %", "€3", "£1,000", "-4.5e3", "  7  ", "1200.50"))
    assert out.tolist() == [1200.5, 12.0, 3.0, 1000.0, -4500.0, 7.0, 1200.5]
    assert not bad.any()
    assert out.dtype == np.float64


def test_to_numbers_flags_text_but_not_blanks():
    out, bad = F.to_numbers(S("abc", "", " ", None, "12", "n/a"))
    assert bad.tolist() == [True, False, False, False, False, True]
    assert out.iloc[4] == 12.0
    assert out.iloc[[0, 1, 2, 3, 5]].isna().all()


def test_to_flags():
    out, bad = F.to_flags(S("Yes", "no", " TRUE ", "1", "0", "Churned", "active", "maybe", "", None))
    assert out.iloc[:7].tolist() == [True, False, True, True, False, True, False]
    assert bad.tolist() == [False] * 7 + [True, False, False]
    assert out.iloc[7:].isna().all()


def test_to_groups():
    out, bad = F.to_groups(S("Treatment", "control", "Hold-out", "holdout", "variant", " Email A ", "No E-Mail",
                             "", None))
    # holdout and treatment words are normalised; any other label is an arm of its own, kept as written
    assert out.iloc[:7].tolist() == ["treatment", "holdout", "holdout", "holdout", "treatment", "Email A", "holdout"]
    assert out.iloc[7:].isna().all()
    assert not bad.any()


def test_type_share_and_extra_type(telco):
    assert F.type_share(S("1", "2", "x", ""), "number") == pytest.approx(2 / 3)
    assert F.type_share(S("Yes", "No", "Maybe"), "flag") == pytest.approx(2 / 3)
    assert F.type_share(S("", None), "date") == 0.0
    # the telco TotalCharges column: 11 single spaces among numbers is still a numeric column
    assert F.infer_extra_type(telco["TotalCharges"]) == "number"
    assert F.infer_extra_type(telco["PaymentMethod"]) == "text"


# --------------------------------------------------------------------------- mapping


def test_norm():
    assert F.norm(" Customer  ID ") == "customer_id"
    assert F.norm("Date-of Purchase!") == "date_of_purchase"
    assert F.norm("customerID") == "customerid"


def test_guess_mapping_telco(telco):
    m = F.guess_mapping(telco, "customers")
    assert m["customer_id"] == "customerID"
    assert m["tenure"] == "tenure"
    assert m["churned"] == "Churn"
    assert len(set(m.values())) == len(m)  # a column feeds one field
    assert "gender" not in m.values() and "TotalCharges" not in m.values()


def test_guess_mapping_cdnow_transactions(cdnow):
    m = F.guess_mapping(cdnow, "transactions")
    assert m == {"customer_id": "customer_id", "date": "date", "amount": "dollar_value",
                 "quantity": "number_of_cds"}
    assert F.detect_date_format(cdnow["date"]) == ("%Y%m%d", 1.0)
    amounts, bad = F.to_numbers(cdnow["dollar_value"])
    assert not bad.any()
    assert amounts.sum() == pytest.approx(2_500_315.63, abs=0.01)
    dates, bad = F.to_dates(cdnow["date"], "%Y%m%d")
    assert not bad.any()
    first = dates.groupby(cdnow["customer_id"]).min()
    assert first.min() >= pd.Timestamp("1997-01-01") and first.max() <= pd.Timestamp("1997-03-31")


def test_guess_mapping_tickets_does_not_take_customer_name_as_the_key(tickets):
    m = F.guess_mapping(tickets, "tickets")
    assert m.get("customer_id") != "Customer Name"
    assert "Customer Name" not in m.values()
    assert "Customer Email" not in m.values()
    assert m.get("opened") != "Date of Purchase"  # a purchase date is not when the ticket was opened
    assert m["ticket_id"] == "Ticket ID"
    assert m["category"] == "Ticket Type"
    assert m["priority"] == "Ticket Priority"
    assert m["satisfaction"] == "Customer Satisfaction Rating"


def test_guess_mapping_reviews_feedback():
    frame = read_table(REVIEWS.read_bytes(), REVIEWS.name).frame
    m = F.guess_mapping(frame, "feedback")
    assert m["score"] == "Rating"
    assert m["text"] == "Review Text"
    assert "customer_id" not in m  # the unnamed index column is not a customer key


def test_guess_mapping_prefers_exact_names_and_checks_types():
    frame = pd.DataFrame({
        "Customer Name": ["Ann", "Bob"],
        "Customer ID": ["C1", "C2"],
        "date": ["soon", "later"],           # named like a date, holds no dates
        "Order Date": ["2024-01-01", "2024-01-02"],
        "Amount": ["$10.00", "$12.50"],
    }, dtype="str")
    m = F.guess_mapping(frame, "transactions")
    assert m["customer_id"] == "Customer ID"
    assert m["date"] == "Order Date"
    assert m["amount"] == "Amount"


# --------------------------------------------------------------------------- properties


@settings(max_examples=500, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_to_numbers_round_trips_any_finite_float(x):
    out, bad = F.to_numbers(pd.Series([repr(x)], dtype="str"))
    assert not bad.any()
    assert out.iloc[0] == x
    assert math.copysign(1.0, out.iloc[0]) == math.copysign(1.0, x)


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_to_numbers_reads_money_as_written(d):
    text = f"${d:,.2f}"
    out, bad = F.to_numbers(pd.Series([text], dtype="str"))
    assert not bad.any(), text
    assert out.iloc[0] == float(d)


HEADER = st.one_of(
    st.none(),
    st.just(float("nan")),
    st.text(max_size=12),
    st.sampled_from(["a", "A", "a_2", "a_3", "column_1", "column_2", "Unnamed: 0", " ", "", "\ufeff", "x y", "x  y"]),
)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(HEADER, max_size=12))
def test_clean_headers_are_unique_non_empty_and_one_per_column(headers):
    out = clean_headers(headers)
    assert len(out) == len(headers)
    assert all(isinstance(h, str) and h.strip() == h and h for h in out)
    assert len(set(out)) == len(out), (headers, out)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2090, 12, 31)), min_size=1, max_size=30))
def test_day_first_dates_are_detected_and_read_back(days):
    days = [*days, dt.date(2024, 3, 25)]  # one day > 12 settles the order
    s = pd.Series([d.strftime("%d/%m/%Y") for d in days], dtype="str")
    fmt, share = F.detect_date_format(s)
    assert (fmt, share) == ("%d/%m/%Y", 1.0)
    out, bad = F.to_dates(s, fmt)
    assert not bad.any()
    assert [t.date() for t in out] == days


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2090, 12, 31)), min_size=1, max_size=30))
def test_month_first_dates_are_read_back(days):
    assume(any(d.day > 12 for d in days))
    s = pd.Series([d.strftime("%m/%d/%Y") for d in days], dtype="str")
    fmt, _ = F.detect_date_format(s)
    assert fmt == "%m/%d/%Y"
    out, bad = F.to_dates(s, fmt)
    assert not bad.any()
    assert [t.date() for t in out] == days


def test_decimal_comma_files_read_european_numbers():
    """A semicolon file writing 1,50 and 1.234,56 means 1.5 and 1234.56, not 150 and 1.23456."""
    import core

    eng = core.make_engine("sqlite://")
    core.commit_import(eng, core.prepare_import(eng, b"customer_id\nC1\nC2\n", "c.csv", "customers"))
    data = b"customer_id;period;mrr\nC1;01.02.2024;1,50\nC2;01.03.2024;1.234,56\n"
    plan = core.prepare_import(eng, data, "r.csv", "revenue", date_format="%d.%m.%Y")
    assert plan.raw.details["decimal"] == ","
    assert plan.tables["revenue"]["mrr"].tolist() == [1.5, 1234.56]
    assert plan.tables["revenue"]["period"].tolist() == ["2024-02-01", "2024-03-01"]
    # a comma-separated file keeps the comma as a thousands separator
    assert F.to_numbers(pd.Series(["$1,200.50"], dtype="str"))[0].tolist() == [1200.5]


# --------------------------------------------------------------------------- the field table


def test_every_field_has_a_one_line_plain_description():
    """Shown beside the mapping on the Data page and in the templates: one plain line, no CLI flags."""
    for kind, specs in F.KINDS.items():
        for s in specs:
            assert s.help and "\n" not in s.help and len(s.help) <= 110, (kind, s.name)
            assert "--" not in s.help and "`" not in s.help, (kind, s.name)


def test_synonyms_are_snake_case_unique_and_never_avoided():
    for kind, specs in F.KINDS.items():
        assert len({s.name for s in specs}) == len(specs), kind
        for s in specs:
            assert s.synonyms, (kind, s.name)
            assert len(set(s.synonyms)) == len(s.synonyms), (kind, s.name)
            assert all(re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", x) for x in s.synonyms), (kind, s.name)
            assert not set(s.avoid) & {w for x in s.synonyms for w in x.split("_")}, (kind, s.name)


def test_a_cost_never_has_an_outcome_for_a_synonym():
    cost = next(s for s in F.KINDS["interventions"] if s.name == "cost")
    assert {"spend", "revenue", "sales", "converted", "conversion", "visited", "purchase", "order"} <= set(cost.avoid)
    assert all(w in ("cost", "expense", "usd", "contact", "per", "unit", "send", "outreach", "channel", "of",
                     "price") for syn in cost.synonyms for w in syn.split("_"))
