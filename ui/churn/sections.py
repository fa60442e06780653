"""Sections of the Churn drivers page (widgets and rendering; numbers come from core through ui.churn.cached).

The sections take the fitted model ``r`` and its cache key (:func:`ui.churn.cached.fit_key`), so what they derive
from it is built once per store version. A control that changes one section only (the dependence chart's feature,
the segment split, the customer) sits in an ``st.fragment``: changing it reruns that section, not the page."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import streamlit as st

from core.churn import chart_text
from core.churn import horizon as churn_horizon
from core.churn import pipeline as cr
from core.churn import plain as words
from core.churn import store as churn_store
from core.errors import WorkbenchError
from core.export import units
from core.history.feature_labels import feature_label
from core.metrics import GLOSSARY
from ui import components
from ui.churn import cached as churn
from ui.churn import charts, risk_lists, tables
from ui.frame import errors, loaders, warehouse

#: the title of the expanders that hold the model's statistics for analysts
ANALYST = "Analyst detail"


def on_warehouse() -> None:
    """Where the page's figures come from when a warehouse is set, before the fit starts."""
    warehouse.says_so("Fitted on the company's warehouse, read only: its customers, tickets, survey answers and "
                      "revenue are read and its activity is summed there. The model is fitted again each day and is "
                      "not saved in the store; the sidebar's filters apply to the store's pages.")


def unfitted(on_warehouse: bool) -> None:
    """What the page needs, said when the model cannot be fitted: of the store, or of the warehouse's mapping."""
    if on_warehouse:
        warehouse.needs("Churn drivers", "customers with churn dates and, for out-of-time validation, dated behaviour")
        return
    st.info("The Churn drivers page needs customers with churn dates (or a churn flag), or a purchase log, and, "
            "for out-of-time validation, dated behaviour: import them on the Data page or load the demo there.")


def headline(r: cr.ChurnResult, saved: int | None) -> None:
    """How well the model predicts, in plain sentences first (:func:`core.churn.plain.headline`); the held-out
    figures behind them for analysts in an "Analyst detail" expander."""
    m = r.metrics[r.best]
    a, b = st.columns([3, 1])
    a.markdown("**How well the model predicts churn**, on customers it never saw while learning:")
    lines = words.headline(m, r.brier_calibrated)
    if could := r.extra.get("could_lapse"):
        lines.append(words.could_lapse(could["roc_auc"].get(r.best, float("nan")), could["horizon_days"]))
    for line in lines:
        a.markdown(f"- {line}")
    b.metric("Customers scored", units.count(len(r.p_current)), help=GLOSSARY["Churn probability"])
    with st.expander(ANALYST):
        k = st.columns(3)
        k[0].metric("Held-out ROC-AUC", units.score(m["roc_auc"]), help=GLOSSARY["ROC-AUC"])
        k[1].metric("PR-AUC", units.score(m["pr_auc"]),
                    help=GLOSSARY["PR-AUC"] + f" Churn rate here: {units.percent(m['churn_rate'])}.")
        k[2].metric("Brier (calibrated)", units.score(r.brier_calibrated), help=GLOSSARY["Brier score"])
        st.caption(f"ROC-AUC 95 % interval {units.interval(*m['roc_auc_ci'], 'score') or units.MISSING}; "
                   f"PR-AUC against a churn rate of {units.percent(m['churn_rate'])}; Brier score of always "
                   f"guessing that rate {units.score(words.guess_brier(m['churn_rate']))}. Model: {r.best} (better "
                   f"held-out ROC-AUC than the other), {where(saved)}. Validation: {r.validation}. The model is "
                   "fitted on every customer; " + ("the sidebar filters narrow the customer lists." if saved is not None
                                                   else "the sidebar's filters apply to the store's pages."))


def where(saved: int | None) -> str:
    """Where the fitted model is kept: the store's version, or why a warehouse's model is not saved."""
    return (f"saved as version {saved}" if saved is not None else
            "fitted on the warehouse and not saved in the store (the store's pages score the store's customers)")


def drivers(r: cr.ChurnResult, fit: churn.FitKey) -> None:
    st.markdown("**What the model learned.** Bars: how much each feature moves the predicted churn risk on "
                "the held-out customers. Controllable drivers are what a play can change; fixed ones are context.")
    if not r.drivers.empty:
        top = r.drivers.iloc[0]
        st.markdown(components.plain(words.mean_abs_shap(feature_label(top["feature"]), top["mean_abs_shap"]) + "."))
    a, b = st.columns(2)
    a.markdown("**Controllable drivers**")
    ctrl = r.controllable_drivers()
    if ctrl.empty:
        a.info("No controllable feature in this data (usage, tickets, surveys, pricing ...).")
    else:
        _importance(fit, r, ctrl.head(10), True, a)
    b.markdown("**All drivers**")
    _importance(fit, r, r.drivers.head(12), False, b)
    top = r.drivers["feature"].head(12).tolist()
    st.markdown("**Every customer, every driver** (a dot per held-out customer; red = high value of the feature, "
                "blue = low; grey = a category or a missing value, named when you point at the dot)")
    sentence, data = churn.beeswarm_text(fit, r, tuple(top))
    if not risk_lists.allowed(loaders.get_engine(fit[0])):  # the dots stay; whose they are is a risk list
        data = data.drop(columns="Customer")
    components.chart(churn.beeswarm(fit, r, tuple(top)), sentence, data, "churn_every_customer.csv",
                     key="churn_dl_beeswarm")
    _dependence(r, fit, top)
    shown, config = tables.drivers(r.drivers)
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config)
    components.csv_download(shown, "Download the drivers (CSV)", "churn_drivers.csv", key="churn_dl_drivers")


def _importance(fit: churn.FitKey, r: cr.ChurnResult, shown: pd.DataFrame, controllable: bool, where) -> None:
    """The importance bars of the ``shown`` drivers (the controllable ones or all) with their text alternative."""
    kind = "controllable" if controllable else "all"
    components.chart(churn.importance(fit, r, controllable, len(shown)), chart_text.importance(shown),
                     tables.drivers(shown)[0], f"churn_drivers_{kind}_chart.csv", key=f"churn_dl_importance_{kind}",
                     where=where)


@st.fragment
def _dependence(r: cr.ChurnResult, fit: churn.FitKey, top: list[str]) -> None:
    """The feature picker and its dependence chart (a fragment: picking a feature redraws only this)."""
    feature = st.selectbox("How the risk moves with one feature", top, key="churn_dependence",
                           format_func=feature_label)
    sentence, data = churn.dependence_text(fit, r, feature)
    components.chart(churn.dependence(fit, r, feature), sentence, data, "churn_dependence.csv",
                     key="churn_dl_dependence")


def economics(default: cr.Economics) -> cr.Economics | None:
    st.markdown("**What an outreach is worth.** The threshold follows from money: reach a customer when the "
                "expected value of saving them is above the cost of trying.")
    st.caption(components.plain(f"Defaults: {default.basis}."))
    a, b, c = st.columns(3)
    value = a.number_input("Value of a saved customer", 0.0, 1e9, float(default.value_saved), step=100.0,
                           key="churn_value", help=components.plain(f"Default: {default.basis}."))
    cost = b.number_input("Cost of one outreach", 0.0, 1e9, float(default.outreach_cost), step=10.0, key="churn_cost")
    success = c.number_input("Share of would-be churners an outreach keeps", 0.01, 1.0, float(default.success_rate),
                             step=0.05, key="churn_success")
    try:
        same = (value, cost, success) == (default.value_saved, default.outreach_cost, default.success_rate)
        return cr.Economics(value, cost, success, default.basis if same else "set on this page")
    except WorkbenchError as exc:
        errors.show(exc)
        return None


def tiers(fit: churn.FitKey, r: cr.ChurnResult, econ: cr.Economics, f) -> tuple[pd.DataFrame, float]:
    curve = cr.net_value_curve(r.p_test, econ, r.test.y)
    best = round(cr.best_threshold(curve), 2)  # on the slider's grid: the value it gives back on the next rerun
    # keyed by the economics: new money inputs start the slider again at their best threshold
    key = f"churn_threshold_{econ.value_saved:g}_{econ.outreach_cost:g}_{econ.success_rate:g}"
    t = st.slider("High-risk threshold (churn probability)", 0.01, 0.99, best, 0.01, key=key,
                  help=f"Best by expected net value: {units.score(best, digits=2)} "
                       f"(break-even {units.score(econ.break_even, digits=2)}).")
    money = (econ.value_saved, econ.outreach_cost, econ.success_rate, t)
    components.chart(churn.chart(fit, "net_value", money, lambda: charts.net_value(curve, t)),
                     chart_text.net_value(curve, t), tables.net_value_data(curve),
                     "churn_net_value.csv", key="churn_dl_net_value")
    c = cr.confusion_at(r.test.y, r.p_test, t)
    row = curve.loc[(curve["threshold"] - t).abs().idxmin()]
    k = st.columns(5)
    k[0].metric("Flagged (held out)", units.count(c["flagged"]))
    k[1].metric("Churners caught", units.count(c["true_positive"]), help="True positives: flagged and churned.")
    k[2].metric("Precision", units.percent(c["precision"]), help="Share of flagged customers who churned.")
    k[3].metric("Recall", units.percent(c["recall"]), help="Share of churners who were flagged.")
    k[4].metric("Net value (held out)", units.money(row.get("realised_net", np.nan)))
    st.caption(f"At {units.score(t, digits=2)} on the held-out period: {units.count(c['true_positive'])} churners "
               f"flagged, {units.count(c['false_positive'])} flagged who stayed, {units.count(c['false_negative'])} "
               f"churners missed, {units.count(c['true_negative'])} correctly left alone. High risk: at or "
               "above the threshold; medium risk: from half of it; low risk: below.")
    table = churn.customer_list(fit, r, t, f)
    counts = table["tier"].value_counts()
    st.markdown(f"**Today's customers ({r.scored_at:%Y-%m-%d}):** " + " · ".join(
        f"{tier} {units.count(int(counts.get(tier, 0)))}" for tier in cr.TIERS)
        + ("  (every customer of the warehouse)" if warehouse.named(fit[1]) else "  (within the sidebar filters)"))
    if not risk_lists.shown(loaders.get_engine(fit[0])):  # the counts above stay; the list and its download go
        return table, t
    st.caption("Select a row to see why that customer is at risk.")
    shown = tables.scores(table)
    shown = shown.assign(health="health_scores?customer=" + table["customer_id"].astype(str))  # on the warehouse too
    if not warehouse.named(fit[1]):  # the Feedback themes page reads the store: a warehouse's customers are not there
        shown = shown.assign(feedback="feedback_themes?customer=" + table["customer_id"].astype(str))
    event = st.dataframe(shown, hide_index=True, width="stretch", height=300, key="churn_customers",
                         on_select="rerun", selection_mode="single-row", column_config={
                             **tables.score_columns(),
                             "probability": st.column_config.ProgressColumn("Churn probability", format="percent",
                                                                            min_value=0.0, max_value=1.0),
                             "health": st.column_config.LinkColumn("Health", display_text="health score"),
                             "feedback": st.column_config.LinkColumn("Feedback", display_text="verbatims")})
    components.csv_download(table, "Download scores and tiers (CSV)", "churn_scores.csv", key="churn_dl_scores")
    rows = getattr(getattr(event, "selection", None), "rows", []) if event is not None else []
    picked = table["customer_id"].iloc[rows[0]] if rows else None
    if picked is not None and st.session_state.get("_churn_selected") != picked:  # a new selection: show it
        st.session_state["churn_pick"] = picked
        st.info(f"Open the Customer tab to see why {components.plain(picked)} is at risk.",
                icon=":material/arrow_forward:")
    st.session_state["_churn_selected"] = picked
    return table, t


def inflated(r: cr.ChurnResult) -> None:
    """When the horizon is shorter than a purchase log's lapse period: why the headline ROC-AUC is inflated, with
    the ROC-AUC among the buyers who could lapse within the horizon (nothing otherwise)."""
    could = r.extra.get("could_lapse")
    if could:
        st.warning(churn_horizon.inflation_sentence(could, r.best, r.metrics[r.best]["roc_auc"]),
                   icon=":material/warning:")


def validation(r: cr.ChurnResult, fit: churn.FitKey) -> None:
    st.markdown(f"**Validation:** {r.validation}.")
    inflated(r)
    for kind, m in r.metrics.items():
        st.markdown(f"- The {kind} model{' (used)' if kind == r.best else ''} {words.roc_auc(m['roc_auc'])}.")
    with st.expander(ANALYST):
        st.dataframe(churn.model_table(r), hide_index=True, width="stretch")
    a, b = st.columns(2)
    a.markdown("**Calibration** (held out): dots on the diagonal mean a 10 % risk churns 10 % of the time")
    cal = churn.calibration(fit, r)
    components.chart(churn.chart(fit, "calibration", (), lambda: charts.calibration(cal)), chart_text.calibration(cal),
                     tables.calibration_data(cal),
                     "churn_calibration.csv", key="churn_dl_calibration", where=a)
    g = churn.gains(fit, r)
    b.markdown(f"**Gains**: the riskiest 10 % hold {units.percent(g['cum_churners_share'].iloc[0])} of the "
               f"churners (lift {units.multiple(g['lift'].iloc[0])})")
    components.chart(churn.chart(fit, "gains", (), lambda: charts.gains(g)), chart_text.gains(g), None, "",
                     key="churn_dl_gains_chart", where=b)
    components.table(g, tables.gains_columns(), hide_index=True, width="stretch")
    components.csv_download(g, "Download gains by decile (CSV)", "churn_gains.csv", key="churn_dl_gains")


@st.fragment
def segments(r: cr.ChurnResult, fit: churn.FitKey) -> None:
    """Ranking and calibration within each value of a category (a fragment: the split reruns only this)."""
    cats = [c for c in r.test.X.columns if r.test.X[c].dtype == object]
    if not cats:
        st.info("No categorical column to split by.")
        return
    default = cats.index("segment") if "segment" in cats else 0
    col = st.selectbox("Performance by", cats, index=default, key="churn_segment_by", format_func=feature_label)
    perf = churn.segment_performance(fit, r, col)
    by = components.plain(feature_label(col))
    for _, row in perf[perf["warning"] != ""].iterrows():
        st.warning(f"{by} = {components.plain(row['segment'])}: {row['warning']}.", icon=":material/warning:")
    shown = perf.assign(ranking=[units.MISSING if units.is_missing(a) else f"{words.in_100(a)} times in 100"
                                 for a in perf["roc_auc"]])
    components.table(shown, tables.segment_columns(col), hide_index=True, width="stretch")
    st.caption("Within one segment the ranking is usually a little weaker than overall when the segment itself "
               "predicts churn; calibration 1.0 means predicted and observed churn agree.")
    components.csv_download(perf, "Download (CSV)", f"churn_by_{col}.csv", key="churn_dl_segments")


@st.fragment
def customer(r: cr.ChurnResult, table: pd.DataFrame) -> None:
    """Why one customer is at risk (a fragment: picking a customer reruns only this); for admins and the roles an
    admin allows to see per-customer risk."""
    if not risk_lists.shown(loaders.get_engine(loaders.store_url())):
        return
    ids = r.current.customer_id.tolist()
    if not ids:
        st.info("No active customer to explain.")
        return
    linked = st.query_params.get("customer")  # ?customer=ID: links from other pages' customer lists
    if linked is not None and st.session_state.get("_churn_linked") != linked:
        st.session_state["_churn_linked"] = linked
        if linked in ids:
            st.session_state["churn_pick"] = linked
        else:
            st.warning(f"Customer {components.plain(linked)} is not active on {r.scored_at:%Y-%m-%d}, so it has no "
                       "churn score.")
    if st.session_state.get("churn_pick") not in ids:
        st.session_state["churn_pick"] = table["customer_id"].iloc[0] if not table.empty else ids[0]
    st.caption("Pick a customer, select a row in Risk tiers, or follow a link from another page's customer list.")
    pick = st.selectbox("Customer", ids, key="churn_pick")
    i = ids.index(pick)
    ex = r.current_explanation
    p = r.p_current[i]
    st.markdown(f"**{components.plain(pick)}**: a **{units.percent(p)}** chance of churning within "
                f"{r.horizon_days} days.")
    contrib = ex.values.iloc[i]
    for sign, what in ((1, "raises"), (-1, "lowers")):
        f = (sign * contrib).idxmax()
        if sign * contrib[f] > 0:
            value = charts.value_text(r.current.X.iloc[i][f])
            st.markdown(components.plain(f"What {what} it most: {feature_label(f)} = {value} "
                                         f"({words.odds_change(contrib[f])})."))
    steps = charts.waterfall_data(contrib, ex.base, r.current.X.iloc[i])
    components.chart(charts.waterfall(contrib, ex.base, r.current.X.iloc[i]), chart_text.waterfall(steps, p),
                     tables.waterfall_data(steps), "churn_customer_waterfall.csv", key="churn_dl_waterfall")
    with st.expander(ANALYST):
        st.caption(f"Before calibration the model's log-odds are {units.score(ex.output[i], digits=2, signed=True)}"
                   f" ({words.probability(ex.output[i])}) = the average customer's "
                   f"{units.score(ex.base, digits=2, signed=True)} ({words.probability(ex.base)}) + the contributions "
                   "below; a contribution d multiplies the odds of churning by e to the power d. The calibrated "
                   "probability above corrects the model's over- or under-confidence on the held-out customers.")
        detail = tables.customer_detail(ex.values.columns, r.current.X.iloc[i], contrib.to_numpy(),
                                        [r.train.controllable.get(c, False) for c in ex.values.columns])
        st.dataframe(detail, hide_index=True, width="stretch", column_config={
            "Contribution to churn log-odds": st.column_config.NumberColumn(format="%+.3f"),
            "In plain words": st.column_config.TextColumn(width="medium")})


def card(r: cr.ChurnResult, econ: cr.Economics, threshold: float, saved: int | None) -> None:
    c = churn_store.model_card(r, econ, threshold, version=saved)
    st.markdown(churn_store.card_markdown(c))
    st.download_button("Download the model card (JSON)", json.dumps(c, indent=2, default=str).encode(),
                       "churn_model_warehouse.json" if saved is None else f"churn_model_v{saved}.json",
                       "application/json", key="churn_dl_card")
