"""Undo an import (its preview, the history keeping it marked undone), and the per-kind templates."""

import pandas as pd
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
    assert counts["revenue"] == 1 and counts["customer"] == 2 and counts["importlog"] == 3  # the entry stays
    assert core.load_table(engine, "revenue")["import_id"].tolist() == [r2]
    # the same file can now be imported again (its entry is marked undone), under a new id
    again = _imp(engine, b"customer_id,period,mrr\nA,2024-01-01,10\nB,2024-01-01,20\n", "revenue")
    assert again > r2
    history = core.import_history(engine).set_index("id")
    assert c in history.index and history.loc[r1, "status"] == "undone" and history.loc[again, "status"] == "loaded"


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


CUSTOMERS = b"customer_id\nA\nB\nC\n"
TRANSACTIONS = b"customer_id,date,amount\nA,2024-01-03,5\nA,2024-02-03,7\nD,2024-01-09,3\n"


def test_undo_preview_counts_what_the_undo_then_removes(engine):
    _imp(engine, CUSTOMERS, "customers")
    t = _imp(engine, TRANSACTIONS, "transactions")  # creates customer D; two rows of A, one of D
    before = core.table_counts(engine)
    preview = core.undo_preview(engine, t)
    assert preview == {"customer": 1, "revenue": 3, "activity": 3, "ticket": 0, "feedback": 0, "intervention": 0,
                       "incident": 0}
    assert core.table_counts(engine) == before  # a preview removes nothing
    assert core.undo_import(engine, t) == preview
    after = core.table_counts(engine)
    assert {k: before[k] - after[k] for k in preview} == preview


def test_the_history_keeps_an_undone_import_with_when_and_why(engine):
    first = _imp(engine, CUSTOMERS, "customers")
    second = _imp(engine, TRANSACTIONS, "transactions")
    core.undo_import(engine, second, reason="  wrong month  ")
    core.undo_import(engine, first, reason="   ")
    h = core.import_history(engine).set_index("id")
    assert h["status"].to_dict() == {second: "undone", first: "undone"}
    assert h.loc[second, "undo_reason"] == "wrong month" and h.loc[first, "undo_reason"] is None
    assert pd.notna(h.loc[second, "undone_at"]) and h.loc[first, "undone_at"] >= h.loc[second, "undone_at"]
    assert h.loc[second, "rows_loaded"] == 3  # what it loaded stays on record
    assert core.table_counts(engine)["customer"] == 0


def test_undoing_an_undone_import_says_so_and_changes_nothing(engine):
    i = _imp(engine, CUSTOMERS, "customers")
    core.undo_import(engine, i, reason="test data")
    version, history = core.store_version(engine), core.import_history(engine)
    said = rf"Import #{i} was already undone on .* UTC \(reason: test data\)"
    for call in (core.undo_import, core.undo_preview):
        with pytest.raises(core.DataValidationError, match=said):
            call(engine, i)
    assert core.store_version(engine) == version
    pd.testing.assert_frame_equal(core.import_history(engine), history)


def test_the_preview_refuses_what_the_undo_refuses(engine):
    t = _imp(engine, b"customer_id,date,amount\nA,2024-01-01,5\n", "transactions")
    _imp(engine, b"customer_id,period,mrr\nA,2024-01-01,10\n", "revenue")
    with pytest.raises(core.DataValidationError, match=r"later imports still use: #2 \(1 rows\)"):
        core.undo_preview(engine, t)
    with pytest.raises(core.DataValidationError, match="no import #99"):
        core.undo_preview(engine, 99)


def test_an_undone_import_id_is_never_given_again(engine):
    a = _imp(engine, CUSTOMERS, "customers")
    core.undo_import(engine, a)
    b = _imp(engine, b"customer_id\nX\nY\n", "customers")
    assert b != a
    with pytest.raises(core.DataValidationError, match="already undone"):
        core.undo_import(engine, a)  # the old id can never remove B's rows
    assert core.table_counts(engine)["customer"] == 2


def test_an_id_read_from_the_history_frame_undoes_its_import(engine):
    """The history is a frame, so its ids are numpy integers: they undo the import as a plain int does (SQLite bound
    them as no row: "There is no import #1 to undo.")."""
    _imp(engine, b"customer_id\nA\nB\n", "customers")
    r = _imp(engine, b"customer_id,period,mrr\nA,2024-01-01,10\n", "revenue")
    which = core.import_history(engine)["id"].iloc[0]
    assert type(which) is not int and which == r
    assert core.undo_preview(engine, which)["revenue"] == 1
    assert core.undo_import(engine, which)["revenue"] == 1 and core.table_counts(engine)["revenue"] == 0
    with pytest.raises(TypeError):
        core.undo_import(engine, 2.0)  # not an id: refused, never rounded
