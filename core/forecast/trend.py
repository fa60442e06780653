"""The MRR the paying book does not hold: new customers, reactivations, expansion and contraction, forecast as one
monthly series by exponential smoothing (statsmodels' ETS, the state-space form with simulated intervals).

The series is each month's ``new + reactivation + expansion - contraction`` of :func:`core.history.movements.
mrr_movements`: every change of MRR except churn, which the book's own churn probabilities carry
(:mod:`core.forecast.book`). Its forecast adds up month after month (``cumulative``): what is gained in month 1 is
still there in month 12, less the churn of the customers who brought it, at the book's average monthly rate.

The model: additive-error ETS, the level alone (A,N,N) from 3 months of history; from 12 months also with an
additive trend (A,A,N) and a damped one (A,Ad,N); each on the gains and, when every gain is above 0, on their
logarithm (growth by a share a month). The lowest AICc on the gains' own scale is kept. Under 3 months there is no
trend to read and the gains are taken as 0 with no spread.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

#: months of history from which the trend is damped-additive (below: a level only)
TREND_MONTHS = 12
#: months of history below which no gain is forecast
LEVEL_MONTHS = 3
#: what a model fitted to the logarithm of the gains adds to its name
LOGGED = ", on the logarithm of the gains (growth by a share a month)"
#: the models compared (by AICc, the lowest kept) from :data:`TREND_MONTHS` of history; below, the first alone
CANDIDATES = (("exponential smoothing of the level (ETS A,N,N)", {}),
              ("exponential smoothing with a trend (ETS A,A,N)", {"trend": "add"}),
              ("exponential smoothing with a damped trend (ETS A,Ad,N)", {"trend": "add", "damped_trend": True}))


@dataclass(frozen=True)
class Trend:
    """The forecast gains: ``draws`` of each month's gain (shape (draws, months)), the model used, and the history
    it was fitted on (``month``, ``gain``)."""

    draws: np.ndarray
    model: str
    history: pd.DataFrame

    def cumulative(self, hazard: float = 0.0) -> np.ndarray:
        """Draws of the MRR gained from the as-of month to each month ahead and still paid then (shape (draws,
        months)): what is gained in month k is kept to month h with probability ``(1 - hazard) ** (h - k)``, the
        book's monthly churn (new customers churn too)."""
        out, kept = np.empty_like(self.draws), np.zeros(len(self.draws))
        for h in range(self.draws.shape[1]):
            kept = kept * (1.0 - hazard) + self.draws[:, h]
            out[:, h] = kept
        return out


def gains(movements: pd.DataFrame) -> pd.DataFrame:
    """``month, gain`` from a table of :func:`core.history.movements.mrr_movements`: every change but churn."""
    gain = movements["new"] + movements["reactivation"] + movements["expansion"] - movements["contraction"]
    return pd.DataFrame({"month": movements["month"], "gain": gain.astype(float)})


#: the model's name when the history is too short for one
NO_MODEL = "none: under 3 months of history, no gain is forecast"
#: the model's name when every month gained the same
CONSTANT = "the same gain every month (every month of history gained it)"


def forecast(history: pd.DataFrame, months: int = 12, draws: int = 2000, seed: int = 0) -> Trend:
    """Draws of the gains of each of the next ``months`` months, from ``history`` (``month, gain``: :func:`gains`),
    seeded by ``seed``."""
    n = len(history)
    if n < LEVEL_MONTHS:
        return Trend(np.zeros((draws, months)), NO_MODEL, history)
    y = history["gain"].to_numpy(float)
    if np.ptp(y) == 0:  # a constant series: ETS has no error to estimate; the same gain every month
        return Trend(np.full((draws, months), y[-1]), CONSTANT, history)
    fits = _fits(y, n >= TREND_MONTHS)
    name = min(fits, key=lambda k: fits[k][1])
    fit, _, logged = fits[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sims = np.asarray(fit.simulate(months, anchor="end", repetitions=draws, rng=np.random.default_rng(seed)),
                          dtype=float).T.reshape(draws, months)
    return Trend(np.exp(sims) if logged else sims, name, history)


def _fits(y: np.ndarray, trended: bool) -> dict[str, tuple]:
    """Each candidate fitted to ``y`` and, when every gain is above 0, to its logarithm (growth by a share a
    month): name -> (fit, AICc on the gains' own scale, logged). A log model's AICc is moved to the gains' scale by
    the Jacobian, ``+ 2 * sum(log y)``, so the two kinds compare."""
    out = {}
    scales = [(False, y)] + ([(True, np.log(y))] if (y > 0).all() else [])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for logged, values in scales:
            for name, spec in (CANDIDATES if trended else CANDIDATES[:1]):
                fit = ETSModel(values, error="add", **spec).fit(disp=False)
                aicc = fit.aicc + (2 * values.sum() if logged else 0.0)
                out[f"{name}{LOGGED if logged else ''}"] = (fit, aicc, logged)
    return out
