"""Who acts, and whether they may: :func:`require` before an action, :func:`done` after it (its audit entry).

A store with no account at all (a fresh checkout, the demo) is a single-user tool: everyone acts as the local
admin (:data:`LOCAL`), so the README's commands work without signing in. Once an account exists, an action needs
a known, enabled user whose role has the right; anything else raises :class:`AccessDenied` before anything
changes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from core.access import audit, rights
from core.access import users as accounts
from core.errors import WorkbenchError

#: the environment variable naming the acting user when ``--user`` is not given
USER_ENV = "RETENTION_USER"
#: the name the audit trail gives the local admin of a store without accounts
LOCAL = "local"


class AccessDenied(WorkbenchError):
    """The acting user is unknown, disabled or lacks the right; the message is one line saying what to do."""


@dataclass(frozen=True)
class Actor:
    """The user an action runs as: ``name``, ``role``, and whether it is the local admin of a store without
    accounts (``local``)."""

    name: str
    role: str
    local: bool = False


def acting(engine: Engine, name: str | None = None) -> Actor:
    """The acting user: ``name`` (else ``RETENTION_USER``), or the local admin when the store has no account.

    Raises
    ------
    AccessDenied
        The store has accounts and no name was given, the name is unknown, or the account is disabled.
    """
    name = (name if name is not None else os.environ.get(USER_ENV, "")).strip()
    if accounts.count(engine) == 0:
        return Actor(name or LOCAL, rights.ADMIN, local=True)
    if not name:
        raise AccessDenied(f"this store has users: say who acts with --user NAME (or {USER_ENV}=NAME)")
    found = accounts.find(engine, name)
    if found is None:
        raise AccessDenied(f"there is no user {name}: an admin adds one with python -m core users add")
    if found["disabled_at"] is not None:
        raise AccessDenied(f"user {name} is disabled: ask an admin")
    return Actor(found["name"], found["role"])


def allowed(engine: Engine, actor: Actor, right: str) -> bool:
    """Whether ``actor`` has ``right`` (the risk-list right as an admin set it)."""
    extra = rights.risk_list_roles(engine) if right == rights.RISK_LISTS and actor.role != rights.ADMIN else ()
    return rights.role_may(actor.role, right, extra)


def require(engine: Engine, user: str | Actor | None, right: str) -> Actor:
    """The acting user, if they may use ``right``.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
    user : str, Actor or None
        The acting user's name (None: ``RETENTION_USER``), or an :class:`Actor` already resolved.
    right : str
        One of :data:`core.access.rights.RIGHTS`.

    Raises
    ------
    AccessDenied
        As :func:`acting`, or the role lacks the right: ``user X (viewer) may not undo an import: ask an admin
        for the analyst role``.
    """
    actor = user if isinstance(user, Actor) else acting(engine, user)
    if not allowed(engine, actor, right):
        raise AccessDenied(rights.refusal(actor.name, actor.role, right))
    return actor


def done(engine: Engine, actor: Actor, action: str, target: str = "", detail: dict | None = None) -> int:
    """The audit entry of an action ``actor`` took; returns its id."""
    return audit.record(engine, actor.name, actor.role, action, target, detail)


def author(actor: Actor, given: str | None = "") -> str:
    """The author a change records: the signed-in user's name; for the local admin of a store without accounts,
    ``given`` (else the ``--user`` name, else empty, which a change that needs an author refuses)."""
    if not actor.local:
        return actor.name
    return str(given or "").strip() or (actor.name if actor.name != LOCAL else "")


def risk_lists_withheld(actor: Actor) -> str:
    """The one line shown instead of a per-customer risk list to a user without :data:`rights.RISK_LISTS`."""
    return ("Per-customer risk lists are shown to admins and the roles an admin allows; you are signed in as "
            f"{actor.name} ({actor.role}).")
