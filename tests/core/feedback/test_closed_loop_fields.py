"""The closed loop on reported issues (issue 25 item 5) in the store: a survey tool's export with its follow-up status,
the day each customer was followed up, the day the follow-up was closed and its reopenings maps each column to its
field and loads its values exactly (read back with sqlite3), the status too; a reopening count that is negative or not
whole is refused naming the row, the column and a fix, the store left as it was; a follow-up or a close dated before
the answer loads with a warning. ``set_status`` keeps the loop's days: the first follow-up, the close (the first close
kept), and one more reopening each time a closed follow-up is opened again, an imported closed word ("Done") too.

Row numbers are spreadsheet row numbers: the header is row 1, the first data row row 2.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import types

import pytest
from sqlalchemy import text

import core
from core.errors import DataValidationError
from core.feedback import store as theme_store
from core.feedback.inputs import CLOSED_WORDS
from core.ingest import fields as F
from core.ingest.reader import read_table
from core.service import follow_up as fu
from core.store.read import load_columns
from tests.core.ingest.test_ticket_service_fields import customers_store

CUSTOMERS = [f"C{i:03d}" for i in range(1, 9)]
SEED_CSV = ("customer_id,name\n" + "".join(f"{c},Company {c}\n" for c in CUSTOMERS)).encode()

#: a survey tool's headers -> field; None: not a field, kept with the row's attributes
SURVEY = {"Respondent ID": None, "Customer ID": "customer_id", "Response Date": "date", "Survey": "channel",
          "Score": "score", "Comment": "text", "Follow-up status": "status", "Followed up at": "followed_up",
          "Closed at": "closed", "Reopens": "reopens"}
HEADERS = list(SURVEY)
#: the export's rows, as written (blank = ""): closed words, in progress, open and no status; a reopened one
ROWS = [
    ["R101", "C001", "2024-03-01", "NPS", "3", "slow support", "Done", "2024-03-02", "2024-03-05", "1"],
    ["R102", "C002", "2024-03-02", "NPS", "9", "great tool", "", "", "", ""],
    ["R103", "C003", "2024-03-03", "NPS", "6", "meh", "In progress", "2024-03-03", "", "0"],
    ["R104", "C004", "2024-03-04", "NPS", "0", "awful billing", "Open", "", "", ""],
    ["R105", "C005", "2024-03-05", "NPS", "5", "export broke", "Closed", "2024-03-06", "2024-03-10", "2"],
    ["R106", "C006", "2024-03-06", "NPS", "8", "fine", "Resolved", "2024-03-09", "2024-03-09", "0"],
    ["R107", "C007", "2024-03-07", "NPS", "2", "", "", "2024-03-08", "", ""],
]
COLUMNS = ["customer_id", "date", "channel", "score", "text", "status", "followed_up", "closed", "reopens"]


def csv_bytes(rows=ROWS, headers=HEADERS) -> bytes:
    return ("\n".join(",".join(r) for r in [headers, *rows]) + "\n").encode()


@pytest.fixture
def store(tmp_path):
    """A SQLite store file holding eight customers; its path, for sqlite3, and its engine."""
    yield from customers_store(tmp_path, SEED_CSV)


def stored(path, columns=COLUMNS) -> list[tuple]:
    """The feedback table as sqlite3 reads it (no store code in between), in load order."""
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT {', '.join(columns)} FROM feedback ORDER BY id").fetchall()


def expected(rows=ROWS) -> list[tuple]:
    """The file's values in the store's types: ISO days, numbers as floats, the channel lower-cased, blank NULL."""
    out = []
    for _, cid, day, survey, score, comment, status, followed, closed, reopens in rows:
        out.append((cid, day, survey.lower(), float(score), comment or None, status or None, followed or None,
                    closed or None, float(reopens) if reopens else None))
    return out


def import_survey(eng, rows=ROWS):
    plan = core.prepare_import(eng, csv_bytes(rows), "survey_export.csv", "feedback")
    return plan, core.commit_import(eng, plan)


# --------------------------------------------------------------------------- a survey tool's export


def test_survey_headers_map_to_their_fields():
    frame = read_table(csv_bytes(), "survey_export.csv").frame
    assert F.guess_mapping(frame, "feedback") == {field: h for h, field in SURVEY.items() if field}


def test_survey_export_loads_every_value_exactly_the_status_too(store):
    path, eng = store
    plan, result = import_survey(eng)
    assert plan.mapping == {field: h for h, field in SURVEY.items() if field}
    assert plan.report.empty and plan.rows_valid == len(ROWS)
    assert result.tables["feedback"] == len(ROWS)
    assert stored(path) == expected()
    # the fixed bug: the export's follow-up status reaches the store (it was stored NULL)
    assert [r[5] for r in stored(path)] == ["Done", None, "In progress", "Open", "Closed", "Resolved", None]
    with sqlite3.connect(path) as conn:
        respondents = [r[0] for r in conn.execute("SELECT json_extract(attributes, '$.\"Respondent ID\"') "
                                                  "FROM feedback ORDER BY id")]
    assert respondents == [r[0] for r in ROWS]


def test_a_file_without_the_loop_fields_stores_nulls(store):
    path, eng = store
    keep = [0, 1, 2, 3, 4, 5]
    rows = [[r[i] for i in keep] for r in ROWS]
    plan = core.prepare_import(eng, csv_bytes(rows, [HEADERS[i] for i in keep]), "old_survey.csv", "feedback")
    assert plan.n_errors == 0 and not {"status", "followed_up", "closed", "reopens"} & set(plan.mapping)
    core.commit_import(eng, plan)
    assert stored(path, ["status", "followed_up", "closed", "reopens"]) == [(None,) * 4] * len(ROWS)


def test_whole_reopenings_written_with_a_decimal_are_accepted(store):
    path, eng = store
    rows = [r[:9] + [v] for r, v in zip(ROWS[:3], ["2.0", "0", ""])]
    plan, _ = import_survey(eng, rows)
    assert plan.n_errors == 0, plan.report
    assert [r[0] for r in stored(path, ["reopens"])] == [2.0, 0.0, None]


# --------------------------------------------------------------------------- refusals and warnings


@pytest.mark.parametrize("value", ["-1", "1.5"])
def test_a_bad_reopening_count_is_refused_naming_row_column_and_fix(store, value):
    path, eng = store
    import_survey(eng, ROWS[:2])
    before = core.table_counts(eng), stored(path)
    assert before[0]["feedback"] == 2 and before[0]["customer"] == len(CUSTOMERS)

    rows = [list(r) for r in ROWS]
    rows[2][9] = value  # spreadsheet row 4
    plan = core.prepare_import(eng, csv_bytes(rows), "survey_export.csv", "feedback")
    rep = plan.report
    assert rep[["row", "column", "field", "value", "problem", "severity"]].values.tolist() == \
           [[4, "Reopens", "reopens", value, "reopens not a count", "error"]]
    assert rep.loc[0, "fix"].startswith("use a whole number, 0 or more")
    assert plan.n_errors == 1 and plan.rows_valid == len(ROWS) - 1
    with pytest.raises(DataValidationError) as info:
        core.commit_import(eng, plan)
    assert "nothing was loaded" in str(info.value)
    assert "row 4, column Reopens: reopens not a count (use a whole number, 0 or more" in str(info.value)
    assert (core.table_counts(eng), stored(path)) == before


@pytest.mark.parametrize("column, problem", [(7, "followed up before the answer was given"),
                                             (8, "closed before the answer was given")])
def test_a_loop_day_before_the_answer_loads_with_a_warning(store, column, problem):
    path, eng = store
    rows = [list(r) for r in ROWS]
    rows[4][column] = "2024-03-04"  # spreadsheet row 6; answered on 2024-03-05
    plan, result = import_survey(eng, rows)
    rep = plan.report
    assert rep[["row", "column", "field", "value", "problem", "severity"]].values.tolist() == \
           [[6, HEADERS[column], SURVEY[HEADERS[column]], "2024-03-04", problem, "warning"]]
    assert rep.loc[0, "fix"] == "check the two times; the row is loaded as given"
    assert plan.n_errors == 0 and result.rows_loaded == len(ROWS)
    assert stored(path) == expected(rows)  # as given


# --------------------------------------------------------------------------- set_status keeps the loop's days


class Clock:
    """``core.feedback.store.dt`` with a settable today."""

    def __init__(self, monkeypatch):
        clock = self

        class Day(dt.date):
            @classmethod
            def today(cls):
                return clock.day

        self.day = dt.date(2024, 4, 1)
        monkeypatch.setattr(theme_store, "dt", types.SimpleNamespace(date=Day, datetime=dt.datetime, UTC=dt.UTC))

    def set(self, eng, vid: str, status: str, day: dt.date) -> int:
        self.day = day
        return theme_store.set_status(eng, [vid], status)


D1, D2, D3, D4, D5, D6 = (dt.date(2024, 4, d) for d in (1, 3, 6, 10, 15, 21))


@pytest.fixture
def loop(store, monkeypatch):
    """The survey export imported; sqlite3's path, the engine, a clock, and the verbatim id of each row."""
    path, eng = store
    import_survey(eng)
    with sqlite3.connect(path) as conn:
        vids = [f"F{r[0]}" for r in conn.execute("SELECT id FROM feedback ORDER BY id")]
    return path, eng, Clock(monkeypatch), vids


def loop_row(path, vid: str) -> tuple:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT status, followed_up, closed, reopens FROM feedback WHERE id = ?",
                            (int(vid[1:]),)).fetchone()


def test_the_loop_from_open_to_closed_and_reopened_twice(loop):
    path, eng, clock, vids = loop
    vid = vids[3]  # imported "Open", never followed up
    assert loop_row(path, vid) == ("Open", None, None, None)
    assert clock.set(eng, vid, "open", D1) == 1
    assert loop_row(path, vid) == ("open", None, None, None)  # not followed up by being left open
    clock.set(eng, vid, "in progress", D2)
    assert loop_row(path, vid) == ("in progress", str(D2), None, None)
    clock.set(eng, vid, "closed", D3)
    assert loop_row(path, vid) == ("closed", str(D2), str(D3), None)  # the first follow-up kept
    clock.set(eng, vid, "closed", D4)
    assert loop_row(path, vid) == ("closed", str(D2), str(D3), None)  # closed again: the first close kept
    clock.set(eng, vid, "open", D5)
    assert loop_row(path, vid) == ("open", str(D2), None, 1.0)  # reopened: the close cleared
    clock.set(eng, vid, "open", D5)
    assert loop_row(path, vid) == ("open", str(D2), None, 1.0)  # open again is no reopening
    clock.set(eng, vid, "closed", D6)
    assert loop_row(path, vid) == ("closed", str(D2), str(D6), 1.0)
    clock.set(eng, vid, "in progress", D6 + dt.timedelta(days=1))
    assert loop_row(path, vid) == ("in progress", str(D2), None, 2.0)  # in progress again is a reopening too


def test_closing_at_once_follows_up_that_day(loop):
    path, eng, clock, vids = loop
    vid = vids[1]  # no status
    clock.set(eng, vid, "closed", D2)
    assert loop_row(path, vid) == ("closed", str(D2), str(D2), None)


def test_an_old_closed_day_is_kept_when_closed_again(loop):
    path, eng, clock, vids = loop
    vid = vids[2]
    with eng.begin() as conn:
        conn.execute(text("UPDATE feedback SET status = 'closed', closed = '2020-01-01' WHERE id = :i"),
                     {"i": int(vid[1:])})
    clock.set(eng, vid, "closed", D4)
    assert loop_row(path, vid) == ("closed", "2024-03-03", "2020-01-01", 0.0)


def test_an_imported_closed_word_reopened_counts_a_reopening(loop):
    path, eng, clock, vids = loop
    assert "done" in CLOSED_WORDS and "resolved" in CLOSED_WORDS
    assert loop_row(path, vids[0]) == ("Done", "2024-03-02", "2024-03-05", 1.0)
    clock.set(eng, vids[0], "open", D1)
    assert loop_row(path, vids[0]) == ("open", "2024-03-02", None, 2.0)  # the imported count goes on
    clock.set(eng, vids[5], "in progress", D1)  # "Resolved", never reopened
    assert loop_row(path, vids[5]) == ("in progress", "2024-03-09", None, 1.0)


def test_an_imported_close_is_kept_and_an_imported_close_without_a_day_gets_today(loop):
    path, eng, clock, vids = loop
    clock.set(eng, vids[4], "closed", D3)  # "Closed" on 2024-03-10
    assert loop_row(path, vids[4]) == ("closed", "2024-03-06", "2024-03-10", 2.0)
    with eng.begin() as conn:
        conn.execute(text("UPDATE feedback SET status = ' Done ', closed = NULL WHERE id = :i"),
                     {"i": int(vids[6][1:])})
    clock.set(eng, vids[6], "closed", D3)
    assert loop_row(path, vids[6]) == ("closed", "2024-03-08", str(D3), None)  # the imported follow-up kept


def test_in_progress_on_an_open_row_is_no_reopening(loop):
    path, eng, clock, vids = loop
    clock.set(eng, vids[2], "in progress", D4)  # imported "In progress", followed up 2024-03-03, 0 reopenings
    assert loop_row(path, vids[2]) == ("in progress", "2024-03-03", None, 0.0)


def test_only_the_given_verbatims_change(loop):
    path, eng, clock, vids = loop
    before = stored(path)
    clock.day = D4
    assert theme_store.set_status(eng, [vids[1], vids[3]], "in progress") == 2
    after = stored(path)
    assert [a for i, a in enumerate(after) if i not in (1, 3)] == [b for i, b in enumerate(before) if i not in (1, 3)]
    assert [after[i][5:] for i in (1, 3)] == [("in progress", str(D4), None, None)] * 2


def test_the_real_clock_is_today(store):
    path, eng = store
    import_survey(eng)
    with sqlite3.connect(path) as conn:
        first = conn.execute("SELECT id FROM feedback WHERE status = 'Open'").fetchone()[0]
    theme_store.set_status(eng, [f"F{first}"], "closed")
    assert loop_row(path, f"F{first}")[1:3] == (str(dt.date.today()),) * 2


def test_the_follow_up_reads_the_imported_days(store):
    """From the store (load_feedback) to the figures: the NPS detractors of the export and their follow-up days."""
    path, eng = store
    import_survey(eng)
    customers = load_columns(eng, "customer", ["customer_id", "churn_date"])
    frame = fu.detractor_frame(fu.load_feedback(eng), customers, "2024-12-31", 2, 90)
    got = {r.customer_id: None if r.followed_days != r.followed_days else int(r.followed_days)
           for r in frame.itertuples()}
    assert got == {"C001": 1, "C003": 0, "C004": None, "C005": 1, "C007": 1}
    r = fu.follow_up(frame, 2, 90)
    assert (r.detractors, r.in_time, r.median_days) == (5, 4, 1.0)
    assert r.judged == {"in time": (4, 0), "not in time": (1, 0)}
