"""Roles and their rights, and the admin's setting of who may see per-customer risk lists.

Four roles: a **viewer** reads the dashboards; an **analyst** loads and undoes imports, configures the models, the
health score and the codebook, and marks verbatims followed up; the **board** builds and saves review snapshots and
records decisions and assumptions; an **admin** may do everything, including users, erasure and the retention
policy. Per-customer churn scores and risk lists are the admin's, and those of the roles an admin allows
(:func:`set_risk_list_roles`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.engine import Engine

from core.errors import DataValidationError
from core.store.tables import AccessSetting

VIEWER, ANALYST, BOARD, ADMIN = "viewer", "analyst", "board", "admin"
#: every role, from the fewest rights to the most
ROLES = (VIEWER, ANALYST, BOARD, ADMIN)

READ = "read"
IMPORT = "import"
UNDO = "undo"
CONFIGURE = "configure"
CODEBOOK = "codebook"
FOLLOW_UP = "follow_up"
SAVE_MODEL = "save_model"
SNAPSHOT = "snapshot"
DECIDE = "decide"
USERS = "users"
ERASE = "erase"
RETENTION = "retention"
AUDIT = "audit"
RESET = "reset"
RISK_LISTS = "risk_lists"

#: right -> (what it lets a user do, in words that finish "may not ...", the role that has it besides admin)
RIGHTS: dict[str, tuple[str, str | None]] = {
    READ: ("read the dashboards", VIEWER),
    IMPORT: ("load data (import a file, record a playbook run or a contact log)", ANALYST),
    UNDO: ("undo an import", ANALYST),
    CONFIGURE: ("change a saved configuration (the health score, a playbook, the lapse period)", ANALYST),
    CODEBOOK: ("change the feedback codebook", ANALYST),
    FOLLOW_UP: ("change the follow-up status of verbatims", ANALYST),
    SAVE_MODEL: ("save a churn model", ANALYST),
    SNAPSHOT: ("save a review snapshot", BOARD),
    DECIDE: ("record a review decision or assumption", BOARD),
    USERS: ("manage users", None),
    ERASE: ("erase a customer", None),
    RETENTION: ("set the retention policy", None),
    AUDIT: ("read the audit trail", None),
    RESET: ("replace the store's data with the demo", None),
    RISK_LISTS: ("see per-customer churn scores and risk lists", None),
}


def check_role(role: str) -> str:
    """``role`` as one of :data:`ROLES` (case and spaces ignored).

    Raises
    ------
    DataValidationError
        Not a role.
    """
    r = str(role).strip().lower()
    if r not in ROLES:
        raise DataValidationError(f"'{role}' is not a role: use one of {', '.join(ROLES)}.")
    return r


def role_may(role: str, right: str, risk_list_roles: tuple[str, ...] = ()) -> bool:
    """Whether ``role`` has ``right``; ``risk_list_roles`` are the roles an admin allowed to see risk lists."""
    if right not in RIGHTS:
        raise ValueError(f"unknown right {right!r}")
    if role == ADMIN:
        return True
    if right == RISK_LISTS:
        return role in risk_list_roles
    holder = RIGHTS[right][1]
    return holder is not None and (holder == role or holder == VIEWER and role in ROLES)


def refusal(name: str, role: str, right: str) -> str:
    """The one line that refuses ``right`` to user ``name`` of ``role``, saying whom to ask for what."""
    what, holder = RIGHTS[right]
    if right == RISK_LISTS:
        fix = f"ask an admin to allow the {role} role to see them"
    else:
        fix = f"ask an admin for the {holder or ADMIN} role"
    return f"user {name} ({role}) may not {what}: {fix}"


def risk_list_roles(engine: Engine) -> tuple[str, ...]:
    """The roles besides admin that may see per-customer churn scores and risk lists (none until an admin says)."""
    t = AccessSetting.__table__
    with engine.connect() as conn:
        roles = conn.execute(select(t.c.risk_list_roles).order_by(t.c.id.desc()).limit(1)).scalar()
    return tuple(roles or ())


def set_risk_list_roles(engine: Engine, roles, by: str) -> tuple[str, ...]:
    """Store which roles besides admin may see per-customer risk lists (a new row; earlier ones stay).

    The caller checks that ``by`` holds :data:`USERS` (:func:`core.access.guard.require`) and audits the change.

    Raises
    ------
    DataValidationError
        A name that is not a role.
    """
    chosen = tuple(r for r in ROLES if r in {check_role(x) for x in roles} and r != ADMIN)
    with engine.begin() as conn:
        conn.execute(AccessSetting.__table__.insert().values(risk_list_roles=list(chosen),
                                                             at=dt.datetime.now(dt.UTC), user=by))
    return chosen
