"""``python -m core plays``: the playbooks from the command line.

* ``run [--rules FILE] [--as-of DAY] [--seed N] [--out FILE] [--preview]``: the playbook's triggers over the store's
  signals as of a day, the action queue guarded and each play's holdout drawn. The run is recorded before anything
  of its list is shown (the run, every action, and its queued actions of both arms as play contacts, which the
  Intervention ROI page measures); it prints the queue per play and why actions were held back, and writes the queue
  to ``--out`` (CSV or XLSX). ``--preview`` prints the counts only, records nothing and writes no list. Without
  ``--rules``, the latest saved playbook.
* ``list [--rules FILE]``: the playbook in plain words, checked (without ``--rules``: the latest saved one, and the
  saved versions).
* ``save --rules FILE --author NAME --reason TEXT``: save the file as the playbook's next version.
* ``calendar [--rules FILE] [--as-of DAY] [--out FILE]``: the outreach calendar, week by week, and who the calendar
  gap still holds.
* ``results --log FILE``: load a contact log (CSV or XLSX: task_id, or customer_id and play; result done, reached
  or failed) and print each play's reach, which the Intervention ROI page shows beside the play's effect.
* ``handoff [--run N] [--out FILE.xlsx|FILE.csv|FOLDER] [--webhook URL]``: a recorded run's actions to reach (never a
  held-out customer) as CRM-ready tasks: a workbook with a sheet per owner team, one CSV, or a folder with a CSV per
  owner; and/or posted as JSON to the webhook (default: ``RETENTION_PLAYS_WEBHOOK``).

On a store with accounts, ``--out`` (a list of customers) needs the risk-list right, as the Playbooks page's lists do.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from core.cli.who import acting_user, require
from core.errors import WorkbenchError

NAME = "plays"
OUT_SUFFIXES = (".csv", ".xlsx")
ACTIONS = ("run", "list", "save", "calendar", "handoff", "results")


def add_parser(sub) -> None:
    """Register the ``plays`` sub-command."""
    p = sub.add_parser(NAME, help="playbooks: turn triggers into a guarded action queue with a holdout per play",
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("action", choices=ACTIONS,
                   help="run: queue (and record) the actions the triggers fire; list: the playbook's triggers and "
                        "guards; save: save --rules as the next version; calendar: the outreach calendar; handoff: a "
                        "recorded run's tasks per owner, to files or a webhook; results: load a contact log")
    p.add_argument("--rules", type=Path, help="the playbook: a JSON file of triggers and guards (default: the latest "
                   "saved version)")
    p.add_argument("--as-of", dest="as_of", help="the day the signals are read on, YYYY-MM-DD (default: the data's "
                   "last day)")
    p.add_argument("--seed", type=int, default=0, help="the seed of the holdout draw")
    p.add_argument("--out", type=Path, help="write the queue (run) or the booked customers (calendar) to this .csv "
                   "or .xlsx file")
    p.add_argument("--preview", action="store_true", help="run: print the counts only; record nothing, write no list")
    p.add_argument("--run", dest="run_id", type=int, help="handoff: the recorded run (default: the newest)")
    p.add_argument("--webhook", help="handoff: post the tasks as JSON to this http(s) address (default: "
                   "RETENTION_PLAYS_WEBHOOK)")
    p.add_argument("--log", type=Path, help="results: the contact log (CSV or XLSX)")
    p.add_argument("--author", help="save: who saves")
    p.add_argument("--reason", help="save: why")


def run(engine, a) -> int:
    """Run ``python -m core plays``; returns the exit code (bad input raises a plain WorkbenchError)."""
    from core.access import rights  # in run, for a fast --help
    from core.plays import summary  # in run, for a fast --help

    _check(a)
    if a.out is not None and a.action in ("run", "calendar", "handoff"):  # a list of customers: the roles allowed
        require(engine, a, rights.RISK_LISTS)
    if a.action == "save":
        return _save(engine, a)
    if a.action == "handoff":
        return _handoff(engine, a)
    if a.action == "results":
        return _results(engine, a)
    version, book = _book(engine, a)
    if a.action == "list":
        print(summary.book_text(book))
        if a.rules is None:
            _versions(engine)
        return 0
    if a.action == "calendar":
        return _calendar(engine, a, book)
    return _run(engine, a, version, book)


def _check(a) -> None:
    if a.rules is not None and not a.rules.is_file():
        raise WorkbenchError(f"No playbook file at {a.rules}: write one (see README, Playbooks) and pass it.")
    if a.out is not None and a.out.suffix.lower() not in OUT_SUFFIXES and a.action != "handoff":
        raise WorkbenchError(f"--out must end in .csv or .xlsx, not {a.out.name!r}.")
    if a.action == "handoff" and a.out is not None and a.out.suffix.lower() not in ("", *OUT_SUFFIXES) \
            and not a.out.is_dir():  # "tasks.txt" would become a folder of CSVs named like a file
        raise WorkbenchError(f"--out must end in .csv or .xlsx, or name a folder (no extension, or one that exists), "
                             f"not {a.out.name!r}.")
    if a.preview and a.out is not None:
        raise WorkbenchError("--preview records nothing, so it writes no list: who is held out is shown only once "
                             "the run is recorded. Leave out --out, or --preview.")
    if a.action == "results" and (a.log is None or not a.log.is_file()):
        raise WorkbenchError("plays results needs --log FILE: the contact log exported from the CRM (CSV or XLSX)"
                             + (f"; there is no file at {a.log}." if a.log is not None else "."))
    if a.action == "save" and a.rules is None:
        raise WorkbenchError("plays save needs --rules FILE: the playbook to save.")


def _book(engine, a):
    """(saved version or None, playbook) of ``--rules`` or, without it, the latest saved version."""
    from core.plays.book_store import load_book  # in run, for a fast --help
    from core.plays.rules import parse_json  # in run, for a fast --help

    if a.rules is not None:
        return None, parse_json(a.rules.read_text())
    saved = load_book(engine)
    if saved is None:
        raise WorkbenchError("No playbook is saved in this store: pass --rules FILE, or save one with python -m core "
                             "plays save --rules FILE --author NAME --reason TEXT.")
    return saved


def _day(a):
    import pandas as pd  # pandas loads here, not for --help

    if not a.as_of:
        return None
    try:
        return pd.Timestamp(a.as_of)
    except ValueError:
        raise WorkbenchError(f"--as-of must be a day written YYYY-MM-DD, not {a.as_of!r}.") from None


def _save(engine, a) -> int:
    from core.plays.book_store import load_book, save_book  # in run, for a fast --help
    from core.plays.rules import parse_json  # in run, for a fast --help

    book = parse_json(a.rules.read_text())
    latest = load_book(engine)
    version = save_book(engine, book, a.author or "", a.reason or "", parent=latest[0] if latest else None,
                        user=acting_user(a))
    print(f"Saved the playbook as version {version} ({len(book.triggers)} triggers).")
    return 0


def _versions(engine) -> None:
    from core.cli.format import figures_text  # in run, for a fast --help
    from core.plays.book_store import versions  # in run, for a fast --help

    v = versions(engine)
    v = v.assign(created_at=v["created_at"].map(lambda t: f"{t:%Y-%m-%d %H:%M}"),
                 parent=v["parent"].map(lambda p: "" if p is None else str(p)))
    print("\nSaved versions:")
    print(figures_text(v, {"version": "count", "triggers": "count"}, left=("author", "reason")))


def _run(engine, a, version, book) -> int:
    from core.cli.format import figures_text, write_table  # in run, for a fast --help
    from core.plays import summary  # in run, for a fast --help
    from core.plays.queue import run as run_queue  # in run, for a fast --help
    from core.plays.record import record_run  # in run, for a fast --help
    from core.plays.signals import store_signals  # in run, for a fast --help

    signals, context, day = store_signals(engine, book, _day(a))
    queue = run_queue(book, signals, day, context, seed=a.seed)
    if not a.preview:
        run_id = record_run(engine, book, queue, day, a.seed, book_version=version, user=acting_user(a))
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
    if a.preview:
        print("\nA preview: nothing was recorded. Run without --preview to record the run and see its list.")
        return 0
    print(f"\n{summary.recorded_text(run_id, queue)}")
    if a.out is not None:
        write_table(queue, a.out, "Queue", "actions")
    return 0


def _calendar(engine, a, book) -> int:
    from core.cli.format import figures_text, write_table  # in run, for a fast --help
    from core.history.inputs import load_inputs  # in run, for a fast --help
    from core.plays import summary  # in run, for a fast --help
    from core.plays.calendar import booked_until, by_week  # in run, for a fast --help
    from core.plays.runs import contacts, open_actions  # in run, for a fast --help

    day = _day(a) or load_inputs(engine).end()
    made = contacts(engine)
    weeks = by_week(made, open_actions(engine, day), day)
    booked = booked_until(made, book.guards, day)
    print(summary.calendar_text(booked, book.guards, day))
    if len(weeks):
        weeks = weeks.assign(week=weeks["week"].map(lambda w: f"{w:%Y-%m-%d}"))
        print(figures_text(weeks, {c: "count" for c in ("reached", "held_out", "due")}, left=("week", "play")))
    if a.out is not None:
        write_table(booked, a.out, "Booked", "booked contacts")
    return 0


def _handoff(engine, a) -> int:
    import os  # in run, for a fast --help

    from core.export.csv import write_csv  # in run, for a fast --help
    from core.export.units import count  # in run, for a fast --help
    from core.export.xlsx import to_xlsx  # in run, for a fast --help
    from core.plays import handoff  # in run, for a fast --help
    from core.plays.runs import run_actions, runs  # in run, for a fast --help

    done = runs(engine)
    if not len(done):
        raise WorkbenchError("No playbook run is recorded in this store: record one with python -m core plays run.")
    run_id = int(a.run_id) if a.run_id is not None else int(done["run"].iloc[0])
    if run_id not in set(done["run"]):
        raise WorkbenchError(f"There is no playbook run {run_id}: the runs are {', '.join(map(str, done['run']))}.")
    tasks = handoff.tasks(run_id, run_actions(engine, run_id))
    parts = handoff.by_owner(tasks)
    print(f"Run {run_id}: {count(len(tasks))} tasks to hand off, " + ", ".join(
        f"{count(len(t))} for {t['owner'].iloc[0]}" for t in parts.values()) + ".")
    if a.out is not None:
        if a.out.suffix.lower() == ".xlsx":
            a.out.write_bytes(to_xlsx(parts))
        elif a.out.suffix.lower() == ".csv":
            write_csv(tasks, a.out)
        else:
            a.out.mkdir(parents=True, exist_ok=True)
            for name, t in parts.items():
                write_csv(t, a.out / f"{name}.csv")
        print(f"wrote {count(len(tasks))} tasks to {a.out}")
    url = a.webhook or os.environ.get(handoff.WEBHOOK_ENV, "").strip()
    if url:
        sent = handoff.send_run(engine, run_id, url, user=acting_user(a))
        print(f"posted {count(sent)} tasks to the webhook at {handoff.check_url(url).split('/')[2]}")
    return 0


def _results(engine, a) -> int:
    from core.export.units import count  # in run, for a fast --help
    from core.plays import results  # in run, for a fast --help

    n = results.import_log(engine, a.log.read_bytes(), a.log.name, user=acting_user(a))
    print(f"Loaded {count(n)} results from {a.log.name}.")
    for _, row in results.reach(engine).iterrows():
        print(f"{row['play']}: {results.reach_text(row)}")
    return 0
