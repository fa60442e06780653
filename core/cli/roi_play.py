"""One play of ``python -m core roi``: its contacts and control arm (:class:`Play`), and the outcome,
covariate and planned holdout share its figures use (chosen as the Intervention ROI page does)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.cli.roi_options import HOLDOUT_SHARE
from core.errors import DataValidationError
from core.roi.defaults import CONTROL, PRE_REVENUE, PRE_USAGE, RETAINED, REVENUE
from core.roi.outcomes import arms as treatment_arms
from core.roi.outcomes import default_control, imported_columns, measured, store_outcomes_apply


@dataclass
class Play:
    """One play's contacts with their outcomes (:func:`core.roi.outcomes.outcomes`) and its control arm."""

    name: str
    frame: pd.DataFrame
    control: str
    window: int
    control_given: bool

    @property
    def store(self) -> bool:
        """Whether the store's retention and revenue apply (:func:`core.roi.outcomes.store_outcomes_apply`)."""
        return store_outcomes_apply(self.frame)

    @property
    def arms(self) -> list[str]:
        return treatment_arms(self.frame, self.control)

    def line(self) -> str:
        """``"Renewal save offer: 506 contacts from ... (email); arms treatment 430, holdout 76; control arm ..."``."""
        f = self.frame
        counts = f["arm"].value_counts()
        channel = ", ".join(sorted(map(str, f["channel"].dropna().unique())))
        why = ""
        if not self.control_given and self.control != CONTROL:
            why = " (the smallest arm, as no arm is called holdout; choose another with --control)"
        return (f"{self.name}: {len(f):,} contacts from {f['date'].min():%Y-%m-%d} to {f['date'].max():%Y-%m-%d}"
                + (f" ({channel})" if channel else "") + "; arms " + ", ".join(f"{a} {n:,}" for a, n in counts.items())
                + f"; control arm '{self.control}'{why}")


def control_arm(frame: pd.DataFrame, play: str, given: str | None) -> str:
    """The control arm: ``given`` (which must be an arm of the play) or :func:`core.roi.outcomes.default_control`."""
    counts = frame["arm"].value_counts()
    arms = ", ".join(f"{a} ({n:,})" for a, n in counts.items())
    if given is not None and given not in counts.index:
        raise DataValidationError(f"The play '{play}' has no arm '{given}'. Arms: {arms}.")
    if len(counts) < 2:
        raise DataValidationError(f"The play '{play}' has a single arm ({arms}): there is no control to compare "
                                  "with. Import the held-out customers with the play.")
    return given if given is not None else default_control(frame)


def no_store(frame: pd.DataFrame, play: str, window: int) -> str:
    """Why the store's retention and revenue do not apply to ``play``
    (:func:`core.roi.outcomes.store_outcomes_apply`)."""
    return (f"'{play}' has no retention or revenue the store can measure: the store holds no signup, revenue, churn "
            "date or usage of its customers (as for a campaign file that created them)")


def outcome_for(frame: pd.DataFrame, play: str, given: str | None, window: int) -> str:
    """The outcome to compare: ``given``, else ``retained`` (the first imported column when the store's outcomes
    do not apply, as the page does)."""
    store, imported = store_outcomes_apply(frame), imported_columns(frame)
    if given is None:
        if store or not imported:
            given = RETAINED
        else:
            return imported[0]
    if given in (RETAINED, REVENUE) and not store:
        if imported:
            raise DataValidationError(no_store(frame, play, window) + "; or measure one of the play's own columns "
                                      f"with --outcome: {', '.join(imported)}.")
        raise DataValidationError(no_store(frame, play, window) + ", and no outcome column (such as converted or "
                                  "spend) was imported with the play.")
    measured(frame, given)  # an unknown outcome raises, listing the play's outcomes
    return given


def require_store(frame: pd.DataFrame, play: str, window: int, what: str) -> None:
    if not store_outcomes_apply(frame):
        raise DataValidationError(f"{what} needs the churn dates of the play's customers: " + no_store(frame, play,
                                                                                                          window) + ".")


def covariate_for(frame: pd.DataFrame, outcome: str, given: str | None) -> str | None:
    """The CUPED covariate: ``given`` (``none`` for no adjustment) or the outcome's default."""
    if given is None:
        return {RETAINED: PRE_USAGE, REVENUE: PRE_REVENUE}.get(outcome)
    if given.strip().lower() == "none":
        return None
    allowed = ([PRE_USAGE, PRE_REVENUE] if store_outcomes_apply(frame) else []) + [
        c for c in imported_columns(frame) if c != outcome]
    if given not in allowed:
        raise DataValidationError(f"--covariate {given!r} is not a value of this play known before the contact: "
                                  f"choose {', '.join(allowed + ['none'])}.")
    return given


def planned_share(frame: pd.DataFrame, given: float | None) -> float | None:
    """The sample-ratio check's planned control share: ``given``, else :data:`HOLDOUT_SHARE` for a play with two
    arms and None (equal arms) for more, as the Intervention ROI page."""
    if given is not None:
        return given
    return HOLDOUT_SHARE if frame["arm"].nunique() == 2 else None
