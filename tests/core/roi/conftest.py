"""Fixtures of the ROI effect tests: the demo's plays read as ROI inputs (``inp``, once per module), and a randomised
campaign spreadsheet imported through the importer into a private store (``campaign_store``: the engine and the
generated frame).

Tests must not change these in place.
"""

import io

import pandas as pd
import pytest

import core
from core.demo.campaign import make_campaign
from core.roi.inputs import inputs_from_frames


@pytest.fixture(scope="module")
def inp(demo):
    return inputs_from_frames(demo.interventions, demo.customers, demo.revenue, demo.activity)


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
