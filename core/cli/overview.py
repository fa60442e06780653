"""``python -m core overview``: the Overview page's figures for any store, as of any day.

The sections, the figures and their strings are the page's (:mod:`core.buyers.overview`): the recurring-revenue
headline and/or the buyer figures, as the store's profile holds them, and one plain line for each thing the store
cannot show. ``--cohorts`` adds revenue retention by cohort (a purchase log), ``--out`` writes it to a file.
``--movements`` adds the MRR movements (:mod:`core.history.movements`) of the 12 months ending with the as-of month.
A store with recurring revenue also gets the page's MRR at risk (:mod:`core.review.at_risk`: MRR at high churn risk
from the newest saved churn scores, MRR in red); ``--at-risk-out`` writes the customers behind it (.csv or .xlsx).
When a company's warehouse is set (``RETENTION_WAREHOUSE_URL``), its Overview is printed instead
(:mod:`core.buyers.warehouse_overview`, the page's rule), with where the figures come from on stderr.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from core.errors import DataValidationError
from core.export import units  # plain Python: --help stays fast

NAME = "overview"


def add_parser(sub) -> None:
    """Register the ``overview`` sub-command."""
    p = sub.add_parser(NAME, help="the Overview's figures (recurring revenue and/or buyers) as of a day",
                       description="The Overview's figures of the store, or of a company's warehouse when "
                                   "RETENTION_WAREHOUSE_URL and RETENTION_WAREHOUSE_MAP are set (its customers, the "
                                   "revenue added up there).")
    p.add_argument("--as-of", help="the as-of day, YYYY-MM-DD (default: where the data ends; a later day is "
                                   "read as the data's end)")
    p.add_argument("--trend", action="store_true", help="also print each figure's monthly trend (the sparklines)")
    p.add_argument("--cohorts", action="store_true", help="also print revenue retention by cohort (purchase logs)")
    p.add_argument("--movements", action="store_true",
                   help="also print the MRR movements (new, expansion, reactivation, contraction, churned) of the "
                        "12 months ending with the as-of month")
    p.add_argument("--out", type=Path, help="write revenue retention by cohort to this .csv or .xlsx file")
    p.add_argument("--at-risk-out", type=Path, metavar="FILE",
                   help="write the customers behind MRR at risk (high churn risk, red health band) to this .csv or "
                        ".xlsx file")


def as_of_day(text: str | None) -> dt.date | None:
    """The ``--as-of`` value as a day (None when not given).

    Raises
    ------
    DataValidationError
        Not a day written YYYY-MM-DD.
    """
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise DataValidationError(f"--as-of '{text}' is not a day: write it as YYYY-MM-DD, "
                                  "for example --as-of 2025-06-30.") from None


def run(engine, a) -> int:
    """Run ``python -m core overview``; returns the exit code (bad input raises a WorkbenchError)."""
    from core.buyers import overview as core_overview  # pandas loads here, not for --help
    from core.buyers.lapse import store_days  # in run, for a fast --help
    from core.buyers.overview_views import overview  # in run, for a fast --help
    from core.buyers.purchases import load_purchase_log  # SQLAlchemy too: in run, for a fast --help
    from core.query import warehouse  # Ibis loads here, not for --help
    from core.store.profile import profile  # in run, for a fast --help
    from core.store.read import load_columns  # in run, for a fast --help

    end = as_of_day(a.as_of)
    company = warehouse.configured()
    if company is not None:
        with company:
            return _on_warehouse(engine, company, a, end)
    found = profile(engine)
    customers = load_columns(engine, "customer", ["customer_id", "signup_date", "churn_date"])
    revenue = load_columns(engine, "revenue", ["customer_id", "period", "mrr"])
    log = load_purchase_log(engine) if core_overview.needs_purchases(found) else None
    ov = overview(engine, found, customers, revenue, log, end=end, lapse_days=store_days(engine))
    if a.out is not None and ov.cohorts is None:  # refused before anything is printed
        raise DataValidationError(f"Nothing written to {a.out}: {_no_cohorts(ov)}")
    print(found.summary)
    for note in ov.notes:
        print(f"cannot show: {note}")
    recurring = next((s for s in ov.sections if s.key == "recurring"), None)
    if a.at_risk_out is not None and recurring is None:  # refused before anything is printed
        raise DataValidationError(f"Nothing written to {a.at_risk_out}: MRR at risk needs recurring revenue (MRR per "
                                  "month), and this store holds none.")
    for s in ov.sections:
        _section(s, a.trend)
        if s is recurring:
            _at_risk(engine, s.as_of, a.at_risk_out)
    if a.movements:
        _movements(engine, customers, revenue, end, found.has("recurring_revenue"))
    if a.cohorts or a.out:
        _cohorts(ov, a.cohorts, a.out)
    return 0


def _on_warehouse(engine, company, a, end) -> int:
    """The Overview of a company's warehouse (:mod:`core.buyers.warehouse_overview`, the page's rule): where the
    figures come from on stderr, then its sections, MRR at risk (:mod:`core.review.warehouse_at_risk`, the health
    configurations read from the store ``engine``) and movements as on a store."""
    from core.buyers import warehouse_overview  # pandas and Ibis load here, not for --help
    from core.history.warehouse_inputs import warehouse_inputs  # in run, for a fast --help
    from core.query.warehouse import URL_ENV  # in run, for a fast --help
    from core.review import warehouse_at_risk  # in run, for a fast --help

    ov = warehouse_overview.overview(company, end=end)
    if (a.cohorts or a.out is not None) and ov.cohorts is None:
        why = ov.cohort_note or "the mapping names no purchases ([purchases], or [revenue] amount)"
        raise DataValidationError(f"--cohorts or --out: revenue retention by cohort reads a purchase log, and on the "
                                  f"warehouse ({URL_ENV} is set) there is none to show: {why.rstrip('.')}. Leave it "
                                  f"out, or unset {URL_ENV} to read the store.")
    if a.at_risk_out is not None and not any(s.key == "recurring" for s in ov.sections):
        raise DataValidationError(f"Nothing written to {a.at_risk_out}: MRR at risk needs recurring revenue (MRR per "
                                  "month), and the warehouse's holds none.")
    print(f"Figures from {company.name}.", file=sys.stderr)
    for note in ov.notes:
        print(f"cannot show: {note}")
    for s in ov.sections:
        _section(s, a.trend)
        if s.key == "recurring":
            _print_at_risk(warehouse_at_risk.at_risk(engine, warehouse_inputs(company), s.as_of), a.at_risk_out)
    recurring = next((s for s in ov.sections if s.key == "recurring"), None)
    if a.movements and recurring is None:
        print("cannot show: MRR movements need recurring revenue (MRR per month), and the warehouse's holds none.")
    elif a.movements:
        _movements_table(warehouse_overview.movements(company, end), recurring.as_of)
    if a.cohorts or a.out:
        _cohorts(ov, a.cohorts, a.out)
    return 0


def _at_risk(engine, as_of, out: Path | None) -> None:
    """MRR at high churn risk and MRR in red as the Overview page writes them, each with its note; ``out``: the
    customers behind them."""
    from core.review.at_risk import at_risk  # pandas: in run only, for a fast --help
    from core.store.read import load_columns  # in run, for a fast --help

    customers = load_columns(engine, "customer", ["customer_id", "signup_date", "churn_date"])
    revenue = load_columns(engine, "revenue", ["customer_id", "period", "mrr"])
    _print_at_risk(at_risk(engine, customers, revenue, as_of), out)


def _print_at_risk(figures, out: Path | None) -> None:
    """The MRR-at-risk ``figures``, one a line with its note; ``out``: the customers behind them."""
    from core.cli.format import write_table  # pandas: in run only, for a fast --help
    from core.review.at_risk import CUSTOMER_HEADERS, behind  # pandas: in run only, for a fast --help

    print("\nMRR at risk:")
    width = max(len(r.label) for r in figures)
    for r in figures:  # a figure that cannot be computed says why, as the page does
        print(f"  {r.label:<{width}}  {r.text:>12}  {r.note}")
    listed = behind(figures)
    if out is not None:
        write_table(listed.rename(columns=CUSTOMER_HEADERS), out, "MRR at risk", "customers behind MRR at risk")


def _movements(engine, customers, revenue, end, recurring: bool) -> None:
    """The MRR movements of the 12 months ending with the as-of month, one month a line, money as the page
    writes it (summed by the configured engine, as the page sums them)."""
    from core.history import asof  # pandas: in run only, for a fast --help
    from core.history.engine_movements import configured_movements  # Ibis: in run only, for a fast --help

    if not recurring:
        print("cannot show: MRR movements need recurring revenue (MRR per month), and this store holds none.")
        return
    as_of = asof.clamp(end, asof.as_of_month(customers, revenue))
    _movements_table(configured_movements(engine, customers, revenue, start=asof.window(as_of).start, end=as_of),
                     as_of)


def _movements_table(table, as_of) -> None:
    """The movements one month a line, or why there are none up to ``as_of``."""
    from core.cli.format import figures_text  # pandas: in run only, for a fast --help
    from core.history.movements import COLUMNS, HEADERS  # pandas: in run only, for a fast --help

    if table.empty:
        print(f"cannot show: no month up to {as_of:%d %b %Y} has recurring revenue, so there are no MRR movements.")
        return
    print(f"\nMRR movements, {table['month'].iloc[0]:%b %Y} to {table['month'].iloc[-1]:%b %Y} (MRR at start + new "
          "+ expansion + reactivation - contraction - churned = MRR at end):")
    shown = table.assign(month=table["month"].dt.strftime("%b %Y")).rename(columns=HEADERS)
    print(figures_text(shown, {HEADERS[c]: "currency" for c in COLUMNS[1:]}, left=(HEADERS["month"],)))


def _section(s, trend: bool) -> None:
    """A section's title and window, then one figure a line as the page writes it, with its change against the
    previous period (and the previous value) where it has one."""
    from core.cli.format import figures_text  # pandas: in run only, for a fast --help

    print(f"\n{s.title}: {s.caption}")
    width = max(len(f.label) for f in s.figures)
    for f in s.figures:
        change = f"  {f.delta:>12} {f.versus} (was {units.format_value(f.previous, f.unit)})" if f.delta else ""
        print(f"  {f.label:<{width}}  {f.text:>12}{change}")
    if trend and len(s.trend):
        unit_of = {f.trend: f.unit for f in s.figures if f.trend}
        print(figures_text(s.trend[["as_of", *unit_of]].rename(columns=str), unit_of, left=("as_of",)))


def _cohorts(ov, show: bool, out: Path | None) -> None:
    """Revenue retention by cohort, printed (each cell a share) and/or written to ``out``."""
    from core.cli.format import figures_text, write_table  # pandas: in run only, for a fast --help

    if ov.cohorts is None:
        print(f"cannot show: {_no_cohorts(ov)}")
        return
    t = ov.cohorts
    if show:
        table = t.retention.rename(columns=str).reset_index()
        table.insert(1, "buyers", t.buyers.to_numpy())
        unit_of = {c: "share" for c in table.columns[2:]} | {"buyers": "customers"}
        print(f"\nRevenue retention by cohort (revenue in month k / month 0), to {t.as_of:%d %b %Y}:")
        print(figures_text(table, unit_of, left=("cohort",)))
    if out is not None:
        write_table(t.long(), out, "Revenue retention", f"cells of {units.count(len(t.retention))} cohorts")


def _no_cohorts(ov) -> str:
    """Why there is no revenue retention by cohort."""
    return ov.cohort_note or ("Revenue retention by cohort needs a purchase log (transactions), and this store holds "
                              "no purchases.")
