"""core.cohorts.reading: the names and sentences that read a cohort table, checked against pandas on a small book."""

import pandas as pd
import pytest

from core.cohorts import reading
from core.cohorts.table import cohort_table


@pytest.fixture
def book() -> pd.DataFrame:
    """Eight monthly cohorts, 2024-01..2024-08, of 2 to 9 customers; in each cohort one customer in three churns
    in its third month."""
    rows = []
    for i in range(8):
        start = pd.Timestamp("2024-01-01") + pd.DateOffset(months=i)
        for j in range(2 + i):
            churn = start + pd.DateOffset(months=2, days=10) if j % 3 == 0 else None
            rows.append((f"c{i}_{j}", start + pd.Timedelta(days=j), churn))
    return pd.DataFrame(rows, columns=["customer_id", "signup_date", "churn_date"]).astype(
        {"churn_date": "datetime64[ns]"})


def independent_pooled(book: pd.DataFrame, as_of: str, k: int) -> float:
    """Share of the customers of the cohorts that completed month k still not churned when month k starts."""
    cohort = book["signup_date"].dt.to_period("M")
    last = pd.Timestamp(as_of).to_period("M") - (0 if pd.Timestamp(as_of).is_month_end else 1)
    reached = cohort + k <= last
    churn = book["churn_date"].dt.to_period("M")
    kept = book["churn_date"].isna() | (churn >= cohort + k)
    return (kept & reached).sum() / reached.sum()


def test_names_and_default_pick(book):
    t = cohort_table(book, as_of="2024-12-31")
    assert reading.average_name(t) == "Average, weighted by cohort size"
    assert reading.average_name(cohort_table(book, as_of="2024-12-31", weighting="simple")) == \
        "Simple mean of cohorts"
    assert reading.cohort_names(t)["2024-03"] == "2024-03 (4 customers)"
    # the four most recent that lived through month 6 (min size 1: all big enough)
    assert reading.default_shown(t) == ["2024-03", "2024-04", "2024-05", "2024-06"]
    assert reading.default_shown(cohort_table(book, as_of="2025-06-30")) == ["2024-05", "2024-06", "2024-07",
                                                                               "2024-08"]
    small = cohort_table(book, as_of="2024-12-31", min_size=8)  # only 2024-07 and -08 are big: month 6 not lived
    assert reading.default_shown(small) == ["2024-07", "2024-08"]
    bigger = cohort_table(book, as_of="2024-12-31", min_size=6)  # 2024-05.. are big; 2024-05 and -06 lived month 6
    assert reading.default_shown(bigger) == ["2024-05", "2024-06"]
    few = cohort_table(book[book["signup_date"] < "2024-04-01"], as_of="2024-12-31")
    assert reading.default_shown(few) == ["2024-01", "2024-02", "2024-03"]


def test_the_curves_sentence_states_the_pooled_share(book):
    t = cohort_table(book, as_of="2024-12-31")
    assert reading.focus_period(t) == 6  # 2024-01..2024-06 completed month 6 by December
    share = independent_pooled(book, "2024-12-31", 6)
    assert reading.curves_sentence(t) == (f"On average {100 * share:.0f}% of a cohort is retained in month 6, "
                                          "weighted by cohort size (6 cohorts reached it).")
    early = cohort_table(book, as_of="2024-04-30")  # month 6 not reached: the last month the average reaches
    assert reading.focus_period(early) == 3
    assert f"{100 * independent_pooled(book, '2024-04-30', 3):.0f}% of a cohort" in reading.curves_sentence(early)
    assert reading.curves_sentence(cohort_table(book, as_of="2024-01-31")).startswith("No cohort has lived past")
