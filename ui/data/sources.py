"""The Data page's "Where the figures come from": the store, the column files and a warehouse when one is set
(:func:`core.query.provenance.figure_sources`), as a table (its values are data: never rendered as Markdown)."""

from __future__ import annotations

import streamlit as st

from core.query.provenance import figure_sources
from ui import components
from ui.frame import loaders


def sources_section(url: str) -> None:
    with st.expander("Where the figures come from"):
        table = figure_sources(loaders.get_engine(url))
        st.dataframe(table, hide_index=True, width="stretch")
        components.csv_download(table, "Download this table (CSV)", "figure_sources.csv", key="data_dl_sources")
