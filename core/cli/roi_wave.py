"""``python -m core roi --play NAME --next-wave --budget MONEY``: whom to contact next, ranked by the
play's uplift model (:func:`core.roi.wave.next_wave`)."""

from __future__ import annotations

import pandas as pd

from core.cli.format import text_table, write_table
from core.cli.roi_format import label, money, outcome_writers, share_text
from core.cli.roi_options import WAVE_ROWS
from core.cli.roi_play import Play
from core.errors import DataValidationError
from core.export import units
from core.roi import setup
from core.roi import wave as rw
from core.roi.defaults import MARGIN, RETAINED, REVENUE, VALUE_MONTHS
from core.roi.estimates import is_binary
from core.roi.inputs import RoiInputs
from core.roi.outcomes import measured
from core.roi.uplift_model import FOLDS, fit_uplift


def wave_for(engine, inputs: RoiInputs, p: Play, outcome: str, *, budget: float, cost: float | None = None,
             value_per_save: float | None = None, value_months: float | None = None, margin: float | None = None,
             rest_days: int | None = rw.REST_DAYS, renewing_within: int | None = None, saved_risk: bool = True):
    """Fit the play's uplift model (:func:`core.roi.wave.model_features`, churn risk at contact once a churn model
    is saved) and list its next wave (:func:`core.roi.wave.next_wave`), as the Intervention ROI page.

    Returns
    -------
    (core.roi.uplift_model.UpliftResult, core.roi.wave.NextWave, float)
        The model, the wave, and the cost of a contact used.
    """
    frame, scores = rw.with_saved_risk(engine, p.frame) if p.store and saved_risk else (p.frame, None)
    features = rw.model_features(frame)
    if not features:
        raise DataValidationError(f"The contacts of '{p.name}' carry no value known before contact (segment, plan, "
                                  "MRR, usage) to model uplift on.")
    res = fit_uplift(frame, list(features), outcome=outcome, control=p.control)
    cost = setup.contact_cost(frame, p.control) if cost is None else cost
    if value_per_save is None and outcome != RETAINED:
        raise DataValidationError(f"Give --value-per-save MONEY: what one more unit of '{outcome}' is worth.")
    if value_per_save is None:
        value_months = VALUE_MONTHS if value_months is None else value_months
        margin = MARGIN if margin is None else margin
    settings = rw.WaveSettings(budget=budget, cost_per_contact=cost, value_per_save=value_per_save,
                               value_months=value_months, margin=1.0 if margin is None else margin, outcome=outcome,
                               rest_days=rest_days or None, renewing_within_days=renewing_within)
    wave = rw.next_wave(inputs, frame, res, settings, churn_scores=scores)
    return res, wave, cost


def wave_rows(targets: pd.DataFrame, binary: bool) -> list[list[str]]:
    """The printed cells of :attr:`core.roi.wave.NextWave.targets` (see :data:`WAVE_HEADERS`), written by
    :mod:`core.export.units`: risk as a share, MRR, expected value and cumulative cost as money, the cost of a contact
    to the cent (as ``a contact costs``), the predicted uplift in points (yes/no outcome) or as money."""
    uplift = outcome_writers(binary)[1]
    return [[str(r.customer_id), str(r.segment), str(r.plan), str(r.region), units.percent(r.risk), money(r.mrr_before),
             uplift(r.predicted_uplift), money(r.expected_value), units.format_value(r.cost, "currency"),
             money(r.cumulative_cost)] for r in targets.itertuples(index=False)]


WAVE_HEADERS = ("customer", "segment", "plan", "region", "risk", "MRR", "uplift", "expected value", "cost",
                "cumulative cost")


def show_next_wave(engine, inputs: RoiInputs, p: Play, a, saved_risk: bool = True) -> None:
    """Print the play's next wave (:func:`wave_for`; ``saved_risk``: with the store's saved churn model)."""
    outcome = setup.outcome(p.frame, p.name, a.outcome)
    res, w, cost = wave_for(engine, inputs, p, outcome, budget=a.budget, cost=a.cost, value_per_save=a.value_per_save,
                            value_months=a.value_months, margin=a.margin,
                            rest_days=rw.REST_DAYS if a.rest_days is None else a.rest_days,
                            renewing_within=a.renewing_within, saved_risk=saved_risk)
    binary = is_binary(measured(p.frame, outcome)[outcome])
    print(p.line())
    print(f"uplift model on {', '.join(res.features)} ({label(outcome)}"
          + (f" over {p.window} days" if outcome in (RETAINED, REVENUE) else "")
          + f"); Qini coefficient "
          f"{units.points(res.qini_coefficient) if binary else units.score(res.qini_coefficient, signed=True)} "
          + ("(cross-fitted)" if res.folds >= FOLDS else
             f"(cross-fitted in {res.folds} folds, not {FOLDS}: the play has too few contacts of a kind for more)"))
    if a.value_per_save is not None:
        value = f"one more {label(outcome)} worth {units.format_value(a.value_per_save, 'currency')}"
    else:
        value = (f"a save worth the customer's MRR x {VALUE_MONTHS if a.value_months is None else a.value_months} "
                 f"months x {share_text(MARGIN if a.margin is None else a.margin)} margin")
    # the budget, the wave's cost and its net value as the Intervention ROI page writes them (ui/roi/wave.py)
    print(f"budget {units.format_value(a.budget, 'currency')}; a contact costs "
          f"{units.format_value(cost, 'currency')}; {value}")
    print(text_table(("step", "customers", "rule"),
                     [[r.step, units.count(r.customers), r.rule] for r in w.funnel.itertuples(index=False)],
                     left=(0, 2)))
    if a.out is not None:
        write_table(w.targets, a.out, "Next wave", "customers")
        return
    gain = (f"{units.count(w.expected_gain)} more customers kept" if outcome == RETAINED
            else f"{units.count(w.expected_gain)} more {outcome}" if binary
            else f"{money(w.expected_gain, signed=True)} {outcome}")
    print(f"next wave: {units.count(len(w.targets))} customers, cost {units.format_value(w.spend, 'currency')}; "
          f"expected {gain}, net value {units.money(w.expected_value)}")
    for line in rw.cautions(res, p.frame, outcome, p.control):
        print("caution: " + line)
    if len(w.targets):
        print(text_table(WAVE_HEADERS, wave_rows(w.targets.head(WAVE_ROWS), binary), left=(0, 1, 2, 3)))
    if len(w.targets) > WAVE_ROWS:
        print(f"... {units.count(len(w.targets) - WAVE_ROWS)} more: --out FILE writes them all")
