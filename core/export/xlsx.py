"""XLSX workbooks of tables, each ending with the Definitions sheet (the glossary every page shows).

Text is written as text: the workbook never turns a value from the data into a formula or a link.
"""

from __future__ import annotations

import io

import pandas as pd

from core.errors import DataValidationError
from core.metrics import definitions_table

#: the last sheet of every workbook the workbench writes
DEFINITIONS = "Definitions"
#: xlsxwriter reads "=..." as a formula and "http..." as a link unless told not to
_TEXT_AS_TEXT = {"options": {"strings_to_formulas": False, "strings_to_urls": False}}


def to_xlsx(sheets: dict[str, pd.DataFrame], definitions: bool = True, index: bool = False) -> bytes:
    """An XLSX workbook with one sheet per frame (header row frozen, columns sized to their contents).

    Parameters
    ----------
    sheets : dict of str to pandas.DataFrame
        Sheet name (cut to Excel's 31 characters) to its table.
    definitions : bool
        End with a "Definitions" sheet of every metric's definition (:func:`core.metrics.definitions_table`)
        unless ``sheets`` already has one.
    index : bool
        Write each frame's index as its first column(s) (a cohort table's cohort labels).

    Raises
    ------
    DataValidationError
        Two sheet names are the same once cut to 31 characters (Excel ignores case): one would overwrite the other.
    """
    if definitions and DEFINITIONS not in sheets:
        sheets = {**sheets, DEFINITIONS: definitions_table()}
    _check_names(list(sheets))
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter", engine_kwargs=_TEXT_AS_TEXT) as xw:
        for name, df in sheets.items():
            df.to_excel(xw, sheet_name=name[:31], index=index)
            _layout(xw.sheets[name[:31]], df, index)
    return buf.getvalue()


def _check_names(names: list[str]) -> None:
    cut = [name[:31].lower() for name in names]
    for name, short in zip(names, cut):
        if cut.count(short) > 1:
            raise DataValidationError(
                f"Two sheets would both be named '{name[:31]}' (Excel keeps 31 characters of a sheet name and ignores "
                "case): give each sheet a name that differs within its first 31 characters."
            )


def _layout(ws, df: pd.DataFrame, index: bool) -> None:
    ws.freeze_panes(1, 0)
    frame = df.reset_index() if index else df
    for i, c in enumerate(frame.columns):
        width = max([len(str(c))] + [len(str(v)) for v in frame[c].head(200)])
        ws.set_column(i, i, min(60, width + 2))
