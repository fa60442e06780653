"""The Service operations page's Incidents tab: what incidents and outages cost, by severity (churn of the affected
against comparable unaffected customers, usage before and after: core.service.incident_effects), and every incident
with its reason when it is not judged (core.service.outages; words from core.service.chart_text)."""

from __future__ import annotations

import streamlit as st

from core.errors import NoDataYetError, WorkbenchError
from core.export import units
from core.history.filters import Filters
from core.metrics import definition
from core.service import chart_text
from core.service.incident_effects import Outages
from core.service.outages import LIST_SHEET, SHEET, OutageInputs, incident_list, load_outage_inputs, outages
from ui import components
from ui.frame import errors, loaders

SEVERITY_COLUMNS = {
    "severity": st.column_config.TextColumn("Severity"),
    "incidents": st.column_config.NumberColumn("Incidents", format="localized"),
    "affected": st.column_config.NumberColumn("Affected", format="localized",
                                              help="Customers hit, counted once per incident."),
    "comparison": st.column_config.NumberColumn("Comparable unaffected", format="localized",
                                                help="Customers no incident hit within N days, once per incident."),
    "churn_affected": components.percent("Churn, affected", help=definition("Incident churn gap")),
    "churn_comparison": components.percent("Churn, unaffected"),
    **components.points_interval("churn_gap", "Churn gap (adjusted)", definition("Incident churn gap")),
    "churn_before_affected": components.percent("Churn before, affected"),
    "churn_before_comparison": components.percent("Churn before, unaffected"),
    **components.points_interval("churn_did", "Churn difference in differences",
                                 definition("Incident churn difference in differences"), ends="DiD"),
    "usage_affected_before": st.column_config.NumberColumn("Active days, affected, before", format="%.1f"),
    "usage_affected_after": st.column_config.NumberColumn("Active days, affected, after", format="%.1f"),
    "usage_comparison_before": st.column_config.NumberColumn("Active days, unaffected, before", format="%.1f"),
    "usage_comparison_after": st.column_config.NumberColumn("Active days, unaffected, after", format="%.1f"),
    "usage_customers": st.column_config.NumberColumn("Customers with a full before", format="localized"),
    "usage_effect": st.column_config.NumberColumn("Usage effect (days per 30)", format="%+.1f",
                                                  help=definition("Incident usage effect")),
    "usage_effect_low": st.column_config.NumberColumn("Effect, low", format="%+.1f"),
    "usage_effect_high": st.column_config.NumberColumn("Effect, high", format="%+.1f"),
    "adjusted_for": st.column_config.TextColumn("Adjusted for"),
}
ONGOING = "ongoing"
LIST_COLUMNS = {
    "incident": st.column_config.TextColumn("Incident"), "title": st.column_config.TextColumn("Title"),
    "severity": st.column_config.TextColumn("Severity"),
    "start": st.column_config.DatetimeColumn("Start", format="YYYY-MM-DD HH:mm"),
    "end": st.column_config.TextColumn("End"),
    "hours": st.column_config.TextColumn("Hours", help="From the start to the end; an ongoing one has no end yet."),
    "affected": st.column_config.NumberColumn("Affected", format="localized"),
    "comparison": st.column_config.NumberColumn("Comparable unaffected", format="localized"),
    "judged": st.column_config.TextColumn("Judged"),
}


@st.cache_data(show_spinner="Reading the incidents ...", max_entries=2)
def _inputs(url: str, version: str) -> OutageInputs | None:
    """The store's incidents, customers and activity days; None without incidents."""
    try:
        return load_outage_inputs(loaders.get_engine(url))
    except NoDataYetError:
        return None


@st.cache_data(show_spinner="Comparing the customers each incident hit ...", max_entries=8)
def load(url: str, version: str, days: int, f: Filters) -> Outages | None:
    """What the incidents cost with windows of ``days`` days, over the customers chosen in the sidebar; None without
    incidents."""
    inp = _inputs(url, version)
    return None if inp is None else outages(inp, days, f)


def safely(url: str, version: str, days: int, f: Filters) -> tuple[Outages | None, WorkbenchError | None]:
    """(:func:`load`, None), or (None, why the incidents cannot be read): the other tabs stand either way."""
    try:
        return load(url, version, days, f), None
    except WorkbenchError as exc:
        return None, exc


def tab(o: Outages | None, error: WorkbenchError | None, empty: str) -> None:
    """The Incidents tab: :func:`show`, or why the incidents cannot be read."""
    if error is not None:
        errors.show(error)
    else:
        show(o, empty)


def sheets(o: Outages | None) -> dict:
    """The tab's tables as workbook sheets (none without incidents)."""
    return {} if o is None else {SHEET: o.table, LIST_SHEET: incident_list(o)}


def show(o: Outages | None, empty: str) -> None:
    """The headline figures, the sentences, the table by severity and the incident list, each with its download;
    ``empty`` when there are no incidents."""
    if o is None:
        components.empty_state(empty)
        return
    if len(o.table):
        row = o.table.iloc[-1]
        k = st.columns(3)
        k[0].metric("Incidents judged", units.count(len(o.judged)), help=f"Of {units.count(len(o.incidents))}.")
        k[1].metric("Churn gap, affected against unaffected", units.points(row["churn_gap"]),
                    help=definition("Incident churn gap"))
        k[2].metric("Usage effect, active days per 30",
                    units.score(row["usage_effect"], 1, signed=True),
                    help=definition("Incident usage effect"))
    for sentence in chart_text.outages(o):
        st.caption(components.plain(sentence))
    if len(o.table):
        gaps = ["churn_gap", "churn_gap_low", "churn_gap_high", "churn_did", "churn_did_low", "churn_did_high"]
        components.table(o.table.assign(**{c: o.table[c] * 100 for c in gaps}), SEVERITY_COLUMNS, hide_index=True,
                         width="stretch")
        components.csv_download(o.table, "Download this table (CSV)", "service_incidents_by_severity.csv",
                                key="service_incidents_csv")
    listed = incident_list(o)
    st.subheader("Every incident")
    shown = listed.assign(end=[ONGOING if t != t else f"{t:%Y-%m-%d %H:%M}" for t in listed["end"]],
                          hours=[ONGOING if h != h else units.score(h, 1) for h in listed["hours"]])
    components.table(shown, LIST_COLUMNS, hide_index=True, width="stretch")
    components.csv_download(listed, "Download the incident list (CSV)", "service_incidents.csv",
                            key="service_incident_list_csv")


def without_tickets(url: str, version: str, days: int, f: Filters) -> None:
    """A store without tickets: what its incidents cost, under a heading (nothing without incidents; why not when
    they cannot be read, such as without customers)."""
    try:
        hits = load(url, version, days, f)
    except WorkbenchError as exc:
        errors.show(exc)
        return
    if hits is not None:
        st.subheader("Incidents")
        show(hits, "")
