"""``python -m core``: the workbench's command line.

The parser is built from :data:`COMMANDS`, one module per sub-command, each with ``add_parser(sub)`` and
``run(engine, args)``. Building it imports no pandas, scipy or model library (each ``run`` imports its own), so
``--help`` answers at once. Bad input ends with exit code 2 and one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys

from core.cli import audit, churn, cohorts, demo, health, import_file, overview, report, roi, status, themes, undo
from core.cli import erase as erase_command
from core.cli import forecast as forecast_command
from core.cli import plays as plays_command
from core.cli import retention as retention_command
from core.cli import service as service_command
from core.cli import users as users_command
from core.cli.who import add_option as add_user_option
from core.errors import WorkbenchError
from core.store.faults import store_fault, store_path  # plain Python: --help stays fast

#: the sub-commands, in the order ``--help`` lists them
COMMANDS = (import_file, undo, status, overview, cohorts, churn, health, themes, roi, plays_command, service_command,
            forecast_command, report, demo, users_command, audit, erase_command, retention_command)
#: exit code of bad input (a WorkbenchError, a missing or unreadable file)
EXIT_BAD_INPUT = 2
#: exit code of a fault in the workbench itself (still one line, no traceback)
EXIT_FAULT = 1
#: set this environment variable to see the traceback of a fault
TRACEBACK_ENV = "RETENTION_TRACEBACK"


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m core`` parser; each sub-command's module is kept as its ``run`` default."""
    p = argparse.ArgumentParser(prog="python -m core", description="Retention workbench command line.")
    p.add_argument("--db", help="SQLAlchemy URL of the store (default: RETENTION_DB_URL or data/retention.db)")
    add_user_option(p)
    sub = p.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_parser(sub)
        sub.choices[command.NAME].set_defaults(run=command.run)
    return p


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _default_url() -> str:
    from core.store.engine import default_url  # SQLAlchemy: loaded here only after a command has run

    return default_url()


#: exit code when the output's reader closed the pipe early (128 + SIGPIPE, as a shell reports it)
EXIT_PIPE_CLOSED = 141


def _reader_gone() -> int:
    """Point stdout at /dev/null, so the interpreter's final flush does not fail again, and exit quietly."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout is no file (tests capture it): nothing to silence
        pass
    return EXIT_PIPE_CLOSED


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        from core.store import engine as db  # SQLAlchemy loads once the command is known, not for --help

        return args.run(db.make_engine(args.db), args)
    except WorkbenchError as exc:
        print("error: " + _one_line(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # the reader stopped reading (``| head``): not an error of the input, say nothing
        return _reader_gone()
    except OSError as exc:
        print(f"error: {exc.strerror or exc}: {getattr(exc, 'filename', '')}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # a fault of the workbench, not of the input: still one line, never a traceback
        fault = store_fault(exc, store_path(args.db or os.environ.get("RETENTION_DB_URL") or _default_url()))
        if fault is not None:  # the store is busy, full, read-only, not a database or damaged: say so and how to fix
            print("error: " + _one_line(fault), file=sys.stderr)
            return EXIT_BAD_INPUT
        if os.environ.get(TRACEBACK_ENV):
            raise
        print(f"error: unexpected {type(exc).__name__}: {_one_line(exc)} (a fault in the workbench, not in your "
              f"input: please report it with the command you ran; set {TRACEBACK_ENV}=1 to see the traceback)",
              file=sys.stderr)
        return EXIT_FAULT
