"""ui.cohorts.cell: a cohort cell's customers as a readable table."""

import datetime as dt

import pandas as pd

from ui.cohorts.cell import CELL_TITLES, readable_cell


def _people() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": ["b", "a"], "name": [None, None], "segment": ["SMB", None],
        "signup_date": [dt.date(2024, 1, 5), None], "churn_date": [None, pd.NaT],
        "first_activity": pd.to_datetime(["2024-01-05", "2024-01-20"]), "attributes": [{"x": 1}, None],
        "import_id": [3, 3], "retained": [True, False]})


def test_empty_columns_and_store_internals_are_left_out_and_the_order_kept():
    out = readable_cell(_people())
    assert list(out.columns) == ["customer_id", "signup_date", "first_activity", "segment", "retained"]
    assert set(out.columns) - {"retained"} <= set(CELL_TITLES)


def test_days_read_as_days_and_empty_cells_are_blank():
    out = readable_cell(_people())
    assert out["signup_date"].tolist() == ["2024-01-05", ""]
    assert out["first_activity"].tolist() == ["2024-01-05", "2024-01-20"]
    assert out["segment"].tolist() == ["SMB", ""]
    assert out["retained"].tolist() == [True, False] and out["retained"].dtype == bool


def test_the_id_stays_even_when_it_is_the_only_column():
    out = readable_cell(pd.DataFrame({"customer_id": ["1"], "name": [None], "retained": [False]}))
    assert list(out.columns) == ["customer_id", "retained"]


def test_a_signup_day_that_is_the_first_activity_for_everyone_is_said_once():
    df = pd.DataFrame({"customer_id": ["a", "b"], "signup_date": [dt.date(2024, 1, 5), dt.date(2024, 2, 1)],
                       "first_activity": pd.to_datetime(["2024-01-05", "2024-02-01"]), "retained": [True, True]})
    assert list(readable_cell(df).columns) == ["customer_id", "first_activity", "retained"]
    df.loc[1, "signup_date"] = dt.date(2024, 1, 30)
    assert list(readable_cell(df).columns) == ["customer_id", "signup_date", "first_activity", "retained"]
