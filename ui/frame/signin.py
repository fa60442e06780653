"""Who is signed in to this browser session, as the :class:`core.access.guard.Actor` every page passes to core.

A store without accounts served on this computer only is a single-user tool: the session acts as the local admin
(no sign-in). Otherwise :func:`gate` (called by the frame before any page) asks the session to sign in: with the
identity provider when Streamlit's OpenID Connect is configured (an ``[auth]`` section in the secrets), else with
a local account's name and password; a server bound beyond this computer on a store without accounts shows only
the refusal of :mod:`core.access.exposure`.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy.engine import Engine

from core.access import exposure, guard, login, rights
from core.access import users as accounts
from ui.frame import errors

#: the session-state key holding the signed-in Actor
ACTOR = "signin_actor"
#: the session-state key saying the frame drew the sidebar's "Signed in as" in this run
_DRAWN = "signin_sidebar_drawn"
#: the title above the sign-in form
TITLE = "Sign in to the Retention Workbench"


def actor(engine: Engine) -> guard.Actor:
    """The session's acting user: the signed-in account, else the local admin of a store without accounts.

    Raises
    ------
    core.access.guard.AccessDenied
        The store has accounts and nobody signed in to this session.
    """
    signed = st.session_state.get(ACTOR)
    if isinstance(signed, guard.Actor):
        return signed
    return guard.acting(engine, "")


def may(engine: Engine, right: str) -> bool:
    """Whether the session's user has ``right`` (False when nobody signed in to a store with accounts)."""
    try:
        return guard.allowed(engine, actor(engine), right)
    except guard.AccessDenied:
        return False


def lacking(engine: Engine, right: str) -> str:
    """Why the session's user may not use ``right``, in one sentence: "Your role (viewer) may not import a file:
    ask an admin for the analyst role."."""
    try:
        role = actor(engine).role
    except guard.AccessDenied:
        return "Sign in first."
    what, holder = rights.RIGHTS[right]
    fix = (f"ask an admin to allow the {role} role to see them" if right == rights.RISK_LISTS
           else f"ask an admin for the {holder or rights.ADMIN} role")
    return f"Your role ({role}) may not {what}: {fix}."


def offer(engine: Engine, right: str, where=st) -> bool:
    """Whether to offer an action needing ``right``; when the session's user lacks it, a caption says so instead
    (a widget that would only fail is not shown)."""
    if may(engine, right):
        return True
    where.caption(lacking(engine, right))
    return False


def _oidc() -> bool:
    """Whether Streamlit's OpenID Connect sign-in is configured (an ``[auth]`` section in the secrets)."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all
        return False


def _signed_in(engine: Engine) -> guard.Actor | None:
    """The session's signed-in account as the store has it now (role changed, account disabled: at once)."""
    signed = st.session_state.get(ACTOR)
    if not isinstance(signed, guard.Actor):
        return None
    if _oidc() and not st.user.is_logged_in:  # the identity provider's sign-in ended (expired, signed out)
        st.session_state.pop(ACTOR, None)
        return None
    try:
        now = login.current(engine, signed)
    except guard.AccessDenied as exc:
        st.session_state.pop(ACTOR, None)
        errors.show(exc)
        return None
    st.session_state[ACTOR] = now
    return now


def _form(engine: Engine) -> None:
    """The local sign-in form; a signed-in account is kept for the session and the app runs again."""
    st.title(TITLE)
    with st.form("signin_form"):
        name = st.text_input("Name", key="signin_name", autocomplete="username")
        password = st.text_input("Password", type="password", key="signin_password",
                                 autocomplete="current-password")
        pressed = st.form_submit_button("Sign in", type="primary")
    if pressed:
        try:
            st.session_state[ACTOR] = login.sign_in(engine, name, password)
        except guard.AccessDenied as exc:
            errors.show(exc)
        else:
            st.rerun()


def _provider(engine: Engine) -> None:
    """Sign-in with the identity provider (OpenID Connect); its user must have an account of the same name."""
    st.title(TITLE)
    if not st.user.is_logged_in:
        st.caption("Sign in with your company account.")
        if st.button("Sign in", type="primary", key="signin_provider"):
            st.login()
        return
    try:
        st.session_state[ACTOR] = login.from_identity(engine, st.user.get("email") or "",
                                                      st.user.get("preferred_username"))
    except guard.AccessDenied as exc:
        errors.show(exc)
        if st.button("Sign out", key="signin_provider_out"):
            st.logout()
        return
    st.rerun()


def _sidebar(engine: Engine, who: guard.Actor) -> None:
    """Who is signed in (the name as plain text) and the sign-out button."""
    with st.sidebar:
        st.text(f"Signed in as {who.name} ({who.role})")
        if st.button("Sign out", key="signin_out", icon=":material/logout:"):
            login.sign_out(engine, who)
            st.session_state.pop(ACTOR, None)
            if _oidc() and st.user.is_logged_in:
                st.logout()
            st.rerun()


def gate(engine: Engine, frame: bool = True) -> guard.Actor:
    """Let the session through as its acting user, or show the sign-in (or the refusal) and stop this run.

    app.py calls it before the sidebar and any page (``frame``); every page calls it again first
    (:func:`ui.frame.page.require`, ``frame=False``), so that a run of a page without app.py (AppTest reruns only
    the page) is gated too; the sidebar's "Signed in as" is drawn once per run.
    """
    has_accounts = accounts.count(engine) > 0
    if not exposure.needs_sign_in(st.get_option("server.address"), has_accounts):
        st.session_state.pop(ACTOR, None)
        return guard.acting(engine, "")
    if not has_accounts:
        st.error(exposure.REFUSAL, icon=":material/lock:")
        st.stop()
    who = _signed_in(engine)
    if who is None:
        (_provider if _oidc() else _form)(engine)
        st.stop()
    if frame:
        st.session_state[_DRAWN] = True  # this run's page leaves the sidebar to the frame
        _sidebar(engine, who)
    elif not st.session_state.pop(_DRAWN, False):
        _sidebar(engine, who)
    return who
