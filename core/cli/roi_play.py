"""One play of ``python -m core roi``: its contacts and control arm (:class:`Play`), and the outcome,
covariate and planned holdout share its figures use, chosen by :mod:`core.roi.setup` as the Intervention ROI page
and the quarterly review choose them."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.errors import DataValidationError
from core.export import units
from core.roi import setup
from core.roi.defaults import CONTROL
from core.roi.outcomes import arms as treatment_arms
from core.roi.outcomes import store_outcomes_apply


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
        return (f"{self.name}: {units.count(len(f))} contacts from {f['date'].min():%Y-%m-%d} to "
                f"{f['date'].max():%Y-%m-%d}" + (f" ({channel})" if channel else "") + "; arms "
                + ", ".join(f"{a} {units.count(n)}" for a, n in counts.items())
                + f"; control arm '{self.control}'{why}")


def require_store(frame: pd.DataFrame, play: str, window: int, what: str) -> None:
    if not store_outcomes_apply(frame):
        raise DataValidationError(f"{what} needs the churn dates of the play's customers: "
                                  + setup.no_store_reason(play) + ".")
