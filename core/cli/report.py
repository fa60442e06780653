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

import pandas as pd

from core.cli.format import text_table, write_table
from core.errors import DataValidationError
from core.review import log as review_log
from core.review import report as review_report
from core.review import snapshot as review
from core.review import workbook as review_export


def add_parser(sub) -> None:
    """Register the ``report`` sub-command.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The sub-parsers of ``python -m core``.
    """
    rp = sub.add_parser("report", help="quarterly review: build, save, list and compare frozen snapshots, record "
                        "decisions and assumptions, export the board pack",
                        description="One action: --quarter Q (build; --save stores it), --snapshot ID, --list, "
                                    "--compare A B, --decide ID or --assume ID.")
    rp.add_argument("--quarter", metavar="YYYY-Qn", help="build the snapshot of this quarter, e.g. 2026-Q3")
    rp.add_argument("--save", action="store_true", help="with --quarter: store the snapshot (never changed after)")
    rp.add_argument("--roi-window", type=int, metavar="DAYS",
                    help="with --quarter: days of retention measured after a contact (default "
                         f"{review.ReviewParams.roi_window})")
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
    rp.add_argument("--status", default="open", help=f"with --decide: one of {', '.join(review_log.STATUSES)}")
    rp.add_argument("--assume", type=int, metavar="ID", help="add an assumption to saved snapshot ID's register "
                    "(with --name, --value; optional --unit, --owner, --source)")
    rp.add_argument("--name", help="with --assume: the assumption")
    rp.add_argument("--value", type=float, help="with --assume: its value (a share as a fraction: 0.8)")
    rp.add_argument("--unit", default="", help="with --assume: currency, share, months, days ...")
    rp.add_argument("--source", default="", help="with --assume: where it comes from")
    rp.add_argument("--out", type=Path, metavar="FILE",
                    help="write the figures or the comparison (.csv), the board workbook (.xlsx) or the printable "
                         "report (.html) instead of printing them")


def figure_rows(figures: pd.DataFrame) -> list[list[str]]:
    """Printed cells of a snapshot's figures: ``page, metric, group, value, 95% CI, note`` (shares in % to 1
    decimal, money and counts to whole units, scores to 3 decimals)."""
    rows = []
    for r in figures.itertuples(index=False):
        fmt = review.format_value
        ci = "" if pd.isna(r.low) else f"[{fmt(r.low, r.unit)}, {fmt(r.high, r.unit)}]"
        value = r.text if r.metric == "Top driver" else review.format_value(r.value, r.unit)
        rows.append([r.page, r.metric, r.group, value, ci, "" if r.metric == "Top driver" else r.text])
    return rows


def _out(df: pd.DataFrame, path: Path, sheet: str) -> None:
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise DataValidationError(f"--out writes .csv or .xlsx, not {path.name}.")
    write_table(df, path, sheet, "figures")


def _pack(engine, snap: review.Snapshot, path: Path, comparison: pd.DataFrame | None = None) -> None:
    """Write the figures (.csv), the board workbook (.xlsx) or the printable report (.html) of ``snap``."""
    kind = path.suffix.lower()
    if kind not in (".csv", ".xlsx", ".html"):
        raise DataValidationError(f"--out writes .csv (figures), .xlsx (the workbook) or .html (the report), not "
                                  f"{path.name}.")
    if kind == ".csv":
        write_table(snap.figures, path, "Figures", "figures")
        return
    log = review_log.decisions(engine, snap.id) if snap.id is not None else None
    register = review_log.assumptions(engine, snap)
    if kind == ".xlsx":
        path.write_bytes(review_export.to_xlsx(snap, log, register, comparison))
    else:
        path.write_text(review_report.to_html(snap, log, register, comparison), encoding="utf-8")
    print(f"wrote the {'workbook' if kind == '.xlsx' else 'printable report'} of {snap.quarter} "
          f"({len(snap.figures)} figures) to {path}")


def _header(snap: review.Snapshot) -> str:
    v = snap.versions
    return (f"{snap.quarter} as of {snap.as_of:%Y-%m-%d}; data {snap.data_hash[:12]}; churn model "
            f"{'none' if v['churn_model'] is None else 'v' + str(v['churn_model'])}; health configuration "
            f"{'default' if v['health_config'] is None else 'v' + str(v['health_config'])}"
            + (f"; saved as snapshot {snap.id}" if snap.id is not None else " (not saved: add --save)"))


def _log_text(engine, snap: review.Snapshot) -> str:
    """The decision log and the assumptions register of a saved snapshot, as text tables."""
    log = review_log.decisions(engine, snap.id)
    reg = review_log.assumptions(engine, snap)
    parts = ["decisions:" if len(log) else "decisions: none recorded yet"]
    if len(log):
        parts.append(text_table(("#", "decision", "owner", "due", "status", "revision"),
                                [[str(r.number), r.decision, r.owner, "" if r.due is None else f"{r.due:%Y-%m-%d}",
                                  r.status, str(r.revision)] for r in log.itertuples(index=False)]))
    parts.append("assumptions:")
    parts.append(text_table(("assumption", "value", "unit", "used in figures", "source"),
                            [[r.name, f"{r.value:,.6g}", r.unit, "yes" if r.used_in_figures else "no", r.source]
                             for r in reg.itertuples(index=False)]))
    return "\n".join(parts)


def _check(a) -> None:
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


def run(engine, a) -> int:
    """Run ``python -m core report``; returns the exit code (bad input raises a WorkbenchError)."""
    _check(a)
    if a.list:
        s = review.snapshots(engine)
        if s.empty:
            print("no snapshot saved yet: python -m core report --quarter 2026-Q3 --save")
            return 0
        print(text_table(("id", "quarter", "as of", "saved (UTC)", "figures", "data"),
                     [[str(r.id), r.quarter, f"{r.as_of:%Y-%m-%d}", f"{r.created_at:%Y-%m-%d %H:%M}", str(r.figures),
                       r.data_hash[:12]] for r in s.itertuples(index=False)]))
        return 0
    if a.decide is not None:
        n = review_log.add_decision(engine, a.decide, decision=a.decision, owner=a.owner, rationale=a.rationale,
                                    due=a.due, status=a.status)
        print(f"recorded decision {n} against snapshot {a.decide}")
        return 0
    if a.assume is not None:
        review_log.add_assumption(engine, a.assume, name=a.name, value=a.value, unit=a.unit, owner=a.owner or "",
                                  source=a.source)
        print(f"added the assumption '{a.name.strip()}' to snapshot {a.assume}'s register")
        return 0
    if a.compare is not None:
        before, after = (review.load(engine, i) for i in a.compare)
        c = review.compare(before, after)
        print(f"snapshot {before.id} ({before.quarter}) -> {after.id} ({after.quarter})")
        if a.out is not None:
            if a.out.suffix.lower() in (".xlsx", ".html"):
                _pack(engine, after, a.out, c)
            else:
                _out(c, a.out, "Comparison")
            return 0
        rows = review.shown_comparison(before, after, c).values.tolist()
        print(text_table(("page", "metric", "group", "before", "after", "change", "cause"), rows))
        return 0
    if a.snapshot is not None:
        snap = review.load(engine, a.snapshot)
    else:
        params = review.ReviewParams() if a.roi_window is None else review.ReviewParams(roi_window=a.roi_window)
        snap = review.build(engine, a.quarter, params)
        if a.save:
            review.save(engine, snap)
    print(_header(snap))
    if a.out is not None:
        _pack(engine, snap, a.out)
        return 0
    print(text_table(("page", "metric", "group", "value", "95% CI", "note"), figure_rows(snap.figures)))
    if snap.id is not None and a.snapshot is not None:
        print(_log_text(engine, snap))
    return 0
