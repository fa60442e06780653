"""``python -m core service``: each service level against churn within N days of a ticket (raw and adjusted for
segment, plan and tenure, with 95 % intervals) and the MRR kept; ``--out`` writes every table to an XLSX workbook
with the Definitions sheet."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.cli.defaults import SERVICE_DAYS
from core.errors import WorkbenchError
from core.export import units  # plain Python: --help stays fast

NAME = "service"
#: the unit of each column of a level table (core.service.levels.COLUMNS)
UNITS = {"tickets": "count", "customers": "customers", "churned": "count", "mrr_at_stake": "currency",
         "mrr_kept": "share"}


def add_parser(sub) -> None:
    """Register the ``service`` sub-command."""
    p = sub.add_parser(NAME, help="service levels against churn: first response, time to resolve, escalations, "
                       "categories and channels", formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--days", type=int, default=SERVICE_DAYS, help="churn within this many days of a ticket")
    p.add_argument("--out", type=Path, help="write every table to this .xlsx workbook")
    p.add_argument("--target", metavar="MEASURE:HOURS", help="a service-level target to price, such as "
                   "resolution:24 or first_response:4: the tickets that missed it, the churn gap and what a point of "
                   "attainment keeps")
    p.add_argument("--cost-per-point", type=float, help="with --target: what a point of attainment costs a year")


def _rows(table):
    """The table as printed: each rate with its interval."""
    from core.cli.format import with_ci  # pandas loads here, not for --help

    out = table[["band", "tickets", "customers", "churned"]].copy()
    for name, col in (("churn", "churn_rate"), ("adjusted churn", "adjusted_rate")):
        low, high = col.replace("rate", "low"), col.replace("rate", "high")
        out[name] = [with_ci(v, lo, hi, units.percent) for v, lo, hi in zip(table[col], table[low], table[high])]
    return out.assign(mrr_at_stake=table["mrr_at_stake"], mrr_kept=table["mrr_kept"])


def _target(text: str):
    """``MEASURE:HOURS`` as a :class:`core.service.target.Target`."""
    from core.service.target import MEASURES, Target  # pandas loads here, not for --help

    measure, _, hours = (text or "").partition(":")
    try:
        value = float(hours)
    except ValueError:
        raise WorkbenchError(f"--target takes MEASURE:HOURS, such as resolution:24 (got '{text}'); measures: "
                             f"{', '.join(MEASURES)}.") from None
    return Target(measure.strip(), value)


def target_lines(r) -> list[str]:
    """The target's result in plain words (:class:`core.service.target.TargetResult`)."""
    from core.cli.format import with_ci  # pandas loads here, not for --help

    lines = [f"Target: {r.target.label()} (an association adjusted for segment, plan and tenure, not an experiment)",
             f"met by {units.count(r.met)} of {units.count(r.tickets)} tickets ({units.percent(r.attainment)}); "
             f"{units.count(r.customers_missed)} customers missed it, with {units.money(r.mrr_missed)} MRR",
             "churn after a missed ticket against a met one (adjusted): "
             + with_ci(r.gap, r.gap_low, r.gap_high, units.points),
             f"a point of attainment ({units.count(r.tickets_a_year / 100)} tickets a year): MRR kept "
             + with_ci(r.mrr_per_point, r.mrr_per_point_low, r.mrr_per_point_high, units.money)
             + f"; revenue kept over 12 months {units.money(r.revenue_per_point)}"]
    if r.cost_per_point is not None:
        lines[-1] += (f" against a cost of {units.money(r.cost_per_point)}: "
                      + ("it pays" if r.pays() else "it does not pay"))
    return lines


def run(engine, a) -> int:
    """Run ``python -m core service``; returns the exit code."""
    from core.cli.format import figures_text  # pandas loads here, not for --help
    from core.export.xlsx import to_xlsx  # in run, for a fast --help
    from core.query import warehouse  # in run, for a fast --help
    from core.service.bands import LEVELS  # in run, for a fast --help
    from core.service.inputs import load_service  # in run, for a fast --help
    from core.service.levels import level_tables  # statsmodels loads here, not for --help
    from core.service.outcomes import judge  # in run, for a fast --help
    from core.service.target import check, evaluate  # in run, for a fast --help

    if a.days < 1:
        raise WorkbenchError(f"--days must be at least 1 (got {a.days}).")
    if a.cost_per_point is not None and a.target is None:
        raise WorkbenchError("--cost-per-point prices a target: add --target, such as --target resolution:24.")
    target = _target(a.target) if a.target is not None else None
    if target is not None:
        check(target, a.cost_per_point)
    if warehouse.identity() is not None:  # said, not silently ignored: the tables come from the store
        print("The service tables read the tickets, customers and MRR in the store, not the warehouse.",
              file=sys.stderr)
    judged = judge(load_service(engine), a.days)
    print(f"{units.count(len(judged.frame))} of {units.count(judged.read)} tickets judged for churn within "
          f"{a.days} days (data to {judged.end:%Y-%m-%d}); left out: {units.count(judged.too_recent)} too recent, "
          f"{units.count(judged.after_churn)} after their customer churned, {units.count(judged.unknown_customer)} "
          "without a known customer. Adjusted for segment, plan and tenure: an association, not an experiment.")
    tables = level_tables(judged)
    for key, table in tables.items():
        print(f"\n{LEVELS[key].title}")
        print(figures_text(_rows(table), UNITS, left=("band",)))
    if target is not None:
        print("\n" + "\n".join(target_lines(evaluate(judged, target, a.cost_per_point))))
    if a.out is not None:
        a.out.write_bytes(to_xlsx({LEVELS[k].title: t for k, t in tables.items()}))
        print(f"\nwrote {len(tables)} tables to {a.out}")
    return 0
