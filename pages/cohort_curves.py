"""Cohort curves: retention by cohort and period, and survival with its uncertainty.

The choices start at what suits the store (core.cohorts.defaults): on a purchase log, cohorts by first purchase
and retained when purchasing; a snapshot cannot give cohort retention, so the page says why and leads with
survival on tenure. When a company's warehouse is set, the page reads it instead (ui.cohorts.warehouse).
"""

import streamlit as st

from core.cohorts.defaults import cohort_basis, cohort_defaults
from ui import components
from ui.cohorts import sections
from ui.cohorts import warehouse as on_warehouse
from ui.frame import filters, loaders, warehouse
from ui.frame import page as frame

frame.require()

st.title("Cohort curves")
if warehouse.is_set():
    on_warehouse.page()
    st.stop()
url, f = loaders.store_url(), filters.current()
version = loaders.store_version(url)
found = loaders.store_profile(url, version)
defaults = cohort_defaults(found)

if defaults.lead == "survival":
    st.info(components.plain(defaults.note), icon=":material/info:")
    sections.survival(url, version, f)
    if not st.toggle("Show the cohort table anyway", key="cohorts_snapshot_table",
                     help="Every cell reads 100 % until the snapshot's day: shown only to see that for yourself."):
        st.stop()
elif defaults.note:
    st.caption(components.plain(defaults.note) + " Change the choices below to see other views.")

options = sections.choices(defaults.settings)
basis = cohort_basis(dict(options)["cohort_by"], found)
built = sections.table(url, version, f, options, basis)
if built is None:
    st.stop()
t, signups = built
sections.drill(url, version, f, options, signups, t, basis)
if found.has("recurring_revenue"):
    sections.value(url, version, f)
if defaults.lead == "survival":
    st.stop()  # survival came first
if defaults.survival:
    sections.survival(url, version, f, defaults.survival_note)
else:
    st.caption("Survival curves need churn dates (or a snapshot's churn flag); this store has none, so they are "
               "not drawn.")
