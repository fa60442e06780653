"""The store's two table loaders give the same frame: dates as datetime64 with NaT for a missing one, numbers as
float with NaN (SQLite hands back ISO text and None, which callers used to compare with dates)."""

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select
from sqlmodel import Session

from core.store.read import _typed, load_columns, load_selected, load_table
from core.store.tables import Customer, Revenue, Ticket

T = pd.Timestamp


@pytest.fixture
def store(engine):
    """Two customers (one churned), two revenue rows (one without MRR) and a ticket open at a time of day."""
    with Session(engine) as s:
        s.add_all([
            Customer(customer_id="A", signup_date=dt.date(2024, 1, 5), churn_date=None, import_id=1),
            Customer(customer_id="B", signup_date=dt.date(2024, 2, 29), churn_date=dt.date(2024, 6, 1),
                     renewal_date=None, import_id=1),
            Revenue(customer_id="A", period=dt.date(2024, 5, 1), mrr=100.0, import_id=1),
            Revenue(customer_id="B", period=dt.date(2024, 5, 17), mrr=None, amount=None, import_id=1),
            Ticket(customer_id="A", opened=dt.datetime(2024, 3, 2, 14, 30), resolved=None, import_id=1),
        ])
        s.commit()
    return engine


COLUMNS = {
    "customer": ["customer_id", "signup_date", "churn_date", "renewal_date"],
    "revenue": ["customer_id", "period", "mrr", "amount"],
    "ticket": ["customer_id", "opened", "first_response", "resolved"],
}


@pytest.mark.parametrize("name", list(COLUMNS))
def test_both_loaders_give_the_same_typed_frame(store, name):
    cols = COLUMNS[name]
    part = load_columns(store, name, cols)
    whole = load_table(store, name)[cols]
    pd.testing.assert_frame_equal(part, whole)
    for c in cols[1:]:
        assert str(part[c].dtype) in ("datetime64[ns]", "float64"), (name, c, part[c].dtype)


def test_dates_are_timestamps_and_missing_ones_nat(store):
    cust = load_columns(store, "customer", ["customer_id", "signup_date", "churn_date"]).set_index("customer_id")
    assert cust.loc["B", "signup_date"] == T("2024-02-29") and cust.loc["B", "churn_date"] == T("2024-06-01")
    assert cust.loc["A", "churn_date"] is pd.NaT
    # a comparison with a date works (ISO text and None would raise)
    assert (cust["churn_date"] > T("2024-05-31")).tolist() == [False, True]
    opened = load_columns(store, "ticket", ["opened", "resolved"])
    assert opened.loc[0, "opened"] == T("2024-03-02 14:30") and opened.loc[0, "resolved"] is pd.NaT
    rev = load_columns(store, "revenue", ["period", "mrr", "amount"])
    assert rev["period"].tolist() == [T("2024-05-01"), T("2024-05-17")]
    assert rev["amount"].isna().all() and rev["amount"].dtype == float


def test_an_empty_table_has_typed_columns_too(engine):
    for load in (lambda: load_columns(engine, "customer", ["customer_id", "signup_date", "churn_date"]),
                 lambda: load_table(engine, "customer")):
        empty = load()
        assert empty.empty and str(empty["signup_date"].dtype) == "datetime64[ns]"
        assert str(empty["churn_date"].dtype) == "datetime64[ns]"


def test_date_objects_from_other_databases_become_datetime64():
    """Databases other than SQLite return ``datetime.date`` objects; text of another shape is parsed too."""
    frame = pd.DataFrame({"customer_id": ["A", "B"], "signup_date": [dt.date(2024, 1, 5), None],
                          "churn_date": ["05/06/2024", None]})
    out = _typed(frame, "customer")
    assert out["signup_date"].tolist()[0] == T("2024-01-05") and out["signup_date"].isna().tolist() == [False, True]
    assert out["churn_date"].tolist()[0] == T("2024-05-06") and str(out["churn_date"].dtype) == "datetime64[ns]"


def _selected_rows(engine):
    """The revenue rows without MRR, and a filter by a bound value, read by :func:`load_selected`."""
    no_mrr = load_selected(engine, "revenue", select(Revenue.customer_id, Revenue.period, Revenue.amount)
                           .where(Revenue.mrr.is_(None)))
    opened = load_selected(engine, "ticket", select(Ticket.customer_id, Ticket.opened, Ticket.resolved)
                           .where(Ticket.customer_id == "A"))
    return no_mrr, opened


def test_selected_rows_are_typed_like_the_whole_table(store):
    no_mrr, opened = _selected_rows(store)
    whole = load_table(store, "revenue")
    expected = whole.loc[whole["mrr"].isna(), ["customer_id", "period", "amount"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(no_mrr, expected)
    assert opened["opened"].tolist() == [T("2024-03-02 14:30")] and opened["resolved"].isna().all()
    assert str(opened["resolved"].dtype) == "datetime64[ns]"


def test_selected_rows_on_postgresql_equal_sqlite(store, pg_server):
    """PostgreSQL goes through SQLAlchemy (date objects), SQLite through its raw cursor (ISO text): one frame."""
    from core.store.engine import make_engine

    pg = make_engine(pg_server.new_database())
    with Session(pg) as s:
        with Session(store) as src:
            for table in (Customer, Revenue, Ticket):
                s.add_all([table(**row.model_dump()) for row in src.exec(select(table)).scalars()])
        s.commit()
    for got, want in zip(_selected_rows(pg), _selected_rows(store), strict=True):
        pd.testing.assert_frame_equal(got, want)
    pg.dispose()
