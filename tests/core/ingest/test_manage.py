"""Undo an import, and the per-kind templates."""

import pytest

import core
from tests.conftest import ROOT  # noqa: F401  (keeps the package import style of the suite)


def _imp(eng, data, kind, **kw):
    return core.commit_import(eng, core.prepare_import(eng, data, f"{kind}.csv", kind, **kw)).import_id


def test_undo_removes_exactly_that_imports_rows(engine):
    c = _imp(engine, b"customer_id\nA\nB\n", "customers")
    r1 = _imp(engine, b"customer_id,period,mrr\nA,2024-01-01,10\nB,2024-01-01,20\n", "revenue")
    r2 = _imp(engine, b"customer_id,period,mrr\nA,2024-02-01,11\n", "revenue")
    removed = core.undo_import(engine, r1)
    assert removed["revenue"] == 2 and removed["customer"] == 0
    counts = core.table_counts(engine)
    assert counts["revenue"] == 1 and counts["customer"] == 2 and counts["importlog"] == 2
    assert core.load_table(engine, "revenue")["import_id"].tolist() == [r2]
    # the same file can now be imported again (its log entry is gone)
    _imp(engine, b"customer_id,period,mrr\nA,2024-01-01,10\nB,2024-01-01,20\n", "revenue")
    assert c in core.import_history(engine)["id"].tolist()


def test_undo_refuses_to_orphan_child_rows_and_changes_nothing(engine):
    t = _imp(engine, b"customer_id,date,amount\nA,2024-01-01,5\n", "transactions")
    _imp(engine, b"customer_id,period,mrr\nA,2024-01-01,10\n", "revenue")
    before = core.table_counts(engine)
    with pytest.raises(core.DataValidationError, match=r"later imports still use: #2 \(1 rows\)"):
        core.undo_import(engine, t)
    assert core.table_counts(engine) == before
    with pytest.raises(core.DataValidationError, match="no import #99"):
        core.undo_import(engine, 99)


@pytest.mark.parametrize("kind", sorted(core.KINDS))
def test_templates_import_cleanly_with_their_own_names(engine, kind):
    data = core.template(kind).to_csv(index=False).encode()
    if kind != "customers":
        _imp(engine, b"customer_id\nC-1001\nC-1002\n", "customers")
    plan = core.prepare_import(engine, data, "t.csv", kind)
    assert plan.n_errors == 0, plan.report
    assert set(plan.mapping) == set(core.template(kind).columns)
    xlsx = core.template_xlsx(kind)
    plan = core.prepare_import(engine, xlsx, "t.xlsx", kind, mode="replace")
    assert plan.raw.sheets == [kind, "Fields"] and plan.n_errors == 0


@pytest.mark.parametrize("kind", sorted(core.KINDS))
def test_a_file_whose_every_row_is_rejected_reports_instead_of_crashing(engine, kind):
    """Every row names an unknown customer (customers: lacks its id): a report, no exception, nothing loaded."""
    data = core.template(kind).assign(customer_id="" if kind == "customers" else "NOBODY")
    data = data.to_csv(index=False).encode()
    plan = core.prepare_import(engine, data, "all-bad.csv", kind, create_customers=False)
    assert plan.rows_valid == 0 and plan.n_errors >= 2
    with pytest.raises(core.DataValidationError, match="No valid rows"):
        core.commit_import(engine, plan, strict=False)
