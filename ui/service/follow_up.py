"""The Service operations page's Closed loop tab: the NPS detractors followed up within a target number of days, and
their churn against the others' (core.service.follow_up; words from core.service.chart_text)."""

from __future__ import annotations

import streamlit as st

from core.errors import InsufficientDataError, WorkbenchError
from core.export import units
from core.history.filters import Filters
from core.metrics import definition
from core.service import chart_text
from core.service.follow_up import NO_DETRACTORS, SHEET, TARGET_DAYS, FollowUp, table, within
from ui import components
from ui.frame import errors
from ui.service import cached

COLUMNS = {
    "group": st.column_config.TextColumn("Detractors"),
    "judged": st.column_config.NumberColumn("Answers judged", format="localized",
                                            help="Answers whose N days have passed, from customers not gone before."),
    "churned": st.column_config.NumberColumn("Followed by churn", format="localized"),
    "churn_rate": components.percent("Churn", help=definition("Detractor follow-up")),
    "churn_low": components.percent("Churn, low"),
    "churn_high": components.percent("Churn, high"),
}


def current() -> int:
    """The follow-up target in days chosen so far (the default before the tab's box is drawn)."""
    return int(st.session_state.get("service_follow_up_days", TARGET_DAYS))


def choice() -> int:
    """The follow-up target in days, from the tab's number box."""
    return int(st.number_input("Followed up within (days)", min_value=0, max_value=90, value=TARGET_DAYS, step=1,
                               key="service_follow_up_days", help=definition("Detractor follow-up")))


def sheets(r: FollowUp | None) -> dict:
    """The tab's table as a workbook sheet (none without a detractor)."""
    return {} if r is None else {SHEET: table(r)}


#: where the closure of reported issues by owner team and theme lives (the codebook tags them)
BACKLOG = ("Closure rate, days to close and reopen rate of the reported issues, by owner team and theme: the Feedback "
           "themes page's backlog")


def show(r: FollowUp | None) -> None:
    """The share followed up in time, the churn of both groups with the gap, and the table with its download; then
    the link to the backlog of reported issues."""
    st.page_link("pages/feedback_themes.py", label=BACKLOG, icon=":material/link:")
    if r is None:
        components.empty_state(NO_DETRACTORS)
        return
    k = st.columns(3)
    k[0].metric(f"Detractors followed up within {within(r.target_days)}", units.percent(r.share),
                help=f"{units.count(r.in_time)} of {units.count(r.detractors)} NPS answers of 0 to 6.")
    k[1].metric("Churn, followed up in time", units.percent(r.rates["in time"][0]))
    k[2].metric("Churn gap, in time against not", units.points(r.gap))
    for sentence in chart_text.follow_up(r):
        st.caption(components.plain(sentence))
    t = table(r)
    components.table(t, COLUMNS, hide_index=True, width="stretch")
    components.csv_download(t, "Download this table (CSV)", "service_detractor_follow_up.csv",
                            key="service_follow_up_csv")


def without_tickets(url: str, version: str, days: int, f: Filters) -> None:
    """A store without tickets: its detractors' follow-up, under a heading (nothing without customers or detractors:
    the page has said what to import)."""
    try:
        r = cached.follow_up_without_tickets(url, version, days, current(), f)
    except InsufficientDataError:  # no customers: the page has said what to import
        return
    except WorkbenchError as exc:
        errors.show(exc)
        return
    if r is not None:
        st.subheader("Closed loop")
        choice()
        show(r)
