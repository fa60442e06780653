"""How import messages name their fix (core.ingest.wording): the Data page's words inside ``speaking("page")``,
the command-line options otherwise; row numbers always whole numbers."""

from __future__ import annotations

import re
import threading

import pytest

import core
from core.ingest import wording
from core.ingest.wording import how, speaking

FLAG = re.compile(r"(?<![\w-])--[a-z]")
FLOAT_ROW = re.compile(r"row \d+\.\d")


def test_every_action_has_page_words_without_a_flag_and_cli_words_with_one_where_the_cli_has_an_option():
    for action, (page, cli) in wording.ACTIONS.items():
        assert not FLAG.search(page.format(field="channel")), action
        assert "\n" not in page and "\n" not in cli
    assert how("map", "channel", where="cli") == " (--map COLUMN=channel)"
    assert how("map", "channel", where="page") == ": pick its column for 'channel' in the column mapping"


def test_the_cli_is_the_default_and_speaking_restores_the_surface_before():
    assert wording.surface() == "cli"
    with speaking("page"):
        assert wording.surface() == "page" and how("constant", "channel") == "(channel: one value for every row)"
        with speaking("cli"):
            assert how("constant", "channel") == "(--set channel)"
        assert wording.surface() == "page"
    assert wording.surface() == "cli"
    with pytest.raises(ValueError, match="surface must be"):
        with speaking("web"):
            pass


def test_another_thread_keeps_the_cli_words_while_a_page_speaks():
    seen = []
    with speaking("page"):
        t = threading.Thread(target=lambda: seen.append(wording.surface()))
        t.start()
        t.join()
    assert seen == ["cli"]


MISSING = [  # (kind, file, options, the CLI's words)
    ("feedback", b"customer_id,date,text\nA,2024-01-02,Slow\n", {}, "--map COLUMN=channel or --set channel=VALUE"),
    ("revenue", b"period,mrr\n2024-01-01,10\n", {}, "--map COLUMN=customer_id"),
    ("revenue", b"customer_id,period\nA,2024-01-01\n", {}, "--map COLUMN=mrr or --map COLUMN=amount"),
    ("customers", b"customer_id,tenure\nA,3\n", {}, "--as-of YYYY-MM-DD"),
    ("customers", b"customer_id,tenure\nA,3\n", {"as_of": "soon"}, "--as-of 'soon'"),
]


@pytest.mark.parametrize(("kind", "data", "options", "cli_words"), MISSING)
def test_a_missing_field_names_the_option_in_the_cli_and_the_page_words_on_the_page(engine, kind, data, options,
                                                                                     cli_words):
    with pytest.raises(core.DataValidationError) as cli:
        core.prepare_import(engine, data, "f.csv", kind, **options)
    assert cli_words in str(cli.value)
    with speaking("page"), pytest.raises(core.DataValidationError) as page:
        core.prepare_import(engine, data, "f.csv", kind, **options)
    message = str(page.value)
    assert not FLAG.search(message) and "\n" not in message
    assert "column mapping" in message or "napshot date" in message  # the page's own labels


BAD_ROWS = (b"customer_id,signup_date,segment\n"
            b"A,2024-01-05,SMB\n"
            b",2024-01-06,SMB\n"          # a blank id: the column holds a missing value
            b"A,2024-01-07,SMB\n"         # the repeat of row 2
            b"B,2024-13-45,SMB\n")        # a date that does not parse


def _fixes(engine, **options):
    plan = core.prepare_import(engine, BAD_ROWS, "c.csv", "customers", **options)
    return plan.report, plan.summary()


def test_row_numbers_are_whole_numbers_even_with_a_blank_key(engine):
    report, summary = _fixes(engine)
    dup = report[report["problem"] == "duplicate customer id"]
    assert dup["row"].tolist() == [4] and "this id is first at row 2;" in dup["fix"].iloc[0]
    assert not report["fix"].str.contains(FLOAT_ROW).any() and not FLOAT_ROW.search(summary)
    assert report["row"].dtype.kind == "i"


def test_row_fixes_name_options_in_the_cli_only(engine):
    cli, _ = _fixes(engine)
    assert cli["fix"].str.contains("--date-format").any()
    with speaking("page"):
        page, summary = _fixes(engine)
    assert not page["fix"].str.contains(FLAG).any() and not FLAG.search(summary)
    assert page[["row", "column", "problem"]].equals(cli[["row", "column", "problem"]])
    unknown = core.prepare_import(engine, b"customer_id,date,metric,value\nZ,2024-01-02,logins,1\n", "a.csv",
                                  "activity").report
    assert "--create-customers" in unknown["fix"].iloc[0]
    with speaking("page"):
        unknown = core.prepare_import(engine, b"customer_id,date,metric,value\nZ,2024-01-02,logins,1\n", "a.csv",
                                      "activity").report
    assert unknown["fix"].iloc[0] == "import the customers first"


def test_a_whole_file_value_is_named_in_the_surfaces_words(engine):
    data = b"customer_id,text,channel\nA,Slow,nps\n"
    core.commit_import(engine, core.prepare_import(engine, b"customer_id\nA\n", "c.csv", "customers"))
    cli = core.prepare_import(engine, data, "f.csv", "feedback", constants={"date": "2024-13-45"}).report
    with speaking("page"):
        page = core.prepare_import(engine, data, "f.csv", "feedback", constants={"date": "2024-13-45"}).report
    assert cli.loc[cli["problem"] == "unparseable date", "column"].tolist() == ["(--set date)"]
    assert page.loc[page["problem"] == "unparseable date", "column"].tolist() == ["(date: one value for every row)"]
