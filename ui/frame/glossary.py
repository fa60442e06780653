"""The metric glossary, reachable from every page (a sidebar popover)."""

import streamlit as st

from core.metrics import GLOSSARY


def show() -> None:
    """Draw the glossary button in the sidebar."""
    with st.sidebar.popover("Metric glossary", icon=":material/menu_book:", width="stretch"):
        for name, text in GLOSSARY.items():
            st.markdown(f"**{name}**: {text}")
