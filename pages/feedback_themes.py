"""Feedback themes: verbatims tagged into stable themes, tied to churn and revenue; the company's warehouse's
verbatims when one is set (ui.feedback.cached.prepared)."""

import streamlit as st

from core.errors import NoDataYetError, WorkbenchError
from core.export import units
from core.feedback.inputs import all_dates_by_default, undated
from ui import components
from ui.feedback import cached as feedback
from ui.feedback import codebook_editor
from ui.feedback import sections as feedback_sections
from ui.frame import errors, loaders, warehouse
from ui.frame import page as frame

frame.require()

st.title("Feedback themes")
url = loaders.store_url()
# a company's warehouse: its verbatims are read (ui.feedback.cached.prepared)
on_warehouse, f, version = warehouse.page_scope(url, feedback_sections.on_warehouse)
try:
    inputs, prep = feedback.prepared(url, version)
    book = feedback.codebook(url)
except NoDataYetError as exc:  # an empty store is no fault: say what to import and where
    components.empty_state(str(exc))
    st.stop()
except WorkbenchError as exc:
    errors.show(exc)  # one message: what is missing and what to import (no second box repeating it)
    st.stop()
note = st.session_state.pop("themes_note", None)
if note:
    st.success(note, icon=":material/check_circle:")
no_date = undated(prep)
all_dates = no_date > 0 and st.toggle(
    f"All dates (count the {units.count(no_date)} verbatims that have no date)", value=all_dates_by_default(prep),
    key="themes_all_dates", help="A date range holds only dated verbatims; all dates counts every verbatim.")
view = feedback.view(url, version, inputs, prep, book, f, all_dates=all_dates)
if not feedback.any_in_window(view):
    st.info("No verbatim matches the sidebar filters (segment, plan, region and date range); widen them.")
    st.stop()
if all_dates:
    st.caption(f"All dates: every verbatim, {units.count(no_date)} of them without a date (they count everywhere "
               f"but in the charts over time); {len(book.active())} active themes in the codebook.")
else:
    left_out = f"; {units.count(no_date)} verbatims without a date are left out (turn on All dates)" if no_date else ""
    span = "the data's span" if on_warehouse else "the sidebar's date range"
    st.caption(f"{view.start:%Y-%m-%d} to {view.end:%Y-%m-%d} ({span}){left_out}, "
               f"{len(book.active())} active themes in the codebook.")
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
