"""The cohort table as it leaves the workbench: one frame, and the workbook the page and the CLI both write.

The Cohort curves page's downloads and ``python -m core cohorts`` (stdout, ``--out x.csv``, ``--out x.xlsx``)
all start from :func:`export_frame`, so a table reads the same wherever it was exported from.
"""

from __future__ import annotations

import io

import pandas as pd

from core.cohorts.table import CohortTable
from core.metrics import definitions_table

#: the workbook's sheets, in order
COHORTS, SETTINGS, DEFINITIONS = "cohorts", "settings", "Definitions"
#: the row under the cohorts holding the average of each period
AVERAGE = "average"


def export_frame(t: CohortTable) -> pd.DataFrame:
    """The exported table: one row per cohort (labelled by its first period), ``customers`` then the periods.

    Parameters
    ----------
    t : core.cohorts.table.CohortTable
        The table.

    Returns
    -------
    pandas.DataFrame
        ``customers`` (the cohort's size) and one column per period (retention as a fraction, or counts;
        NaN where incomplete), with a last row ``average`` (no size; :attr:`CohortTable.average` per period).
    """
    out = t.values.copy()
    out.insert(0, "customers", t.sizes)
    out.loc[AVERAGE] = [None, *t.average.tolist()]
    return out


def settings_frame(t: CohortTable) -> pd.DataFrame:
    """The choices the table was computed with: one row per setting (index), column ``setting``."""
    return pd.Series(t.settings).to_frame("setting")


def export_sheets(t: CohortTable) -> dict[str, pd.DataFrame]:
    """The workbook's sheets: cohorts (:func:`export_frame`), settings, and the metric Definitions."""
    return {COHORTS: export_frame(t), SETTINGS: settings_frame(t), DEFINITIONS: definitions_table()}


def to_xlsx(t: CohortTable) -> bytes:
    """The workbook of :func:`export_sheets` (cohorts and settings with their row labels, Definitions without)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter") as xw:
        for name, df in export_sheets(t).items():
            df.to_excel(xw, sheet_name=name, index=name != DEFINITIONS)
    return buf.getvalue()


def to_csv(t: CohortTable, float_format: str | None = None) -> str:
    """:func:`export_frame` as CSV text, with the cohort labels as the first column."""
    return export_frame(t).to_csv(float_format=float_format)
