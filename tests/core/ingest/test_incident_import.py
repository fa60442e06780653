"""Importing incidents (core.ingest, kind ``incidents``): a PagerDuty/Statuspage-shaped CSV and an XLSX load into a
copy of a small store and read back exactly with sqlite3; the kind is detected from such a file; an end before the
start or an unknown customer is refused with the row, the column and the fix, leaving every table as it was; and
undoing the import removes its incident rows."""

import datetime as dt

import pytest

import core
from core.cli.main import main
from core.ingest.kind_detection import detect_file
from core.service.incidents import grouped, load_incidents
from tests.conftest import copy_store, sql_rows, xlsx_bytes

CUSTOMERS = (b"customer_id,signup_date,churn_date,segment,plan,region\n"
             b"C-1,2023-01-10,,Enterprise,Pro,EU\n"
             b"C-2,2023-02-01,2024-05-01,SMB,Basic,US\n"
             b"C-3,2024-01-05,,SMB,Pro,EU\n")
HEADER = "Incident ID,Started At,Resolved At,Severity,Affected Segment,Title\n"
PAGERDUTY = (HEADER
             + "PD-101,2024-03-01 10:15,2024-03-01 12:30,SEV1,Enterprise,API outage\n"
             + "PD-101,2024-03-01 10:15,2024-03-01 12:30,SEV1,smb,API outage\n"
             + "PD-102,2024-03-05 08:00,,SEV2,,Login slow\n"
             + "PD-103,2024-03-09 07:45,2024-03-09 07:45,SEV3,EU,Blip\n").encode()  # ends as it starts: allowed
#: the incident columns as read back, in the store's order
COLUMNS = "incident_id, customer_id, affected, start, \"end\", severity, title"


def _t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


PAGERDUTY_ROWS = [
    ("PD-101", None, "Enterprise", _t("2024-03-01 10:15"), _t("2024-03-01 12:30"), "SEV1", "API outage"),
    ("PD-101", None, "smb", _t("2024-03-01 10:15"), _t("2024-03-01 12:30"), "SEV1", "API outage"),
    ("PD-102", None, None, _t("2024-03-05 08:00"), None, "SEV2", "Login slow"),
    ("PD-103", None, "EU", _t("2024-03-09 07:45"), _t("2024-03-09 07:45"), "SEV3", "Blip"),
]
XLSX_HEADER = ["Incident ID", "Customer ID", "Started At", "Resolved At", "Severity", "Title"]
XLSX_ROWS = [["INC-7", "C-1", dt.datetime(2024, 4, 2, 9, 30), dt.datetime(2024, 4, 2, 11, 5), "critical", "Disk full"],
             ["INC-7", "C-3", dt.datetime(2024, 4, 2, 9, 30), dt.datetime(2024, 4, 2, 11, 5), "critical", "Disk full"],
             ["INC-8", "C-2", dt.datetime(2024, 4, 20, 23, 0), None, "minor", "Slow exports"]]


@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    """A store holding three customers (with segments, plans and regions), built once for the module."""
    path = tmp_path_factory.mktemp("incident_import") / "store.db"
    eng = core.make_engine(f"sqlite:///{path}")
    core.commit_import(eng, core.prepare_import(eng, CUSTOMERS, "customers.csv", "customers"))
    eng.dispose()
    return path


@pytest.fixture
def store(small_store, tmp_path):
    """(engine, url) of this test's own copy of the small store."""
    url = f"sqlite:///{copy_store(small_store, tmp_path)}"
    eng = core.make_engine(url)
    yield eng, url
    eng.dispose()


def _incidents(url: str) -> list[tuple]:
    rows = sql_rows(url, f"SELECT {COLUMNS} FROM incident ORDER BY id")
    return [(*r[:3], *(None if v is None else _t(v) for v in r[3:5]), *r[5:]) for r in rows]


def _everything(url: str) -> dict[str, list[tuple]]:
    """Every table's rows, read with sqlite3."""
    names = [n for (n,) in sql_rows(url, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {n: sql_rows(url, f'SELECT * FROM "{n}" ORDER BY rowid') for n in names}


def _xlsx(rows=XLSX_ROWS) -> bytes:
    return xlsx_bytes({"Incidents": [XLSX_HEADER, *rows]})


def test_a_pagerduty_export_loads_and_reads_back_exactly_with_sql(store):
    eng, url = store
    result = core.commit_import(eng, core.prepare_import(eng, PAGERDUTY, "pagerduty.csv", "incidents"))
    assert result.rows_loaded == 4 and result.rows_rejected == 0 and result.tables == {"incident": 4}
    assert _incidents(url) == PAGERDUTY_ROWS
    assert sql_rows(url, "SELECT DISTINCT import_id FROM incident") == [(result.import_id,)]
    assert sql_rows(url, f"SELECT kind, file_name FROM importlog WHERE id = {result.import_id}") == [
        ("incidents", "pagerduty.csv")]
    assert sql_rows(url, "SELECT count(*) FROM customer") == [(3,)]
    # and the service reads the same rows back, the times as datetimes
    read = load_incidents(eng)
    assert read["incident_id"].tolist() == [r[0] for r in PAGERDUTY_ROWS]
    assert [t.to_pydatetime() for t in read["start"]] == [r[3] for r in PAGERDUTY_ROWS]


def test_an_xlsx_export_naming_customers_loads_and_reads_back_exactly_with_sql(store):
    eng, url = store
    result = core.commit_import(eng, core.prepare_import(eng, _xlsx(), "incidents.xlsx", "incidents"))
    assert result.rows_loaded == 3
    assert _incidents(url) == [(r[0], r[1], None, r[2], r[3], r[4], r[5]) for r in XLSX_ROWS]


def test_the_kind_is_detected_as_incidents_for_such_files():
    for data, name in ((PAGERDUTY, "pagerduty.csv"), (_xlsx(), "incidents.xlsx")):
        found = detect_file(data, name)
        assert found.kind == "incidents" and not found.ambiguous, found
        assert found.matches["start"] == "Started At" and found.matches["end"] == "Resolved At"


def test_the_cli_detects_the_kind_and_imports_the_file_without_being_told(store, tmp_path, capsys):
    eng, url = store
    path = tmp_path / "statuspage.csv"
    path.write_bytes(PAGERDUTY)
    assert main(["--db", url, "import", str(path)]) == 0
    assert "kind: incidents" in capsys.readouterr().out
    assert _incidents(url) == PAGERDUTY_ROWS
    assert sql_rows(url, "SELECT kind FROM importlog ORDER BY id") == [("customers",), ("incidents",)]


@pytest.mark.parametrize("shape", ["csv", "xlsx"])
def test_an_end_before_the_start_is_refused_with_row_column_and_fix_and_nothing_changes(store, shape):
    eng, url = store
    if shape == "csv":
        data = PAGERDUTY + b"PD-104,2024-03-12 10:00,2024-03-12 09:59,SEV2,SMB,Backwards\n"
        row, column = 6, "Resolved At"
    else:
        data = _xlsx([*XLSX_ROWS, ["INC-9", "C-1", dt.datetime(2024, 5, 1, 10), dt.datetime(2024, 4, 30, 10), "x",
                                   "Backwards"]])
        row, column = 5, "Resolved At"
    before = _everything(url)
    plan = core.prepare_import(eng, data, f"bad.{shape}", "incidents")
    report = plan.report[plan.report["severity"] == "error"]
    assert report[["row", "column", "field", "problem"]].values.tolist() == [
        [row, column, "end", "incident ended before it began"]]
    assert "check the start and end times" in report["fix"].iloc[0]
    with pytest.raises(core.DataValidationError, match=f"row {row}, column {column}: incident ended before it began"):
        core.commit_import(eng, plan)
    assert _everything(url) == before


def test_a_customer_not_in_the_store_is_refused_with_row_column_and_fix_and_nothing_changes(store):
    eng, url = store
    before = _everything(url)
    data = _xlsx([XLSX_ROWS[0], ["INC-7", "C-404", dt.datetime(2024, 4, 2, 9, 30), None, "critical", "Disk full"]])
    plan = core.prepare_import(eng, data, "unknown.xlsx", "incidents")
    assert plan.report[["row", "column", "field", "problem"]].values.tolist() == [
        [3, "Customer ID", "customer_id", "customer not in the store"]]
    assert plan.report["fix"].iloc[0].startswith("import the customers first")
    with pytest.raises(core.DataValidationError, match="row 3, column Customer ID: customer not in the store"):
        core.commit_import(eng, plan)
    assert _everything(url) == before


def test_a_lenient_import_loads_the_good_rows_and_leaves_out_the_backwards_one(store):
    eng, url = store
    data = PAGERDUTY + b"PD-104,2024-03-12 10:00,2024-03-11 10:00,SEV2,SMB,Backwards\n"
    result = core.commit_import(eng, core.prepare_import(eng, data, "lenient.csv", "incidents"), strict=False)
    assert (result.rows_loaded, result.rows_rejected) == (4, 1)
    assert _incidents(url) == PAGERDUTY_ROWS


def test_undoing_the_import_removes_its_incident_rows_and_nothing_else(store):
    eng, url = store
    logs = ("importlog", "auditentry", "store_state", "sqlite_sequence")  # the history and the store's version
    before = {n: rows for n, rows in _everything(url).items() if n not in logs}
    first = core.commit_import(eng, core.prepare_import(eng, PAGERDUTY, "pagerduty.csv", "incidents"))
    second = core.commit_import(eng, core.prepare_import(eng, _xlsx(), "incidents.xlsx", "incidents"))
    assert sql_rows(url, "SELECT count(*) FROM incident") == [(7,)]
    removed = core.undo_import(eng, first.import_id)
    assert removed["incident"] == 4
    assert sql_rows(url, "SELECT DISTINCT import_id FROM incident") == [(second.import_id,)]
    core.undo_import(eng, second.import_id)
    assert sql_rows(url, "SELECT count(*) FROM incident") == [(0,)]
    after = {n: rows for n, rows in _everything(url).items() if n in before}
    assert after == before
    history = core.import_history(eng).set_index("id")
    assert history.loc[first.import_id, "status"] == "undone" and history.loc[second.import_id, "status"] == "undone"


def test_a_later_export_of_an_ongoing_incident_gives_it_its_end(store):
    """A status page exported while PD-102 was ongoing, then again once it ended (and with one more segment hit): one
    incident PD-102, from its start to the end the later export gives, hitting what either export names."""
    eng, url = store
    core.commit_import(eng, core.prepare_import(eng, PAGERDUTY, "status_monday.csv", "incidents"))
    later = (HEADER + "PD-102,2024-03-05 08:00,2024-03-05 17:40,SEV2,EU,Login slow\n").encode()
    core.commit_import(eng, core.prepare_import(eng, later, "status_friday.csv", "incidents"))
    rows = load_incidents(eng)
    one = grouped(rows).set_index("key").loc["PD-102"]
    assert (one["start"], one["end"]) == (_t("2024-03-05 08:00"), _t("2024-03-05 17:40"))
    assert sql_rows(url, "SELECT count(*) FROM incident WHERE incident_id = 'PD-102'") == [(2,)]
    assert len(grouped(rows)) == 3  # PD-101, PD-102, PD-103
