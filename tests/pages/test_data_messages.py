"""AppTest of the Data page's messages: in the page's words (no command-line option such as ``--map``), and row
numbers as whole numbers (issue 19, point 10). The same files through the CLI still name the options."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from core.cli.main import main
from tests.pages.conftest import data_page

FLAG = re.compile(r"(?<![\w-])--[a-z]")
FLOAT_ROW = re.compile(r"row \d+\.\d")

MISSING_FIELD = b"period,mrr\n2024-01-01,10\n2024-02-01,12\n"  # revenue without a customer id
SNAPSHOT = b"customer_id,tenure,churned\nA,3,No\nB,5,Yes\n"  # needs the snapshot date
BAD_ROWS = (b"customer_id,signup_date,segment\nA,2024-01-05,SMB\n,2024-01-06,SMB\nA,2024-01-07,SMB\n"
            b"B,2024-13-45,SMB\n")  # a blank id, a repeat of row 2, a date that does not parse


def _upload(name: str, data: bytes, kind: str) -> AppTest:
    at = data_page()
    at.file_uploader[0].upload(name, data, "text/csv").run()
    at.selectbox(key="data_kind").set_value(kind).run()
    assert not at.exception, at.exception
    return at


def _shown(at: AppTest) -> list[str]:
    return [e.value for e in (*at.error, *at.warning, *at.info, *at.markdown, *at.caption)]


@pytest.mark.parametrize(("data", "kind", "words"), [
    (MISSING_FIELD, "revenue", "pick its column for 'customer_id' in the column mapping"),
    (SNAPSHOT, "customers", "give the snapshot date (Snapshot date, above the column mapping)"),
])
def test_a_file_missing_what_its_kind_needs_is_explained_in_the_pages_words(store_url, data, kind, words):
    at = _upload("f.csv", data, kind)
    errors = [e.value.replace("\\", "") for e in at.error]  # the page escapes Markdown in messages
    assert len(errors) == 1 and words in errors[0]
    assert not any(FLAG.search(t) for t in _shown(at))


def test_the_report_of_a_file_with_bad_rows_names_no_option_and_whole_row_numbers(store_url):
    at = _upload("c.csv", BAD_ROWS, "customers")
    report = next(d.value for d in at.dataframe if "problem" in d.value.columns)
    assert set(report["problem"]) >= {"duplicate customer id", "unparseable date", "missing customer id"}
    text = " ".join(report["fix"].astype(str)) + " ".join(report["column"].astype(str)) + " ".join(_shown(at))
    assert not FLAG.search(text) and not FLOAT_ROW.search(text)
    assert "this id is first at row 2;" in text
    assert report["row"].tolist() == sorted(report["row"]) and {3, 4, 5} <= set(report["row"])


@pytest.mark.parametrize(("data", "args", "flag"), [
    (MISSING_FIELD, ["--kind", "revenue"], "--map COLUMN=customer_id"),
    (SNAPSHOT, ["--kind", "customers"], "--as-of YYYY-MM-DD"),
    (b"customer_id,signup_date\nA,2024-01-05\nB,2024-13-45\n", ["--kind", "customers"], "--date-format"),
])
def test_the_cli_still_names_its_options(tmp_path, capsys, store_url, data, args, flag):
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    main(["--db", store_url, "import", str(path), *args])
    out = capsys.readouterr()
    assert flag in out.out + out.err and not FLOAT_ROW.search(out.out + out.err)
