"""``python -m core report``: quarterly review snapshots (core.review).

``--quarter 2026-Q3`` builds the quarter's snapshot and prints its figures (``--save`` stores it for good,
``--out`` writes the figures as .csv or .xlsx); ``--list`` lists the saved snapshots; ``--compare A B``
lines two saved snapshots up with the cause of each move.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from core import review
from core.cli_format import text_table, write_table
from core.errors import DataValidationError


def add_parser(sub) -> None:
    """Register the ``report`` sub-command.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The sub-parsers of ``python -m core``.
    """
    rp = sub.add_parser("report", help="quarterly review: build, save, list and compare frozen snapshots",
                        description="One action: --quarter Q (build; --save stores it), --list, or --compare A B.")
    rp.add_argument("--quarter", metavar="YYYY-Qn", help="build the snapshot of this quarter, e.g. 2026-Q3")
    rp.add_argument("--save", action="store_true", help="with --quarter: store the snapshot (never changed after)")
    rp.add_argument("--roi-window", type=int, metavar="DAYS",
                    help="with --quarter: days of retention measured after a contact (default "
                         f"{review.ReviewParams.roi_window})")
    rp.add_argument("--list", action="store_true", help="the saved snapshots, newest first")
    rp.add_argument("--compare", nargs=2, type=int, metavar=("A", "B"),
                    help="two saved snapshots' figures side by side, B minus A, with the known cause of each move")
    rp.add_argument("--out", type=Path, metavar="FILE",
                    help="write the figures (or the comparison) here, .csv or .xlsx, instead of printing them")


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


def run(engine, a) -> int:
    """Run ``python -m core report``; returns the exit code (bad input raises a WorkbenchError)."""
    actions = [n for n, given in (("--quarter", a.quarter is not None), ("--list", a.list),
                                  ("--compare", a.compare is not None)) if given]
    if len(actions) != 1:
        raise DataValidationError("Choose one action: --quarter 2026-Q3 (with --save to store it), --list, or "
                                  "--compare A B" + (f" ({' and '.join(actions)} were given together)." if actions
                                                     else "."))
    if a.save and a.quarter is None or a.roi_window is not None and a.quarter is None:
        raise DataValidationError("--save and --roi-window go with --quarter.")
    if a.list:
        s = review.snapshots(engine)
        if s.empty:
            print("no snapshot saved yet: python -m core report --quarter 2026-Q3 --save")
            return 0
        print(text_table(("id", "quarter", "as of", "saved (UTC)", "figures", "data"),
                     [[str(r.id), r.quarter, f"{r.as_of:%Y-%m-%d}", f"{r.created_at:%Y-%m-%d %H:%M}", str(r.figures),
                       r.data_hash[:12]] for r in s.itertuples(index=False)]))
        return 0
    if a.compare is not None:
        before, after = (review.load(engine, i) for i in a.compare)
        c = review.compare(before, after)
        print(f"snapshot {before.id} ({before.quarter}) -> {after.id} ({after.quarter})")
        if a.out is not None:
            _out(c, a.out, "Comparison")
            return 0
        units = after.figures.set_index(["page", "metric", "group"])["unit"].to_dict()
        units.update({k: v for k, v in before.figures.set_index(["page", "metric", "group"])["unit"].items()
                      if k not in units})
        rows = []
        for r in c.itertuples(index=False):
            u = units.get((r.page, r.metric, r.group), "")
            if r.metric == "Top driver":
                rows.append([r.page, r.metric, r.group, r.text_before or "", r.text_after or "", "", r.cause])
                continue
            change = review.format_value(r.change, u, signed=True)
            rows.append([r.page, r.metric, r.group, review.format_value(r.before, u), review.format_value(r.after, u),
                         change, r.cause])
        print(text_table(("page", "metric", "group", "before", "after", "change", "cause"), rows))
        return 0
    params = review.ReviewParams() if a.roi_window is None else review.ReviewParams(roi_window=a.roi_window)
    snap = review.build(engine, a.quarter, params)
    if a.save:
        review.save(engine, snap)
    versions = snap.versions
    print(f"{snap.quarter} as of {snap.as_of:%Y-%m-%d}; data {snap.data_hash[:12]}; churn model "
          f"{'none' if versions['churn_model'] is None else 'v' + str(versions['churn_model'])}; health configuration "
          f"{'default' if versions['health_config'] is None else 'v' + str(versions['health_config'])}"
          + (f"; saved as snapshot {snap.id}" if snap.id is not None else " (not saved: add --save)"))
    if a.out is not None:
        _out(snap.figures, a.out, "Figures")
        return 0
    print(text_table(("page", "metric", "group", "value", "95% CI", "note"), figure_rows(snap.figures)))
    return 0
