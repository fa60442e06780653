"""Admin: the accounts and their roles, who may see per-customer risk lists, the audit trail, erasing a customer and
the retention policy. Only an admin uses it; anyone else reads one line saying so."""

import streamlit as st

from ui.admin import accounts, erase, gate, retention, risk_lists, trail
from ui.frame import loaders
from ui.frame import page as frame

frame.require(sums=False)  # sums nothing with the configured engine: opens whatever it is set to

st.title("Admin")
url = loaders.store_url()
engine = loaders.get_engine(url)
actor = gate.admin_or_stop(engine)
gate.notice()
tabs = st.tabs(["Users", "Who may see risk lists", "Audit trail", "Erase a customer", "Retention policy"])
with tabs[0]:
    accounts.section(engine, actor)
with tabs[1]:
    risk_lists.section(engine, actor)
with tabs[2]:
    trail.section(engine)
with tabs[3]:
    erase.section(engine, actor)
with tabs[4]:
    # ages are counted from the store's last dated day (what the Data page reports), read cached
    retention.section(engine, actor, today=loaders.store_profile(url, loaders.store_version(url)).last_day)
