"""What the Service operations page shows: the churn window, which tickets could be judged, and each service level's
chart and table (values from data shown as plain text, never Markdown)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.export import units
from core.history.filters import Filters
from core.metrics import definition
from core.service import chart_text
from core.service.bands import LEVELS, unmeasured_note
from core.service.levels import MIN_TICKETS, reference
from core.service.outcomes import DEFAULT_DAYS, Judged
from core.service.scope import describe
from core.service.target import MEASURES, TargetResult
from ui import components
from ui.service import charts

ASSOCIATION = ("Adjusted for segment, plan and tenure at the ticket: these are associations, not experiments. A band "
               "with higher churn may serve customers who were already leaving.")
COLUMNS = {
    "band": st.column_config.TextColumn("Band"),
    "tickets": st.column_config.NumberColumn("Tickets", format="localized"),
    "customers": st.column_config.NumberColumn("Customers", format="localized"),
    "churned": st.column_config.NumberColumn("Tickets followed by churn", format="localized"),
    "churn_rate": components.percent("Churn", help=definition("Churn after a ticket")),
    "churn_low": components.percent("Churn, low"),
    "churn_high": components.percent("Churn, high"),
    "adjusted_rate": components.percent("Adjusted churn", help=definition("Adjusted churn after a ticket")),
    "adjusted_low": components.percent("Adjusted, low"),
    "adjusted_high": components.percent("Adjusted, high"),
    **components.points_interval("gap", "Adjusted gap", definition("Adjusted gap between bands")),
    "mrr_at_stake": st.column_config.NumberColumn("MRR at the tickets", format="dollar",
                                                  help="The customers' MRR in the month of each ticket."),
    "mrr_kept": components.percent("MRR kept", help=definition("MRR kept after a ticket")),
}


def days() -> int:
    """The churn window in days, from the page's number box."""
    return int(st.number_input("Churn within this many days of a ticket", min_value=7, max_value=365,
                               value=DEFAULT_DAYS, step=1, key="service_days",
                               help=definition("Churn after a ticket")))


def coverage(judged: Judged, f: Filters) -> None:
    """Which tickets are judged and why the others are not, then the caveat."""
    left = [f"{units.count(judged.too_recent)} opened within the last {judged.days} days",
            f"{units.count(judged.after_churn)} after their customer had churned",
            f"{units.count(judged.unknown_customer)} without a customer in the store"]
    st.caption(components.plain(f"{units.count(len(judged.frame))} of {units.count(judged.read)} tickets judged, "
                                f"data to {judged.end:%Y-%m-%d}. Left out: {'; '.join(left)}. {describe(f)}"))
    if (note := unmeasured_note(judged.frame)) is not None:
        st.caption(note)
    st.info(ASSOCIATION, icon=":material/info:")


def level_choice(keys: list[str]) -> str:
    """The service level to show, from the tab's radio (the first, when the one chosen before is not measured)."""
    if st.session_state.get("service_level") not in keys:
        st.session_state.pop("service_level", None)
    return st.radio("Service level", keys, format_func=lambda k: LEVELS[k].title, horizontal=True,
                    key="service_level")


#: the glossary entry shown under a level whose measure needs defining
DEFINED = {"reopens": "Reopened ticket", "first_contact": "First-contact resolution", "effort": "Ticket effort score"}


def level(table: pd.DataFrame, key: str, days: int) -> None:
    """One service level: its definition where it needs one, the chart (raw and adjusted churn by band, with
    intervals), its table and downloads."""
    title = LEVELS[key].title
    if key in DEFINED:
        st.caption(definition(DEFINED[key]))
    data = charts.chart_frame(table)
    sentence = chart_text.level(table, title, days)
    if data.empty:
        st.info(components.plain(sentence))
    else:
        components.chart(charts.level(data, table["band"].tolist(), days), sentence, chart_text.level_data(data, days),
                         f"service_{key}_chart.csv", key=f"service_{key}_chart")
    gaps = ["gap", "gap_low", "gap_high"]
    components.table(table.assign(**{c: table[c] * 100 for c in gaps}), _columns(table), hide_index=True,
                     width="stretch")
    st.caption(f"Bands with fewer than {MIN_TICKETS} tickets, or whose tickets were all or never followed by churn, "
               "show no rate. " + _gap_note(table))
    components.csv_download(table, "Download this table (CSV)", f"service_{key}.csv", key=f"service_{key}_csv")


def _columns(table: pd.DataFrame) -> dict:
    """:data:`COLUMNS`, the gap's header naming its reference band."""
    ref = reference(table)
    if ref is None:
        return COLUMNS
    return {**COLUMNS, **components.points_interval("gap", f"Adjusted gap vs {ref}",
                                                    definition("Adjusted gap between bands"))}


def _gap_note(table: pd.DataFrame) -> str:
    """The sentence under the table that names the gap's reference band (plain text: a band may be a category from
    the data)."""
    ref = reference(table)
    return "" if ref is None else components.plain(
        f"The adjusted gap is each band's adjusted churn minus that of {ref}, in percentage points, with its 95% "
        "interval.")


#: the target measures as the page names them
TARGET_MEASURES = {measure: LEVELS[measure].title for measure in MEASURES}
TARGET_ARITHMETIC = ("A point of attainment is 1% of the tickets moving from missed to met. Each is expected to lose "
                     "its customer less often by the adjusted gap, so a point keeps: tickets a year / 100 x the gap x "
                     "the mean MRR behind a missed ticket, counted for the 12 months that follow.")


def target_choice() -> tuple[str, float, float | None]:
    """(measure, hours, cost of a point a year or None) from the tab's widgets."""
    left, mid, right = st.columns(3)
    measure = left.selectbox("Target on", list(TARGET_MEASURES), format_func=TARGET_MEASURES.get, key="service_measure")
    hours = mid.number_input("Within (hours)", min_value=0.5, max_value=24.0 * 90, value=24.0, step=1.0,
                             format="%.1f", key="service_hours")
    cost = right.number_input("Cost of a point of attainment a year ($)", min_value=0.0, value=None, step=1000.0,
                              format="%.0f", key="service_cost", placeholder="optional",
                              help="What raising the share of tickets that meet the target by one point costs a year.")
    return measure, float(hours), cost


def target(r: TargetResult) -> None:
    """The target's figures: attainment, who missed it, the gap and what a point keeps, against its cost."""
    st.markdown(f"**Target: {r.target.label()}**")
    k = st.columns(3)
    k[0].metric("Tickets that met it", units.percent(r.attainment),
                help=f"{units.count(r.met)} of {units.count(r.tickets)} tickets judged.")
    k[1].metric("Customers who missed it", units.count(r.customers_missed))
    k[2].metric("MRR behind them", units.money(r.mrr_missed),
                help="Each customer who missed the target once, with the MRR of the month of their latest missed "
                     "ticket.")
    k = st.columns(3)
    k[0].metric("Churn gap, missed against met", units.points(r.gap), help=definition("Adjusted churn after a ticket"))
    k[1].metric("MRR kept per point a year", units.money(r.mrr_per_point))
    k[2].metric("Revenue kept per point (12 months)", units.money(r.revenue_per_point))
    st.caption(f"Gap 95% interval: {units.interval(r.gap_low, r.gap_high, 'points') or 'none'}; MRR kept per point: "
               f"{units.interval(r.mrr_per_point_low, r.mrr_per_point_high, 'currency') or 'none'}. "
               f"{units.count(r.tickets_a_year)} tickets a year. {TARGET_ARITHMETIC}")
    if r.pays() is not None:
        verdict = "pays for itself" if r.pays() else "does not pay for itself"
        st.info(f"At {units.money(r.cost_per_point)} a point, raising attainment {verdict} on these figures: a point "
                f"keeps {units.money(r.revenue_per_point)} of revenue over 12 months. {ASSOCIATION}",
                icon=":material/payments:")
