"""Formula neutralisation: text that a spreadsheet would run gets an apostrophe, nothing else changes; and its
inverse, which the importer applies so that a file we wrote reads back as it was."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.export.cells import neutralise, neutralise_frame, unneutralise, unneutralise_text

#: the formula starts (OWASP CSV injection), written apart from the module's own tuple
STARTS = "=+-@\t\r\n"


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1+2", "'=1+2"),
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-3", "'-3"),
        ("-", "'-"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+2", "'\t=1+2"),
        ("\r=1+2", "'\n=1+2"),
        ("\n=1+2", "'\n=1+2"),
        ("a\r=1+2", "a\n=1+2"),
        ("a\r\nb", "a\nb"),
    ],
)
def test_every_formula_start_gets_an_apostrophe(text, safe):
    assert neutralise(text) == safe


@pytest.mark.parametrize(
    "value",
    ["Acme", "", "a=b", "1+2", " =1", "'=already text", "a\n=1", 3, -3, -1.5, 0, True, None, b"=1+2",
     dt.date(2024, 1, 31), pd.Timestamp("2024-01-31")],
    ids=repr,
)
def test_other_values_are_left_alone(value):
    assert neutralise(value) is value


@pytest.mark.parametrize("value", [float("nan"), np.nan, pd.NA, pd.NaT])
def test_missing_values_are_left_alone(value):
    assert neutralise(value) is value


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet=st.sampled_from("=+-@\t\r\n 'aZ1é"), max_size=6))
def test_neutralised_text_never_starts_like_a_formula(text):
    out = neutralise(text)
    lf = text.replace("\r\n", "\n").replace("\r", "\n")  # carriage returns are written as line feeds
    if text and text[0] in STARTS:
        assert out == "'" + lf
    else:
        assert out == lf
    assert not out or out[0] not in STARTS
    assert "\r" not in out


def test_neutralise_frame_cells_names_and_index():
    df = pd.DataFrame(
        {
            "name": ["=1+2", "Acme", None],
            "=total": [-3, 4, 5],
            "share": [-0.5, np.nan, 0.25],
            "day": pd.to_datetime(["2024-01-31", "2024-02-29", None]),
        },
        index=pd.Index(["@a", "b", "-c"], name="customer"),
    )
    expected = pd.DataFrame(
        {
            "name": ["'=1+2", "Acme", None],
            "'=total": [-3, 4, 5],
            "share": [-0.5, np.nan, 0.25],
            "day": pd.to_datetime(["2024-01-31", "2024-02-29", None]),
        },
        index=pd.Index(["'@a", "b", "'-c"], name="customer"),
    )
    pd.testing.assert_frame_equal(neutralise_frame(df), expected)


def test_neutralise_frame_covers_the_pandas_string_dtype():
    df = pd.DataFrame({"s": pd.array(["+cmd|x", "ok", None], dtype="string")},
                      index=pd.Index(["=i", "j", "k"], dtype="string"))
    out = neutralise_frame(df)
    assert out["s"].tolist() == ["'+cmd|x", "ok", pd.NA]
    assert out.index.tolist() == ["'=i", "j", "k"]


def test_neutralise_frame_covers_text_categories():
    df = pd.DataFrame({"plan": pd.Categorical(["=1+2", "Pro", "=1+2", None]), "n": pd.Categorical([1, 2, 1, 2])})
    out = neutralise_frame(df)
    assert out["plan"].tolist() == ["'=1+2", "Pro", "'=1+2", np.nan]
    assert out["n"].tolist() == [1, 2, 1, 2]


def test_neutralise_frame_with_repeated_column_names():
    df = pd.DataFrame([["=a", "@b", 1]], columns=["x", "x", "=y"])
    out = neutralise_frame(df)
    assert out.columns.tolist() == ["x", "x", "'=y"]
    assert out.iloc[0].tolist() == ["'=a", "'@b", 1]


def test_neutralise_frame_with_index_levels():
    index = pd.MultiIndex.from_tuples([("=2024-01", 0), ("2024-02", 1)], names=["@cohort", "period"])
    columns = pd.MultiIndex.from_tuples([("-a", "n"), ("b", "+m")])
    out = neutralise_frame(pd.DataFrame([[1, 2], [3, 4]], index=index, columns=columns))
    assert out.index.tolist() == [("'=2024-01", 0), ("2024-02", 1)]
    assert out.index.names == ["'@cohort", "period"]
    assert out.columns.tolist() == [("'-a", "n"), ("b", "'+m")]
    assert out.to_numpy().tolist() == [[1, 2], [3, 4]]


def test_neutralise_frame_keeps_numbers_and_dates_as_they_are():
    df = pd.DataFrame(
        {"n": [-3, 2], "x": [-1.5, 2.0], "day": pd.to_datetime(["2024-01-31", "2024-02-01"])},
        index=pd.date_range("2024-01-01", periods=2, name="when"),
    )
    out = neutralise_frame(df)
    pd.testing.assert_frame_equal(out, df)
    assert out.dtypes.tolist() == [np.dtype("int64"), np.dtype("float64"), np.dtype("<M8[ns]")]


def test_neutralise_frame_does_not_modify_its_input():
    df = pd.DataFrame({"=c": ["=1+2", "-3"], "s": pd.array(["@x", "y"], dtype="string")}, index=["+i", "j"])
    before = df.copy(deep=True)
    out = neutralise_frame(df)
    pd.testing.assert_frame_equal(df, before)
    assert out is not df
    assert out["'=c"].tolist() == ["'=1+2", "'-3"]


def test_neutralise_frame_of_an_empty_frame():
    out = neutralise_frame(pd.DataFrame(columns=["=a"]))
    assert out.columns.tolist() == ["'=a"] and out.empty


# --------------------------------------------------------------------------- the inverse, for files coming back


@pytest.mark.parametrize(
    "text",
    ["=1+2", "+44 20 7946 0000", "-3", "-", "@SUM(A1)", "\t=1+2", "\n=1+2",
     "Acme", "", "a=b", "1+2", " =1", "O'Brien", "'Acme", "'"],
    ids=repr,
)
def test_unneutralise_undoes_neutralise(text):
    assert unneutralise(neutralise(text)) == text


@pytest.mark.parametrize("start", list(STARTS), ids=repr)
def test_unneutralise_drops_exactly_one_apostrophe_before_a_formula_start(start):
    assert unneutralise("'" + start + "3") == start + "3"
    assert unneutralise("''" + start + "3") == "''" + start + "3"  # neutralise never writes two


@pytest.mark.parametrize(
    "value",
    ["'Acme", "O'Brien", "'", "''", "'1+2", " '-3", "a'-3", "'a\n=1", "", 3, -3, -1.5, None, b"'=1",
     dt.date(2024, 1, 31), float("nan"), pd.NA],
    ids=repr,
)
def test_unneutralise_leaves_other_values_alone(value):
    assert unneutralise(value) is value


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet=st.sampled_from("=+-@\t\r\n 'aZ1é"), max_size=6))
def test_unneutralise_inverts_neutralise_for_any_text_that_was_not_already_quoted(text):
    if len(text) > 1 and text[0] == "'" and text[1] in STARTS:
        return  # "'-3" written by hand: neutralise leaves it, so the import reads it as -3 (the documented cost)
    assert unneutralise(neutralise(text)) == text.replace("\r\n", "\n").replace("\r", "\n")


@pytest.mark.parametrize("text", ["\r=1+2", "a\r=1+2", "a\r\n@SUM(A1)", "x\n-2+3"], ids=repr)
def test_a_csv_cell_with_a_line_break_stays_one_cell(text):
    """A lone carriage return is a row break to every CSV reader; unquoted, the text after it was a new row starting
    with a formula. Written as a line feed the cell is quoted and reads back whole."""
    import csv
    import io

    from core.export.csv import to_csv_bytes

    rows = list(csv.reader(io.StringIO(to_csv_bytes(pd.DataFrame({"a": [text], "b": [1]})).decode(), newline="")))
    assert len(rows) == 2 and rows[1][1] == "1"
    assert unneutralise(rows[1][0]) == text.replace("\r\n", "\n").replace("\r", "\n")


@pytest.mark.parametrize("dtype", [object, "string", pd.StringDtype("pyarrow", na_value=np.nan)], ids=str)
def test_unneutralise_text_over_every_text_dtype(dtype):
    s = pd.Series(["'-3", "'+44 20", "'Acme", "O'Brien", None, "''=x", "'\t1", "plain"], dtype=dtype)
    out = unneutralise_text(s)
    assert out.dtype == s.dtype
    assert out.tolist()[:4] + out.tolist()[5:] == ["-3", "+44 20", "'Acme", "O'Brien", "''=x", "\t1", "plain"]
    assert pd.isna(out.iloc[4])
    assert s.iloc[0] == "'-3"  # the input is not modified


def test_unneutralise_text_of_a_neutralised_frame_gives_the_frame_back():
    df = pd.DataFrame({"name": ["=1+2", "Acme", None, "O'Brien"], "id": ["+44 20 7946 0000", "-", "@x", "'Acme"]})
    back = neutralise_frame(df).apply(unneutralise_text)
    pd.testing.assert_frame_equal(back, df)


def test_unneutralise_text_leaves_non_text_series_alone():
    for s in (pd.Series([-3.0, np.nan]), pd.Series([1, 2]), pd.Series([], dtype=object)):
        pd.testing.assert_series_equal(unneutralise_text(s), s)
