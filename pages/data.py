"""Data page: bring a spreadsheet in, see what the store holds, undo, reset to the demo."""

import streamlit as st

from core.access import guard, rights
from core.export import units
from ui.data import history, importing, profile, sources
from ui.frame import bootstrap, errors, loaders, signin
from ui.frame import page as frame

frame.require(sums=False)  # sums nothing with the configured engine: opens whatever it is set to

TABLE_LABELS = {"customer": "Customers", "revenue": "Revenue rows", "activity": "Activity rows",
                "ticket": "Tickets", "feedback": "Feedback", "intervention": "Interventions"}

st.title("Data")
url = loaders.store_url()
version = loaders.store_version(url)
counts = loaders.store_counts(url, version)
for col, (table, label) in zip(st.columns(len(TABLE_LABELS)), TABLE_LABELS.items()):
    col.metric(label, units.count(counts[table]))

profile.profile_section(loaders.store_profile(url, version))
sources.sources_section(url)

st.subheader("Import a file")
if "data_last_import" in st.session_state:
    st.success(f"Import #{st.session_state.pop('data_last_import')} loaded; see the import history below.")
importing.upload_section(url)
history.history_section(url, loaders.store_version(url))

with st.expander("Templates"):
    importing.templates_section()
with st.expander("Reset to demo data"):
    st.write("Replaces every customer, revenue, activity, ticket, feedback and intervention row with the "
             "synthetic demo business (5,000 customers, seed 0). The import history is kept.")
    engine = loaders.get_engine(url)
    if signin.offer(engine, rights.RESET) and st.button("Reset to demo data", type="primary", key="data_reset_demo"):
        try:
            out = bootstrap.load_demo_with_progress(url, user=signin.actor(engine))
        except guard.AccessDenied as exc:
            errors.show(exc)
        else:
            st.toast(f"Demo data loaded: {out['counts']['customer']:,} customers (import #{out['import_id']}).")
            st.rerun()
