"""The rows an import loads, built a batch of source rows at a time: the batches of any size add up to the whole
tables (same rows, same order), the counts say how many rows each table receives, and a load in batches of two
puts exactly the rows in the store that the file holds, computed here with pandas and read back with sqlite3.

Every file is generated here (seeded), with rows that must be rejected among the valid ones, extra columns kept as
``attributes`` and, for the purchase log, returns (negative quantities and "C" invoices)."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

import core
from core.ingest import bulk
from core.ingest.store_rows import json_lines
from core.store import columnar

SEED = 19


def _csv(frame: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    return buf.getvalue().encode()


def _days(rng: np.random.Generator, n: int, start: str = "2023-01-01", span: int = 400) -> list[str]:
    return [(pd.Timestamp(start) + pd.Timedelta(days=int(d))).strftime("%Y-%m-%d") for d in rng.integers(0, span, n)]


def _customers(rng: np.random.Generator) -> tuple[pd.DataFrame, set[int]]:
    n = 30
    frame = pd.DataFrame({
        "customer_id": [f"C{i:03d}" for i in range(n)],
        "name": [f'Firm {i}, Ltd "é"' for i in range(n)],
        "segment": rng.choice(["SMB", "Mid", "Enterprise"], n),
        "signup_date": _days(rng, n, "2022-01-01"),
        "colour": rng.choice(["gold", "  ", "", "blue\xa0sky", "naïve"], n),  # extra text: blanks kept as written
        "seats": [str(int(v)) if v > 5 else "" for v in rng.integers(0, 40, n)],  # extra numbers
    })
    frame.loc[7, "signup_date"] = "2023-02-30"
    frame.loc[21, "customer_id"] = "C003"  # a duplicate id
    return frame, {7, 21}


def _activity(rng: np.random.Generator) -> tuple[pd.DataFrame, set[int]]:
    n = 40
    frame = pd.DataFrame({
        "customer_id": [f"C{int(i):03d}" for i in rng.integers(0, 10, n)],
        "date": _days(rng, n),
        "metric": rng.choice(["login", "report"], n),
        "value": [str(int(v)) for v in rng.integers(1, 30, n)],
        "device": rng.choice(["ios", "web", ""], n),
    })
    frame.loc[5, "value"] = "many"
    frame.loc[33, "date"] = "soon"
    frame.loc[39, "value"] = "2.5"  # the last source row is valid: a batch that ends the file counts
    return frame, {5, 33}


def _purchases(rng: np.random.Generator) -> tuple[pd.DataFrame, set[int]]:
    rows, invoice = [], 536365
    customers = [str(c) for c in rng.choice(np.arange(12346, 18288), 8, replace=False)]
    for _ in range(14):
        cid, when = str(rng.choice(customers)), pd.Timestamp("2010-12-01 08:26") + pd.Timedelta(
            minutes=int(rng.integers(0, 90 * 24 * 60)))
        for _ in range(int(rng.integers(1, 4))):
            rows.append([str(invoice), cid, f"{when.month}/{when.day}/{when.year} {when.hour}:{when.minute:02d}",
                         str(int(rng.choice([1, 2, 6, 12]))), str(rng.choice(["2.55", "3.39", "0.85"])),
                         str(rng.choice(["United Kingdom", "France", "EIRE"]))])
        invoice += 1
    frame = pd.DataFrame(rows, columns=["InvoiceNo", "CustomerID", "InvoiceDate", "Quantity", "UnitPrice", "Country"])
    returns = frame.sample(5, random_state=SEED).index
    frame.loc[returns[:4], "InvoiceNo"] = [f"C{invoice + i}" for i in range(4)]  # cancellations: "C" invoices
    frame.loc[returns, "Quantity"] = "-" + frame.loc[returns, "Quantity"]  # ... and one negative line of a sale
    frame.loc[2, "CustomerID"] = ""
    return frame, {2}


def _tickets(rng: np.random.Generator) -> tuple[pd.DataFrame, set[int]]:
    n = 25
    opened = [pd.Timestamp("2024-03-01 09:30") + pd.Timedelta(minutes=int(m)) for m in rng.integers(0, 60_000, n)]
    frame = pd.DataFrame({
        "ticket_id": [f"T{i:03d}" for i in range(n)],
        "customer_id": [f"C{int(i):03d}" if i < 9 else "" for i in rng.integers(0, 10, n)],
        "opened": [t.strftime("%Y-%m-%d %H:%M:%S") for t in opened],
        "resolved": [(t + pd.Timedelta(hours=5)).strftime("%Y-%m-%d %H:%M:%S") if k % 3 else ""
                     for k, t in enumerate(opened)],
        "priority": rng.choice(["high", "low"], n),
        "satisfaction": [str(int(v)) if v else "" for v in rng.integers(0, 6, n)],
        "agent": rng.choice(["Kim", "Lee", "Zoë"], n),
    })
    frame.loc[12, "ticket_id"] = "T004"  # a duplicate ticket id
    return frame, {12}


def _feedback(rng: np.random.Generator) -> tuple[pd.DataFrame, set[int]]:
    n = 25
    frame = pd.DataFrame({
        "customer_id": [f"C{int(i):03d}" for i in rng.integers(0, 10, n)],
        "date": _days(rng, n, "2024-01-01", 200),
        "channel": "nps",
        "score": [str(int(v)) for v in rng.integers(0, 11, n)],
        "comment": rng.choice(["Great, fast", 'Said "meh"', "line one\nline two", "ok", ""], n),
        "product": rng.choice(["App", "API", ""], n),
    })
    frame.loc[9, "score"] = "11"  # out of range
    return frame, {9}


FILES: dict[str, Callable] = {"customers": _customers, "activity": _activity, "transactions": _purchases,
                              "tickets": _tickets, "feedback": _feedback}


def _prepare(engine, kind: str) -> tuple[core.ImportPlan, pd.DataFrame]:
    """The plan of the generated file and its valid source rows (the rows the file marks bad, left out)."""
    frame, bad = FILES[kind](np.random.default_rng(SEED))
    plan = core.prepare_import(engine, _csv(frame), f"{kind}.csv", kind,
                               create_customers=None if kind in ("customers", "transactions") else True)
    assert sorted(int(r) - 2 for r in plan.rejected["row"]) == sorted(bad), plan.report  # row 2 = source row 0
    return plan, frame.drop(index=sorted(bad)).reset_index(drop=True)


def _plain(frame: pd.DataFrame) -> list[tuple]:
    """Rows as tuples of Python values, every missing marker (NaN, None, NA) as None."""
    values = frame.astype(object).to_numpy()
    return [tuple(None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else v for v in row)
            for row in values]


@pytest.fixture(scope="module", params=sorted(FILES))
def plan(request) -> core.ImportPlan:
    engine = core.make_engine("sqlite://")
    yield _prepare(engine, request.param)[0]
    engine.dispose()


@pytest.mark.parametrize("size", [1, 3, 1000])
def test_batches_of_any_size_add_up_to_the_whole_tables(plan, size):
    """Size 1 includes batches without a valid row (each file has rejected rows): they add no row to any table."""
    whole = plan.tables
    parts: dict[str, list[pd.DataFrame]] = {}
    for name, frame in plan.rows.batches(size):
        parts.setdefault(name, []).append(frame)
    assert set(parts) == set(whole)
    for name, frame in whole.items():
        batched = pd.concat(parts[name], ignore_index=True)
        assert list(batched.columns) == list(frame.columns), name
        assert _plain(batched) == _plain(frame), name


def test_counts_are_the_rows_each_table_receives(plan):
    assert plan.rows.counts() == {name: len(frame) for name, frame in plan.tables.items()}
    assert sum(plan.rows.counts().values()) >= plan.rows_valid > 0


# --------------------------------------------------------------------------- the store after a load in batches


def _num(cells: pd.Series) -> pd.Series:
    return pd.to_numeric(cells.replace("", np.nan))


def _attrs(frame: pd.DataFrame, columns: dict[str, bool]) -> list[dict]:
    """The ``attributes`` JSON each row should get: column -> number (True) or text as written; blank -> null."""
    out = []
    for _, row in frame.iterrows():
        out.append({c: (None if row[c] == "" else float(row[c]) if numeric else row[c])
                    for c, numeric in columns.items()})
    return out


def _expected(kind: str, valid: pd.DataFrame) -> dict[str, dict]:
    """Per store table: customer ids in order, row count, sum of the value/amount column, attributes per row."""
    if kind == "customers":
        return {"customer": dict(ids=valid["customer_id"].tolist(), total=None,
                                 attributes=_attrs(valid, {"colour": False, "seats": True}))}
    if kind == "activity":
        return {"activity": dict(ids=valid["customer_id"].tolist(), total=_num(valid["value"]).sum(),
                                 attributes=_attrs(valid, {"device": False}))}
    if kind == "tickets":
        return {"ticket": dict(ids=[c or None for c in valid["customer_id"]], total=_num(valid["satisfaction"]).sum(),
                               attributes=_attrs(valid, {"agent": False}))}
    if kind == "feedback":
        return {"feedback": dict(ids=valid["customer_id"].tolist(), total=_num(valid["score"]).sum(),
                                 attributes=_attrs(valid, {"product": False}))}
    qty, price = _num(valid["Quantity"]), _num(valid["UnitPrice"])
    ret = (qty < 0) | valid["InvoiceNo"].str.startswith("C")
    attrs = _attrs(valid, {"Country": False})
    amount = (-(qty * price).abs()).where(ret, qty * price)  # a return's amount is negative
    return {"activity": dict(ids=valid["CustomerID"][~ret].tolist(), total=qty[~ret].sum(),
                             attributes=[a for a, r in zip(attrs, ret) if not r]),
            "revenue": dict(ids=valid["CustomerID"].tolist(), total=amount.sum(),
                            attributes=[a if r else None for a, r in zip(attrs, ret)],
                            returns=ret.astype(int).tolist(), orders=valid["InvoiceNo"].tolist())}


_TOTAL = {"customer": None, "activity": "value", "revenue": "amount", "ticket": "satisfaction", "feedback": "score"}


@pytest.mark.parametrize("rebuild", [False, True], ids=["indexes kept", "indexes rebuilt"])
@pytest.mark.parametrize("kind", sorted(FILES))
def test_a_load_in_batches_of_two_stores_exactly_the_files_rows(tmp_path, monkeypatch, kind, rebuild):
    monkeypatch.setattr(bulk, "BATCH", 2)
    if rebuild:
        monkeypatch.setattr(bulk, "REBUILD_INDEXES_FROM", 1)
    path = tmp_path / "store.db"
    engine = core.make_engine(f"sqlite:///{path}")
    plan, valid = _prepare(engine, kind)
    result = core.commit_import(engine, plan, strict=False)
    engine.dispose()
    expected = _expected(kind, valid)
    assert result.tables == {name: len(e["ids"]) for name, e in expected.items()}
    with sqlite3.connect(path) as db:
        for name, want in expected.items():
            total = _TOTAL[name]
            rows = db.execute(f'SELECT customer_id, attributes, {total or "NULL"} FROM "{name}" '
                              "WHERE import_id = ? ORDER BY rowid", (result.import_id,)).fetchall()
            assert [r[0] for r in rows] == want["ids"], name
            assert [None if r[1] is None else json.loads(r[1]) for r in rows] == want["attributes"], name
            if total:
                assert sum(r[2] for r in rows if r[2] is not None) == pytest.approx(want["total"], rel=1e-12), name
            if name == "revenue":
                assert [r[0] for r in db.execute("SELECT is_return FROM revenue ORDER BY rowid")] == want["returns"]
                assert [r[0] for r in db.execute("SELECT order_id FROM revenue ORDER BY rowid")] == want["orders"]
            indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND "
                                                "tbl_name = ? AND sql IS NOT NULL", (name,))}
            assert indexes == {ix.name for ix in core.store.tables.TABLES[name].__table__.indexes}, name
    if "activity" in expected:  # the column file, written a batch at a time, holds every activity row
        record = columnar.record(columnar.folder(engine) / columnar.file_name(result.import_id))
        assert record["rows"] == record["file_rows"] == len(expected["activity"]["ids"])


# --------------------------------------------------------------------------- one JSON object per row


def test_extra_text_with_unicode_line_breaks_keeps_one_json_object_per_row():
    extras = pd.DataFrame({"note": ["a\u2028b", "c\x85d", "e\u2029f", "g\x1ch", "x\ny", "plain"]})
    lines = json_lines(extras)
    assert len(lines) == len(extras)
    assert [json.loads(line)["note"] for line in lines] == extras["note"].tolist()


def test_a_file_whose_extra_text_holds_a_line_separator_loads(engine):
    data = "customer_id,name,note\nA,Ann,one\u2028two\nB,Bob,plain\n".encode()
    core.commit_import(engine, core.prepare_import(engine, data, "c.csv", "customers"))
    stored = core.load_table(engine, "customer")["attributes"].tolist()
    assert [a["note"] for a in stored] == ["one\u2028two", "plain"]


def test_a_lenient_load_whose_whole_batch_is_rejected_loads_the_other_rows(engine, monkeypatch):
    """A batch of rejected rows only has no attribute line either (pandas writes one empty line for no rows)."""
    monkeypatch.setattr(bulk, "BATCH", 2)
    data = b"customer_id,signup_date,colour\nA,2024-01-01,red\nB,2024-01-02,\nC,never,x\nD,later,y\nE,2024-01-05,z\n"
    plan = core.prepare_import(engine, data, "c.csv", "customers")
    assert plan.rows_rejected == 2  # C and D: the second batch of two source rows
    core.commit_import(engine, plan, strict=False)
    stored = core.load_table(engine, "customer")
    assert stored["customer_id"].tolist() == ["A", "B", "E"]
    assert [a["colour"] for a in stored["attributes"]] == ["red", None, "z"]


def test_extra_numbers_keep_fifteen_significant_digits():
    lines = json_lines(pd.DataFrame({"x": [0.1234567890123, 1234567.891234, 0.1]}))
    assert [json.loads(line)["x"] for line in lines] == [0.1234567890123, 1234567.891234, 0.1]
