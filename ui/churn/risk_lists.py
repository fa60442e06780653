"""Whether this session may see per-customer churn scores and risk lists (the rule is core's:
:func:`core.access.guard.allowed` with :data:`core.access.rights.RISK_LISTS`), and the one line shown instead of a
list and its download when not. Used by every page that lists customers by risk: Churn drivers, Health scores,
Intervention ROI and the Quarterly review; aggregate figures stay for everyone."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.engine import Engine

from core.access import guard, rights
from ui import components
from ui.frame import signin


def allowed(engine: Engine) -> bool:
    """Whether the session's user may see per-customer risk lists (not when nobody signed in to a store with
    accounts)."""
    try:
        return guard.allowed(engine, signin.actor(engine), rights.RISK_LISTS)
    except guard.AccessDenied:
        return False


def line(engine: Engine) -> str:
    """The sentence shown instead of a per-customer list."""
    try:
        return guard.risk_lists_withheld(signin.actor(engine))
    except guard.AccessDenied:
        return "Per-customer risk lists are shown to admins and the roles an admin allows: sign in first."


def shown(engine: Engine, where=st) -> bool:
    """True when the session may see per-customer lists; else draws :func:`line` (in ``where``) and returns False."""
    if allowed(engine):
        return True
    where.info(components.plain(line(engine)), icon=":material/lock:")
    return False
