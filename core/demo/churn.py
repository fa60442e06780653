"""Churn, month by month: who leaves when (voluntarily or by a failed payment), with the plays running
alongside; then the churn day and the contract's renewal date of every customer."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.demo.customers import Accounts
from core.demo.hazard import Hazard
from core.demo.plays import PlayLog
from core.demo.timeline import Window, anniversary, days_in, month_ord

#: a voluntary churner names its reason in feedback from this many months before it leaves (THEME_CHURN_LIFT)
CHURN_SOON_MONTHS = 6


@dataclass
class Churn:
    """When and how each customer churned.

    Attributes
    ----------
    month : numpy.ndarray
        The churn month, -1 for a customer still active at the end of the window.
    kind : numpy.ndarray
        ``"voluntary"``, ``"involuntary"`` or None.
    """

    month: np.ndarray
    kind: np.ndarray

    @property
    def churned(self) -> np.ndarray:
        return self.month >= 0


def simulate_churn(rng: np.random.Generator, acc: Accounts, win: Window, hz: Hazard,
                   usage_ix: np.ndarray) -> tuple[Churn, PlayLog]:
    """Draw churn month by month (from the month after signup), running the plays on the customers left."""
    n, M = hz.logit.shape
    u_vol, u_inv = rng.random((n, M)), rng.random((n, M))
    alive = np.ones(n, dtype=bool)
    churn = Churn(month=np.full(n, -1), kind=np.full(n, None, dtype=object))
    plays = PlayLog(rng, n)
    for m in range(M):
        risk = alive & (acc.sm < m)
        inv = risk & (u_inv[:, m] < hz.p_inv)
        vol = risk & ~inv & (u_vol[:, m] < hz.p_voluntary(m))
        churn.month[inv | vol] = m
        churn.kind[inv], churn.kind[vol] = "involuntary", "voluntary"
        alive &= ~(inv | vol)
        plays.run_month(m, alive, acc, win, hz, usage_ix)
    return churn, plays


def churn_dates(rng: np.random.Generator, acc: Accounts, win: Window, churn: Churn,
                renewal_month: np.ndarray) -> np.ndarray:
    """The churn day (NaT while active): the contract anniversary for a voluntary churn in a renewal month,
    otherwise a random day of the churn month."""
    n = len(acc.ids)
    churned = churn.churned
    cm = np.where(churned, churn.month, 0)
    anniv = anniversary(acc.signup, month_ord(acc.signup) + np.maximum(cm - acc.sm, 0))
    rand_day = days_in(win.ms[cm], np.minimum(win.ms[cm + 1], win.end64 + 1), rng.random(n))
    at_renewal = churned & (renewal_month[np.arange(n), cm] == 1) & (churn.kind == "voluntary")
    churn_date = np.where(at_renewal, anniv, rand_day)
    return np.where(churned, churn_date, np.datetime64("NaT"))


def renewal_dates(acc: Accounts, win: Window, churn: Churn, churn_date: np.ndarray) -> np.ndarray:
    """The first contract anniversary on or after the churn date (or after the window's end)."""
    ref = stop_days(win, churn, churn_date)
    s_ord = month_ord(acc.signup)
    years = np.maximum(1, np.ceil((month_ord(ref) - s_ord) / 12).astype(int))
    renewal = anniversary(acc.signup, s_ord + 12 * years)
    return np.where(renewal < ref, anniversary(acc.signup, s_ord + 12 * (years + 1)), renewal)


def stop_days(win: Window, churn: Churn, churn_date: np.ndarray) -> np.ndarray:
    """The day each customer's events stop before: its churn day, or the day after the window."""
    return np.where(churn.churned, churn_date, win.end64 + 1)


def churn_soon(churn: Churn, win: Window) -> np.ndarray:
    """(customers, months): the customer churns voluntarily within the next CHURN_SOON_MONTHS months."""
    ahead = churn.month[:, None] - win.m_idx[None, :]
    return (churn.kind == "voluntary")[:, None] & (ahead >= 0) & (ahead < CHURN_SOON_MONTHS)
