"""The Where it works and Fatigue tabs of the Intervention ROI page: the play's effect per group of contacts (segment,
plan, region, churn risk at contact; other contacts received in the 30 days before), each with its chart and table,
and the uplift model's Qini curve."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.errors import WorkbenchError
from core.metrics import GLOSSARY
from core.roi import chart_text
from core.roi import wave as rw
from core.roi.group_uplift import ALL, uplift_by
from core.roi.inputs import RoiInputs
from ui import components
from ui.frame import errors, warehouse
from ui.roi import cached as data
from ui.roi import uplift
from ui.roi.sections import Choice, diff_text, outcome_column

_BY = {"segment": "Segment", "plan": "Plan", "region": "Region", "risk_tier": "Churn risk at contact"}
#: what the fatigue chart's rows are, in a sentence
_FATIGUE_ROWS = "rows by contacts received before"
_PLURAL = {"segment": "segments", "plan": "plans", "region": "regions", "risk_tier": "risk tiers"}


def _uplift_table(t: pd.DataFrame, first: str, ch: Choice, key: str, name: str) -> None:
    shown = t.copy()
    if ch.binary:
        for c in ("difference", "low", "high"):
            shown[c] = shown[c] * 100
    unit = "pts" if ch.binary else "$"
    value = st.column_config.NumberColumn
    components.table(shown, hide_index=True, width="stretch", column_config={
        first: first.replace("_", " ").capitalize(), "n": "Contacts", "n_control": f"Contacts, {ch.control}",
        "treatment": outcome_column(ch, ch.label(ch.outcome)),
        "control": outcome_column(ch, f"{ch.label(ch.outcome)}, {ch.control}"),
        "difference": value(f"Difference ({unit})", format="%+.2f"), "low": value("Low", format="%+.2f"),
        "high": value("High", format="%+.2f"), "note": "Note"})
    components.csv_download(t, "Download (CSV)", name, key)


@st.fragment
def where(ch: Choice) -> None:
    """Uplift by segment, plan, region or churn risk at contact, and the uplift model's Qini curve (a fragment:
    the split reruns only this tab)."""
    frame = data.with_risk(ch.url, ch.version, ch.play, ch.window, ch.frame) if ch.store else None
    has_risk = frame is not None
    frame = frame if has_risk else ch.frame
    options = [b for b in _BY if b != "risk_tier" or has_risk]
    a, b = st.columns([1, 3])
    by = a.selectbox("Split by", options, format_func=_BY.get, key="roi_where_by")
    if ch.store and not has_risk and not warehouse.named(ch.version):  # a warehouse's model is never saved
        b.info("To split by churn risk at contact, save a churn model: open the Churn drivers page once, or run "
               "`python -m core churn --save`.")
    try:
        t = uplift_by(frame, by, ch.outcome, ch.control)
    except WorkbenchError as exc:
        errors.show(exc)
        return
    groups = t[t["group"] != ALL]
    best = groups.dropna(subset=["difference"]).sort_values("difference", ascending=False)
    if len(best):
        top = best.iloc[0]
        group = components.plain(top["group"])
        low, high = diff_text(top["low"], ch.binary), diff_text(top["high"], ch.binary)
        st.markdown(f"The play gains most for **{group}** ({diff_text(top['difference'], ch.binary)}, 95 % interval "
                    f"{low} to {high}, {int(top['n']):,} contacted "
                    f"and {int(top['n_control']):,} held out). Each group was randomised too; with several groups, "
                    "one interval in twenty misses by chance.")
    scale, unit = (100.0, "points") if ch.binary else (1.0, "per contact")
    chart = groups.dropna(subset=["difference"]).assign(estimate="plain", group=lambda d: d["group"].astype(str))
    if len(chart):  # the chart's data is the table below, with its download
        components.chart(data.effects_chart(chart, "group", scale, unit),
                         chart_text.group_effects(chart, binary=ch.binary, outcome=ch.outcome,
                                                  label=ch.label(ch.outcome), what=_PLURAL[by]),
                         None, "", key="roi_chart_where")
    _uplift_table(t, "group", ch, "roi_dl_where", f"{ch.play}_uplift_by_{by}.csv")

    st.subheader("Uplift model and Qini curve")
    features = rw.model_features(frame)
    if not features:
        st.info("The contacts carry no value known before contact (segment, plan, MRR, usage) to model uplift on.")
        return
    uplift.qini_section(frame, features, ch.play, ch.outcome, ch.control, ch.binary)


def fatigue(ch: Choice, inputs: RoiInputs) -> None:
    """Outcome and uplift by the number of other contacts the customer received in the 30 days before."""
    try:
        t = data.fatigue(ch.url, ch.version, ch.frame, ch.outcome, ch.control)
    except WorkbenchError as exc:
        errors.show(exc)
        return
    busy = t[(t["contacts_30d"] != ALL) & (t["contacts_30d"] != "0")]
    if busy["n"].sum() + busy["n_control"].sum() == 0:
        st.info(f"No contact of '{ch.play}' came within 30 days of another contact (any play), so fatigue cannot "
                "be measured here: every contact is in the '0' row.")
    else:
        st.markdown("Each contact grouped by how many other contacts (any play; held-out rows were never sent) its "
                    "customer received in the 30 days before it, same day included. A smaller difference in the "
                    "busier rows is fatigue.", help=GLOSSARY["Contact fatigue"])
        scale, unit = (100.0, "points") if ch.binary else (1.0, "per contact")
        chart = t[t["contacts_30d"] != ALL].dropna(subset=["difference"])
        chart = chart.assign(group=chart["contacts_30d"].map(lambda k: f"{k} other contact{'' if k == '1' else 's'}"))
        if len(chart) > 1:  # the chart's data is the table below, with its download
            components.chart(data.effects_chart(chart.assign(estimate="plain"), "group", scale, unit),
                             chart_text.group_effects(chart, binary=ch.binary, outcome=ch.outcome,
                                                      label=ch.label(ch.outcome), what=_FATIGUE_ROWS),
                             None, "", key="roi_chart_fatigue")
    _uplift_table(t, "contacts_30d", ch, "roi_dl_fatigue", f"{ch.play}_fatigue.csv")
