"""core.store.dates.datetimes gives what pandas.to_datetime gives, for every kind of input the code hands it, and
never the caller's own object (a change to the result leaves the input as it was)."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core.store.dates import datetimes

DAYS = pd.Series(pd.date_range("2024-01-01", periods=500, freq="D"), name="signup_date")


@pytest.mark.parametrize("values", [
    DAYS, DAYS.astype("datetime64[s]"), DAYS.where(DAYS.dt.day != 3), pd.DatetimeIndex(DAYS),
    DAYS.dt.date.astype(object), DAYS.dt.strftime("%Y-%m-%d"), ["2024-01-01", None], "2024-02-29",
    dt.date(2024, 2, 29)], ids=["ns", "seconds", "with NaT", "index", "date objects", "text", "list", "scalar text",
                                 "date"])
def test_equals_pandas_to_datetime(values):
    got, want = datetimes(values), pd.to_datetime(values)
    if isinstance(want, pd.Series):
        pd.testing.assert_series_equal(got, want)
    elif isinstance(want, pd.Index):
        pd.testing.assert_index_equal(got, want)
    else:
        assert got == want


def test_options_reach_pandas():
    mixed = pd.Series(["2024-01-02", "2024-01-02 10:30", "not a day"])
    pd.testing.assert_series_equal(datetimes(mixed, format="mixed", errors="coerce"),
                                   pd.to_datetime(mixed, format="mixed", errors="coerce"))
    utc = datetimes(DAYS, utc=True)  # already datetimes, but asked for UTC: converted
    assert str(utc.dtype) == "datetime64[ns, UTC]"
    pd.testing.assert_series_equal(utc, pd.to_datetime(DAYS, utc=True))


def test_the_result_is_a_copy():
    values = DAYS.copy()
    got = datetimes(values)
    got.iloc[0] = pd.NaT
    got.iloc[1] += pd.Timedelta(days=1)
    pd.testing.assert_series_equal(values, DAYS)
    assert not np.shares_memory(datetimes(values).to_numpy(), values.to_numpy())
