"""``python -m core service``: each service level against churn within N days of a ticket (raw and adjusted for
segment, plan and tenure, with 95 % intervals) and the MRR kept; ``--out`` writes every table to an XLSX workbook
with the Definitions sheet."""

from __future__ import annotations

import argparse
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


def _rows(table):
    """The table as printed: each rate with its interval."""
    from core.cli.format import with_ci  # pandas loads here, not for --help

    out = table[["band", "tickets", "customers", "churned"]].copy()
    for name, col in (("churn", "churn_rate"), ("adjusted churn", "adjusted_rate")):
        low, high = col.replace("rate", "low"), col.replace("rate", "high")
        out[name] = [with_ci(v, lo, hi, units.percent) for v, lo, hi in zip(table[col], table[low], table[high])]
    return out.assign(mrr_at_stake=table["mrr_at_stake"], mrr_kept=table["mrr_kept"])


def run(engine, a) -> int:
    """Run ``python -m core service``; returns the exit code."""
    from core.cli.format import figures_text  # pandas loads here, not for --help
    from core.export.xlsx import to_xlsx  # in run, for a fast --help
    from core.service.bands import LEVELS  # in run, for a fast --help
    from core.service.inputs import load_service  # in run, for a fast --help
    from core.service.levels import level_tables  # statsmodels loads here, not for --help
    from core.service.outcomes import judge  # in run, for a fast --help

    if a.days < 1:
        raise WorkbenchError(f"--days must be at least 1 (got {a.days}).")
    judged = judge(load_service(engine), a.days)
    print(f"{units.count(len(judged.frame))} of {units.count(judged.read)} tickets judged for churn within "
          f"{a.days} days (data to {judged.end:%Y-%m-%d}); left out: {units.count(judged.too_recent)} too recent, "
          f"{units.count(judged.after_churn)} after their customer churned, {units.count(judged.unknown_customer)} "
          "without a known customer. Adjusted for segment, plan and tenure: an association, not an experiment.")
    tables = level_tables(judged)
    for key, table in tables.items():
        print(f"\n{LEVELS[key].title}")
        print(figures_text(_rows(table), UNITS, left=("band",)))
    if a.out is not None:
        a.out.write_bytes(to_xlsx({LEVELS[k].title: t for k, t in tables.items()}))
        print(f"\nwrote {len(tables)} tables to {a.out}")
    return 0
