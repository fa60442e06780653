"""Churn rates by band, raw and adjusted, each with a 95 % interval that allows for a customer's tickets going
together (standard errors clustered by customer).

Both are a linear probability model fitted by statsmodels' OLS, which gives rates and gaps in percentage points
directly:

* **raw**: churn on one indicator per band (no intercept): each coefficient is the band's churn rate;
* **adjusted**: the same indicators plus the adjustment factors (segment, plan and tenure at the ticket, one
  indicator per value but the first); a band's adjusted rate is its coefficient plus the factors' coefficients at
  the mean of all judged tickets: the churn rate the band would have if its tickets had the mix of segments, plans
  and tenures of all tickets (standardisation). Its variance is ``a' V a`` for that linear combination ``a``.

The gap between two bands (``gap``) is the difference of their rates, with its own interval from the same
covariance. An association adjusted for the listed factors, not an experiment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.stats import norm

#: the factors every adjusted rate allows for
ADJUSTED_FOR = ("segment", "plan", "tenure")
Z95 = float(norm.ppf(0.975))


@dataclass
class Fit:
    """A fitted linear probability model: the bands' coefficients come first in ``params`` and ``cov``.

    Attributes
    ----------
    bands : list of str
        The bands, in order.
    params : numpy.ndarray
        Coefficients: one per band, then the adjustment factors' indicators.
    cov : numpy.ndarray
        Their covariance, clustered by customer.
    means : numpy.ndarray
        The mean of each adjustment indicator over all tickets (empty for the raw model).
    """

    bands: list
    params: np.ndarray
    cov: np.ndarray
    means: np.ndarray

    def combination(self, band: str) -> np.ndarray:
        """``a``: the band's rate is ``a @ params``."""
        a = np.zeros(len(self.params))
        a[self.bands.index(band)] = 1.0
        a[len(self.bands):] = self.means
        return a

    def rate(self, band: str) -> tuple[float, float, float]:
        """(rate, low, high) of ``band``: 95 % interval, clipped to 0..1."""
        return _interval(self.combination(band), self.params, self.cov, clip=True)

    def gap(self, band: str, reference: str) -> tuple[float, float, float]:
        """(gap, low, high): ``band``'s rate minus ``reference``'s, in shares (0.05 is 5 points)."""
        return _interval(self.combination(band) - self.combination(reference), self.params, self.cov, clip=False)


def _interval(a: np.ndarray, params: np.ndarray, cov: np.ndarray, clip: bool) -> tuple[float, float, float]:
    est = float(a @ params)
    se = float(np.sqrt(max(a @ cov @ a, 0.0)))
    low, high = est - Z95 * se, est + Z95 * se
    return (est, max(low, 0.0), min(high, 1.0)) if clip else (est, low, high)


def _indicators(values: pd.Series, drop_first: bool) -> pd.DataFrame:
    cats = values.cat.categories if isinstance(values.dtype, pd.CategoricalDtype) else sorted(values.unique())
    present = [c for c in cats if (values == c).any()]
    cols = present[1:] if drop_first else present
    return pd.DataFrame({f"{values.name}={c}": (values == c).to_numpy(float) for c in cols}, index=values.index)


def fit(churned: pd.Series, band: pd.Series, customer: pd.Series, factors: pd.DataFrame | None = None) -> Fit:
    """The linear probability model of ``churned`` (bool) on ``band`` (categorical) and, when given, ``factors``
    (one column per adjustment factor), clustered by ``customer``.

    Parameters
    ----------
    churned, band, customer : pandas.Series
        One row per ticket.
    factors : pandas.DataFrame, optional
        The adjustment factors (text columns); a factor with one value adds nothing.
    """
    X = _indicators(band.rename("band"), drop_first=False)
    bands = [c.removeprefix("band=") for c in X.columns]
    means = np.array([])
    if factors is not None:
        Z = pd.concat([_indicators(factors[f].astype(str).rename(f), drop_first=True) for f in factors], axis=1)
        X, means = pd.concat([X, Z], axis=1), Z.mean().to_numpy()
    groups = pd.factorize(customer)[0]
    res = sm.OLS(churned.to_numpy(float), X.to_numpy(), hasconst=True).fit(cov_type="cluster",
                                                                           cov_kwds={"groups": groups})
    return Fit(bands, np.asarray(res.params), np.asarray(res.cov_params()), means)
