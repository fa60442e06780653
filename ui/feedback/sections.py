"""Sections of the Feedback themes page (widgets and rendering; numbers come from core)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.access import rights
from core.errors import WorkbenchError
from core.export import units
from core.export.csv import to_csv_bytes
from core.feedback import chart_text, plain
from core.feedback import store as ts
from core.feedback import verbatim_list as vl
from core.feedback.impact import HORIZON_DAYS
from core.feedback.prepared import GROUPS
from core.metrics import GLOSSARY
from ui import components
from ui.components import MONEY, PERCENT
from ui.feedback import cached as feedback
from ui.feedback import charts, figures, headers
from ui.feedback.cached import View
from ui.frame import errors, loaders, signin, warehouse

_SENT = st.column_config.NumberColumn(format="%+.2f", help=GLOSSARY["Sentiment"])
_FREQ = {"Month": "M", "Quarter": "Q", "Year": "Y"}


def headline(v: View) -> None:
    h = figures.headline(v.key, v)
    scores = h["scores"]
    k = st.columns(6)
    k[0].metric("Verbatims", units.count(h["n"]), help="Texts from surveys, reviews, social posts and tickets "
                "in the window, personal data masked.")
    k[1].metric("Tagged", units.percent(h["tagged"] / max(h["n"], 1)), help=GLOSSARY["Theme"])
    for i, m in enumerate(("NPS", "CSAT", "CES"), start=2):
        val, lo, hi, n = scores[m]
        shown = [chart_text.score_figure(m, x) for x in (val, lo, hi)]
        k[i].metric(m, shown[0], help=f"{GLOSSARY[m]} 95 % interval {shown[1]} to {shown[2]}, {units.count(n)} "
                    "answers." if n else GLOSSARY[m])
    k[5].metric("Churn signals", units.count(h["signals"]), help=GLOSSARY["Churn signal"])


@st.fragment
def themes(v: View) -> pd.DataFrame:
    a, b = st.columns([1, 3])
    horizon = a.number_input("Churn within (days) after the verbatim", 30, 720, HORIZON_DAYS, step=30,
                             key="themes_horizon")
    imp = figures.impact(v.key, v, int(horizon))
    b.caption("Ranked by churn impact: how much more often customers who raised the theme churned within "
              f"{int(horizon)} days than customers who did not. {GLOSSARY['Churn impact']} "
              f"NPS impact: {GLOSSARY['NPS impact']}")
    if imp.empty:
        st.info("The codebook has no active theme: create one on the Codebook tab.")
        return imp
    top = imp.iloc[0]
    if pd.notna(top["churn_diff"]):
        theme = components.plain(top["theme"])
        st.markdown(f"**{theme}** goes with the most churn: {units.percent(top['churn_raised'])} of the "
                    f"{units.count(int(top['n_raised']))} customers who raised it churned within {int(horizon)} days, "
                    f"against {units.percent(top['churn_others'])} of the others ({units.points(top['churn_diff'])}, "
                    f"95 % interval {units.points(top['churn_low'])} to {units.points(top['churn_high'])}); "
                    f"{units.money(top['mrr_at_risk'])} MRR at risk.")
    if imp["churn_diff"].notna().any() or (imp["mrr_at_risk"].fillna(0) > 0).any():
        a, b = st.columns([3, 2])
        # the Themes table right below holds both charts' figures, with its download (data=None)
        a.markdown("**Churn impact** (95 % interval)")
        components.chart(figures.chart(v.key, "impact", (int(horizon),), lambda: charts.churn_impact(imp)),
                         chart_text.churn_impact(imp), None, "", "", where=a)
        b.markdown("**MRR at risk**", help=GLOSSARY["MRR at risk"])
        components.chart(figures.chart(v.key, "mrr", (int(horizon),), lambda: charts.mrr_at_risk(imp)),
                         chart_text.mrr_at_risk(imp), None, "", "", where=b)
    else:  # empty charts say nothing: say why
        st.info("Churn impact and MRR at risk need verbatims from known customers whose churn (or staying) and "
                "revenue the store holds; these verbatims name no such customer. The table below ranks the themes "
                "by mentions.")
    shown = imp.drop(columns=["parent_id"]).assign(
        churn_diff=imp["churn_diff"] * 100, churn_low=imp["churn_low"] * 100, churn_high=imp["churn_high"] * 100)
    components.table(shown, hide_index=True, width="stretch", column_config=headers.labelled(shown, {
        "theme_id": st.column_config.NumberColumn("Theme no.", format="%d"), "share": PERCENT, "sentiment": _SENT,
        "negative_share": PERCENT, "nps_impact": st.column_config.NumberColumn("NPS impact", format="%+.1f",
                                                                            help=GLOSSARY["NPS impact"]),
        "churn_raised": PERCENT, "churn_others": PERCENT,
        "churn_diff": st.column_config.NumberColumn("churn diff (pts)", format="%+.1f", help=GLOSSARY["Churn impact"]),
        "churn_low": st.column_config.NumberColumn("low", format="%+.1f"),
        "churn_high": st.column_config.NumberColumn("high", format="%+.1f"),
        "mrr_at_risk": st.column_config.NumberColumn("MRR at risk", format="dollar", help=GLOSSARY["MRR at risk"])}))
    figures.csv_download(v, imp, "Download theme impact (CSV)", "theme_impact.csv", "themes_dl_impact",
                         choices=(int(horizon),))
    return imp


@st.fragment
def trends(v: View) -> None:
    a, b = st.columns(2)
    freq = a.segmented_control("Period", list(_FREQ), default="Month", key="themes_freq") or "Month"
    by = b.segmented_control("Split by", list(GROUPS), default="segment", key="themes_by",
                             format_func=str.capitalize) or "segment"
    ot, bg = figures.mentions(v.key, v, _FREQ[freq], by)
    if ot.empty and bg.empty:
        st.info("No tagged verbatim in the window.")
        return
    st.markdown("**Share of verbatims naming each theme**")
    if ot.empty:
        st.info("The tagged verbatims in view have no date, so there is no trend over time; the split below "
                "counts them all.", icon=":material/info:")
    else:
        components.chart(figures.chart(v.key, "over_time", (freq,), lambda: charts.over_time(ot)),
                         chart_text.over_time(ot), headers.chart_data(ot), "themes_over_time.csv", "themes_dl_time")
    st.markdown(f"**By {by}**: share of each {by}'s verbatims that name the theme")
    components.chart(figures.chart(v.key, "by_group", (by,), lambda: charts.by_group(bg, by.title())),
                     chart_text.by_group(bg, by), headers.chart_data(bg, {"group": by.title()}), f"themes_by_{by}.csv",
                     "themes_dl_group")
    group_tests(bg, by)


def group_tests(bg: pd.DataFrame, by: str) -> None:
    """Whether each theme differs between the groups beyond chance: a plain sentence first (group and theme names
    are data: shown as plain text), the chi-square figures under "Analyst detail"."""
    tests = plain.group_tests(bg)
    if tests.empty:
        return
    st.text(plain.groups_sentence(tests, by))
    with st.expander("Analyst detail: chi-square test per theme"):
        st.caption(f"Each theme: verbatims naming it against the others, across the {components.plain(by)}s "
                   "(chi-square test of homogeneity, no continuity correction); the adjusted p-value multiplies by "
                   "the number of themes tested (Bonferroni). Below 0.05 the theme differs beyond chance.")
        for _, row in tests.iterrows():
            st.text(plain.theme_sentence(row, by))
        components.table(tests, hide_index=True, width="stretch", column_config={
            "theme": st.column_config.TextColumn("Theme"),
            "chi_square": st.column_config.NumberColumn("Chi-square", format="%.2f"),
            "dof": st.column_config.NumberColumn("Degrees of freedom", format="%d"),
            "p_value": st.column_config.NumberColumn("p-value", format="%.4f"),
            "p_adjusted": st.column_config.NumberColumn("Adjusted p-value", format="%.4f"),
            "high_group": st.column_config.TextColumn(f"{by.title()} raising it most"),
            "high_share": components.percent("Its share"),
            "low_group": st.column_config.TextColumn(f"{by.title()} raising it least"),
            "low_share": components.percent("That share")})


@st.fragment
def scores(v: View) -> None:
    a, b = st.columns(2)
    freq = a.segmented_control("Period", list(_FREQ), default="Quarter", key="scores_freq") or "Quarter"
    by = b.segmented_control("Split by", list(GROUPS), default="segment", key="scores_by",
                             format_func=str.capitalize) or "segment"
    table = figures.scores(v.key, v, _FREQ[freq], by)
    if table.empty:
        st.info("No NPS, CSAT or CES answers in the window: import survey answers with a channel of nps, csat or ces.")
        return
    st.caption(f"{GLOSSARY['NPS']} {GLOSSARY['CSAT']} {GLOSSARY['CES']} The shaded band is the 95 % interval.")
    have = [m for m in ("NPS", "CSAT", "CES") if (table["metric"] == m).any()]
    m = st.segmented_control("Score", have, default=have[0], key="scores_metric") or have[0]
    st.markdown(f"**{m}** by {by}, with the 95 % interval", help=GLOSSARY[m])
    # the table right below holds the chart's figures, with its download (data=None)
    components.chart(figures.chart(v.key, "scores", (freq, by, m), lambda: charts.scores(table, m)),
                     chart_text.scores(table, m), None, "", "")
    st.dataframe(table, hide_index=True, width="stretch", height=320, column_config=headers.labelled(table, {
        c: st.column_config.NumberColumn(format="%.1f") for c in ("value", "low", "high")}))
    figures.csv_download(v, table, "Download scores (CSV)", "survey_scores.csv", "scores_dl", choices=(freq, by))


@st.fragment
def verbatims(v: View) -> None:
    options = [vl.ALL, vl.UNTAGGED] + [v.book.label(t.id) for t in v.book.active()]
    a, b, c, d = st.columns([2, 1, 2, 2])
    pick = a.selectbox("Theme", options, key="verb_theme")
    tone = b.selectbox("Tone", [vl.ALL, "negative", "neutral", "positive"], key="verb_tone", format_func=str.capitalize)
    chans = sorted(v.prep["channel"].unique().tolist())
    chan = c.multiselect("Channel", chans, key="verb_channel", placeholder="All")
    linked = st.query_params.get("customer")
    if linked is not None and st.session_state.get("_verb_linked") != linked:
        st.session_state["_verb_linked"] = linked
        st.session_state["verb_search"] = linked
    search = d.text_input("Search words or a customer id", key="verb_search")
    out = figures.verbatim_list(v.key, (pick, tone, tuple(chan), search.strip()), v)
    listed = out.head(vl.SHOWN)
    more = f"; the newest {units.count(len(listed))} are listed, the download holds them all" \
        if len(out) > len(listed) else ""
    st.caption(f"{units.count(len(out))} verbatims{more}. Personal data (e-mail and postal addresses; phone, card, "
               "IBAN and passport numbers; card security codes; the customer's own name) is masked.")
    st.dataframe(listed, hide_index=True, width="stretch", height=420, column_config=headers.labelled(listed, {
        "date": st.column_config.DateColumn(format="YYYY-MM-DD"), "sentiment": _SENT,
        "text": st.column_config.TextColumn(width="large")}))
    # written when clicked (every matching verbatim), without rerunning the page
    st.download_button("Download these verbatims (CSV)", lambda: to_csv_bytes(out), "verbatims.csv", "text/csv",
                       key="verb_dl", icon=":material/download:", on_click="ignore")


def on_warehouse() -> None:
    """Where the page's figures come from when a warehouse is set, before the verbatims are read."""
    warehouse.says_so("Read from the company's warehouse, read only: the texts of its feedback and tickets, its "
                      "survey scores, customers and revenue, again each day, tagged with this workbench's codebook; "
                      "every verbatim counts (the sidebar's filters apply to the store's pages).")


def signals(v: View) -> None:
    health, health_key = feedback.health_today(v.url, v.version)
    rows = figures.signals(v.key, health_key, v, health)
    st.caption(f"{GLOSSARY['Churn signal']} Active customers only, largest MRR first."
               + ("" if health is not None else " Health is not available for this store."))
    if rows.empty:
        st.success("No churn signal from an active customer in the window.", icon=":material/check_circle:")
        return
    k = st.columns(3)
    k[0].metric("Customers with a signal", units.count(rows["customer_id"].nunique()))
    k[1].metric("Their MRR", units.money(rows.drop_duplicates("customer_id")["mrr"].sum()))
    k[2].metric("Still open", units.count(int((rows["status"] != "closed").sum())))
    shown, links = components.with_customer_links(rows, ("churn_risk", "health_page"))
    st.dataframe(shown, hide_index=True, width="stretch", height=400, column_config=headers.labelled(shown, {**links,
        "date": st.column_config.DateColumn(format="YYYY-MM-DD"), "mrr": MONEY,
        "health": st.column_config.NumberColumn(format="%.0f"), "text": st.column_config.TextColumn(width="large")}))
    figures.csv_download(v, rows, "Download churn signals (CSV)", "churn_signals.csv", "signals_dl")


@st.fragment
def backlog(v: View) -> None:
    it, bl = figures.backlog(v.key, v)
    if bl.empty:
        st.info("No follow-up item in the window (items are negative or churn-signal verbatims naming a theme).")
        return
    st.caption(f"Each negative or churn-signal verbatim is an item for the owner team of every theme it names. "
               f"{GLOSSARY['Closure rate']} {GLOSSARY['Reopen rate']}")
    components.table(bl, headers.labelled(bl, {
        "closure_rate": PERCENT, "reopen_rate": components.percent("Reopen rate", help=GLOSSARY["Reopen rate"]),
        "median_days_to_close": st.column_config.NumberColumn("Median days to close", format="%g",
                                                              help=GLOSSARY["Days to close"])}),
        hide_index=True, width="stretch")
    figures.csv_download(v, bl, "Download backlog (CSV)", "backlog.csv", "backlog_dl")
    teams = sorted(bl["team"].unique().tolist())
    a, b = st.columns(2)
    team = a.selectbox("Team", teams, key="backlog_team")
    state = b.selectbox("Status", ["open", "in progress", "closed", "all"], key="backlog_state",
                         format_func=str.capitalize)
    mine = it[(it["team"] == team) & ((it["status"] == state) if state != "all" else True)]
    st.dataframe(mine.drop(columns=["team"]), hide_index=True, width="stretch", height=320,
                 column_config=headers.labelled(mine, {"date": st.column_config.DateColumn(format="YYYY-MM-DD"),
                                                       "text": st.column_config.TextColumn(width="large")}))
    if warehouse.named(v.version):
        st.caption("On the warehouse a verbatim's follow-up status is its own status column's (the mapping's "
                   "[feedback] status): change it there.")
        return
    engine = loaders.get_engine(v.url)
    if not signin.offer(engine, rights.FOLLOW_UP):
        return
    with st.form("backlog_update", border=True):
        st.markdown("**Update follow-up status** (survey, review and social verbatims; a ticket's status comes from "
                    "the help desk)")
        choices = [x for x in dict.fromkeys(mine["vid"]) if str(x).startswith("F")][:500]
        a, b = st.columns([3, 1])
        picked = a.multiselect("Verbatims", choices, key="backlog_pick")
        new = b.selectbox("New status", list(ts.FOLLOW_UP), index=2, key="backlog_new", format_func=str.capitalize)
        if st.form_submit_button("Update status"):
            try:
                n = ts.set_status(engine, picked, new, user=signin.actor(engine))
            except WorkbenchError as exc:
                errors.show(exc)
            else:
                st.session_state["themes_note"] = f"{units.count(n)} verbatim(s) marked {new}."
                st.rerun()
