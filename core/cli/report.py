"""``python -m core report``: quarterly review snapshots (core.review.snapshot).

``--quarter 2026-Q3`` builds the quarter's snapshot and prints its figures (``--save`` stores it for good);
``--snapshot ID`` prints a saved one with its decision log and assumptions register; ``--list`` lists the saved
snapshots; ``--compare A B`` lines two saved snapshots up with the cause of each move. ``--out`` writes the
figures (.csv), the board workbook (.xlsx: a sheet per page, the decision log, the assumptions register and the
definitions) or the printable report (.html). ``--decide ID --decision TEXT --owner NAME`` records a decision
and ``--assume ID --name NAME --value X`` an assumption against a saved snapshot.
"""

from __future__ import annotations

from pathlib import Path

from core.cli.defaults import REVIEW_STATUSES
from core.errors import DataValidationError
from core.roi.defaults import WINDOW_DAYS as REVIEW_ROI_WINDOW  # a plain constant: --help stays fast

NAME = "report"


def add_parser(sub) -> None:
    """Register the ``report`` sub-command.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The sub-parsers of ``python -m core``.
    """
    rp = sub.add_parser(NAME, help="quarterly review: build, save, list and compare frozen snapshots, record "
                        "decisions and assumptions, export the board pack",
                        description="One action: --quarter Q (build; --save stores it), --snapshot ID, --list, "
                                    "--compare A B, --decide ID or --assume ID.")
    rp.add_argument("--quarter", metavar="YYYY-Qn", help="build the snapshot of this quarter, e.g. 2026-Q3")
    rp.add_argument("--save", action="store_true", help="with --quarter: store the snapshot (never changed after)")
    rp.add_argument("--roi-window", type=int, metavar="DAYS",
                    help="with --quarter: days of retention measured after a contact (default "
                         f"{REVIEW_ROI_WINDOW})")
    rp.add_argument("--snapshot", type=int, metavar="ID", help="a saved snapshot: its figures, decisions, assumptions")
    rp.add_argument("--list", action="store_true", help="the saved snapshots, newest first")
    rp.add_argument("--compare", nargs=2, type=int, metavar=("A", "B"),
                    help="two saved snapshots' figures side by side, B minus A, with the known cause of each move")
    rp.add_argument("--decide", type=int, metavar="ID", help="record a decision against saved snapshot ID "
                    "(with --decision, --owner; optional --rationale, --due, --status)")
    rp.add_argument("--decision", help="with --decide: what was decided")
    rp.add_argument("--owner", help="with --decide: who owns it; with --assume: who stands behind it")
    rp.add_argument("--rationale", default="", help="with --decide: why")
    rp.add_argument("--due", help="with --decide: due date, YYYY-MM-DD")
    rp.add_argument("--status", default="open", help=f"with --decide: one of {', '.join(REVIEW_STATUSES)}")
    rp.add_argument("--assume", type=int, metavar="ID", help="add an assumption to saved snapshot ID's register "
                    "(with --name, --value; optional --unit, --owner, --source)")
    rp.add_argument("--name", help="with --assume: the assumption")
    rp.add_argument("--value", type=float, help="with --assume: its value (a share as a fraction: 0.8)")
    rp.add_argument("--unit", default="", help="with --assume: currency, share, months, days ...")
    rp.add_argument("--source", default="", help="with --assume: where it comes from")
    rp.add_argument("--out", type=Path, metavar="FILE",
                    help="write the figures or the comparison (.csv), the board workbook (.xlsx) or the printable "
                         "report (.html) instead of printing them")


def check(a) -> None:
    """Raise on no action, several actions, or options that do not go with the action."""
    actions = [n for n, given in (("--quarter", a.quarter is not None), ("--snapshot", a.snapshot is not None),
                                  ("--list", a.list), ("--compare", a.compare is not None),
                                  ("--decide", a.decide is not None), ("--assume", a.assume is not None)) if given]
    if len(actions) != 1:
        raise DataValidationError("Choose one action: --quarter 2026-Q3 (with --save to store it), --snapshot ID, "
                                  "--list, --compare A B, --decide ID or --assume ID"
                                  + (f" ({' and '.join(actions)} were given together)." if actions else "."))
    if a.save and a.quarter is None or a.roi_window is not None and a.quarter is None:
        raise DataValidationError("--save and --roi-window go with --quarter.")
    if a.decide is None and (a.decision is not None or a.due is not None):
        raise DataValidationError("--decision and --due go with --decide ID.")
    if a.assume is None and (a.name is not None or a.value is not None):
        raise DataValidationError("--name and --value go with --assume ID.")
    if a.assume is not None and (a.name is None or a.value is None):
        raise DataValidationError("--assume needs --name and --value, e.g. --name 'Outreach cost per call' --value 40.")
    if a.out is not None and a.out.suffix.lower() not in OUT_KINDS:  # refused before a review is built (seconds)
        raise DataValidationError(out_refused(a.out))


#: what ``--out`` writes: the figures or a comparison, the board workbook, the printable report
OUT_KINDS = (".csv", ".xlsx", ".html")


def out_refused(path: Path) -> str:
    """The message for an ``--out`` file of another kind."""
    return f"--out writes .csv (figures), .xlsx (the workbook) or .html (the report), not {path.name}."


def run(engine, a) -> int:
    """Run ``python -m core report``; returns the exit code (bad input raises a WorkbenchError)."""
    check(a)
    from core.cli import report_actions as act  # the review (pandas, every page's analytics) loads here, not for --help

    if a.list:
        return act.list_snapshots(engine)
    if a.decide is not None:
        return act.decide(engine, a)
    if a.assume is not None:
        return act.assume(engine, a)
    if a.compare is not None:
        return act.compare(engine, a)
    return act.show(engine, a)
