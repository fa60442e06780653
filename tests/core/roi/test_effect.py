"""Intervention ROI (core.roi.inputs, outcomes, estimates, time_to_impact, money, sample_ratio, planning, plays): the
demo's plays against the generator's true effects, intervals and power against statsmodels, outcomes against direct
pandas computations, and a randomised campaign spreadsheet imported through the importer."""

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from scipy import stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_effectsize
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

import core
from core.demo.campaign import ARMS, make_campaign
from core.errors import DataValidationError, InsufficientDataError
from core.roi.defaults import PRE_REVENUE, PRE_USAGE, RETAINED, REVENUE
from core.roi.estimates import compare, diff_interval, estimates_long
from core.roi.inputs import inputs_from_frames, load_inputs
from core.roi.money import money
from core.roi.outcomes import imported_columns, outcomes, store_outcomes_apply
from core.roi.planning import detectable_effect, monthly_contacts, power, sample_size
from core.roi.plays import plays_table
from core.roi.sample_ratio import srm
from core.roi.time_to_impact import time_to_impact

PLAYS = ("Onboarding call", "Renewal save offer")


@pytest.fixture(scope="module")
def inp(demo):
    return inputs_from_frames(demo.interventions, demo.customers, demo.revenue, demo.activity)


def window_of(demo, play):
    """The generator's effect lasts ``horizon_months`` calendar months after the contact month: about
    30 days a month (the contact falls in the second half of its month)."""
    return 30 * demo.truth["plays"][play]["horizon_months"]


# -- acceptance: the demo's true effects ------------------------------------------------------------
@pytest.mark.parametrize("play", PLAYS)
def test_each_play_covers_the_true_effect_and_cuped_narrows_it(demo, inp, play):
    truth = demo.truth["plays"][play]["abs_reduction"]
    f = outcomes(inp, play, window=window_of(demo, play))
    ret = compare(f, RETAINED, covariate=PRE_USAGE).iloc[0]
    assert ret["arm"] == "treatment" and ret["n"] + ret["n_control"] == demo.truth["plays"][play]["n_targeted"]
    assert ret["low"] < truth < ret["high"]
    assert ret["cuped_low"] < truth < ret["cuped_high"]
    assert ret["cuped_high"] - ret["cuped_low"] < ret["high"] - ret["low"]
    rev = compare(f, REVENUE, covariate=PRE_REVENUE).iloc[0]
    assert rev["variance_reduction"] > 0.8  # revenue before contact explains most of revenue after it
    assert rev["cuped_high"] - rev["cuped_low"] < 0.5 * (rev["high"] - rev["low"])


def test_the_demo_assignment_passes_the_sample_ratio_check(demo, inp):
    for play in PLAYS:
        f = outcomes(inp, play)
        check = srm(f, holdout_share=demo.truth["plays"][play]["holdout_share"])
        assert not check["mismatch"] and check["p_value"] > 0.5
        # a broken split (every second holdout lost) is caught
        drop = f.index[f["arm"] == "holdout"][::2]
        assert srm(f.drop(drop), holdout_share=0.15)["mismatch"]


@pytest.mark.parametrize("n_holdout,n_treatment,share,low,high,alarm", [
    (1000, 1200, None, 1e-9, 1e-3, True),     # p ~ 2e-5: well inside the alarm, far above 1e-9
    (1000, 1153, None, 5e-4, 1e-3, True),     # p ~ 0.00098: just below the alarm level
    (1000, 1152, None, 1e-3, 1.5e-3, False),  # p ~ 0.00105: just above it, no alarm
    (341, 1659, 0.2, 5e-4, 1e-3, True),       # planned 20 % holdout: p ~ 0.00097
    (342, 1658, 0.2, 1e-3, 1.5e-3, False),    # p ~ 0.00119
])
def test_sample_ratio_alarm_rings_below_p_0_001(n_holdout, n_treatment, share, low, high, alarm):
    f = pd.DataFrame({"arm": ["holdout"] * n_holdout + ["treatment"] * n_treatment})
    n = n_holdout + n_treatment
    planned = [n / 2, n / 2] if share is None else [share * n, (1 - share) * n]
    p = stats.chisquare([n_holdout, n_treatment], planned).pvalue  # independent of srm's own arithmetic
    assert low < p < high  # the case tests the band it claims to
    check = srm(f, holdout_share=share)
    assert check["p_value"] == pytest.approx(p, rel=1e-9)
    assert check["mismatch"] is alarm


# -- intervals and power against statsmodels --------------------------------------------------------
@pytest.mark.parametrize("k_t,n_t,k_c,n_c", [(920, 1000, 170, 200), (45, 60, 30, 55), (1, 40, 3, 38)])
def test_difference_of_proportions_interval_equals_statsmodels_wald(k_t, n_t, k_c, n_c):
    y_t = np.r_[np.ones(k_t), np.zeros(n_t - k_t)]
    y_c = np.r_[np.ones(k_c), np.zeros(n_c - k_c)]
    d, lo, hi, p = diff_interval(y_t, y_c)
    s_lo, s_hi = confint_proportions_2indep(k_t, n_t, k_c, n_c, method="wald", compare="diff")
    assert d == pytest.approx(k_t / n_t - k_c / n_c, abs=1e-12)
    assert (lo, hi) == (pytest.approx(s_lo, abs=1e-12), pytest.approx(s_hi, abs=1e-12))
    se = np.sqrt((k_t / n_t) * (1 - k_t / n_t) / n_t + (k_c / n_c) * (1 - k_c / n_c) / n_c)
    assert p == pytest.approx(2 * stats.norm.sf(abs(d) / se), rel=1e-9)


def test_difference_of_means_interval_equals_statsmodels_welch():
    rng = np.random.default_rng(3)
    a, b = rng.lognormal(3, 1, 300), rng.lognormal(3.1, 1.4, 80)
    d, lo, hi, p = diff_interval(a, b)
    cm = CompareMeans(DescrStatsW(a), DescrStatsW(b))
    s_lo, s_hi = cm.tconfint_diff(usevar="unequal")
    assert (lo, hi) == (pytest.approx(s_lo, rel=1e-10), pytest.approx(s_hi, rel=1e-10))
    assert p == pytest.approx(cm.ttest_ind(usevar="unequal")[1], rel=1e-9)


@pytest.mark.parametrize("p0,effect,share", [(0.88, 0.04, 0.15), (0.7, 0.1, 0.5), (0.95, -0.03, 0.2)])
def test_sample_size_equals_statsmodels_power(p0, effect, share):
    plan = sample_size(p0, effect, holdout_share=share, contacts_per_month=100)
    ratio = share / (1 - share)
    n1 = NormalIndPower().solve_power(effect_size=proportion_effectsize(p0 + effect, p0), alpha=0.05, power=0.8,
                                      ratio=ratio, alternative="two-sided")
    assert plan["n_treatment_exact"] == pytest.approx(n1, rel=1e-6)
    assert plan["n_treatment"] == int(np.ceil(n1)) and plan["n_holdout"] == int(np.ceil(n1 * ratio))
    assert plan["months"] == pytest.approx(plan["n_total"] / 100)
    got = power(p0, effect, plan["n_treatment"], plan["n_holdout"])
    want = NormalIndPower().power(proportion_effectsize(p0 + effect, p0), plan["n_treatment"], 0.05,
                                  ratio=plan["n_holdout"] / plan["n_treatment"])
    assert got == pytest.approx(want, rel=1e-9) and got >= 0.8


def test_detectable_effect_is_the_inverse_of_power():
    e = detectable_effect(0.88, 1362, 240)
    assert 0.03 < e < 0.08
    assert power(0.88, e, 1362, 240) == pytest.approx(0.8, abs=1e-6)
    assert np.isnan(detectable_effect(0.88, 1, 240))


def test_planning_rejects_impossible_inputs():
    for args in [(1.2, 0.1), (0.9, 0.2), (0.5, 0.0)]:
        with pytest.raises(DataValidationError, match="between 0 and 1|must not be zero"):
            sample_size(*args)
    with pytest.raises(DataValidationError, match="holdout share"):
        sample_size(0.8, 0.05, holdout_share=1.0)


# -- CUPED ---------------------------------------------------------------------------------------------
def test_cuped_removes_the_share_of_variance_the_covariate_explains():
    rng = np.random.default_rng(7)
    n = 20000
    x = rng.normal(0, 1, n)
    arm = np.where(rng.random(n) < 0.5, "treatment", "holdout")
    y = 0.8 * x + 0.6 * rng.normal(0, 1, n) + np.where(arm == "treatment", 0.1, 0.0)  # corr(x, y) = 0.8
    f = pd.DataFrame({"arm": arm, "y": y, "x": x})
    r = compare(f, "y", covariate="x").iloc[0]
    assert r["variance_reduction"] == pytest.approx(0.64, abs=0.02)
    assert r["theta"] == pytest.approx(np.cov(y, x)[0, 1] / np.var(x, ddof=1), rel=1e-9)
    adj = y - r["theta"] * (x - x.mean())
    assert r["cuped_difference"] == pytest.approx(adj[arm == "treatment"].mean() - adj[arm == "holdout"].mean())
    assert r["cuped_low"] < 0.1 < r["cuped_high"]
    # a covariate unrelated to the outcome changes (almost) nothing
    f["noise"] = rng.normal(0, 1, n)
    r2 = compare(f, "y", covariate="noise").iloc[0]
    assert abs(r2["variance_reduction"]) < 0.002


# -- outcomes against direct pandas ------------------------------------------------------------------
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


def test_estimates_long_lists_the_plain_then_the_cuped_estimate_of_each_arm(inp):
    comp = compare(outcomes(inp, "Renewal save offer"), RETAINED, covariate=PRE_USAGE)
    long = estimates_long(comp)
    assert long["arm"].tolist() == comp["arm"].tolist() * 2
    assert long["estimate"].tolist() == ["plain"] * len(comp) + ["CUPED"] * len(comp)
    assert long["difference"].tolist() == comp["difference"].tolist() + comp["cuped_difference"].tolist()
    assert long["high"].tolist() == comp["high"].tolist() + comp["cuped_high"].tolist()
    plain = estimates_long(compare(outcomes(inp, "Renewal save offer"), RETAINED))
    assert plain["estimate"].tolist() == ["plain"] * len(comp)


def test_store_outcomes_apply_whatever_the_window(inp):
    for window in (30, 300, 700):
        f = outcomes(inp, "Renewal save offer", window=window)
        assert store_outcomes_apply(f) and f["followed"].all()
    assert plays_table(inp, window=300)["eligible"].gt(0).all()


def test_time_to_impact_ends_at_the_window_difference(demo, inp):
    f = outcomes(inp, "Renewal save offer", window=90)
    t = time_to_impact(f, "treatment", window=90)
    plain = compare(f, RETAINED).iloc[0]
    assert t["day"].tolist() == list(range(91))
    assert t.iloc[0]["difference"] == 0 and t.iloc[-1]["difference"] == pytest.approx(plain["difference"])
    assert (t.iloc[-1]["low"], t.iloc[-1]["high"]) == (pytest.approx(plain["low"]), pytest.approx(plain["high"]))
    e = f[f["eligible"]]
    def share(g, d):
        return (g["churn_day"].isna() | (g["churn_day"] >= d)).mean()

    for d in (1, 17, 45):
        want = share(e[e["arm"] == "treatment"], d) - share(e[e["arm"] == "holdout"], d)
        assert t.loc[d, "difference"] == pytest.approx(want)
    assert (t["treatment"].diff().dropna() <= 0).all()


# -- money ------------------------------------------------------------------------------------------
def test_money_scales_the_measured_differences(demo, inp):
    f = outcomes(inp, "Renewal save offer", window=90)
    m = money(f, "treatment", margin=0.7, value_months=12, retention_covariate=None,
              revenue_covariate=PRE_REVENUE).set_index("measure")
    e = f[f["eligible"]]
    n = int((e["arm"] == "treatment").sum())
    ret = compare(f, RETAINED).iloc[0]
    rev = compare(f, REVENUE, covariate=PRE_REVENUE).iloc[0]
    cost = demo.interventions.loc[(demo.interventions["play"] == "Renewal save offer")
                                  & (demo.interventions["group"] == "treatment"), "cost"].sum()
    assert m.loc["Contacts treated", "value"] == n
    assert m.loc["Customers saved", ["value", "low", "high"]].tolist() == pytest.approx(
        [ret["difference"] * n, ret["low"] * n, ret["high"] * n])
    assert m.loc["Revenue saved (window)", "value"] == pytest.approx(rev["cuped_difference"] * n * 0.7)
    assert m.loc["Cost", "value"] == pytest.approx(cost)
    assert m.loc["Net value (window)", "value"] == pytest.approx(rev["cuped_difference"] * n * 0.7 - cost)
    assert m.loc["ROI (window)", "value"] == pytest.approx((rev["cuped_difference"] * n * 0.7 - cost) / cost)
    mrr = e.loc[e["arm"] == "treatment", "mrr_before"].mean()
    assert m.loc["Value of customers saved", "value"] == pytest.approx(ret["difference"] * n * mrr * 12 * 0.7)
    assert (m["low"] <= m["value"]).all() and (m["value"] <= m["high"]).all()


@settings(max_examples=25, deadline=None)
@given(hs.floats(0.01, 1000))
def test_roi_does_not_depend_on_the_currency(k):
    rng = np.random.default_rng(1)
    n = 400
    arm = np.where(np.arange(n) % 5 == 0, "holdout", "treatment")
    base = pd.DataFrame({"arm": arm, "eligible": True, "churn_day": np.nan, "retained": (rng.random(n) < 0.9) * 1.0,
                         "revenue_kept": rng.gamma(2, 500, n), "pre_revenue": rng.gamma(2, 500, n),
                         "pre_usage": rng.random(n), "mrr_before": rng.gamma(2, 100, n), "cost": np.where(
                             arm == "treatment", 20.0, 0.0)})
    scaled = base.assign(revenue_kept=base["revenue_kept"] * k, pre_revenue=base["pre_revenue"] * k,
                         mrr_before=base["mrr_before"] * k, cost=base["cost"] * k)
    a = money(base, "treatment").set_index("measure")
    b = money(scaled, "treatment").set_index("measure")
    for measure in ("ROI (window)", "ROI (projected)", "Customers saved"):
        assert b.loc[measure, ["value", "low", "high"]].tolist() == pytest.approx(
            a.loc[measure, ["value", "low", "high"]].tolist(), rel=1e-6, abs=1e-9)
    assert b.loc["Net value (window)", "value"] == pytest.approx(a.loc["Net value (window)", "value"] * k, rel=1e-6)


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


def test_plays_table_summarises_each_play(demo, inp):
    t = plays_table(inp, window=90).set_index("play")
    iv = demo.interventions
    for play in PLAYS:
        mine = iv[iv["play"] == play]
        assert t.loc[play, "contacts"] == len(mine)
        assert t.loc[play, "held_out"] == int((mine["group"] == "holdout").sum())
        assert t.loc[play, "cost"] == pytest.approx(mine["cost"].sum())
    assert monthly_contacts(outcomes(inp, "Onboarding call")) == pytest.approx(1602 / 27)


# -- a randomised campaign spreadsheet, imported -----------------------------------------------------
@pytest.fixture(scope="module")
def campaign_store(tmp_path_factory):
    engine = core.make_engine(f"sqlite:///{tmp_path_factory.mktemp('roi') / 'c.db'}")
    core.init_db(engine)
    frame = make_campaign(3000, seed=4)
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter") as xw:
        pd.DataFrame({"note": ["exported from the mailer"]}).to_excel(xw, sheet_name="About", index=False)
        frame.to_excel(xw, sheet_name="Spring test", index=False)
    plan = core.prepare_import(engine, buf.getvalue(), "spring.xlsx", "interventions", sheet="Spring test",
                               constants={"play": "Spring e-mail test"}, mapping={"date": "Sent On"},
                               create_customers=True)
    assert plan.mapping["group"] == "Arm" and plan.mapping["cost"] == "Cost"
    core.commit_import(engine, plan)
    return engine, frame


def test_campaign_spreadsheet_imports_with_per_arm_rates_equal_to_pandas(campaign_store):
    engine, frame = campaign_store
    inputs = load_inputs(engine)
    f = outcomes(inputs, "Spring e-mail test")
    assert len(f) == len(frame) and sorted(f["arm"].unique()) == ["Mens E-Mail", "Womens E-Mail", "holdout"]
    assert set(imported_columns(f)) >= {"Visited", "Converted", "Spend", "Spend Last Year"}
    assert not store_outcomes_apply(f) and not f["followed"].any()
    assert (f["date"] == pd.Timestamp("2026-03-16")).all()  # "16/03/2026": read day first
    direct = frame.assign(visit=(frame["Visited"] == "Yes") * 1.0, arm=frame["Arm"].replace("No E-Mail", "holdout"))
    for col, outcome in (("visit", "Visited"), ("Converted", "Converted"), ("Spend", "Spend")):
        c = compare(f, outcome).set_index("arm")
        means = direct.groupby("arm")[col].mean()
        for arm in ("Mens E-Mail", "Womens E-Mail"):
            assert c.loc[arm, "treatment"] == pytest.approx(means[arm], rel=1e-12)
            assert c.loc[arm, "control"] == pytest.approx(means["holdout"], rel=1e-12)
            assert c.loc[arm, "difference"] == pytest.approx(means[arm] - means["holdout"], rel=1e-9)
            assert c.loc[arm, "n"] == (direct["arm"] == arm).sum()
    visits = compare(f, "Visited").set_index("arm")
    k = direct.groupby("arm")["visit"].agg(["sum", "size"])
    lo, hi = confint_proportions_2indep(k.loc["Mens E-Mail", "sum"], k.loc["Mens E-Mail", "size"],
                                        k.loc["holdout", "sum"], k.loc["holdout", "size"], method="wald")
    assert (visits.loc["Mens E-Mail", "low"], visits.loc["Mens E-Mail", "high"]) == (
        pytest.approx(lo), pytest.approx(hi))
    assert visits.loc["Mens E-Mail", "low"] > 0  # the mailing raised visits
    spend = compare(f, "Spend", covariate="Spend Last Year").iloc[0]
    assert np.isfinite(spend["cuped_difference"])
    check = srm(f)  # planned equal thirds
    assert not check["mismatch"] and check["counts"] == {"holdout": 1000, "Mens E-Mail": 1000, "Womens E-Mail": 1000}


def test_campaign_arms_follow_the_generator(campaign_store):
    _, frame = campaign_store
    assert frame["Arm"].value_counts().to_dict() == dict.fromkeys(ARMS, 1000)
    assert ((frame["Converted"] == 1) <= (frame["Visited"] == "Yes")).all()
    assert (frame.loc[frame["Converted"] == 0, "Spend"] == 0).all()


def test_contacts_newer_than_the_data_do_not_move_its_end(demo):
    late = demo.interventions.head(3).assign(date=pd.Timestamp("2027-06-01"))
    inp = inputs_from_frames(pd.concat([demo.interventions, late]), demo.customers, demo.revenue, demo.activity)
    assert inp.end == pd.Timestamp(demo.truth["end"])
    f = outcomes(inp, late["play"].iloc[0])
    assert not f.loc[f["date"] == pd.Timestamp("2027-06-01"), "eligible"].any()
