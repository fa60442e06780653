"""How expected problems are shown: a plain message, never a traceback."""

import streamlit as st

from core.errors import WorkbenchError


def show(exc: WorkbenchError) -> None:
    """Show an expected problem (bad file, bad option, too little data) with its fix."""
    st.error(str(exc), icon=":material/error:")
