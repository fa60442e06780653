"""Sections of the Overview page: the tiles of each section, what the store cannot show, and revenue retention by
cohort (rendering only; the figures come from core.buyers.overview through ui.overview.cached)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.buyers import chart_text
from core.buyers.overview import Overview, Section
from core.export import units
from core.history.movements import HEADERS
from core.metrics import GLOSSARY
from core.review.at_risk import AtRisk
from ui import components
from ui.churn import risk_lists
from ui.frame import loaders
from ui.overview import charts

#: tiles per row (the recurring tiles: customers, money, revenue retention)
PER_ROW = 3
_SPARK = "the small charts show each month of the chosen date range"
_ARROWS = "; the arrows compare with the month before (a 12-month rate: with the 12 months one month earlier)"
_DOWNLOADS = {"recurring": ("Download the monthly trend (CSV)", "overview_trend.csv"),
              "customers": ("Download the monthly trend (CSV)", "overview_trend.csv"),
              "buyers": ("Download the buyers' monthly trend (CSV)", "overview_buyers_trend.csv")}


def notes(ov: Overview) -> None:
    """What the store cannot show and why, as captions (nothing on a recurring-revenue book)."""
    for note in ov.notes:
        st.caption(components.plain(note))


def section(s: Section, titled: bool, spark: str = _SPARK) -> None:
    """One section's tiles (with sparklines and their definitions) and its trend download; ``spark`` says which
    months the sparklines show."""
    if titled:
        st.subheader(s.title)
    arrows = _ARROWS if any(f.delta is not None for f in s.figures) else ""  # a buyer section compares with none
    hint = (f"; {spark}{arrows}" if len(s.trend) else arrows) + ". Hover a figure for its definition."
    st.caption(components.plain(s.caption) + hint)
    for first in range(0, len(s.figures), PER_ROW):
        cols = st.columns(PER_ROW)
        for col, f in zip(cols, s.figures[first:first + PER_ROW]):
            col.metric(f.label, f.text, f.delta, f.delta_color, help=f.help, chart_data=s.sparkline(f), border=True,
                       delta_description=f.versus or None)
    if len(s.trend):
        label, name = _DOWNLOADS[s.key]
        components.csv_download(s.trend, label, name, key=f"overview_{s.key}_trend")


def cohorts(ov: Overview) -> None:
    """Revenue retention by cohort of first purchase: heat map, table and CSV (or why there is none)."""
    st.subheader("Revenue retention by cohort")
    if ov.cohorts is None:
        st.info(components.plain(ov.cohort_note))
        return
    t = ov.cohorts
    st.caption(GLOSSARY["Revenue retention by cohort"])
    # the table right below holds the heat map's figures, with its download (data=None)
    components.chart(charts.cohort_revenue_heatmap(t), chart_text.cohort_revenue(t.retention), None, "", "")
    shown = t.retention.rename(columns=str)
    shown.insert(0, "buyers", t.buyers)
    config = {c: components.PERCENT for c in shown.columns if c != "buyers"}
    config["buyers"] = st.column_config.NumberColumn("buyers", format="localized", help="Buyers whose first "
                                                     "purchase fell in the cohort's month.")
    components.table(shown, config, width="stretch")
    components.csv_download(t.long(), "Download revenue retention by cohort (CSV)", "revenue_retention_by_cohort.csv",
                            key="overview_cohorts_csv")


#: the glossary entry behind each movement column
_MOVEMENT_HELP = {"new": "New MRR", "expansion": "Expansion MRR", "reactivation": "Reactivation MRR",
                  "contraction": "Contraction MRR", "churned": "Churned MRR"}


def movements_shown(table: pd.DataFrame) -> pd.DataFrame:
    """The movements as the page shows them: the month written ``Jun 2025``, money written by
    :func:`core.export.units.format_value`, human headers with their unit."""
    shown = pd.DataFrame({"month": table["month"].dt.strftime("%b %Y")})
    for c in table.columns.drop("month"):
        shown[c] = [units.format_value(v, "currency") for v in table[c]]
    return shown.rename(columns=HEADERS)


def movements(table: pd.DataFrame) -> None:
    """MRR movements month by month: diverging bars with the net change, the table and its CSV (or why there is
    none)."""
    st.subheader("MRR movements")
    if table.empty:
        st.info("No month of the chosen date range has recurring revenue, so there are no MRR movements to show: "
                "widen the date range in the sidebar.")
        return
    first, last = table["month"].iloc[0], table["month"].iloc[-1]
    st.caption(f"{first:%b %Y} to {last:%b %Y}, month by month. {GLOSSARY['MRR movements']} Bars above zero add "
               "MRR, bars below take it away; the line is the net change of MRR.")
    # the table right below holds the chart's figures, with its download (data=None)
    components.chart(charts.mrr_movements(table), chart_text.mrr_movements(table), None, "", "")
    config = {HEADERS[c]: st.column_config.TextColumn(HEADERS[c], help=GLOSSARY[g]) for c, g in _MOVEMENT_HELP.items()}
    st.dataframe(movements_shown(table), column_config=config, hide_index=True, width="stretch")
    raw = table.assign(month=table["month"].dt.strftime("%Y-%m"))
    components.csv_download(raw, "Download the MRR movements (CSV)", "mrr_movements.csv", key="overview_movements_csv")


def at_risk(figures: tuple[AtRisk, ...], pages=tuple(components.CUSTOMER_PAGES)) -> None:
    """MRR at risk: one tile per figure (or why there is none), each with the customers behind it (links to their
    pages among ``pages``: churn, health and feedback on a store) and their CSV."""
    st.subheader("MRR at risk")
    for col, r in zip(st.columns(len(figures)), figures):
        col.metric(r.label, r.text, help=r.help, border=True)
        if r.value is None:
            col.info(components.plain(r.note))
            if r.label == "MRR at high churn risk":
                col.page_link("pages/churn_drivers.py", label="Open the Churn drivers page", icon=":material/link:")
            continue
        col.caption(components.plain(r.note))
        if not risk_lists.shown(loaders.get_engine(loaders.store_url()), where=col):  # the tile stays, the list goes
            continue
        with col.expander(f"The {units.count(len(r.customers))} customers behind it"):
            kind = "tier" if "tier" in r.customers else "band"
            shown, links = components.with_customer_links(r.customers, pages)
            config = {"customer_id": st.column_config.TextColumn("customer"),
                      "mrr": st.column_config.NumberColumn("MRR ($)", format="dollar"),
                      kind: st.column_config.TextColumn("risk tier" if kind == "tier" else "health band"), **links}
            st.dataframe(shown, column_config=config, hide_index=True, width="stretch")
            key = r.label.lower().replace(" ", "_")
            components.csv_download(r.customers, f"Download the customers behind {r.label} (CSV)", f"{key}.csv",
                                    key=f"overview_{key}_csv")
