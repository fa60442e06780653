"""The plays table (core.roi.plays): contacts, held-out contacts and cost per play against direct pandas counts over
the demo's interventions, and the monthly contact rate of a play (core.roi.planning.monthly_contacts) against the demo's
known count.
"""

import pytest

from core.roi.outcomes import outcomes
from core.roi.planning import monthly_contacts
from core.roi.plays import plays_table
from tests.core.roi.helpers import PLAYS


def test_plays_table_summarises_each_play(demo, inp):
    t = plays_table(inp, window=90).set_index("play")
    iv = demo.interventions
    for play in PLAYS:
        mine = iv[iv["play"] == play]
        assert t.loc[play, "contacts"] == len(mine)
        assert t.loc[play, "held_out"] == int((mine["group"] == "holdout").sum())
        assert t.loc[play, "cost"] == pytest.approx(mine["cost"].sum())
    assert monthly_contacts(outcomes(inp, "Onboarding call")) == pytest.approx(1602 / 27)
