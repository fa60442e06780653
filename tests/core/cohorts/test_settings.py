"""The cohort table's settings (core.cohorts.settings): checked when made, frozen, and what each one needs."""

import dataclasses

import pytest

from core.cohorts.settings import CohortSettings
from core.errors import DataValidationError


@pytest.mark.parametrize("option, value", [("cohort_by", "plan"), ("period", "fortnight"), ("measure", "arr"),
                                           ("definition", "before"), ("retained_by", "login"), ("base", "first"),
                                           ("weighting", "median")])
def test_every_option_is_checked_when_the_settings_are_made(option, value):
    with pytest.raises(DataValidationError, match=f"Unknown {option} '{value}'. Choose one of: "):
        CohortSettings(**{option: value})
    with pytest.raises(DataValidationError, match=f"Unknown {option}"):
        CohortSettings.of(CohortSettings(), **{option: value})


def test_defaults_options_replace_fields_and_settings_cannot_change():
    assert CohortSettings() == CohortSettings(cohort_by="signup", period="month", measure="logo", definition="on",
                                              retained_by="subscription", base="period0", as_of=None, min_size=20,
                                              weighting="weighted", max_periods=None)
    week = CohortSettings(period="week", min_size=3)
    assert CohortSettings.of(week, measure="count") == CohortSettings(period="week", min_size=3, measure="count")
    assert CohortSettings.of(None, period="day") == CohortSettings(period="day")
    assert CohortSettings.of(week) == week
    with pytest.raises(TypeError):
        CohortSettings.of(week, colour="red")
    with pytest.raises(dataclasses.FrozenInstanceError):
        week.period = "day"
    assert hash(week) == hash(CohortSettings(period="week", min_size=3))


def test_what_the_settings_need():
    assert not CohortSettings().needs_activity and not CohortSettings(definition="on_or_after").needs_activity
    assert CohortSettings(cohort_by="first_activity").needs_activity
    assert CohortSettings(retained_by="activity").needs_activity
    assert [CohortSettings(measure=m).needs_revenue for m in ("logo", "count", "net_revenue", "gross_revenue")] == [
        False, False, True, True]
