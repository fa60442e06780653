"""The target that pays (core.service.target) on the 5,000-customer demo's judged tickets: counts, attainment, the
customers and MRR that missed, the adjusted gap (numpy least squares and a hand-written clustered sandwich,
tests/core/service/test_rates.py's) and the money per point of attainment, each recomputed here by hand; bad targets
refused before anything is read."""

import dataclasses

import numpy as np
import pytest

from core.errors import DataValidationError
from core.service.inputs import from_frames
from core.service.outcomes import judge
from core.service.target import Target, check, evaluate
from tests.core.service.test_rates import Z, combination, design, sandwich

FACTORS = ("segment", "plan", "tenure")


@pytest.fixture(scope="module")
def judged(demo):
    return judge(from_frames(demo.tickets, demo.customers, demo.revenue), 90)


@pytest.mark.parametrize(("measure", "column", "hours"), [("resolution", "resolve_hours", 24),
                                                          ("first_response", "first_response_hours", 4)])
def test_a_target_counts_prices_and_says_whether_it_pays(judged, measure, column, hours):
    f = judged.frame.copy()
    f["band"] = np.where(f[column] < hours, "met", "missed")  # a ticket without the measure missed (NaN < h: False)
    r = evaluate(judged, Target(measure, hours), cost_per_point=1000.0)
    assert (r.tickets, r.met) == (len(f), int((f["band"] == "met").sum()))
    assert r.attainment == pytest.approx((f["band"] == "met").mean(), abs=1e-15)
    missed = f[f["band"] == "missed"]
    latest = missed.loc[missed.groupby("customer_id")["opened"].idxmax()]
    assert (r.customers_missed, r.mrr_missed) == (missed["customer_id"].nunique(), pytest.approx(latest["mrr"].sum()))
    X = design(f, FACTORS, bands=["met", "missed"])
    beta, V = sandwich(X, f["churned"].to_numpy(float), f["customer_id"])
    a = combination(X, 2, 1) - combination(X, 2, 0)
    gap, se = a @ beta, np.sqrt(a @ V @ a)
    assert (r.gap, r.gap_low, r.gap_high) == pytest.approx((gap, gap - Z * se, gap + Z * se), abs=1e-12)
    years = (f["opened"].max() - f["opened"].min()).days / 365.25
    per_point = 0.01 * len(f) / years * gap * missed["mrr"].mean()
    assert r.mrr_per_point == pytest.approx(per_point, rel=1e-12)
    assert r.revenue_per_point == pytest.approx(12 * per_point, rel=1e-12)
    assert r.mrr_per_point_low == pytest.approx(0.01 * len(f) / years * (gap - Z * se) * missed["mrr"].mean())
    assert r.pays() == bool(12 * per_point > 1000.0)
    assert evaluate(judged, Target(measure, hours), cost_per_point=12 * per_point + 1).pays() is False
    assert evaluate(judged, Target(measure, hours)).pays() is None


def test_the_label_says_the_target_in_words():
    assert Target("resolution", 24).label() == "resolve within 24 h"
    assert Target("first_response", 0.5).label() == "first response within 0.5 h"


@pytest.mark.parametrize(("target", "cost", "message"), [
    (Target("resolve", 24), None, "Unknown target measure 'resolve': use one of resolution, first_response."),
    (Target("resolution", 0), None, "A target needs hours above 0 (got 0)."),
    (Target("resolution", 24), -1.0, "The cost of a point cannot be negative (got -1)."),
])
def test_a_bad_target_is_refused_in_plain_words(target, cost, message):
    with pytest.raises(DataValidationError) as exc:
        check(target, cost)
    assert str(exc.value) == message


def test_a_target_every_ticket_met_has_no_gap(judged):
    every = dataclasses.replace(judged, frame=judged.frame.assign(resolve_hours=1.0))
    r = evaluate(every, Target("resolution", 24))
    assert r.met == r.tickets == len(judged.frame) and r.attainment == 1.0
    assert np.isnan(r.gap) and np.isnan(r.mrr_per_point) and r.customers_missed == 0
