"""The Admin page's setting of who may see per-customer churn scores and risk lists (admins always may): the
setting in force, who set it and when, and the roles to allow, saved through :func:`core.access.admin.allow_risk_lists`
(audited)."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from core.access import admin, guard, rights
from ui import components
from ui.admin import gate

#: the roles an admin may allow, and how the page names their members
ALLOWABLE = {rights.VIEWER: "viewers", rights.ANALYST: "analysts", rights.BOARD: "board members"}


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def setting_text(setting: dict | None) -> str:
    """The setting in force in one sentence, with who set it and when (``None``: nobody set it yet)."""
    if setting is None:
        return "Only admins may see them: no admin has allowed another role yet."
    roles = [ALLOWABLE[r] for r in setting["roles"] if r in ALLOWABLE]
    who = f"set by {setting['user'] or 'an unnamed user'} on {pd.Timestamp(setting['at']):%Y-%m-%d %H:%M} UTC"
    if not roles:
        return f"Only admins may see them ({who})."
    return f"Admins and {_and(roles)} may see them ({who})."


def section(engine: Engine, actor: guard.Actor) -> None:
    """The setting in force, and the roles to allow with a save button."""
    st.subheader("Who may see per-customer churn scores and risk lists")
    st.caption("The field's practice is to keep them to a few people, so that customers are not contacted before "
               "a plan is agreed. The dashboards' totals stay visible to every role.")
    setting = admin.risk_list_setting(engine)
    st.info(components.plain(setting_text(setting)), icon=":material/visibility:")
    now = list(setting["roles"]) if setting else []
    chosen = st.multiselect("Roles that may see them besides admins", list(ALLOWABLE), default=now,
                            format_func=ALLOWABLE.get, key="admin_risk_roles", placeholder="No other role")
    if st.button("Save who may see them", key="admin_risk_save", icon=":material/save:"):
        allowed = [ALLOWABLE[r] for r in chosen]
        gate.act(lambda: admin.allow_risk_lists(engine, actor, chosen),
                 f"Saved: admins{' and ' + _and(allowed) if allowed else ' only'} may see per-customer risk lists.")
