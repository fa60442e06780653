"""Keep every page inside app.py's frame (filters, glossary, first-start demo, navigation)."""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from core.errors import WorkbenchError
from core.query import choice
from ui.frame import errors, integrity, loaders, signin


def require(sums: bool = True) -> None:
    """Call first in every page (``sums=False`` on a page that sums nothing with the configured engine: Data,
    Admin).

    Streamlit 1.67 keeps a process-wide flag "this app has a pages/ folder" that only st.navigation
    clears. If the first URL a freshly started server receives is a page's own (a bookmark to
    /cohort_curves), Streamlit runs that file alone in its old multipage mode: no frame, no filters,
    no demo. We keep the requested pages/ layout, so the page clears the flag itself and reruns,
    which goes through app.py like every other run. A session in which app.py already ran is left
    alone (AppTest resets the flag on every run but reruns only the page).
    """
    if PagesManager.uses_pages_directory and not st.session_state.get("frame_ready"):
        PagesManager.uses_pages_directory = False
        st.rerun()
    check_store()
    signin.gate(loaders.get_engine(loaders.store_url()), frame=False)  # also where a page runs without app.py
    integrity.show()  # SQLite's check of the store file, once per store per server
    if sums:
        check_engine()


def mark_ready() -> None:
    """Called by app.py before anything reads the store: the frame runs in this session, on a store that opens."""
    st.session_state["frame_ready"] = True
    check_store()


def check_store() -> None:
    """Open the store this run reads; if it is locked past the busy timeout, read-only, not a database or
    damaged, say so in plain words and stop the run (instead of an error box on every page)."""
    with errors.store_guard():
        loaders.store_version(loaders.store_url())


def check_engine() -> None:
    """An engine setting this store cannot be summed by (:func:`core.query.choice.check`): one plain message and the
    page stops, rather than an error box in the middle of a half-drawn page. The Data page still opens and names
    the problem where it says where the figures come from."""
    try:
        choice.check(loaders.get_engine(loaders.store_url()))
    except WorkbenchError as exc:
        errors.show(exc)
        st.stop()
