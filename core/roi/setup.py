"""The set-up of one play's figures, as the Intervention ROI page, ``python -m core roi`` and the quarterly review
all choose it: the control arm, the outcomes a play can be measured by and the default one, the CUPED covariates
and their defaults, what the Money tab values, the planned holdout share, the retention without the play that a
test is planned around, and the default cost of a contact.

Every choice takes the play's contacts (:func:`core.roi.outcomes.outcomes`) and what the reader gave, and either
returns the default or checks what was given and raises :class:`~core.errors.DataValidationError` naming the
allowed values.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.errors import DataValidationError
from core.roi.defaults import (
    BASELINE_RETENTION,
    HOLDOUT_SHARE,
    LABELS,
    PLANNED_EFFECT,
    PRE_REVENUE,
    PRE_USAGE,
    RETAINED,
    REVENUE,
)
from core.roi.estimates import is_binary
from core.roi.outcomes import default_control, imported_columns, measured, store_outcomes_apply

#: the covariate given to ask for no CUPED adjustment
NO_COVARIATE = "none"
#: the default CUPED covariate of each store outcome (an imported outcome has none by default)
DEFAULT_COVARIATES = {RETAINED: PRE_USAGE, REVENUE: PRE_REVENUE}


def label(col: str) -> str:
    """A column's plain name in lower case (:data:`core.roi.defaults.LABELS`), else the column as imported."""
    return LABELS[col].lower() if col in LABELS else col


def arm_list(frame: pd.DataFrame) -> str:
    """``"treatment (430), holdout (76)"``: the play's arms with their contacts, largest first."""
    return ", ".join(f"{a} ({n:,})" for a, n in frame["arm"].value_counts().items())


def control_arm(frame: pd.DataFrame, play: str, given: str | None = None) -> str:
    """The arm every other arm is compared with: ``given`` (an arm of the play), else ``holdout`` when the play
    has one, else its smallest arm (:func:`core.roi.outcomes.default_control`).

    Raises
    ------
    DataValidationError
        ``given`` is not an arm of the play, or the play has a single arm.
    """
    arms = set(frame["arm"])
    if given is not None and given not in arms:
        raise DataValidationError(f"The play '{play}' has no arm '{given}'. Arms: {arm_list(frame)}.")
    if len(arms) < 2:
        raise DataValidationError(f"The play '{play}' has a single arm ({arm_list(frame)}): there is no control to "
                                  "compare with. Import the held-out customers with the play.")
    return given if given is not None else default_control(frame)


def outcome_choices(frame: pd.DataFrame) -> list[str]:
    """The outcomes a play can be compared by: retention and revenue kept when the store follows its customers
    (:func:`core.roi.outcomes.store_outcomes_apply`), then every numeric column imported with the play."""
    return ([RETAINED, REVENUE] if store_outcomes_apply(frame) else []) + imported_columns(frame)


def no_store_reason(play: str) -> str:
    """Why the store's retention and revenue do not apply to ``play``."""
    return (f"'{play}' has no retention or revenue the store can measure: the store holds no signup, revenue, churn "
            "date or usage of its customers (as for a campaign file that created them)")


def outcome(frame: pd.DataFrame, play: str, given: str | None = None) -> str:
    """The outcome compared: ``given``, else the first of :func:`outcome_choices` (retention for a play the store
    follows, the first imported column for a campaign it does not).

    Raises
    ------
    DataValidationError
        The play has no outcome, or ``given`` is not one of its outcomes.
    """
    choices = outcome_choices(frame)
    if given in (RETAINED, REVENUE) and not store_outcomes_apply(frame) or not choices:
        own = [c for c in choices if c not in (RETAINED, REVENUE)]
        raise DataValidationError(no_store_reason(play) + (
            f"; measure one of the play's own columns instead: {', '.join(own)}." if own else
            ", and no outcome column (such as converted or spend) was imported with the play."))
    if given is None:
        return choices[0]
    measured(frame, given)  # an unknown outcome raises, listing the play's outcomes
    return given


def covariate_choices(frame: pd.DataFrame, outcome_: str) -> list[str]:
    """The CUPED covariates ``outcome_`` can be adjusted on: usage and revenue before the contact when the store
    follows the play, then every other imported column."""
    store = [PRE_USAGE, PRE_REVENUE] if store_outcomes_apply(frame) else []
    return store + [c for c in imported_columns(frame) if c != outcome_]


def default_covariate(frame: pd.DataFrame, outcome_: str) -> str | None:
    """Usage before the contact for retention, revenue before it for revenue kept, none for an imported outcome
    (and none when the store does not follow the play)."""
    want = DEFAULT_COVARIATES.get(outcome_)
    return want if want in covariate_choices(frame, outcome_) else None


def covariate(frame: pd.DataFrame, outcome_: str, given: str | None = None) -> str | None:
    """The CUPED covariate of ``outcome_``: ``given`` (``none`` for the plain estimate), else
    :func:`default_covariate`.

    Raises
    ------
    DataValidationError
        ``given`` is not a value of the play known before the contact.
    """
    if given is None:
        return default_covariate(frame, outcome_)
    if given.strip().lower() == NO_COVARIATE:
        return None
    allowed = covariate_choices(frame, outcome_)
    if given not in allowed:
        raise DataValidationError(f"The covariate {given!r} is not a value of this play known before the contact: "
                                  f"choose {', '.join(allowed + [NO_COVARIATE])}.")
    return given


@dataclass(frozen=True)
class MoneySetup:
    """What :func:`core.roi.money.money` values: the amount and the yes/no outcome, and their CUPED covariates."""

    revenue: str
    retention: str | None
    revenue_covariate: str | None
    retention_covariate: str | None

    def describe(self) -> str:
        """``"revenue kept CUPED on revenue before contact; retention CUPED on usage before contact (log)"``."""
        def one(col: str, cov: str | None) -> str:
            return f"{label(col)} " + (f"CUPED on {label(cov)}" if cov else "without CUPED")

        parts = [one(self.revenue, self.revenue_covariate)]
        if self.retention is not None:
            parts.append(one(self.retention, self.retention_covariate))
        return "; ".join(parts)

    def kwargs(self) -> dict:
        """The keyword arguments of :func:`core.roi.money.money`."""
        return {"revenue": self.revenue, "retention": self.retention,
                "revenue_covariate": self.revenue_covariate, "retention_covariate": self.retention_covariate}


def amount_choices(frame: pd.DataFrame) -> list[str]:
    """The amounts the Money tab can value: revenue kept when the store follows the play, then every imported
    column that is not yes/no (such as spend)."""
    imported = [c for c in imported_columns(frame) if not is_binary(frame[c].dropna())]
    return ([REVENUE] if store_outcomes_apply(frame) else []) + imported


def money_setup(frame: pd.DataFrame, play: str, amount: str | None = None, revenue_covariate: str | None = None,
                cuped: bool = True) -> MoneySetup:
    """What the Money tab values.

    A play the store follows: ``amount`` (default revenue kept) and retention, CUPED on usage before the contact
    for retention and on ``revenue_covariate`` (default :func:`default_covariate`) for the amount. A campaign the
    store does not follow: ``amount`` (default its first imported amount), no customers saved, CUPED only on
    ``revenue_covariate``. ``cuped=False`` (or ``revenue_covariate`` ``none``) gives every plain estimate.

    Raises
    ------
    DataValidationError
        The play has no amount to value, ``amount`` is not one of them, or the covariate is not allowed.
    """
    store, choices = store_outcomes_apply(frame), amount_choices(frame)
    if not choices:
        raise DataValidationError(no_store_reason(play) + ", and no amount to value (such as spend) was imported "
                                  "with the play.")
    if amount is not None and amount not in choices:
        raise DataValidationError(f"The Money tab values an amount: {amount!r} is not one of '{play}'. "
                                  f"Amounts: {', '.join(choices)}.")
    revenue = amount or choices[0]
    retention = RETAINED if store else None
    if not cuped or (revenue_covariate or "").strip().lower() == NO_COVARIATE:
        return MoneySetup(revenue, retention, None, None)
    return MoneySetup(revenue, retention, covariate(frame, revenue, revenue_covariate),
                      PRE_USAGE if store else None)


def planned_share(frame: pd.DataFrame, given: float | None = None) -> float | None:
    """The sample-ratio check's planned control share: ``given``, else :data:`HOLDOUT_SHARE` for a play with two
    arms and None (equal arms) for more."""
    if given is not None:
        return given
    return HOLDOUT_SHARE if frame["arm"].nunique() == 2 else None


def control_rate(frame: pd.DataFrame, control: str) -> float | None:
    """The control arm's retention over the window, kept within 1 % and 99 %, that a test is planned around;
    None when the store does not follow the play or the control arm has no eligible contact."""
    if not store_outcomes_apply(frame):
        return None
    e = measured(frame, RETAINED)
    rate = e.loc[e["arm"] == control, RETAINED].mean()
    return None if pd.isna(rate) else float(min(max(rate, 0.01), 0.99))


def planning_rate(frame: pd.DataFrame, control: str) -> float:
    """:func:`control_rate`, else :data:`BASELINE_RETENTION` (where the page's planner starts)."""
    rate = control_rate(frame, control)
    return BASELINE_RETENTION if rate is None else rate


def planning_effect(p_control: float) -> float:
    """The effect to detect the page's planner starts at for retention ``p_control`` without the play:
    :data:`PLANNED_EFFECT`, or half the room left above ``p_control`` when that is smaller (a play whose holdout keeps
    99 % cannot gain 5 points), rounded down to half a point and at least half a point.

    Examples
    --------
    >>> planning_effect(0.80), planning_effect(0.96), planning_effect(0.99)
    (0.05, 0.02, 0.005)
    """
    half_room = (1.0 - p_control) / 2
    if half_room >= PLANNED_EFFECT:
        return PLANNED_EFFECT
    return max(0.005, int(round(half_room * 200, 9)) / 200)


def contact_cost(frame: pd.DataFrame, control: str) -> float:
    """The default cost of one contact of a next wave: the play's average cost of a treated contact so far
    (0 when none was recorded), to the cent."""
    treated = frame.loc[frame["arm"] != control, "cost"]
    return round(float(treated.mean()), 2) if treated.notna().any() else 0.0
