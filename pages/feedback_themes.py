"""Feedback themes: verbatims tagged into stable themes, tied to churn and revenue."""

import streamlit as st

from core.errors import WorkbenchError
from ui.feedback import cached as feedback
from ui.feedback import codebook_editor
from ui.feedback import sections as feedback_sections
from ui.frame import errors, filters, loaders
from ui.frame import page as frame

frame.require()

st.title("Feedback themes")
url, f = loaders.store_url(), filters.current()
version = loaders.store_version(url)
try:
    inputs, prep = feedback.prepared(url, version)
    book = feedback.codebook(url)
except WorkbenchError as exc:
    errors.show(exc)
    st.info("This page reads survey comments, reviews, social posts and ticket texts: import them on the Data page "
            "(a text column is all it needs) or load the demo there.")
    st.stop()
note = st.session_state.pop("themes_note", None)
if note:
    st.success(note, icon=":material/check_circle:")
view = feedback.view(url, version, inputs, prep, book, f)
if not feedback.any_in_window(view):
    st.info("No verbatim matches the sidebar filters (segment, plan, region and date range); widen them.")
    st.stop()
st.caption(f"{view.start:%Y-%m-%d} to {view.end:%Y-%m-%d} (the sidebar's date range), {len(book.active())} active "
           "themes in the codebook.")
feedback_sections.headline(view)
tabs = st.tabs(["Themes", "Over time & segments", "Scores", "Verbatims", "Churn signals", "Backlog", "Discovery",
                "Codebook"])
with tabs[0]:
    feedback_sections.themes(view)
with tabs[1]:
    feedback_sections.trends(view)
with tabs[2]:
    feedback_sections.scores(view)
with tabs[3]:
    feedback_sections.verbatims(view)
with tabs[4]:
    feedback_sections.signals(view)
with tabs[5]:
    feedback_sections.backlog(view)
with tabs[6]:
    codebook_editor.discovery(view)
with tabs[7]:
    codebook_editor.codebook(view)
