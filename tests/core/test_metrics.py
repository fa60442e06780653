"""Headline metrics against figures worked out by hand on a tiny book of business."""

import math

import pandas as pd
import pytest

from core import metrics
from core.errors import InsufficientDataError

# Four customers; window = Feb 2024 .. Jan 2025 (as-of Jan 2025), start day 2024-01-31.
CUSTOMERS = pd.DataFrame({
    "customer_id": ["A", "B", "C", "D", "E"],
    "signup_date": ["2023-01-10", "2023-06-01", "2023-12-15", "2024-05-01", "2024-01-31"],
    "churn_date": [None, "2024-07-15", None, None, "2025-02-10"],
})


def _rev(rows):
    return pd.DataFrame(rows, columns=["customer_id", "period", "mrr"])


REVENUE = _rev([
    ("A", "2024-01-01", 100.0), ("A", "2025-01-01", 150.0),   # expansion +50
    ("B", "2024-01-01", 200.0),                                 # churned: -200
    ("C", "2024-01-01", 100.0), ("C", "2025-01-01", 60.0),    # contraction -40
    ("E", "2024-01-01", 50.0), ("E", "2025-01-01", 50.0),     # flat
    ("D", "2025-01-01", 999.0),                                 # new inside the window: not retention
])


def test_headline_matches_hand_computation():
    h = metrics.headline(CUSTOMERS, REVENUE, as_of="2025-01-20")
    assert h.as_of.isoformat() == "2025-01-31"
    assert h.customers == 5
    assert h.active_customers == 4                      # A, C, D, E (E churns in Feb 2025)
    assert h.logo_churn_rate == pytest.approx(1 / 4)    # starters A, B, C, E; B churned
    start = 100 + 200 + 100 + 50
    assert h.nrr == pytest.approx((150 + 0 + 60 + 50) / start)
    assert h.grr == pytest.approx((100 + 0 + 60 + 50) / start)
    assert h.revenue_churn_rate == pytest.approx((200 + 40) / start)
    assert h.mrr == pytest.approx(150 + 60 + 50 + 999)


def test_default_as_of_is_the_latest_revenue_month_and_one_off_sales_are_ignored():
    rev = pd.concat([REVENUE, pd.DataFrame({"customer_id": ["A"], "period": ["2025-01-05"], "mrr": [float("nan")],
                                            "amount": [500.0]})], ignore_index=True)
    h = metrics.headline(CUSTOMERS, rev)
    assert h.as_of.isoformat() == "2025-01-31"
    assert h.mrr == pytest.approx(1259.0)


def test_every_figure_defaults_to_the_as_of_month_and_reads_typed_dates_alike():
    """The as-of month is core.history.asof's (Jan 2025, though E churns in Feb); typed dates, as the store's
    loaders give them, give the same figures as ISO text."""
    from core.history import asof

    assert asof.as_of_month(CUSTOMERS, REVENUE) == pd.Timestamp("2025-01-31")
    h = metrics.headline(CUSTOMERS, REVENUE)
    assert h == metrics.headline(CUSTOMERS, REVENUE, as_of="2025-01-31")
    assert metrics.trend(CUSTOMERS, REVENUE)["as_of"].iloc[-1] == h.as_of
    typed_c = CUSTOMERS.assign(signup_date=pd.to_datetime(CUSTOMERS["signup_date"]),
                               churn_date=pd.to_datetime(CUSTOMERS["churn_date"]))
    typed_r = REVENUE.assign(period=pd.to_datetime(REVENUE["period"]))
    assert metrics.headline(typed_c, typed_r) == h


def test_start_customers_are_those_active_on_the_day_before_the_window():
    """Window Feb 2024 .. Jan 2025: X (signed up on the day before) starts, Y (on the first day) does not, and Z
    (churned on the day before) is gone already."""
    cust = pd.DataFrame({"customer_id": ["X", "Y", "Z"], "signup_date": ["2024-01-31", "2024-02-01", "2023-05-01"],
                         "churn_date": ["2024-06-01", None, "2024-01-31"]})
    h = metrics.headline(cust, _rev([("Y", "2025-01-01", 10.0)]), as_of="2025-01-31")
    assert h.logo_churn_rate == 1.0 and h.active_customers == 1 and h.mrr == 10.0


def test_customers_count_as_of_the_as_of_day_and_a_customer_without_a_signup_date_always_counts():
    """Issue 20: Customers is the count of customers signed up by the as-of day (the month's last day)."""
    h = metrics.headline(CUSTOMERS, REVENUE, as_of="2024-03-10")
    assert h.as_of.isoformat() == "2024-03-31"
    signup = pd.to_datetime(CUSTOMERS["signup_date"])
    assert h.customers == (signup <= "2024-03-31").sum() == 4  # D signs up in May 2024
    undated = pd.concat([CUSTOMERS, pd.DataFrame({"customer_id": ["U"], "signup_date": [None],
                                                  "churn_date": [None]})], ignore_index=True)
    assert metrics.headline(undated, REVENUE, as_of="2024-03-31").customers == 5
    assert metrics.headline(undated, REVENUE, as_of="2025-01-31").customers == 6
    assert metrics.signed_up_by(undated, "2023-01-09").tolist() == [False] * 5 + [True]
    assert metrics.signed_up_by(undated, "2023-01-10").tolist() == [True] + [False] * 4 + [True]  # on the day


def test_no_starters_or_no_customers_is_a_clear_error():
    with pytest.raises(InsufficientDataError, match="Nobody was active"):
        metrics.headline(CUSTOMERS, REVENUE, as_of="2023-06-30")
    with pytest.raises(InsufficientDataError, match="no customers"):
        metrics.headline(CUSTOMERS.iloc[0:0], REVENUE)


def test_grr_never_exceeds_nrr_or_one():
    h = metrics.headline(CUSTOMERS, REVENUE, as_of="2025-01-31")
    assert h.grr <= min(1.0, h.nrr)
    assert math.isclose(h.revenue_churn_rate + h.grr, 1.0)


def test_every_headline_metric_has_a_glossary_entry():
    assert set(metrics.GLOSSARY) == {"Customers", "Active customers", "Logo churn rate", "Revenue churn rate",
                                     "MRR", "NRR", "GRR", "ARPA", "ARR", "MRR at high churn risk", "LTV",
                                     "Churn probability", "Risk tier",
                                     "ROC-AUC", "PR-AUC", "Brier score", "Lift", "SHAP value", "Controllable driver",
                                     "Health score", "Health band", "Lifecycle stage", "Health back-test AUC",
                                     "NPS", "CSAT", "CES", "Sentiment", "Theme", "NPS impact", "Churn impact",
                                     "MRR at risk", "Churn signal", "Closure rate", "Holdout", "Eligible contact",
                                     "Play effect", "CUPED", "Sample ratio mismatch", "Customers saved",
                                     "Revenue saved", "ROI", "Time to impact", "Power", "Contact fatigue",
                                     "Expected net value", "Contacts", "Contacts treated", "Top driver",
                                     "Customers scored", "MRR in red", "Band churn rate", "Red/green churn ratio",
                                     "Mentions", "Cost", "Value of customers saved", "Net value",
                                     "Active buyers", "Repeat-purchase rate", "Revenue", "Revenue per buyer",
                                     "Purchase frequency", "Revenue retention by cohort", "Lapse churn",
                                     "Lifetime value (buyers)", "Chance still a buyer", "Expected purchases",
                                     "Undated verbatims", "MRR movements", "New MRR", "Expansion MRR",
                                     "Reactivation MRR", "Contraction MRR", "Churned MRR",
                                     "Churn after a ticket", "Adjusted churn after a ticket",
                                     "Adjusted gap between bands", "MRR kept after a ticket", "Cumulative incidence",
                                         "Leading indicator", "Churners caught", "Lead time", "Reopened ticket",
                                         "First-contact resolution", "Ticket effort score", "Detractor follow-up",
                                         "Reopen rate", "Days to close", "Incident churn gap", "Incident usage effect",
                                         "Incident churn difference in differences"}
    assert all(len(text) > 30 for text in metrics.GLOSSARY.values())
    assert metrics.definition("ROI (projected)") == metrics.GLOSSARY["ROI"]
    assert metrics.definition("Revenue saved (window)") == metrics.GLOSSARY["Revenue saved"]
    assert metrics.definition("NRR") == metrics.GLOSSARY["NRR"] and metrics.definition("Nonsense (x)") is None
    table = metrics.definitions_table()
    assert table["metric"].tolist() == list(metrics.GLOSSARY) and table["definition"].str.len().min() > 30


def test_trend_ends_with_the_headline_and_skips_months_without_starters():
    t = metrics.trend(CUSTOMERS, REVENUE, as_of="2025-01-31", months=24)
    h = metrics.headline(CUSTOMERS, REVENUE, as_of="2025-01-31")
    last = t.iloc[-1]
    assert last["as_of"] == h.as_of and last["nrr"] == pytest.approx(h.nrr) and last["mrr"] == h.mrr
    # the first window with a start customer ends in Jan 2024 (A signed up 2023-01-10)
    assert t["as_of"].iloc[0].isoformat() == "2024-01-31"
    assert len(t) == 13


def test_filters_select_customers_and_their_rows():
    from core.history.filters import Filters, choices, filter_customers, for_customers

    cust = CUSTOMERS.assign(segment=["SMB", "SMB", "Enterprise", "SMB", None], plan="Pro", region="EMEA")
    picked = filter_customers(cust, Filters(segments=("SMB",)))
    assert picked["customer_id"].tolist() == ["A", "B", "D"]
    assert sorted(for_customers(REVENUE, picked)["customer_id"].unique()) == ["A", "B", "D"]
    assert len(filter_customers(cust, Filters())) == 5
    assert choices(cust) == {"segment": ["Enterprise", "SMB"], "plan": ["Pro"], "region": ["EMEA"]}


def test_snapshot_without_revenue_is_read_at_its_own_date(shared):
    """The telco snapshot (as-of 2024-01-31): the window ends there, so its churners count."""
    import core

    eng = core.make_engine("sqlite://")
    telco = shared / "telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv"
    core.commit_import(eng, core.prepare_import(eng, telco.read_bytes(), telco.name, "customers",
                                                as_of="2024-01-31"))
    cust = core.load_table(eng, "customer")
    empty = pd.DataFrame(columns=["customer_id", "period", "mrr"])
    h = metrics.headline(cust, empty)
    assert h.as_of.isoformat() == "2024-01-31"
    raw = pd.read_csv(telco)
    starters = raw[raw["tenure"] >= 12]           # signed up on or before 2023-01-31
    assert h.logo_churn_rate == pytest.approx((starters["Churn"] == "Yes").mean())
    assert h.active_customers == 5174 and math.isnan(h.nrr)


def test_lifetime_value_by_hand():
    cust = pd.DataFrame({"customer_id": ["A", "B", "C", "D"],
                         "signup_date": ["2023-01-01"] * 4,
                         "churn_date": [None, "2024-05-10", None, "2024-06-20"]})
    rev = pd.DataFrame({"customer_id": ["A", "C"], "period": ["2024-06-01", "2024-06-01"], "mrr": [100.0, 300.0]})
    lt = metrics.lifetime_value(cust, rev, as_of="2024-06-30", months=6)
    # Jan..Apr: 0 of 4; May: 1 of 4; Jun: 1 of 3
    assert lt.months == pytest.approx([0, 0, 0, 0, 0.25, 1 / 3])
    assert lt.monthly_churn == pytest.approx((0.25 + 1 / 3) / 6)
    assert lt.arpa == pytest.approx(200.0)
    assert lt.ltv == pytest.approx(200.0 / ((0.25 + 1 / 3) / 6))
    assert "LTV = ARPA / mean monthly churn" in lt.formula
    assert metrics.lifetime_value(cust, rev, months=6) == lt  # the default as-of month: June, the last MRR
    with pytest.raises(InsufficientDataError, match="unbounded"):
        metrics.lifetime_value(cust.assign(churn_date=None), rev, as_of="2024-06-30")
