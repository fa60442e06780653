"""Plausibility checks (core.ingest.plausibility): values that type correctly but would wreck a headline figure.

Each case is a file generated here and sent through ``core.prepare_import``; the report row is asserted (row,
column, severity), an error makes a strict import refuse and leave the store as it was, and the number of each
warning equals a count made independently with pandas (or the bytes) on the same file.
"""

import datetime as dt
import io

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import event

import core
from core.ingest import plausibility
from core.metrics import headline
from tests.conftest import xlsx_bytes

DAY = dt.date(2025, 6, 15)  # the import day of every test here
LATEST = pd.Timestamp(DAY + dt.timedelta(days=1))  # the last day a date may fall on


@pytest.fixture(autouse=True)
def fixed_import_day(monkeypatch):
    monkeypatch.setattr(plausibility, "import_day", lambda: DAY)


@pytest.fixture
def store(engine):
    """A store with customers A..E (signed up 2023-01-01)."""
    data = b"customer_id,signup_date\n" + b"".join(f"{c},2023-01-01\n".encode() for c in "ABCDE")
    core.commit_import(engine, core.prepare_import(engine, data, "customers.csv", "customers"))
    return engine


def to_csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def read(data: bytes) -> pd.DataFrame:
    """The file as pandas reads it: every cell as text, the spreadsheet row number (header = 1) as ``row``."""
    df = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_values=[""])
    return df.assign(row=np.arange(2, len(df) + 2))


def rows_with(plan, problem: str) -> pd.DataFrame:
    """The report rows whose problem starts with ``problem``."""
    rep = plan.report
    return rep[rep["problem"].str.startswith(problem)].reset_index(drop=True)


def cells(found: pd.DataFrame) -> list[tuple]:
    return list(zip(found["row"], found["column"], found["severity"]))


def refused_strictly(engine, plan) -> None:
    """A strict import refuses the plan and every table keeps its row count."""
    before = core.table_counts(engine)
    with pytest.raises(core.DataValidationError, match="strict mode"):
        core.commit_import(engine, plan)
    assert core.table_counts(engine) == before


def mrr_now(engine) -> float:
    return headline(core.load_table(engine, "customer"), core.load_table(engine, "revenue")).mrr


def last_month_mrr(df: pd.DataFrame) -> float:
    """pandas: MRR summed over the latest month of ``df`` (columns period, mrr)."""
    month = pd.to_datetime(df["period"]).dt.to_period("M")
    return float(pd.to_numeric(df["mrr"])[month == month.max()].sum())


# --------------------------------------------------------------------------- dates


def test_a_revenue_month_after_the_import_day_or_before_1970_is_an_error(store):
    df = pd.DataFrame({"customer_id": list("ABCD"), "period": ["2025-05-01", "2025-05-01", "2099-01-01",
                                                                "1960-01-01"], "mrr": [10, 20, 30, 40]})
    plan = core.prepare_import(store, to_csv(df), "r.csv", "revenue")
    assert cells(rows_with(plan, "date after the import day (2025-06-15)")) == [(4, "period", "error")]
    assert cells(rows_with(plan, "date before 1970")) == [(5, "period", "error")]
    refused_strictly(store, plan)
    core.commit_import(store, plan, strict=False)
    period = pd.to_datetime(df["period"])
    assert mrr_now(store) == last_month_mrr(df[(period <= LATEST) & (period >= "1970-01-01")]) == 30


def test_a_date_may_fall_one_day_after_the_import_day(store):
    df = pd.DataFrame({"customer_id": list("ABC"), "date": ["2025-06-15", "2025-06-16", "2025-06-17"],
                       "metric": "logins", "value": 1})
    plan = core.prepare_import(store, to_csv(df), "a.csv", "activity")
    assert cells(rows_with(plan, "date after")) == [(4, "date", "error")]


def test_signup_and_churn_dates_ahead_are_errors_but_a_renewal_ahead_is_not(store):
    df = pd.DataFrame({"customer_id": ["F", "G", "H", "I"],
                       "signup_date": ["2099-01-01", "2024-01-01", "2024-01-01", "2024-01-01"],
                       "churn_date": ["", "2099-12-31", "", ""],
                       "renewal_date": ["", "", "2099-01-01", "1960-01-01"]})
    plan = core.prepare_import(store, to_csv(df), "c.csv", "customers")
    assert cells(rows_with(plan, "date after")) == [(2, "signup_date", "error"), (3, "churn_date", "error")]
    assert cells(rows_with(plan, "date before 1970")) == [(5, "renewal_date", "warning")]
    refused_strictly(store, plan)


def test_ticket_times_out_of_range_are_warnings_counted_like_pandas(store):
    rng = np.random.default_rng(7)
    opened = rng.choice(["2025-03-02 10:00", "2099-01-05 08:30", "1969-12-31 23:00", "2025-06-16 23:59",
                         "2025-06-17 00:01"], size=60)
    df = pd.DataFrame({"ticket_id": [f"T{i}" for i in range(60)], "customer_id": rng.choice(list("ABCDE"), 60),
                       "opened": opened})
    plan = core.prepare_import(store, to_csv(df), "t.csv", "tickets")
    when = pd.to_datetime(read(to_csv(df))["opened"]).dt.normalize()
    after, before = rows_with(plan, "date after"), rows_with(plan, "date before 1970")
    assert len(after) == int((when > LATEST).sum()) > 0
    assert len(before) == int((when < pd.Timestamp("1970-01-01")).sum()) > 0
    assert set(after["severity"]) | set(before["severity"]) == {"warning"}
    assert sorted(after["row"]) == read(to_csv(df))["row"][(when > LATEST).to_numpy()].tolist()
    before_counts = core.table_counts(store)["ticket"]
    core.commit_import(store, plan)  # warnings only: the strict import loads every row
    assert core.table_counts(store)["ticket"] == before_counts + 60


# --------------------------------------------------------------------------- amounts


def test_infinite_and_nan_mrr_are_errors_and_a_lenient_import_keeps_mrr_finite(store):
    data = b"customer_id,period,mrr\nA,2025-05-01,10\nB,2025-05-01,inf\nC,2025-05-01,-inf\nD,2025-05-01,nan\n" \
           b"E,2025-05-01,1e999\nA,2025-04-01,7\n"
    plan = core.prepare_import(store, data, "r.csv", "revenue")
    assert cells(rows_with(plan, "not a finite number")) == [(r, "mrr", "error") for r in (3, 4, 5, 6)]
    refused_strictly(store, plan)
    core.commit_import(store, plan, strict=False)
    stored = core.load_table(store, "revenue")["mrr"]
    assert np.isfinite(stored).all() and len(stored) == 2
    assert mrr_now(store) == 10


def test_nan_already_reported_as_text_is_not_reported_twice(store):
    """A column with "$1,200" is typed cell by cell, and there "nan" is text in a numeric column already."""
    data = b'customer_id,period,mrr\nA,2025-05-01,"$1,200"\nB,2025-05-01,nan\nC,2025-05-01,$inf\n' \
           b"D,2025-05-01,5\nE,2025-05-01,6\n"
    plan = core.prepare_import(store, data, "r.csv", "revenue")
    assert cells(rows_with(plan, "not a finite number")) == [(4, "mrr", "error")]  # $inf
    assert cells(rows_with(plan, "text in a numeric column")) == [(3, "mrr", "error")]


def test_negative_mrr_is_an_error_but_a_negative_amount_is_a_credit(store):
    data = b"customer_id,period,mrr,amount\nA,2025-05-01,-1e9,\nB,2025-05-01,,-50\nC,2025-05-01,10,\n"
    plan = core.prepare_import(store, data, "r.csv", "revenue")
    assert cells(rows_with(plan, "negative")) == [(2, "mrr", "error")]
    assert "refund" in rows_with(plan, "negative MRR")["fix"][0]
    refused_strictly(store, plan)
    core.commit_import(store, plan, strict=False)
    assert mrr_now(store) == 10


def test_a_negative_intervention_cost_is_an_error(store):
    data = b"customer_id,play,date,group,cost\nA,Save,2025-05-01,treatment,-40\nB,Save,2025-05-01,holdout,0\n"
    plan = core.prepare_import(store, data, "i.csv", "interventions")
    assert cells(rows_with(plan, "negative cost")) == [(2, "cost", "error")]
    refused_strictly(store, plan)


def test_negative_usage_is_a_warning_counted_like_pandas(store):
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"customer_id": rng.choice(list("ABCDE"), 80), "date": "2025-05-02", "metric": "minutes",
                       "value": rng.integers(-5, 20, 80)})
    plan = core.prepare_import(store, to_csv(df), "a.csv", "activity")
    found = rows_with(plan, "negative usage value")
    negative = read(to_csv(df)).query("value.astype('int') < 0")
    assert found["row"].tolist() == negative["row"].tolist() and len(found) > 0
    assert set(found["severity"]) == {"warning"} and set(found["column"]) == {"value"}


# --------------------------------------------------------------------------- duplicate revenue


def test_two_mrr_rows_for_one_customer_and_month_are_an_error_naming_both_rows(store):
    df = pd.DataFrame({"customer_id": ["A", "B", "A", "A", "C"],
                       "period": ["2024-03-01", "2024-03-01", "2024-03-15", "2024-03-01", "2024-02-01"],
                       "mrr": [10, 20, 10, 10, 5]})
    plan = core.prepare_import(store, to_csv(df), "r.csv", "revenue")
    found = rows_with(plan, "duplicate MRR")
    month = pd.to_datetime(df["period"]).dt.to_period("M")
    repeats = read(to_csv(df))["row"][df.assign(m=month).duplicated(["customer_id", "m"]).to_numpy()]
    assert cells(found) == [(r, "period", "error") for r in repeats] == [(4, "period", "error"),
                                                                          (5, "period", "error")]
    assert all("also at row 2" in fix for fix in found["fix"])
    refused_strictly(store, plan)
    core.commit_import(store, plan, strict=False)
    first = df.assign(m=month).drop_duplicates(["customer_id", "m"])
    assert mrr_now(store) == last_month_mrr(first) == 30  # not 50


def test_mrr_already_in_the_store_is_an_error_in_append_mode_only(store):
    first = core.commit_import(store, core.prepare_import(
        store, b"customer_id,period,mrr\nA,2024-03-01,10\nA,2024-04-01,10\nB,2024-04-01,20\n", "a.csv", "revenue"))
    data = b"customer_id,period,mrr\nA,2024-04-20,10\nC,2024-04-01,5\nB,2024-05-01,20\nB,2024-04-01,20\n"
    plan = core.prepare_import(store, data, "b.csv", "revenue")
    found = rows_with(plan, "MRR for this customer and month already imported")
    assert cells(found) == [(2, "period", "error"), (5, "period", "error")]
    assert set(found["problem"]) == {f"MRR for this customer and month already imported in import #{first.import_id}"}
    assert all("replace mode" in fix for fix in found["fix"])
    refused_strictly(store, plan)
    replace = core.prepare_import(store, data, "b.csv", "revenue", mode="replace")
    assert rows_with(replace, "MRR for this customer").empty
    core.commit_import(store, plan, strict=False)
    rev = core.load_table(store, "revenue")
    assert not rev.assign(m=rev["period"].dt.to_period("M")).duplicated(["customer_id", "m"]).any()


# --------------------------------------------------------------------------- ids already imported


def test_a_ticket_id_already_imported_is_an_error_naming_the_import(store):
    first = core.commit_import(store, core.prepare_import(
        store, b"ticket_id,customer_id,opened\nT1,A,2025-01-02\nT2,B,2025-01-03\n", "t1.csv", "tickets"))
    data = b"ticket_id,customer_id,opened\nT3,A,2025-02-02\nT2,B,2025-02-03\n"
    plan = core.prepare_import(store, data, "t2.csv", "tickets")
    found = rows_with(plan, "ticket id already imported")
    assert cells(found) == [(3, "ticket_id", "error")]
    assert found["problem"][0] == f"ticket id already imported in import #{first.import_id}"
    refused_strictly(store, plan)
    assert rows_with(core.prepare_import(store, data, "t2.csv", "tickets", mode="replace"), "ticket id").empty


def test_a_feedback_id_already_imported_is_an_error(store):
    first = core.commit_import(store, core.prepare_import(
        store, b"Review ID,customer_id,date,text\n101,A,2025-01-02,great\n102,B,2025-01-03,slow\n", "f1.csv",
        "feedback", constants={"channel": "review"}))
    data = b"Review ID,customer_id,date,text\n102,B,2025-02-02,slow\n103,C,2025-02-03,fine\n"
    plan = core.prepare_import(store, data, "f2.csv", "feedback", constants={"channel": "review"})
    found = rows_with(plan, "feedback id already imported")
    assert cells(found) == [(2, "Review ID", "error")]
    assert found["problem"][0] == f"feedback id already imported in import #{first.import_id}"
    refused_strictly(store, plan)


@pytest.mark.parametrize("kind, make", [
    ("tickets", lambda i: f"T{i},A,2025-01-02\n"),
    ("revenue", lambda i: f"A,2024-{i % 12 + 1:02d}-01,{i}\n"),
    ("feedback", lambda i: f"{i},A,2025-01-02,ok\n"),
])
def test_the_store_checks_run_the_same_queries_for_2_rows_as_for_600(store, kind, make):
    headers = {"tickets": "ticket_id,customer_id,opened\n", "revenue": "customer_id,period,mrr\n",
               "feedback": "Review ID,customer_id,date,text\n"}
    opts = {"constants": {"channel": "review"}} if kind == "feedback" else {}
    core.commit_import(store, core.prepare_import(store, (headers[kind] + make(0)).encode(), "seed.csv", kind,
                                                  **opts))
    statements = []
    event.listen(store, "before_cursor_execute", lambda *a: statements.append(a[2]))
    for n in (2, 600):
        data = (headers[kind] + "".join(make(i) for i in range(n))).encode()
        core.prepare_import(store, data, f"{n}.csv", kind, **opts)
    half = len(statements) // 2
    assert len(statements) % 2 == 0 and statements[:half] == statements[half:]


# --------------------------------------------------------------------------- encodings


def test_a_column_mixing_utf8_and_cp1252_is_a_warning_per_utf8_cell(store):
    rng = np.random.default_rng(11)
    names = ["Café Zürich", "Müller GmbH", "Ålesund AS", "Plain Ltd", "Señora Niño"]
    lines = [b"customer_id,name\n", f"N0,{names[0]}\n".encode("cp1252"), f"N1,{names[1]}\n".encode()]
    for i in range(2, 50):
        lines.append(f"N{i},{rng.choice(names)}\n".encode(rng.choice(["cp1252", "utf-8"])))
    data = b"".join(lines)
    plan = core.prepare_import(store, data, "c.csv", "customers")
    found = rows_with(plan, "mixed encodings")

    def utf8_with_accents(line: bytes) -> bool:  # independent: the line's bytes are valid UTF-8 beyond ASCII
        try:
            return line.decode("utf-8") != line.decode("ascii", errors="replace")
        except UnicodeDecodeError:
            return False

    expected = [row for row, line in enumerate(lines[1:], start=2) if utf8_with_accents(line)]
    assert found["row"].tolist() == expected and len(expected) > 5
    assert set(found["column"]) == {"name"} and set(found["severity"]) == {"warning"}
    assert "it reads 'Müller GmbH' in UTF-8" in found["fix"][0]
    before = core.table_counts(store)["customer"]
    core.commit_import(store, plan)  # warnings only
    assert core.table_counts(store)["customer"] == before + 50


def test_garbled_text_is_found_in_any_column_of_a_wide_file_held_as_python_text(store):
    """A file over 1,000 columns is one block of Python text (not pyarrow): the check still finds the cell."""
    grid = [["customer_id"] + [f"c{i}" for i in range(1, 1200)]]
    grid += [[f"N{r}"] + [str(r * i) for i in range(1, 1200)] for r in range(3)]
    grid[2][1100] = "CafÃ©"  # 'Café' once read as cp1252, saved as UTF-8
    data = "".join(",".join(row) + "\n" for row in grid).encode()
    plan = core.prepare_import(store, data, "wide.csv", "customers", create_customers=True)
    assert plan.raw.frame.dtypes.iloc[1100] == np.dtype(object)
    found = rows_with(plan, "garbled text")
    assert cells(found) == [(3, "c1100", "warning")] and "it reads 'Café' in UTF-8" in found["fix"][0]


def test_mixed_encodings_are_found_whatever_legacy_code_page_the_reader_chose(store):
    """'Ł' is C5 81 in UTF-8, and 0x81 is no cp1252 character: the reader falls back to a guessed code page."""
    data = b"customer_id,name\n" + "N1,Łódź Sp.\n".encode() + "N2,Café\n".encode("cp1252")
    raw = core.read_table(data, "c.csv")
    plan = core.prepare_import(store, data, "c.csv", "customers")
    found = rows_with(plan, "mixed encodings")
    if raw.frame["name"][0] == "Łódź Sp.":  # a reader that decodes line by line leaves nothing garbled
        assert found.empty
    else:
        assert cells(found) == [(2, "name", "warning")]
        assert "it reads 'Łódź Sp.' in UTF-8" in found["fix"][0]


def test_a_garbled_customer_id_is_an_error(store):
    data = b"customer_id,name\n" + "Zoë-1,x\n".encode() + "Zoë-2,".encode("cp1252") + b"y\n"
    plan = core.prepare_import(store, data, "c.csv", "customers")
    assert cells(rows_with(plan, "mixed encodings")) == [(2, "customer_id", "error")]
    refused_strictly(store, plan)


def test_garbled_text_in_a_workbook_is_a_warning(store):
    data = xlsx_bytes({"S": [["customer_id", "name"], ["N1", "CafÃ© ZÃ¼rich"], ["N2", "Café Zürich"]]})
    plan = core.prepare_import(store, data, "c.xlsx", "customers")
    found = rows_with(plan, "garbled text")
    assert cells(found) == [(2, "name", "warning")]
    assert "it reads 'Café Zürich' in UTF-8" in found["fix"][0]


# --------------------------------------------------------------------------- day and month


@pytest.mark.parametrize("dates, column", [
    (["01/01/2024", "03/04/2024", "12/11/2023"], "signup_date"),
    (["01/01/2024", "03/04/2024", "13/11/2023"], None),  # 13 can only be a day: no ambiguity
    (["01/01/2024", "02/02/2024"], None),  # day = month: reads the same either way
    (["2024-03-04", "2024-01-01"], None),
])
def test_day_month_ambiguity_is_one_warning_per_column(store, dates, column):
    df = pd.DataFrame({"customer_id": [f"N{i}" for i in range(len(dates))], "signup_date": dates})
    plan = core.prepare_import(store, to_csv(df), "c.csv", "customers")
    found = rows_with(plan, "day and month can be read either way")
    parts = read(to_csv(df))["signup_date"].str.extract(r"^(\d+)/(\d+)/").astype(float)
    ambiguous = parts.notna().all().all() and (parts <= 12).all().all() and (parts[0] != parts[1]).any()
    assert len(found) == int(ambiguous)
    if column:
        assert cells(found) == [(3, column, "warning")]  # the first row whose day and month differ
        assert "read as MM/DD/YYYY ('03/04/2024' is 4 March 2024)" in found["problem"][0]
        assert "--date-format '%d/%m/%Y'" in found["fix"][0]
        day_first = core.prepare_import(store, to_csv(df), "c.csv", "customers", date_format="%d/%m/%Y")
        assert rows_with(day_first, "day and month").empty
        assert day_first.tables["customer"]["signup_date"][1] == "2024-04-03"


# --------------------------------------------------------------------------- undated rows


def test_feedback_without_a_date_column_warns_once_naming_the_feedback_themes_page(store):
    data = b"customer_id,text,score\nA,good,5\nB,slow,2\nC,fine,4\n"
    plan = core.prepare_import(store, data, "f.csv", "feedback", constants={"channel": "review"})
    found = rows_with(plan, "no date column")
    assert cells(found) == [(2, "", "warning")]
    assert "none of the 3 rows will show on the Feedback themes page" in found["problem"][0]
    assert "map the file's date column to date" in found["fix"][0]
    core.commit_import(store, plan)  # a warning: the rows load
    assert core.table_counts(store)["feedback"] == 3


@pytest.mark.parametrize("kind, data, label, constants", [
    ("feedback", b"customer_id,text,score\nA,good,5\nB,slow,2\n", "date", {"channel": "review"}),
    ("tickets", b"ticket_id,customer_id,subject\nT1,A,Login fails\nT2,B,Refund\n", "opened date", {})])
def test_the_summary_of_a_file_without_a_date_column_names_the_field_not_an_empty_column(store, kind, data, label,
                                                                                        constants):
    plan = core.prepare_import(store, data, "f.csv", kind, constants=constants)
    summary = plan.summary()
    field = label.split()[0]
    assert f". First: row 2, field {field}: no {label} column: none of the 2 rows will show on " in summary, summary
    assert "column :" not in summary and "column ," not in summary
    # a problem in a column still names its column
    bad = core.prepare_import(store, b"customer_id,date,text\nA,2099-01-01,x\n", "g.csv", "feedback",
                              constants={"channel": "review"})
    assert ". First: row 2, column date: date after the import day" in bad.summary()


def test_blank_ticket_and_feedback_dates_warn_per_row_counted_like_pandas(store):
    rng = np.random.default_rng(5)
    when = np.where(rng.random(40) < 0.3, "", "2025-02-03 10:00")
    tickets = pd.DataFrame({"ticket_id": [f"T{i}" for i in range(40)], "customer_id": "A", "opened": when})
    plan = core.prepare_import(store, to_csv(tickets), "t.csv", "tickets")
    found = rows_with(plan, "no opened date")
    blank = read(to_csv(tickets))
    assert found["row"].tolist() == blank["row"][blank["opened"].isna()].tolist() and len(found) > 5
    assert set(found["column"]) == {"opened"} and set(found["severity"]) == {"warning"}
    assert "Feedback themes" in found["problem"][0]

    days = np.where(rng.random(40) < 0.3, "", "2025-02-03")
    feedback = pd.DataFrame({"customer_id": "A", "date": days, "text": "ok"})
    plan = core.prepare_import(store, to_csv(feedback), "f.csv", "feedback", constants={"channel": "review"})
    blank = read(to_csv(feedback))
    assert rows_with(plan, "no date: ")["row"].tolist() == blank["row"][blank["date"].isna()].tolist()


# --------------------------------------------------------------------------- delimiters


def test_a_colon_delimited_file_is_read_as_its_columns(store):
    data = b"ticket_id:customer_id:subject\nT1:A:Login fails\nT2:B:Refund\nT3:C:Slow\n"
    plan = core.prepare_import(store, data, "c.txt", "tickets")
    assert len(plan.raw.frame.columns) == 3 and rows_with(plan, "the file seems separated").empty


def test_a_file_separated_by_a_delimiter_the_reader_does_not_split_is_an_error_on_every_row(store):
    data = b"customer_id~name~segment\nN1~Acme~SMB\nN2~Birch~Enterprise\nN3~Cedar~SMB\n"
    header = "customer_id~name~segment"
    plan = core.prepare_import(store, data, "c.txt", "customers", mapping={"customer_id": header})
    assert len(plan.raw.frame.columns) == 1
    found = rows_with(plan, "the file seems separated by '~' (3 columns in the header)")
    assert cells(found) == [(r, header, "error") for r in (2, 3, 4)]
    refused_strictly(store, plan)


def test_a_clean_file_of_each_kind_has_no_plausibility_finding(store):
    files = {
        "revenue": b"customer_id,period,mrr,amount\nA,2025-05-01,10,\nB,2025-05-01,,-5\n",
        "activity": b"customer_id,date,metric,value\nA,2025-05-02,logins,3\n",
        "tickets": b"ticket_id,customer_id,opened,resolved\nT1,A,2025-05-02 10:00,2025-05-03 09:00\n",
        "feedback": b"customer_id,date,channel,score,text\nA,2025-05-02,nps,9,Caf\xc3\xa9 great\n",
        "customers": b"customer_id,signup_date,renewal_date,name\nN1,2024-12-24,2026-12-24,M\xc3\xbcller\n",
    }
    for kind, data in files.items():
        assert core.prepare_import(store, data, f"{kind}.csv", kind).report.empty, kind
