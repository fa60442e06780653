"""The Cohort curves page's voluntary and involuntary churn (AppTest, pages/cohort_curves.py) on the small demo store
(1,000 customers, seed 0): each cause's cumulative incidence at 12 and 24 months, for all customers and by segment,
equals an Aalen-Johansen sum over the customers read from the store with sqlite3 (tests/core/cohorts/
test_competing.py's hand loop), the churned counted in SQL; the sentence says the same figures; the chart's data and
the table download."""

import sqlite3

import pandas as pd
import pytest

from core.cohorts.survival import MONTH_DAYS
from tests.core.cli.test_service import _end
from tests.core.cohorts.test_competing import _hand
from tests.pages.conftest import open_page, rerun


@pytest.fixture(scope="module")
def store(small_demo_store):
    return f"sqlite:///{small_demo_store}"


def _customers(store: str) -> pd.DataFrame:
    con = sqlite3.connect(store.removeprefix("sqlite:///"))
    try:
        return pd.read_sql("SELECT customer_id, segment, signup_date, churn_date, churn_type FROM customer", con,
                           parse_dates=["signup_date", "churn_date"])
    finally:
        con.close()


def _expected(c: pd.DataFrame, as_of: pd.Timestamp, month: int) -> dict:
    """cause -> (churned of that cause, its cumulative incidence at the last event time up to ``month``)."""
    c = c[c["signup_date"] <= as_of]
    churned = c["churn_date"].notna() & (c["churn_date"] <= as_of)
    t = ((c["churn_date"].where(churned, as_of) - c["signup_date"]).dt.days / MONTH_DAYS).reset_index(drop=True)
    cause = c["churn_type"].where(churned.to_numpy(), None).reset_index(drop=True)
    out = {}
    for name in ("voluntary", "involuntary"):
        curve = _hand(t, cause, name)
        out[name] = (int((cause == name).sum()), float(curve[curve.index <= month].iloc[-1]))
    return out


def _table(at) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "cause" in d.value.columns)


def test_each_cause_equals_an_aalen_johansen_sum_over_the_store(store, monkeypatch):
    at = open_page(monkeypatch, store, "cohort_curves")
    c, as_of = _customers(store), pd.Timestamp(_end(store))
    assert "Voluntary and involuntary churn" in [s.value for s in at.subheader]
    table = _table(at).set_index("cause")
    assert table["group"].eq("All customers").all() and table["customers"].eq(len(c)).all()
    sentence = next(cap.value for cap in at.caption if cap.value.startswith("By 24 months after signup"))
    for name, (n, at24) in _expected(c, as_of, 24).items():
        assert table.loc[name, "churned"] == n
        shown = table.loc[name, "at 24 months"]
        assert shown.startswith(f"{100 * at24:.1f}% [") and f"{100 * at24:.1f}% \\[" in sentence, (name, shown)
        low, high = (float(x.rstrip("%]")) for x in shown.split("[", 1)[1].split(", "))
        assert low < 100 * at24 < high
    for name, (_, at12) in _expected(c, as_of, 12).items():
        assert table.loc[name, "at 12 months"].startswith(f"{100 * at12:.1f}% [")
    # by segment: one row per segment and cause, each its own sum
    at.selectbox(key="cohorts_km_group").set_value("segment").run()
    at = rerun(at)
    by = _table(at).set_index(["group", "cause"])
    for seg in ("SMB", "Mid-Market", "Enterprise"):
        for name, (n, at24) in _expected(c[c["segment"] == seg], as_of, 24).items():
            assert by.loc[(seg, name), "churned"] == n
            assert by.loc[(seg, name), "at 24 months"].startswith(f"{100 * at24:.1f}% ["), (seg, name)
    assert any(cap.value.startswith("Cancelled by 24 months after signup: highest for SMB") for cap in at.caption)
