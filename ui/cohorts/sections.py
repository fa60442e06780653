"""Sections of the Cohort curves page: the choices, the table and its charts, survival, the cells' customers and
revenue retention (widgets and rendering only; numbers come from core through ui.cohorts.cached)."""

from __future__ import annotations

import streamlit as st

from core.cohorts import chart_text, plain, reading
from core.cohorts.defaults import label
from core.cohorts.settings import CohortSettings
from core.cohorts.table import DEFINITIONS_TEXT, CohortTable, period_across_cohorts
from core.errors import WorkbenchError
from core.export import units
from core.metrics import GLOSSARY
from ui import components
from ui.cohorts import cached as cohorts
from ui.cohorts import charts, competing
from ui.cohorts.cell import CELL_TITLES, readable_cell
from ui.frame import errors

#: each choice's widget: (settings field, label, options)
_SELECTS = (("cohort_by", "Cohorts by", ["signup", "first_activity"]),
            ("period", "Period", ["month", "quarter", "week", "day"]),
            ("measure", "Measure", ["logo", "net_revenue", "gross_revenue", "count"]),
            ("retained_by", "Retained when", ["subscription", "activity"]))
_RADIOS = (("definition", "Active", ["on", "on_or_after"]), ("base", "Base", ["period0", "previous"]),
           ("weighting", "Average", ["weighted", "simple"]))
_KEYS = {"cohort_by": "cohorts_by"}  # the widget keys the page has always used
#: the curves chart's pick of cohorts
SHOWN_KEY = "cohorts_curves_shown"


def _follow_the_store(start: CohortSettings) -> None:
    """Forget the choices made on another kind of store (an import or a switch of store changed the defaults),
    so the widgets start again at this store's."""
    marker = repr(start)
    if st.session_state.get("cohorts_defaults_of") != marker:
        for name, _, _ in _SELECTS + _RADIOS:
            st.session_state.pop(_KEYS.get(name, f"cohorts_{name}"), None)
        st.session_state.pop(SHOWN_KEY, None)
        st.session_state["cohorts_defaults_of"] = marker


def _words(name: str):
    """A widget's ``format_func``: the plain words of the setting's codes (core.cohorts.defaults.LABELS)."""
    return lambda code: label(name, code)


def choices(start: CohortSettings) -> tuple:
    """The table's choices as (name, value) pairs, the widgets starting at ``start`` (the store's defaults)."""
    _follow_the_store(start)
    with st.expander("What the choices mean"):
        for name, text in DEFINITIONS_TEXT.items():
            st.markdown(f"**{name}**: {text}")
    out = []
    for col, (name, title, opts) in zip(st.columns(4), _SELECTS):
        out.append((name, col.selectbox(title, opts, index=opts.index(getattr(start, name)),
                                        key=_KEYS.get(name, f"cohorts_{name}"), format_func=_words(name),
                                        help=plain.CHOICE_HELP[name])))
    cols = st.columns(4)
    for col, (name, title, opts) in zip(cols, _RADIOS):
        out.append((name, col.radio(title, opts, index=opts.index(getattr(start, name)), key=f"cohorts_{name}",
                                    horizontal=True, format_func=_words(name), help=plain.CHOICE_HELP[name])))
    min_size = cols[3].number_input("Minimum cohort size", 1, 10_000, int(start.min_size), key="cohorts_min_size")
    order = ("cohort_by", "period", "measure", "definition", "retained_by", "base", "weighting")
    picked = dict(out)
    return tuple((name, picked[name]) for name in order) + (("min_size", int(min_size)),)


def table(url, version, f, options: tuple, basis: str = "Signup") -> tuple[CohortTable, tuple] | None:
    """The cohort table (heat map, curves, one period tracked, breakdown, downloads) and the cohort months shown
    (``basis`` names what starts a cohort: "Signup", "First-purchase" ...); None (with the message) when it cannot
    be built."""
    opts = dict(options)
    try:
        months = cohorts.table(url, version, f, options).values.index.tolist()
        signups = (None, None)
        if opts["period"] == "month" and len(months) > 1:
            signups = tuple(st.select_slider(f"{basis} months shown", months, value=(months[0], months[-1]),
                                             key="cohorts_signups"))
        t = cohorts.table(url, version, f, options, signups)
    except WorkbenchError as exc:
        errors.show(exc)
        return None
    key = (url, version, f, options, signups)
    charted(t, key)
    breakdown(url, version, f, options, signups, opts["measure"] != "count")
    downloads(t)
    return t, signups


def charted(t: CohortTable, key: tuple) -> None:
    """The table's size line, heat map, curves and one period tracked (``key``: the table's cache key, to build each
    chart once)."""
    percent = t.settings["measure"] != "count"
    st.caption(f"{units.count(int(t.sizes.sum()))} customers in {units.count(len(t.sizes))} cohorts, as of "
               f"{t.settings['as_of']}. Grey rows: cohorts under {units.count(t.settings['min_size'])} customers. "
               "Empty cells: periods not yet complete.")
    components.chart(cohorts.chart(key, "heatmap", (percent,), lambda: charts.cohort_heatmap(t, percent)),
                     chart_text.heatmap_sentence(t), chart_text.heatmap_data(t), "cohort_heat_map.csv",
                     key="cohorts_dl_heatmap")
    curves(t, percent, key)
    tracked(t, percent, key)


def downloads(t: CohortTable) -> None:
    """The table as CSV and as the workbook with its settings and definitions."""
    d1, d2 = st.columns(2)
    d1.download_button("Download the table (CSV)", cohorts.csv(t), "cohorts.csv", "text/csv", key="cohorts_dl_csv")
    d2.download_button("Download the table (XLSX)", cohorts.xlsx(t), "cohorts.xlsx", key="cohorts_dl_xlsx")


def _shown(t: CohortTable) -> list[str]:
    """The cohorts the curves chart draws beside the average: the reader's pick, kept to the cohorts of this table
    (back to :func:`core.cohorts.reading.default_shown` when none of the pick is left)."""
    cohorts = list(t.values.index)
    kept = [c for c in st.session_state.get(SHOWN_KEY, []) if c in cohorts]
    if SHOWN_KEY not in st.session_state or (not kept and st.session_state[SHOWN_KEY]):
        kept = reading.default_shown(t)
    st.session_state[SHOWN_KEY] = kept
    names = reading.cohort_names(t)
    return st.multiselect("Cohorts drawn beside the average", cohorts, key=SHOWN_KEY,
                          format_func=lambda c: names.get(c, c),
                          help="The average line is always drawn; pick cohorts to compare with it.")


@st.fragment
def curves(t: CohortTable, percent: bool = True, key: tuple | None = None) -> None:
    """The average curve, named, with the cohorts the reader picks (their sizes in their names), and its key figure
    (``key``: the table's cache key, to build the chart once per pick; None: built every run)."""
    shown = _shown(t)
    build = lambda: charts.cohort_curves(t, shown, percent=percent)  # noqa: E731
    components.chart(build() if key is None else cohorts.chart(key, "curves", (percent, tuple(shown)), build),
                     chart_text.curves_sentence(t), chart_text.curves_data(t, shown), "cohort_curves.csv",
                     key="cohorts_dl_curves")


@st.fragment
def tracked(t: CohortTable, percent: bool, key: tuple) -> None:
    """One period tracked across the cohorts (its own slider: moving it reruns this section only)."""
    width = t.values.shape[1]
    k = st.slider("Track one period across cohorts", 1, max(1, width - 1), min(3, width - 1),
                  key="cohorts_track") if width > 1 else 0
    if k and percent:
        across = period_across_cohorts(t, k)
        period = t.settings.get("period", "month")
        components.chart(cohorts.chart(key, "tracked", (k,), lambda: charts.tracked_period(across, period)),
                         chart_text.tracked_sentence(across, period), chart_text.tracked_data(across, period),
                         f"cohorts_{period}_{k}_tracked.csv", key="cohorts_dl_tracked")


@st.fragment
def breakdown(url, version, f, options, signups, percent) -> None:
    group = st.selectbox("Break down by", ["(none)", *chart_text.GROUP_LABELS], key="cohorts_group",
                         format_func=chart_text.group_label)
    if group == "(none)":
        return
    try:
        df = cohorts.breakdown(url, version, f, options, signups, group)
    except WorkbenchError as exc:
        errors.show(exc)
        return
    opts = dict(options)
    components.chart(cohorts.chart((url, version, f, options, signups), "groups", (group, percent),
                                   lambda: charts.group_curves(df, percent)),
                     chart_text.groups_sentence(df, group, opts["measure"], opts["period"]),
                     chart_text.groups_data(df, group, opts["measure"], opts["period"]), f"cohorts_by_{group}.csv",
                     key="cohorts_dl_groups")


@st.fragment
def drill(url, version, f, options, signups, t, basis: str = "Signup") -> None:
    """The customers of one cell (cohort, period): who they are, their days, and whether each was retained."""
    st.subheader("Customers in a cell")
    a, b = st.columns(2)
    cohort = a.selectbox("Cohort", list(t.values.index), index=len(t.values.index) - 1, key="cohorts_cell_cohort")
    reached = [int(k) for k in t.complete.columns[t.complete.loc[cohort].to_numpy()]] or [0]
    k = b.selectbox("Period", reached, index=len(reached) - 1, key="cohorts_cell_period")
    try:
        people = cohorts.cell(url, version, f, options, signups, cohort, int(k))
    except WorkbenchError as exc:
        errors.show(exc)
        return
    st.caption(f"{units.count(int(people['retained'].sum()))} of {units.count(len(people))} customers of cohort "
               f"{components.plain(cohort)} retained in period {units.count(k)}.")
    readable = readable_cell(people)
    titles = dict(CELL_TITLES)
    if basis == "First-purchase":
        titles.update(first_activity="first purchase", last_activity="last purchase")
    shown, links = components.with_customer_links(readable)
    config = {**links, **{c: st.column_config.TextColumn(name) for c, name in titles.items()},
              "retained": st.column_config.CheckboxColumn(f"retained in period {k}")}
    st.dataframe(shown, hide_index=True, width="stretch", height=260, column_config=config)
    components.csv_download(readable, "Download these customers (CSV)", f"cohort_{cohort}_period_{k}.csv",
                            key="cohorts_dl_cell")


@st.fragment
def survival(url, version, f, note: str = "") -> None:
    """Kaplan-Meier survival on tenure, for all customers or compared across a group, with the log-rank test;
    ``note`` says how churn is dated when the store has buyers (the lapse rule), with the N in use."""
    st.subheader("Survival (Kaplan-Meier)")
    if note:
        st.caption(f"{note} Lapse period in use: {units.count(cohorts.lapse_days(url, version))} days.")
    group, horizon = survival_choices(list(chart_text.GROUP_LABELS))
    try:
        km = cohorts.km(url, version, f, None if group.startswith("(") else group, float(horizon))
    except WorkbenchError as exc:
        errors.show(exc)
        return
    survival_views(km, group, horizon, (url, version, f))
    competing.section(url, version, f, group)


def survival_choices(groups: list[str]) -> tuple[str, int]:
    """(the group to compare, "(all customers)" for none; the restricted mean's horizon in months)."""
    g1, g2 = st.columns(2)
    group = g1.selectbox("Compare", ["(all customers)", *groups], key="cohorts_km_group",
                         format_func=chart_text.group_label)
    return group, g2.number_input("Restricted mean to (months)", 1, 120, 24, key="cohorts_km_horizon")


def survival_views(km, group: str, horizon: int, key: tuple) -> None:
    """The survival curves, the log-rank sentence and the analyst's table (``key``: the curves' cache key)."""
    components.chart(cohorts.chart(key, "survival", (group, float(horizon)),
                                   lambda: charts.survival_curves(km.curves)),
                     chart_text.survival_sentence(km), chart_text.survival_data(km.curves), "survival.csv",
                     key="cohorts_dl_survival")
    if group != "(all customers)":
        st.info(components.plain(plain.logrank_sentence(km.logrank, group)), icon=":material/info:")
    with st.expander("Analyst detail: medians, restricted means and the log-rank test"):
        st.caption("Median lifetime: the month the curve first falls below 50 % (\"not reached\" while more than "
                   "half are still customers). Average lifetime within the horizon: the area under the curve up to "
                   "it (restricted mean survival time). Still customers: censored, not yet churned.")
        if group != "(all customers)":
            st.caption(plain.logrank_detail(km.logrank))
        headers = plain.summary_headers(float(horizon))
        st.dataframe(km.summary, hide_index=True, width="stretch", column_config={
            c: (None if h is None else st.column_config.NumberColumn(h, format="%.1f") if c == "rmst"
                else st.column_config.Column(h)) for c, h in headers.items()})


def value(url, version, f) -> None:
    st.subheader("Revenue retention and lifetime value")
    try:
        h, lt = cohorts.value_metrics(url, version, f)
    except WorkbenchError as exc:
        errors.show(exc)
        return
    a, b, c = st.columns(3)
    a.metric("NRR (12 months)", units.percent(h.nrr), help=GLOSSARY["NRR"])
    b.metric("GRR (12 months)", units.percent(h.grr), help=GLOSSARY["GRR"])
    if isinstance(lt, str):
        c.metric("LTV", units.MISSING, help=GLOSSARY["LTV"])
        st.caption(lt)
        return
    c.metric("LTV", units.money(lt.ltv), help=GLOSSARY["LTV"])
    st.caption("NRR = start customers' MRR now / their MRR 12 months ago; GRR caps each at its start MRR. "
               + lt.formula + ".")
