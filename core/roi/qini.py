"""How well an uplift ranking targets: Radcliffe's Qini curve and the Qini coefficient.

* **Qini curve** (:func:`qini_curve`): sort contacts by score, highest first; after the top ``k``
  contacts, ``qini(k) = Y_t(k) - Y_c(k) * N_t(k) / N_c(k)`` where ``Y`` sums the outcome and ``N`` counts
  contacts of each arm among the top ``k`` (the control term is 0 while ``N_c(k) = 0``): the extra
  successes targeting those ``k`` brought, in treated-contact units. Tied scores enter together. The
  **random** line joins (0, 0) to (1, qini(N)), what a random order gains on average.
* **Qini coefficient** (:func:`qini_coefficient`): the area between the Qini curve and the random line
  over the share targeted (0 to 1), divided by the number of treated contacts. It is in outcome units
  (retention points for ``retained``): the average, over targeting depths, of the extra uplift per treated
  contact the ranking buys over a random order. 0 for a random ranking, negative for a harmful one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.errors import DataValidationError, InsufficientDataError
from core.roi.arms import measured_arms
from core.roi.defaults import CONTROL, RETAINED


def qini_curve(frame: pd.DataFrame, score, outcome: str = RETAINED, control: str = CONTROL) -> pd.DataFrame:
    """Radcliffe's Qini curve of a ranking of the contacts, and the random line (see the module docstring).

    Parameters
    ----------
    frame : pandas.DataFrame
        Contacts with ``arm`` and the outcome (measured rows are used, as :func:`core.roi.outcomes.measured`).
    score : str or array-like
        A column of ``frame`` or one value per row of ``frame``; higher = target first.
    outcome : str
        The outcome summed (``retained``: successes are retained customers).
    control : str
        The held-out arm; every other arm counts as treated.

    Returns
    -------
    pandas.DataFrame
        From the origin, one row per distinct score (tied contacts enter together), highest first:
        ``targeted`` (contacts in the top), ``treated, control`` (of which in each arm),
        ``share_targeted`` (targeted / all), ``qini`` (extra successes:
        ``Y_t - Y_c * N_t / N_c`` over the top) and ``random`` (``share_targeted * qini`` at 100 %).

    Raises
    ------
    DataValidationError
        The score has missing values or the wrong length, or there is no control arm.
    InsufficientDataError
        No measured contact in one of the arms.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"arm": ["t", "t", "holdout", "holdout"], "y": [1, 0, 0, 1], "s": [4, 3, 2, 1]})
    >>> qini_curve(f, "s", "y")["qini"].tolist()
    [0.0, 1.0, 1.0, 1.0, 0.0]
    """
    s = frame[score] if isinstance(score, str) else pd.Series(np.asarray(score), index=frame.index)
    if len(s) != len(frame):
        raise DataValidationError(f"The score has {len(s)} values for {len(frame)} contacts; give one per contact.")
    rows, treated = measured_arms(frame, outcome, control)
    s = pd.to_numeric(s.loc[rows.index], errors="coerce").to_numpy(float)
    if np.isnan(s).any():
        raise DataValidationError(f"{int(np.isnan(s).sum())} measured contacts have no score; score every contact.")
    if treated.all() or not treated.any():
        raise InsufficientDataError("A Qini curve needs measured contacts in both the treated and the control arm.")
    return qini_from_arrays(s, rows[outcome].to_numpy(float), treated)


def qini_from_arrays(score: np.ndarray, y: np.ndarray, treated: np.ndarray) -> pd.DataFrame:
    """:func:`qini_curve` of scores, outcomes and treated flags given as aligned arrays (no checks)."""
    order = np.argsort(-score, kind="stable")
    s, y, t = score[order], y[order], treated[order]
    n_t, n_c = np.cumsum(t), np.cumsum(~t)
    y_t, y_c = np.cumsum(np.where(t, y, 0.0)), np.cumsum(np.where(t, 0.0, y))
    with np.errstate(divide="ignore", invalid="ignore"):
        q = y_t - np.where(n_c > 0, y_c * n_t / np.where(n_c > 0, n_c, 1), 0.0)
    last = np.r_[s[1:] != s[:-1], True]  # the end of each run of tied scores
    k = np.r_[0, np.nonzero(last)[0] + 1]
    n = len(s)
    qini = np.r_[0.0, q[last]]
    return pd.DataFrame({"targeted": k, "treated": np.r_[0, n_t[last]], "control": np.r_[0, n_c[last]],
                         "share_targeted": k / n, "qini": qini, "random": k / n * qini[-1]})


def qini_coefficient(curve: pd.DataFrame) -> float:
    """Area between a :func:`qini_curve` and its random line over the share targeted, per treated contact.

    ``integral_0^1 (qini - random) d(share) / N_t`` by the trapezoid rule (exact: the curve is linear
    between its points). In outcome units: for ``retained``, retention points the ranking gains per
    treated contact, averaged over targeting depths; 0 for a random ranking.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"arm": ["t", "t", "holdout", "holdout"], "y": [1, 0, 0, 1], "s": [4, 3, 2, 1]})
    >>> round(qini_coefficient(qini_curve(f, "s", "y")), 4)
    0.375
    """
    x, gap = curve["share_targeted"].to_numpy(float), (curve["qini"] - curve["random"]).to_numpy(float)
    area = float(np.sum((gap[1:] + gap[:-1]) / 2 * np.diff(x)))
    n_t = float(curve["treated"].iloc[-1])
    return area / n_t if n_t else np.nan
