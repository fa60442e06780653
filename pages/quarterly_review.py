"""Quarterly review: frozen, versioned review packs a board can trust (figures, comparison, decisions, exports); of
the company's warehouse when one is set (ui.review.cached.built)."""

import streamlit as st

from ui.frame import loaders, warehouse
from ui.frame import page as frame
from ui.review import sections as review_sections

frame.require()

st.title("Quarterly review")
st.caption("Every page's headline figures for a quarter, frozen once saved, with the data's fingerprint, the "
           "parameters and the versions that made them; compared with earlier quarters, with the board's decisions "
           "and assumptions beside them, and exported as a workbook and a printable report. A review covers the whole "
           "business: the sidebar's filters do not apply here.")
url = loaders.store_url()
# a company's warehouse: its figures are reviewed (ui.review.cached.built); a review has no sidebar filters
_, _, version = warehouse.page_scope(url, review_sections.on_warehouse)
snap = review_sections.choose(url, version)
if snap is None:
    st.stop()
review_sections.cover(snap)
tabs = st.tabs(["Figures", "Compare", "Decisions", "Assumptions", "Export"])
with tabs[0]:
    review_sections.figures(snap)
with tabs[1]:
    comparison = review_sections.comparison(url, snap)
with tabs[2]:
    review_sections.decisions(url, snap)
with tabs[3]:
    review_sections.assumptions(url, snap)
with tabs[4]:
    review_sections.export(url, snap, comparison)
