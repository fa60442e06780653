"""``python -m core service``: each service level against churn within N days of a ticket (raw and adjusted for
segment, plan and tenure, with 95 % intervals) and the MRR kept, then the leading indicators (the signals checked at
each month's end, ranked by the churners they catch), then the NPS detractors followed up in time and their churn
against the others'; ``--out`` writes every table to an XLSX workbook with the
Definitions sheet."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.cli.defaults import FOLLOW_UP_DAYS, SERVICE_DAYS, SERVICE_OPEN_DAYS
from core.errors import InsufficientDataError, NoDataYetError, WorkbenchError
from core.export import units  # plain Python: --help stays fast

NAME = "service"
#: the unit of each column of a level table (core.service.levels.COLUMNS)
UNITS = {"tickets": "count", "customers": "customers", "churned": "count", "mrr_at_stake": "currency",
         "mrr_kept": "share"}
#: the unit of each column of the leading indicators' ranking (core.service.leads.RANKING)
LEAD_UNITS = {"customer_months": "count", "churn_flagged": "share", "churn_others": "share", "lift": "ratio",
              "churners": "count", "caught": "count", "median_lead_days": "count"}
#: the sheet of the leading indicators in the workbook
LEAD_SHEET = "Leading indicators"
#: the unit of each column of the incidents by severity (core.service.incident_effects.TABLE_COLUMNS)
OUTAGE_UNITS = {"incidents": "count", "affected": "customers", "comparison": "customers", "churn_affected": "share",
                "churn_comparison": "share"}


def add_parser(sub) -> None:
    """Register the ``service`` sub-command."""
    p = sub.add_parser(NAME, help="service levels against churn: first response, time to resolve, escalations, "
                       "reopenings, first-contact resolution, effort, categories and channels",
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--days", type=int, default=SERVICE_DAYS, help="churn within this many days of a ticket")
    p.add_argument("--out", type=Path, help="write every table to this .xlsx workbook")
    p.add_argument("--target", metavar="MEASURE:HOURS", help="a service-level target to price, such as "
                   "resolution:24 or first_response:4: the tickets that missed it, the churn gap and what a point of "
                   "attainment keeps")
    p.add_argument("--cost-per-point", type=float, help="with --target: what a point of attainment costs a year")
    p.add_argument("--follow-up-days", type=int, default=FOLLOW_UP_DAYS, help="closed loop: an NPS detractor "
                   "counts as followed up in time within this many days of the answer")
    p.add_argument("--open-days", type=int, default=SERVICE_OPEN_DAYS, help="leading indicators: a ticket open this "
                   "many days at a month's end counts as unresolved")


def _rows(table):
    """The table as printed: each rate with its interval."""
    from core.cli.format import with_ci  # pandas loads here, not for --help

    out = table[["band", "tickets", "customers", "churned"]].copy()
    for name, col in (("churn", "churn_rate"), ("adjusted churn", "adjusted_rate")):
        low, high = col.replace("rate", "low"), col.replace("rate", "high")
        out[name] = [with_ci(v, lo, hi, units.percent) for v, lo, hi in zip(table[col], table[low], table[high])]
    out["adjusted gap"] = [with_ci(v, lo, hi, units.points)
                           for v, lo, hi in zip(table["gap"], table["gap_low"], table["gap_high"])]
    return out.assign(mrr_at_stake=table["mrr_at_stake"], mrr_kept=table["mrr_kept"])


def lead_rows(table):
    """The leading indicators' ranking as printed: the share caught with its interval."""
    from core.cli.format import with_ci  # pandas loads here, not for --help

    caught = [with_ci(v, lo, hi, units.percent)
              for v, lo, hi in zip(table["caught_share"], table["caught_low"], table["caught_high"])]
    out = table.drop(columns=["caught_share", "caught_low", "caught_high", "median_lead_days"])
    return out.assign(caught_share=caught, median_lead_days=table["median_lead_days"])


def _follow_up(engine, a, customers, end):
    """The detractors' follow-up (:mod:`core.service.follow_up`) in two sentences, or why it cannot be shown; its
    table as a workbook sheet (none without a detractor)."""
    from core.service import chart_text  # in run, for a fast --help
    from core.service import follow_up as fu  # statsmodels loads here, not for --help

    print(f"\n{fu.SHEET}")
    frame = fu.detractor_frame(fu.load_feedback(engine), customers, end, a.follow_up_days, a.days)
    if not len(frame):
        print(fu.NO_DETRACTORS)
        return {}
    r = fu.follow_up(frame, a.follow_up_days, a.days)
    print("\n".join(chart_text.follow_up(r)))
    return {fu.SHEET: fu.table(r)}


def _leads(engine, a, tickets):
    """The leading indicators' ranking (:func:`core.service.leads.ranking`) with a line saying what it checks."""
    from core.cli.format import figures_text  # pandas loads here, not for --help
    from core.history.inputs import load_inputs  # in run, for a fast --help
    from core.service.indicators import flags  # in run, for a fast --help
    from core.service.leads import ranking  # in run, for a fast --help

    f = flags(load_inputs(engine), tickets, a.days, a.open_days)
    print(f"\n{LEAD_SHEET}: each signal checked at every month's end, against churn within {a.days} days; a "
          f"churner is caught when a signal flagged them at a month end in the {a.days} days before they left.")
    if not f.usage:
        print("The store holds no usage, so usage halved never fires: import activity to check it.")
    table = ranking(f)
    print(figures_text(lead_rows(table), LEAD_UNITS, left=("signal",)))
    return table


def _outages(engine, a) -> dict:
    """The incidents by severity (:mod:`core.service.outages`) and the incident list, or why there are none; both as
    workbook sheets."""
    from core.cli.format import figures_text  # pandas loads here, not for --help
    from core.service import chart_text, outages  # statsmodels loads here, not for --help

    print(f"\n{outages.SHEET}")
    try:
        o = outages.load_outages(engine, a.days)
    except NoDataYetError as e:
        print(e)
        return {}
    print("\n".join(chart_text.outages(o)))
    if len(o.table):
        print(figures_text(outage_rows(o.table), OUTAGE_UNITS, left=("severity",)))
    listed = outages.incident_list(o)
    print(figures_text(_when(listed), {"hours": "count", "affected": "customers", "comparison": "customers"},
                       left=("incident", "title", "severity", "judged")))
    return {outages.SHEET: o.table, outages.LIST_SHEET: listed}


def _when(listed):
    """The incident list with its times to the minute, an ongoing incident's end as ``ongoing``."""
    return listed.assign(**{c: [("ongoing" if c == "end" else "") if t != t else f"{t:%Y-%m-%d %H:%M}"
                                for t in listed[c]] for c in ("start", "end")})


def outage_rows(table):
    """The incidents by severity as printed: the churn gap and the usage effect with their intervals."""
    from core.cli.format import with_ci  # pandas loads here, not for --help

    out = table[["severity", "incidents", "affected", "comparison", "churn_affected", "churn_comparison"]].copy()
    out["churn gap (adjusted)"] = [with_ci(v, lo, hi, units.points) for v, lo, hi in
                                   zip(table["churn_gap"], table["churn_gap_low"], table["churn_gap_high"])]
    out["churn DiD"] = [with_ci(v, lo, hi, units.points) for v, lo, hi in
                        zip(table["churn_did"], table["churn_did_low"], table["churn_did_high"])]
    out["usage change, affected less comparison (active days per 30)"] = [
        "" if units.is_missing(v) else units.score(v, 1, signed=True) + (
            "" if units.is_missing(lo) else f" [{units.score(lo, 1, signed=True)}, {units.score(hi, 1, signed=True)}]")
        for v, lo, hi in zip(table["usage_effect"], table["usage_effect_low"], table["usage_effect_high"])]
    return out.assign(adjusted_for=table["adjusted_for"])


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
    from core.query import warehouse  # in run, for a fast --help
    from core.service.bands import LEVELS, unmeasured_note  # in run, for a fast --help
    from core.service.inputs import load_service  # in run, for a fast --help
    from core.service.levels import level_tables, reference  # statsmodels loads here, not for --help
    from core.service.outcomes import judge  # in run, for a fast --help
    from core.service.target import check, evaluate  # in run, for a fast --help

    for name, value in (("--days", a.days), ("--open-days", a.open_days), ("--follow-up-days", a.follow_up_days)):
        if value < 0 or (value < 1 and name != "--follow-up-days"):
            raise WorkbenchError(f"{name} must be at least {int(name != '--follow-up-days')} (got {value}).")
    if a.cost_per_point is not None and a.target is None:
        raise WorkbenchError("--cost-per-point prices a target: add --target, such as --target resolution:24.")
    target = _target(a.target) if a.target is not None else None
    if target is not None:
        check(target, a.cost_per_point)
    if warehouse.identity() is not None:  # said, not silently ignored: the tables come from the store
        print("The service tables read the tickets, customers and MRR in the store, not the warehouse.",
              file=sys.stderr)
    from core.cli.format import figures_text  # pandas loads here, not for --help

    try:
        service = load_service(engine)
    except NoDataYetError as exc:  # without tickets, what incidents cost and the detractors' follow-up still show
        return _without_tickets(engine, a, exc)
    judged = judge(service, a.days)
    print(f"{units.count(len(judged.frame))} of {units.count(judged.read)} tickets judged for churn within "
          f"{a.days} days (data to {judged.end:%Y-%m-%d}); left out: {units.count(judged.too_recent)} too recent, "
          f"{units.count(judged.after_churn)} after their customer churned, {units.count(judged.unknown_customer)} "
          "without a known customer. Adjusted for segment, plan and tenure: an association, not an experiment.")
    if (note := unmeasured_note(judged.frame)) is not None:
        print(note)
    tables = level_tables(judged)
    for key, table in tables.items():
        ref = reference(table)
        print(f"\n{LEVELS[key].title}" + ("" if ref is None else f" (adjusted gap: against {ref})"))
        print(figures_text(_rows(table), UNITS, left=("band",)))
    sheets = {LEVELS[k].title: t for k, t in tables.items()} | {LEAD_SHEET: _leads(engine, a, service.tickets)}
    sheets |= _follow_up(engine, a, service.customers, service.end)
    if target is not None:
        print("\n" + "\n".join(target_lines(evaluate(judged, target, a.cost_per_point))))
    sheets |= _outages(engine, a)
    return _write(a, sheets)


def _without_tickets(engine, a, exc: NoDataYetError) -> int:
    """A store without tickets: ``exc`` (what to import), then its incidents and its detractors' follow-up when it
    holds them; ``exc`` raised when it holds neither."""
    from core.service import follow_up as fu  # statsmodels loads here, not for --help
    from core.service.incidents import load_incidents  # in run, for a fast --help

    incidents = len(load_incidents(engine)) > 0
    try:
        customers, end = fu.customers_and_end(engine)
        detractors = len(fu.detractor_frame(fu.load_feedback(engine), customers, end, a.follow_up_days, a.days)) > 0
    except InsufficientDataError:  # no customers: nothing to follow up
        detractors = False
    if not (incidents or detractors):
        raise exc
    print(exc)
    sheets = _outages(engine, a) if incidents else {}
    return _write(a, sheets | (_follow_up(engine, a, customers, end) if detractors else {}))


def _write(a, sheets: dict) -> int:
    """Write ``sheets`` to ``--out`` when given (:func:`core.export.xlsx.to_xlsx`, with the Definitions sheet)."""
    from core.export.xlsx import to_xlsx  # in run, for a fast --help

    if a.out is not None:
        a.out.write_bytes(to_xlsx(sheets))
        print(f"\nwrote {len(sheets)} tables to {a.out}")
    return 0
