"""Churn drivers: an honest churn model, explained with SHAP, turned into risk tiers priced in money; fitted on a
company's warehouse when one is set (ui.churn.cached.fitted)."""

import streamlit as st

from core.errors import WorkbenchError
from ui.churn import buyers
from ui.churn import cached as churn
from ui.churn import sections as churn_sections
from ui.frame import errors, filters, loaders, warehouse
from ui.frame import page as frame

frame.require()

st.title("Churn drivers")
url, f = loaders.store_url(), filters.current()
version = loaders.store_version(url)
on_warehouse = warehouse.is_set()  # a company's warehouse: the model is fitted on its customers (ui.churn.cached)
if on_warehouse:
    churn_sections.on_warehouse()
fitted_on = warehouse.version() if on_warehouse else version
try:
    proposal, held = churn.purchase_log(url, version, on_warehouse)  # a purchase log: churn = no purchase within
    saved_n = None if on_warehouse else churn.saved_lapse(url, version)  # N days (None elsewhere); the store's N
    lapse_days = buyers.lapse_days(url, proposal, saved_n, on_warehouse)
    horizon = buyers.horizon(lapse_days, held)  # on a purchase log: N
    r, default_econ, saved = churn.fitted(url, fitted_on, int(horizon), lapse_days)
    fit = churn.fit_key(url, fitted_on, horizon, lapse_days)
except WorkbenchError as exc:
    errors.show(exc)
    churn_sections.unfitted(on_warehouse)
    st.stop()

churn_sections.headline(r, saved)
churn_sections.inflated(r)

tabs = st.tabs(["Drivers", "Risk tiers", "Customer", "Validation", "Segments", "Model card"]
               + (["Lifetime value"] if proposal is not None else []))
with tabs[0]:
    churn_sections.drivers(r, fit)
with tabs[1]:
    econ = churn_sections.economics(default_econ) or default_econ
    table, threshold = churn_sections.tiers(fit, r, econ, f)
with tabs[2]:
    churn_sections.customer(r, table)
with tabs[3]:
    churn_sections.validation(r, fit)
with tabs[4]:
    churn_sections.segments(r, fit)
with tabs[5]:
    churn_sections.card(r, econ, threshold, saved)
if proposal is not None:
    with tabs[6]:
        buyers.lifetime_value(url, fitted_on, f)
