"""``python -m core audit``: the audit trail, newest first (admins only, once a store has users); ``--csv PATH``
writes all of it."""

from __future__ import annotations

from pathlib import Path

from core.cli.who import acting_user
from core.export import units  # plain Python: --help stays fast

NAME = "audit"


def add_parser(sub) -> None:
    """Register the ``audit`` sub-command."""
    au = sub.add_parser(NAME, help="who did what and when: the audit trail, newest first")
    au.add_argument("--limit", type=int, default=50, metavar="N", help="entries printed (default 50)")
    au.add_argument("--csv", type=Path, metavar="PATH", help="write every entry to this CSV instead")


def run(engine, a) -> int:
    """Run ``python -m core audit``; returns the exit code."""
    from core.access import audit, guard, rights  # SQLAlchemy and pandas load here, not for --help
    from core.cli.format import text_table  # in run, for a fast --help

    guard.require(engine, acting_user(a), rights.AUDIT)
    if a.csv is not None:
        n = audit.export_csv(engine, a.csv)
        print(f"wrote {units.count(n)} audit entries to {a.csv}")
        return 0
    trail = audit.flat(audit.entries(engine, limit=max(a.limit, 0)))
    if trail.empty:
        print("the audit trail is empty")
        return 0
    print(text_table(("at (UTC)", "user", "role", "action", "target", "detail"),
                     [[r.at, r.user, r.role, r.action, r.target, r.detail] for r in trail.itertuples(index=False)],
                     left=range(6)))
    return 0
