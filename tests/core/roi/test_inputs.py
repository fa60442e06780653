"""ROI inputs (core.roi.inputs): where the data ends when contacts are dated past it, and a randomised campaign
spreadsheet (core.demo.campaign, through the `campaign_store` fixture) imported through the importer and read back with
`load_inputs`: its arms, own columns and day-first dates arrive intact, and its per-arm rates and Wald interval equal a
direct pandas computation and statsmodels; its arms follow the generator.

The campaign import tests live here rather than in test_outcomes.py: what they prove is that the imported sheet reaches
the inputs unchanged; outcomes and compare only read it back.
"""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep

from core.demo.campaign import ARMS
from core.roi.estimates import compare
from core.roi.inputs import inputs_from_frames, load_inputs
from core.roi.outcomes import imported_columns, outcomes, store_outcomes_apply
from core.roi.sample_ratio import srm


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
