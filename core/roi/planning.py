"""Planning a play: the power of a retention test, the contacts it needs, the smallest effect it detects.

Power uses the normal approximation on Cohen's h, as statsmodels' ``NormalIndPower``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from scipy.optimize import brentq

from core.errors import DataValidationError
from core.export import units
from core.roi.defaults import ALPHA


def _h(p1: float, p2: float) -> float:
    """Cohen's h, the arcsine effect size of two proportions."""
    return 2 * np.arcsin(np.sqrt(p1)) - 2 * np.arcsin(np.sqrt(p2))


def power(p_control: float, effect: float, n_treatment: float, n_control: float, *, alpha: float = ALPHA) -> float:
    """Chance that a two-sided test at ``alpha`` detects ``effect`` (points of retention added by the play)
    with these arm sizes (normal approximation on Cohen's h, as statsmodels' ``NormalIndPower``)."""
    h = abs(_h(p_control + effect, p_control))
    n_eff = 1 / (1 / n_treatment + 1 / n_control)
    crit = stats.norm.ppf(1 - alpha / 2)
    return float(stats.norm.sf(crit - h * np.sqrt(n_eff)) + stats.norm.cdf(-crit - h * np.sqrt(n_eff)))


def _check_plan(p_control: float, effect: float, holdout_share: float, power_target: float, alpha: float) -> None:
    """Raise :class:`~core.errors.DataValidationError` when a plan's rates, shares or levels are out of range."""
    if not 0 < p_control < 1 or not 0 < p_control + effect <= 1 or effect == 0:
        raise DataValidationError(
            f"Retention without the play and with it must lie between {units.percent(0, 0)} and "
            f"{units.percent(1, 0)}, and the effect must not be zero: got {units.percent(p_control)} without the play "
            f"and {units.percent(p_control + effect)} with it (an effect of {units.points(effect)}).")
    if not 0 < holdout_share < 1:
        raise DataValidationError(f"The holdout share must lie between {units.percent(0, 0)} and "
                                  f"{units.percent(1, 0)} (got {units.percent(holdout_share)}; "
                                  f"{units.percent(0.15, 0)} is usual).")
    if not 0 < power_target < 1 or not 0 < alpha < 1:
        raise DataValidationError(f"Power and significance level must lie between {units.percent(0, 0)} and "
                                  f"{units.percent(1, 0)} (got {units.percent(power_target)} power and "
                                  f"{units.percent(alpha)} significance).")


def sample_size(p_control: float, effect: float, *, holdout_share: float = 0.15, alpha: float = ALPHA,
                power_target: float = 0.8, contacts_per_month: float | None = None) -> dict:
    """Contacts needed to detect ``effect`` with ``power_target``, and how long the play must run.

    Parameters
    ----------
    p_control : float
        Retention expected without the play (the holdout's rate), between 0 and 1.
    effect : float
        Retention points the play should add (0.05 = five points).
    holdout_share : float
        Share of contacts held out.
    contacts_per_month : float, optional
        Contacts the play makes a month (eligible customers); gives the duration.

    Returns
    -------
    dict
        ``n_treatment, n_holdout, n_total`` (whole contacts, rounded up) and ``months`` (NaN without
        ``contacts_per_month``).
    """
    _check_plan(p_control, effect, holdout_share, power_target, alpha)
    ratio = holdout_share / (1 - holdout_share)

    def gap(n1):
        return power(p_control, effect, n1, n1 * ratio, alpha=alpha) - power_target

    hi = 10.0
    while gap(hi) < 0:
        hi *= 10
        if hi > 1e12:
            raise DataValidationError("The effect is too small to detect with any realistic number of contacts.")
    n1 = brentq(gap, 1e-6, hi, xtol=1e-9)
    n_t, n_h = int(np.ceil(n1 - 1e-9)), int(np.ceil(n1 * ratio - 1e-9))
    total = n_t + n_h
    months = total / contacts_per_month if contacts_per_month else np.nan
    return {"n_treatment_exact": float(n1), "n_treatment": n_t, "n_holdout": n_h, "n_total": total,
            "months": float(months)}


def detectable_effect(p_control: float, n_treatment: int, n_control: int, *, alpha: float = ALPHA,
                      power_target: float = 0.8) -> float:
    """The smallest retention gain (points) these arm sizes detect with ``power_target``."""
    if n_treatment < 2 or n_control < 2 or not 0 < p_control < 1:
        return np.nan
    top = 1 - p_control
    if power(p_control, top, n_treatment, n_control, alpha=alpha) < power_target:
        return np.nan
    return float(brentq(lambda e: power(p_control, e, n_treatment, n_control, alpha=alpha) - power_target,
                        1e-9, top, xtol=1e-10))


def power_curve(p_control: float, effect: float, *, holdout_share: float = 0.15, alpha: float = ALPHA,
                up_to: int | None = None, points: int = 60) -> pd.DataFrame:
    """Power against total contacts (``contacts, power``), up to ``up_to`` (default: twice the 80 % size)."""
    if up_to is None:
        up_to = 2 * sample_size(p_control, effect, holdout_share=holdout_share, alpha=alpha)["n_total"]
    total = np.unique(np.linspace(max(4, up_to / points), up_to, points).round().astype(int))
    pw = [power(p_control, effect, n * (1 - holdout_share), n * holdout_share, alpha=alpha) for n in total]
    return pd.DataFrame({"contacts": total, "power": pw})


def monthly_contacts(frame: pd.DataFrame) -> float:
    """Average contacts a month over the play's run (first to last contact month)."""
    months = frame["date"].dt.to_period("M")
    span = (months.max() - months.min()).n + 1 if len(frame) else 0
    return len(frame) / span if span else np.nan
