"""The sentences under the Intervention ROI charts (core/roi/chart_text.py): each key figure equals an independent
pandas computation on a small hand-made frame the chart would draw, and an empty chart says so."""

import numpy as np
import pandas as pd
import pytest

from core.roi import chart_text as ct

EFFECTS = pd.DataFrame({"arm": ["Mens E-Mail", "Womens E-Mail", "Mens E-Mail", "Womens E-Mail"],
                        "estimate": ["plain", "plain", "CUPED", "CUPED"],
                        "difference": [0.0512, 0.0771, 0.09, 0.05], "low": [0.041, 0.0702, 0.08, 0.04],
                        "high": [0.061, 0.0834, 0.10, 0.06]})


def test_arm_effects_reads_the_largest_plain_effect_per_100_contacted():
    plain = EFFECTS[EFFECTS["estimate"] == "plain"]
    top = plain.loc[plain["difference"].idxmax()]  # not the CUPED row, larger as it is
    said = ct.arm_effects(EFFECTS, "No E-Mail", binary=True, outcome="Visited", label="Visited")
    assert said == (f"Largest effect of {len(plain)} arms: {top['arm']} (vs No E-Mail) added "
                    f"{100 * top['difference']:.1f} customers visited per 100 contacted, between "
                    f"{100 * top['low']:.1f} and {100 * top['high']:.1f}.")
    assert said.endswith("Womens E-Mail (vs No E-Mail) added 7.7 customers visited per 100 contacted, between 7.0 "
                         "and 8.3.")
    one = ct.arm_effects(EFFECTS[EFFECTS["arm"] == "Mens E-Mail"], "holdout", binary=True, outcome="retained",
                         label="Retained")
    assert one == "Mens E-Mail (vs holdout) added 5.1 customers kept per 100 contacted, between 4.1 and 6.1."
    assert ct.arm_effects(EFFECTS.iloc[:0], "holdout", binary=True, outcome="retained", label="Retained") == \
        "Play effect: nothing to show for the current choices."


def test_group_effects_names_the_group_where_the_play_gains_most():
    t = pd.DataFrame({"group": ["Enterprise", "SMB", "Mid-market"], "difference": [-3.2, 12.5, 4.0],
                      "low": [-6.0, 8.25, -1.0], "high": [-0.4, 16.75, 9.0]})
    top = t.loc[t["difference"].idxmax()]
    said = ct.group_effects(t, binary=False, outcome="spend", label="Spend", what="segments")
    assert said == (f"Largest effect of 3 segments: for {top['group']}, the play added ${top['difference']:.2f} of "
                    f"spend per customer contacted, between ${top['low']:.2f} and ${top['high']:.2f}.")
    assert ct.group_effects(t.iloc[:0], binary=True, outcome="retained", label="Retained").endswith(
        "nothing to show for the current choices.")


def test_effects_data_has_human_headers_in_points():
    d = ct.effects_data(EFFECTS, "arm", binary=True)
    assert list(d.columns) == ["Arm", "Estimate", "Difference, points", "Low (95 % interval), points",
                               "High (95 % interval), points"]
    assert d["Difference, points"].tolist() == (100 * EFFECTS["difference"]).round(2).tolist()


def test_time_to_impact_reads_the_last_day_and_the_first_day_clearly_above_zero():
    day = np.arange(31)
    diff = day / 300
    t = pd.DataFrame({"day": day, "difference": diff, "low": diff - 0.02, "high": diff + 0.02})
    last, first = t.iloc[-1], int(t.loc[t["low"] > 0, "day"].min())
    assert ct.time_to_impact(t) == (f"Retention difference 30 days after contact: {100 * last['difference']:+.1f} pts "
                                    f"(95 % interval {100 * last['low']:+.1f} pts to {100 * last['high']:+.1f} pts); "
                                    f"first clearly above zero on day {first}.")
    assert first == 7
    never = t.assign(low=t["difference"] - 1)
    assert ct.time_to_impact(never).endswith("; never clearly above zero in the window.")
    assert ct.time_to_impact(t.iloc[:0]).endswith("nothing to show for the current choices.")


def test_power_curve_reads_the_contacts_that_reach_the_target():
    curve = pd.DataFrame({"contacts": [100, 600, 1100, 1600, 2100], "power": [0.1, 0.42, 0.71, 0.83, 0.92]})
    first = int(curve.loc[curve["power"] >= 0.8, "contacts"].iloc[0])
    assert ct.power_curve(curve, 0.8) == f"Contacts needed for 80% power: {first:,} (treated and held out together)."
    assert ct.power_curve(curve, 0.8, needed=1523) == \
        "Contacts needed for 80% power: 1,523 (treated and held out together)."
    assert ct.power_curve(curve, 0.95) == "Power reaches only 92% at 2,100 contacts, short of the 95% target."
    assert ct.power_curve(curve.iloc[:0], 0.8).endswith("nothing to show for the current choices.")
    assert ct.power_data(curve)["Power (%)"].tolist() == [10.0, 42.0, 71.0, 83.0, 92.0]


def _count(x: float) -> str:
    """A count as the pages write it: whole, or one decimal for a fraction below 100."""
    return f"{x:,.0f}" if float(x).is_integer() or abs(x) >= 100 else f"{x:.1f}"


def test_qini_reads_where_the_model_gains_most_over_random():
    share = np.linspace(0, 1, 11)
    q = np.array([0, 8, 15, 21, 24, 26, 27, 27.5, 27, 26, 25.0])
    curve = pd.DataFrame({"share_targeted": share, "qini": q, "random": share * q[-1]})
    at = (curve["qini"] - curve["random"]).idxmax()
    best = curve.loc[at]
    assert ct.qini(curve, binary=True) == (
        f"Targeting the top {100 * best['share_targeted']:.0f}% of contacts in the uplift model's order gains "
        f"{_count(best['qini'])} extra customers kept, against {_count(best['random'])} in a random order.")
    assert ct.qini(curve, binary=False, outcome="spend", label="Spend").startswith(
        f"Targeting the top {100 * best['share_targeted']:.0f}% of contacts in the uplift model's order gains "
        f"${best['qini']:,.0f} more spend, against $")
    flat = curve.assign(qini=curve["random"])
    assert ct.qini(flat, binary=True) == ("The uplift model's order gains no more than a random order at any share of "
                                          "contacts targeted.")
    assert ct.qini(curve.iloc[:0], binary=True).endswith("nothing to show for the current choices.")


@pytest.mark.parametrize("missing", ["difference", "low"])
def test_an_effect_without_a_figure_says_it_cannot_be_measured(missing):
    t = EFFECTS.iloc[:1].assign(**{missing: np.nan})
    said = ct.arm_effects(t, "holdout", binary=True, outcome="retained", label="Retained")
    assert "cannot be measured" in said or "nothing to show" in said
