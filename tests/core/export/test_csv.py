"""CSV files read back with the csv module: text neutralised, numbers as written, ISO dates, UTF-8."""

import csv
import io

import numpy as np
import pandas as pd

from core.export.csv import to_csv_bytes, write_csv


def rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def risky_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": ["=1+2", "+cmd|x", "@SUM(A1)", "-3", "Café Zoë"],
            "amount": [1, -3, 2, 1234567, 0],
            "share": [0.25, -0.5, np.nan, 1.0, 0.125],
            "signup": pd.to_datetime(
                ["2024-01-31", "2023-12-01 13:45", "2024-02-29", None, "2020-06-15"], format="ISO8601"
            ),
        }
    )


EXPECTED = [
    ["name", "amount", "share", "signup"],
    ["'=1+2", "1", "0.25", "2024-01-31"],
    ["'+cmd|x", "-3", "-0.5", "2023-12-01"],
    ["'@SUM(A1)", "2", "", "2024-02-29"],
    ["'-3", "1234567", "1.0", ""],
    ["Café Zoë", "0", "0.125", "2020-06-15"],
]


def test_to_csv_bytes_neutralises_text_and_keeps_numbers_and_dates():
    assert rows(to_csv_bytes(risky_frame())) == EXPECTED


def test_the_file_is_utf8_without_a_byte_order_mark():
    data = to_csv_bytes(risky_frame())
    assert data.startswith(b"name,")
    assert "Café Zoë".encode() in data


def test_write_csv_writes_the_same_bytes(tmp_path):
    write_csv(risky_frame(), tmp_path / "a.csv")
    write_csv(risky_frame(), str(tmp_path / "b.csv"))
    with open(tmp_path / "a.csv", newline="", encoding="utf-8") as f:
        assert list(csv.reader(f)) == EXPECTED
    assert (tmp_path / "b.csv").read_bytes() == (tmp_path / "a.csv").read_bytes() == to_csv_bytes(risky_frame())


def test_header_and_index_are_neutralised_when_the_index_is_written():
    df = pd.DataFrame({"=n": [1, 2]}, index=pd.Index(["@acme", "beta"], name="customer"))
    assert rows(to_csv_bytes(df, index=True)) == [["customer", "'=n"], ["'@acme", "1"], ["beta", "2"]]
    assert rows(to_csv_bytes(df)) == [["'=n"], ["1"], ["2"]]


def test_text_categories_and_string_dtype_are_neutralised():
    df = pd.DataFrame({"plan": pd.Categorical(["=1+2", "Pro"]), "note": pd.array(["-x", None], dtype="string")})
    assert rows(to_csv_bytes(df)) == [["plan", "note"], ["'=1+2", "'-x"], ["Pro", ""]]


def test_options_reach_pandas():
    df = pd.DataFrame({"a": ["=x", "y"], "day": pd.to_datetime(["2024-01-31", "2024-02-01"])})
    assert rows(to_csv_bytes(df, sep=";")) == [["a;day"], ["'=x;2024-01-31"], ["y;2024-02-01"]]
    assert rows(to_csv_bytes(df, date_format="%d/%m/%Y")) == [["a", "day"], ["'=x", "31/01/2024"], ["y", "01/02/2024"]]


def test_the_frame_is_not_modified():
    df = risky_frame()
    before = df.copy(deep=True)
    to_csv_bytes(df, index=True)
    pd.testing.assert_frame_equal(df, before)
