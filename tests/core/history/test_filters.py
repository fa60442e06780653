"""The sidebar's default date range and bounds (core.history.filters.date_range), worked out by hand."""

import datetime as dt

from core.history.filters import date_range

D = dt.date
TODAY = D(2026, 12, 3)


def test_recent_data_ends_today_and_covers_three_years():
    (start, end), (earliest, latest) = date_range(D(2020, 5, 1), D(2026, 10, 31), D(2026, 10, 31), TODAY)
    assert (start, end) == (D(2023, 12, 3), TODAY)
    assert (earliest, latest) == (D(2020, 5, 1), TODAY)


def test_a_log_that_ended_long_ago_opens_on_its_own_days():
    default, bounds = date_range(D(1997, 1, 1), D(1998, 6, 30), D(1998, 6, 30), TODAY)
    assert default == (D(1997, 1, 1), D(1998, 6, 30))  # three years back would start before the data
    assert bounds == (D(1997, 1, 1), TODAY)


def test_a_year_and_a_day_ago_is_history_but_a_year_ago_is_not():
    assert date_range(D(2020, 1, 1), D(2025, 12, 2), D(2025, 12, 2), TODAY)[0][1] == D(2025, 12, 2)
    assert date_range(D(2020, 1, 1), D(2025, 12, 3), D(2025, 12, 3), TODAY)[0][1] == TODAY


def test_signups_alone_never_end_the_data():
    (start, end), (earliest, _) = date_range(D(2024, 1, 15), None, D(2024, 1, 15), TODAY)
    assert end == TODAY and start == D(2024, 1, 15) and earliest == D(2024, 1, 15)


def test_data_dated_after_today_can_be_reached():
    (_, end), (_, latest) = date_range(D(2024, 1, 1), D(2027, 3, 31), D(2027, 3, 31), TODAY)
    assert end == TODAY and latest == D(2027, 3, 31)


def test_a_store_without_dates_keeps_ten_years_of_reach():
    default, bounds = date_range(None, None, None, TODAY)
    assert default == (D(2023, 12, 3), TODAY)
    assert bounds == (D(2016, 12, 3), TODAY)


def test_the_29th_of_february_goes_back_to_the_28th():
    assert date_range(None, None, None, D(2028, 2, 29))[0][0] == D(2025, 2, 28)
