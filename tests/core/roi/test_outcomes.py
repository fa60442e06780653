"""Per-contact outcomes (core.roi.outcomes) on the demo's plays: each contact's arm, eligibility, retention, revenue
kept and pre-period covariates against a direct pandas computation over the demo's frames; the window's edges (churn
on its last day, contacts whose window runs past the data); whether the store's outcomes apply; and the messages for
bad settings and unknown names.

The messages test also checks money's margin and compare's control arm; it lives here because most of what it checks
(an unknown play, a window under a day, an unknown outcome) is raised in outcomes.py.
"""

import numpy as np
import pandas as pd
import pytest

from core.errors import DataValidationError, InsufficientDataError
from core.roi.defaults import RETAINED
from core.roi.estimates import compare
from core.roi.inputs import inputs_from_frames
from core.roi.money import money
from core.roi.outcomes import outcomes, store_outcomes_apply
from core.roi.plays import plays_table


def test_outcomes_equal_a_direct_pandas_computation(demo, inp):
    window, pre = 120, 60
    f = outcomes(inp, "Renewal save offer", window=window, pre_days=pre)
    iv = demo.interventions[demo.interventions["play"] == "Renewal save offer"].reset_index(drop=True)
    end = pd.Timestamp(demo.truth["end"])
    cust = demo.customers.set_index("customer_id")
    rev, act = demo.revenue, demo.activity
    for i in np.random.default_rng(0).choice(len(iv), 40, replace=False):
        row, out = iv.iloc[i], f.iloc[i]
        day = pd.Timestamp(row["date"])
        churn = cust.loc[row["customer_id"], "churn_date"]
        assert out["customer_id"] == row["customer_id"] and out["arm"] == row["group"]
        assert out["eligible"] == (day + pd.Timedelta(days=window) <= end + pd.Timedelta(days=1)
                                   and not (pd.notna(churn) and churn <= day))
        assert out["retained"] == float(pd.isna(churn) or churn >= day + pd.Timedelta(days=window))
        mine = rev[rev["customer_id"] == row["customer_id"]]
        kept = mine.loc[(mine["period"] >= day) & (mine["period"] < day + pd.Timedelta(days=window)), "mrr"].sum()
        before = mine.loc[(mine["period"] >= day - pd.Timedelta(days=pre)) & (mine["period"] < day), "mrr"].sum()
        last = mine.loc[mine["period"] < day].sort_values("period")["mrr"]
        assert out["revenue_kept"] == pytest.approx(kept) and out["pre_revenue"] == pytest.approx(before)
        assert out["mrr_before"] == pytest.approx(last.iloc[-1] if len(last) else np.nan, nan_ok=True)
        a = act[(act["customer_id"] == row["customer_id"]) & (act["date"] >= day - pd.Timedelta(days=pre))
                & (act["date"] < day)]
        assert out["pre_usage"] == pytest.approx(np.log1p(a["value"].sum() / pre))


def test_eligibility_drops_contacts_whose_window_runs_past_the_data(demo, inp):
    f = outcomes(inp, "Onboarding call", window=400)
    late = f["date"] + pd.Timedelta(days=400) > pd.Timestamp(demo.truth["end"]) + pd.Timedelta(days=1)
    assert late.any() and not f.loc[late, "eligible"].any()
    r = compare(f, RETAINED).iloc[0]
    assert r["n"] + r["n_control"] == int((~late).sum())


def test_a_customer_who_churns_on_the_last_day_of_the_window_counts_as_retained():
    """Retained = still a customer ``window`` days after the contact: churn on day ``window`` or later is retained,
    churn the day before is not."""
    day = pd.Timestamp("2024-01-10")
    ids = ["A", "B", "C", "D"]
    customers = pd.DataFrame({"customer_id": ids, "signup_date": pd.Timestamp("2023-01-01"),
                              "churn_date": [day + pd.Timedelta(days=d) for d in (29, 30, 31)] + [pd.NaT]})
    iv = pd.DataFrame({"customer_id": ids, "play": "p", "date": day, "group": ["treatment"] * 2 + ["holdout"] * 2})
    f = outcomes(inputs_from_frames(iv, customers, end="2024-12-31"), "p", window=30)
    assert f["churn_day"].tolist()[:3] == [29.0, 30.0, 31.0] and f["eligible"].all()
    assert f["retained"].tolist() == [0.0, 1.0, 1.0, 1.0]


def test_store_outcomes_apply_whatever_the_window(inp):
    for window in (30, 300, 700):
        f = outcomes(inp, "Renewal save offer", window=window)
        assert store_outcomes_apply(f) and f["followed"].all()
    assert plays_table(inp, window=300)["eligible"].gt(0).all()


def test_bad_settings_and_unknown_names_get_clear_messages(inp):
    f = outcomes(inp, "Renewal save offer")
    with pytest.raises(DataValidationError, match="There is no play 'Nope'. Plays: Onboarding call"):
        outcomes(inp, "Nope")
    with pytest.raises(DataValidationError, match="at least one day"):
        outcomes(inp, "Renewal save offer", window=0)
    with pytest.raises(DataValidationError, match="margin"):
        money(f, "treatment", margin=1.5)
    with pytest.raises(DataValidationError, match="no outcome 'spend'"):
        compare(f, "spend")
    with pytest.raises(InsufficientDataError, match="control arm 'control' has 0"):
        compare(f, RETAINED, control="control")
