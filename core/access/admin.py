"""An admin's actions on accounts and on who may see risk lists: each checks the right to manage users, does the
change and leaves its audit entry, in one place for the CLI (``python -m core users``) and the Admin page.

Every action takes the acting user as a name or as a :class:`core.access.guard.Actor`. An Actor a page keeps for a
signed-in session is looked up again in the store first, so a session whose account was disabled or lost the admin
role since it signed in is refused too.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine

from core.access import guard, rights
from core.access import users as accounts
from core.errors import DataValidationError
from core.store.tables import AccessSetting


def current(engine: Engine, user: str | guard.Actor | None) -> guard.Actor:
    """The acting user as the store knows them now: a signed-in Actor looked up again (its role may have changed);
    the local admin of a store without accounts stays one only while the store has none.

    Raises
    ------
    AccessDenied
        The account is unknown or disabled, or the store has accounts and nobody signed in.
    """
    if not isinstance(user, guard.Actor):
        return guard.acting(engine, user)
    if user.local:
        return user if accounts.count(engine) == 0 else guard.acting(engine, "")
    return guard.acting(engine, user.name)


def _admin(engine: Engine, user: str | guard.Actor | None) -> guard.Actor:
    """The acting user as the store knows them now, if they may manage users (else AccessDenied)."""
    return guard.require(engine, current(engine, user), rights.USERS)


def add_user(engine: Engine, user: str | guard.Actor | None, name: str, role: str, password: str,
             repeated: str | None = None) -> str:
    """Create the account ``name`` with ``role`` (:func:`core.access.users.add`), audited as ``add user``;
    returns the name as stored.

    ``repeated``: the password typed a second time (a form asks twice), which must be the same.

    Raises
    ------
    AccessDenied
        ``user`` may not manage users.
    DataValidationError
        The two passwords differ, or :func:`core.access.users.add` refuses (bad name or role, short password, a
        name taken, a first account that is not an admin).
    """
    actor = _admin(engine, user)
    if repeated is not None and repeated != password:
        raise DataValidationError("The two passwords differ: type the same password twice.")
    accounts.add(engine, name, role, password)
    stored, role = str(name).strip(), rights.check_role(role)
    guard.done(engine, actor, "add user", stored, {"role": role})
    return stored


def change_role(engine: Engine, user: str | guard.Actor | None, name: str, role: str) -> str:
    """Give the account ``name`` the role ``role``, audited as ``set role`` (before and after); returns the role it
    had.

    Raises
    ------
    AccessDenied
        ``user`` may not manage users.
    DataValidationError
        No such account, not a role, or the last enabled admin would lose the role.
    """
    actor = _admin(engine, user)
    role = rights.check_role(role)
    before = accounts.set_role(engine, name, role)
    guard.done(engine, actor, "set role", str(name).strip(), {"before": before, "after": role})
    return before


def disable_user(engine: Engine, user: str | guard.Actor | None, name: str) -> None:
    """Disable the account ``name`` for good, audited as ``disable user``.

    Raises
    ------
    AccessDenied
        ``user`` may not manage users.
    DataValidationError
        No such account, already disabled, or the last enabled admin.
    """
    actor = _admin(engine, user)
    accounts.disable(engine, name)
    guard.done(engine, actor, "disable user", str(name).strip())


def allow_risk_lists(engine: Engine, user: str | guard.Actor | None, roles) -> tuple[str, ...]:
    """Let ``roles`` (besides admin) see per-customer churn scores and risk lists, audited as ``set risk-list
    roles`` (before and after); returns the roles now allowed, in :data:`core.access.rights.ROLES` order.

    Raises
    ------
    AccessDenied
        ``user`` may not manage users.
    DataValidationError
        A name that is not a role.
    """
    actor = _admin(engine, user)
    before = rights.risk_list_roles(engine)
    after = rights.set_risk_list_roles(engine, roles, actor.name)
    guard.done(engine, actor, "set risk-list roles", "risk lists", {"before": list(before), "after": list(after)})
    return after


def risk_list_setting(engine: Engine) -> dict | None:
    """The setting in force: ``roles`` (a tuple), ``at`` (UTC) and ``user`` (who set it); None when no admin set
    it yet (only admins see risk lists)."""
    t = AccessSetting.__table__
    with engine.connect() as conn:
        row = conn.execute(select(t.c.risk_list_roles, t.c.at, t.c.user).order_by(t.c.id.desc()).limit(1)).first()
    if row is None:
        return None
    return {"roles": tuple(row.risk_list_roles or ()), "at": row.at, "user": row.user}
