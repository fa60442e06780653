"""Health scores: hand-weighted scores by lifecycle stage, back-tested against the churn that followed."""

import streamlit as st

from core.errors import WorkbenchError
from ui.frame import errors, filters, loaders
from ui.frame import page as frame
from ui.health import cached as health
from ui.health import config as health_config
from ui.health import sections as health_sections

frame.require()

st.title("Health scores")
url, f = loaders.store_url(), filters.current()
version = loaders.store_version(url)
try:
    snaps, data = health.measures(url, version)
    versions, latest = health.configuration(url, snaps)
except WorkbenchError as exc:
    errors.show(exc)
    st.info("Health scores need customers with signup dates and dated behaviour (usage, tickets, surveys, MRR): "
            "import them on the Data page or load the demo there.")
    st.stop()

nums = versions["version"].tolist()
saved = st.session_state.pop("health_saved", None)
if saved in nums:
    st.session_state["health_version"] = saved
if st.session_state.get("health_version") not in nums:
    st.session_state["health_version"] = latest
info = versions.set_index("version")
v = st.selectbox("Configuration", nums, key="health_version",
                 format_func=lambda x: f"v{x} - {info.at[x, 'author']}: {info.at[x, 'reason']}")
if saved == v:
    st.success(f"Saved as version {v}.", icon=":material/check_circle:")
cfg = health.config(url, v)
missing = health.missing(snaps)
if missing:
    st.caption(f"No data in this store for: {', '.join(missing)}. These measures are dropped for every customer and "
               "the others re-weighted.")
hist = health.history(url, version, health.key(cfg))
mine = health.filtered(url, version, hist, f)
if mine.empty:
    st.info("No scored customer matches the sidebar filters; widen them.")
    st.stop()

tabs = st.tabs(["Portfolio", "Alerts", "Customer", "Back-test", "Suggested weights", "Configuration",
                "Compare versions"])
with tabs[0]:
    health_sections.portfolio(mine)
with tabs[1]:
    health_sections.alerts(cfg, mine, loaders.table(url, version, "customer"))
with tabs[2]:
    health_sections.customer(cfg, mine)
with tabs[3]:
    health_sections.backtest(url, version, cfg, v, data)
with tabs[4]:
    health_config.suggest(url, version, cfg, v, data)
with tabs[5]:
    health_config.edit(url, cfg, v)
with tabs[6]:
    health_config.compare(url, version, versions, data)
