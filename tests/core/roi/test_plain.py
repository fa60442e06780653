"""The plain sentences of core.roi.plain, each against the figure it reads (issue 21): an effect and its interval per
100 customers contacted or in money per customer (an interval below zero, one holding zero: "no clear effect"), a
p-value as how often chance alone would do it, CUPED's saved variance as extra customers, theta, and a Qini
coefficient against a random order."""

import math

import numpy as np
import pytest

from core.roi import plain


def _numbers(text: str) -> list[float]:
    import re

    return [float(x.replace(",", "")) for x in re.findall(r"\d[\d,]*\.?\d*", text)]


def test_an_effect_reads_per_100_customers_with_its_interval():
    s = plain.effect("the e-mail", 0.0772, 0.0701, 0.0829, binary=True, outcome="Visited", label="Visited")
    assert s == "the e-mail added 7.7 customers visited per 100 contacted, between 7.0 and 8.3."
    d, lo, hi = 0.12914, 0.0913, 0.1671
    s = plain.effect("Renewal save offer", d, lo, hi, binary=True, outcome="retained", label="Retained")
    assert s.startswith("Renewal save offer added ") and "customers kept per 100 contacted" in s
    assert _numbers(s) == [round(100 * d, 1), 100, round(100 * lo, 1), round(100 * hi, 1)]


def test_an_effect_below_zero_takes_away_and_one_holding_zero_is_no_clear_effect():
    s = plain.effect("The call", -0.031, -0.052, -0.011, binary=True, outcome="retained", label="Retained")
    assert s == "The call took away 3.1 customers kept per 100 contacted, between 1.1 and 5.2."
    s = plain.effect("The call", 0.013, -0.032, 0.058, binary=True, outcome="retained", label="Retained")
    assert s.startswith("The call shows no clear effect: between -3.2 and +5.8 customers kept per 100 contacted")
    assert "may be zero" in s
    assert plain.verdict(-0.032, 0.058) == "no clear effect"
    assert (plain.verdict(0.01, 0.2), plain.verdict(-0.2, -0.01)) == ("works", "hurts")
    # an interval touching zero holds zero
    assert plain.verdict(0.0, 0.1) == "no clear effect"


def test_an_amount_reads_in_money_per_customer_contacted():
    s = plain.effect("The mailing", 2.314, 1.1, 3.5, binary=False, outcome="Spend", label="Spend")
    assert s == "The mailing added $2.31 of spend per customer contacted, between $1.10 and $3.50."
    s = plain.effect("The mailing", 0.4, -1.2, 2.0, binary=False, outcome="Spend", label="Spend")
    assert "no clear effect: between -$1.20 and +$2.00 of spend per customer contacted" in s
    assert plain.effect_short(2.314, False) == "+$2.31 per contact"
    assert plain.effect_short(0.0772, True) == "+7.7 per 100 contacted"
    assert plain.interval_short(-0.032, 0.058, True) == "-3.2 to +5.8"
    assert plain.effect("X", math.nan, math.nan, math.nan, binary=True, outcome="retained",
                        label="Retained").startswith("X cannot be measured")


@pytest.mark.parametrize(("p", "often"), [(0.0004, "less than once in 1,000"), (0.031, "about 3 times in 100"),
                                          (0.42, "about 42 times in 100"), (0.0042, "about 4 times in 1,000")])
def test_a_p_value_reads_as_how_often_chance_alone_would_do_it(p, often):
    s = plain.p_value(p)
    assert often in s and s.startswith("If the play did nothing")
    shown = "<0.001" if p < 0.001 else f"{p:.3f}"
    assert s.endswith(f"(p-value {shown}).")


def test_cuped_reads_as_extra_customers_and_theta_as_a_weight():
    v = 0.2
    s = plain.cuped(v, "Usage before contact (log)")
    assert s.endswith(f"as sure as a plain test with {round(100 * v / (1 - v))}% more customers.")
    assert "does not make the estimate surer" in plain.cuped(-0.01, "Revenue before contact")
    assert "does not make the estimate surer" in plain.cuped(np.nan, "Revenue before contact")
    t = plain.theta(0.8512, "Revenue before contact", "Revenue kept")
    assert t.startswith("Each unit more of revenue before contact goes with +0.8512 of revenue kept")
    assert plain.theta(0.007192, "Usage", "Retained").startswith("Each unit more of usage goes with +0.0072 of")


def test_a_qini_coefficient_reads_against_a_random_order():
    s = plain.qini(0.0123, binary=True, outcome="retained", label="Retained")
    assert s == ("Contacting the customers the uplift model ranks first gains 1.2 more customers kept per 100 "
                 "contacted than choosing at random.")
    assert "no better than choosing at random" in plain.qini(-0.004, binary=True, outcome="retained",
                                                             label="Retained")
    assert "no better than choosing at random" in plain.qini(0.0004, binary=True, outcome="retained",
                                                             label="Retained")  # shown as 0.0
    assert "$0.56 more spend per customer contacted" in plain.qini(0.555, binary=False, outcome="Spend",
                                                                   label="Spend")
    assert plain.features(["segment", "mrr_before", "pre_usage"]) == ("segment, MRR before contact, usage before "
                                                                     "contact (log)")
