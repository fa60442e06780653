"""The typing of a file's extra columns: the same values and warnings as column-by-column pandas typing, and a
frame built at once however wide the file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from core.ingest import fields as F
from core.ingest.field_types import extra_columns
from core.ingest.issues import Issues
from core.ingest.reader import RawTable, read_table
from tests.core.ingest.hostile_files import wide_csv

COLUMNS = {
    "plain": ["1", "2.5", "-3", "1e3", "7"],
    "with_blanks": ["1", None, "3", None, "5"],
    "white_space": ["1", " ", "3", "4", "5"],
    "one_text": ["1", "2", "3", "n/a", "5"],
    "money": ["$1,200", "$3", "4", "5", "6"],
    "all_blank": [None] * 5,
    "words": ["red", "blue", "1", "green", "x"],
    "literal_nan": ["1", "nan", "3", "4", "5"],
}


def _reference(frame: pd.DataFrame, extras: list[str], issues: Issues) -> pd.DataFrame:
    """The column-by-column typing the importer used before (one pandas pass per cell kind and column)."""
    sub = pd.DataFrame(index=frame.index)
    decimal = issues.raw.details.get("decimal", ".")
    for c in extras:
        s = frame[c]
        if F.infer_extra_type(s, decimal) == "number":
            num, bad = F.to_numbers(s, decimal)
            ws = s.notna() & (s.str.strip() == "")
            issues.add(ws.to_numpy(), c, "", "blank value in a numeric column",
                       "stored as empty; fill in the number if it is known", severity="warning")
            issues.add((bad & ~ws).to_numpy(), c, "", "text in a numeric column",
                       "stored as empty; replace it with a number", severity="warning")
            sub[c] = num
        else:
            sub[c] = s
    return sub


def _raw(frame: pd.DataFrame, decimal: str = ".") -> RawTable:
    return RawTable(frame=frame, rows=np.arange(2, len(frame) + 2), file_format="csv", details={"decimal": decimal})


@pytest.mark.parametrize("dtype", [object, pd.StringDtype("pyarrow", na_value=np.nan)], ids=["object", "arrow"])
@pytest.mark.parametrize("decimal", [".", ","])
def test_same_values_and_warnings_as_column_by_column_typing(dtype, decimal):
    frame = pd.DataFrame({c: pd.Series(v, dtype=dtype) for c, v in COLUMNS.items()})
    extras = list(COLUMNS)
    new_issues, old_issues = Issues(_raw(frame, decimal)), Issues(_raw(frame, decimal))
    got, want = extra_columns(frame, extras, new_issues), _reference(frame, extras, old_issues)
    pdt.assert_frame_equal(got, want, check_dtype=False)
    assert [str(d) for d in got.dtypes] == [str(d) for d in want.dtypes]
    pdt.assert_frame_equal(new_issues.frame(), old_issues.frame())
    assert got.to_json(orient="records", lines=True) == want.to_json(orient="records", lines=True)


def test_warnings_name_the_cells():
    numbers = [str(i) for i in range(30)]
    frame = pd.DataFrame({"mostly_numbers": numbers[:20] + ["n/a"] + numbers[21:],
                          "white_space": numbers[:4] + [" "] + numbers[5:], "words": ["x"] * 30}, dtype=object)
    issues = Issues(_raw(frame))
    out = extra_columns(frame, list(frame.columns), issues)
    rep = issues.frame()
    assert list(zip(rep["column"], rep["row"], rep["problem"])) == [
        ("white_space", 6, "blank value in a numeric column"), ("mostly_numbers", 22, "text in a numeric column")]
    assert out["mostly_numbers"].isna().sum() == 1 and out["words"].tolist() == ["x"] * 30


def test_a_wide_file_types_every_column():
    raw = read_table(wide_csv(columns=2_000, rows=20), "wide.csv")
    extras = [c for c in raw.frame.columns if c.startswith("extra_")]
    issues = Issues(raw)
    out = extra_columns(raw.frame, extras, issues)
    assert out.shape == (20, 1_996) and (out.dtypes == "float64").all() and issues.frame().empty
    assert out["extra_7"].tolist() == raw.frame["extra_7"].astype(float).tolist()
