"""``python -m core status``: rows per table and the import log."""

from __future__ import annotations

NAME = "status"
#: the import log's columns printed
IMPORT_COLUMNS = ["id", "file_name", "kind", "mode", "rows_read", "rows_loaded", "rows_rejected", "finished_at"]


def add_parser(sub) -> None:
    """Register the ``status`` sub-command (no options)."""
    sub.add_parser(NAME, help="rows per table and the import log")


def run(engine, a) -> int:
    """Run ``python -m core status``; returns the exit code."""
    from core.store import read as store  # pandas loads here, not for --help

    st = store.status(engine)
    width = max(len(t) for t in st["counts"])
    for table, n in st["counts"].items():
        print(f"{table:<{width}}  {n:>12,}")
    imports = st["imports"]
    print(f"\n{len(imports)} imports")
    if len(imports):
        print(imports[IMPORT_COLUMNS].to_string(index=False))
    return 0
