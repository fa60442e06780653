"""``python -m core erase CUSTOMER_ID --reason TEXT``: erase a customer from every table, the column files and the
saved review snapshots (admins only, once a store has users); prints the rows removed per table. A refusal or an
unknown id is one line and exit code 2, with nothing changed."""

from __future__ import annotations

from core.cli.who import acting_user
from core.export import units  # plain Python: --help stays fast

NAME = "erase"


def add_parser(sub) -> None:
    """Register the ``erase`` sub-command."""
    er = sub.add_parser(NAME, help="erase a customer everywhere: every table, the column files, saved snapshots")
    er.add_argument("customer_id", metavar="CUSTOMER_ID", help="the customer's id, as the store holds it")
    er.add_argument("--reason", required=True, help="why the customer is erased (kept in the audit trail)")


def run(engine, a) -> int:
    """Run ``python -m core erase``; returns the exit code."""
    from core.access import erasure  # SQLAlchemy and pyarrow load here, not for --help
    from core.cli.format import text_table  # in run, for a fast --help

    removed = erasure.erase(engine, a.customer_id, a.reason, user=acting_user(a))
    rows = [[erasure.label(name), units.count(n)] for name, n in removed.items()]
    print(f"erased customer {a.customer_id.strip()} (the audit trail keeps only a hash of the id)")
    print(text_table(("removed from", "rows"), rows, left=[0]))
    return 0
