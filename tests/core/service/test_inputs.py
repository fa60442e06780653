"""What a store gives the service tables (core.service.inputs.load_service): tickets without customers or opening
times are refused naming what is missing, before anything else is read; a store's tickets and churn dates are read
as every page reads them."""

import pandas as pd
import pytest

import core
from core.errors import InsufficientDataError, NoDataYetError
from core.history.inputs import load_inputs
from core.service.inputs import NO_CUSTOMERS, load_service
from core.service.outcomes import judge

TICKETS = b"""ticket_id,customer_id,opened,first_response,resolved,priority
T1,c1,2024-01-02 09:00,2024-01-02 10:30,2024-01-03 09:00,high
T2,c2,2024-02-02 09:00,,,low
"""
CUSTOMERS = b"""customer_id,signup_date,churn_date,segment
c1,2023-01-01,2024-03-01,smb
c2,2023-06-01,,ent
"""


def _store(tmp_path, *files, **options):
    engine = core.make_engine(f"sqlite:///{tmp_path / 's.db'}")
    for data, name, kind in files:
        core.commit_import(engine, core.prepare_import(engine, data, name, kind, **options))
    return engine


def test_an_empty_store_has_no_tickets_yet(tmp_path):
    with pytest.raises(NoDataYetError, match="No tickets yet"):
        load_service(_store(tmp_path))


def test_tickets_whose_customers_were_created_without_dates_cannot_tell_churn(tmp_path):
    engine = _store(tmp_path, (TICKETS, "tickets.csv", "tickets"), create_customers=True)
    with pytest.raises(InsufficientDataError, match="No customer in the store has a churn date"):
        judge(load_service(engine), 90)


def test_tickets_without_any_customer_say_to_import_the_customers(tmp_path):
    no_customer = b"ticket_id,opened,priority\nT1,2024-01-02 09:00,high\n"
    engine = _store(tmp_path, (no_customer, "tickets.csv", "tickets"))
    with pytest.raises(InsufficientDataError, match=r"^None of the 1 tickets names a customer, so churn"):
        load_service(engine)


def test_tickets_without_opening_times_say_which_is_missing(tmp_path):
    no_opened = b"ticket_id,customer_id,priority\nT1,c1,high\nT2,c2,low\n"
    engine = _store(tmp_path, (CUSTOMERS, "customers.csv", "customers"), (no_opened, "tickets.csv", "tickets"))
    with pytest.raises(InsufficientDataError, match=r"^None of the 2 tickets has an opening time, so churn"):
        load_service(engine)


def test_the_store_gives_tickets_customers_and_the_data_end(tmp_path):
    engine = _store(tmp_path, (CUSTOMERS, "customers.csv", "customers"), (TICKETS, "tickets.csv", "tickets"))
    inp = load_service(engine)
    assert inp.tickets["ticket_id"].tolist() == ["T1", "T2"]
    assert str(inp.tickets["first_response"].iloc[0]) == "2024-01-02 10:30:00"
    assert inp.customers.set_index("customer_id")["churn_date"].astype(str).to_dict() == {"c1": "2024-03-01",
                                                                                          "c2": "NaT"}
    assert inp.end == load_inputs(engine).end() == pd.Timestamp("2024-03-01")


def test_tickets_of_customers_the_store_lacks_say_to_import_the_customers(tmp_path):
    engine = _store(tmp_path)
    with engine.begin() as con:  # written past the importer (which refuses a ticket of an unknown customer)
        con.exec_driver_sql("INSERT INTO ticket (ticket_id, customer_id, opened) VALUES ('T1', 'c9', "
                            "'2024-01-02 09:00:00.000000')")
    with pytest.raises(InsufficientDataError) as exc:
        load_service(engine)
    assert str(exc.value) == NO_CUSTOMERS
