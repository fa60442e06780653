"""Sections of the Quarterly review page (widgets and rendering; figures come from core through ui.review.cached)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from core.access import rights
from core.errors import WorkbenchError
from core.export import units
from core.metrics import GLOSSARY
from core.review import chart_text, charts
from core.review import compare as review_compare
from core.review import log as review_log
from core.review import snapshot as rv
from core.review.at_risk import CUSTOMER_HEADERS
from ui import components
from ui.churn import risk_lists
from ui.frame import errors, loaders, signin, warehouse
from ui.review import cached as data

BUILD, SAVED = "Build from the data", "A saved snapshot"
#: the headline tiles, those the snapshot holds (a purchase log has buyer figures, no MRR), five to a row
HEADLINE = ("Active customers", "MRR", "NRR", "GRR", "Logo churn rate", "MRR at high churn risk", "MRR in red",
            "Active buyers", "Repeat-purchase rate", "Revenue", "Revenue per buyer")
#: why a page may have no figures in a snapshot, and what to do
EMPTY = {
    "Churn drivers": "No churn model was saved when this snapshot was built: fit one on the Churn drivers page.",
    "Health scores": "No customer was active with a health measure on the as-of day.",
    "Feedback themes": "No survey answer or verbatim was dated by the as-of day: import feedback on the Data page.",
    "Intervention ROI": "No play had contacts by the as-of day: import interventions on the Data page.",
    "Overview": "No customer was in the data by the as-of day.",
}
_TABLE = {"metric": st.column_config.TextColumn("Metric"), "group": st.column_config.TextColumn("For"),
          "shown": st.column_config.TextColumn("Value [95% interval]"), "note": st.column_config.TextColumn("Note"),
          "definition": st.column_config.TextColumn("Definition", width="large")}

_DECISIONS = {"number": st.column_config.NumberColumn("Number"), "decision": st.column_config.TextColumn("Decision"),
              "owner": st.column_config.TextColumn("Owner"), "rationale": st.column_config.TextColumn("Rationale"),
              "due": st.column_config.TextColumn("Due"), "status": st.column_config.TextColumn("Status"),
              "revision": st.column_config.NumberColumn("Revision"), "author": st.column_config.TextColumn("Author"),
              "recorded_at": st.column_config.DatetimeColumn("Recorded (UTC)", format="YYYY-MM-DD HH:mm")}

#: the sentence of each page's chart (its key figure), from the chart's own data
_SENTENCES = {"Overview": chart_text.headline, "Health scores": chart_text.health_bands,
              "Feedback themes": lambda d: chart_text.effects(d, "theme", "churn linked to a feedback theme"),
              "Intervention ROI": lambda d: chart_text.effects(d, "play", "play effect on retention")}


def on_warehouse() -> None:
    """Where a built snapshot's figures come from when a warehouse is set, before the quarters are read."""
    warehouse.says_so("Built from the company's warehouse, read only: every page's figures of its customers, with "
                      "this workbench's health configuration and codebook; the churn model is the one the Churn "
                      "drivers page fitted on it today, or one fitted for the review (not saved). Saved snapshots "
                      "stay in the store.")


def _label(row) -> str:
    return f"#{row.id} · {row.quarter} as of {row.as_of:%Y-%m-%d} · saved {row.created_at:%Y-%m-%d %H:%M} UTC"


def _saved_now(url: str, snap: rv.Snapshot) -> None:
    """on_click of the save button: store the snapshot and show it as the saved one."""
    try:
        sid = data.save(url, snap, signin.actor(loaders.get_engine(url)))
    except WorkbenchError as exc:  # a refusal (core.access.guard.AccessDenied) too: one plain line
        st.session_state["review_flash"] = ("error", str(exc))
        return
    st.session_state["review_source"] = SAVED
    st.session_state["review_saved_id"] = sid
    st.session_state["review_flash"] = ("success", f"Saved as snapshot {sid}: it will never change. Record the "
                                                   "board's decisions and assumptions against it below.")


def choose(url: str, version: str) -> rv.Snapshot | None:
    """The snapshot to review: built from the data for a quarter (with the parameters), or a saved one."""
    quarters, default = data.quarters(url, version)
    if not quarters:
        st.info("There is nothing to review yet: import customers on the Data page, or load the demo there.")
        return None
    # one slot, drawn on every run: a message in it does not shift the tabs below (which would reopen the first)
    slot = st.container()
    flash = st.session_state.pop("review_flash", None)
    if flash:
        getattr(slot, flash[0])(flash[1])
    saved = data.saved(url)
    source = st.radio("Review", [BUILD, SAVED], horizontal=True, key="review_source",
                      help="A snapshot built from the data shows the figures as they are now; save it to freeze it.")
    if source == SAVED:
        if saved.empty:
            st.info("No snapshot is saved yet: choose *Build from the data*, pick a quarter and save its snapshot.")
            return None
        ids = saved["id"].tolist()
        labels = {r.id: _label(r) for r in saved.itertuples(index=False)}
        if st.session_state.get("review_saved_id") not in ids:
            st.session_state["review_saved_id"] = ids[0]
        sid = st.selectbox("Snapshot", ids, format_func=labels.get, key="review_saved_id")
        return data.load(url, saved, int(sid))
    a, b = st.columns([1, 3])
    quarter = a.selectbox("Quarter", quarters, index=quarters.index(default), key="review_quarter",
                          help="The figures as of the quarter's last day (or the data's last day, if earlier).")
    with b.expander("Parameters behind the figures"):
        c = st.columns(4)
        window = int(c[0].number_input("Play measurement window (days)", 14, 365, 90, step=15, key="review_window"))
        margin = c[1].number_input("Gross margin (%)", 0.0, 100.0, 80.0, step=5.0, key="review_margin") / 100
        months = int(c[2].number_input("Months a saved customer stays", 0, 120, 12, step=3, key="review_months"))
        top = int(c[3].number_input("Themes kept", 1, 20, 5, key="review_top"))
    params = rv.ReviewParams(roi_window=window, margin=margin, value_months=months, top_themes=top)
    try:
        snap = data.built(url, version, quarter, data.params_key(params))
    except WorkbenchError as exc:
        errors.show(exc)
        return None
    if signin.offer(loaders.get_engine(url), rights.SNAPSHOT):
        st.button("Save this snapshot", type="primary", icon=":material/lock:", key="review_save",
                  on_click=_saved_now, args=(url, snap),
                  help="Store these figures for good, with the data's fingerprint, the parameters and the versions.")
    return snap


def cover(snap: rv.Snapshot) -> None:
    """What the snapshot is: quarter, as-of day, saved or not, and what makes it reproducible."""
    v = snap.versions
    state = (f"saved as snapshot {snap.id} on {snap.created_at:%Y-%m-%d %H:%M} UTC" if snap.id is not None
             else "built from the data now, not saved")
    st.subheader(f"{snap.quarter}, as of {snap.as_of:%Y-%m-%d}")
    churn = rv.churn_model_text(v)
    health = "default" if v.get("health_config") is None else f"v{v['health_config']}"
    st.caption(f"{state[0].upper()}{state[1:]} · data {snap.data_hash[:12]} · churn model {churn} · health "
               f"configuration {health} · codebook v{v.get('codebook', 0)} · play window "
               f"{snap.params.get('roi_window')} days, "
               f"margin {units.percent(snap.params.get('margin'), digits=0)}, {snap.params.get('value_months')} months "
               "a saved customer stays. Rebuilding from the same data, parameters and versions gives the same figures.")


def figures(snap: rv.Snapshot) -> None:
    """The headline, then each page's figures: a chart and the table with every figure's definition."""
    head = rv.page_table(snap, "Overview").set_index("metric")
    names = [n for n in HEADLINE if n in head.index]
    for i in range(0, len(names), 5):
        for col, name in zip(st.columns(5), names[i:i + 5]):
            col.metric(name, head.at[name, "shown"], help=GLOSSARY[name])
    drawn = {"Overview": charts.headline(snap), "Health scores": charts.health_bands(snap),
             "Feedback themes": charts.theme_impacts(snap), "Intervention ROI": charts.play_effects(snap)}
    for page in rv.PAGES:
        st.markdown(f"#### {page}")
        table = rv.page_table(snap, page)
        if table.empty:
            st.caption(EMPTY[page])
            continue
        if page == "Overview" and "MRR" not in set(table["metric"]) and table.at[0, "note"]:
            st.caption(components.plain(table.at[0, "note"]))  # why no MRR (a purchase log, a snapshot): in full
        chart = drawn.get(page)
        if chart is not None:
            components.chart(chart, _SENTENCES[page](chart.data), chart_text.chart_data(chart.data),
                             f"review_{snap.quarter}_{page.lower().replace(' ', '_')}_chart.csv",
                             key=f"review_dl_chart_{page}")
        st.dataframe(table[["metric", "group", "shown", "note", "definition"]], hide_index=True, width="stretch",
                     column_config=_TABLE, key=f"review_table_{page}")
        if page == "Overview":
            at_risk_customers(snap)
    components.csv_download(snap.figures, "Download every figure (CSV)", f"review_{snap.quarter}_figures.csv",
                            key="review_dl_figures")


def at_risk_customers(snap: rv.Snapshot) -> None:
    """The customers behind the MRR-at-risk figures (as the Overview page lists them) and their CSV."""
    listed = snap.at_risk
    if listed.empty or not risk_lists.shown(loaders.get_engine(loaders.store_url())):
        return
    shown = listed.rename(columns=CUSTOMER_HEADERS)
    with st.expander(f"The {units.count(len(listed))} customers behind MRR at risk"):
        st.dataframe(shown, hide_index=True, width="stretch", key="review_at_risk",
                     column_config={CUSTOMER_HEADERS["mrr"]: st.column_config.NumberColumn(format="dollar")})
    components.csv_download(shown, "Download the customers behind MRR at risk (CSV)",
                            f"review_{snap.quarter}_mrr_at_risk.csv", key="review_dl_at_risk")


def comparison(url: str, snap: rv.Snapshot) -> pd.DataFrame | None:
    """The snapshot beside an earlier saved one: what moved, by how much, and why."""
    saved = data.saved(url)
    saved = saved[saved["id"] != snap.id]
    if saved.empty:
        st.info("There is no other saved snapshot to compare with: save this quarter's snapshot now, and next "
                "quarter's will be compared with it.")
        return None
    labels = {r.id: _label(r) for r in saved.itertuples(index=False)}
    other = st.selectbox("Compare with", saved["id"].tolist(), format_func=labels.get, key="review_compare_id")
    before = data.load(url, saved, int(other))
    comp = review_compare.compare(before, snap)
    shown = review_compare.shown_comparison(before, snap, comp)
    moved = int(review_compare.moved(comp).sum())
    st.markdown(f"**{moved:,} of {len(comp):,} figures moved** from snapshot {before.id} ({before.quarter}) to "
                "this one.")
    chart = charts.moves(comp)
    if chart is not None:  # its figures are the table's below, with their own download
        components.chart(chart, chart_text.moves(chart.data), None, "", key="review_moves_chart")
    st.dataframe(shown, hide_index=True, width="stretch", key="review_compare_table",
                 column_config={"cause": st.column_config.TextColumn("Known cause", width="large")})
    components.csv_download(shown, "Download the comparison (CSV)", f"review_{before.quarter}_vs_{snap.quarter}.csv",
                            key="review_dl_compare")
    return comp


def _needs_saved(snap: rv.Snapshot, what: str) -> bool:
    if snap.id is None:
        st.info(f"{what} are recorded against a saved snapshot: save this one first (the button above), so the "
                "record always points to the figures the board saw.")
        return True
    return False


def decisions(url: str, snap: rv.Snapshot) -> None:
    """The decision log: what the board decided, who owns it, by when, and its status (every change kept)."""
    if _needs_saved(snap, "Decisions"):
        return
    history = st.toggle("Show every revision", key="review_history")
    log = data.decisions(url, snap.id, history=history)
    if log.empty:
        st.caption("No decision recorded yet.")
    else:
        shown = log.assign(due=[d.strftime("%Y-%m-%d") if isinstance(d, dt.date) else "no due date"
                                for d in log["due"]])
        st.dataframe(shown, hide_index=True, width="stretch", key="review_decisions", column_config=_DECISIONS)
    engine = loaders.get_engine(url)
    if not signin.offer(engine, rights.DECIDE):
        return
    a, b = st.columns(2)
    with a.form("review_decide", clear_on_submit=True):
        st.markdown("**Record a decision**")
        text = st.text_area("Decision", key="review_d_text")
        owner = st.text_input("Owner", key="review_d_owner")
        why = st.text_area("Rationale", key="review_d_why", help="The figure or finding that led to it.")
        due = st.date_input("Due", value=None, key="review_d_due", format="YYYY-MM-DD")
        status = st.selectbox("Status", review_log.STATUSES, key="review_d_status")
        if st.form_submit_button("Record"):
            try:
                n = data.add_decision(url, snap.id, decision=text, owner=owner, rationale=why, due=due, status=status,
                                      user=signin.actor(engine))
                st.session_state["review_flash"] = ("success", f"Decision {n} recorded.")
                st.rerun()
            except WorkbenchError as exc:
                errors.show(exc)
    latest = data.decisions(url, snap.id)
    if latest.empty:
        return
    with b.form("review_update"):
        st.markdown("**Update a decision** (a new revision; the earlier one stays)")
        n = st.selectbox("Decision", latest["number"].tolist(), key="review_u_number",
                         format_func=lambda i: f"{i}: {latest.set_index('number').at[i, 'decision'][:60]}")
        status = st.selectbox("New status", review_log.STATUSES, key="review_u_status")
        owner = st.text_input("New owner (empty: unchanged)", key="review_u_owner")
        due = st.date_input("New due date (empty: unchanged)", value=None, key="review_u_due", format="YYYY-MM-DD")
        if st.form_submit_button("Update"):
            changes = {"status": status, **({"owner": owner} if owner.strip() else {}),
                       **({"due": due} if isinstance(due, dt.date) else {})}
            try:
                r = data.update_decision(url, snap.id, int(n), user=signin.actor(engine), **changes)
                st.session_state["review_flash"] = ("success", f"Decision {n} updated (revision {r}).")
                st.rerun()
            except WorkbenchError as exc:
                errors.show(exc)


def assumptions(url: str, snap: rv.Snapshot) -> pd.DataFrame:
    """The assumptions register: those the figures rest on, then those the board added."""
    reg = data.assumptions(url, snap)
    shown = reg.assign(value=[units.format_value(v, u) if u in units.UNITS else f"{v:,.6g} {u}".strip()
                              for v, u in zip(reg["value"], reg["unit"], strict=True)])
    st.caption("The first rows are what the figures were built on (the parameters, and per play the cost per "
               "contact and the value of a saved customer that its money figures imply); the board's own follow.")
    st.dataframe(shown, hide_index=True, width="stretch", key="review_assumptions",
                 column_config={"used_in_figures": st.column_config.CheckboxColumn("used in the figures")})
    if snap.id is None:
        st.caption("Save the snapshot to add the board's own assumptions.")
        return reg
    engine = loaders.get_engine(url)
    if not signin.offer(engine, rights.DECIDE):
        return reg
    with st.form("review_assume", clear_on_submit=True):
        st.markdown("**Add an assumption**")
        c = st.columns([2, 1, 1, 1])
        name = c[0].text_input("Assumption", key="review_a_name", placeholder="Outreach cost per call")
        value = c[1].number_input("Value", value=0.0, format="%.4f", key="review_a_value")
        unit = c[2].selectbox("Unit", ["currency", "share", "months", "days", "customers", "other"],
                              key="review_a_unit", help="A share as a fraction: 0.8 for 80 %.")
        owner = c[3].text_input("Owner", key="review_a_owner", help="Who stands behind it (empty: you).")
        source = st.text_input("Source or reason", key="review_a_source")
        if st.form_submit_button("Add"):
            try:
                data.add_assumption(url, snap.id, name=name, value=value, unit="" if unit == "other" else unit,
                                    owner=owner, source=source, user=signin.actor(engine))
                st.session_state["review_flash"] = ("success", f"Assumption '{name.strip()}' added.")
                st.rerun()
            except WorkbenchError as exc:
                errors.show(exc)
    return reg


def export(url: str, snap: rv.Snapshot, comp: pd.DataFrame | None) -> None:
    """The board pack: the XLSX workbook and the printable report (built on request: charts take a moment)."""
    st.caption("The workbook has a sheet per page (formatted), the comparison, the decision log, the assumptions "
               "register and the definitions sheet; the printable report has the same figures with their charts "
               "(open it in a browser and print to PDF).")
    key = (snap.id, snap.quarter, snap.data_hash, tuple(sorted(snap.params.items())),
           len(data.decisions(url, snap.id, history=True)) if snap.id is not None else 0,
           len(data.assumptions(url, snap)), None if comp is None else len(comp),
           risk_lists.allowed(loaders.get_engine(url)))
    if st.button("Prepare the board pack", icon=":material/inventory_2:", key="review_prepare"):
        with st.spinner("Drawing the charts and writing the workbook ..."):
            xlsx, html = data.pack(url, snap, comp, risk_lists=key[-1])
        st.session_state["review_pack"] = {"key": key, "xlsx": xlsx, "html": html}
    pack = st.session_state.get("review_pack")
    if not pack or pack["key"] != key:
        return
    a, b = st.columns(2)
    a.download_button("Download the workbook (XLSX)", pack["xlsx"], f"review_{snap.quarter}.xlsx",
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="review_dl_xlsx",
                      icon=":material/table:")
    b.download_button("Download the printable report (HTML)", pack["html"].encode(), f"review_{snap.quarter}.html",
                      "text/html", key="review_dl_html", icon=":material/print:")
