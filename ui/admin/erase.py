"""The Admin page's erasure of one customer: the id and the reason, then a confirmation that says what will be
removed (:func:`core.access.erasure.preview`), then :func:`core.access.erasure.erase` (the right checked, audited)."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.engine import Engine

from core.access import erasure, guard
from core.export import units
from ui import components
from ui.admin import gate

PENDING = "admin_erase_pending"  # the customer id whose erasure waits for the confirmation


def removal_text(rows: dict[str, int]) -> str:
    """What an erasure removes, in words: ``1 customer record, 12 revenue rows and 3 feedback verbatims``."""
    parts = [f"{units.count(n)} {erasure.label(t)}" for t, n in rows.items() if n]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def section(engine: Engine, actor: guard.Actor) -> None:
    """The id and the reason; the confirmation once asked."""
    st.subheader("Erase a customer")
    st.caption("Removes one customer from every table, the activity files, saved churn scores and every later export, "
               "and takes their id, name and verbatims out of saved review snapshots (their figures stay). It cannot "
               "be undone. The audit trail keeps the reason and a fingerprint of the id, not the id itself.")
    left, right = st.columns(2)
    cid = left.text_input("Customer id", key="admin_erase_id").strip()
    reason = right.text_input("Why (kept in the audit trail)", key="admin_erase_reason",
                              placeholder="e.g. the customer's erasure request of 2 December").strip()
    if not cid or st.session_state.get(PENDING) != cid:
        st.session_state.pop(PENDING, None)
        if st.button("Erase this customer ...", key="admin_erase", icon=":material/person_remove:",
                     disabled=not (cid and reason), help="Says what it would remove and asks you to confirm; nothing "
                                                         "is removed yet. Give the id and the reason first."):
            st.session_state[PENDING] = cid
            st.rerun()
        return
    _confirm(engine, actor, cid, reason)


def _confirm(engine: Engine, actor: guard.Actor, cid: str, reason: str) -> None:
    rows = erasure.preview(engine, cid)
    if not any(rows.values()):
        st.error(f"There is no customer {components.plain(cid)} in this store: nothing to erase.",
                 icon=":material/error:")
        st.session_state.pop(PENDING, None)
        return
    st.warning(f"Erase customer {components.plain(cid)}? This removes {removal_text(rows)} from the store, and "
               "takes them out of any saved review snapshot. It cannot be undone.", icon=":material/warning:")
    left, right = st.columns(2)
    if left.button("Yes, erase the customer", type="primary", key="admin_erase_confirm"):
        gate.act(lambda: erasure.erase(engine, cid, reason, actor),
                 f"Erased the customer: {units.count(sum(rows.values()))} rows removed.", forget=(PENDING,))
    if right.button("Cancel", key="admin_erase_cancel"):
        st.session_state.pop(PENDING, None)
        st.rerun()
