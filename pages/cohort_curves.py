"""Cohort curves: retention by cohort and period, and survival with its uncertainty."""

import streamlit as st

from core.cohorts.table import DEFINITIONS_TEXT, period_across_cohorts
from core.errors import WorkbenchError
from ui.cohorts import cached as cohorts
from ui.cohorts import charts
from ui.cohorts import sections as cohort_sections
from ui.frame import errors, filters, loaders
from ui.frame import page as frame

frame.require()

st.title("Cohort curves")
url, f = loaders.store_url(), filters.current()
version = loaders.store_version(url)

with st.expander("What the choices mean"):
    for name, text in DEFINITIONS_TEXT.items():
        st.markdown(f"**{name}**: {text}")
c1, c2, c3, c4 = st.columns(4)
cohort_by = c1.selectbox("Cohorts by", ["signup", "first_activity"], key="cohorts_by")
period = c2.selectbox("Period", ["month", "quarter", "week", "day"], key="cohorts_period")
measure = c3.selectbox("Measure", ["logo", "net_revenue", "gross_revenue", "count"], key="cohorts_measure")
retained_by = c4.selectbox("Retained when", ["subscription", "activity"], key="cohorts_retained_by",
                           help="subscription: while not churned; activity: when active in the period")
c5, c6, c7, c8 = st.columns(4)
definition = c5.radio("Active", ["on", "on_or_after"], key="cohorts_definition", horizontal=True)
base = c6.radio("Base", ["period0", "previous"], key="cohorts_base", horizontal=True)
weighting = c7.radio("Average", ["weighted", "simple"], key="cohorts_weighting", horizontal=True)
min_size = c8.number_input("Minimum cohort size", 1, 10_000, 20, key="cohorts_min_size")
options = (("cohort_by", cohort_by), ("period", period), ("measure", measure), ("definition", definition),
           ("retained_by", retained_by), ("base", base), ("weighting", weighting), ("min_size", int(min_size)))
try:
    months = cohorts.table(url, version, f, options).values.index.tolist()
    signups = (None, None)
    if options[1][1] == "month" and len(months) > 1:
        signups = st.select_slider("Signup months shown", months, value=(months[0], months[-1]),
                                   key="cohorts_signups")
    t = cohorts.table(url, version, f, options, tuple(signups))
except WorkbenchError as exc:
    errors.show(exc)
    st.stop()

percent = measure != "count"
st.caption(f"{int(t.sizes.sum()):,} customers in {len(t.sizes)} cohorts, as of {t.settings['as_of']}. "
           f"Grey rows: cohorts under {int(min_size)} customers. Empty cells: periods not yet complete.")
st.altair_chart(charts.cohort_heatmap(t, percent), width="stretch")
st.altair_chart(charts.cohort_curves(t, percent=percent), width="stretch")
k = st.slider("Track one period across cohorts", 1, max(1, t.values.shape[1] - 1), min(3, t.values.shape[1] - 1),
              key="cohorts_track") if t.values.shape[1] > 1 else 0
if k and percent:
    st.altair_chart(charts.tracked_period(period_across_cohorts(t, k)), width="stretch")
cohort_sections.breakdown(url, version, f, options, tuple(signups), percent)
d1, d2 = st.columns(2)
d1.download_button("Download the table (CSV)", cohorts.csv(t), "cohorts.csv", "text/csv", key="cohorts_dl_csv")
d2.download_button("Download the table (XLSX)", cohorts.xlsx(t), "cohorts.xlsx", key="cohorts_dl_xlsx")

cohort_sections.drill(url, version, f, options, tuple(signups), t)
cohort_sections.value(url, version, f)

st.subheader("Survival (Kaplan-Meier)")
g1, g2 = st.columns(2)
group = g1.selectbox("Compare", ["(all customers)", "segment", "plan", "region", "channel"], key="cohorts_km_group")
horizon = g2.number_input("Restricted mean to (months)", 1, 120, 24, key="cohorts_km_horizon")
try:
    km = cohorts.km(url, version, f, None if group.startswith("(") else group, float(horizon))
except WorkbenchError as exc:
    errors.show(exc)
    st.stop()
st.altair_chart(charts.survival_curves(km.curves), width="stretch")
st.dataframe(km.summary, hide_index=True, width="stretch")
if group != "(all customers)":
    st.info(f"Log-rank test across {group}s: {km.logrank['plain']}")
