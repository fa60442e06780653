"""``python -m core cohorts``: the cohort x period retention table, as CSV on stdout or a .csv / .xlsx file.

The table and the workbook are the Cohort curves page's (:mod:`core.cohorts.export`).
"""

from __future__ import annotations

from pathlib import Path

from core.export import units  # plain Python: --help stays fast

NAME = "cohorts"


def add_parser(sub) -> None:
    """Register the ``cohorts`` sub-command.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The sub-parsers of ``python -m core``.
    """
    co = sub.add_parser(NAME, help="cohort x period retention table (CSV to stdout or --out)")
    co.add_argument("--cohort-by", choices=["signup", "first_activity"], default="signup")
    co.add_argument("--period", choices=["day", "week", "month", "quarter"], default="month")
    co.add_argument("--measure", choices=["logo", "net_revenue", "gross_revenue", "count"], default="logo")
    co.add_argument("--definition", choices=["on", "on_or_after"], default="on")
    co.add_argument("--retained-by", choices=["subscription", "activity"], default="subscription",
                    help="subscription: retained while not churned; activity: retained when active")
    co.add_argument("--base", choices=["period0", "previous"], default="period0")
    co.add_argument("--weighting", choices=["weighted", "simple"], default="weighted")
    co.add_argument("--min-size", type=int, default=20)
    co.add_argument("--as-of", help="periods not ended by this date are incomplete (default: latest data)")
    co.add_argument("--segment", action="append", default=[], help="keep only this segment (repeatable)")
    co.add_argument("--out", type=Path, help="write the table here (.csv or .xlsx) instead of stdout")


def table(engine, a):
    """The :class:`core.cohorts.table.CohortTable` the options ask for, from the store's customers (with the
    activity and revenue the options need)."""
    from core.cohorts.table import CohortSettings, cohort_table  # pandas loads here, not for --help
    from core.store import read as store  # pandas and SQLAlchemy load here, not for --help

    settings = CohortSettings(cohort_by=a.cohort_by, period=a.period, measure=a.measure, definition=a.definition,
                              retained_by=a.retained_by, base=a.base, as_of=a.as_of, min_size=a.min_size,
                              weighting=a.weighting)
    customers = store.load_columns(engine, "customer", ["customer_id", "segment", "signup_date", "churn_date"])
    if a.segment:
        customers = customers[customers["segment"].isin(a.segment)]
    activity = revenue = None
    if settings.needs_activity:
        from core.store.columnar import activity_pairs  # pyarrow loads only when activity is needed

        activity = activity_pairs(engine)  # the column store: ~0.4 s for 10M rows
    if settings.needs_revenue:
        revenue = store.load_columns(engine, "revenue", ["customer_id", "period", "mrr"])
    return cohort_table(customers, activity, revenue, settings=settings)


def run(engine, a) -> int:
    """Run ``python -m core cohorts``; returns the exit code (bad input raises a WorkbenchError)."""
    from core.cohorts import export  # pandas loads here, not for --help

    t = table(engine, a)
    if a.out is None:
        print(export.to_csv(t, float_format="%.4f"), end="")
        return 0
    if a.out.suffix.lower() == ".xlsx":
        a.out.write_bytes(export.to_xlsx(t))
    else:
        a.out.write_text(export.to_csv(t, float_format="%.6f"), encoding="utf-8")
    print(f"wrote {units.count(len(t.values))} cohorts x {units.count(t.values.shape[1])} periods to {a.out}")
    return 0
