"""A forced date format is checked before any file is read (core/ingest/date_formats.py)."""

import pandas as pd
import pytest

import core
from core.errors import DataValidationError
from core.ingest.date_formats import check_date_format


@pytest.mark.parametrize("fmt", ["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y %H:%M", "%Y%m%d", "%b %d, %Y", "%d.%m.%Y",
                                 "%Y-%m-%dT%H:%M:%S%z", "ISO8601", "mixed"])
def test_formats_the_parser_can_use_pass_unchanged(fmt):
    assert check_date_format(fmt) == fmt
    pd.to_datetime(pd.Series(["2024-03-31"]), format=fmt, errors="coerce")  # the parser takes it too


@pytest.mark.parametrize("fmt", [None, ""])
def test_no_format_means_detected_per_column(fmt):
    assert check_date_format(fmt) is None


@pytest.mark.parametrize("fmt, problem", [
    ("%Q", "('Q' is a bad directive)"), ("%e/%m/%Y", "('e' is a bad directive)"), ("%Y-%m-%", "(stray %)"),
    ("YYYY-MM-DD", "(it has no % code, so it reads no day, month or year)"), ("100%%", "(it has no % code"),
    ("%G-%V", "(ISO year directive '%G' must be used with the ISO week directive"),
])
def test_an_unusable_format_is_one_line_naming_the_option_and_formats_that_work(fmt, problem):
    with pytest.raises(DataValidationError) as info:
        check_date_format(fmt, "--date-format")
    text = str(info.value)
    assert text.startswith(f"--date-format '{fmt}' is unusable {problem}")
    assert "%Y-%m-%d (2024-03-31)" in text and "%d/%m/%Y (31/03/2024)" in text and "\n" not in text
    if "%" in fmt.replace("%%", ""):  # the parser itself would have failed on it, deep inside the import
        with pytest.raises(ValueError):
            pd.to_datetime(pd.Series(["2024-03-31"]), format=fmt)


def test_prepare_import_refuses_the_format_before_reading_the_file(engine):
    not_a_spreadsheet = b"\x89PNG\r\n\x1a\n" + bytes(64)  # would be refused too, but only once read
    with pytest.raises(DataValidationError, match=r"^The date format '%Q' is unusable \('Q' is a bad directive\)"):
        core.prepare_import(engine, not_a_spreadsheet, "picture.csv", "customers", date_format="%Q")


def test_a_usable_forced_format_still_reads_the_file(engine):
    data = b"customer_id,signup_date\nC1,31/03/2024\nC2,01/04/2024\n"
    plan = core.prepare_import(engine, data, "c.csv", "customers", date_format="%d/%m/%Y")
    assert plan.n_errors == 0 and plan.date_formats["signup_date"] == "%d/%m/%Y"
