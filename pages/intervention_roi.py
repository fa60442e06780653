"""Intervention ROI: each retention play measured against its holdout, valued, and planned; the company's
warehouse's plays when one is set (ui.roi.cached.inputs)."""

import streamlit as st

from core.errors import NoDataYetError, WorkbenchError
from ui import components
from ui.frame import errors, loaders, warehouse
from ui.frame import page as frame
from ui.roi import cached as data
from ui.roi import groups as roi_groups
from ui.roi import sections as roi_sections
from ui.roi import summary as roi_summary
from ui.roi import wave as roi_wave

frame.require()

st.title("Intervention ROI")
url = loaders.store_url()
# a company's warehouse: its plays are measured (ui.roi.cached.inputs)
_, f, version = warehouse.page_scope(url, roi_sections.on_warehouse)
try:
    inputs = data.inputs(url, version)
except NoDataYetError as exc:  # an empty store is no fault: say what to import and where
    components.empty_state(str(exc))
    st.stop()
except WorkbenchError as exc:
    errors.show(exc)  # one message: what is missing and what to import (no second box repeating it)
    st.stop()
st.caption("Plays measured against the customers held out of them: the difference is what the play did.")
roi_summary.all_plays(url, version, f)
st.subheader("One play in detail")
choice = roi_sections.choose(url, version, inputs, f)
if choice is None:
    st.stop()
comp = roi_sections.headline(choice)
roi_sections.reach(choice, comp)
tabs = st.tabs(["Effect", "Money", "Time to impact", "Where it works", "Next wave", "Fatigue", "Planning"])
with tabs[0]:
    if comp is not None:
        roi_sections.effect(choice, comp)
with tabs[1]:
    roi_sections.money(choice)
with tabs[2]:
    roi_sections.impact(choice)
with tabs[3]:
    roi_groups.where(choice)
with tabs[4]:
    roi_wave.next_wave(choice, inputs, f)
with tabs[5]:
    roi_groups.fatigue(choice, inputs)
with tabs[6]:
    roi_sections.planning(choice, comp)
