"""The tickets' service fields of issue 25 (reopenings, agent replies, the help desk's first-contact flag and the
customer effort score) through the import: a Zendesk-shaped export (CSV and XLSX) maps each column to its field and
loads its values exactly (read back with sqlite3); an effort score outside 1-7, a count that is negative or not whole
and a flag that is not yes/no are refused with the row, the column and a fix, the store left as it was; a file
without the fields still imports, storing NULLs.

Row numbers are spreadsheet row numbers: the header is row 1, the first data row row 2.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3

import pandas as pd
import pytest

import core
from core.errors import DataValidationError
from core.ingest import fields as F
from core.ingest.reader import read_table
from tests.conftest import xlsx_bytes

CUSTOMERS = [f"C{i:03d}" for i in range(1, 11)]
SEED_CSV = ("customer_id,name\n" + "".join(f"{c},Company {c}\n" for c in CUSTOMERS)).encode()

#: a Zendesk export's headers (a Freshdesk-like "First Contact Resolution" and a CES survey column added) -> field;
#: None: not a field, kept with the row's attributes
ZENDESK = {"Ticket ID": "ticket_id", "Requester ID": "customer_id", "Organization": None, "Created at": "opened",
           "First reply time": "first_response", "Solved at": "resolved", "Priority": "priority", "Type": "category",
           "Via": "channel", "Status": "status", "Reopens": "reopens", "Replies": "replies",
           "First Contact Resolution": "first_contact", "Customer Effort Score": "effort", "Subject": "text"}
NEW_FIELDS = ("reopens", "replies", "first_contact", "effort")
STORED = ["ticket_id", "customer_id", "opened", "first_response", "resolved", "priority", "category", "channel",
          "status", "reopens", "replies", "first_contact", "effort", "text"]


def zendesk_rows(n: int = 40, seed: int = 25, first_id: int = 5000) -> list[dict]:
    """``n`` tickets as the export holds them (Python values; blank = None): every count, flag and score met, the
    effort bounds 1 and 7 and zero replies (an auto-solved ticket) among them."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        opened = dt.datetime(2024, 3, 1, 8, 0) + dt.timedelta(hours=7 * i, minutes=rng.randrange(60))
        solved = i % 6 != 5
        replies = [0, 1, 1, 2, 6, 3][i % 6] if solved else rng.randrange(1, 4)
        rows.append({
            "Ticket ID": first_id + i, "Requester ID": CUSTOMERS[i % len(CUSTOMERS)], "Organization": f"Org {i % 4}",
            "Created at": opened,
            "First reply time": opened + dt.timedelta(minutes=5 + 13 * i) if replies else None,
            "Solved at": opened + dt.timedelta(hours=1 + 3 * i) if solved else None,
            "Priority": ["Low", "Normal", "High", "Urgent"][i % 4], "Type": ["Question", "Incident", "Problem"][i % 3],
            "Via": ["Email", "Web", "Chat"][i % 3], "Status": "Solved" if solved else "Open",
            "Reopens": [0, 0, 1, 0, 2, 0, 3][i % 7] if solved else 0, "Replies": replies,
            "First Contact Resolution": [True, False, None][i % 3],
            "Customer Effort Score": [1, 7, None, 4, 6, 2, 5, None][i % 8] if solved else None,
            "Subject": f"Help with thing {i}"})
    return rows


def cell(value) -> str:
    """A cell as the CSV export writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return str(value)


def csv_bytes(rows: list[dict], headers=None) -> bytes:
    headers = list(headers or rows[0])
    lines = [",".join(headers)] + [",".join(cell(r[h]) for h in headers) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def workbook(rows: list[dict]) -> bytes:
    headers = list(rows[0])
    return xlsx_bytes({"Tickets": [headers] + [[r[h] for h in headers] for r in rows]})


def customers_store(tmp_path, seed_csv: bytes):
    """A SQLite store file holding the customers of ``seed_csv``: its path, for sqlite3, and its engine (yielded)."""
    path = tmp_path / "store.db"
    eng = core.make_engine(f"sqlite:///{path}")
    core.commit_import(eng, core.prepare_import(eng, seed_csv, "customers.csv", "customers"))
    yield path, eng
    eng.dispose()


@pytest.fixture
def store(tmp_path):
    """A SQLite store file holding ten customers; its path, for sqlite3, and its engine."""
    yield from customers_store(tmp_path, SEED_CSV)


def stored_tickets(path) -> dict[str, list]:
    """The ticket table as sqlite3 reads it (no store code in between): column -> values in load order."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute(f"SELECT {', '.join(STORED)} FROM ticket ORDER BY id").fetchall()
    return {c: [r[i] for r in rows] for i, c in enumerate(STORED)}


def assert_stored_exactly(path, rows: list[dict]) -> None:
    """The store holds the values written in the file, in the store's column names, in file order."""
    got = stored_tickets(path)
    want = {field: [r[h] for r in rows] for h, field in ZENDESK.items() if field}
    assert got["ticket_id"] == [str(v) for v in want["ticket_id"]]
    for col in ("customer_id", "priority", "category", "channel", "status", "text"):
        assert got[col] == want[col], col
    for col in ("opened", "first_response", "resolved"):
        assert [None if v is None else dt.datetime.fromisoformat(v) for v in got[col]] == want[col], col
    for col in ("reopens", "replies", "effort"):
        assert all(v is None or isinstance(v, float) for v in got[col]), col
        assert got[col] == [None if v is None else float(v) for v in want[col]], col
    # a flag is stored as SQLite's 1 / 0, a blank as NULL
    assert got["first_contact"] == [None if v is None else int(v) for v in want["first_contact"]]


def snapshot(eng, path) -> tuple[dict, dict]:
    return core.table_counts(eng), stored_tickets(path)


# --------------------------------------------------------------------------- a Zendesk-shaped export


def test_zendesk_headers_map_to_their_fields():
    frame = read_table(csv_bytes(zendesk_rows()), "zendesk_tickets.csv").frame
    mapping = F.guess_mapping(frame, "tickets")
    assert mapping == {field: h for h, field in ZENDESK.items() if field}


def test_zendesk_csv_loads_every_value_exactly(store):
    path, eng = store
    rows = zendesk_rows()
    plan = core.prepare_import(eng, csv_bytes(rows), "zendesk_tickets.csv", "tickets")
    assert plan.mapping == {field: h for h, field in ZENDESK.items() if field}
    assert plan.report.empty and plan.n_errors == 0 and plan.rows_valid == len(rows)
    result = core.commit_import(eng, plan)
    assert result.rows_loaded == len(rows) and result.tables["ticket"] == len(rows)
    assert_stored_exactly(path, rows)
    # every value of each new field is met at least once, so "exactly" says something
    got = stored_tickets(path)
    assert set(got["reopens"]) == {0.0, 1.0, 2.0, 3.0}
    assert set(got["replies"]) == {0.0, 1.0, 2.0, 3.0, 6.0}
    assert set(got["first_contact"]) == {1, 0, None}
    assert set(got["effort"]) == {1.0, 2.0, 4.0, 5.0, 6.0, 7.0, None}


def test_zendesk_xlsx_loads_every_value_exactly(store):
    path, eng = store
    rows = zendesk_rows(24, seed=7)
    plan = core.prepare_import(eng, workbook(rows), "zendesk_tickets.xlsx", "tickets")
    assert plan.mapping == {field: h for h, field in ZENDESK.items() if field}
    assert plan.n_errors == 0 and plan.rows_valid == len(rows)
    core.commit_import(eng, plan)
    assert_stored_exactly(path, rows)  # the flag column is Excel's TRUE / FALSE cells


#: headers of other exports (every synonym of the four fields as of issue 25, written out here so that dropping one
#: a header needs is caught), and other spellings
OTHER_HEADERS = [
    *[(h, "reopens") for h in ("Reopen Count", "Reopened Count", "Times Reopened", "Number Of Reopens",
                               "Reopen Counter", "Reopened Times", "Num Reopens", "ReopenCount")],
    *[(h, "replies") for h in ("Agent Replies", "Reply Count", "Number Of Replies", "Agent Interactions",
                               "Agent Responses", "Responses", "Num Replies", "Public Replies", "AgentReplies")],
    *[(h, "first_contact") for h in ("First Contact", "FCR", "First Contact Resolved", "Resolved On First Contact",
                                     "First Call Resolution", "FCR Flag", "One Touch", "One Touch Resolution",
                                     "first_contact_resolution")],
    *[(h, "effort") for h in ("Effort", "CES", "Customer Effort", "Effort Score", "CES Score", "Ticket Effort")]]


@pytest.mark.parametrize("header, field", OTHER_HEADERS)
def test_other_exports_headers_map_to_the_field(header, field):
    values = ["Yes", "No", "Yes"] if field == "first_contact" else ["1", "2", "5"]
    frame = pd.DataFrame({"Ticket ID": ["1", "2", "3"], "Requester ID": ["C001", "C002", "C003"],
                          "Created at": ["2024-01-02 09:00", "2024-01-03 10:00", "2024-01-04 11:00"], header: values})
    mapping = F.guess_mapping(frame, "tickets")
    assert mapping.get(field) == header
    assert [f for f, col in mapping.items() if col == header] == [field]


def test_customer_replies_are_not_the_agents_replies():
    frame = pd.DataFrame({"Ticket ID": ["1", "2"], "Requester ID": ["C001", "C002"],
                          "Created at": ["2024-01-02 09:00", "2024-01-03 10:00"], "Customer replies": ["1", "3"]})
    assert "replies" not in F.guess_mapping(frame, "tickets")


# --------------------------------------------------------------------------- refusals


def good_rows() -> list[dict]:
    return zendesk_rows(6, seed=3)


@pytest.mark.parametrize("header, value, field, problem, fix", [
    ("Customer Effort Score", "0", "effort", "effort score outside 1-7", "use a score from 1 to 7"),
    ("Customer Effort Score", "8", "effort", "effort score outside 1-7", "use a score from 1 to 7"),
    ("Reopens", "-1", "reopens", "reopens not a count", "use a whole number, 0 or more"),
    ("Replies", "1.5", "replies", "replies not a count", "use a whole number, 0 or more"),
    ("Replies", "-2", "replies", "replies not a count", "use a whole number, 0 or more"),
    ("Reopens", "0.5", "reopens", "reopens not a count", "use a whole number, 0 or more"),
    ("First Contact Resolution", "maybe", "first_contact", "not a yes/no value", "write Yes or No")])
def test_bad_cell_is_refused_naming_row_column_and_fix(store, header, value, field, problem, fix):
    path, eng = store
    earlier = zendesk_rows(5, seed=1, first_id=7000)
    core.commit_import(eng, core.prepare_import(eng, csv_bytes(earlier), "earlier.csv", "tickets"))
    before = snapshot(eng, path)
    assert before[0]["ticket"] == 5 and before[0]["customer"] == 10

    data = csv_bytes(good_rows()).decode().splitlines()
    col = data[0].split(",").index(header)
    cells = data[3].split(",")  # spreadsheet row 4
    cells[col] = value
    data[3] = ",".join(cells)
    plan = core.prepare_import(eng, ("\n".join(data) + "\n").encode(), "tickets.csv", "tickets")

    rep = plan.report
    assert rep[["row", "column", "field", "value", "problem", "severity"]].values.tolist() == \
           [[4, header, field, value, problem, "error"]]
    assert rep.loc[0, "fix"].startswith(fix)
    assert plan.n_errors == 1 and plan.rows_valid == len(good_rows()) - 1
    with pytest.raises(DataValidationError) as info:
        core.commit_import(eng, plan)
    assert "nothing was loaded" in str(info.value)
    assert f"row 4, column {header}: {problem} ({fix}" in str(info.value)
    after = snapshot(eng, path)
    assert after[0] == before[0]  # every table's count
    assert after[1] == before[1]  # the tickets held, value for value


@pytest.mark.parametrize("data, want", [
    (b"Ticket ID,Requester ID,Created at,Reopens,Replies,Customer Effort Score\n"
     b"1,C001,2024-01-02 09:00,0,0,1\n2,C002,2024-01-02 10:00,2.0,3.0,7\n3,C003,2024-01-02 11:00,1,1,6.5\n",
     {"reopens": [0, 2, 1], "replies": [0, 3, 1], "effort": [1, 7, 6.5]}),  # bounds; whole counts with a decimal
    (b"Ticket ID,Requester ID,Created at,Reopens,Replies\n"
     b"1,C001,2024-01-02 09:00,1,2\n2,C002,2024-01-02 10:00,,\n3,C003,2024-01-02 11:00,0,\n",
     {"reopens": [1, None, 0], "replies": [2, None, None]})], ids=["bounds", "blank-counts"])  # blank: stored NULL
def test_accepted_values_are_stored_as_given(store, data, want):
    path, eng = store
    plan = core.prepare_import(eng, data, "tickets.csv", "tickets")
    assert plan.n_errors == 0, plan.report
    core.commit_import(eng, plan)
    got = stored_tickets(path)
    assert {col: got[col] for col in want} == want


# --------------------------------------------------------------------------- the fields are optional


def test_a_file_without_the_fields_imports_and_stores_nulls(store):
    path, eng = store
    rows = zendesk_rows(8)
    headers = [h for h, f in ZENDESK.items() if f not in NEW_FIELDS]
    plan = core.prepare_import(eng, csv_bytes(rows, headers), "old_export.csv", "tickets")
    assert not set(NEW_FIELDS) & set(plan.mapping)
    assert plan.n_errors == 0 and plan.rows_valid == 8
    core.commit_import(eng, plan)
    got = stored_tickets(path)
    assert got["ticket_id"] == [str(5000 + i) for i in range(8)]
    for col in NEW_FIELDS:
        assert got[col] == [None] * 8, col
