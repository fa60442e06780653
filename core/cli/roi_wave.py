"""``python -m core roi --play NAME --next-wave --budget MONEY``: whom to contact next, ranked by the
play's uplift model (:func:`core.roi.wave.next_wave`)."""

from __future__ import annotations

import pandas as pd

from core.cli.format import text_table, write_table
from core.cli.roi_format import amount, label, pct, pp, share_text
from core.cli.roi_options import MARGIN, VALUE_MONTHS, WAVE_ROWS
from core.cli.roi_play import Play, outcome_for
from core.errors import DataValidationError
from core.roi import wave as rw
from core.roi.defaults import RETAINED, REVENUE
from core.roi.estimates import is_binary
from core.roi.inputs import RoiInputs
from core.roi.outcomes import measured
from core.roi.uplift_model import fit_uplift


def wave_for(engine, inputs: RoiInputs, p: Play, outcome: str, *, budget: float, cost: float | None = None,
             value_per_save: float | None = None, value_months: float | None = None, margin: float | None = None,
             rest_days: int | None = rw.REST_DAYS, renewing_within: int | None = None):
    """Fit the play's uplift model (:func:`core.roi.wave.model_features`, churn risk at contact once a churn model
    is saved) and list its next wave (:func:`core.roi.wave.next_wave`), as the Intervention ROI page.

    Returns
    -------
    (core.roi.uplift_model.UpliftResult, core.roi.wave.NextWave, float)
        The model, the wave, and the cost of a contact used.
    """
    frame, scores = rw.with_saved_risk(engine, p.frame) if p.store else (p.frame, None)
    features = rw.model_features(frame)
    if not features:
        raise DataValidationError(f"The contacts of '{p.name}' carry no value known before contact (segment, plan, "
                                  "MRR, usage) to model uplift on.")
    res = fit_uplift(frame, list(features), outcome=outcome, control=p.control)
    if cost is None:
        treated = frame.loc[frame["arm"] != p.control, "cost"]
        cost = float(treated.mean()) if treated.notna().any() else 0.0
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
    """The printed cells of :attr:`core.roi.wave.NextWave.targets` (see :data:`WAVE_HEADERS`): risk in %, MRR and
    money to whole units, the predicted uplift in points (yes/no outcome) or units to 2 decimals."""
    up_fmt = pp if binary else amount(2, signed=True)
    money = amount(0 if len(targets) and targets["expected_value"].abs().max() >= 100 else 2)
    return [[str(r.customer_id), str(r.segment), str(r.plan), str(r.region), pct(r.risk), amount(0)(r.mrr_before),
             up_fmt(r.predicted_uplift), money(r.expected_value), amount(2)(r.cost),
             money(r.cumulative_cost)] for r in targets.itertuples(index=False)]


WAVE_HEADERS = ("customer", "segment", "plan", "region", "risk", "MRR", "uplift", "expected value", "cost",
                "cumulative cost")


def show_next_wave(engine, inputs: RoiInputs, p: Play, a) -> None:
    outcome = outcome_for(p.frame, p.name, a.outcome, p.window)
    res, w, cost = wave_for(engine, inputs, p, outcome, budget=a.budget, cost=a.cost, value_per_save=a.value_per_save,
                            value_months=a.value_months, margin=a.margin,
                            rest_days=rw.REST_DAYS if a.rest_days is None else a.rest_days,
                            renewing_within=a.renewing_within)
    binary = is_binary(measured(p.frame, outcome)[outcome])
    print(p.line())
    print(f"uplift model on {', '.join(res.features)} ({label(outcome)}"
          + (f" over {p.window} days" if outcome in (RETAINED, REVENUE) else "")
          + f"); Qini coefficient {pp(res.qini_coefficient) + ' pp' if binary else f'{res.qini_coefficient:+.3f}'} "
          "(cross-fitted)")
    if a.value_per_save is not None:
        value = f"one more {label(outcome)} worth {a.value_per_save:,.2f}"
    else:
        value = (f"a save worth the customer's MRR x {VALUE_MONTHS if a.value_months is None else a.value_months} "
                 f"months x {share_text(MARGIN if a.margin is None else a.margin)} margin")
    print(f"budget {a.budget:,.0f}; a contact costs {cost:,.2f}; {value}")
    print(text_table(("step", "customers", "rule"),
                      [[r.step, f"{r.customers:,}", r.rule] for r in w.funnel.itertuples(index=False)], left=(0, 2)))
    if a.out is not None:
        write_table(w.targets, a.out, "Next wave", "customers")
        return
    gain = (f"{w.expected_gain:,.1f} more customers kept" if outcome == RETAINED
            else f"{w.expected_gain:,.1f} more {outcome}" if binary else f"{w.expected_gain:+,.2f} {outcome}")
    print(f"next wave: {len(w.targets):,} customers, cost {w.spend:,.2f}; expected {gain}, net value "
          f"{w.expected_value:,.2f}")
    for line in rw.cautions(res, p.frame, outcome, p.control):
        print("caution: " + line)
    if len(w.targets):
        print(text_table(WAVE_HEADERS, wave_rows(w.targets.head(WAVE_ROWS), binary), left=(0, 1, 2, 3)))
    if len(w.targets) > WAVE_ROWS:
        print(f"... {len(w.targets) - WAVE_ROWS:,} more: --out FILE writes them all")
