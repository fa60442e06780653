"""``python -m core undo IMPORT_ID``: remove every row an import loaded and mark it undone (analysts and admins,
once a store has users; audited)."""

from __future__ import annotations

from core.cli.who import acting_user
from core.export import units  # plain Python: --help stays fast

NAME = "undo"


def add_parser(sub) -> None:
    """Register the ``undo`` sub-command."""
    un = sub.add_parser(NAME, help="undo an import: remove every row it loaded (the import log keeps it)")
    un.add_argument("import_id", type=int, metavar="IMPORT_ID", help="the import's number (python -m core status)")
    un.add_argument("--reason", help="why (kept in the import history and the audit trail)")


def run(engine, a) -> int:
    """Run ``python -m core undo``; returns the exit code."""
    from core.ingest.manage import undo_import  # pandas loads here, not for --help

    removed = undo_import(engine, a.import_id, reason=a.reason, user=acting_user(a))
    print(f"undid import #{a.import_id}: removed "
          + ", ".join(f"{units.count(n)} {t}" for t, n in removed.items() if n) + (
              "" if any(removed.values()) else "no rows"))
    return 0
