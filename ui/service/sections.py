"""What the Service operations page shows: the churn window, which tickets could be judged, and each service level's
chart and table (values from data shown as plain text, never Markdown)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.export import units
from core.metrics import definition
from core.service import chart_text
from core.service.bands import LEVELS
from core.service.levels import MIN_TICKETS
from core.service.outcomes import DEFAULT_DAYS, Judged
from ui import components
from ui.service import charts

ASSOCIATION = ("Adjusted for segment, plan and tenure at the ticket: these are associations, not experiments. A band "
               "with higher churn may serve customers who were already leaving.")
COLUMNS = {
    "band": st.column_config.TextColumn("Band"),
    "tickets": st.column_config.NumberColumn("Tickets", format="localized"),
    "customers": st.column_config.NumberColumn("Customers", format="localized"),
    "churned": st.column_config.NumberColumn("Tickets followed by churn", format="localized"),
    "churn_rate": st.column_config.NumberColumn("Churn", format="percent", step=0.001,
                                                help=definition("Churn after a ticket")),
    "churn_low": st.column_config.NumberColumn("Churn, low", format="percent", step=0.001),
    "churn_high": st.column_config.NumberColumn("Churn, high", format="percent", step=0.001),
    "adjusted_rate": st.column_config.NumberColumn("Adjusted churn", format="percent", step=0.001,
                                                   help=definition("Adjusted churn after a ticket")),
    "adjusted_low": st.column_config.NumberColumn("Adjusted, low", format="percent", step=0.001),
    "adjusted_high": st.column_config.NumberColumn("Adjusted, high", format="percent", step=0.001),
    "mrr_at_stake": st.column_config.NumberColumn("MRR at the tickets", format="dollar",
                                                  help="The customers' MRR in the month of each ticket."),
    "mrr_kept": st.column_config.NumberColumn("MRR kept", format="percent", step=0.001,
                                              help=definition("MRR kept after a ticket")),
}


def days() -> int:
    """The churn window in days, from the page's number box."""
    return int(st.number_input("Churn within this many days of a ticket", min_value=7, max_value=365,
                               value=DEFAULT_DAYS, step=1, key="service_days",
                               help=definition("Churn after a ticket")))


def coverage(judged: Judged) -> None:
    """Which tickets are judged and why the others are not, then the caveat."""
    left = [f"{units.count(judged.too_recent)} opened within the last {judged.days} days",
            f"{units.count(judged.after_churn)} after their customer had churned",
            f"{units.count(judged.unknown_customer)} without a customer in the store"]
    st.caption(f"{units.count(len(judged.frame))} of {units.count(judged.read)} tickets judged, data to "
               f"{judged.end:%Y-%m-%d}. Left out: {'; '.join(left)}. All customers (the sidebar's filters do not "
               "apply on this page yet).")
    st.info(ASSOCIATION, icon=":material/info:")


def level(table: pd.DataFrame, key: str, days: int) -> None:
    """One service level: the chart (raw and adjusted churn by band, with intervals), its table and downloads."""
    title = LEVELS[key].title
    data = charts.chart_frame(table)
    sentence = chart_text.level(table, title, days)
    if data.empty:
        st.info(components.plain(sentence))
    else:
        components.chart(charts.level(data, table["band"].tolist(), days), sentence, data,
                         f"service_{key}_chart.csv", key=f"service_{key}_chart")
    st.dataframe(table, hide_index=True, column_config=COLUMNS, width="stretch")
    st.caption(f"Bands with fewer than {MIN_TICKETS} tickets, or whose tickets were all or never followed by churn, "
               "show no rate.")
    components.csv_download(table, "Download this table (CSV)", f"service_{key}.csv", key=f"service_{key}_csv")
