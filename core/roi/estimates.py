"""The effect of a play: each treatment arm's mean minus the control arm's, plain and with CUPED.

The estimate (:func:`compare`) is the difference of the treatment arm's mean and the control arm's
mean with a 95 % interval: Wald's for a yes/no outcome, Welch's for an amount. **CUPED** subtracts
``theta * (x - mean(x))`` from each outcome, ``x`` a value fixed before the contact (revenue or usage
in the ``pre_days`` before it) and ``theta = cov(y, x) / var(x)`` over both arms; the difference
stays unbiased (randomisation makes ``x`` balanced) and its interval narrows by the share of the
outcome's variance that ``x`` explains.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from core.errors import InsufficientDataError
from core.roi.defaults import ALPHA, CONTROL, RETAINED, REVENUE
from core.roi.outcomes import arms, measured


def is_binary(y) -> bool:
    """Whether every value given (NaN left out) is 0 or 1, and there is at least one."""
    y = np.asarray(y, float)
    y = y[~np.isnan(y)]
    return bool(len(y)) and bool(np.isin(y, (0.0, 1.0)).all())


def diff_interval(y_t, y_c, *, binary: bool | None = None, alpha: float = ALPHA) -> tuple[float, float, float, float]:
    """Difference of means (treatment minus control), its interval and two-sided p-value.

    A yes/no outcome (``binary``; by default: every value is 0 or 1) gets Wald's interval,
    ``d +- z * sqrt(v_t / n_t + v_c / n_c)`` with the arms' variances ``v = p (1 - p)`` (as ``statsmodels``
    ``confint_proportions_2indep(method="wald")``; CUPED-adjusted yes/no outcomes keep this form with
    their own variances); an amount gets Welch's t interval with Welch-Satterthwaite degrees of freedom.

    Returns
    -------
    tuple
        ``(difference, low, high, p_value)``; NaN when an arm has fewer than two rows.
    """
    y_t, y_c = np.asarray(y_t, float), np.asarray(y_c, float)
    n_t, n_c = len(y_t), len(y_c)
    if n_t < 2 or n_c < 2:
        return (np.nan,) * 4
    if binary is None:
        binary = is_binary(np.r_[y_t, y_c])
    ddof = 0 if binary else 1
    return interval_from_moments(y_t.mean() - y_c.mean(), y_t.var(ddof=ddof), y_c.var(ddof=ddof), n_t, n_c,
                                 binary=binary, alpha=alpha)


def interval_from_moments(d: float, var_t: float, var_c: float, n_t: int, n_c: int, *, binary: bool,
                          alpha: float = ALPHA) -> tuple[float, float, float, float]:
    """:func:`diff_interval` from the arms' moments: the difference of means ``d``, each arm's variance and size.

    Parameters
    ----------
    d : float
        Treatment mean minus control mean.
    var_t, var_c : float
        Each arm's variance: ``ddof=0`` for a yes/no outcome (Wald's ``p (1 - p)``), ``ddof=1`` for an amount
        (Welch's).
    n_t, n_c : int
        The arms' sizes, two or more each.
    binary : bool
        Wald's normal interval (yes/no) or Welch's t interval (amount).

    Returns
    -------
    tuple
        ``(difference, low, high, p_value)``.
    """
    v_t, v_c = var_t / n_t, var_c / n_c
    se = np.sqrt(v_t + v_c)
    if binary:
        q = stats.norm.ppf(1 - alpha / 2)
        p = 2 * stats.norm.sf(abs(d) / se) if se > 0 else (1.0 if d == 0 else 0.0)
    else:
        df = (v_t + v_c) ** 2 / (v_t ** 2 / (n_t - 1) + v_c ** 2 / (n_c - 1)) if se > 0 else np.inf
        q = stats.t.ppf(1 - alpha / 2, df)
        p = 2 * stats.t.sf(abs(d) / se, df) if se > 0 else (1.0 if d == 0 else 0.0)
    return float(d), float(d - q * se), float(d + q * se), float(p)


def check_control(n_control: int, control: str, outcome: str) -> None:
    """Raise :class:`~core.errors.InsufficientDataError` when the control arm has fewer than two measured rows."""
    if n_control < 2:
        raise InsufficientDataError(
            f"The control arm '{control}' has {n_control} measured contacts; at least two are needed. "
            + ("Choose a shorter window, or " if outcome in (RETAINED, REVENUE) else "")
            + "pick the arm that was held out.")


def cuped(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, float]:
    """CUPED-adjusted outcomes ``y - theta (x - mean(x))`` and ``theta = cov(y, x) / var(x)``.

    Missing ``x`` takes the mean (no adjustment for that row); a constant ``x`` gives ``theta = 0``.
    """
    y, x = np.asarray(y, float), np.asarray(x, float)
    x = np.where(np.isnan(x), np.nanmean(x) if (~np.isnan(x)).any() else 0.0, x)
    vx = x.var(ddof=1) if len(x) > 1 else 0.0
    theta = float(np.cov(y, x, ddof=1)[0, 1] / vx) if vx > 0 else 0.0
    return y - theta * (x - x.mean()), theta


def _cuped_columns(t: pd.DataFrame, ctrl: pd.DataFrame, outcome: str, covariate: str, *, binary: bool,
                   alpha: float, plain: tuple[float, float]) -> dict:
    """:func:`compare`'s CUPED columns of one arm; ``plain`` is the plain interval ``(low, high)``."""
    both = pd.concat([t, ctrl])
    adj, theta = cuped(both[outcome].to_numpy(float), both[covariate].to_numpy(float))
    a_t, a_c = adj[:len(t)], adj[len(t):]
    # the same interval family as the plain estimate, so the two widths compare like for like
    cd, clo, chi, cp = diff_interval(a_t, a_c, binary=binary, alpha=alpha)
    return {"theta": theta, "cuped_difference": cd, "cuped_low": clo, "cuped_high": chi, "cuped_p_value": cp,
            "variance_reduction": variance_reduction(plain, (clo, chi))}


def variance_reduction(plain: tuple[float, float], adjusted: tuple[float, float]) -> float:
    """1 - the adjusted interval's squared half-width / the plain one's (NaN when the plain interval has none)."""
    plain_var = ((plain[1] - plain[0]) / 2) ** 2
    return 1 - ((adjusted[1] - adjusted[0]) / 2) ** 2 / plain_var if plain_var > 0 else np.nan


def compare(frame: pd.DataFrame, outcome: str = RETAINED, *, control: str = CONTROL, covariate: str | None = None,
            alpha: float = ALPHA) -> pd.DataFrame:
    """Each treatment arm against the control arm on ``outcome``, plain and (with ``covariate``) CUPED.

    Parameters
    ----------
    frame : pandas.DataFrame
        :func:`core.roi.outcomes.outcomes` of one play.
    outcome : str
        ``retained``, ``revenue_kept`` or an imported numeric column.
    control : str
        The arm every other arm is compared with.
    covariate : str, optional
        A pre-period column (``pre_revenue``, ``pre_usage`` or an imported one) for CUPED.

    Returns
    -------
    pandas.DataFrame
        One row per treatment arm: ``arm, n, n_control, treatment, control, difference, low, high,
        p_value`` and, with a covariate, ``theta, cuped_difference, cuped_low, cuped_high, cuped_p_value,
        variance_reduction`` (1 - CUPED variance / plain variance, the share of the interval's
        squared width saved).

    Raises
    ------
    InsufficientDataError
        When the control arm has fewer than two measured rows.
    """
    rows = measured(frame, outcome)
    ctrl = rows[rows["arm"] == control]
    check_control(len(ctrl), control, outcome)
    binary = is_binary(rows[outcome])
    out = []
    for arm in arms(rows, control):
        t = rows[rows["arm"] == arm]
        d, lo, hi, p = diff_interval(t[outcome], ctrl[outcome], binary=binary, alpha=alpha)
        r = {"arm": arm, "n": len(t), "n_control": len(ctrl), "treatment": t[outcome].mean(),
             "control": ctrl[outcome].mean(), "difference": d, "low": lo, "high": hi, "p_value": p}
        if covariate is not None:
            r.update(_cuped_columns(t, ctrl, outcome, covariate, binary=binary, alpha=alpha, plain=(lo, hi)))
        out.append(r)
    return pd.DataFrame(out)


def estimates_long(comp: pd.DataFrame) -> pd.DataFrame:
    """:func:`compare`'s table as ``arm, estimate, difference, low, high``: one row per arm and estimate
    (``plain``, and ``CUPED`` when it was computed), for charts and exports."""
    cols = ["arm", "estimate", "difference", "low", "high"]
    parts = [comp.assign(estimate="plain")[cols]]
    if "cuped_difference" in comp:
        parts.append(pd.DataFrame({"arm": comp["arm"], "estimate": "CUPED", "difference": comp["cuped_difference"],
                                   "low": comp["cuped_low"], "high": comp["cuped_high"]}))
    return pd.concat(parts, ignore_index=True)
