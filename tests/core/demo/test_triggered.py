"""The demo's trigger-driven play (core/demo/triggered.py), issue 24's acceptance: a simulated year of weekly playbook
runs (the workbench's own trigger, guards and holdout draw) on the small demo store (1,000 customers, seed 0). The
Intervention ROI page's figures for the play, read from the store as the page reads them, hold the generator's true
lift inside their 95 % interval, and its holdout passes the sample-ratio check; every run kept the play's guards
(nobody reached twice within the gap, nobody held out reached within the 90 days after)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import core
from core.demo.synthetic import first_draws
from core.demo.triggered import TRIGGERED, check_ins, mondays
from core.roi.estimates import compare
from core.roi.inputs import load_inputs
from core.roi.outcomes import outcomes
from core.roi.sample_ratio import srm
from tests.conftest import SMALL_DEMO_CUSTOMERS

PLAY = TRIGGERED["play"]


@pytest.fixture(scope="module")
def truth() -> dict:
    """The generator's truth for the small demo (seed 0), from its own draws (no store needed)."""
    first = first_draws(SMALL_DEMO_CUSTOMERS, 36, 0, dt.date(2026, 10, 31))
    rows, truth = check_ins(0, first.acc, first.win, first.churn_date, first.usage_ix)
    return {**truth, "rows": rows, "days": mondays(first.win)}


@pytest.fixture(scope="module")
def measured(small_demo_store) -> pd.DataFrame:
    engine = core.make_engine(f"sqlite:///{small_demo_store}")
    try:
        return outcomes(load_inputs(engine), PLAY)
    finally:
        engine.dispose()


def test_a_year_of_weekly_runs_made_the_play(truth, measured):
    assert truth["runs"] == len(truth["days"]) >= 52
    assert truth["recovered_lift"] == pytest.approx(TRIGGERED["lift"], abs=1e-12)  # no customer's rate capped at 1
    assert {pd.Timestamp(d).weekday() for d in truth["days"]} == {0}
    assert len(measured) == truth["n_targeted"] > 1000
    assert int((measured["arm"] == "holdout").sum()) == truth["n_held_out"]


def test_the_roi_interval_covers_the_true_lift_and_the_holdout_passes_srm(truth, measured):
    comp = compare(measured, "recovered", control="holdout").iloc[0]
    assert comp["low"] <= truth["recovered_lift"] <= comp["high"], (comp["low"], truth["recovered_lift"], comp["high"])
    assert comp["low"] > 0  # the play is seen to work
    check = srm(measured, holdout_share=TRIGGERED["holdout_share"])
    assert not check["mismatch"], check


def test_every_run_kept_the_guards(truth):
    rows = truth["rows"].assign(date=lambda f: pd.to_datetime(f["date"]))
    gap = TRIGGERED["guards"]["gap_days"]
    for _, mine in rows.sort_values("date").groupby("customer_id"):
        days = mine["date"].to_numpy()
        assert (np.diff(days) >= np.timedelta64(gap, "D")).all()  # the calendar gap, held out or not
        for when in mine.loc[mine["group"] == "holdout", "date"]:  # a holdout stays out 90 days
            later = mine[(mine["date"] > when) & (mine["date"] < when + pd.Timedelta(days=90))]
            assert later.empty, (mine["customer_id"].iloc[0], when)
