"""The next wave of a play: whom to contact now, under a budget, ranked by what the uplift model expects to gain.

An uplift model fitted on a play's past contacts (:func:`core.roi.uplift_model.fit_uplift`) only speaks for
customers like those contacts: a logistic model extrapolates freely (on the demo, the onboarding call's model,
fitted on customers in their second month, predicts uplifts above 0.5 for the riskiest of today's customers).
So :func:`next_wave` narrows today's customers step by step, and reports how many each step keeps
(:attr:`NextWave.funnel`); :class:`WaveSettings` holds the budget, the prices and the rules:

1. **Active**: signed up on or before ``as_of`` and not churned by it.
2. **Rules** (optional): renewing within the next N days (the customer's ``renewal_date``), and only the
   customers given (for example the page's segment, plan and region filters).
3. **Rested**: no contact made (any play; held-out rows were not made) in the last ``rest_days`` days.
4. **Like the play's contacts** (:func:`core.roi.support.support`): every numeric feature of the model, and the
   months since signup, within the 1st to 99th percentile of the play's measured contacts, and every category
   seen among at least ``min_count`` of them. A customer without a churn score is out when the model uses churn
   risk.
5. **Worth it**: expected value above 0, where ``expected value = predicted uplift x value of a save - cost``
   (:func:`core.roi.targets.target_list`); the value of a save is a fixed amount, or the customer's MRR x the
   months a saved customer is assumed to stay x the margin (as :func:`core.roi.money.money`'s projection).
6. **Within budget**: highest expected value first until the budget is spent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.churn import store as churn_store
from core.errors import DataValidationError, InsufficientDataError
from core.export import units
from core.history.inputs import load_inputs
from core.roi import plain
from core.roi.candidates import active_mask, candidates_now, recently_contacted
from core.roi.contact_risk import risk_at_contact
from core.roi.defaults import CONTROL, LABELS, RETAINED
from core.roi.estimates import diff_interval, is_binary
from core.roi.fatigue import FATIGUE_DAYS
from core.roi.inputs import RoiInputs
from core.roi.outcomes import measured
from core.roi.support import SUPPORT_MIN_COUNT, SUPPORT_QUANTILES, TENURE, ordinal, support, tenure_months
from core.roi.targets import TARGET_COLUMNS, target_list
from core.store.dates import datetimes

REST_DAYS = FATIGUE_DAYS
#: what the uplift model may use, known before a contact (``risk`` only once a churn model is saved)
FEATURES = ("risk", "segment", "plan", "mrr_before", "pre_usage")
WAVE_COLUMNS = [*TARGET_COLUMNS[:3], "region", "risk", "mrr_before", TENURE, "value_per_save", *TARGET_COLUMNS[3:]]
FUNNEL_COLUMNS = ["step", "customers", "rule"]
#: one row of :attr:`NextWave.funnel`: (step, customers kept, the rule in words)
Step = tuple[str, int, str]


@dataclass(frozen=True)
class WaveSettings:
    """How :func:`next_wave` picks and prices the wave (the steps are in the module's docstring).

    Checked on construction: give exactly one of ``value_per_save`` and ``value_months``.

    Attributes
    ----------
    budget : float
        Money for the wave (at least 0).
    cost_per_contact : float
        What one contact costs (at least 0).
    value_per_save : float, optional
        What one more unit of the outcome is worth (one more retained customer, one more conversion, one
        more unit of an amount); above 0.
    value_months : float, optional
        For the retention outcome instead: a save is worth the customer's MRR before contact x
        ``value_months`` x ``margin``; above 0.
    margin : float
        Between 0 and 1; only applies with ``value_months``.
    outcome : str
        The uplift model's outcome.
    as_of : date-like, optional
        Default the end of the data: the wave goes out the next day.
    rest_days : int or None
        Leave out customers with a contact made in the last this many days (None: keep them).
    renewing_within_days : int or None
        Only customers whose ``renewal_date`` falls in the next this many days (None: any).
    quantiles : (float, float)
        The support check's percentiles of the contacts (:func:`core.roi.support.support`).
    min_count : int
        The support check's least count of contacts a category must be seen among.

    Raises
    ------
    DataValidationError
        Both or neither of ``value_per_save`` and ``value_months``; ``value_months`` with an outcome other
        than retention; a value, or months, not above 0; a margin outside 0 to 1; a negative or missing
        budget or cost.
    """

    budget: float
    cost_per_contact: float
    value_per_save: float | None = None
    value_months: float | None = None
    margin: float = 1.0
    outcome: str = RETAINED
    as_of: object = None
    rest_days: int | None = REST_DAYS
    renewing_within_days: int | None = None
    quantiles: tuple[float, float] = SUPPORT_QUANTILES
    min_count: int = SUPPORT_MIN_COUNT

    def __post_init__(self) -> None:
        if (self.value_per_save is None) == (self.value_months is None):
            raise DataValidationError("Give either the value of one save, or the months a saved customer stays "
                                      "(valued at their MRR x months x margin).")
        if self.value_months is not None and self.outcome != RETAINED:
            raise DataValidationError("Valuing a save at MRR x months needs the retention outcome; for "
                                      f"'{self.outcome}' give the value of one unit.")
        if not 0 <= self.margin <= 1:
            raise DataValidationError("The margin must be between 0 and 1 (for example 0.8 for 80 %).")
        if self.value_per_save is not None and not self.value_per_save > 0:
            raise DataValidationError(f"The value of one save must be above 0 (got {self.value_per_save}).")
        if self.value_months is not None and not self.value_months > 0:
            raise DataValidationError("The months a saved customer stays must be above 0.")
        if not self.budget >= 0 or not self.cost_per_contact >= 0:
            raise DataValidationError(f"The budget and the cost of a contact must be zero or more (got {self.budget} "
                                      f"and {self.cost_per_contact}).")


@dataclass
class NextWave:
    """What :func:`next_wave` found.

    Attributes
    ----------
    targets : pandas.DataFrame
        Whom to contact, best first: :data:`WAVE_COLUMNS` (``predicted_uplift`` as a share for a yes/no
        outcome; ``expected_value`` and ``cost`` in money; ``cumulative_cost`` never above the budget).
    funnel : pandas.DataFrame
        ``step, customers, rule``: how many customers each step kept.
    unlike : pandas.DataFrame
        ``customer_id, reason``: the rested candidates left out as unlike the play's contacts, and why.
    budget : float
    """

    targets: pd.DataFrame
    funnel: pd.DataFrame
    unlike: pd.DataFrame
    budget: float

    @property
    def spend(self) -> float:
        """The cost of the listed contacts."""
        return float(self.targets["cost"].sum())

    @property
    def expected_gain(self) -> float:
        """Sum of the predicted uplifts: the extra customers kept (yes/no outcome) or outcome units expected."""
        return float(self.targets["predicted_uplift"].sum())

    @property
    def expected_value(self) -> float:
        """Sum of the listed contacts' expected net values."""
        return float(self.targets["expected_value"].sum())


def model_features(frame: pd.DataFrame) -> tuple[str, ...]:
    """The :data:`FEATURES` the contacts carry (a column with at least one value), in that order: what the page
    and the CLI fit the uplift model on."""
    return tuple(c for c in FEATURES if c in frame and frame[c].notna().any())


def with_saved_risk(engine, frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """``frame`` with each contact's churn risk at contact from the newest saved churn model
    (:func:`core.roi.contact_risk.risk_at_contact`), and that model's latest scores of today's customers;
    ``frame`` unchanged and None when no churn model is saved (the Intervention ROI page does the same, cached)."""
    runs = churn_store.runs(engine)
    if runs.empty:
        return frame, None
    version, threshold = int(runs["version"].iloc[0]), float(runs["threshold"].iloc[0])
    risk = risk_at_contact(load_inputs(engine), churn_store.load_model(engine, version), threshold, frame)
    return (frame.merge(risk[["id", "risk", "risk_tier"]], on="id", how="left"),
            churn_store.latest_scores(engine, version))


def cautions(result, frame: pd.DataFrame, outcome: str = RETAINED, control: str = CONTROL) -> list[str]:
    """Plain warnings about a next-wave list: the play's measured effect (every treated arm against ``control``)
    is not clearly above zero, or the model ranks no better than a random order on contacts it never saw
    (Qini coefficient at or below 0). Empty when neither holds.

    Parameters
    ----------
    result : core.roi.uplift_model.UpliftResult
    frame : pandas.DataFrame
        The play's contacts (:func:`core.roi.outcomes.outcomes`).
    outcome, control : str
    """
    out = []
    rows = measured(frame, outcome)
    t, c = rows.loc[rows["arm"] != control, outcome], rows.loc[rows["arm"] == control, outcome]
    binary = is_binary(rows[outcome])
    d, lo, hi, _ = diff_interval(t, c, binary=binary)

    def fmt(x):
        return f"{100 * x:+.2f} points" if binary else units.money(x, decimals=2, signed=True)

    label = LABELS.get(outcome, outcome).lower()
    if not lo > 0:
        out.append(f"The play's measured effect on {label} is not clearly above zero (95 % interval {fmt(lo)} to "
                   f"{fmt(hi)}): a list ranked by predicted uplift may rest on noise. Run the wave as a new test with "
                   "a holdout rather than count on its gain.")
    if not result.qini_coefficient > 0:
        out.append(f"The uplift model ranks contacts it never saw no better than a random order (Qini coefficient "
                   f"{fmt(result.qini_coefficient)}): the order of the list is not to be trusted.")
    return out


def next_wave(roi_inputs: RoiInputs, frame: pd.DataFrame, model, settings: WaveSettings, *,
              churn_scores: pd.DataFrame | None = None, customer_ids=None) -> NextWave:
    """Whom to contact in the play's next wave (the steps are in the module's docstring).

    Parameters
    ----------
    roi_inputs : core.roi.inputs.RoiInputs
    frame : pandas.DataFrame
        The play's contacts the model was fitted on (:func:`core.roi.outcomes.outcomes`, with ``risk`` from
        :func:`core.roi.contact_risk.risk_at_contact` when the model uses it).
    model : core.roi.uplift_model.UpliftResult
        The fitted uplift model (its ``features`` say what the candidates need).
    settings : WaveSettings
        The budget, the cost of a contact, the value of a save and the rules.
    churn_scores : pandas.DataFrame, optional
        :func:`core.churn.store.latest_scores`: the candidates' ``risk``; needed when the model uses it.
    customer_ids : iterable of str, optional
        Only these customers (for example the page's segment, plan and region filters).
    Returns
    -------
    NextWave

    Raises
    ------
    DataValidationError
        The model uses churn risk and no scores are given (and the settings' own checks, :class:`WaveSettings`).
    InsufficientDataError
        No customer is left after the rules, or no contact of the play is measured.
    """
    s = settings
    features = list(getattr(model, "features", []))
    if "risk" in features and churn_scores is None:
        raise DataValidationError("The uplift model uses churn risk: save a churn model first (Churn drivers page "
                                  "or `python -m core churn --save`), or fit the model without risk.")
    as_of = roi_inputs.end if s.as_of is None else pd.Timestamp(s.as_of).normalize()
    contacts = measured(frame, s.outcome)
    if contacts.empty:
        raise InsufficientDataError("No contact of the play is measured on this outcome: nothing to learn from.")
    keep, steps = _rules(roi_inputs, as_of, s, customer_ids)
    like, unlike, step = _like_the_contacts(roi_inputs, contacts, keep, churn_scores, features, as_of, s)
    value = _values_per_save(like, s)
    worth = _ranked(like, model, np.inf, value, s.cost_per_contact)
    listed = _ranked(like, model, s.budget, value, s.cost_per_contact)
    steps += [step, ("Worth contacting", len(worth), "predicted uplift x value of a save above the cost"),
              ("Within the budget", len(listed), f"highest expected value first, until {s.budget:,.0f} is spent")]
    return NextWave(_targets(listed, like, value), pd.DataFrame(steps, columns=FUNNEL_COLUMNS), unlike, float(s.budget))


# -- the steps -------------------------------------------------------------------------------------------------
def _rules(roi_inputs: RoiInputs, as_of: pd.Timestamp, s: WaveSettings,
           customer_ids) -> tuple[pd.Series, list[Step]]:
    """Steps 1 to 3: the ids of the active customers the rules keep, and a funnel row a step."""
    cust = roi_inputs.customers
    keep = cust.loc[active_mask(cust, as_of), "customer_id"].astype(str)
    steps = [("Active customers", len(keep), f"signed up on or before {as_of:%Y-%m-%d}, not churned by then")]
    if s.renewing_within_days is not None:
        days = int(s.renewing_within_days)
        keep = keep[keep.isin(_renewing(cust, as_of, days))]
        steps.append(("Renewing soon", len(keep), f"renewal date in the next {days} days"))
    if customer_ids is not None:
        keep = keep[keep.isin(pd.Index(list(customer_ids)).astype(str))]
        steps.append(("In the filters", len(keep), "segment, plan and region chosen"))
    if s.rest_days is not None:
        keep = keep[~keep.isin(recently_contacted(roi_inputs.interventions, as_of, s.rest_days))]
        steps.append(("Rested", len(keep), f"no contact made (any play) in the last {int(s.rest_days)} days"))
    if keep.empty:
        raise InsufficientDataError("No customer is left after the rules (" + "; ".join(
            f"{step}: {n:,}" for step, n, _ in steps) + "): loosen them.")
    return keep, steps


def _renewing(customers: pd.DataFrame, as_of: pd.Timestamp, days: int) -> pd.Series:
    """Ids (text) of the customers whose ``renewal_date`` falls in the ``days`` days after ``as_of``."""
    ren = (datetimes(customers["renewal_date"]) if "renewal_date" in customers
           else pd.Series(pd.NaT, index=customers.index))
    soon = (ren > as_of) & (ren <= as_of + pd.Timedelta(days=days))
    return customers.loc[soon.to_numpy(), "customer_id"].astype(str)


def _like_the_contacts(roi_inputs: RoiInputs, contacts: pd.DataFrame, keep: pd.Series, churn_scores,
                       features: list, as_of: pd.Timestamp, s: WaveSettings) -> tuple[pd.DataFrame, pd.DataFrame, Step]:
    """Step 4: the kept customers' features (:func:`core.roi.candidates.candidates_now`) split into those like the
    play's measured contacts and the others with why, and the funnel row."""
    cust = roi_inputs.customers
    cand = candidates_now(roi_inputs, churn_scores, as_of=as_of, customer_ids=keep)
    cand[TENURE] = tenure_months(cust, cand["customer_id"], np.full(len(cand), as_of + pd.Timedelta(days=1)))
    past = contacts.copy()
    past[TENURE] = tenure_months(cust, past["customer_id"], past["date"])
    columns = [*features, *([TENURE] if TENURE not in features else [])]
    why = support(past, cand, columns, quantiles=s.quantiles, min_count=s.min_count)
    like = cand[why == ""].reset_index(drop=True)
    unlike = pd.DataFrame({"customer_id": cand.loc[why != "", "customer_id"].to_numpy(),
                           "reason": why[why != ""].to_numpy()})
    names = plain.features(columns)
    rule = (f"{names[:1].upper() + names[1:]} between the contacts' {ordinal(s.quantiles[0] * 100)} and "
            f"{ordinal(s.quantiles[1] * 100)} percentiles; categories seen among at least {s.min_count} contacts")
    return like, unlike, ("Like the play's contacts", len(like), rule)


def _values_per_save(like: pd.DataFrame, s: WaveSettings) -> np.ndarray:
    """What a save of each candidate is worth: the fixed value, or MRR before contact x months x margin."""
    if s.value_per_save is not None:
        return np.full(len(like), float(s.value_per_save))
    return np.nan_to_num(like["mrr_before"].to_numpy(float)) * float(s.value_months) * s.margin


def _ranked(like: pd.DataFrame, model, budget: float, value: np.ndarray, cost: float) -> pd.DataFrame:
    """Steps 5 and 6: :func:`core.roi.targets.target_list` of the candidates (empty when there are none)."""
    if not len(like):
        return pd.DataFrame(columns=TARGET_COLUMNS)
    return target_list(like, model, budget, cost, value)


def _targets(listed: pd.DataFrame, like: pd.DataFrame, value: np.ndarray) -> pd.DataFrame:
    """The listed customers with their region, risk, MRR, months since signup and value of a save."""
    extra = like.set_index("customer_id")
    targets = listed.copy()
    for c in ("region", "risk", "mrr_before", TENURE):
        targets[c] = extra[c].reindex(targets["customer_id"]).to_numpy() if c in extra else np.nan
    targets["value_per_save"] = pd.Series(value, index=like["customer_id"]).reindex(targets["customer_id"]).to_numpy()
    return targets[WAVE_COLUMNS].reset_index(drop=True)
