"""The append-mode plausibility checks on PostgreSQL: MRR already in the store for a customer and month is found
there too (the month of a stored period is read as text on both stores)."""

import pytest

import core
from tests.core.ingest.test_plausibility import cells, fixed_import_day, rows_with  # noqa: F401 - autouse fixture


@pytest.fixture(scope="module")
def engine(pg_server):
    eng = core.make_engine(pg_server.new_database())
    data = b"customer_id,signup_date\n" + b"".join(f"{c},2023-01-01\n".encode() for c in "ABC")
    core.commit_import(eng, core.prepare_import(eng, data, "customers.csv", "customers"))
    yield eng
    eng.dispose()


def test_mrr_already_in_a_postgresql_store_is_an_error_in_append_mode(engine):
    first = core.commit_import(engine, core.prepare_import(
        engine, b"customer_id,period,mrr\nA,2024-03-01,10\nA,2024-04-01,10\nB,2024-04-01,20\n", "a.csv", "revenue"))
    data = b"customer_id,period,mrr\nA,2024-04-20,10\nC,2024-04-01,5\nB,2024-05-01,20\nB,2024-04-01,20\n"
    plan = core.prepare_import(engine, data, "b.csv", "revenue")
    found = rows_with(plan, "MRR for this customer and month already imported")
    assert cells(found) == [(2, "period", "error"), (5, "period", "error")]
    assert set(found["problem"]) == {f"MRR for this customer and month already imported in import #{first.import_id}"}
