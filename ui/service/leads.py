"""The Service operations page's Leading indicators tab: each signal ranked by the churners it caught and how early,
and who it flags month by month (core.service.indicators, core.service.leads)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from core.errors import WorkbenchError
from core.history.filters import Filters
from core.metrics import definition
from core.service import chart_text
from core.service.indicators import OPEN_DAYS, signals
from ui import components
from ui.frame import errors
from ui.service import cached, charts

#: the key of the open-days widget (read before the tab draws it, for the workbook at the top of the page)
OPEN_DAYS_KEY = "service_open_days"
RANKING_COLUMNS = {
    "signal": st.column_config.TextColumn("Signal"),
    "customer_months": st.column_config.NumberColumn(
        "Customer-months flagged", format="localized",
        help="Month ends at which the signal flagged an active customer, among those whose N days have passed."),
    "churn_flagged": components.percent("Churn when flagged", help="Of those customer-months, the share followed by "
                                        "churn within N days."),
    "churn_others": components.percent("Churn otherwise", help="The same share for the customer-months not flagged."),
    "lift": st.column_config.NumberColumn("Lift", format="%.2fx", help="Churn when flagged / churn otherwise."),
    "churners": st.column_config.NumberColumn("Churners", format="localized",
                                              help="Customers who churned, active at a month end in the N days "
                                                   "before."),
    "caught": st.column_config.NumberColumn("Churners caught", format="localized", help=definition("Churners caught")),
    "caught_share": components.percent("Share caught", help=definition("Churners caught")),
    "caught_low": components.percent("Share caught, low"),
    "caught_high": components.percent("Share caught, high"),
    "median_lead_days": st.column_config.NumberColumn("Median days before churn", format="%.1f",
                                                      help=definition("Lead time")),
}
MONTHLY_COLUMNS = {
    "month_end": st.column_config.DateColumn("Month end", format="YYYY-MM-DD"),
    "signal": st.column_config.TextColumn("Signal"),
    "active": st.column_config.NumberColumn("Active customers", format="localized"),
    "flagged": st.column_config.NumberColumn("Flagged", format="localized"),
    "flagged_churned": st.column_config.NumberColumn("Flagged, then churned", format="localized",
                                                     help="Empty while the N days after the month end have not "
                                                          "passed."),
    "churn_flagged": components.percent("Churn when flagged"),
    "churn_others": components.percent("Churn otherwise"),
}


@dataclass
class Leads:
    """The tab's figures (``ranking``, ``monthly``, ``usage``), or why there are none (``error``)."""

    days: int
    open_days: int
    ranking: pd.DataFrame | None = None
    monthly: pd.DataFrame | None = None
    usage: bool = False
    error: WorkbenchError | None = None

    def sheets(self) -> dict[str, pd.DataFrame]:
        """The workbook's sheets of the tab (none without figures)."""
        if self.ranking is None:
            return {}
        return {"Leading indicators": self.ranking, "Leading indicators by month": self.monthly}


def load(url: str, version: str, days: int, f: Filters) -> Leads:
    """The leading indicators with the open days last chosen on the tab (read before the tab draws its widget, for
    the workbook at the top of the page)."""
    open_days = int(st.session_state.get(OPEN_DAYS_KEY, OPEN_DAYS))
    try:
        return Leads(days, open_days, *cached.leads(url, version, days, open_days, f))
    except WorkbenchError as exc:
        return Leads(days, open_days, error=exc)


def show(data: Leads) -> None:
    """The tab: its widget, the signals and their definitions, the ranking (chart, table, download) and the monthly
    dashboard; or why there are none."""
    st.number_input("A ticket left open counts after this many days", min_value=1, max_value=365, value=OPEN_DAYS,
                    step=1, key=OPEN_DAYS_KEY)
    if data.error is not None:
        errors.show(data.error)
        return
    _figures(data.ranking, data.monthly, data.usage, data.days, data.open_days)


def _figures(ranking: pd.DataFrame, monthly: pd.DataFrame, usage: bool, days: int, open_days: int) -> None:
    st.caption(definition("Leading indicator"))
    st.markdown("\n".join(f"- **{s.title}**: {s.definition}" for s in signals(open_days).values()))
    if not usage:
        st.info("The store holds no usage, so usage halved never fires: import activity on the Data page to check it.",
                icon=":material/info:")
    sentence = chart_text.caught(ranking, days)
    if ranking["caught_share"].notna().any():
        components.chart(charts.caught(ranking, days), sentence, None, "", "")
    else:
        st.info(components.plain(sentence) + f" No customer churned within {days} days of a month end at which they "
                "were active.")
    components.table(ranking, RANKING_COLUMNS, hide_index=True, width="stretch")
    components.csv_download(ranking, "Download the ranking (CSV)", "service_leading_indicators.csv",
                            key="service_leads_csv")
    st.markdown("**Month by month**")
    components.chart(charts.flagged(monthly), chart_text.flagged(monthly), None, "", "")
    components.table(monthly, MONTHLY_COLUMNS, hide_index=True, width="stretch", height=320)
    components.csv_download(monthly, "Download the months (CSV)", "service_leading_indicators_by_month.csv",
                            key="service_leads_monthly_csv")
