"""Overview: the health of the book of business at a glance, whatever the store holds (recurring revenue, customers
with churn dates, a purchase log, or a mix); the company's warehouse when one is set (ui.overview.warehouse)."""

import streamlit as st

from ui import components
from ui.frame import filters, loaders, warehouse
from ui.frame import page as frame
from ui.overview import cached as overview
from ui.overview import sections
from ui.overview import warehouse as on_warehouse

frame.require()

st.title("Overview")
if warehouse.is_set():
    on_warehouse.page()
    st.stop()
url = loaders.store_url()
version, chosen = loaders.store_version(url), filters.current()
ov = overview.overview(url, version, chosen)
if not ov.sections:
    st.info(" ".join(components.plain(n) for n in ov.notes) + " Go to the Data page to import data or load the demo.")
    st.stop()

sections.notes(ov)
for s in ov.sections:
    sections.section(s, titled=len(ov.sections) > 1)
    if s.key == "recurring":
        sections.at_risk(overview.at_risk(url, version, chosen, s.as_of))
        sections.movements(overview.movements(url, version, chosen))
if any(s.key == "buyers" for s in ov.sections):
    sections.cohorts(ov)
