"""Retention workbench: the frame only (page config, navigation). Pages live in pages/."""

import streamlit as st

st.set_page_config(page_title="Retention Workbench", page_icon=":material/monitoring:", layout="wide")

nav = st.navigation(
    {
        "Data": [
            st.Page("pages/data.py", title="Data", icon=":material/database:", default=True),
        ],
    }
)
nav.run()
