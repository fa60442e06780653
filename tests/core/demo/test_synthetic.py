"""The demo business keeps its promises: sizes, churn, holdouts, surveys, and it loads into the store."""

import numpy as np
import pandas as pd
import pytest

import core
from core.cli.main import main
from core.demo.synthetic import make_demo


@pytest.fixture(scope="module")
def small():
    return make_demo(800, seed=3)


@pytest.fixture(scope="module")
def full():
    return make_demo(5000, seed=0)


def _monthly_churn(customers: pd.DataFrame) -> tuple[float, pd.Series]:
    """Logo churn among customers active at each month start, from signup/churn dates alone."""
    c = customers
    starts = pd.date_range(c["signup_date"].min().to_period("M").start_time,
                           c["signup_date"].max().to_period("M").start_time, freq="MS")
    active, churned = [], []
    for a, b in zip(starts[:-1], starts[1:]):
        alive = (c["signup_date"] < a) & (c["churn_date"].isna() | (c["churn_date"] >= a))
        active.append(int(alive.sum()))
        churned.append(int((alive & (c["churn_date"] < b)).sum()))
    return sum(churned) / sum(active), pd.Series(churned, index=starts[:-1]) / np.maximum(active, 1)


def test_same_seed_same_frames_other_seed_differs():
    a, b, c = make_demo(200, seed=5), make_demo(200, seed=5), make_demo(200, seed=6)
    for name, df in a.frames().items():
        pd.testing.assert_frame_equal(df, b.frames()[name])
    assert a.truth == b.truth
    assert not a.customers.equals(c.customers)
    assert not a.activity.equals(c.activity)


def test_columns_are_the_store_columns(small):
    for name, df in small.frames().items():
        store_cols = [c for c in core.store.tables.TABLES[name].__table__.columns.keys()
                      if c not in ("id", "import_id", "attributes", "order_id", "is_return")]  # line items only
        extra = {"attributes"} if name == "intervention" else set()  # the nudge e-mails' responses
        unset = {"first_contact"} if name == "ticket" else set()  # as in a Zendesk export: told from the replies
        assert set(df.columns) == (set(store_cols) | extra) - unset, name


def test_sizes_span_and_categories(full):
    c = full.customers
    assert len(c) == 5000 and c["customer_id"].is_unique
    months = c["signup_date"].dt.to_period("M")
    assert months.nunique() == 36  # acquisition in every month of the window
    assert c["signup_date"].max() <= pd.Timestamp("2026-10-31")
    assert set(c["segment"]) == {"SMB", "Mid-Market", "Enterprise"}
    assert c["plan"].nunique() >= 4 and c["region"].nunique() == 4 and c["channel"].nunique() == 5
    act = full.activity
    assert 3_000_000 < len(act) < 7_000_000  # daily usage per feature, days without use left out
    assert act["date"].nunique() > 1000  # every day of the 36 months, not weekly buckets
    weekday = act["date"].dt.day_of_week < 5
    per_day = act.groupby(weekday)["value"].sum() / act.groupby(weekday)["date"].nunique()
    assert per_day[True] > 3 * per_day[False]  # people work on weekdays
    assert (c["renewal_date"] > c["signup_date"]).all()
    rev = full.revenue
    assert (rev["period"].dt.day == 1).all() and rev["amount"].isna().all() and (rev["mrr"] > 0).all()
    assert not rev.duplicated(["customer_id", "period"]).any()
    change = rev.sort_values(["customer_id", "period"]).groupby("customer_id")["mrr"].pct_change()
    assert (change > 0).sum() > 100 and (change < 0).sum() > 100  # expansion and contraction


def test_monthly_churn_rate_is_plausible_and_both_kinds_occur(full, small):
    for demo in (full, small):
        rate, _ = _monthly_churn(demo.customers)
        assert 0.01 <= rate <= 0.03, rate
        kinds = demo.customers["churn_type"].value_counts()
        assert set(kinds.index) == {"voluntary", "involuntary"}
        assert kinds["voluntary"] > kinds["involuntary"]
        churned = demo.customers["churn_date"].notna()
        assert (demo.customers["churn_type"].notna() == churned).all()
        assert (demo.customers.loc[churned, "churn_date"] > demo.customers.loc[churned, "signup_date"]).all()


def test_no_activity_revenue_or_feedback_after_churn(small):
    c = small.customers.set_index("customer_id")
    for df, col in ((small.activity, "date"), (small.feedback, "date"), (small.tickets, "opened"),
                    (small.revenue, "period")):
        j = df.join(c[["signup_date", "churn_date"]], on="customer_id")
        assert (j[col] >= j["signup_date"].dt.to_period("M").dt.start_time).all()
        assert not (j[col] >= j["churn_date"]).any()


@pytest.mark.parametrize("which", ["small", "full"])
def test_holdout_is_fifteen_percent_per_play(which, request):
    demo = request.getfixturevalue(which)
    iv = demo.interventions
    assert set(iv["play"]) == set(demo.truth["plays"]) and len(demo.truth["plays"]) == 4
    for play, g in iv.groupby("play"):
        share = (g["group"] == "holdout").mean()
        assert abs(share - 0.15) <= 0.02, (play, share)
        assert (g.loc[g["group"] == "holdout", "cost"] == 0).all()
        assert (g.loc[g["group"] == "treatment", "cost"] > 0).all()


def test_treated_churn_less_than_holdout_as_truth_says(full):
    iv = full.interventions.merge(full.customers[["customer_id", "churn_date"]], on="customer_id")
    for play, g in iv.groupby("play"):
        truth = full.truth["plays"][play]
        if play in (core.demo.synthetic.NUDGE["play"], core.demo.synthetic.TRIGGERED["play"]):  # leave churn alone
            # (tests/core/test_roi_uplift.py: the nudge's fatigue; tests/core/demo/test_triggered.py: the check-ins)
            assert truth["uplift_logodds"] == 0 and truth["abs_reduction"] == 0
            continue
        assert truth["uplift_logodds"] < 0 and truth["abs_reduction"] > 0
        horizon = pd.DateOffset(months=truth["horizon_months"])
        lost = (g["churn_date"] > g["date"]) & (g["churn_date"] <= g["date"] + horizon)
        rates = lost.groupby(g["group"]).mean()
        assert rates["treatment"] < rates["holdout"], (play, rates.to_dict())


def test_survey_scores_and_verbatims(full):
    fb = full.feedback
    assert set(fb["channel"]) == {"nps", "csat", "ces", "review", "social"} and fb["customer_id"].notna().all()
    assert fb.loc[fb["channel"] == "social", "score"].isna().all()
    assert fb.loc[fb["channel"].isin(["review", "social"]), "text"].notna().all()
    for chan, (lo, hi) in {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7), "review": (1, 5)}.items():
        s = fb.loc[fb["channel"] == chan, "score"]
        assert s.between(lo, hi).all() and (s % 1 == 0).all() and s.nunique() >= hi - lo - 1
    text = fb["text"].dropna().str.lower()
    assert text.nunique() > 200  # varied wording
    for theme, words in full.truth["themes"].items():
        assert text.str.contains("|".join(words)).sum() > 50, theme
    assert text.str.contains("cancel").any() and text.str.contains("switching").any()
    churny = fb.loc[fb["text"].str.contains("cancel|switching", na=False), "score"]
    assert churny.mean() < fb.loc[fb["channel"] == "nps", "score"].mean()


def test_unhealthy_customers_score_lower_and_leave_tickets_open(full):
    c = full.customers[["customer_id", "churn_date"]]
    nps = full.feedback[full.feedback["channel"] == "nps"].merge(c, on="customer_id")
    by = nps.groupby(nps["churn_date"].notna())["score"].mean()
    assert by[True] < by[False] - 0.2
    t = full.tickets.merge(c, on="customer_id")
    assert {"open", "pending", "resolved", "closed"} <= set(t["status"])
    assert (t["resolved"].isna() == t["status"].isin(["open", "pending"])).all()
    done = t.dropna(subset=["resolved"])
    assert (done["resolved"] >= done["first_response"]).all() and (t["first_response"].dropna() >= t["opened"]
                                                                   [t["first_response"].notna()]).all()
    open_share = t["resolved"].isna().groupby(t["churn_date"].notna()).mean()
    assert open_share[True] > open_share[False]


def test_too_few_customers_is_refused():
    with pytest.raises(core.DataValidationError, match="at least 50 customers"):
        make_demo(10)


def test_load_demo_counts_match_frames_and_replace(engine):
    seen = []
    out = core.load_demo(engine, n_customers=300, seed=2, progress=lambda f, m: seen.append(f))
    demo = make_demo(300, seed=2)
    expected = {name: len(df) for name, df in demo.frames().items()}
    assert out["counts"] == expected and out["truth"] == demo.truth
    counts = core.table_counts(engine)
    assert {k: counts[k] for k in expected} == expected and counts["importlog"] == 1
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    core.load_demo(engine, n_customers=120, seed=1)  # replaces, keeps the log
    counts = core.table_counts(engine)
    assert counts["customer"] == 120 and counts["importlog"] == 2
    log = core.import_history(engine)
    assert log["kind"].tolist() == ["demo", "demo"]
    assert set(log["file_name"]) == {"demo (seed 2, 300 customers)", "demo (seed 1, 120 customers)"}
    cust = core.load_table(engine, "customer")
    assert cust["churn_type"].dropna().isin(["voluntary", "involuntary"]).all()


def test_cli_demo(db_url, capsys):
    assert main(["--db", db_url, "demo", "--customers", "300", "--seed", "7"]) == 0
    out = capsys.readouterr().out
    assert "300 customer" in out
    assert core.table_counts(core.make_engine(db_url))["customer"] == 300
    assert main(["--db", db_url, "demo", "--customers", "10"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1


def test_the_nudge_e_mails_follow_their_targeting_and_carry_a_response(full):
    spec = core.demo.synthetic.NUDGE
    iv = full.interventions
    nd = iv[iv["play"] == spec["play"]]
    other = iv[~iv["play"].isin([spec["play"], core.demo.synthetic.TRIGGERED["play"]])]
    assert other["attributes"].isna().all()
    assert nd["attributes"].map(lambda a: set(a) == {"responded"} and a["responded"] in (0, 1)).all()
    # sent on the weekly send days of six months, ending four months before the end (so 90 days are observed)
    assert set(nd["date"].dt.day) == set(spec["send_days"])
    months = nd["date"].dt.to_period("M")
    assert months.nunique() == spec["months"] and months.max() == pd.Period("2026-06", "M")
    j = nd.merge(full.customers[["customer_id", "signup_date", "churn_date"]], on="customer_id")
    assert (j["signup_date"] < j["date"]).all() and not (j["churn_date"] <= j["date"]).any()
    assert (nd.loc[nd["group"] == "treatment", "cost"] == spec["cost"]).all()
    assert full.truth["plays"][spec["play"]]["n_targeted"] == len(nd)
    # a customer gets at most one e-mail a send day
    assert not nd.duplicated(["customer_id", "date"]).any()
