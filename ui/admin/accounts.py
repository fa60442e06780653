"""The Admin page's accounts: the list with its download, adding an account, changing a role and disabling an
account (after a confirmation). Every change goes through :mod:`core.access.admin` (the right checked, the change
audited)."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from core.access import admin, guard, rights
from core.access import users as accounts
from ui import components
from ui.admin import gate

#: each role in words, for the role pickers
ROLE_WORDS = {
    rights.VIEWER: "viewer: reads the dashboards",
    rights.ANALYST: "analyst: imports and undoes data, configures the models, health scores and codebook",
    rights.BOARD: "board: builds and saves review snapshots, records decisions and assumptions",
    rights.ADMIN: "admin: everything, and users, erasure and the retention policy",
}
#: the list's headings
HEADINGS = {"name": "User", "role": "Role", "created_at": "Created (UTC)", "disabled_at": "Disabled (UTC)"}
PENDING = "admin_disable_pending"  # the account whose disabling waits for the confirmation


def _minute(t) -> str:
    """A time to the minute, or empty text when there is none."""
    return "" if t is None or pd.isna(t) else f"{pd.Timestamp(t):%Y-%m-%d %H:%M}"


def listing(found: pd.DataFrame) -> pd.DataFrame:
    """The accounts (:func:`core.access.users.users`) as the page and its download show them: times to the minute
    as text (empty when never disabled), under :data:`HEADINGS`."""
    out = found[list(HEADINGS)].copy()
    for c in ("created_at", "disabled_at"):
        out[c] = [_minute(t) for t in found[c]]
    return out.rename(columns=HEADINGS)


def section(engine: Engine, actor: guard.Actor) -> None:
    """The list, then add, change a role, disable."""
    found = accounts.users(engine)
    st.subheader("Users")
    if found.empty:
        st.info("This store has no accounts yet: whoever opens the workbench acts as its admin, without signing in. "
                "The first account must be an admin; once it exists, everyone signs in.", icon=":material/info:")
    else:
        shown = listing(found)
        st.dataframe(shown, hide_index=True, width="stretch")
        components.csv_download(shown, "Download the users (CSV)", "users.csv", key="admin_users_csv")
    _add(engine, actor, first=found.empty)
    enabled = found.loc[found["disabled_at"].isna(), "name"].tolist()
    if enabled:
        _role(engine, actor, enabled)
        _disable(engine, actor, enabled)


def _add(engine: Engine, actor: guard.Actor, first: bool) -> None:
    st.markdown("#### Add an account")
    with st.form("admin_add", clear_on_submit=True):  # the passwords never stay in the form
        name = st.text_input("Name (one word, no spaces)", key="admin_add_name")
        role = st.selectbox("Role", rights.ROLES, index=rights.ROLES.index(rights.ADMIN if first else rights.VIEWER),
                            format_func=ROLE_WORDS.get, key="admin_add_role")
        password = st.text_input(f"Password (at least {accounts.MIN_PASSWORD} characters)", type="password",
                                 key="admin_add_password")
        again = st.text_input("The same password again", type="password", key="admin_add_again")
        if st.form_submit_button("Add the account", icon=":material/person_add:"):
            gate.act(lambda: admin.add_user(engine, actor, name, role, password, again),
                     f"Added the account {name.strip()} ({role}).")


def _role(engine: Engine, actor: guard.Actor, enabled: list[str]) -> None:
    st.markdown("#### Change a role")
    left, right = st.columns(2)
    who = left.selectbox("Account", enabled, key="admin_role_user")
    role = right.selectbox("New role", rights.ROLES, format_func=ROLE_WORDS.get, key="admin_role_new")
    if st.button("Change the role", key="admin_role_go", icon=":material/manage_accounts:"):
        gate.act(lambda: admin.change_role(engine, actor, who, role), f"{who} is now {role}.")


def _disable(engine: Engine, actor: guard.Actor, enabled: list[str]) -> None:
    st.markdown("#### Disable an account")
    who = st.selectbox("Account to disable", enabled, key="admin_disable_user",
                       help="A disabled account can no longer sign in or act; it stays in the list and in the audit "
                            "trail, and cannot be enabled again.")
    if st.session_state.get(PENDING) != who:
        st.session_state.pop(PENDING, None)
        if st.button("Disable this account ...", key="admin_disable", icon=":material/person_off:",
                     help="Asks you to confirm; nothing changes yet."):
            st.session_state[PENDING] = who
            st.rerun()
        return
    st.warning(f"Disable {components.plain(who)}? They can no longer sign in or act, for good. The account and its "
               "entries in the audit trail stay.", icon=":material/warning:")
    left, right = st.columns(2)
    if left.button("Yes, disable the account", type="primary", key="admin_disable_confirm"):
        gate.act(lambda: admin.disable_user(engine, actor, who), f"Disabled the account {who}.", forget=(PENDING,))
    if right.button("Cancel", key="admin_disable_cancel"):
        st.session_state.pop(PENDING, None)
        st.rerun()
