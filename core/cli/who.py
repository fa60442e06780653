"""Who the command acts as: ``--user NAME`` or the ``RETENTION_USER`` environment variable. Plain Python (no
SQLAlchemy, no pandas), so that building the parser and checking options stays fast; the check itself is
:func:`core.access.guard.require`."""

from __future__ import annotations

import os

#: the environment variable naming the acting user (as core.access.guard.USER_ENV)
USER_ENV = "RETENTION_USER"


def add_option(parser) -> None:
    """Add ``--user`` to the ``python -m core`` parser."""
    parser.add_argument("--user", metavar="NAME",
                        help=f"act as this user (default: {USER_ENV}); a store without users needs none")


def acting_user(a) -> str | None:
    """The name the command acts as (``--user``, else ``RETENTION_USER``), or None."""
    return (getattr(a, "user", None) or os.environ.get(USER_ENV) or "").strip() or None


def require(engine, a, right: str):
    """The acting user (:class:`core.access.guard.Actor`) if they may use ``right``; else
    :class:`core.access.guard.AccessDenied` (exit code 2, one line)."""
    from core.access import guard  # SQLAlchemy loads here, once a command runs, not for --help

    return guard.require(engine, acting_user(a), right)
