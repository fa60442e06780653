"""AppTest of the Data page's "Date format (optional)" (ui/data/importing.py): a typed format reads every date
column with it (what ``--date-format`` does on the command line), an unusable one is one plain message, and the
messages about dates point to the control in the page's words, never to the command-line option.

The dates expected are read from the generated file with pandas, not by the app's code.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd

import core
from tests.pages.conftest import data_page

FLAG = re.compile(r"(?<![\w-])--[a-z]")
CONTROL = "in Date format (above the column mapping)"  # how the messages name the control


def _day_first(n: int = 40, seed: int = 0) -> bytes:
    """Customers whose signup dates are written DD/MM/YYYY with every day 12 or less: either reading parses."""
    rng = np.random.default_rng(seed)
    days, months = rng.integers(1, 13, n), rng.integers(1, 13, n)
    days[0], months[0] = 3, 4  # 03/04/2023: 3 April, not 4 March
    rows = "".join(f"C{i:03d},{d:02d}/{m:02d}/2023\n" for i, (d, m) in enumerate(zip(days, months)))
    return ("customer_id,signup_date\n" + rows).encode()


def _upload(data: bytes, name: str = "customers.csv"):
    at = data_page()
    at.file_uploader[0].upload(name, data, "text/csv").run()
    at.selectbox(key="data_kind").set_value("customers").run()
    assert not at.exception, at.exception
    return at


def _report(at) -> pd.DataFrame:
    """The validation report on screen (empty when the file has no problem)."""
    return next((d.value for d in at.dataframe if "problem" in d.value.columns), pd.DataFrame(columns=["problem"]))


def _plain(text: str) -> str:
    """A message as the analyst reads it (the page escapes Markdown in messages)."""
    return re.sub(r"\\([\\`*_\[\]<>!|~$()#+.-])", r"\1", text)


def test_the_ambiguity_warning_points_to_the_control_and_the_typed_format_reads_day_first(store_url):
    data = _day_first()
    at = _upload(data)
    box = at.text_input(key="data_date_format")
    assert box.label == "Date format (optional)" and box.value == ""
    assert "%d/%m/%Y (31/03/2024)" in box.help and "detected" in box.help
    report = _report(at)
    warned = report[report["problem"].str.startswith("day and month can be read either way")]
    assert len(warned) == 1 and warned["severity"].tolist() == ["warning"]
    assert warned["fix"].iloc[0].endswith(f"or type '%d/%m/%Y' {CONTROL}")
    assert not FLAG.search(" ".join(report["fix"]))

    box.input("%d/%m/%Y").run()
    assert not at.exception, at.exception
    assert len(at.error) == 0 and _report(at).empty  # read as the analyst said: nothing ambiguous left
    at.button(key="data_import").click().run()
    assert not at.exception, at.exception
    stored = core.load_table(core.make_engine(store_url), "customer").set_index("customer_id")["signup_date"]
    raw = pd.read_csv(io.BytesIO(data), dtype=str).set_index("customer_id")["signup_date"]
    day_first = pd.to_datetime(raw, format="%d/%m/%Y")
    assert (day_first != pd.to_datetime(raw, format="%m/%d/%Y")).any()  # the two readings differ
    assert stored.sort_index().dt.normalize().equals(day_first.sort_index().rename(stored.name))
    assert stored["C000"] == pd.Timestamp("2023-04-03")


def test_an_unusable_format_is_one_plain_line_and_clearing_it_brings_the_file_back(store_url):
    at = _upload(_day_first())
    at.text_input(key="data_date_format").input("%Q").run()
    assert not at.exception, at.exception
    assert len(at.error) == 1
    message = _plain(at.error[0].value)
    assert message.startswith("The date format '%Q' is unusable ('Q' is a bad directive). Write it with strftime "
                              "codes, e.g. %Y-%m-%d (2024-03-31), %d/%m/%Y (31/03/2024)")
    assert message.endswith("or leave it out and each date column's format is detected.") and "\n" not in message
    assert not FLAG.search(message)
    assert "data_import" not in [b.key for b in at.button] and not any(m.label == "Rows read" for m in at.metric)
    assert core.table_counts(core.make_engine(store_url))["importlog"] == 0

    at.text_input(key="data_date_format").input("").run()  # left empty again: detected per column
    assert not at.exception and len(at.error) == 0, at.error
    assert any(m.label == "Rows read" and m.value == "40" for m in at.metric)
    assert "data_import" in [b.key for b in at.button]


def test_an_unparseable_date_names_the_control_not_the_option(store_url):
    at = _upload(b"customer_id,signup_date\nA,2024-01-05\nB,2024-13-45\n")
    report = _report(at)
    bad = report[report["problem"] == "unparseable date"]
    assert bad["row"].tolist() == [3]
    assert bad["fix"].iloc[0] == f"write it like the rest of the column (2024-03-31), or type the format of every " \
                                 f"date column {CONTROL}"
