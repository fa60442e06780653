"""Components every page shares: table downloads, column configurations, links to one customer's pages.

Downloads go through :mod:`core.export` (a CSV never carries a formula from the data; a workbook ends with the
Definitions sheet); links carry the customer id URL-encoded, so an id with ``&``, ``#`` or spaces opens the right
customer.
"""

from __future__ import annotations

import weakref
from urllib.parse import quote

import pandas as pd
import streamlit as st
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec  # private: see vega_lite_spec

from core.export import units
from core.export.csv import to_csv_bytes
from core.export.markdown import plain  # noqa: F401 (the pages call it as ui.components.plain)
from core.export.xlsx import to_xlsx

#: a share, written by :func:`table` as units.percent writes it ("20.4%", "9.1%"): the grid's own "percent" format
#: shows two decimals, and with a step of 0.001 it cuts instead of rounding (0.05197 showed "5.1%", not "5.2%")
PERCENT = st.column_config.NumberColumn(format="percent")
MONEY = st.column_config.NumberColumn(format="dollar")
POINTS = st.column_config.NumberColumn(format="%+.2f")
DATE = st.column_config.DateColumn(format="YYYY-MM-DD")
LONG_TEXT = st.column_config.TextColumn(width="large")

#: the pages that show one customer (``?customer=ID``): column name, page, link text, help
CUSTOMER_PAGES = {
    "churn_risk": ("churn_drivers", "Churn risk", "why at risk?", "Open this customer's churn explanation"),
    "health_page": ("health_scores", "Health", "health score", "Open this customer's health score and its measures"),
    "feedback_page": ("feedback_themes", "Feedback", "verbatims",
                      "Open this customer's verbatims and the themes they name"),
}


def percent(label: str | None = None, help: str | None = None) -> dict:
    """A share column for :func:`table`, with its header and help."""
    return st.column_config.NumberColumn(label, help=help, format="percent")


def points_interval(key: str, label: str, help: str | None = None, ends: str = "Gap") -> dict:
    """Column configurations of a difference of two rates shown in points (the table's values times 100) and its
    95 % interval: ``key``, ``key_low`` and ``key_high`` ("+5.2 pts"; the ends headed "<ends>, low" and "high")."""
    def pts(name: str, words: str | None = None) -> dict:
        return st.column_config.NumberColumn(name, help=words, format="%+.1f pts")
    return {key: pts(label, help), f"{key}_low": pts(f"{ends}, low"), f"{key}_high": pts(f"{ends}, high")}


def _percent_columns(column_config: dict) -> list:
    return [c for c, cfg in column_config.items() if isinstance(cfg, dict)
            and cfg.get("type_config", {}).get("type") == "number" and cfg["type_config"].get("format") == "percent"]


def table(df: pd.DataFrame, column_config: dict | None = None, where=st, **options) -> None:
    """``st.dataframe`` with every share column (``format="percent"``) written by core's unit formatter, so a table
    shows the figure the CLI, the exports and the sentences show; the cells keep their numbers (sorting is by value).
    """
    config = dict(column_config or {})
    shares = [c for c in _percent_columns(config) if c in df.columns]
    for col in shares:
        type_config = {k: v for k, v in config[col]["type_config"].items() if k not in ("format", "step")}
        config[col] = {**config[col], "type_config": type_config}
    if not shares:
        where.dataframe(df, column_config=config or None, **options)
        return
    # a Styler writes every cell: a float column without a format of its own is written as the grid would
    plain = [c for c in df.columns if c not in shares and pd.api.types.is_float_dtype(df[c])
             and not _has_format(config.get(c))]
    data = df.style.format({**{c: units.percent for c in shares}, **{c: grid_number for c in plain}})
    where.dataframe(data, column_config=config or None, **options)


def _has_format(cfg) -> bool:
    return isinstance(cfg, dict) and bool((cfg.get("type_config") or {}).get("format"))


def grid_number(x) -> str:
    """A number as the grid writes one without a format: at most 4 decimals, no trailing zeros (``1.23456789 ->
    '1.2346'``, ``2.0 -> '2'``); a missing one as :data:`core.export.units.MISSING` (the grid shows its own mark)."""
    if units.is_missing(x):
        return units.MISSING
    text = f"{float(x):.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def csv_download(df: pd.DataFrame, label: str, file_name: str, key: str | None = None, where=st, **options) -> None:
    """A download button for ``df`` as CSV (text cells that start like a formula neutralised), written when clicked
    (a page run never spends time on files nobody asked for) and without rerunning the page."""
    where.download_button(label, lambda: to_csv_bytes(df, **options), file_name, "text/csv", key=key,
                          icon=":material/download:", on_click="ignore")


#: id of a chart object -> (a weak reference to it, its Vega-Lite spec): a chart the pages keep (cached per store
#: version) is converted once, not on every rerun (8 charts took a third of a second on the Churn drivers page)
_SPECS: dict[int, tuple[weakref.ref, dict]] = {}


def vega_lite_spec(figure) -> dict:
    """The Vega-Lite spec of the Altair chart ``figure`` as Streamlit draws it, converted once per chart object (the
    entry goes when the chart does). Callers hand on a copy of its top level: Streamlit takes the data out of it.

    The conversion is Streamlit's own (its data as Arrow bytes, as ``st.altair_chart`` sends it), private to the
    pinned streamlit==1.67.0: the import fails loudly on a version without it."""
    known = _SPECS.get(id(figure))
    if known is not None and known[0]() is figure:
        return known[1]
    spec = _convert_altair_to_vega_lite_spec(figure)
    key = id(figure)
    _SPECS[key] = (weakref.ref(figure), spec)
    weakref.finalize(figure, _SPECS.pop, key, None)
    return spec


def chart(figure, sentence: str, data: pd.DataFrame | None, file_name: str, key: str, where=st) -> None:
    """``figure`` (an Altair chart) with its text alternative: ``sentence`` (the key figure, from a
    ``core.export.chart_text`` rule) as the chart's accessible name and as a caption under it, and the chart's data
    one click away as a CSV download (written when clicked). ``data=None`` only where the page shows the same data
    in a table next to the chart, with its own download."""
    where.vega_lite_chart(spec=dict(vega_lite_spec(figure)), width="stretch", alt=sentence)
    where.caption(plain(sentence))
    if data is not None:
        # made on the click, not on every rerun, and without rerunning the page
        where.download_button("Get the chart's data (CSV)", lambda: to_csv_bytes(data), file_name, "text/csv",
                              key=key, icon=":material/download:", on_click="ignore", type="tertiary")


def xlsx_download(sheets: dict[str, pd.DataFrame], label: str, file_name: str, key: str, where=st) -> None:
    """A download button for ``sheets`` as one XLSX workbook ending with the Definitions sheet, written when
    clicked and without rerunning the page."""
    where.download_button(label, lambda: to_xlsx(sheets), file_name,
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=key,
                          icon=":material/download:", on_click="ignore")


def customer_link(page: str, customer_ids: pd.Series) -> pd.Series:
    """Relative links ``page?customer=ID`` (the id URL-encoded) for each customer id."""
    return page + "?customer=" + customer_ids.astype(str).map(lambda c: quote(c, safe=""))


def with_customer_links(df: pd.DataFrame, pages=tuple(CUSTOMER_PAGES)) -> tuple[pd.DataFrame, dict]:
    """``df`` with one link column per page in ``pages`` (keys of :data:`CUSTOMER_PAGES`), and their column
    configurations for ``st.dataframe``."""
    out, config = df.copy(), {}
    for col in pages:
        page, title, text, help_ = CUSTOMER_PAGES[col]
        out[col] = customer_link(page, df["customer_id"])
        config[col] = st.column_config.LinkColumn(title, display_text=text, help=help_)
    return out, config


def empty_state(message: str, where=st) -> None:
    """What a page shows on a store without the data it reads (no plays, no feedback yet): ``message``, which says
    what to import and where, as information with its own icon, never as an error (an empty store is no fault)."""
    where.info(plain(message), icon=":material/inbox:")
