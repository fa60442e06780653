"""The Admin page's retention policy: the policy in force and who set it, its last application, setting it
(:func:`core.access.retention.set_policy`), and applying it now after saying what it would change
(:func:`core.access.retention.preview`, then :func:`core.access.retention.apply`); each audited."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from core.access import guard, retention, trail
from core.export import units
from ui import components
from ui.admin import gate

#: the audit action of an application (core.access.retention.apply)
APPLIED = "apply retention policy"
#: the count of customers whose contact details an application clears (core.access.retention.preview)
CLEARED = "customers' contact details cleared"


def _when(t) -> str:
    return f"{pd.Timestamp(t):%Y-%m-%d %H:%M} UTC"


def policy_text(policy: retention.Policy, history: pd.DataFrame) -> str:
    """The policy in force in one sentence, with who set it and when."""
    if history.empty:
        return "No retention policy is set: verbatim text and contact details are kept."
    words = policy.describe()
    last = history.iloc[0]
    return f"{words[0].upper()}{words[1:]} (set by {last['user']} on {_when(last['at'])})."


def _n(n: int, one: str, many: str) -> str:
    return f"{units.count(n)} {one if n == 1 else many}"


def applied_text(entry: dict | None) -> str:
    """The last application in one sentence (its audit entry), or that it never ran."""
    if entry is None:
        return "The policy was never applied to this store."
    d = entry["detail"] or {}
    return (f"Last applied by {entry['user']} on {_when(entry['at'])}: "
            f"{_n(d.get('feedback verbatims masked') or 0, 'feedback verbatim', 'feedback verbatims')} and "
            f"{_n(d.get('ticket texts masked') or 0, 'ticket text', 'ticket texts')} masked, the contact details of "
            f"{_n(d.get(CLEARED) or 0, 'customer', 'customers')} cleared, "
            f"{_n(d.get('snapshots redacted') or 0, 'review snapshot', 'review snapshots')} redacted.")


def preview_text(counts: dict) -> str:
    """What applying the policy now would change, from :func:`core.access.retention.preview`."""
    return (f"Applied now (ages counted from {counts['today']}), the policy masks "
            f"{_n(counts['feedback verbatims masked'], 'feedback verbatim', 'feedback verbatims')} and "
            f"{_n(counts['ticket texts masked'], 'ticket text', 'ticket texts')}, clears the contact details of "
            f"{_n(counts[CLEARED], 'customer', 'customers')} and redacts "
            f"{_n(counts['snapshots redacted'], 'saved review snapshot', 'saved review snapshots')}; "
            f"{_n(counts['undated verbatims kept'], 'verbatim', 'verbatims')} without a date "
            f"{'is' if counts['undated verbatims kept'] == 1 else 'are'} kept.")


def section(engine: Engine, actor: guard.Actor, today=None) -> None:
    """The policy, its last application, the form to change it, and the apply button with what it changes.

    ``today``: the day ages are measured from (the store's last dated day, which the page reads cached)."""
    st.subheader("Retention policy")
    policy, history = retention.policy(engine), retention.history(engine)
    st.info(components.plain(policy_text(policy, history)), icon=":material/policy:")
    st.caption(components.plain(applied_text(trail.last(engine, APPLIED))))
    _form(engine, actor, policy)
    if policy.off:
        return
    counts = retention.preview(engine, today=today)
    st.markdown("#### Apply the policy now")
    st.warning(components.plain(preview_text(counts)), icon=":material/warning:")
    if st.button("Apply the policy now", key="admin_retention_apply", icon=":material/auto_delete:"):
        gate.act(lambda: retention.apply(engine, actor, today=today), "Applied the retention policy.")


def _form(engine: Engine, actor: guard.Actor, policy: retention.Policy) -> None:
    st.markdown("#### Set the policy")
    with st.form("admin_retention"):
        months = st.number_input("Mask verbatim text older than this many months (empty: keep it)", min_value=1,
                                 max_value=retention.MAX_MONTHS, value=policy.verbatim_months, step=1,
                                 key="admin_retention_months")
        days = st.number_input("Clear a churned customer's contact details this many days after churn (empty: keep "
                               "them)", min_value=0, max_value=retention.MAX_DAYS, value=policy.contact_days, step=1,
                               key="admin_retention_days")
        if st.form_submit_button("Save the policy", icon=":material/save:"):
            new = (None if months is None else int(months), None if days is None else int(days))
            gate.act(lambda: retention.set_policy(engine, retention.Policy(*new), actor), "Saved the retention policy.")
