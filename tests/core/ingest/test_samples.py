"""The sample files in data/samples/ import cleanly, in order, with every column mapped as promised."""

import pandas as pd

import core
from tests.conftest import ROOT

SAMPLES = ROOT / "data" / "samples"
ORDER = ["customers", "revenue", "activity", "tickets", "feedback", "interventions"]
EXPECTED_MAPPING = {
    "customers": {"customer_id": "Customer ID", "name": "Company", "segment": "Segment", "plan": "Plan",
                  "region": "Region", "channel": "Acquisition Channel", "signup_date": "Signup Date",
                  "churn_date": "Churn Date", "renewal_date": "Renewal Date"},
    "revenue": {"customer_id": "customer_id", "period": "month", "mrr": "mrr"},
    "activity": {"customer_id": "customer_id", "date": "date", "metric": "feature", "value": "count"},
    "tickets": {"ticket_id": "Ticket ID", "customer_id": "customer_id", "opened": "Created At",
                "resolved": "Resolved At", "priority": "Priority", "category": "Category", "channel": "Channel",
                "satisfaction": "CSAT"},
    "feedback": {"customer_id": "customer_id", "date": "date", "channel": "survey", "score": "score",
                 "text": "comment"},
    "interventions": {"customer_id": "customer_id", "play": "play", "channel": "channel", "date": "date",
                      "group": "group", "cost": "cost"},
}


def test_samples_import_cleanly_with_the_expected_mapping(engine):
    for kind in ORDER:
        path = SAMPLES / f"{kind}.csv"
        plan = core.prepare_import(engine, path.read_bytes(), path.name, kind)
        assert plan.mapping == EXPECTED_MAPPING[kind], kind
        assert plan.n_errors == 0 and plan.n_warnings == 0, plan.report
        res = core.commit_import(engine, plan)
        expected_rows = len(pd.read_csv(path))
        assert res.rows_loaded == expected_rows
    counts = core.table_counts(engine)
    assert counts["customer"] == 12 and counts["intervention"] == 12 and counts["importlog"] == 6
    cust = core.load_table(engine, "customer")
    assert cust["churn_date"].notna().sum() == 2
    seats = pd.read_csv(SAMPLES / "customers.csv").set_index("Customer ID")["Seats"]
    kept = cust.set_index("customer_id")["attributes"]
    assert {k: v["Seats"] for k, v in kept.items()} == seats.astype(float).to_dict()  # extras kept, typed


def test_campaign_sample_imports_as_a_three_arm_play(engine):
    """data/samples/campaign.csv: one row per customer of a randomised e-mail test (core.demo.campaign)."""
    from core.roi.estimates import compare
    from core.roi.inputs import load_inputs
    from core.roi.outcomes import outcomes

    path = SAMPLES / "campaign.csv"
    plan = core.prepare_import(engine, path.read_bytes(), path.name, "interventions", mapping={"date": "Sent On"},
                               constants={"play": "Spring e-mail test"}, create_customers=True)
    assert plan.mapping["group"] == "Arm" and plan.mapping["cost"] == "Cost"
    assert plan.n_errors == 0 and plan.n_warnings == 0, plan.report
    core.commit_import(engine, plan)
    f = outcomes(load_inputs(engine), "Spring e-mail test")
    raw = pd.read_csv(path)
    assert f["arm"].value_counts().to_dict() == raw["Arm"].replace("No E-Mail", "holdout").value_counts().to_dict()
    c = compare(f, "Spend").set_index("arm")
    assert c.loc["Mens E-Mail", "treatment"] == raw.loc[raw["Arm"] == "Mens E-Mail", "Spend"].mean()
