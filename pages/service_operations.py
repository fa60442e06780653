"""Service operations: which service levels go with customers kept. Each service level (time to first response,
time to resolve, escalation, reopenings, first-contact resolution, effort score, ticket category and channel) against
churn within N days of a ticket, as observed and adjusted for segment, plan and tenure, with the MRR kept; the target
that pays; the leading indicators, the signals that fire before churn; the closed loop with detractors; and what
incidents and outages cost (core.service)."""

import streamlit as st

from core.errors import NoDataYetError, WorkbenchError
from core.service.bands import LEVELS, measured
from core.service.incidents import NO_INCIDENTS
from core.service.scope import ChoiceError
from ui import components
from ui.frame import errors, filters, loaders, warehouse
from ui.frame import page as frame
from ui.service import cached as service
from ui.service import follow_up, leads, outages, sections

frame.require()

st.title("Service operations")
st.caption("Which service levels go with customers kept, and where operations lose them.")
url, f = loaders.store_url(), filters.current()
if warehouse.is_set():
    warehouse.says_so("This page reads the tickets, customers and MRR in the workbench's store, not the warehouse.")
version = loaders.store_version(url)
days = sections.days()
try:
    judged, judged_error = service.judged(url, version, days, f), None
except NoDataYetError as exc:  # an empty store is no fault: say what to import and where
    components.empty_state(str(exc))
    outages.without_tickets(url, version, days, f)  # incidents without tickets: what they cost is still shown
    follow_up.without_tickets(url, version, days, f)  # and detractors without tickets: their follow-up
    st.stop()
except ChoiceError as exc:  # the sidebar's customers leave nothing to judge: said where tickets are judged
    judged, judged_error = None, exc
except WorkbenchError as exc:
    errors.show(exc)
    st.stop()
if judged is not None:
    sections.coverage(judged, f)
tables = {} if judged is None else {key: service.table(url, version, days, f, key) for key in measured(judged.frame)}
indicators = leads.load(url, version, days, f)
loop = service.follow_up(url, version, days, follow_up.current(), f)
hits, hits_error = outages.safely(url, version, days, f)
components.xlsx_download({**{LEVELS[k].title: t for k, t in tables.items()}, **indicators.sheets(),
                          **follow_up.sheets(loop), **outages.sheets(hits)}, "Download every table (XLSX)",
                         "service_levels.xlsx", key="service_xlsx")
levels_tab, target_tab, leads_tab, loop_tab, incidents_tab = st.tabs(
    ["Service levels", "Target that pays", "Leading indicators", "Closed loop", "Incidents"])
with levels_tab:
    if judged_error is not None:
        errors.show(judged_error)
    else:
        key = sections.level_choice(list(tables))
        sections.level(tables[key], key, days)
with target_tab:
    if judged_error is not None:
        errors.show(judged_error)
    else:
        measure, hours, cost = sections.target_choice()
        sections.target(service.target(url, version, days, f, measure, hours, cost))
with leads_tab:
    leads.show(indicators)
with loop_tab:
    follow_up.choice()
    follow_up.show(loop)
with incidents_tab:
    outages.tab(hits, hits_error, NO_INCIDENTS)
