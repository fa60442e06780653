"""``python -m core status``: rows per table and the import log."""

from __future__ import annotations

from core.export import units  # plain Python: --help stays fast

NAME = "status"
#: the import log's columns printed
IMPORT_COLUMNS = ["id", "file_name", "kind", "mode", "rows_read", "rows_loaded", "rows_rejected", "finished_at",
                  "status"]
#: the counts among them (written by core.export.units)
IMPORT_UNITS = {"rows_read": "count", "rows_loaded": "count", "rows_rejected": "count"}


def add_parser(sub) -> None:
    """Register the ``status`` sub-command (no options)."""
    sub.add_parser(NAME, help="rows per table and the import log")


def run(engine, a) -> int:
    """Run ``python -m core status``; returns the exit code."""
    from core.cli.format import figures_text  # pandas loads here, not for --help
    from core.store import read as store  # in run, for a fast --help
    from core.store.profile import profile  # in run, for a fast --help

    found = profile(engine)
    print(found.summary)
    if found.holdings:
        rows = found.table_rows()
        width = max(len(r["data"]) for r in rows)
        for r in rows:
            days = f"{r['from']} to {r['to']}" if r["from"] else "no dates"
            print(f"  {r['data']:<{width}}  {units.count(r['rows']):>12}  {days}")
    print()
    st = store.status(engine)
    width = max(len(t) for t in st["counts"])
    for table, n in st["counts"].items():
        print(f"{table:<{width}}  {units.count(n):>12}")
    imports = st["imports"]
    undone = imports[imports["status"] == "undone"]
    print(f"\n{units.count(len(imports) - len(undone))} imports"
          + (f", {units.count(len(undone))} undone" if len(undone) else ""))
    if len(imports):
        print(figures_text(imports[IMPORT_COLUMNS], IMPORT_UNITS, left=("file_name", "kind", "mode", "status")))
    for r in undone.itertuples():
        print(f"#{r.id} undone {r.undone_at:%Y-%m-%d %H:%M} UTC" + (f": {r.undo_reason}" if r.undo_reason else ""))
    return 0
