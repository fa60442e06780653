"""Health scores: hand-weighted scores by lifecycle stage, back-tested against the churn that followed; on a company's
warehouse when one is set (ui.health.cached.measures).

A customer with fewer measures than the configuration's minimum gets no band; when nobody has enough (a snapshot
with tenure and a churn flag only), the page says which data would add measures instead of showing shares.
"""

import streamlit as st

from core.errors import WorkbenchError
from ui.frame import errors, loaders, warehouse
from ui.frame import page as frame
from ui.health import cached as health
from ui.health import config as health_config
from ui.health import sections as health_sections

frame.require()

st.title("Health scores")
url = loaders.store_url()
# a company's warehouse: its customers are scored (ui.health.cached.measures)
on_warehouse, f, version = warehouse.page_scope(url, health_sections.on_warehouse)
try:
    snaps, data = health.measures(url, version)
    versions, latest = health.configuration(url, snaps)
except WorkbenchError as exc:
    errors.show(exc)
    health_sections.unmeasured(on_warehouse)
    st.stop()

v = health_config.pick(versions, latest)
cfg = health.config(url, version, v)
if health.before_recency(url, version, v):
    health_config.recency_note(v)
hist = health.history(url, version, health.key(cfg))
cov = health.coverage(cfg, hist)
health_config.coverage(cov)
keys = health.measure_keys(snaps)
if not cov.banded:  # no band to show: only the configuration (where the minimum can be changed, knowingly)
    tabs = st.tabs(["Configuration", "Compare versions"])
    with tabs[0]:
        health_config.edit(url, cfg, v, keys)
    with tabs[1]:
        health_config.compare(url, version, versions, data)
    st.stop()
view = health.View(url, version, health.key(cfg), health.scope(f))
mine = health.filtered(url, version, hist, view.who)
if mine["score"].isna().all():
    st.info("No scored customer matches the sidebar filters; widen them.")
    st.stop()

tabs = st.tabs(["Portfolio", "Alerts", "Customer", "Back-test", "Suggested weights", "Configuration",
                "Compare versions"])
with tabs[0]:
    health_sections.portfolio(view)
with tabs[1]:
    health_sections.alerts(view)
with tabs[2]:
    health_sections.customer(cfg, mine)
with tabs[3]:
    health_sections.backtest(url, version, cfg, v, data)
with tabs[4]:
    health_config.suggest(url, version, cfg, v, data)
with tabs[5]:
    health_config.edit(url, cfg, v, keys)
with tabs[6]:
    health_config.compare(url, version, versions, data)
