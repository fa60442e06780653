"""``python -m core plays run --rules FILE``: the playbook's triggers over the store's signals as of a day, the
action queue guarded and each play's holdout drawn; prints the queue per play and why actions were held back, and
writes the queue to ``--out`` (CSV or XLSX). ``python -m core plays list --rules FILE``: the playbook in plain words,
checked, without reading the store."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.errors import WorkbenchError

NAME = "plays"
OUT_SUFFIXES = (".csv", ".xlsx")


def add_parser(sub) -> None:
    """Register the ``plays`` sub-command."""
    p = sub.add_parser(NAME, help="playbooks: turn triggers into a guarded action queue with a holdout per play",
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("action", choices=["run", "list"],
                   help="run: queue the actions the triggers fire today; list: the playbook's triggers and guards")
    p.add_argument("--rules", type=Path, required=True, help="the playbook: a JSON file of triggers and guards")
    p.add_argument("--as-of", dest="as_of", help="the day the signals are read on, YYYY-MM-DD (default: the data's "
                   "last day)")
    p.add_argument("--seed", type=int, default=0, help="the seed of the holdout draw")
    p.add_argument("--out", type=Path, help="write the queue to this .csv or .xlsx file")


def run(engine, a) -> int:
    """Run ``python -m core plays``; returns the exit code (bad input raises a plain WorkbenchError)."""
    import pandas as pd  # pandas loads here, not for --help

    from core.cli.format import figures_text, write_table  # in run, for a fast --help
    from core.plays import summary  # in run, for a fast --help
    from core.plays.queue import run as run_queue  # in run, for a fast --help
    from core.plays.rules import parse_json  # in run, for a fast --help
    from core.plays.signals import store_signals  # in run, for a fast --help

    if not a.rules.is_file():
        raise WorkbenchError(f"No playbook file at {a.rules}: write one (see README, Playbooks) and pass it.")
    if a.action == "list":
        print(summary.book_text(parse_json(a.rules.read_text())))
        return 0
    if a.out is not None and a.out.suffix.lower() not in OUT_SUFFIXES:
        raise WorkbenchError(f"--out must end in .csv or .xlsx, not {a.out.name!r}.")
    book = parse_json(a.rules.read_text())
    day = None
    if a.as_of:
        try:
            day = pd.Timestamp(a.as_of)
        except ValueError:
            raise WorkbenchError(f"--as-of must be a day written YYYY-MM-DD, not {a.as_of!r}.") from None
    signals, context, day = store_signals(engine, book, day)
    queue = run_queue(book, signals, day, context, seed=a.seed)
    print(summary.headline(queue, day))
    plays = summary.by_play(queue)
    if len(plays):
        print(figures_text(plays, {c: "count" for c in plays.columns[2:]}, left=("play", "owner")))
    for line in summary.without_data(book, signals):
        print(line)
    reasons = summary.held_reasons(queue)
    if len(reasons):
        print("\nHeld back:")
        print(figures_text(reasons, {"actions": "count"}, left=("guard",)))
    if a.out is not None:
        write_table(queue, a.out, "Queue", "actions")
    return 0
