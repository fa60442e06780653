"""The demo's calendar: the window of months, days drawn inside a span, and contract anniversaries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Window:
    """The months the demo covers.

    Attributes
    ----------
    ms : numpy.ndarray
        The ``M + 1`` month starts (datetime64[D]): month ``m`` runs from ``ms[m]`` up to ``ms[m + 1]``.
    end64 : numpy.datetime64
        The last day of the window (datetime64[D]); nothing happens after it.
    """

    ms: np.ndarray
    end64: np.datetime64

    @property
    def n_months(self) -> int:
        return len(self.ms) - 1

    @property
    def m_idx(self) -> np.ndarray:
        """The month numbers ``0 .. M - 1``."""
        return np.arange(self.n_months)


def window(months: int, end: dt.date) -> Window:
    """The ``months`` calendar months ending with the month of ``end``."""
    last_ms = pd.Timestamp(end).to_period("M").start_time
    ms = pd.date_range(last_ms - pd.DateOffset(months=months - 1), periods=months + 1,
                       freq="MS").to_numpy("datetime64[D]")
    return Window(ms=ms, end64=np.datetime64(end, "D"))


def days_in(lo, hi, u):
    """Integer day in [lo, hi) from uniforms ``u`` (datetime64[D] arrays); hi > lo assumed."""
    span = (hi - lo).astype(np.int64)
    return lo + np.floor(u * span).astype(np.int64).astype("timedelta64[D]")


def month_ord(days):
    """Month ordinal (months since 1970-01) of datetime64[D] values."""
    return days.astype("datetime64[M]").astype(np.int64)


def anniversary(signup, month_ordinal):
    """Same day-of-month as ``signup`` in month ordinal ``month_ordinal`` (clipped to the month's end)."""
    first = pd.PeriodIndex.from_ordinals(np.asarray(month_ordinal, dtype=np.int64), freq="M")
    start = first.start_time.to_numpy("datetime64[D]")
    length = first.days_in_month.to_numpy()
    dom = pd.DatetimeIndex(signup.astype("datetime64[ns]")).day.to_numpy()
    return start + (np.minimum(dom, length) - 1).astype("timedelta64[D]")
