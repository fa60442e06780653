"""The Admin page's audit trail: every entry, newest first (who, role, when, action, what, detail as plain text),
filtered by user and action, with CSV and XLSX downloads (text cells never a formula: :mod:`core.export`)."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.engine import Engine

from core.access import trail
from core.export import units
from ui import components

EVERYONE, EVERY_ACTION = "Everyone", "Every action"


def column_config() -> dict:
    """The trail's headings (:data:`core.access.trail.HEADINGS`), the time to the second."""
    config = {c: st.column_config.Column(h) for c, h in trail.HEADINGS.items()}
    config["at"] = st.column_config.DatetimeColumn(trail.HEADINGS["at"], format="YYYY-MM-DD HH:mm:ss")
    config["detail"] = st.column_config.TextColumn(trail.HEADINGS["detail"], width="large")
    return config


def section(engine: Engine) -> None:
    """The filters, the table and its downloads; a message while the trail is empty."""
    st.subheader("Audit trail")
    every = trail.table(engine)
    if every.empty:
        components.empty_state("Nothing is in the audit trail yet: imports, undos, configuration and codebook "
                               "changes, saved models, snapshots, decisions and account changes are recorded here as "
                               "they happen.")
        return
    left, right = st.columns(2)
    user = left.selectbox("Who", [None, *sorted(every["user"].unique())], key="admin_trail_user",
                          format_func=lambda u: EVERYONE if u is None else u)
    action = right.selectbox("Action", [None, *sorted(every["action"].unique())], key="admin_trail_action",
                             format_func=lambda a: EVERY_ACTION if a is None else a)
    shown = trail.filtered(every, user, action)
    st.caption(f"{units.count(len(shown))} of {units.count(len(every))} entries, newest first; times in UTC.")
    st.dataframe(shown, hide_index=True, width="stretch", column_config=column_config())
    files = trail.for_file(shown)
    a, b = st.columns(2)
    components.csv_download(files, "Download the audit trail (CSV)", "audit_trail.csv", key="admin_trail_csv", where=a)
    components.xlsx_download({"Audit trail": files}, "Download the audit trail (XLSX)", "audit_trail.xlsx",
                             key="admin_trail_xlsx", where=b)
