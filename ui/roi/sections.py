"""Sections of the Intervention ROI page (widgets and rendering; every figure comes from core.roi, a playbook's reach
from core.plays.results)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from core.errors import WorkbenchError
from core.export import units
from core.history.filters import Filters
from core.metrics import GLOSSARY
from core.plays.queue import TREATMENT as TREATMENT_ARM
from core.plays.results import reach_text
from core.roi import chart_text, plain, setup
from core.roi.defaults import (
    CONTROL,
    HOLDOUT_SHARE,
    LABELS,
    MARGIN,
    POWER,
    RETAINED,
    REVENUE,
    VALUE_MONTHS,
    WINDOW_DAYS,
)
from core.roi.estimates import compare, estimates_long, is_binary
from core.roi.inputs import RoiInputs
from core.roi.money import money as arm_money
from core.roi.outcomes import arms, default_control, measured, store_outcomes_apply
from core.roi.planning import detectable_effect, monthly_contacts, sample_size
from core.roi.plays import scope
from core.roi.sample_ratio import srm
from core.roi.time_to_impact import time_to_impact
from ui import components
from ui.frame import errors, warehouse
from ui.roi import cached as data
from ui.roi import charts


@dataclass
class Choice:
    """The play and settings the reader picked, and the play's contacts within the sidebar filters."""

    url: str
    version: str
    play: str
    window: int
    control: str
    outcome: str
    covariate: str | None
    frame: pd.DataFrame
    store: bool  # retention and revenue come from the store (not only imported columns)

    def label(self, col: str | None) -> str:
        return "none (plain estimate only)" if col is None else LABELS.get(col, col)

    @property
    def binary(self) -> bool:
        return is_binary(measured(self.frame, self.outcome)[self.outcome])


def on_warehouse() -> None:
    """Where the page's figures come from when a warehouse is set, before the plays are read."""
    warehouse.says_so("Measured on the company's warehouse, read only: its plays' contacts, customers and revenue "
                      "are read and each contact's revenue and usage windows summed there, again each day; every "
                      "contact counts (the sidebar's filters apply to the store's pages).")


def choose(url: str, version: str, inputs: RoiInputs, f: Filters) -> Choice | None:
    """The play, window, control arm, outcome and CUPED covariate; None when no contact is in the filters."""
    c = st.columns([3, 1, 2, 2, 2])
    play = c[0].selectbox("Play", inputs.plays(), key="roi_play")
    window = int(c[1].number_input("Window (days)", 7, 730, WINDOW_DAYS, step=30, key="roi_window",
                                   help="Retention and revenue are measured over this many days after each contact."))
    full = data.outcomes(url, version, play, window)
    frame = scope(full, f)
    if frame.empty:
        st.info(f"No contact of '{play}' falls within the sidebar filters (dates {f.start} to {f.end}, segment, plan, "
                "region): widen them.")
        return None
    arm_names = sorted(frame["arm"].unique(), key=lambda a: (a != CONTROL, a))
    default = default_control(frame)
    control = c[2].selectbox("Compared with (control arm)", arm_names, index=arm_names.index(default),
                             format_func=plain.arm_label, key=f"roi_control_{play}",
                             help=f"{GLOSSARY['Holdout']} {plain.HOLDOUT_HELP}")
    outcomes = setup.outcome_choices(frame)
    if not outcomes:
        st.warning("This play has no outcome to measure: its customers are not in the store's customer table and "
                   "the file brought no numeric outcome column (such as converted or spend).")
        return None
    outcome = c[3].selectbox("Outcome", outcomes, format_func=lambda o: LABELS.get(o, o), key=f"roi_out_{play}")
    covs = [None] + setup.covariate_choices(frame, outcome)
    covariate = c[4].selectbox("CUPED covariate (before contact)", covs,
                               index=covs.index(setup.default_covariate(frame, outcome)),
                               format_func=lambda x: "none" if x is None else LABELS.get(x, x),
                               key=f"roi_cov_{play}_{outcome}", help=GLOSSARY["CUPED"])
    return Choice(url, version, play, window, control, outcome, covariate, frame, store_outcomes_apply(frame))


def headline(ch: Choice) -> pd.DataFrame | None:
    """One line per arm, and the key figures of the largest arm."""
    try:
        comp = compare(ch.frame, ch.outcome, control=ch.control, covariate=ch.covariate)
    except WorkbenchError as exc:
        errors.show(exc)
        return None
    if comp.empty:
        st.info(components.plain(f"'{ch.play}' has only the '{ch.control}' arm: nothing to compare it with."))
        return None
    top = comp.iloc[0]
    fmt = units.percent if ch.binary else (lambda x: units.format_value(x, "currency"))
    label = ch.label(ch.outcome)
    subject = f"{ch.play} ({top['arm']} vs {ch.control})"
    st.markdown(components.plain(plain.effect(subject, top["difference"], top["low"], top["high"], binary=ch.binary,
                                              outcome=ch.outcome, label=label)))
    over = f"over {ch.window} days after each contact" if ch.outcome in (RETAINED, REVENUE) else "in the campaign"
    st.caption(components.plain(f"{label} {over}") + "; the range is the 95 % interval: the effect lies within it "
               "with 95 % confidence.")
    k = st.columns(3)
    k[0].metric(f"{label}, {top['arm']}", fmt(top["treatment"]),
                help=f"{int(top['n']):,} measured contacts. {GLOSSARY['Eligible contact']}")
    k[1].metric(f"{label}, {ch.control}", fmt(top["control"]),
                help=f"{int(top['n_control']):,} measured contacts.")
    k[2].metric("Play effect", diff_text(top["difference"], ch.binary),
                help=f"95 % interval {diff_text(top['low'], ch.binary)} to {diff_text(top['high'], ch.binary)}. "
                     + GLOSSARY["Play effect"])
    return comp


def reach(ch: Choice, comp: pd.DataFrame | None) -> None:
    """A playbook's play: how much of its treatment arm the contact logs say was contacted, and, with the play's
    effect on that arm, the effect per customer contacted."""
    reached = data.reach(ch.url, ch.version)
    if ch.play not in set(reached["play"]):
        return
    top = comp.iloc[0] if comp is not None and len(comp) else None
    effect = top["difference"] if top is not None and top["arm"] == TREATMENT_ARM else None
    st.caption(components.plain(reach_text(reached.set_index("play").loc[ch.play], effect, ch.binary)))


def outcome_column(ch: Choice, label: str) -> dict:
    """The column of an arm's outcome: a share for a yes/no outcome, dollars otherwise."""
    return components.percent(label) if ch.binary else st.column_config.NumberColumn(label, format="dollar")


def diff_text(x: float, binary: bool) -> str:
    """A play's effect: points of a yes/no outcome, else money per contact."""
    return units.points(x) if binary else units.format_value(x, "currency", signed=True)


def effect(ch: Choice, comp: pd.DataFrame) -> None:
    """Each arm's effect and what CUPED and chance say, in sentences; the interval chart; the comparison with its
    p-values and CUPED figures under Analyst detail; the sample-ratio check."""
    label = ch.label(ch.outcome)
    lines = [plain.effect(f"{r['arm']} (vs {ch.control})", r["difference"], r["low"], r["high"], binary=ch.binary,
                          outcome=ch.outcome, label=label) for _, r in comp.iterrows()] if len(comp) > 1 else []
    lines.append(plain.p_value(comp["p_value"].iloc[0]))
    if ch.covariate is not None:
        lines.append(plain.cuped(comp["variance_reduction"].iloc[0], ch.label(ch.covariate)))
    st.markdown("\n".join(f"- {components.plain(x)}" for x in lines))
    scale, unit = (100.0, "points") if ch.binary else (1.0, "per contact")
    long = estimates_long(comp)
    components.chart(data.effects_chart(long, "arm", scale, unit),
                     chart_text.arm_effects(long, ch.control, binary=ch.binary, outcome=ch.outcome, label=label),
                     chart_text.effects_data(long, "arm", binary=ch.binary), f"{ch.play}_effects.csv",
                     key="roi_chart_effects")
    with st.expander("Analyst detail: the comparison, p-values and CUPED"):
        _comparison(ch, comp)
    _srm(ch)


def _comparison(ch: Choice, comp: pd.DataFrame) -> None:
    if ch.covariate is not None:
        vr = comp["variance_reduction"].iloc[0]
        st.caption(f"CUPED with {ch.label(ch.covariate).lower()}: the interval's variance is {units.percent(vr)} "
                   "smaller "
                   f"({'narrower' if vr > 0 else 'not narrower'}); both estimates aim at the same effect. CUPED "
                   f"theta {plain.weight(comp['theta'].iloc[0])}: "
                   + plain.theta(comp["theta"].iloc[0], ch.label(ch.covariate), ch.label(ch.outcome)))
    unit = "pts" if ch.binary else "$"
    value = st.column_config.NumberColumn
    cols = {"arm": "Arm", "n": "Contacts", "n_control": f"Contacts, {ch.control}",
            "treatment": outcome_column(ch, ch.label(ch.outcome)),
            "control": outcome_column(ch, f"{ch.label(ch.outcome)}, {ch.control}"),
            "difference": value(f"Difference ({unit})", format="%+.2f"), "low": value("Low", format="%+.2f"),
            "high": value("High", format="%+.2f"), "p_value": value("p-value", format="%.4f"),
            "theta": value("CUPED theta", format="%.4f"),
            "cuped_difference": value(f"CUPED difference ({unit})", format="%+.2f"),
            "cuped_low": value("CUPED low", format="%+.2f"), "cuped_high": value("CUPED high", format="%+.2f"),
            "cuped_p_value": value("CUPED p-value", format="%.4f"),
            "variance_reduction": components.percent("Variance saved by CUPED")}
    shown = comp.copy()
    if ch.binary:
        for c in ("difference", "low", "high", "cuped_difference", "cuped_low", "cuped_high"):
            if c in shown:
                shown[c] = shown[c] * 100
    components.table(shown, cols, hide_index=True, width="stretch")
    components.csv_download(comp, "Download comparison (CSV)", f"{ch.play}_comparison.csv", "roi_dl_comparison")


@st.fragment
def _srm(ch: Choice) -> None:
    """The sample-ratio check against the planned split (a fragment: the split's controls rerun only this)."""
    a, b = st.columns([1, 3])
    plan = a.radio("Planned split", ["Holdout share", "Equal arms"],
                   index=0 if setup.planned_share(ch.frame) is not None else 1,
                   key=f"roi_split_{ch.play}", help=GLOSSARY["Sample ratio mismatch"])
    share = None
    if plan == "Holdout share":
        share = a.number_input("Planned holdout share (%)", 1.0, 99.0, HOLDOUT_SHARE * 100, step=1.0,
                               key=f"roi_share_{ch.play}") / 100
    check = srm(ch.frame, control=ch.control, holdout_share=share)
    t = pd.DataFrame({"arm": list(check["counts"]), "contacts": list(check["counts"].values()),
                      "planned": [round(v, 1) for v in check["expected"].values()]})
    with b:
        if check["mismatch"]:
            st.error("Sample ratio mismatch: the arm sizes do not fit the planned split, more than chance explains. "
                     "Check how customers were assigned and logged before trusting the figures.",
                     icon=":material/warning:")
        else:
            st.success("Arm sizes fit the planned split: customers were held out as planned.",
                       icon=":material/check_circle:")
        with st.expander("Analyst detail: the sample-ratio check"):
            st.caption(f"Chi-square test of the arm sizes against the planned split: p = "
                       f"{units.p_value(check['p_value'])}. " + plain.p_value(
                           check["p_value"], if_="customers were held out as planned",
                           what="arm sizes this far from the plan"))
            st.dataframe(t, hide_index=True, width="stretch", column_config={
                "arm": "Arm", "contacts": st.column_config.NumberColumn("Contacts", format="localized"),
                "planned": st.column_config.NumberColumn("Planned contacts", format="%.1f")})


def money(ch: Choice) -> None:
    """Customers saved, revenue saved, cost, net value and ROI of one arm, each with its interval."""
    amounts = setup.amount_choices(ch.frame)
    if not amounts:
        st.info("This play has no amount to value (such as spend): import one with the play.")
        return
    c = st.columns(4)
    arm = c[0].selectbox("Arm", arms(ch.frame, ch.control), key=f"roi_money_arm_{ch.play}")
    margin = c[1].number_input("Gross margin (%)", 0.0, 100.0, MARGIN * 100, step=5.0, key="roi_margin") / 100
    months = int(c[2].number_input("Months a saved customer stays", 0, 120, VALUE_MONTHS, step=3,
                                   key="roi_value_months", disabled=not ch.store))
    cuped = c[3].toggle("Use CUPED", value=True, key="roi_money_cuped", help=GLOSSARY["CUPED"])
    # the amount compared above is the one valued, with the covariate chosen for it; else the play's first amount
    valued = ch.outcome if ch.outcome in amounts else None
    try:
        chosen = setup.money_setup(ch.frame, ch.play, valued, (ch.covariate or setup.NO_COVARIATE) if valued else None,
                                   cuped=cuped)
        m = arm_money(ch.frame, arm, control=ch.control, margin=margin, value_months=months, **chosen.kwargs())
    except WorkbenchError as exc:
        errors.show(exc)
        return
    st.caption(f"Arm {components.plain(arm)} vs {components.plain(ch.control)}: "
               + components.plain(chosen.describe()) + ".")
    row = m.set_index("measure")
    k = st.columns(5)
    shown = [("Customers saved", "Customers saved"), ("Revenue saved (window)", "Revenue saved"),
             ("Cost", "ROI"), ("Net value (window)", "ROI"), ("ROI (window)", "ROI")]
    for i, (name, gloss) in enumerate(shown):
        if name not in row.index:
            continue
        r = row.loc[name]
        text = units.format_value(r["value"], r["unit"])
        help_ = GLOSSARY[gloss] if name == "Cost" else (
            f"95 % interval {units.format_value(r['low'], r['unit'])} to "
            f"{units.format_value(r['high'], r['unit'])}. {GLOSSARY[gloss]}")
        k[i].metric(name, text, help=help_)
    if "ROI (projected)" in row.index:
        r, net = row.loc["ROI (projected)"], row.loc["Net value (projected)", "value"]
        roi_ = {c: units.format_value(r[c], "roi") for c in ("value", "low", "high")}
        st.markdown(f"Valuing each customer saved at {months} months of their MRR before contact: **ROI "
                    f"{roi_['value']}** (95 % interval {roi_['low']} to {roi_['high']}); net value "
                    f"{units.format_value(net, 'currency')}. The window figures count only revenue measured in the "
                    "window.")
    shown_t = m.assign(**{c: m.apply(lambda r, c=c: units.format_value(r[c], r["unit"]), axis=1)
                          for c in ("value", "low", "high")})
    st.dataframe(shown_t.drop(columns="unit"), hide_index=True, width="stretch")
    components.csv_download(m, "Download money (CSV)", f"{ch.play}_money.csv", "roi_dl_money")


@st.fragment
def impact(ch: Choice) -> None:
    """Cumulative retention difference by day since contact (a fragment: the arm reruns only this tab)."""
    if not ch.store:
        st.info("Time to impact needs churn dates of the play's customers in the store; this play's outcomes came "
                "with its file.")
        return
    arm = st.selectbox("Arm", arms(ch.frame, ch.control), key=f"roi_impact_arm_{ch.play}")
    try:
        t = time_to_impact(ch.frame, arm, window=ch.window, control=ch.control)
    except WorkbenchError as exc:
        errors.show(exc)
        return
    first = t.loc[t["low"] > 0, "day"]
    st.markdown(f"{GLOSSARY['Time to impact']} "
                + (f"The difference is first clearly above zero **{int(first.iloc[0])} days** after contact."
                   if len(first) else "The difference is never clearly above zero in the window."))
    # the chart's data is the download just below
    components.chart(charts.time_to_impact(t), chart_text.time_to_impact(t), None, "", key="roi_chart_impact")
    components.csv_download(t, "Download time to impact (CSV)", f"{ch.play}_time_to_impact.csv", "roi_dl_impact")


@st.fragment
def planning(ch: Choice, comp: pd.DataFrame | None) -> None:
    """Holdout size and duration needed to detect a given effect (a fragment: its inputs rerun only this tab)."""
    e = measured(ch.frame, RETAINED) if ch.store else None
    base = setup.planning_rate(ch.frame, ch.control)
    per_month = monthly_contacts(ch.frame)
    c = st.columns(5)
    p0 = c[0].number_input("Retention without the play (%)", 1.0, 99.0, round(base * 100, 1), step=1.0,
                           key=f"roi_plan_p0_{ch.play}") / 100
    eff = c[1].number_input("Effect to detect (points)", 0.5, 50.0, setup.planning_effect(p0) * 100, step=0.5,
                            key="roi_plan_effect") / 100
    share = c[2].number_input("Holdout share (%)", 1.0, 90.0, HOLDOUT_SHARE * 100, step=1.0, key="roi_plan_share") / 100
    target = c[3].number_input("Power (%)", 50.0, 99.0, POWER * 100, step=5.0, key="roi_plan_power") / 100
    flow = c[4].number_input("Contacts a month", 1.0, 1e7, float(round(per_month, 1)), key=f"roi_plan_flow_{ch.play}",
                             help="Default: the play's average so far.")
    try:
        plan = sample_size(p0, eff, holdout_share=share, power_target=target, contacts_per_month=flow)
    except WorkbenchError as exc:
        errors.show(exc)
        return
    k = st.columns(4)
    k[0].metric("Contacts needed", units.count(plan["n_total"]), help=GLOSSARY["Power"])
    k[1].metric("Held out", units.count(plan["n_holdout"]))
    k[2].metric("Treated", units.count(plan["n_treatment"]))
    k[3].metric("Months to run", units.count(round(plan["months"], 1)),
                help=f"At {units.count(round(flow))} contacts a month.")
    if e is not None and len(e):
        n_t, n_c = int((e["arm"] != ch.control).sum()), int((e["arm"] == ch.control).sum())
        mde = detectable_effect(p0, n_t, n_c, power_target=target)
        st.caption(f"With the {units.count(n_t)} treated and {units.count(n_c)} held-out contacts measured so far, "
                   f"the smallest effect detected with {units.percent(target, digits=0)} power is "
                   f"{units.points(mde).lstrip('+')}.")
    curve = data.power_curve(p0, eff, share)
    components.chart(charts.power_curve(curve, target), chart_text.power_curve(curve, target, plan["n_total"]),
                     chart_text.power_data(curve), f"{ch.play}_power_curve.csv", key="roi_chart_power")
