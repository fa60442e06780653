"""Kaplan-Meier survival (core.cohorts.survival): against lifelines on the telco file, and by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lifelines import KaplanMeierFitter

import core
from core.cohorts.survival import MONTH_DAYS, durations, kaplan_meier, plain_p, survival_at
from core.errors import DataValidationError, InsufficientDataError

TELCO = Path(__file__).resolve().parents[3].parent / "shared/data/telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv"
TIMES = [12, 24, 48]


@pytest.fixture(scope="module")
def telco() -> pd.DataFrame:
    raw = pd.read_csv(TELCO)
    return pd.DataFrame({"customer_id": raw["customerID"], "duration": raw["tenure"].astype(float),
                         "event": raw["Churn"].eq("Yes"), "contract": raw["Contract"]})


def _direct(frame: pd.DataFrame) -> np.ndarray:
    kmf = KaplanMeierFitter().fit(frame["duration"], frame["event"])
    return kmf.survival_function_at_times(TIMES).to_numpy()


def test_telco_overall_matches_lifelines_and_known_values(telco):
    res = kaplan_meier(telco)
    got = survival_at(res, TIMES).loc["All customers"].to_numpy()
    np.testing.assert_allclose(got, _direct(telco), rtol=0, atol=1e-9)
    assert list(np.round(got, 4)) == [0.8432, 0.7887, 0.7088]
    row = res.summary.iloc[0]
    assert (row["customers"], row["churned"], row["censored"]) == (7043, 1869, 5174)
    assert row["median_text"] == "not reached" and math.isinf(row["median_lifetime"])


def test_telco_per_contract_matches_lifelines_and_logrank_differs(telco):
    res = kaplan_meier(telco, group="contract")
    table = survival_at(res, TIMES)
    assert list(table.index) == ["Month-to-month", "One year", "Two year"]
    for name, part in telco.groupby("contract"):
        np.testing.assert_allclose(table.loc[name].to_numpy(), _direct(part), rtol=0, atol=1e-9)
    assert table.loc["Month-to-month", 12] == pytest.approx(0.7031, abs=5e-5)
    lr = res.logrank
    assert lr["degrees_of_freedom"] == 2 and lr["statistic"] > 2000
    assert lr["p_value"] < 0.001
    assert lr["plain"].startswith("The curves differ") and "(p < 0.001)" in lr["plain"]
    assert res.summary.set_index("group").loc["Month-to-month", "median_lifetime"] == 35.0


def test_curves_carry_bands_and_at_risk(telco):
    c = kaplan_meier(telco, group="contract").curves
    first = c.groupby("group").head(1)
    assert (first["time"] == 0).all() and (first["survival"] == 1).all()
    assert (first["at_risk"] == telco["contract"].value_counts().sort_index().to_numpy()).all()
    assert ((c["lower"] <= c["survival"] + 1e-12) & (c["survival"] <= c["upper"] + 1e-12)).all()
    assert (c.loc[c["time"] > 0, "upper"] > c.loc[c["time"] > 0, "lower"]).any()


def test_durations_from_customer_dates():
    customers = pd.DataFrame({
        "customer_id": ["a", "b", "c", "d"],
        "plan": ["Pro", "Pro", "Basic", "Basic"],
        "signup_date": pd.to_datetime(["2023-01-01", "2023-01-01", "2023-06-01", "2024-01-15"]),
        "churn_date": pd.to_datetime(["2023-03-02", None, "2024-02-01", None]),
    })
    d = durations(customers, as_of="2023-12-31").set_index("customer_id")
    assert list(d.index) == ["a", "b", "c"]  # d signed up after as-of
    np.testing.assert_allclose(d["duration"], [60 / MONTH_DAYS, 364 / MONTH_DAYS, 213 / MONTH_DAYS])
    assert list(d["event"]) == [True, False, False]  # c churns after as-of: still active then
    assert list(d["plan"]) == ["Pro", "Pro", "Basic"]
    assert list(d["signup_month"]) == ["2023-01", "2023-01", "2023-06"]

    days = durations(customers, unit="day").set_index("customer_id")  # as-of = latest date, 2024-02-01
    assert list(days["duration"]) == [60, 396, 245, 17]
    assert list(days["event"]) == [True, False, True, False]


def test_durations_validation_messages():
    base = pd.DataFrame({"customer_id": ["a", "b"], "signup_date": pd.to_datetime(["2023-01-01", None])})
    with pytest.raises(DataValidationError, match="1 customers have no signup_date.*Fill signup_date"):
        durations(base)
    with pytest.raises(DataValidationError, match="no 'signup_date' column"):
        durations(base.drop(columns="signup_date"))
    bad = pd.DataFrame({"customer_id": ["a"], "signup_date": pd.to_datetime(["2023-05-01"]),
                        "churn_date": pd.to_datetime(["2023-01-01"])})
    with pytest.raises(DataValidationError, match="churn_date before their signup_date"):
        durations(bad)
    with pytest.raises(DataValidationError, match="Choose 'month' or 'day'"):
        durations(bad, unit="week")
    with pytest.raises(DataValidationError, match="no 'plan' column"):
        kaplan_meier(pd.DataFrame({"duration": [1.0], "event": [True]}), group="plan")


def test_telco_through_the_import_path(telco):
    eng = core.make_engine("sqlite://")
    plan = core.prepare_import(eng, TELCO.read_bytes(), TELCO.name, "customers", as_of="2024-01-31")
    core.commit_import(eng, plan)
    d = durations(core.load_table(eng, "customer"), as_of="2024-01-31")
    merged = d.merge(telco, on="customer_id", suffixes=("", "_tenure"))
    assert len(merged) == 7043 and int(d["event"].sum()) == 1869
    assert (merged["duration"].round() == merged["duration_tenure"]).all()
    # The importer derives signup = as-of minus whole calendar months; measured in days / 30.4375
    # those are 28-31-day months, so a tenure of 12 may come out as 11.99 months. Survival at 12, 24
    # and 48 then counts the same churners, up to that rounding: compare within 0.01.
    got = survival_at(kaplan_meier(d), TIMES).loc["All customers"].to_numpy()
    np.testing.assert_allclose(got, _direct(telco), atol=0.01)
    by_plan = survival_at(kaplan_meier(d, group="plan"), [12]).loc[:, 12.0]  # Contract maps to plan
    assert by_plan["Month-to-month"] == pytest.approx(0.7031, abs=0.01)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0.01, 100, allow_nan=False), st.booleans()), min_size=1, max_size=60))
def test_curve_invariants(rows):
    frame = pd.DataFrame(rows, columns=["duration", "event"])
    c = kaplan_meier(frame, min_size=1).curves
    s = c["survival"].to_numpy()
    assert c["time"].iloc[0] == 0 and s[0] == 1.0
    assert ((s >= 0) & (s <= 1)).all()
    assert (np.diff(s) <= 1e-12).all()
    assert (c["lower"].to_numpy() <= s + 1e-9).all() and (s <= c["upper"].to_numpy() + 1e-9).all()


def _km_by_hand(duration: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Product-limit estimate written out: at each churn time, S *= 1 - churned / at risk."""
    times = np.unique(duration[event])
    s, surv = 1.0, []
    for t in times:
        s *= 1 - (event & (duration == t)).sum() / (duration >= t).sum()
        surv.append(s)
    return times, np.array(surv)


def test_median_not_reached_and_rmst_is_area_under_steps():
    duration = np.arange(1, 31, dtype=float)
    event = np.isin(duration, [2, 5, 9, 14, 20, 27])
    res = kaplan_meier(pd.DataFrame({"duration": duration, "event": event}), horizon=24)
    row = res.summary.iloc[0]
    assert row["median_text"] == "not reached" and math.isinf(row["median_lifetime"])

    times, surv = _km_by_hand(duration, event)
    np.testing.assert_allclose(survival_at(res, times).iloc[0].to_numpy(), surv, atol=1e-12)
    edges = np.concatenate([[0.0], times[times < 24], [24.0]])
    heights = np.concatenate([[1.0], surv[times < 24]])
    assert row["rmst"] == pytest.approx(float(np.sum(np.diff(edges) * heights)), abs=1e-9)
    assert row["rmst"] < 24


def test_median_reached_is_read_off_the_curve():
    duration = np.arange(1, 21, dtype=float)
    res = kaplan_meier(pd.DataFrame({"duration": duration, "event": True}))
    # S(10) = 0.50 exactly, S(11) = 0.45: lifelines' median is the first time the curve drops below 50 %
    assert res.summary.iloc[0]["median_lifetime"] == 11.0
    assert res.summary.iloc[0]["median_text"] == "11.0"


def test_small_group_skipped_and_single_group_test():
    frame = pd.DataFrame({"duration": np.arange(1, 46, dtype=float), "event": True,
                          "plan": ["Pro"] * 25 + ["Basic"] * 15 + [None] * 5})
    res = kaplan_meier(frame, group="plan", min_size=20)
    assert res.skipped == ["(not set)", "Basic"]
    assert set(res.curves["group"]) == {"Pro"} and list(res.summary["group"]) == ["Pro"]
    assert "Basic: only 15 customers (fewer than 20)" in res.notes[1]
    assert math.isnan(res.logrank["p_value"]) and "nothing to compare" in res.logrank["plain"]
    with pytest.raises(InsufficientDataError, match="No group has at least 50 customers"):
        kaplan_meier(frame, group="plan", min_size=50)


def test_identical_groups_show_no_evidence():
    d = np.tile(np.arange(1, 26, dtype=float), 2)
    frame = pd.DataFrame({"duration": d, "event": d % 3 == 0, "g": ["A"] * 25 + ["B"] * 25})
    lr = kaplan_meier(frame, group="g").logrank
    assert lr["p_value"] == pytest.approx(1.0) and lr["plain"] == "No evidence the groups differ (p = 1.000)."


@pytest.mark.parametrize("p, text", [
    (0.0004, "less than 1 time in 1,000 (p < 0.001)"),
    (0.01, "The curves differ: a difference this large would arise by chance about 1 time in 100 (p = 0.010)."),
    (0.42, "No evidence the groups differ (p = 0.420)."),
    (0.07, "No evidence the groups differ (p = 0.070)."),
])
def test_plain_p(p, text):
    assert text in plain_p(p)
