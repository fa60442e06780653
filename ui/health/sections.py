"""Sections of the Health scores page (widgets and rendering; numbers come from core through ui.health.cached)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from core.errors import WorkbenchError
from core.export import units
from core.health import chart_text, plain
from core.health import monitor as hm
from core.health import score as h
from core.metrics import GLOSSARY
from ui import components
from ui.churn import risk_lists
from ui.components import MONEY, PERCENT
from ui.frame import errors, loaders, warehouse
from ui.health import cached as health
from ui.health import chart_data, charts

#: the title of the section that holds the statistics for analysts, below their plain sentences
ANALYST = "Analyst detail"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def on_warehouse() -> None:
    """Where the page's figures come from when a warehouse is set, before the measures are read."""
    warehouse.says_so("Scored on the company's warehouse, read only: its customers, tickets, survey answers and "
                      "revenue are read and its activity is summed there, again each day. The configurations are kept "
                      "in the store; the sidebar's filters apply to the store's pages.")


def unmeasured(on_warehouse: bool) -> None:
    """What the page needs, said when there are no measures: of the store, or of the warehouse's mapping."""
    if on_warehouse:
        warehouse.needs("Health scores",
                        "customers with signup dates and dated behaviour (usage, tickets, surveys, MRR)")
        return
    st.info("Health scores need customers with signup dates and dated behaviour (usage, tickets, surveys, MRR): "
            "import them on the Data page or load the demo there.")


def portfolio(view: health.View) -> None:
    p, day, mrr = health.portfolio(*view)
    b, moves = p["bands"].set_index("band"), p["moves"].set_index("movement")["customers"]
    k = st.columns(5 if mrr else 4)
    k[0].metric("Customers scored", units.count(int(b["customers"].sum())), help=GLOSSARY["Health score"])
    for i, band in enumerate(h.BANDS, start=1):
        delta = b.at[band, "share"] - b.at[band, "share_before"]
        k[i].metric(f"{band.title()}", units.percent(b.at[band, "share"]),
                    None if pd.isna(delta) else units.points(delta),
                    delta_color="inverse" if band == "red" else "normal", help=GLOSSARY["Health band"])
    if mrr:
        k[4].metric("MRR in red", units.money(b.at["red", "mrr"]), help="Monthly recurring revenue of red customers.")
    who = "every customer of the warehouse" if warehouse.named(view.version) else "within the sidebar filters"
    st.caption(f"On {day:%Y-%m-%d}, {who}; changes against the month before. Moved up a band: "
               f"{units.count(int(moves.get('up', 0)))} · down: {units.count(int(moves.get('down', 0)))} · same band: "
               f"{units.count(int(moves.get('same band', 0)))} · new: {units.count(int(moves.get('new', 0)))}."
               + ("" if mrr else " No MRR figures: the customers shown have no recurring revenue."))
    a, c = st.columns(2)
    a.markdown("**Share in each band, month by month**")
    over = p["over_time"]
    components.chart(charts.band_share(over), chart_text.band_share(over), chart_data.band_share(over),
                     "health_band_share.csv", key="health_dl_band_share", where=a)
    c.markdown("**MRR at risk by segment** (red and amber are at risk)")
    if not mrr:
        c.info("The customers shown have no recurring revenue (no MRR per customer and month), so there is no MRR "
               "at risk to show: a purchase log or a snapshot has none. Import revenue on the Data page to see it.",
               icon=":material/info:")
    else:
        # the same figures in the table below, with its own download
        components.chart(charts.mrr_by_segment(p["mrr_at_risk"]), chart_text.mrr_at_risk(p["mrr_at_risk"]), None,
                         "", key="health_mrr_chart", where=c)
        st.dataframe(p["mrr_at_risk"].round(0), hide_index=True, width="stretch",
                     column_config={"segment": st.column_config.TextColumn("Segment"),
                                    **{band: st.column_config.NumberColumn(f"{band.title()} MRR", format="$%,.0f")
                                       for band in h.BANDS}})
    a, c = st.columns(2)
    if mrr:
        components.csv_download(p["mrr_at_risk"], "Download MRR by segment and band (CSV)", "health_mrr_at_risk.csv",
                                key="health_dl_risk", where=a)
    if risk_lists.allowed(loaders.get_engine(view.url)):  # per-customer scores: admins and the roles allowed
        download(c, "Download monthly scores, all customers (CSV)", lambda: health.history_csv(*view),
                 "health_history.csv", key="health_dl_history")


@st.fragment
def alerts(view: health.View) -> None:
    """The alerts and the action list; its controls rerun this section only."""
    a, b = st.columns([1, 3])
    drop = a.number_input("Alert when the score fell more than (points)", 1, 100, 15, key="health_drop")
    rows = health.alerts(*view, drop)
    kinds = rows["alert"].unique().tolist()
    pick = b.multiselect("Alerts", kinds, default=kinds, key=f"health_kinds_{drop}")
    actions, csv, xlsx = health.actions(*view, drop, tuple(pick))
    counts = rows["alert"].value_counts()
    st.markdown(" · ".join(f"**{k}**: {units.count(int(n))}" for k, n in counts.items()) or "No alert this month.")
    st.caption("Each row says which measures caused the alert: for a drop, the measures whose points fell most; "
               "for a renewal, the measures costing the most points now; for a contradiction, the two that disagree.")
    if not risk_lists.shown(loaders.get_engine(view.url)):  # the counts above stay; the list and downloads go
        return
    # the Churn drivers page scores the warehouse's customers too; the Feedback themes page reads its texts if mapped
    pages = ("churn_risk", *(warehouse.text_pages() if warehouse.named(view.version) else ("feedback_page",)))
    shown, links = components.with_customer_links(readable(actions), pages)
    st.dataframe(shown, hide_index=True, width="stretch", height=380, column_config={
        **links, "customer_id": st.column_config.TextColumn("customer"), "mrr": MONEY,
        "score": st.column_config.NumberColumn(format="%.0f"),
        "previous": st.column_config.NumberColumn(format="%.0f"),
        "change": st.column_config.NumberColumn(format="%+.0f"),
        "days_to_renewal": st.column_config.NumberColumn("renewal in (days)", format="%d")})
    c, d = st.columns(2)
    download(c, "Download the action list (CSV)", csv, "health_actions.csv", key="health_dl_actions_csv")
    download(d, "Download the action list (XLSX)", xlsx, "health_actions.xlsx", key="health_dl_actions_xlsx",
             mime=XLSX)


def download(where, label: str, data: bytes | Callable[[], bytes], file_name: str, key: str,
             mime: str = "text/csv") -> None:
    """A download button for bytes made (and cached) by ui.health.cached, or for a function making them when the
    button is clicked (then without rerunning the page), as ui.components draws its own."""
    where.download_button(label, data, file_name, mime, key=key, icon=":material/download:",
                          on_click="ignore" if callable(data) else "rerun")


def readable(actions: pd.DataFrame) -> pd.DataFrame:
    """The action list as the page shows it: a name or segment the store does not hold (a purchase log has neither)
    left out when nobody has one, else an empty cell, never ``None``."""
    out = actions.copy()
    for c in ("name", "segment"):
        if c in out:
            out[c] = out[c].astype(object).where(out[c].notna(), "")
            if (out[c] == "").all():
                out = out.drop(columns=c)
    return out


@st.fragment
def customer(cfg: h.HealthConfig, hist: pd.DataFrame) -> None:
    """One customer's score explained (for admins and the roles an admin allows to see per-customer scores); the
    customer picker reruns this section only."""
    if not risk_lists.shown(loaders.get_engine(loaders.store_url())):
        return
    now, _ = hm.latest_two(hist)
    now = now[now["score"].notna()]  # fewer measures than the minimum: no score to explain
    ids = now.sort_values("score")["customer_id"].tolist()
    if not ids:
        st.info("No active customer within the sidebar filters.")
        return
    linked = st.query_params.get("customer")
    if linked is not None and st.session_state.get("_health_linked") != linked:
        st.session_state["_health_linked"] = linked
        if linked in ids:
            st.session_state["health_pick"] = linked
    if st.session_state.get("health_pick") not in ids:
        st.session_state["health_pick"] = ids[0]
    pick = st.selectbox("Customer (lowest score first)", ids, key="health_pick")
    row = now[now["customer_id"] == pick].iloc[0]
    parts = h.contributions(cfg, now, pick)
    segment = [components.plain(row["segment"])] if pd.notna(row["segment"]) else []  # none in a purchase log
    about = ", ".join([*segment, f"{components.plain(row['stage'])} stage"])
    st.markdown(f"**{components.plain(pick)}** ({about}): health **{units.score(row['score'], digits=0)}** "
                f"({components.plain(row['band'])}) = the sum of the contributions below; each bar's full length is "
                "the measure's share of the score.")
    a, b = st.columns(2)
    components.chart(charts.contributions(parts), chart_text.contributions(parts), chart_data.contributions(parts),
                     "health_customer_contributions.csv", key="health_dl_contributions", where=a)
    trend = hist[hist["customer_id"] == pick][["day", "score", "band", "stage"]]
    components.chart(charts.score_trend(trend, cfg.red_max, cfg.amber_max), chart_text.score_trend(trend),
                     chart_data.score_trend(trend), "health_customer_trend.csv", key="health_dl_trend", where=b)
    components.table(parts.drop(columns="key"), hide_index=True, width="stretch", column_config={
        "points": st.column_config.NumberColumn(format="%.0f"), "share": PERCENT,
        "contribution": st.column_config.NumberColumn(format="%.1f"),
        "lost": st.column_config.NumberColumn(format="%.1f")})


def backtest(url: str, version: str, cfg: h.HealthConfig, v: int, data) -> None:
    if isinstance(data, WorkbenchError):
        errors.show(data)
        return
    r = health.backtest(url, version, health.key(cfg))
    st.markdown(plain.backtest(r.auc, r.red_green_text, len(data.cutoffs), data.horizon_days))
    st.caption(f"Every customer active at each month end was scored as the data looked then (v{v}) and followed "
               f"for {data.horizon_days} days. All customers, whatever the sidebar filters.")
    a, b = st.columns(2)
    a.markdown("**Churn rate per band**; black tick: what the score predicts (calibration)")
    components.chart(charts.band_churn(r.bands), chart_text.band_churn(r.bands), chart_data.band_churn(r.bands),
                     "health_band_churn.csv", key="health_dl_band_churn", where=a)
    b.markdown("**Month by month**: does the order red > amber > green hold?")
    components.chart(charts.band_months(r.band_months), chart_text.band_months(r.band_months),
                     chart_data.band_months(r.band_months), "health_band_months.csv", key="health_dl_band_months",
                     where=b)
    with st.expander(ANALYST):
        _backtest_figures(r, data)
    components.csv_download(r.by_month, "Download the back-test by month (CSV)", "health_backtest.csv",
                            key="health_dl_backtest")


def _backtest_figures(r, data) -> None:
    """The back-test's figures for analysts: ROC-AUC (beside its sentence), red against green, the months and rows,
    and each band's churn, predicted churn and lift."""
    k = st.columns(4)
    k[0].metric("Back-test ROC-AUC", units.score(r.auc), help=GLOSSARY["Health back-test AUC"])
    k[1].metric("Red churns ... x green", r.red_green_text,
                help="Red's churn rate / green's; in words when there is no ratio (no green customer churned).")
    k[2].metric("Months", units.count(len(data.cutoffs)), help=f"{data.cutoffs[0]:%b %Y} to {data.cutoffs[-1]:%b %Y}")
    k[3].metric("Customer-months scored", units.count(len(r.rows)))
    st.caption(f"ROC-AUC {units.score(r.auc)}: {plain.ranking(r.auc)}.")
    components.table(r.bands, hide_index=True, width="stretch", column_config={
        "customers": st.column_config.NumberColumn("customer-months", format="localized"),
        "share": components.percent("share of customer-months"),
        "churners": st.column_config.NumberColumn("churned", help="Customer-months followed by churn."),
        "churn_rate": components.percent("churn rate"),
        "predicted": components.percent("predicted churn rate"),
        "lift": st.column_config.NumberColumn("lift (x average)", format="%.2f",
                                              help="The band's churn rate over the average churn rate.")})
