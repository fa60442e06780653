"""Configuration sections of the Health scores page: suggested weights, editing, comparing versions."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from core.access import rights
from core.errors import WorkbenchError
from core.export import units
from core.health import chart_text, plain
from core.health import score as h
from core.health import store as hs
from core.health.coverage import Coverage
from ui import components
from ui.churn.who import author_input
from ui.frame import errors, loaders, signin
from ui.health import cached as health
from ui.health import chart_data, charts
from ui.health.sections import ANALYST


def _save(url: str, cfg: h.HealthConfig, author: str, reason: str, parent: int) -> None:
    """Save a new version as the signed-in user and show it; an invalid configuration, an empty field or a refusal
    gets a plain message."""
    engine = loaders.get_engine(url)
    try:
        v = hs.save_config(engine, cfg, author, reason, parent=parent, user=signin.actor(engine))
    except WorkbenchError as exc:
        errors.show(exc)
        return
    st.session_state["health_saved"] = v  # the page selects it before drawing the version picker
    st.rerun()


def pick(versions: pd.DataFrame, latest: int) -> int:
    """The configuration version picker (a version just saved is selected); returns the version shown."""
    nums = versions["version"].tolist()
    saved = st.session_state.pop("health_saved", None)
    if saved in nums:
        st.session_state["health_version"] = saved
    if st.session_state.get("health_version") not in nums:
        st.session_state["health_version"] = latest
    info = versions.set_index("version")
    v = st.selectbox("Configuration", nums, key="health_version",
                     format_func=lambda x: f"v{x} - {info.at[x, 'author']}: {info.at[x, 'reason']}")
    if saved == v:
        st.success(f"Saved as version {v}.", icon=":material/check_circle:")
    return v


def recency_note(v: int) -> None:
    """Says that configuration ``v`` predates Purchase recency and how it is read (its default weight)."""
    st.info(f"Configuration v{v} was saved before the Purchase recency measure existed, so it gave it no weight. It "
            "is shown here with Purchase recency at its default weight: each stage's renewal weight, which buyers "
            "without a contract never use. Save it on the Configuration tab to keep it as a new version.",
            icon=":material/info:")


def coverage(cov: Coverage) -> None:
    """The minimum number of measures, the measures without data (with why, where no import adds them), and
    (when customers lack a band) why."""
    st.caption(f"A customer needs at least {units.count(cov.min_measures)} of the {units.count(cov.measures)} "
               "measures for a score and a band (the minimum is part of the configuration)."
               + (f" No data in this store for: {', '.join(cov.missing)}; these measures are dropped for every "
                  "customer and the others re-weighted." if cov.missing else ""))
    if cov.below:
        (st.warning if not cov.banded else st.info)(cov.message, icon=":material/info:")


def suggest(url: str, version: str, cfg: h.HealthConfig, v: int, data) -> None:
    if isinstance(data, WorkbenchError):
        return
    try:
        s = health.suggestion(url, version, health.key(cfg))
    except WorkbenchError as exc:
        errors.show(exc)
        return
    st.markdown(f"**Suggested weights**, fitted on {s.train_cutoffs[0]:%b %Y} to {s.train_cutoffs[-1]:%b %Y} and "
                f"compared on the later months {s.eval_cutoffs[0]:%b %Y} to {s.eval_cutoffs[-1]:%b %Y}. "
                + plain.suggestion(s.auc_suggested, s.auc_current, v))
    with st.expander(ANALYST):
        st.caption(f"Fitted by churn on the lost points of each measure, weights kept at 0 or more. ROC-AUC on the "
                   f"later months: {units.score(s.auc_suggested)} with the suggested weights against "
                   f"{units.score(s.auc_current)} with v{v}'s.")
    _profile(s.weights)
    wide = s.weights.pivot(index="measure", columns="stage", values=["current", "suggested"])
    wide.columns = [f"{a} ({b})" for a, b in wide.columns]
    st.dataframe(wide.reset_index(), hide_index=True, width="stretch")
    if not signin.offer(loaders.get_engine(url), rights.CONFIGURE):
        return
    with st.form("health_accept"):
        a, b = st.columns(2)
        author = author_input(loaders.get_engine(url), "health_accept_author", where=a)
        reason = b.text_input("Reason", f"suggested weights from the back-test: AUC {units.score(s.auc_suggested)} "
                              f"vs {units.score(s.auc_current)} on {s.eval_cutoffs[0]:%b}-{s.eval_cutoffs[-1]:%b %Y}",
                              key="health_accept_reason")
        if st.form_submit_button("Accept: save as a new version", type="primary"):
            _save(url, s.config, author, reason, v)


@st.fragment
def _profile(weights: pd.DataFrame) -> None:
    """Current and suggested weights of the profile picked here (the picker reruns this chart only)."""
    stage = st.segmented_control("Profile", list(h.STAGES), default="adoption", key="health_suggest_stage") \
        or "adoption"
    components.chart(charts.weights(weights, stage), chart_text.weights(weights, stage),
                     chart_data.weights(weights, stage), f"health_weights_{stage}.csv", key="health_dl_weights")


@st.fragment
def edit(url: str, cfg: h.HealthConfig, v: int, keys: list[str]) -> None:
    """The editor of the store's measures ``keys``; a measure not shown keeps its weight. A refused edit reruns this
    section only; a saved one reruns the page (which selects the new version)."""
    st.markdown(f"**Edit v{v}**: change weights (each stage's column must add up to 100), bands, windows or "
                "rules; saving creates a new version. A measure without data for a customer is dropped and the "
                "others re-weighted.")
    table = hs.weights_table(cfg, keys)
    if not signin.offer(loaders.get_engine(url), rights.CONFIGURE):  # the configuration, read-only
        st.dataframe(table.drop(columns="key"), hide_index=True, width="stretch")
        return
    with st.form("health_edit"):
        edited = st.data_editor(table, hide_index=True, width="stretch", key=f"health_weights_{v}",
                                disabled=["measure", "key", "group", "definition", "rule"],
                                column_config={"key": None,  # kept for saving, not shown
                                               **{s: st.column_config.NumberColumn(s, min_value=0, max_value=100,
                                                                                   step=1) for s in h.STAGES}})
        c = st.columns(5)
        red = c[0].number_input("Red up to", 1.0, 98.0, float(cfg.red_max), key=f"health_red_{v}")
        amber = c[1].number_input("Amber up to", 2.0, 99.0, float(cfg.amber_max), key=f"health_amber_{v}")
        onb = c[2].number_input("Onboarding (days)", 0, 730, int(cfg.onboarding_days), key=f"health_onb_{v}")
        ren = c[3].number_input("Renewal window (days)", 0, 365, int(cfg.renewal_days), key=f"health_ren_{v}")
        least = c[4].number_input("Minimum measures", 1, len(keys), int(cfg.min_measures),
                                  key=f"health_min_{v}", help="A customer with fewer measures (with data and "
                                  "weight in its stage) gets no score and no band.")
        rules = st.text_area("Scoring rules (JSON: linear worst/best, or tier edges/points)",
                             json.dumps(cfg.rules, indent=1), height=160, key=f"health_rules_{v}")
        a, b = st.columns(2)
        author = author_input(loaders.get_engine(url), "health_edit_author", where=a)
        reason = b.text_input("Reason for the change", key="health_edit_reason")
        submitted = st.form_submit_button("Save as a new version", type="primary")
    sums = edited[list(h.STAGES)].sum()
    st.caption("Column sums: " + ", ".join(f"{s} {sums[s]:g}" for s in h.STAGES))
    if submitted:
        try:
            new = h.HealthConfig(rules=json.loads(rules),
                                 weights={s: {**cfg.weights[s], **dict(zip(edited["key"], edited[s].astype(float)))}
                                          for s in h.STAGES},
                                 red_max=red, amber_max=amber, onboarding_days=onb, renewal_days=ren,
                                 min_measures=int(least))
        except json.JSONDecodeError as exc:
            st.error(f"The rules are not valid JSON ({exc.msg}, line {exc.lineno}); nothing was saved.")
            return
        _save(url, new, author, reason, v)


@st.fragment
def compare(url: str, version: str, versions: pd.DataFrame, data) -> None:
    """Two saved versions side by side (the version pickers rerun this section only)."""
    nums = versions["version"].tolist()
    if len(nums) < 2:
        st.info("Only one version is saved; edit the configuration or accept suggested weights to compare.")
        return
    a, b = st.columns(2)
    va = a.selectbox("Version A", nums, index=1, key="health_cmp_a", format_func=lambda x: f"v{x}")
    vb = b.selectbox("Version B", nums, index=0, key="health_cmp_b", format_func=lambda x: f"v{x}")
    ca, cb = health.config(url, version, va), health.config(url, version, vb)
    diff = hs.compare(ca, cb).rename(columns={"a": f"v{va}", "b": f"v{vb}"})
    info = versions.set_index("version")
    for col, x in ((a, va), (b, vb)):
        created = pd.Timestamp(info.at[x, "created_at"])
        col.caption(f"v{x}: {components.plain(info.at[x, 'author'])} on {created:%Y-%m-%d %H:%M} - "
                    f"{components.plain(info.at[x, 'reason'])}")
        if not isinstance(data, WorkbenchError):
            r = health.backtest(url, version, health.key(health.config(url, version, x)))
            col.markdown(f"With v{x}, {plain.ranking(r.auc)}; {plain.red_green(r.red_green_text)}.")
            with col.expander(ANALYST):
                st.metric(f"Back-test ROC-AUC of v{x}", units.score(r.auc),
                          help=f"Red against green: {r.red_green_text}.")
    if diff.empty:
        st.info(f"v{va} and v{vb} are the same configuration.")
    else:
        st.dataframe(diff, hide_index=True, width="stretch")
