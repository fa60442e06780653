"""Signing in: a local account's name and password (:func:`sign_in`), or an identity provider's e-mail address or
user name (:func:`from_identity`, OpenID Connect), each written to the audit trail; and the brute-force guard.

A refused sign-in says the same thing whether the name is unknown, the password wrong or the account disabled, so
that nobody learns which names exist. After :data:`MAX_REFUSED` refused sign-ins for one name within
:data:`WINDOW`, that name may not try again for :data:`WINDOW`; the refusals are counted from the audit trail, so
the pause holds across restarts of the server and across its sessions.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.engine import Engine

from core.access import audit
from core.access import users as accounts
from core.access.guard import AccessDenied, Actor
from core.store.tables import AuditEntry

#: the audit actions of this module
SIGN_IN, REFUSED, SIGN_OUT = "sign in", "sign-in refused", "sign out"
#: refused sign-ins for one name within :data:`WINDOW` that pause it for :data:`WINDOW`
MAX_REFUSED = 5
WINDOW = dt.timedelta(minutes=15)
#: the one message of a refused sign-in (unknown name, wrong password and disabled account alike)
WRONG = "The name or the password is not right, or the account is disabled: try again or ask an admin."
#: the longest name the trail keeps of a refused try (an account's name has at most 64 characters)
_LONGEST = 64

_T = AuditEntry.__table__


def _utc(t: dt.datetime) -> dt.datetime:
    """``t`` as an aware UTC time (SQLite gives the stored UTC times back without a zone)."""
    return t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t.astimezone(dt.UTC)


def paused_until(engine: Engine, name: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """Until when sign-ins for ``name`` are paused (UTC), or None: :data:`MAX_REFUSED` refused sign-ins within
    :data:`WINDOW` since its last sign-in pause it for :data:`WINDOW` after the last of them."""
    now = _utc(now or dt.datetime.now(dt.UTC))
    since = now - 2 * WINDOW  # a pause that still holds began at most one window ago, after one window of tries
    q = (select(_T.c.at, _T.c.action, _T.c.detail).where(_T.c.target == name, _T.c.action.in_([SIGN_IN, REFUSED]),
                                                         _T.c.at >= since)
         .order_by(_T.c.id))
    with engine.connect() as conn:
        rows = conn.execute(q).all()
    tries: list[dt.datetime] = []
    for at, action, detail in rows:
        if action == SIGN_IN:
            tries = []  # a sign-in starts the count again
        elif not (detail or {}).get("paused"):  # a try during a pause is refused without counting
            tries.append(_utc(at))
    until = None
    for i in range(MAX_REFUSED - 1, len(tries)):
        if tries[i] - tries[i - MAX_REFUSED + 1] <= WINDOW:
            until = tries[i] + WINDOW
    return until if until is not None and now < until else None


def _refuse(engine: Engine, name: str, detail: dict) -> None:
    audit.record(engine, name, "", REFUSED, name, detail)


def sign_in(engine: Engine, name: str, password: str, now: dt.datetime | None = None) -> Actor:
    """The account ``name`` signed in with ``password``; audited as "sign in" (the password never).

    Raises
    ------
    AccessDenied
        :data:`WRONG` for an unknown name, a wrong password or a disabled account (audited as "sign-in refused"
        with the name tried); or the name is paused after too many refusals (see the module).
    """
    name = str(name or "").strip()[:_LONGEST]
    until = paused_until(engine, name, now)
    if until is not None:
        _refuse(engine, name, {"paused": True})
        wait = max(1, -(-int((until - _utc(now or dt.datetime.now(dt.UTC))).total_seconds()) // 60))
        raise AccessDenied(f"{MAX_REFUSED} sign-ins for {name} were refused within {WINDOW.seconds // 60} minutes: "
                           f"this name may try again in {wait} minutes ({until:%H:%M} UTC), or ask an admin.")
    found = accounts.find(engine, name) if name else None
    checked = accounts.verify_password(engine, name, password)  # always run: as slow for an unknown name
    if found is None or not checked:
        _refuse(engine, name, {})
        raise AccessDenied(WRONG)
    actor = Actor(found["name"], found["role"])
    audit.record(engine, actor.name, actor.role, SIGN_IN, actor.name, {"with": "password"})
    return actor


def sign_out(engine: Engine, actor: Actor) -> None:
    """Audit that ``actor`` signed out (nothing for the local admin of a store without accounts)."""
    if not actor.local:
        audit.record(engine, actor.name, actor.role, SIGN_OUT, actor.name)


def _account_for(engine: Engine, identities: list[str]) -> dict | None:
    """The account whose name is one of ``identities``, ignoring case (the first identity that has one)."""
    table = accounts.users(engine)
    by_lower = {str(n).lower(): n for n in table["name"]}
    for ident in identities:
        found = by_lower.get(ident.lower())
        if found is not None:
            return accounts.find(engine, found)
    return None


def from_identity(engine: Engine, email_or_name: str, preferred: str | None = None) -> Actor:
    """The account of a user an identity provider signed in (OpenID Connect): the account named like the
    provider's e-mail address (case ignored), else like its preferred user name; audited as "sign in".

    Raises
    ------
    AccessDenied
        No account has that name (the message says how an admin adds one), or the account is disabled.
    """
    identities = [s for s in (str(email_or_name or "").strip(), str(preferred or "").strip()) if s]
    found = _account_for(engine, identities)
    if found is None:
        who = identities[0] if identities else "this identity"
        raise AccessDenied(f"there is no account for {who}: an admin adds one with python -m core users add "
                           f"{who if identities else 'NAME'} --role viewer")
    if found["disabled_at"] is not None:
        raise AccessDenied(f"user {found['name']} is disabled: ask an admin")
    actor = Actor(found["name"], found["role"])
    audit.record(engine, actor.name, actor.role, SIGN_IN, actor.name, {"with": "identity provider"})
    return actor


def current(engine: Engine, actor: Actor) -> Actor:
    """``actor`` as the store has it now: its current role (an admin's change takes effect at once).

    Raises
    ------
    AccessDenied
        The account no longer exists or was disabled since it signed in.
    """
    if actor.local:
        return actor
    found = accounts.find(engine, actor.name)
    if found is None:
        raise AccessDenied(f"there is no user {actor.name} any more: sign in again or ask an admin")
    if found["disabled_at"] is not None:
        raise AccessDenied(f"user {actor.name} is disabled: ask an admin")
    return Actor(found["name"], found["role"])
