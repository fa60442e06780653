"""core.cohorts.chart_text: each cohort chart's sentence and data table, checked against pandas on small frames."""

import pandas as pd
import pytest

from core.cohorts import chart_text, reading
from core.cohorts.table import cohort_table, period_across_cohorts


@pytest.fixture
def book() -> pd.DataFrame:
    """Six monthly cohorts, 2024-01..2024-06, of 3 to 8 customers; in each cohort one customer in three churns in
    its third month (period 2)."""
    rows = []
    for i in range(6):
        start = pd.Timestamp("2024-01-01") + pd.DateOffset(months=i)
        for j in range(3 + i):
            churn = start + pd.DateOffset(months=2, days=10) if j % 3 == 0 else None
            rows.append((f"c{i}_{j}", start + pd.Timedelta(days=j), churn))
    return pd.DataFrame(rows, columns=["customer_id", "signup_date", "churn_date"]).astype(
        {"churn_date": "datetime64[ns]"})


def _kept(book: pd.DataFrame, cohort: str, k: int) -> float:
    """Share of one cohort's customers not churned before period k starts (pandas only)."""
    part = book[book["signup_date"].dt.strftime("%Y-%m") == cohort]
    start = pd.Period(cohort, "M") + k
    kept = part["churn_date"].isna() | (part["churn_date"].dt.to_period("M") >= start)
    return kept.mean()


def _groups() -> pd.DataFrame:
    """Three groups' average curves: A to period 8, B to 6, C to 3."""
    rows = [("A", k, 1 - 0.03 * k, 40) for k in range(9)] + [("B", k, 1 - 0.05 * k, 30) for k in range(7)] \
        + [("C", k, 1 - 0.02 * k, 10) for k in range(4)]
    return pd.DataFrame(rows, columns=["group", "period", "value", "customers"])


def test_groups_sentence_reads_the_period_every_group_reaches():
    df = _groups()
    reach = df.groupby("group")["period"].max().min()  # C stops at 3: the last period all reach
    at = df[df["period"] == reach].set_index("group")["value"]
    assert reach == 3
    assert chart_text.groups_sentence(df, "plan") == (
        f"Largest average retention in month 3: {at.idxmax()}, {100 * at.max():.1f}% (of 3 plans). "
        f"Lowest: {at.idxmin()}, {100 * at.min():.1f}%.")
    two = df[df["group"] != "C"]  # both reach month 6, the period a sentence reads first
    at6 = two[two["period"] == 6].set_index("group")["value"]
    assert chart_text.groups_sentence(two, "channel") == (
        f"Largest average retention in month 6: A, {100 * at6['A']:.1f}% (of 2 acquisition channels). "
        f"Lowest: B, {100 * at6['B']:.1f}%.")


def test_groups_sentence_counts_and_nothing_to_show():
    df = _groups().assign(value=lambda d: d["customers"] - d["period"])
    at = df[df["period"] == 3].set_index("group")["value"]
    assert chart_text.groups_sentence(df, "region", "count") == (
        f"Largest average number of customers in month 3: A, {at['A']:.0f} customers (of 3 regions). "
        f"Lowest: C, {at['C']:.0f} customers.")
    first_only = _groups().query("period == 0")
    assert chart_text.groups_sentence(first_only, "segment") == \
        "Average retention by segment: nothing to show for the current choices."
    assert chart_text.groups_sentence(first_only.iloc[:0], "segment").endswith("nothing to show for the current "
                                                                                 "choices.")


def test_split_labels_keep_their_codes():
    assert [chart_text.group_label(c) for c in ("(none)", "segment", "plan", "region", "channel")] == \
        ["No breakdown", "Segment", "Plan", "Region", "Acquisition channel"]
    assert chart_text.group_label("(all customers)") == "All customers"
    assert chart_text.group_label("Segment") == "Segment"  # a label already: as given


def test_heatmap_data_holds_every_cell_and_the_average(book):
    t = cohort_table(book, as_of="2024-12-31")
    data = chart_text.heatmap_data(t)
    assert list(data.columns) == ["Cohort", "Customers in the cohort", "Months since cohort start", "Retained (%)"]
    cell = data[(data["Cohort"] == "2024-02") & (data["Months since cohort start"] == 3)].iloc[0]
    assert cell["Retained (%)"] == round(100 * _kept(book, "2024-02", 3), 1)
    assert cell["Customers in the cohort"] == (book["signup_date"].dt.strftime("%Y-%m") == "2024-02").sum()
    assert data["Cohort"].iloc[-1] == reading.average_name(t)
    assert data["Customers in the cohort"].iloc[-1] == len(book)
    # a cohort's cells end at the last complete month (as of 2024-12-31, December is complete: 2024-06 + 6)
    last = pd.Period("2024-12", "M") - pd.Period("2024-06", "M")
    assert data.loc[data["Cohort"] == "2024-06", "Months since cohort start"].max() == last.n == 6
    assert chart_text.heatmap_sentence(t) == reading.table_sentence(t)


def test_curves_data_holds_the_average_and_the_picked_cohorts(book):
    t = cohort_table(book, as_of="2024-12-31")
    data = chart_text.curves_data(t, ["2024-05", "2024-01"])
    names = reading.cohort_names(t)
    assert list(pd.unique(data["Line"])) == [reading.average_name(t), names["2024-01"], names["2024-05"]]
    assert names["2024-05"] == "2024-05 (7 customers)"
    may = data[data["Line"] == names["2024-05"]].set_index("Months since cohort start")["Retained (%)"]
    assert may.to_dict() == {k: round(100 * _kept(book, "2024-05", k), 1) for k in range(8)}  # to December
    assert chart_text.curves_sentence(t) == reading.curves_sentence(t)


def test_tracked_and_survival_data():
    t = cohort_table(pd.DataFrame({"customer_id": ["a", "b", "c"], "signup_date": pd.to_datetime(
        ["2024-01-05", "2024-01-20", "2024-02-03"]), "churn_date": pd.to_datetime([None, "2024-03-10", None])}),
        as_of="2024-06-30")
    across = period_across_cohorts(t, 3)
    data = chart_text.tracked_data(across)
    assert data.to_dict("list") == {"Cohort": ["2024-01", "2024-02"], "Retained in month 3 (%)": [50.0, 100.0]}
    curves = pd.DataFrame({"group": ["all", "all"], "time": [0.0, 1.23456], "survival": [1.0, 0.8765],
                           "lower": [1.0, 0.81234], "upper": [1.0, 0.9], "at_risk": [10.0, 8.0]})
    got = chart_text.survival_data(curves)
    assert got.iloc[1].to_dict() == {"Group": "all", "Months since signup": 1.23, "Still a customer (%)": 87.6,
                                     "Lower bound, 95% (%)": 81.2, "Upper bound, 95% (%)": 90.0,
                                     "Customers followed this long": 8}


def test_groups_data_headers_name_the_split_and_the_unit():
    data = chart_text.groups_data(_groups(), "channel", "net_revenue", "quarter")
    assert list(data.columns) == ["Acquisition channel", "Quarters since cohort start", "Average revenue kept (%)",
                                  "Customers in the group"]
    assert data["Average revenue kept (%)"].tolist() == (100 * _groups()["value"]).round(1).tolist()
