"""``python -m core users``: local accounts (add, list, set-role, disable) and who may see per-customer risk lists.

Every change needs the admin's right to manage users and leaves an audit entry. A store without users lets anyone
act as the local admin, so the first ``users add`` (which must make an admin) needs no ``--user``. The password
comes from ``--password-stdin`` (one line), the ``RETENTION_PASSWORD`` environment variable or, at a terminal, a
prompt that does not echo; it is stored only as an Argon2 hash.
"""

from __future__ import annotations

import getpass
import os
import sys

from core.cli.who import acting_user
from core.errors import DataValidationError

NAME = "users"
#: the environment variable holding the new account's password (when not read from stdin)
PASSWORD_ENV = "RETENTION_PASSWORD"
_ROLES = ("viewer", "analyst", "board", "admin")  # core.access.rights.ROLES, here without SQLAlchemy for --help


def add_parser(sub) -> None:
    """Register the ``users`` sub-command and its actions."""
    us = sub.add_parser(NAME, help="local accounts and roles (admins only, once a store has users)")
    acts = us.add_subparsers(dest="users_action", required=True)
    add = acts.add_parser("add", help="create an account (the first one must be an admin)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=_ROLES)
    add.add_argument("--password-stdin", action="store_true",
                     help=f"read the password from the first line of stdin (else {PASSWORD_ENV} or a prompt)")
    acts.add_parser("list", help="the accounts, their roles, when created and disabled")
    sr = acts.add_parser("set-role", help="give an account another role")
    sr.add_argument("name")
    sr.add_argument("role", choices=_ROLES)
    dis = acts.add_parser("disable", help="disable an account for good (it stays in the audit trail)")
    dis.add_argument("name")
    rl = acts.add_parser("risk-lists", help="which roles besides admin may see per-customer churn scores and "
                         "risk lists: no role shows the setting, 'none' allows no other role")
    rl.add_argument("roles", nargs="*", metavar="ROLE", help=f"{', '.join(_ROLES[:-1])} or none")  # checked in run


def _password(a) -> str:
    """The new password: stdin's first line, ``RETENTION_PASSWORD``, or a prompt at a terminal."""
    if a.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if sys.stdin.isatty():
        return getpass.getpass(f"password for {a.name}: ")
    raise DataValidationError(f"Give the password with --password-stdin or {PASSWORD_ENV}; it is never written "
                              "on the command line.")


def _list(engine) -> None:
    from core.access import users as accounts  # pandas loads here, not for --help
    from core.cli.format import text_table  # in run, for a fast --help

    found = accounts.users(engine)
    if found.empty:
        print("no users: everyone acts as the local admin (python -m core users add NAME --role admin)")
        return
    print(text_table(("user", "role", "created (UTC)", "disabled (UTC)"),
                     [[r.name, r.role, f"{r.created_at:%Y-%m-%d %H:%M}", _when(r.disabled_at)]
                      for r in found.itertuples(index=False)], left=range(4)))


def _when(t) -> str:
    """A time to the minute, or empty when there is none (None or NaT)."""
    return "" if t is None or t != t else f"{t:%Y-%m-%d %H:%M}"


def _risk_lists(engine, a, actor) -> None:
    from core.access import admin, rights  # SQLAlchemy loads here, not for --help

    if not a.roles:
        roles = rights.risk_list_roles(engine)
        print("per-customer risk lists: admin" + "".join(f", {r}" for r in roles))
        return
    roles = admin.allow_risk_lists(engine, actor, [r for r in a.roles if r != "none"])
    print("per-customer risk lists: admin" + "".join(f", {r}" for r in roles))


def run(engine, a) -> int:
    """Run ``python -m core users``; returns the exit code (a refusal raises core.access.guard.AccessDenied)."""
    from core.access import admin, guard, rights  # SQLAlchemy loads here, not for --help

    actor = guard.require(engine, acting_user(a), rights.USERS)  # each action below checks and audits itself
    if a.users_action == "list":
        _list(engine)
    elif a.users_action == "risk-lists":
        _risk_lists(engine, a, actor)
    elif a.users_action == "add":
        name = admin.add_user(engine, actor, a.name, a.role, _password(a))
        print(f"added user {name} ({a.role})")
    elif a.users_action == "set-role":
        before = admin.change_role(engine, actor, a.name, a.role)
        print(f"user {a.name.strip()}: {before} -> {a.role}")
    else:
        admin.disable_user(engine, actor, a.name)
        print(f"disabled user {a.name.strip()}")
    return 0
