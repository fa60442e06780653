"""The next wave of a play (core.roi.wave): its settings (frozen, defaults, checks), the model's features, and
next_wave on the demo's three plays against direct pandas: the funnel's counts (active, renewing, filtered,
rested, like the contacts) recomputed from the demo frames with the support rule rebuilt from numpy quantiles; the
targets against the fitted model's own predictions priced by hand (MRR x 12 x 0.8 or a fixed value, minus the
cost), ranked, and cut at the budget; the onboarding call listing no customer older than its contacts; the
cautions against statsmodels' Wald interval."""

import dataclasses
import types

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep

from core.errors import DataValidationError, InsufficientDataError
from core.roi import wave as rw
from core.roi.candidates import candidates_now
from core.roi.defaults import RETAINED
from core.roi.inputs import inputs_from_frames
from core.roi.outcomes import outcomes
from core.roi.uplift_model import fit_uplift

PLAYS = ("Onboarding call", "Renewal save offer", "Usage nudge e-mail")
NUDGE = "Usage nudge e-mail"
FEATURES = ["segment", "plan", "mrr_before", "pre_usage"]
MONTH = 30.4375
#: a budget per play that ends the list before every customer worth contacting is listed
BUDGET = {"Onboarding call": 3_000.0, "Renewal save offer": 20_000.0, NUDGE: 20.0}
STEPS = ["Active customers", "Rested", "Like the play's contacts", "Worth contacting", "Within the budget"]
DAY = pd.Timedelta(days=1)


# -- fixtures: each play's contacts and uplift model, built once ----------------------------------------
@pytest.fixture(scope="module")
def ri(demo):
    return inputs_from_frames(demo.interventions, demo.customers, demo.revenue, demo.activity)


@pytest.fixture(scope="module")
def frames(ri):
    return {p: outcomes(ri, p, window=90) for p in PLAYS}


@pytest.fixture(scope="module")
def fits(frames):
    return {p: fit_uplift(f, FEATURES) for p, f in frames.items()}


@pytest.fixture(scope="module")
def responded(frames):
    """The nudge e-mail's model of its imported outcome (used the product within 7 days)."""
    return fit_uplift(frames[NUDGE], FEATURES, outcome="responded")


def _cost(frame):
    """The play's mean cost of a contact made."""
    return float(frame.loc[frame["arm"] != "holdout", "cost"].mean())


def _wave(ri, frames, fits, play, budget, customer_ids=None, **kw):
    """The play's wave with a save worth MRR x 12 months x 80 %, a contact at the play's mean cost."""
    settings = rw.WaveSettings(budget=budget, cost_per_contact=_cost(frames[play]), value_months=12, margin=0.8, **kw)
    return rw.next_wave(ri, frames[play], fits[play], settings, customer_ids=customer_ids)


@pytest.fixture(scope="module")
def waves(ri, frames, fits):
    return {p: _wave(ri, frames, fits, p, BUDGET[p]) for p in PLAYS}


# -- direct computations on the demo frames -------------------------------------------------------------
def _months(demo, ids, dates) -> np.ndarray:
    """Days from each customer's signup (demo.customers) to ``dates``, over 30.4375."""
    signup = demo.customers.set_index("customer_id")["signup_date"].reindex(pd.Index(list(ids)))
    days = pd.to_datetime(pd.Series(list(dates))) - pd.Series(signup.to_numpy())
    return days.dt.days.to_numpy(float) / MONTH


def _active(demo, as_of) -> set:
    c = demo.customers
    on = (c["signup_date"] <= as_of) & (c["churn_date"].isna() | (c["churn_date"] > as_of))
    return set(c.loc[on, "customer_id"])


def _contacted(demo, as_of, days, made=True) -> set:
    """Customers with a demo contact made (``made=False``: with a held-out row) in ``(as_of - days, as_of]``."""
    iv = demo.interventions
    d = pd.to_datetime(iv["date"]).dt.normalize()
    arm = iv["group"] != "holdout" if made else iv["group"] == "holdout"
    return set(iv.loc[arm & (d > as_of - pd.Timedelta(days=days)) & (d <= as_of), "customer_id"])


def _first_unlike(contacts, cand, columns, q=(0.01, 0.99), min_count=10) -> pd.Series:
    """For each candidate the first column it fails (None when like the contacts): a number within the contacts'
    np.quantile bounds (missing fails), a category seen among at least ``min_count`` contacts."""
    first = pd.Series(None, index=cand.index, dtype=object)
    for c in columns:
        if pd.api.types.is_numeric_dtype(contacts[c]):
            lo, hi = np.quantile(contacts[c].dropna().to_numpy(float), q)
            ok = pd.to_numeric(cand[c]).between(lo, hi)
        else:
            ok = cand[c].map(contacts[c].value_counts()).fillna(0) >= min_count
        first[first.isna() & ~ok.to_numpy()] = c
    return first


def _support(demo, ri, contacts, features, as_of, ids):
    """Candidates (features from candidates_now, months since signup to the day after ``as_of`` by hand) and the
    first support column each fails, against ``contacts`` with their months since signup at contact."""
    contacts = contacts.copy()
    contacts["tenure_months"] = _months(demo, contacts["customer_id"], contacts["date"])
    cand = candidates_now(ri, as_of=as_of, customer_ids=sorted(ids))
    cand["tenure_months"] = _months(demo, cand["customer_id"], [as_of + DAY] * len(cand))
    return contacts, cand, _first_unlike(contacts, cand, [*features, "tenure_months"])


def _mrr_on(demo, ids, as_of) -> np.ndarray:
    """Each customer's latest demo MRR row with a period on or before ``as_of``."""
    r = demo.revenue[demo.revenue["period"] <= as_of].sort_values("period", kind="stable")
    return r.groupby("customer_id")["mrr"].last().reindex(pd.Index(list(ids))).to_numpy(float)


def _ranking(model, like, value, cost) -> pd.DataFrame:
    """The like candidates worth contacting, best first (ties by id), priced by hand."""
    uplift = np.asarray(model.predict_uplift(like), float)
    ev = uplift * value - cost
    out = pd.DataFrame({"customer_id": like["customer_id"].to_numpy(), "uplift": uplift, "ev": ev})
    return out[out["ev"] > 0].sort_values(["ev", "customer_id"], ascending=[False, True]).reset_index(drop=True)


def _counts(wave) -> dict:
    return dict(zip(wave.funnel["step"], wave.funnel["customers"]))


# -- features -------------------------------------------------------------------------------------------
def test_model_features_keep_the_order_and_leave_out_empty_columns(frames):
    f = pd.DataFrame({"pre_usage": [1.0, 2.0], "plan": ["a", "b"], "extra": [1, 2], "mrr_before": [np.nan, 3.0],
                      "risk": [np.nan, np.nan], "segment": ["x", None]})
    assert rw.model_features(f) == ("segment", "plan", "mrr_before", "pre_usage")
    assert rw.model_features(f.assign(risk=[0.1, np.nan])) == ("risk", "segment", "plan", "mrr_before", "pre_usage")
    assert rw.model_features(f.assign(pre_usage=np.nan)) == ("segment", "plan", "mrr_before")
    assert rw.model_features(pd.DataFrame({"x": [1]})) == ()
    for f in frames.values():  # the demo's contacts carry no churn risk
        assert rw.model_features(f) == tuple(FEATURES)


# -- settings -------------------------------------------------------------------------------------------------
def test_wave_settings_are_frozen_with_the_documented_defaults():
    s = rw.WaveSettings(budget=100.0, cost_per_contact=5.0, value_months=12)
    assert (s.value_per_save, s.margin, s.outcome, s.as_of) == (None, 1.0, RETAINED, None)
    assert (s.rest_days, s.renewing_within_days, s.quantiles, s.min_count) == (30, None, (0.01, 0.99), 10)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.budget = 200.0
    assert dataclasses.replace(s, budget=200.0).budget == 200.0 and s.budget == 100.0


# -- next wave on the demo --------------------------------------------------------------------------------
@pytest.mark.parametrize("play", PLAYS)
def test_the_funnel_and_the_unlike_customers_match_a_direct_count(demo, ri, frames, waves, play):
    w, end = waves[play], ri.end
    active = _active(demo, end)
    rested = active - _contacted(demo, end, 30)
    f = frames[play]
    _, cand, first = _support(demo, ri, f[f["eligible"]], FEATURES, end, rested)
    assert set(cand["customer_id"]) == rested
    counts = _counts(w)
    assert w.funnel["step"].tolist() == STEPS
    assert counts["Active customers"] == len(active)
    assert counts["Rested"] == len(rested)
    assert 0 < counts["Like the play's contacts"] == first.isna().sum() < len(rested)
    assert sorted(w.unlike["customer_id"]) == sorted(cand.loc[first.notna(), "customer_id"])
    # each unlike customer's reason names the first column it fails
    col = pd.Series(first.dropna().to_numpy(), index=cand.loc[first.notna(), "customer_id"])
    reason = w.unlike.set_index("customer_id")["reason"].reindex(col.index)
    assert ((reason.str.split().str[0] == col) | (reason == "no " + col)).all()


@pytest.mark.parametrize("play", PLAYS)
def test_the_targets_are_the_top_of_the_expected_value_ranking_within_the_budget(demo, ri, frames, fits, waves,
                                                                                    play):
    w, end, budget, cost = waves[play], ri.end, BUDGET[play], _cost(frames[play])
    f = frames[play]
    _, cand, first = _support(demo, ri, f[f["eligible"]], FEATURES, end, _active(demo, end) - _contacted(demo, end, 30))
    like = cand[first.isna()].reset_index(drop=True)
    rank = _ranking(fits[play].model, like, like["mrr_before"].to_numpy(float) * 12 * 0.8, cost)
    t = w.targets
    assert list(t.columns) == rw.WAVE_COLUMNS
    assert _counts(w)["Worth contacting"] == len(rank)
    assert _counts(w)["Within the budget"] == len(t)
    assert 0 < len(t) < len(rank)  # the budget ends the list
    assert t["customer_id"].tolist() == rank["customer_id"].iloc[:len(t)].tolist()
    np.testing.assert_allclose(t["predicted_uplift"], rank["uplift"].iloc[:len(t)], rtol=1e-9)
    np.testing.assert_allclose(t["expected_value"], rank["ev"].iloc[:len(t)], rtol=1e-9)
    assert t["expected_value"].is_monotonic_decreasing and (t["expected_value"] > 0).all()
    # expected value = predicted uplift x MRR x 12 x 0.8 - cost, with the MRR of the demo's revenue
    mrr = _mrr_on(demo, t["customer_id"], end)
    np.testing.assert_allclose(t["mrr_before"], mrr)
    np.testing.assert_allclose(t["value_per_save"], mrr * 12 * 0.8)
    np.testing.assert_allclose(t["expected_value"], t["predicted_uplift"] * mrr * 12 * 0.8 - cost, rtol=1e-9)
    # the budget: never exceeded, and the next customer of the ranking would not fit
    np.testing.assert_allclose(t["cost"], cost)
    np.testing.assert_allclose(t["cumulative_cost"], np.cumsum(np.full(len(t), cost)))
    assert t["cumulative_cost"].iloc[-1] <= budget < t["cumulative_cost"].iloc[-1] + cost
    # the listed customers pass the support check, and their columns are the demo's
    assert set(t["customer_id"]) <= set(like["customer_id"])
    cust = demo.customers.set_index("customer_id").reindex(t["customer_id"])
    for c in ("segment", "plan", "region"):
        assert t[c].tolist() == cust[c].tolist()
    np.testing.assert_allclose(t["tenure_months"], _months(demo, t["customer_id"], [end + DAY] * len(t)))
    assert t["risk"].isna().all()
    assert w.spend == pytest.approx(len(t) * cost)
    assert w.expected_value == pytest.approx(rank["ev"].iloc[:len(t)].sum())
    assert w.expected_gain == pytest.approx(rank["uplift"].iloc[:len(t)].sum())
    assert w.budget == budget


def test_the_onboarding_call_lists_no_customer_older_than_its_contacts(demo, ri, frames, fits):
    """Fitted on customers in their second month, the model alone would list much older customers."""
    play, end = "Onboarding call", ri.end
    f = frames[play]
    contacts = f[f["eligible"]]
    tenure = _months(demo, contacts["customer_id"], contacts["date"])
    w = _wave(ri, frames, fits, play, 1e6)
    t = w.targets
    assert len(t) > 20 and _counts(w)["Within the budget"] == _counts(w)["Worth contacting"]
    own = _months(demo, t["customer_id"], [end + DAY] * len(t))
    assert ((own >= tenure.min()) & (own <= tenure.max())).all(), own.max()
    # without the support check: every rested customer the model would price above the cost
    cand = candidates_now(ri, as_of=end)
    rank = _ranking(fits[play].model, cand, cand["mrr_before"].fillna(0).to_numpy(float) * 12 * 0.8, _cost(f))
    old = _months(demo, rank["customer_id"], [end + DAY] * len(rank)) > tenure.max() + 12
    assert old.sum() > len(t)


def test_the_support_rules_reach_next_wave(demo, ri, frames, fits):
    """The save offer's contacts cut to 7 Enterprise ones: too few for the default 10, enough for 5; other
    percentiles narrow the bounds."""
    play, end = "Renewal save offer", ri.end
    f = frames[play]
    f = f[(f["segment"] != "Enterprise") | (f.groupby("segment").cumcount() < 7)]
    assert (f.loc[f["eligible"], "segment"] == "Enterprise").sum() == 7
    rested = _active(demo, end) - _contacted(demo, end, 30)
    kw = dict(budget=20_000.0, cost_per_contact=_cost(f), value_months=12, margin=0.8)
    w = rw.next_wave(ri, f, fits[play], rw.WaveSettings(**kw))
    ent = demo.customers.loc[demo.customers["segment"] == "Enterprise", "customer_id"]
    reason = w.unlike.set_index("customer_id")["reason"]
    assert len(rested & set(ent)) > 100
    assert (reason.reindex(sorted(rested & set(ent))) == "segment 'Enterprise' is among fewer than 10 contacts").all()
    for rules in ({"min_count": 5}, {"quantiles": (0.05, 0.95)}, {"min_count": 5, "quantiles": (0.0, 1.0)}):
        w = rw.next_wave(ri, f, fits[play], rw.WaveSettings(**kw, **rules))
        _, cand, _ = _support(demo, ri, f[f["eligible"]], FEATURES, end, rested)
        contacts = f[f["eligible"]].assign(tenure_months=lambda x: _months(demo, x["customer_id"], x["date"]))
        first = _first_unlike(contacts, cand, [*FEATURES, "tenure_months"], q=rules.get("quantiles", (0.01, 0.99)),
                              min_count=rules.get("min_count", 10))
        assert _counts(w)["Like the play's contacts"] == first.isna().sum(), rules
        assert sorted(w.unlike["customer_id"]) == sorted(cand.loc[first.notna(), "customer_id"])
    assert "0th and 100th percentiles" in w.funnel["rule"].iloc[2] and "at least 5 contacts" in w.funnel["rule"].iloc[2]


@pytest.mark.parametrize("play", PLAYS)
def test_a_bigger_budget_extends_the_same_list(ri, frames, fits, waves, play):
    small = waves[play]
    big = _wave(ri, frames, fits, play, 3 * BUDGET[play])
    assert len(big.targets) > len(small.targets) > 0
    pd.testing.assert_frame_equal(big.targets.head(len(small.targets)), small.targets)
    pd.testing.assert_frame_equal(big.funnel.iloc[:-1], small.funnel.iloc[:-1])
    pd.testing.assert_frame_equal(big.unlike, small.unlike)


def test_renewing_within_days_keeps_only_customers_renewing_soon(demo, ri, frames, fits):
    play, end = "Renewal save offer", ri.end
    w = _wave(ri, frames, fits, play, 20_000.0, renewing_within_days=60)
    c = demo.customers
    window = (c["renewal_date"] > end) & (c["renewal_date"] <= end + pd.Timedelta(days=60))
    soon = _active(demo, end) & set(c.loc[window, "customer_id"])
    rested = soon - _contacted(demo, end, 30)
    assert w.funnel["step"].tolist() == [*STEPS[:1], "Renewing soon", *STEPS[1:]]
    counts = _counts(w)
    assert 0 < counts["Renewing soon"] == len(soon) < counts["Active customers"]
    assert counts["Rested"] == len(rested)
    f = frames[play]
    _, _, first = _support(demo, ri, f[f["eligible"]], FEATURES, end, rested)
    assert counts["Like the play's contacts"] == first.isna().sum()
    renewal = c.set_index("customer_id")["renewal_date"].reindex(w.targets["customer_id"])
    assert len(renewal) > 0
    assert ((renewal > end) & (renewal <= end + pd.Timedelta(days=60))).all()
    assert set(w.unlike["customer_id"]) <= soon


def test_rest_days_leave_out_made_contacts_but_not_held_out_ones(demo, ri, frames, fits):
    """On 2026-03-31, inside the nudge e-mail campaign."""
    play, as_of = "Renewal save offer", pd.Timestamp("2026-03-31")
    active, made = _active(demo, as_of), _contacted(demo, as_of, 30)
    held_only = (active & _contacted(demo, as_of, 30, made=False)) - made
    assert len(active & made) > 100 and held_only
    w = _wave(ri, frames, fits, play, 20_000.0, as_of="2026-03-31")
    counts = _counts(w)
    assert counts["Active customers"] == len(active)
    assert counts["Rested"] == len(active - made)
    assert not set(w.targets["customer_id"]) & made and not set(w.unlike["customer_id"]) & made
    # the candidates' features are as of that day
    t = w.targets
    assert len(t) > 0
    np.testing.assert_allclose(t["mrr_before"], _mrr_on(demo, t["customer_id"], as_of))
    np.testing.assert_allclose(t["tenure_months"], _months(demo, t["customer_id"], [as_of + DAY] * len(t)))
    # one customer held out in those 30 days stays; one contacted is left out
    one = _wave(ri, frames, fits, play, 20_000.0, as_of=as_of, customer_ids=[sorted(held_only)[0]])
    assert _counts(one)["In the filters"] == _counts(one)["Rested"] == 1
    with pytest.raises(InsufficientDataError):
        _wave(ri, frames, fits, play, 20_000.0, as_of=as_of, customer_ids=[sorted(active & made)[0]])
    kept = _wave(ri, frames, fits, play, 20_000.0, as_of=as_of, rest_days=None)
    assert "Rested" not in kept.funnel["step"].tolist()
    assert len(kept.unlike) + _counts(kept)["Like the play's contacts"] == len(active)


def test_rest_days_count_the_last_30_days_up_to_as_of(demo, ri, frames, fits):
    """A contact made on day d rests its customer up to d + 29; on d + 30 the customer is back."""
    iv = demo.interventions.assign(date=lambda x: pd.to_datetime(x["date"]).dt.normalize())
    made = iv[iv["group"] != "holdout"].sort_values(["customer_id", "date"])
    nxt = made.groupby("customer_id")["date"].shift(-1)
    cust = demo.customers.set_index("customer_id").reindex(made["customer_id"])
    back = made["date"] + pd.Timedelta(days=30)
    churn = cust["churn_date"].to_numpy()
    ok = ((nxt.isna() | (nxt > back)) & (cust["signup_date"].to_numpy() <= made["date"])
          & (pd.isna(churn) | (churn > back.to_numpy())))
    cid, d = made.loc[ok, ["customer_id", "date"]].iloc[0]
    play = "Renewal save offer"
    w = _wave(ri, frames, fits, play, 1_000.0, as_of=d + pd.Timedelta(days=30), customer_ids=[cid])
    assert _counts(w)["Rested"] == 1
    with pytest.raises(InsufficientDataError):
        _wave(ri, frames, fits, play, 1_000.0, as_of=d + pd.Timedelta(days=29), customer_ids=[cid])
    assert _counts(_wave(ri, frames, fits, play, 1_000.0, as_of=d, customer_ids=[cid], rest_days=0))["Rested"] == 1


def test_customer_ids_restrict_the_wave(demo, ri, frames, fits):
    play, end = "Onboarding call", ri.end
    smb = demo.customers.loc[demo.customers["segment"] == "SMB", "customer_id"]
    w = _wave(ri, frames, fits, play, 20_000.0, customer_ids=smb)
    assert w.funnel["step"].tolist() == [*STEPS[:1], "In the filters", *STEPS[1:]]
    counts = _counts(w)
    inside = _active(demo, end) & set(smb)
    assert counts["In the filters"] == len(inside) < counts["Active customers"]
    assert counts["Rested"] == len(inside - _contacted(demo, end, 30))
    segment = demo.customers.set_index("customer_id")["segment"]
    assert len(w.targets) > 0 and (segment.reindex(w.targets["customer_id"]) == "SMB").all()
    assert (segment.reindex(w.unlike["customer_id"]) == "SMB").all()


def test_value_per_save_prices_the_nudge_e_mails_responses(demo, ri, frames, responded):
    """A response is worth 5, a contact costs 0.05; the margin only applies to MRR x months."""
    f, end = frames[NUDGE], ri.end
    w = rw.next_wave(ri, f, responded, rw.WaveSettings(budget=20.0, cost_per_contact=0.05, value_per_save=5.0,
                                                       margin=0.5, outcome="responded"))
    _, cand, first = _support(demo, ri, f[f["responded"].notna()], FEATURES, end,
                              _active(demo, end) - _contacted(demo, end, 30))
    like = cand[first.isna()].reset_index(drop=True)
    assert _counts(w)["Like the play's contacts"] == len(like)
    rank = _ranking(responded.model, like, 5.0, 0.05)
    t = w.targets
    n = int((np.cumsum(np.full(len(rank), 0.05)) <= 20.0).sum())  # 400 x 0.05 adds up to a hair above 20
    assert len(t) == n and 399 <= n < len(rank)
    assert t["customer_id"].tolist() == rank["customer_id"].iloc[:n].tolist()
    np.testing.assert_allclose(t["value_per_save"], 5.0)
    np.testing.assert_allclose(t["expected_value"], t["predicted_uplift"] * 5.0 - 0.05, rtol=1e-9)
    np.testing.assert_allclose(t["predicted_uplift"], rank["uplift"].iloc[:n], rtol=1e-9)


def test_contacts_of_unknown_customers_do_not_widen_the_months_since_signup(demo, responded):
    """An imported outcome measures contacts of customers the store does not know (300 nudge e-mails added here);
    their months since signup are unknown, so the bounds are the known contacts' (the nudge went to customers past
    their first month, so nobody a few days old is like them)."""
    n = 300
    extra = pd.DataFrame({"customer_id": [f"X{i:04d}" for i in range(n)], "play": NUDGE, "channel": "email",
                          "date": pd.Timestamp("2026-03-02"), "cost": 0.05,
                          "group": np.where(np.arange(n) % 6 == 0, "holdout", "treatment"),
                          "attributes": [{"responded": int(i % 4 == 0)} for i in range(n)]})
    ri2 = inputs_from_frames(pd.concat([demo.interventions, extra], ignore_index=True), demo.customers,
                             demo.revenue, demo.activity)
    f, end = outcomes(ri2, NUDGE, window=90), ri2.end
    contacts = f[f["responded"].notna()]
    assert contacts["customer_id"].str.startswith("X").sum() == n
    w = rw.next_wave(ri2, f, responded, rw.WaveSettings(budget=20.0, cost_per_contact=0.05, value_per_save=5.0,
                                                        outcome="responded"))
    _, _, first = _support(demo, ri2, contacts, FEATURES, end, _active(demo, end))
    known = contacts[contacts["customer_id"].isin(demo.customers["customer_id"])]
    lo = np.quantile(_months(demo, known["customer_id"], known["date"]), 0.01)
    assert len(w.targets) > 0
    assert w.targets["tenure_months"].min() >= lo, (w.targets["tenure_months"].min(), lo)
    assert _counts(w)["Like the play's contacts"] == first.isna().sum()


def test_a_model_on_churn_risk_needs_scores_and_leaves_out_the_unscored(demo, ri, frames):
    """Risk at contact and today's scores made up (no churn model is fitted here)."""
    f, end = frames[NUDGE].copy(), ri.end
    rng = np.random.default_rng(1)
    f["risk"] = rng.uniform(0.05, 0.25, len(f))
    res = fit_uplift(f, ["risk", *FEATURES])
    active = sorted(_active(demo, end))
    scores = pd.DataFrame({"customer_id": active, "probability": rng.uniform(0.0, 0.4, len(active)), "tier": "x"})
    scores = scores[np.arange(len(scores)) % 5 != 0]
    settings = rw.WaveSettings(budget=1e6, cost_per_contact=0.05, value_months=12)
    with pytest.raises(DataValidationError, match="churn"):
        rw.next_wave(ri, f, res, settings)
    w = rw.next_wave(ri, f, res, settings, churn_scores=scores)
    reason = w.unlike.set_index("customer_id")["reason"]
    unscored = sorted(set(active) - set(scores["customer_id"]))
    assert (reason.reindex(unscored) == "no risk").all()
    lo, hi = np.quantile(f.loc[f["eligible"], "risk"], [0.01, 0.99])
    p = scores.set_index("customer_id")["probability"]
    outside = p[(p < lo) | (p > hi)].index
    assert len(outside) > 100 and reason.reindex(outside).str.startswith("risk ").all()
    cand = candidates_now(ri, scores, as_of=end)
    cand["tenure_months"] = _months(demo, cand["customer_id"], [end + DAY] * len(cand))
    contacts = f[f["eligible"]].assign(tenure_months=lambda x: _months(demo, x["customer_id"], x["date"]))
    first = _first_unlike(contacts, cand, ["risk", *FEATURES, "tenure_months"])
    assert _counts(w)["Like the play's contacts"] == first.isna().sum()
    t = w.targets
    assert len(t) > 0
    np.testing.assert_allclose(t["risk"], p.reindex(t["customer_id"]))
    assert t["risk"].between(lo, hi).all()


# -- errors -----------------------------------------------------------------------------------------------
ERRORS = {
    "both values": ({"value_per_save": 100.0, "value_months": 12}, DataValidationError),
    "neither value": ({}, DataValidationError),
    "margin above 1": ({"value_months": 12, "margin": 1.5}, DataValidationError),
    "margin below 0": ({"value_months": 12, "margin": -0.1}, DataValidationError),
    "no months": ({"value_months": 0}, DataValidationError),
    "negative budget": ({"value_months": 12, "budget": -1.0}, DataValidationError),
    "no budget": ({"value_months": 12, "budget": np.nan}, DataValidationError),
    "negative cost": ({"value_months": 12, "cost_per_contact": -1.0}, DataValidationError),
    "nobody in the filters": ({"value_months": 12, "customer_ids": []}, InsufficientDataError),
    "unknown customers": ({"value_months": 12, "customer_ids": ["NOBODY"]}, InsufficientDataError),
    "nobody renewing": ({"value_months": 12, "renewing_within_days": 0}, InsufficientDataError),
    "before any signup": ({"value_months": 12, "as_of": "2000-01-01"}, InsufficientDataError),
}


@pytest.mark.parametrize("case", ERRORS, ids=list(ERRORS))
def test_next_wave_errors(ri, frames, fits, case):
    kw, error = ERRORS[case]
    kw = {"budget": 1_000.0, "cost_per_contact": 150.0, **kw}
    ids = kw.pop("customer_ids", None)
    play = "Onboarding call"
    with pytest.raises(error):
        rw.next_wave(ri, frames[play], fits[play], rw.WaveSettings(**kw), customer_ids=ids)


def test_next_wave_errors_on_the_outcome_the_model_and_the_contacts(ri, frames, fits, responded):
    settings = rw.WaveSettings(budget=10.0, cost_per_contact=0.05, value_months=12)
    with pytest.raises(DataValidationError, match="retention"):
        rw.next_wave(ri, frames[NUDGE], responded, rw.WaveSettings(budget=10.0, cost_per_contact=0.05,
                                                                   value_months=12, outcome="responded"))
    on_risk = types.SimpleNamespace(features=["risk", *FEATURES], model=fits[NUDGE].model)
    with pytest.raises(DataValidationError, match="churn risk"):
        rw.next_wave(ri, frames[NUDGE].assign(risk=0.1), on_risk, settings)
    unmeasured = frames[NUDGE].assign(eligible=False)
    with pytest.raises(InsufficientDataError, match="measured"):
        rw.next_wave(ri, unmeasured, fits[NUDGE], settings)


# -- cautions ---------------------------------------------------------------------------------------------
def _wald(frame):
    m = frame[frame["eligible"]]
    yt, yc = m.loc[m["arm"] != "holdout", "retained"], m.loc[m["arm"] == "holdout", "retained"]
    return confint_proportions_2indep(yt.sum(), len(yt), yc.sum(), len(yc), method="wald", compare="diff")


@pytest.mark.parametrize("play", PLAYS)
def test_cautions_warn_when_the_effect_is_not_clearly_above_zero(frames, fits, play):
    """The nudge e-mail does not change churn; the save offer keeps 12 points more; the onboarding call's
    estimate is above zero but its interval is not."""
    lo, hi = _wald(frames[play])
    m = frames[play][frames[play]["eligible"]]
    d = m.loc[m["arm"] != "holdout", "retained"].mean() - m.loc[m["arm"] == "holdout", "retained"].mean()
    assert {NUDGE: lo < 0 < hi, "Renewal save offer": lo > 0, "Onboarding call": lo < 0 < d}[play]
    said = [s for s in rw.cautions(fits[play], frames[play]) if "effect" in s]
    if lo > 0:
        assert said == []
    else:
        assert len(said) == 1 and "not clearly above zero" in said[0]
        assert f"(95 % interval {100 * lo:+.2f} points to {100 * hi:+.2f} points)" in said[0]


@pytest.mark.parametrize("qini", [0.0, -0.02, np.nan])
def test_cautions_warn_when_the_model_ranks_no_better_than_random(frames, qini):
    f = frames["Renewal save offer"]
    said = rw.cautions(types.SimpleNamespace(qini_coefficient=qini), f)
    assert len(said) == 1 and "Qini coefficient" in said[0]
    assert rw.cautions(types.SimpleNamespace(qini_coefficient=0.01), f) == []
