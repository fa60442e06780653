"""The Data page's "What the store holds": the sort of store in one sentence and a table of each kind of data."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.export import units
from core.store.profile import StoreProfile
from ui import components


def profile_section(found: StoreProfile) -> None:
    """The sentence (:attr:`StoreProfile.summary`) and the table, with a download; nothing for an empty store."""
    if not found.holdings:  # the page says the store is empty and what to import
        return
    st.subheader("What the store holds")
    st.write(found.summary)
    table = pd.DataFrame(found.table_rows())
    table.columns = ["Data", "Rows", "From", "To"]
    shown = table.assign(Rows=[units.count(n) for n in table["Rows"]])
    st.dataframe(shown, hide_index=True, width="stretch")
    components.csv_download(table, "Download this table (CSV)", "store_profile.csv", key="data_profile_download")
