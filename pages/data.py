"""Data page: what the store holds and where it came from."""

import streamlit as st

from ui import bootstrap, loaders

TABLE_LABELS = {"customer": "Customers", "revenue": "Revenue rows", "activity": "Activity rows",
                "ticket": "Tickets", "feedback": "Feedback", "intervention": "Interventions"}

st.title("Data")
url = loaders.store_url()
version = loaders.store_version(url)
counts = loaders.store_counts(url, version)

cols = st.columns(len(TABLE_LABELS))
for col, (table, label) in zip(cols, TABLE_LABELS.items()):
    col.metric(label, f"{counts[table]:,}")

history = loaders.import_history(url, version)
st.subheader("Import history")
if history.empty:
    st.info(
        "The store is empty. Import a spreadsheet from a terminal, for example:\n\n"
        "`python -m core import customers.csv --kind customers`\n\n"
        "Kinds: customers, revenue, activity, transactions, tickets, feedback, interventions."
    )
else:
    shown = history[["id", "file_name", "kind", "mode", "rows_read", "rows_loaded", "rows_rejected",
                     "finished_at"]]
    st.dataframe(shown, hide_index=True, width="stretch")
    st.download_button("Download import history (CSV)", shown.to_csv(index=False).encode(),
                       "import_history.csv", "text/csv")

with st.expander("Reset to demo data"):
    st.write("Replaces every customer, revenue, activity, ticket, feedback and intervention row with the "
             "synthetic demo business (5,000 customers, seed 0). The import history is kept.")
    if st.button("Reset to demo data", type="primary", key="data_reset_demo"):
        out = bootstrap.load_demo_with_progress(url)
        st.toast(f"Demo data loaded: {out['counts']['customer']:,} customers (import #{out['import_id']}).")
        st.rerun()
