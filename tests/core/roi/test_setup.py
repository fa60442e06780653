"""The set-up of a play's figures (core.roi.setup): the choices the Intervention ROI page, ``python -m core roi``
and the quarterly review share, on a play the store follows and on a campaign it does not, and the three surfaces
calling it (the review's money figures equal core.roi.money.money at the set-up's defaults)."""

import numpy as np
import pandas as pd
import pytest

import core
from core.errors import DataValidationError
from core.review import figures
from core.review.snapshot import ReviewParams
from core.roi import setup
from core.roi.defaults import BASELINE_RETENTION, HOLDOUT_SHARE, PRE_REVENUE, PRE_USAGE, RETAINED, REVENUE
from core.roi.inputs import load_inputs
from core.roi.money import money
from core.roi.outcomes import outcomes


def play_frame(followed: bool, arms=("treatment",) * 6 + ("holdout",) * 4, **imported) -> pd.DataFrame:
    """A play's contacts as core.roi.outcomes.outcomes gives them, with ``imported`` columns added."""
    n = len(arms)
    rng = np.random.default_rng(3)
    f = pd.DataFrame({"id": range(n), "customer_id": [f"C{i}" for i in range(n)], "play": "P", "arm": list(arms),
                      "channel": "email", "date": pd.Timestamp("2026-01-05"), "cost": [2.0, 4.0] * (n // 2),
                      "segment": "SMB", "plan": "Pro", "region": "EU", "eligible": True, "followed": followed,
                      "churn_day": np.nan, RETAINED: [1.0, 0.0] * (n // 2), REVENUE: rng.normal(100, 10, n),
                      PRE_REVENUE: rng.normal(100, 10, n), PRE_USAGE: rng.normal(3, 1, n),
                      "mrr_before": 100.0})
    for name, values in imported.items():
        f[name] = values
    return f


STORE = play_frame(True)
CAMPAIGN = play_frame(False, converted=[1.0, 0.0] * 5, spend=np.arange(10.0), spend_last_year=np.arange(10.0) * 2)


def test_outcomes_and_their_defaults_follow_the_store():
    assert setup.outcome_choices(STORE) == [RETAINED, REVENUE]
    assert setup.outcome(STORE, "P") == RETAINED
    assert setup.outcome_choices(CAMPAIGN) == ["converted", "spend", "spend_last_year"]
    assert setup.outcome(CAMPAIGN, "P") == "converted"
    assert setup.outcome(CAMPAIGN, "P", "spend") == "spend"


def test_a_campaign_asked_for_retention_is_told_to_measure_its_own_columns():
    with pytest.raises(DataValidationError, match="own columns instead: converted, spend, spend_last_year"):
        setup.outcome(CAMPAIGN, "P", RETAINED)
    bare = play_frame(False)
    with pytest.raises(DataValidationError, match="no outcome column"):
        setup.outcome(bare, "P")
    with pytest.raises(DataValidationError, match="no outcome 'nope'"):
        setup.outcome(STORE, "P", "nope")


def test_covariates_default_per_outcome_and_none_turns_them_off():
    assert setup.covariate_choices(STORE, RETAINED) == [PRE_USAGE, PRE_REVENUE]
    assert setup.covariate(STORE, RETAINED) == PRE_USAGE
    assert setup.covariate(STORE, REVENUE) == PRE_REVENUE
    assert setup.covariate(STORE, RETAINED, " None ") is None
    assert setup.covariate_choices(CAMPAIGN, "spend") == ["converted", "spend_last_year"]
    assert setup.covariate(CAMPAIGN, "spend") is None  # an imported outcome has no default
    assert setup.covariate(CAMPAIGN, "spend", "spend_last_year") == "spend_last_year"
    with pytest.raises(DataValidationError, match="choose converted, spend_last_year, none"):
        setup.covariate(CAMPAIGN, "spend", "spend")  # the outcome itself is not known before the contact
    with pytest.raises(DataValidationError, match="choose converted, spend_last_year, none"):
        setup.covariate(CAMPAIGN, "spend", PRE_USAGE)  # the store's usage does not apply to a campaign


def test_control_arm_is_holdout_else_the_smallest_and_a_single_arm_is_refused():
    assert setup.control_arm(STORE, "P") == "holdout"
    three = play_frame(True, arms=("a",) * 5 + ("b",) * 3 + ("c",) * 2)
    assert setup.control_arm(three, "P") == "c"
    assert setup.control_arm(three, "P", "b") == "b"
    with pytest.raises(DataValidationError, match=r"no arm 'z'. Arms: a \(5\), b \(3\), c \(2\)"):
        setup.control_arm(three, "P", "z")
    with pytest.raises(DataValidationError, match="single arm"):
        setup.control_arm(play_frame(True, arms=("a",) * 4), "P")


def test_money_values_revenue_and_retention_of_a_store_play_and_an_amount_of_a_campaign():
    s = setup.money_setup(STORE, "P")
    assert s == setup.MoneySetup(REVENUE, RETAINED, PRE_REVENUE, PRE_USAGE)
    assert setup.money_setup(STORE, "P", cuped=False) == setup.MoneySetup(REVENUE, RETAINED, None, None)
    assert setup.money_setup(STORE, "P", REVENUE, "none") == setup.MoneySetup(REVENUE, RETAINED, None, None)
    assert setup.money_setup(STORE, "P", REVENUE, PRE_USAGE).revenue_covariate == PRE_USAGE
    # a campaign: its first amount (a yes/no column is not an amount), no customers saved
    assert setup.amount_choices(CAMPAIGN) == ["spend", "spend_last_year"]
    c = setup.money_setup(CAMPAIGN, "P")
    assert c == setup.MoneySetup("spend", None, None, None)
    assert setup.money_setup(CAMPAIGN, "P", "spend", "spend_last_year").revenue_covariate == "spend_last_year"
    with pytest.raises(DataValidationError, match="'converted' is not one of 'P'. Amounts: spend, spend_last_year"):
        setup.money_setup(CAMPAIGN, "P", "converted")
    with pytest.raises(DataValidationError, match="no amount to value"):
        setup.money_setup(play_frame(False, converted=[1.0, 0.0] * 5), "P")
    assert s.describe() == ("revenue kept CUPED on revenue before contact; "
                            "retained CUPED on usage before contact (log)")
    assert c.describe() == "spend without CUPED"


def test_planned_share_control_rate_and_contact_cost():
    assert setup.planned_share(STORE) == HOLDOUT_SHARE
    assert setup.planned_share(STORE, 0.3) == 0.3
    assert setup.planned_share(play_frame(True, arms=("a",) * 4 + ("b",) * 3 + ("c",) * 3)) is None
    holdout = STORE[STORE["arm"] == "holdout"]
    assert setup.control_rate(STORE, "holdout") == pytest.approx(holdout[RETAINED].mean())
    all_kept = STORE.assign(**{RETAINED: 1.0})
    assert setup.control_rate(all_kept, "holdout") == 0.99  # kept within 1 % and 99 %
    assert setup.control_rate(CAMPAIGN, "holdout") is None
    assert setup.planning_rate(CAMPAIGN, "holdout") == BASELINE_RETENTION
    treated = STORE[STORE["arm"] != "holdout"]
    assert setup.contact_cost(STORE, "holdout") == pytest.approx(round(treated["cost"].mean(), 2))
    assert setup.contact_cost(STORE.assign(cost=np.nan), "holdout") == 0.0


def test_the_review_keeps_the_money_figures_of_the_set_up_defaults(small_demo_store):
    """The quarterly review's money figures are core.roi.money.money at money_setup's defaults, per arm."""
    engine = core.make_engine(f"sqlite:///{small_demo_store}")
    inp = load_inputs(engine)
    rows = pd.DataFrame(figures.roi_plays(engine, ReviewParams(), inp.end.date()))
    play = "Renewal save offer"
    f = outcomes(inp, play, window=ReviewParams().roi_window)
    chosen = setup.money_setup(f, play)
    m = money(f, "treatment", control=setup.control_arm(f, play), **chosen.kwargs()).set_index("measure")
    got = rows[rows["group"] == play].set_index("metric")
    for measure in ("Customers saved", "Net value (projected)", "ROI (projected)"):
        assert got.loc[measure, "value"] == pytest.approx(m.loc[measure, "value"], rel=1e-12)
    engine.dispose()


@pytest.mark.parametrize("p_control, effect", [(0.5, 0.05), (0.90, 0.05), (0.91, 0.045), (0.96, 0.02),
                                               (0.99, 0.005), (0.995, 0.005)])
def test_the_planner_starts_at_an_effect_the_retention_leaves_room_for(p_control, effect):
    """A holdout keeping 99 % cannot gain 5 points: the page's planner would start at an error (found on a
    warehouse's Intervention ROI page, whose Renewal save offer keeps 99 % of its holdout)."""
    assert setup.planning_effect(p_control) == pytest.approx(effect)
    assert p_control + setup.planning_effect(p_control) <= 1
