"""``python -m core cohorts``: the cohort x period retention table, as CSV on stdout or a .csv / .xlsx file.

The table and the workbook are the Cohort curves page's (:mod:`core.cohorts.export`). Choices not given on the
command line come from what the store holds (:func:`core.cohorts.defaults.cohort_defaults`, the page's rule): on a
purchase log, cohorts by first purchase and retained when purchasing in the period. A snapshot (tenure and a churn
flag on one day) cannot give cohort retention: without a choice, the command says so on stderr and prints the
survival on tenure (Kaplan-Meier, one row of the page's summary) instead.
"""

from __future__ import annotations

import sys
from pathlib import Path

from core.errors import WorkbenchError
from core.export import units  # plain Python: --help stays fast

NAME = "cohorts"
#: the choices that make the table; without any of them, the store's defaults decide (a snapshot: survival)
TABLE_CHOICES = ("cohort_by", "measure", "definition", "retained_by")


def add_parser(sub) -> None:
    """Register the ``cohorts`` sub-command.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The sub-parsers of ``python -m core``.
    """
    co = sub.add_parser(NAME, help="cohort x period retention table (CSV to stdout or --out)")
    co.add_argument("--cohort-by", choices=["signup", "first_activity"],
                    help="default: first activity on a purchase log, signup otherwise")
    co.add_argument("--period", choices=["day", "week", "month", "quarter"], default="month")
    co.add_argument("--measure", choices=["logo", "net_revenue", "gross_revenue", "count"])
    co.add_argument("--definition", choices=["on", "on_or_after"])
    co.add_argument("--retained-by", choices=["subscription", "activity"],
                    help="subscription: retained while not churned; activity: retained when active (default: "
                         "activity on a purchase or usage log, subscription otherwise)")
    co.add_argument("--base", choices=["period0", "previous"], default="period0")
    co.add_argument("--weighting", choices=["weighted", "simple"], default="weighted")
    co.add_argument("--min-size", type=int, default=20)
    co.add_argument("--as-of", help="periods not ended by this date are incomplete (default: latest data)")
    co.add_argument("--segment", action="append", default=[], help="keep only this segment (repeatable)")
    co.add_argument("--out", type=Path, help="write the table here (.csv or .xlsx) instead of stdout")
    co.add_argument("--competing", action="store_true", help="instead of the table: voluntary and involuntary churn "
                    "as competing risks, the share churned of each cause by 12 and 24 months since signup")
    co.add_argument("--by", choices=["segment", "plan", "region", "channel"],
                    help="with --competing: one row per group and cause")


def _settings(a, base):
    """``base`` (the store's default settings) with every choice given on the command line in their place."""
    from core.cohorts.settings import CohortSettings  # pandas loads here, not for --help

    given = {k: getattr(a, k) for k in TABLE_CHOICES if getattr(a, k, None) is not None}
    return CohortSettings.of(base, period=a.period, base=a.base, as_of=a.as_of, min_size=a.min_size,
                             weighting=a.weighting, **given)


def _customers(engine, a):
    from core.store import read as store  # pandas and SQLAlchemy load here, not for --help

    customers = store.load_columns(engine, "customer", ["customer_id", "segment", "signup_date", "churn_date"])
    return customers[customers["segment"].isin(a.segment)] if a.segment else customers


def table(engine, a, defaults=None):
    """The :class:`core.cohorts.table.CohortTable` the options ask for, from the store's customers (with the
    activity and revenue the options need); choices not given are the store's (``defaults``, else read)."""
    from core.cohorts import views  # pandas and Ibis load here, not for --help
    from core.cohorts.defaults import cohort_defaults  # in run, for a fast --help
    from core.store.profile import profile  # in run, for a fast --help

    settings = _settings(a, (defaults or cohort_defaults(profile(engine))).settings)
    # the page's rule (RETENTION_ENGINE's engine counting alike, one as-of day)
    return views.table(engine, _customers(engine, a), settings, a.as_of, views.store_rows(engine))


def _survival(engine, a, note: str) -> int:
    """A snapshot without a choice: the note on stderr, the Kaplan-Meier summary on tenure as the output."""
    from core.cohorts import survival  # lifelines loads here, not for --help
    from core.export.csv import write_csv  # in run, for a fast --help
    from core.export.xlsx import to_xlsx  # in run, for a fast --help
    from core.history.churn_dates import with_lapse  # in run, for a fast --help

    print(note, file=sys.stderr)
    customers = with_lapse(engine, _customers(engine, a))  # the buyers-only customers' lapse churn, as the page
    summary = survival.kaplan_meier(survival.durations(customers, as_of=a.as_of)).summary
    if a.out is None:
        print(summary.to_csv(index=False, float_format="%.4f"), end="")
        return 0
    if a.out.suffix.lower() == ".xlsx":
        a.out.write_bytes(to_xlsx({"survival": summary}))
    else:
        write_csv(summary, a.out, float_format="%.6f")
    print(f"wrote the survival of {units.count(summary['customers'].sum())} customers to {a.out}")
    return 0


def _competing(engine, a) -> int:
    """Voluntary and involuntary churn (:mod:`core.cohorts.competing`): the sentence and the table, as the page shows
    them; ``--out`` writes the figures (.csv or .xlsx)."""
    from core.cli.format import figures_text, write_table  # pandas loads here, not for --help
    from core.cohorts import competing, competing_text  # lifelines loads here, not for --help
    from core.history import asof  # in run, for a fast --help
    from core.history.churn_dates import with_lapse  # in run, for a fast --help
    from core.store import read as store  # in run, for a fast --help

    customers = store.load_columns(engine, "customer", list(competing.COLUMNS))
    if a.segment:
        customers = customers[customers["segment"].isin(a.segment)]
    customers = with_lapse(engine, customers)  # the buyers-only customers' lapse churn, as the page
    day = a.as_of if a.as_of is not None else asof.data_end(customers)  # the page's as-of day
    inc = competing.cumulative_incidence(customers, as_of=day, group=a.by)
    print(competing_text.sentence(inc))
    shown = competing_text.table(inc)
    print(figures_text(shown, {"customers": "customers", "churned": "count"}, left=("group", "cause")))
    if a.out is not None:
        write_table(inc.summary, a.out, competing.SHEET, "rows of the churn by cause")
    return 0


def _warehouse_table(source, a):
    """The table from a warehouse (``RETENTION_WAREHOUSE_URL``): its own customers; choices not given are the
    page's (:func:`core.cohorts.warehouse_views.defaults`)."""
    from core.cohorts import warehouse_views  # Ibis loads here, not for --help

    print(f"Figures from {source.name}.", file=sys.stderr)
    return warehouse_views.table(source, _settings(a, warehouse_views.defaults(source)), a.segment)


def run(engine, a) -> int:
    """Run ``python -m core cohorts``; returns the exit code (bad input raises a WorkbenchError)."""
    from core.cohorts import export  # pandas loads here, not for --help
    from core.cohorts.defaults import cohort_defaults  # in run, for a fast --help
    from core.query import warehouse  # in run, for a fast --help
    from core.store.profile import profile  # in run, for a fast --help

    if a.competing:
        return _competing(engine, a)
    if a.by is not None:
        raise WorkbenchError("--by splits the churn by cause: add --competing.")
    source = warehouse.configured()
    if source is not None:
        with source:
            return _write(_warehouse_table(source, a), a, export)
    defaults = cohort_defaults(profile(engine))
    chosen = any(getattr(a, k, None) is not None for k in TABLE_CHOICES)
    if defaults.lead == "survival" and not chosen:
        return _survival(engine, a, defaults.note)
    if defaults.note and not chosen:
        print(defaults.note, file=sys.stderr)
    return _write(table(engine, a, defaults), a, export)


def _write(t, a, export) -> int:
    """The table as CSV on stdout, or into ``--out`` (.csv or .xlsx)."""
    if a.out is None:
        print(export.to_csv(t, float_format="%.4f"), end="")
        return 0
    if a.out.suffix.lower() == ".xlsx":
        a.out.write_bytes(export.to_xlsx(t))
    else:
        a.out.write_text(export.to_csv(t, float_format="%.6f"), encoding="utf-8")
    print(f"wrote {units.count(len(t.values))} cohorts x {units.count(t.values.shape[1])} periods to {a.out}")
    return 0
