"""Period numbers as expressions (core.query.periods) equal core.cohorts.periods.period_number, on days before and
after 1970 and on every period length, run by DuckDB."""

from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd
import pytest

from core.cohorts.periods import PERIODS, period_number
from core.query import periods

EPOCH = np.datetime64("1970-01-01", "D")


@pytest.fixture(scope="module")
def days() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    d = np.concatenate([rng.integers(-40_000, 40_000, 2_000), np.arange(-10, 10)]).astype(np.int32)
    dates = EPOCH + d.astype("timedelta64[D]")
    return pd.DataFrame({"day": d, "date": [dt.date.fromisoformat(str(x)) for x in dates]})


@pytest.mark.parametrize("period", PERIODS)
def test_every_period_number_equals_the_rows_rule(days, period):
    t = ibis.memtable(days)
    got = ibis.duckdb.connect().execute(t.select(p=periods.of_date(t.date, period), day=periods.day_of(t.date)))
    want = period_number(pd.Series(pd.to_datetime(days["date"])), period)
    assert (got["p"].to_numpy() == want).all()
    assert (got["day"].to_numpy() == days["day"].to_numpy()).all()
    assert want.min() < 0 < want.max()  # both sides of 1970 were asked


def test_a_missing_date_has_no_period():
    t = ibis.memtable(pd.DataFrame({"date": [dt.date(2024, 5, 1), None]}), schema={"date": "date"})
    got = ibis.duckdb.connect().execute(t.select(p=periods.of_date(t.date, "month")))["p"]
    assert got.iloc[0] == (2024 - 1970) * 12 + 4 and pd.isna(got.iloc[1])


def test_an_unknown_period_is_refused():
    with pytest.raises(ValueError, match="Unknown period 'year'"):
        periods.of_date(ibis.date(2024, 1, 1), "year")
