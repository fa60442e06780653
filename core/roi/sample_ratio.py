"""The sample-ratio check of a play: do its arm sizes fit the planned split?"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from core.errors import DataValidationError
from core.export import units
from core.roi.defaults import CONTROL


def srm(frame: pd.DataFrame, *, control: str = CONTROL, holdout_share: float | None = None) -> dict:
    """Sample-ratio-mismatch check: a chi-square test of the arm sizes against the planned split.

    Parameters
    ----------
    holdout_share : float, optional
        Planned share of the control arm (the rest split equally among treatment arms). Without it,
        all arms were planned equal.

    Returns
    -------
    dict
        ``counts`` (arm -> contacts), ``expected`` (arm -> planned count), ``chi2``, ``p_value`` and
        ``mismatch`` (p below 0.001, the usual alarm level: the assignment or the logging is broken and
        the estimates should not be trusted).
    """
    counts = frame["arm"].value_counts()
    names = [control] + [a for a in counts.index if a != control] if control in counts.index else list(counts.index)
    obs = np.array([counts.get(a, 0) for a in names], float)
    k = len(names)
    if holdout_share is not None and control in counts.index and k > 1:
        if not 0 < holdout_share < 1:
            raise DataValidationError(f"The planned holdout share must lie between {units.percent(0, 0)} and "
                                      f"{units.percent(1, 0)} (got {units.percent(holdout_share)}; "
                                      f"{units.percent(0.15, 0)} is usual).")
        shares = np.r_[holdout_share, np.full(k - 1, (1 - holdout_share) / (k - 1))]
    else:
        shares = np.full(k, 1 / k)
    expected = shares * obs.sum()
    if k < 2:
        chi2, p = 0.0, 1.0
    else:
        chi2, p = stats.chisquare(obs, expected)
    return {"counts": dict(zip(names, obs.astype(int).tolist())), "expected": dict(zip(names, expected.tolist())),
            "chi2": float(chi2), "p_value": float(p), "mismatch": bool(p < 0.001)}
