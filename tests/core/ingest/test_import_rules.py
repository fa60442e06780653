"""Import rules the other ingest tests leave open: a revenue file needs an amount column, a purchase without a
quantity counts once, and the problem report lists problems by row, errors before warnings."""

import pytest

import core


@pytest.fixture
def store(engine):
    cust = b"customer_id,signup_date\nA,2024-01-10\nB,2024-02-01\n"
    core.commit_import(engine, core.prepare_import(engine, cust, "c.csv", "customers"))
    return engine


def test_a_revenue_file_without_an_amount_column_is_refused_with_the_fix(store):
    with pytest.raises(core.DataValidationError, match=r"'mrr' \(recurring amount\) or 'amount'.*--map COLUMN=mrr"):
        core.prepare_import(store, b"customer_id,period\nA,2024-03-01\n", "r.csv", "revenue")


def test_a_purchase_without_a_quantity_counts_once(engine):
    data = (b"customer_id,date,amount,quantity\nA,2024-03-01,10.5,3\nA,2024-03-09,4,\n"
            b"B,2024-03-02,7,2\n")
    plan = core.prepare_import(engine, data, "t.csv", "transactions")
    assert plan.tables["activity"]["value"].tolist() == [3.0, 1.0, 2.0]  # the blank quantity counts once
    no_column = core.prepare_import(engine, b"customer_id,date,amount\nA,2024-03-01,10.5\n", "u.csv",
                                    "transactions")
    assert no_column.tables["activity"]["value"].tolist() == [1.0]


def test_the_report_lists_problems_by_row_then_errors_before_warnings(store):
    data = (b"ticket_id,customer_id,opened,resolved,satisfaction\n"
            b"T1,A,2024-03-02 10:00,2024-03-01 09:00,4\n"  # row 2: resolved before opened (a warning)
            b"T2,A,2024-03-02 10:00,2024-03-03 09:00,9\n"  # row 3: satisfaction out of range (an error)
            b"T3,B,2024-03-05 10:00,2024-03-04 09:00,0\n")  # row 4: both
    report = core.prepare_import(store, data, "t.csv", "tickets").report
    assert list(zip(report["row"], report["severity"])) == [(2, "warning"), (3, "error"), (4, "error"),
                                                             (4, "warning")]
