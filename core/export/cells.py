"""Values from the data leave as values: never as a spreadsheet formula.

A customer name, a verbatim or an imported column can start with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return that some spreadsheet programs skip first). Opened in Excel, LibreOffice or Google Sheets, such a cell of a
CSV file is run as a formula (CSV/formula injection, OWASP). Every text cell that starts so gets a leading
apostrophe, which those programs read as "this is text"; numbers, dates and other text are left alone.

A file we wrote can come back: the importer's rejected rows are fixed in their CSV and imported again. The importer
reads every text cell through :func:`unneutralise_text`, so ``'-3`` is the number -3 again, not text.

A carriage return inside a text cell is written as a line feed: Python's CSV writer (and so pandas') quotes a cell
holding a line feed but not one holding a lone carriage return, which every reader takes as the end of the row, so
``"x\r=1+2"`` would have become a second row whose first cell is a formula. A leading line feed counts as a formula
start too (some programs skip it as they skip a tab).
"""

from __future__ import annotations

import pandas as pd

#: the first characters that make a spreadsheet read a cell as a formula
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
#: how a neutralised cell starts: an apostrophe, then a formula start
_NEUTRALISED = tuple("'" + c for c in FORMULA_STARTS)


def neutralise(value):
    """``value`` made safe for a spreadsheet: text that starts like a formula gets a leading apostrophe.

    Examples
    --------
    >>> neutralise("=HYPERLINK(\\"http://x\\")"), neutralise("-3"), neutralise(-3), neutralise("Acme")
    ('\\'=HYPERLINK("http://x")', "'-3", -3, 'Acme')
    """
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS):
        value = "'" + value
    if "\r" in value:  # a lone CR ends the row in every reader, unquoted: written as a line feed, which is quoted
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def unneutralise(value):
    """The inverse of :func:`neutralise`: text that starts with an apostrophe followed by a formula start loses
    that one apostrophe; any other value (``'Acme``, ``O'Brien``, numbers) is returned as it is.

    Examples
    --------
    >>> unneutralise("'-3"), unneutralise(neutralise("=1+2")), unneutralise("''-3"), unneutralise("'Acme")
    ('-3', '=1+2', "''-3", "'Acme")
    """
    if isinstance(value, str) and value.startswith(_NEUTRALISED):
        return value[1:]
    return value


def unneutralise_text(s: pd.Series) -> pd.Series:
    """:func:`unneutralise` over a Series of text (missing cells stay missing, other dtypes are returned as they
    are), vectorised for large files.

    Examples
    --------
    >>> unneutralise_text(pd.Series(["'-3", "'+44 20", "O'Brien", None])).tolist()
    ['-3', '+44 20', "O'Brien", None]
    """
    if not _is_text(s.dtype):
        return s
    hit = s.str.startswith("'", na=False).to_numpy(dtype=bool)  # one cheap pass first: most files have none
    if not hit.any():
        return s
    hit[hit] = s[hit].str.startswith(_NEUTRALISED, na=False).to_numpy(dtype=bool)
    out = s.copy()
    out[hit] = s[hit].str.slice(1).to_numpy()
    return out


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells (categorical ones too), column names and index labels are neutralised.

    Columns are visited by position, so a frame with two columns of the same name is handled too.
    """
    out = df.copy()
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if isinstance(col.dtype, pd.CategoricalDtype) and _is_text(col.cat.categories.dtype):
            col = col.astype(object)  # a text category is text on the sheet
        if _is_text(col.dtype):
            out.isetitem(i, col.map(neutralise))
    out.columns = _neutralise_labels(out.columns)
    out.index = _neutralise_labels(out.index)
    return out


def _is_text(dtype) -> bool:
    return pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype)


def _neutralise_labels(labels: pd.Index) -> pd.Index:
    """``labels`` (column names or index, one or more levels) with text labels and level names neutralised."""
    names = [neutralise(n) for n in labels.names]
    if isinstance(labels, pd.MultiIndex) and len(labels):
        return pd.MultiIndex.from_tuples([tuple(map(neutralise, t)) for t in labels], names=names)
    if isinstance(labels, pd.MultiIndex) or not _is_text(labels.dtype):
        return labels.set_names(names)
    return pd.Index(labels.map(neutralise), name=names[0])
