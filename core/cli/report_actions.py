"""The actions of ``python -m core report`` (:mod:`core.cli.report`): list, decide, assume, compare, show."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from core.access import guard, rights
from core.cli.format import text_table, write_table
from core.cli.report import OUT_KINDS, out_refused
from core.cli.who import acting_user, require
from core.errors import DataValidationError
from core.export import units
from core.history.feature_labels import feature_label
from core.query import warehouse
from core.review import compare as review_compare
from core.review import log as review_log
from core.review import report as review_report
from core.review import saved as review_saved
from core.review import snapshot as review
from core.review import workbook as review_export
from core.review.warehouse_snapshot import build_on_warehouse


def figure_rows(figures: pd.DataFrame) -> list[list[str]]:
    """Printed cells of a snapshot's figures: ``page, metric, group, value, 95% CI, note``, each figure and its
    interval in its unit (:func:`core.export.units.format_value`, :func:`core.export.units.interval`), as the
    review's workbook and printed report write them."""
    rows = []
    for r in figures.itertuples(index=False):
        value = feature_label(r.text) if r.metric == "Top driver" else units.format_value(r.value, r.unit)
        rows.append([r.page, r.metric, r.group, value, units.interval(r.low, r.high, r.unit),
                     "" if r.metric == "Top driver" else r.text])
    return rows


def _out(df: pd.DataFrame, path: Path, sheet: str) -> None:
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise DataValidationError(f"--out writes .csv or .xlsx, not {path.name}.")
    write_table(df, path, sheet, "figures")


def risk_lists(engine, a) -> bool:
    """Whether the acting user (``--user``) may see per-customer risk lists; not when nobody known acts on a store
    with accounts."""
    try:
        return guard.allowed(engine, guard.acting(engine, acting_user(a)), rights.RISK_LISTS)
    except guard.AccessDenied:
        return False


def _pack(engine, a, snap: review.Snapshot, path: Path, comparison: pd.DataFrame | None = None) -> None:
    """Write the figures (.csv), the board workbook (.xlsx) or the printable report (.html) of ``snap``."""
    kind = path.suffix.lower()
    if kind not in OUT_KINDS:
        raise DataValidationError(out_refused(path))
    if kind == ".csv":
        write_table(snap.figures, path, "Figures", "figures")
        return
    log = review_log.decisions(engine, snap.id) if snap.id is not None else None
    register = review_log.assumptions(engine, snap)
    if kind == ".xlsx":
        lists = risk_lists(engine, a)
        path.write_bytes(review_export.to_xlsx(snap, log, register, comparison, risk_lists=lists))
        if not lists and review_export.has_at_risk(snap):
            print("left out the customers behind MRR at risk: per-customer risk lists are shown to admins and the "
                  "roles an admin allows")
    else:
        path.write_text(review_report.to_html(snap, log, register, comparison), encoding="utf-8")
    print(f"wrote the {'workbook' if kind == '.xlsx' else 'printable report'} of {snap.quarter} "
          f"({len(snap.figures)} figures) to {path}")


def _build(engine, quarter: str, params: review.ReviewParams) -> review.Snapshot:
    """The review of ``quarter``: the store's, or when ``RETENTION_WAREHOUSE_URL`` is set the warehouse's (where the
    figures come from said on stderr)."""
    company = warehouse.configured()
    if company is None:
        return review.build(engine, quarter, params)
    with company:
        print(f"Figures from {company.name}.", file=sys.stderr)
        return build_on_warehouse(engine, company, quarter, params)


def _header(snap: review.Snapshot) -> str:
    v = snap.versions
    return (f"{snap.quarter} as of {snap.as_of:%Y-%m-%d}; data {snap.data_hash[:12]}; churn model "
            f"{review.churn_model_text(v)}; health configuration "
            f"{'default' if v['health_config'] is None else 'v' + str(v['health_config'])}"
            + (f"; saved as snapshot {snap.id}" if snap.id is not None else " (not saved: add --save)"))


def assumption_value(value: float, unit: str) -> str:
    """An assumption's value as the Quarterly review page shows it: in its unit when it has one of
    :data:`core.export.units.UNITS` (``$42.50``, ``80.0%``), else as entered (``12`` months; six significant
    digits, as the page: a free unit such as months or days is not a figure's unit)."""
    return units.format_value(value, unit) if unit in units.UNITS else f"{value:,.6g}"


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
                            [[r.name, assumption_value(r.value, r.unit), r.unit, "yes" if r.used_in_figures else "no",
                              r.source] for r in reg.itertuples(index=False)]))
    return "\n".join(parts)


def list_snapshots(engine) -> int:
    """``--list``: the saved snapshots, newest first."""
    s = review_saved.snapshots(engine)
    if s.empty:
        print("no snapshot saved yet: python -m core report --quarter 2026-Q3 --save")
        return 0
    print(text_table(("id", "quarter", "as of", "saved (UTC)", "figures", "data"),
                     [[str(r.id), r.quarter, f"{r.as_of:%Y-%m-%d}", f"{r.created_at:%Y-%m-%d %H:%M}",
                       units.count(r.figures), r.data_hash[:12]] for r in s.itertuples(index=False)]))
    return 0


def decide(engine, a) -> int:
    """``--decide ID``: record a decision against a saved snapshot (as ``--user``; core checks the right)."""
    n = review_log.add_decision(engine, a.decide, decision=a.decision, owner=a.owner, rationale=a.rationale,
                                due=a.due, status=a.status, user=acting_user(a))
    print(f"recorded decision {n} against snapshot {a.decide}")
    return 0


def assume(engine, a) -> int:
    """``--assume ID``: add an assumption to a saved snapshot's register (as ``--user``; core checks the right)."""
    review_log.add_assumption(engine, a.assume, name=a.name, value=a.value, unit=a.unit, owner=a.owner or "",
                              source=a.source, user=acting_user(a))
    print(f"added the assumption '{a.name.strip()}' to snapshot {a.assume}'s register")
    return 0


def compare(engine, a) -> int:
    """``--compare A B``: two saved snapshots side by side (printed, or written with ``--out``)."""
    before, after = (review_saved.load(engine, i) for i in a.compare)
    c = review_compare.compare(before, after)
    print(f"snapshot {before.id} ({before.quarter}) -> {after.id} ({after.quarter})")
    if a.out is not None:
        if a.out.suffix.lower() in (".xlsx", ".html"):
            _pack(engine, a, after, a.out, c)
        else:
            _out(c, a.out, "Comparison")
        return 0
    rows = review_compare.shown_comparison(before, after, c).values.tolist()
    print(text_table(("page", "metric", "group", "before", "after", "change", "cause"), rows))
    return 0


def show(engine, a) -> int:
    """``--snapshot ID`` or ``--quarter Q`` (``--save`` stores it): the figures, printed or written with ``--out``."""
    if a.snapshot is not None:
        snap = review_saved.load(engine, a.snapshot)
    else:
        # refused before the (slow) build; the save itself checks the right again and writes the audit entry
        actor = require(engine, a, rights.SNAPSHOT) if a.save else None
        params = review.ReviewParams() if a.roi_window is None else review.ReviewParams(roi_window=a.roi_window)
        snap = _build(engine, a.quarter, params)
        if a.save:
            review_saved.save(engine, snap, user=actor)
    print(_header(snap))
    if a.out is not None:
        _pack(engine, a, snap, a.out)
        return 0
    print(text_table(("page", "metric", "group", "value", "95% CI", "note"), figure_rows(snap.figures)))
    if snap.id is not None and a.snapshot is not None:
        print(_log_text(engine, snap))
    return 0
