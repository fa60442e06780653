"""The next wave of a play: whom to contact now, under a budget, ranked by what the uplift model expects to gain.

An uplift model fitted on a play's past contacts (:func:`core.roi.uplift.fit_uplift`) only speaks for
customers like those contacts: a logistic model extrapolates freely (on the demo, the onboarding call's model,
fitted on customers in their second month, predicts uplifts above 0.5 for the riskiest of today's customers).
So :func:`next_wave` narrows today's customers step by step, and reports how many each step keeps
(:attr:`NextWave.funnel`):

1. **Active**: signed up on or before ``as_of`` and not churned by it.
2. **Rules** (optional): renewing within the next N days (the customer's ``renewal_date``), and only the
   customers given (for example the page's segment, plan and region filters).
3. **Rested**: no contact made (any play; held-out rows were not made) in the last ``rest_days`` days.
4. **Like the play's contacts** (:func:`support`): every numeric feature of the model, and the months since
   signup, within the 1st to 99th percentile of the play's measured contacts, and every category seen among
   at least ``min_count`` of them. A customer without a churn score is out when the model uses churn risk.
5. **Worth it**: expected value above 0, where ``expected value = predicted uplift x value of a save - cost``
   (:func:`core.roi.uplift.target_list`); the value of a save is a fixed amount, or the customer's MRR x the
   months a saved customer is assumed to stay x the margin (as :func:`core.roi.effect.money`'s projection).
6. **Within budget**: highest expected value first until the budget is spent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.errors import DataValidationError, InsufficientDataError
from core.roi import effect as roi
from core.roi import uplift as up

#: the months since signup count as a feature of the support check, though the model need not use it
TENURE = "tenure_months"
DAYS_PER_MONTH = 30.4375
SUPPORT_QUANTILES = (0.01, 0.99)
SUPPORT_MIN_COUNT = 10
REST_DAYS = up.FATIGUE_DAYS
#: what the uplift model may use, known before a contact (``risk`` only once a churn model is saved)
FEATURES = ("risk", "segment", "plan", "mrr_before", "pre_usage")
WAVE_COLUMNS = [*up.TARGET_COLUMNS[:3], "region", "risk", "mrr_before", TENURE, "value_per_save",
                *up.TARGET_COLUMNS[3:]]
FUNNEL_COLUMNS = ["step", "customers", "rule"]


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
    (:func:`core.roi.uplift.risk_at_contact`), and that model's latest scores of today's customers; ``frame``
    unchanged and None when no churn model is saved (the Intervention ROI page does the same, cached)."""
    from core.churn import store as churn_store
    from core.history.features import load_inputs

    runs = churn_store.runs(engine)
    if runs.empty:
        return frame, None
    version, threshold = int(runs["version"].iloc[0]), float(runs["threshold"].iloc[0])
    risk = up.risk_at_contact(load_inputs(engine), churn_store.load_model(engine, version), threshold, frame)
    return (frame.merge(risk[["id", "risk", "risk_tier"]], on="id", how="left"),
            churn_store.latest_scores(engine, version))


def tenure_months(customers: pd.DataFrame, customer_ids, dates) -> np.ndarray:
    """Months (of 30.4375 days) from each customer's signup to ``dates``; NaN when the signup is unknown."""
    signup = customers.drop_duplicates("customer_id").set_index(customers["customer_id"].drop_duplicates()
                                                                .astype(str))["signup_date"]
    s = pd.to_datetime(pd.Series(pd.Index(pd.Series(customer_ids).astype(str)).map(signup)))
    d = pd.to_datetime(pd.Series(np.asarray(dates)))
    if not len(d):
        return np.zeros(0)
    return (d.dt.normalize() - s.dt.normalize()).dt.days.to_numpy(float) / DAYS_PER_MONTH  # NaT -> NaN


def support(contacts: pd.DataFrame, candidates: pd.DataFrame, columns: Sequence[str], *,
            quantiles: tuple[float, float] = SUPPORT_QUANTILES, min_count: int = SUPPORT_MIN_COUNT) -> pd.Series:
    """Why each candidate is unlike the contacts ('' when it is like them).

    A numeric column must lie within the contacts' ``quantiles`` (1st to 99th percentile by default;
    a missing value is unlike); a text column's value must be seen among at least ``min_count`` contacts.
    The first column that fails gives the reason.

    Parameters
    ----------
    contacts, candidates : pandas.DataFrame
        Both carry ``columns``.
    columns : sequence of str
    quantiles : (float, float)
    min_count : int

    Returns
    -------
    pandas.Series
        One reason a candidate (index of ``candidates``).

    Raises
    ------
    DataValidationError
        A column is missing from either frame, or the quantiles are not 0 <= low < high <= 1.

    Examples
    --------
    >>> import pandas as pd
    >>> past = pd.DataFrame({"mrr": range(100, 200), "plan": ["Pro"] * 100})
    >>> now = pd.DataFrame({"mrr": [150, 500, 150], "plan": ["Pro", "Pro", "Starter"]})
    >>> support(past, now, ["mrr", "plan"]).tolist()
    ['', 'mrr 500 is above the contacts (99th percentile 199)', "plan 'Starter' is among fewer than 10 contacts"]
    """
    lo_q, hi_q = quantiles
    if not 0 <= lo_q < hi_q <= 1:
        raise DataValidationError(f"The support quantiles must satisfy 0 <= low < high <= 1 (got {quantiles}).")
    missing = [c for c in columns if c not in contacts or c not in candidates]
    if missing:
        raise DataValidationError(f"Column(s) {', '.join(missing)} are missing from the contacts or the candidates.")
    reason = pd.Series("", index=candidates.index, dtype=object)
    for c in columns:
        x = candidates[c]
        free = reason == ""
        if pd.api.types.is_numeric_dtype(contacts[c]) and not pd.api.types.is_bool_dtype(contacts[c]):
            seen = pd.to_numeric(contacts[c], errors="coerce").dropna()
            v = pd.to_numeric(x, errors="coerce")
            if seen.empty:
                reason[free] = f"no contact has a {c}"
                continue
            lo, hi = seen.quantile(lo_q), seen.quantile(hi_q)
            pct = (f"{_ordinal(lo_q * 100)} percentile {_short(lo)}", f"{_ordinal(hi_q * 100)} percentile {_short(hi)}")
            reason[free & v.isna()] = f"no {c}"
            below, above = free & (v < lo), free & (v > hi)
            reason[below] = [f"{c} {_short(a)} is below the contacts ({pct[0]})" for a in v[below]]
            reason[above] = [f"{c} {_short(a)} is above the contacts ({pct[1]})" for a in v[above]]
        else:
            counts = contacts[c].astype(str).value_counts()
            ok = x.astype(str).map(counts).fillna(0) >= min_count
            bad = free & (~ok | x.isna())
            reason[bad] = [f"{c} '{a}' is among fewer than {min_count} contacts" for a in x[bad]]
    return reason


def _ordinal(x: float) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th', 99 -> '99th', 2.5 -> '2.5th'."""
    if x != int(x):
        return f"{x:g}th"
    n = int(x)
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def cautions(result, frame: pd.DataFrame, outcome: str = roi.RETAINED, control: str = roi.CONTROL) -> list[str]:
    """Plain warnings about a next-wave list: the play's measured effect (every treated arm against ``control``)
    is not clearly above zero, or the model ranks no better than a random order on contacts it never saw
    (Qini coefficient at or below 0). Empty when neither holds.

    Parameters
    ----------
    result : core.roi.uplift.UpliftResult
    frame : pandas.DataFrame
        The play's contacts (:func:`core.roi.effect.outcomes`).
    outcome, control : str
    """
    out = []
    rows = roi.measured(frame, outcome)
    t, c = rows.loc[rows["arm"] != control, outcome], rows.loc[rows["arm"] == control, outcome]
    binary = roi.is_binary(rows[outcome])
    d, lo, hi, _ = roi.diff_interval(t, c, binary=binary)

    def fmt(x):
        return f"{100 * x:+.2f} points" if binary else f"{x:+,.3g}"

    if not lo > 0:
        out.append(f"The play's measured effect on {outcome} is not clearly above zero (95 % interval {fmt(lo)} to "
                   f"{fmt(hi)}): a list ranked by predicted uplift may rest on noise. Run the wave as a new test with "
                   "a holdout rather than count on its gain.")
    if not result.qini_coefficient > 0:
        out.append(f"The uplift model ranks contacts it never saw no better than a random order (Qini coefficient "
                   f"{fmt(result.qini_coefficient)}): the order of the list is not to be trusted.")
    return out


def _short(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def next_wave(roi_inputs: roi.RoiInputs, frame: pd.DataFrame, model, *, budget: float, cost_per_contact: float,
              value_per_save: float | None = None, value_months: float | None = None, margin: float = 1.0,
              outcome: str = roi.RETAINED, churn_scores: pd.DataFrame | None = None, as_of=None,
              rest_days: int | None = REST_DAYS, renewing_within_days: int | None = None, customer_ids=None,
              quantiles: tuple[float, float] = SUPPORT_QUANTILES, min_count: int = SUPPORT_MIN_COUNT) -> NextWave:
    """Whom to contact in the play's next wave, under ``budget`` (the steps are in the module's docstring).

    Parameters
    ----------
    roi_inputs : core.roi.effect.RoiInputs
    frame : pandas.DataFrame
        The play's contacts the model was fitted on (:func:`core.roi.effect.outcomes`, with ``risk`` from
        :func:`core.roi.uplift.risk_at_contact` when the model uses it).
    model : core.roi.uplift.UpliftResult
        The fitted uplift model (its ``features`` say what the candidates need).
    budget : float
        Money for the wave (at least 0).
    cost_per_contact : float
        What one contact costs (at least 0).
    value_per_save, value_months, margin
        Give ``value_per_save`` (what one more unit of the outcome is worth: one more retained customer,
        one more conversion, one more unit of an amount), or ``value_months`` for a retention outcome: a save
        is worth the customer's MRR before contact x ``value_months`` x ``margin``.
    outcome : str
        The model's outcome (for the checks above).
    churn_scores : pandas.DataFrame, optional
        :func:`core.churn.store.latest_scores`: the candidates' ``risk``; needed when the model uses it.
    as_of : date-like, optional
        Default the end of the data: the wave goes out the next day.
    rest_days : int or None
        Leave out customers with a contact made in the last this many days (None: keep them).
    renewing_within_days : int or None
        Only customers whose ``renewal_date`` falls in the next this many days.
    customer_ids : iterable of str, optional
        Only these customers.
    quantiles, min_count
        The support check (:func:`support`).

    Returns
    -------
    NextWave

    Raises
    ------
    DataValidationError
        Both or neither of ``value_per_save`` and ``value_months``; ``value_months`` with an outcome other
        than retention; a margin outside 0 to 1; the model uses churn risk and no scores are given.
    InsufficientDataError
        No customer is left after the rules, or no contact of the play is measured.
    """
    features = list(getattr(model, "features", []))
    if (value_per_save is None) == (value_months is None):
        raise DataValidationError("Give either the value of one save, or the months a saved customer stays "
                                  "(valued at their MRR x months x margin).")
    if value_months is not None and outcome != roi.RETAINED:
        raise DataValidationError("Valuing a save at MRR x months needs the retention outcome; for "
                                  f"'{outcome}' give the value of one unit.")
    if not 0 <= margin <= 1:
        raise DataValidationError("The margin must be between 0 and 1 (for example 0.8 for 80 %).")
    if value_per_save is not None and not value_per_save > 0:
        raise DataValidationError(f"The value of one save must be above 0 (got {value_per_save}).")
    if value_months is not None and not value_months > 0:
        raise DataValidationError("The months a saved customer stays must be above 0.")
    if not budget >= 0 or not cost_per_contact >= 0:
        raise DataValidationError(f"The budget and the cost of a contact must be zero or more (got {budget} and "
                                  f"{cost_per_contact}).")
    if "risk" in features and churn_scores is None:
        raise DataValidationError("The uplift model uses churn risk: save a churn model first (Churn drivers page "
                                  "or `python -m core churn --save`), or fit the model without risk.")
    as_of = roi_inputs.end if as_of is None else pd.Timestamp(as_of).normalize()
    contacts = roi.measured(frame, outcome)
    if contacts.empty:
        raise InsufficientDataError("No contact of the play is measured on this outcome: nothing to learn from.")

    cust = roi_inputs.customers
    steps = []
    active = (cust["signup_date"] <= as_of) & (cust["churn_date"].isna() | (cust["churn_date"] > as_of))
    keep = cust.loc[active.to_numpy(), "customer_id"].astype(str)
    steps.append(("Active customers", len(keep), f"signed up on or before {as_of:%Y-%m-%d}, not churned by then"))
    if renewing_within_days is not None:
        ren = pd.to_datetime(cust["renewal_date"]) if "renewal_date" in cust else pd.Series(pd.NaT, index=cust.index)
        soon = (ren > as_of) & (ren <= as_of + pd.Timedelta(days=int(renewing_within_days)))
        keep = keep[keep.isin(cust.loc[soon.to_numpy(), "customer_id"].astype(str))]
        steps.append(("Renewing soon", len(keep), f"renewal date in the next {int(renewing_within_days)} days"))
    if customer_ids is not None:
        keep = keep[keep.isin(pd.Index(list(customer_ids)).astype(str))]
        steps.append(("In the filters", len(keep), "segment, plan and region chosen"))
    if rest_days is not None:
        iv = roi_inputs.interventions
        made = iv[iv["arm"].astype(str) != roi.CONTROL] if "arm" in iv else iv
        recent = made[(made["date"] <= as_of) & (made["date"] > as_of - pd.Timedelta(days=int(rest_days)))]
        keep = keep[~keep.isin(recent["customer_id"].astype(str))]
        steps.append(("Rested", len(keep), f"no contact made (any play) in the last {int(rest_days)} days"))
    if keep.empty:
        raise InsufficientDataError("No customer is left after the rules (" + "; ".join(
            f"{s}: {n:,}" for s, n, _ in steps) + "): loosen them.")
    cand = up.candidates_now(roi_inputs, churn_scores, as_of=as_of, customer_ids=keep)
    cand[TENURE] = tenure_months(cust, cand["customer_id"], np.full(len(cand), as_of + pd.Timedelta(days=1)))
    past = contacts.copy()
    past[TENURE] = tenure_months(cust, past["customer_id"], past["date"])
    columns = [*features, *([TENURE] if TENURE not in features else [])]
    why = support(past, cand, columns, quantiles=quantiles, min_count=min_count)
    like = cand[why == ""].reset_index(drop=True)
    unlike = pd.DataFrame({"customer_id": cand.loc[why != "", "customer_id"].to_numpy(),
                           "reason": why[why != ""].to_numpy()})
    steps.append(("Like the play's contacts", len(like),
                  f"{', '.join(columns)} between the contacts' {_ordinal(quantiles[0] * 100)} and "
                  f"{_ordinal(quantiles[1] * 100)} percentiles; categories seen among at least {min_count} contacts"))
    value = (np.full(len(like), float(value_per_save)) if value_per_save is not None
             else np.nan_to_num(like["mrr_before"].to_numpy(float)) * float(value_months) * margin)
    if len(like):
        every = up.target_list(like, model, np.inf, cost_per_contact, value)
        listed = up.target_list(like, model, budget, cost_per_contact, value)
    else:
        every = listed = pd.DataFrame(columns=up.TARGET_COLUMNS)
    steps.append(("Worth contacting", len(every), "predicted uplift x value of a save above the cost"))
    steps.append(("Within the budget", len(listed), f"highest expected value first, until {budget:,.0f} is spent"))
    extra = like.set_index("customer_id")
    targets = listed.copy()
    for c in ("region", "risk", "mrr_before", TENURE):
        targets[c] = extra[c].reindex(targets["customer_id"]).to_numpy() if c in extra else np.nan
    targets["value_per_save"] = pd.Series(value, index=like["customer_id"]).reindex(targets["customer_id"]).to_numpy()
    funnel = pd.DataFrame(steps, columns=FUNNEL_COLUMNS)
    return NextWave(targets[WAVE_COLUMNS].reset_index(drop=True), funnel, unlike, float(budget))
