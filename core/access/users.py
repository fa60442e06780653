"""Local accounts: a name, a role and an Argon2 hash of the password (the password itself is never stored).

Accounts are never deleted, only disabled, so the audit trail's names keep meaning someone. The store keeps at
least one enabled admin once it has users: the first account must be an admin, and the last enabled admin can be
neither disabled nor given another role.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from core.access.rights import ADMIN, check_role
from core.errors import DataValidationError
from core.store.tables import User

#: the columns of :func:`users`
USER_COLUMNS = ["name", "role", "created_at", "disabled_at"]
#: the shortest password an account accepts
MIN_PASSWORD = 8

_HASHER = PasswordHasher()  # Argon2id with the library's recommended cost (RFC 9106 low-memory profile)
_T = User.__table__


@functools.cache
def _stand_in() -> str:
    """The hash an unknown name's password is checked against, so that a refusal takes as long whether or not the
    name exists (no account can match it: it is the hash of a random password nobody knows). Made at the first
    sign-in, not at import: a hash costs a quarter of a CPU-second, which every ``python -m core`` run and every app
    start would pay."""
    return _HASHER.hash(secrets.token_hex(16))


def _name(name: str) -> str:
    n = str(name or "").strip()
    if not n or any(c.isspace() for c in n) or len(n) > 64:
        raise DataValidationError(f"'{name}' is not a user name: one word of 1 to 64 characters, no spaces.")
    return n


def count(engine: Engine) -> int:
    """How many accounts the store has (enabled or not); none means everyone acts as the local admin."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(_T)).scalar_one())


def find(engine: Engine, name: str) -> dict | None:
    """The account ``name`` (``name, role, created_at, disabled_at``), or None."""
    with engine.connect() as conn:
        row = conn.execute(select(*[_T.c[c] for c in USER_COLUMNS]).where(_T.c.name == str(name).strip())).first()
    return None if row is None else dict(row._mapping)


def users(engine: Engine) -> pd.DataFrame:
    """Every account by name: :data:`USER_COLUMNS` (never the hash)."""
    with engine.connect() as conn:
        rows = conn.execute(select(*[_T.c[c] for c in USER_COLUMNS]).order_by(_T.c.name)).all()
    return pd.DataFrame(rows, columns=USER_COLUMNS)


def add(engine: Engine, name: str, role: str, password: str) -> None:
    """Create an account with ``password`` hashed (Argon2id).

    Raises
    ------
    DataValidationError
        A bad name or role, a password shorter than :data:`MIN_PASSWORD`, a name already taken, or a first
        account that is not an admin (someone must be able to manage the others).
    """
    name, role = _name(name), check_role(role)
    if len(password or "") < MIN_PASSWORD:
        raise DataValidationError(f"The password of {name} must have at least {MIN_PASSWORD} characters.")
    if role != ADMIN and count(engine) == 0:
        raise DataValidationError(f"The first user must be an admin, so that someone can manage the others: "
                                  f"python -m core users add {name} --role admin.")
    try:
        with engine.begin() as conn:
            conn.execute(_T.insert().values(name=name, role=role, password_hash=_HASHER.hash(password),
                                            created_at=dt.datetime.now(dt.UTC)))
    except IntegrityError:
        raise DataValidationError(f"There is already a user {name}.") from None


def _existing(conn, name: str):
    row = conn.execute(select(_T.c.name, _T.c.role, _T.c.disabled_at).where(_T.c.name == _name(name))).first()
    if row is None:
        raise DataValidationError(f"There is no user {name}: python -m core users list shows the users.")
    return row


def _last_admin(conn, name: str) -> bool:
    """Whether ``name`` is the only enabled admin."""
    admins = conn.execute(select(_T.c.name).where(_T.c.role == ADMIN, _T.c.disabled_at.is_(None))).scalars().all()
    return admins == [name]


def set_role(engine: Engine, name: str, role: str) -> str:
    """Give ``name`` the role ``role``; returns the role it had.

    Raises
    ------
    DataValidationError
        No such user, not a role, or the last enabled admin would lose the role.
    """
    role = check_role(role)
    with engine.begin() as conn:
        row = _existing(conn, name)
        if row.role == ADMIN and role != ADMIN and row.disabled_at is None and _last_admin(conn, row.name):
            raise DataValidationError(f"{row.name} is the only admin: make another user admin first.")
        conn.execute(_T.update().where(_T.c.name == row.name).values(role=role))
    return row.role


def disable(engine: Engine, name: str) -> None:
    """Disable ``name`` for good (it can no longer act or sign in).

    Raises
    ------
    DataValidationError
        No such user, already disabled, or the last enabled admin.
    """
    with engine.begin() as conn:
        row = _existing(conn, name)
        if row.disabled_at is not None:
            raise DataValidationError(f"{row.name} is already disabled.")
        if row.role == ADMIN and _last_admin(conn, row.name):
            raise DataValidationError(f"{row.name} is the only admin: make another user admin first.")
        conn.execute(_T.update().where(_T.c.name == row.name).values(disabled_at=dt.datetime.now(dt.UTC)))


def verify_password(engine: Engine, name: str, password: str) -> bool:
    """Whether ``password`` is the password of the enabled account ``name`` (False for an unknown or disabled
    name, so a sign-in page cannot tell which of the two was wrong)."""
    with engine.connect() as conn:
        row = conn.execute(select(_T.c.password_hash, _T.c.disabled_at).where(_T.c.name == str(name).strip())).first()
    try:  # an unknown or disabled name is checked against a stand-in hash: it takes as long as a real check
        ok = _HASHER.verify(_stand_in() if row is None else row.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False
    return ok and row is not None and row.disabled_at is None
