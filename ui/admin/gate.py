"""Who may use the Admin page (an admin, as the store knows the signed-in user now), and what an action's outcome
shows: a refusal as one plain message, a success as a notice after the page is drawn again."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from sqlalchemy.engine import Engine

from core.access import admin, guard, rights
from core.errors import WorkbenchError
from ui import components
from ui.frame import errors, signin

#: what anyone but an admin reads on the page, and nothing else
NOT_ADMIN = "Only an admin manages users, erasure and the retention policy; you are signed in as {name} ({role})."
#: what a session without a signed-in user reads (once a store has accounts, everyone signs in)
SIGN_IN = "This store has accounts: sign in as an admin to manage users, erasure and the retention policy."
_NOTICE = "admin_notice"  # the outcome of the last action, shown once after the rerun


def admin_or_stop(engine: Engine) -> guard.Actor:
    """The session's user if an admin; else one line (nobody signed in: the refusal; another role: :data:`NOT_ADMIN`)
    and the run stops."""
    try:
        session = signin.actor(engine)
    except guard.AccessDenied:  # the store has accounts (the first one was just added) and nobody signed in
        st.info(SIGN_IN, icon=":material/lock:")
        st.stop()
    try:
        actor = admin.current(engine, session)
    except guard.AccessDenied as exc:  # the account was disabled since it signed in
        errors.show(exc)
        st.stop()
    if not guard.allowed(engine, actor, rights.USERS):
        st.info(NOT_ADMIN.format(name=components.plain(actor.name), role=actor.role), icon=":material/lock:")
        st.stop()
    return actor


def notice() -> None:
    """The outcome of the action that ran before this run, once."""
    text = st.session_state.pop(_NOTICE, None)
    if text:
        st.success(components.plain(text), icon=":material/check_circle:")


def act(action: Callable[[], object], done: str, forget: tuple[str, ...] = ()) -> bool:
    """Run ``action`` (a core call that checks the right and audits); on success keep ``done`` for the next run,
    drop the session keys ``forget`` and draw the page again; a refusal is one message here (returns False)."""
    try:
        with errors.store_guard():  # a locked or read-only store: its message, and this run stops
            action()
    except WorkbenchError as exc:  # AccessDenied, a name taken, a short password, the last admin ...
        errors.show(exc)
        return False
    for key in forget:
        st.session_state.pop(key, None)
    st.session_state[_NOTICE] = done
    st.rerun()
    return True
