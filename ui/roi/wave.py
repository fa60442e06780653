"""The Next wave tab of the Intervention ROI page: whom to contact next under a budget (core.roi.wave)."""

from __future__ import annotations

import streamlit as st

from core.errors import WorkbenchError
from core.export import units
from core.history.filters import Filters
from core.metrics import GLOSSARY
from core.roi import plain, setup
from core.roi import wave as rw
from core.roi.defaults import LABELS, MARGIN, RETAINED, VALUE_MONTHS
from core.roi.inputs import RoiInputs
from ui import components
from ui.churn import risk_lists
from ui.frame import errors, loaders
from ui.roi import cached as data
from ui.roi import uplift
from ui.roi.sections import Choice

#: the Money tab's assumptions, reused so a save is valued the same on both tabs
MARGIN_KEY, MONTHS_KEY = "roi_margin", "roi_value_months"


def _nice(x: float) -> float:
    """A round budget near ``x`` (1, 2 or 5 times a power of ten, at least 1)."""
    if not x > 0:
        return 1000.0
    p = 10 ** len(str(int(x))) / 10
    return float(min((m * p for m in (1, 2, 5, 10) if m * p >= x), default=x))


@st.fragment
def next_wave(ch: Choice, inputs: RoiInputs, f: Filters) -> None:
    """Inputs of the wave, the funnel from today's customers to the list, the cautions, and the list (a fragment:
    its inputs rerun only this tab; the list is cached per store version, contacts and settings). On a warehouse,
    today's customers' revenue and usage are summed there (:mod:`core.roi.candidates`), without churn risk (the
    store's saved model does not score the warehouse's customers)."""
    frame = data.with_risk(ch.url, ch.version, ch.play, ch.window, ch.frame) if ch.store else None
    scores = data.latest_scores(ch.url) if frame is not None else None
    frame = frame if frame is not None else ch.frame
    features = rw.model_features(frame)
    if not features:
        st.info("The contacts carry no value known before contact (segment, plan, MRR, usage) to model uplift on, "
                "so there is no ranking for a next wave.")
        return
    mean_cost = setup.contact_cost(frame, ch.control)
    c = st.columns(4)
    cost = c[1].number_input("Cost per contact", 0.0, None, mean_cost, step=max(mean_cost / 10, 0.01),
                             key=f"roi_wave_cost_{ch.play}", help="Default: the play's average cost of a treated "
                             "contact so far.")
    budget = c[0].number_input("Budget", 0.0, None, _nice(100 * max(cost, 0.01)), format="%.0f",
                               key=f"roi_wave_budget_{ch.play}",
                               help="Money available for the wave; the list stops when the next contact no longer "
                                    "fits.")
    renewing = int(c[2].number_input("Renewing within (days, 0 = any)", 0, 730, 0, step=30,
                                     key=f"roi_wave_renewing_{ch.play}",
                                     help="Only customers whose renewal date falls within this many days."))
    rest = int(c[3].number_input("Rest after a contact (days)", 0, 365, rw.REST_DAYS, step=7, key="roi_wave_rest",
                                 help="Leave out customers contacted (any play) within this many days: fatigue."))
    value_per_save = months = margin = None
    if ch.outcome == RETAINED:
        margin = float(st.session_state.get(MARGIN_KEY, MARGIN * 100)) / 100
        months = int(st.session_state.get(MONTHS_KEY, VALUE_MONTHS))
        st.caption(f"A customer kept is worth their MRR x {months} months x {units.percent(margin, digits=0)} margin "
                   "(set on the Money tab). Expected value = predicted uplift x that value - cost.")
        if months <= 0:
            st.info("Set the months a saved customer stays above 0 on the Money tab to value the wave.")
            return
    else:
        value_per_save = st.number_input(f"Value of one more unit of {LABELS.get(ch.outcome, ch.outcome)}", 0.01,
                                         None, 1.0, key=f"roi_wave_value_{ch.play}_{ch.outcome}")
    res = uplift.fitted(frame, features, ch.outcome, ch.control)
    if res is None:
        return
    try:
        settings = rw.WaveSettings(budget=budget, cost_per_contact=cost, value_per_save=value_per_save,
                                   value_months=months, margin=1.0 if margin is None else margin, outcome=ch.outcome,
                                   rest_days=rest or None, renewing_within_days=renewing or None)
        model = data.saved_model(ch.url) if scores is not None else None
        w = data.next_wave(ch.url, ch.version, frame, settings, f, model, res, scores)
    except WorkbenchError as exc:
        errors.show(exc)
        return
    for line in rw.cautions(res, frame, ch.outcome, ch.control):
        st.warning(line, icon=":material/warning:")
    kept = "Extra customers kept" if ch.outcome == RETAINED else f"Extra {LABELS.get(ch.outcome, ch.outcome)}"
    k = st.columns(4)
    k[0].metric("Customers to contact", units.count(len(w.targets)),
                help=f"From {units.count(w.funnel['customers'].iloc[0])} active customers; the steps are below.")
    k[1].metric("Cost of the wave", units.format_value(w.spend, "currency"),
                help=f"Within the budget of {units.format_value(w.budget, 'currency')}.")
    k[2].metric(kept, units.count(w.expected_gain), help="Sum of the predicted uplifts of the customers "
                "listed (the model's expectation, not a measured figure). " + GLOSSARY["Play effect"])
    k[3].metric("Expected net value", units.money(w.expected_value), help="Summed over the list. "
                + GLOSSARY["Expected net value"])
    st.markdown(f"Ranked by a two-model uplift model on {components.plain(plain.features(res.features))}, fitted on "
                "the play's contacts. It only speaks for customers like them, so today's customers are narrowed first:")
    st.dataframe(w.funnel, hide_index=True, width="stretch",
                 column_config={"customers": st.column_config.NumberColumn(format="localized")})
    if w.targets.empty:
        st.info("Nobody is worth contacting within these settings: raise the budget or the value of a save, lower the "
                "cost, or loosen the rules.")
    elif risk_lists.shown(loaders.get_engine(ch.url)):  # the list and its download: admins and the roles allowed
        binary = ch.binary
        number = st.column_config.NumberColumn
        uplift_ = (components.percent("Predicted uplift", help="Predicted gain in the chance of staying.")
                   if binary else number("Predicted uplift", format="%+.2f"))
        components.table(w.targets, hide_index=True, width="stretch", column_config={
            "customer_id": "Customer", "segment": "Segment", "plan": "Plan", "region": "Region",
            "risk": components.percent("Churn risk"), "risk_tier": "Churn risk tier",
            "mrr_before": number("MRR ($ a month)", format="dollar"),
            "value_per_save": number("Value of a save ($)", format="dollar"),
            "expected_value": number("Expected net value ($)", format="dollar"),
            "cost": number("Cost ($)", format="dollar"),
            "cumulative_cost": number("Cost so far ($)", format="dollar"),
            "tenure_months": number("Tenure (months)", format="%.1f"), "predicted_uplift": uplift_,
            "pre_usage": number("Usage before contact (log)", format="%.2f"),
            "renewal_date": st.column_config.DateColumn("Renewal date", format="YYYY-MM-DD")})
        components.csv_download(w.targets, "Download the list (CSV)", f"{ch.play}_next_wave.csv", "roi_dl_wave")
    if len(w.unlike) and risk_lists.allowed(loaders.get_engine(ch.url)):
        with st.expander(f"{len(w.unlike):,} customers left out as unlike the play's contacts"):
            first = w.unlike["reason"].str.extract(r"^(\w+)")[0].map(plain.feature)
            why = first.value_counts().rename_axis("First value outside the contacts' range")
            st.dataframe(why.reset_index(name="Customers"), hide_index=True)
            components.csv_download(w.unlike, "Download who and why (CSV)", f"{ch.play}_unlike.csv", "roi_dl_unlike")
