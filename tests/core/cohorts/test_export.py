"""The cohort export (core.cohorts.export): one frame for the CSV and the workbook, the page's sheets."""

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from core.cohorts import export
from core.cohorts.table import cohort_table
from core.metrics import GLOSSARY


@pytest.fixture(scope="module")
def t():
    """Six customers in three monthly cohorts, two of them churned."""
    customers = pd.DataFrame({
        "customer_id": list("abcdef"),
        "signup_date": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-02-03", "2024-02-10", "2024-03-01",
                                       "2024-03-15"]),
        "churn_date": pd.to_datetime([None, "2024-03-10", None, "2024-02-25", None, None])})
    return cohort_table(customers, as_of="2024-06-30", min_size=1)


def test_the_frame_is_the_sizes_the_values_and_the_average_row(t):
    f = export.export_frame(t)
    assert f.columns.tolist() == ["customers", *t.values.columns.tolist()]
    assert f.index.tolist() == [*t.values.index.tolist(), "average"]
    assert f["customers"].iloc[:-1].tolist() == [2, 2, 2] and pd.isna(f["customers"].iloc[-1])
    np.testing.assert_allclose(f.iloc[:-1, 1:].to_numpy(float), t.values.to_numpy(float), equal_nan=True)
    np.testing.assert_allclose(f.iloc[-1, 1:].to_numpy(float), t.average.to_numpy(float), equal_nan=True)
    assert f.loc["2024-01", 2] == 1.0 and f.loc["2024-01", 3] == 0.5  # b churned in its third month (March)
    assert f.loc["2024-02", 1] == 0.5  # d churned in its first month


def test_the_csv_is_the_frame(t):
    back = pd.read_csv(io.StringIO(export.to_csv(t)), index_col=0)
    assert back.index.tolist() == export.export_frame(t).index.astype(str).tolist()
    np.testing.assert_allclose(back.to_numpy(float), export.export_frame(t).to_numpy(float), equal_nan=True)
    last = export.to_csv(t, float_format="%.4f").splitlines()[-1]
    assert last == "average,,1.0000,0.8333,0.8333,0.6667,0.5000,0.5000"


def test_the_workbook_holds_the_frame_the_settings_and_the_definitions(t):
    wb = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(t)))
    assert wb.sheetnames == ["cohorts", "settings", "Definitions"]
    rows = list(wb["cohorts"].iter_rows(values_only=True))
    f = export.export_frame(t)
    assert rows[0][1:] == ("customers", *t.values.columns.tolist())
    assert [r[0] for r in rows[1:]] == f.index.tolist()
    assert [r[1] for r in rows[1:]] == [2, 2, 2, None]
    cells = np.array([[np.nan if v is None else v for v in r[1:]] for r in rows[1:]], dtype=float)
    np.testing.assert_allclose(cells, f.to_numpy(float), equal_nan=True)
    assert list(wb["settings"].iter_rows(values_only=True)) == [(None, "setting"), *t.settings.items()]
    assert list(wb["Definitions"].iter_rows(values_only=True)) == [("metric", "definition"), *GLOSSARY.items()]


def test_the_page_download_is_the_core_workbook(t):
    from ui.cohorts import cached as page

    def cells(data):
        wb = openpyxl.load_workbook(io.BytesIO(data))
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}

    assert cells(page.xlsx(t)) == cells(export.to_xlsx(t))
