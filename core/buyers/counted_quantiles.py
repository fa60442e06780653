"""The quantile and the median of values given once each with how many times they occur (an engine's counts of
gaps, :mod:`core.buyers.engine_lapse`), equal to numpy's of the values written out, to the last bit, without writing
them out (a purchase log of 100,000,000 rows has tens of millions of gaps and a few thousand distinct ones).

Examples
--------
>>> import numpy as np
>>> values, counts = np.array([1.0, 5.0, 9.0]), np.array([3, 1, 2])
>>> quantile(values, counts, 0.9), float(np.quantile([1, 1, 1, 5, 9, 9], 0.9)), median(values, counts)
(9.0, 9.0, 3.0)
"""

from __future__ import annotations

import numpy as np


def quantile(values: np.ndarray, counts: np.ndarray, q: float) -> float:
    """``numpy.quantile(np.repeat(values, counts), q)``, its default (linear) method computed as numpy computes it:
    the position ``(n - 1) * q`` between two neighbours, interpolated from the nearer one's side.

    ``values`` ascending and distinct, ``counts`` positive, at least one value."""
    n = int(np.sum(counts))
    h = (n - 1) * q
    lo = int(np.floor(h))
    t = h - lo
    a, b = _nth(values, counts, lo), _nth(values, counts, min(lo + 1, n - 1))
    diff = b - a
    return float(b - diff * (1 - t)) if t >= 0.5 else float(a + diff * t)


def median(values: np.ndarray, counts: np.ndarray) -> float:
    """``numpy.median(np.repeat(values, counts))``: the middle value, or the mean of the two middle ones."""
    n = int(np.sum(counts))
    if n % 2:
        return _nth(values, counts, n // 2)
    return (_nth(values, counts, n // 2 - 1) + _nth(values, counts, n // 2)) / 2


def _nth(values: np.ndarray, counts: np.ndarray, i: int) -> float:
    """The ``i``-th (from 0) of the values written out in order."""
    return float(values[np.searchsorted(np.cumsum(counts), i, side="right")])
