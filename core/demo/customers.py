"""The demo's customers: who they are (segment, plan, region, channel, seats, name, signup) and their frame."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.demo.timeline import Window, days_in

SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
SEGMENT_SHARE = (0.6, 0.3, 0.1)
PLANS = {"SMB": ("Starter", "Growth"), "Mid-Market": ("Growth", "Pro"), "Enterprise": ("Pro", "Enterprise")}
REGIONS = ("North America", "EMEA", "APAC", "LATAM")
REGION_SHARE = (0.45, 0.3, 0.17, 0.08)
CHANNELS = ("Inbound", "Outbound sales", "Partner", "Paid search", "Referral")
CHANNEL_SHARE = (0.35, 0.2, 0.15, 0.2, 0.1)
SEATS = (6.0, 30.0, 150.0)  # median seats by segment
#: monthly growth of acquisition: signups in month m are proportional to exp(ACQUISITION_GROWTH x m)
ACQUISITION_GROWTH = 0.025
_HIGHER_PLAN_SHARE = (0.35, 0.4, 0.5)  # by segment: share on the segment's second plan
_NAME_A = ("Blue", "North", "Bright", "Silver", "Rapid", "Green", "Summit", "Pioneer", "Atlas", "Nova",
           "Crimson", "Union", "Harbor", "Granite", "Vertex", "Lumen", "Cedar", "Orbit", "Delta", "Prime")
_NAME_B = ("Logistics", "Health", "Analytics", "Foods", "Retail", "Labs", "Systems", "Energy", "Capital",
           "Media", "Robotics", "Travel", "Legal", "Works", "Networks", "Studios")
_NAME_C = ("Inc", "LLC", "Ltd", "GmbH", "Group", "Co", "SA", "BV")


@dataclass
class Accounts:
    """The customers as drawn at signup; position ``i`` of every array is customer ``ids[i]``.

    Attributes
    ----------
    ids : numpy.ndarray
        ``C00001`` ... in signup order.
    seg : numpy.ndarray
        Segment number (index into :data:`SEGMENTS`).
    sm : numpy.ndarray
        Signup month (0 = the window's first month).
    signup : numpy.ndarray
        Signup day (datetime64[D]).
    plan, region, channel, name : numpy.ndarray
        The descriptive columns of the customer table.
    seat_mult : numpy.ndarray
        ``seats ** 0.7``, the scale of a customer's usage.
    tenure : numpy.ndarray
        (customers, months): months since the signup month, negative before it.
    exists : numpy.ndarray
        (customers, months): ``tenure >= 0``.
    """

    ids: np.ndarray
    seg: np.ndarray
    sm: np.ndarray
    signup: np.ndarray
    plan: np.ndarray
    region: np.ndarray
    channel: np.ndarray
    name: np.ndarray
    seat_mult: np.ndarray
    tenure: np.ndarray
    exists: np.ndarray

    @property
    def seg_names(self) -> np.ndarray:
        return np.array(SEGMENTS, dtype=object)[self.seg]


def draw_accounts(rng: np.random.Generator, n: int, win: Window) -> Accounts:
    """Draw ``n`` customers acquired over ``win`` (more in later months), ids in signup order."""
    ms, end64, m_idx = win.ms, win.end64, win.m_idx
    seg = rng.choice(3, size=n, p=SEGMENT_SHARE)
    seg_names = np.array(SEGMENTS, dtype=object)[seg]
    growth = np.exp(ACQUISITION_GROWTH * m_idx)
    sm = np.sort(rng.choice(win.n_months, size=n, p=growth / growth.sum()))  # sorted: ids by signup
    signup = days_in(ms[sm], np.minimum(ms[sm + 1], end64 + 1), rng.random(n))
    plan_hi = rng.random(n) < np.array(_HIGHER_PLAN_SHARE)[seg]
    plan = np.array([PLANS[s][int(h)] for s, h in zip(seg_names, plan_hi)], dtype=object)
    region = np.array(REGIONS, dtype=object)[rng.choice(4, size=n, p=REGION_SHARE)]
    channel = np.array(CHANNELS, dtype=object)[rng.choice(5, size=n, p=CHANNEL_SHARE)]
    seats = np.maximum(1.0, np.round(np.array(SEATS)[seg] * rng.lognormal(0, 0.5, n)))
    name = _company_names(rng, n)
    ids = np.array([f"C{i:05d}" for i in range(1, n + 1)], dtype=object)
    tenure = m_idx[None, :] - sm[:, None]
    return Accounts(ids=ids, seg=seg, sm=sm, signup=signup, plan=plan, region=region, channel=channel, name=name,
                    seat_mult=seats ** 0.7, tenure=tenure, exists=tenure >= 0)


def _company_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """Names such as "Blue Analytics GmbH" (not unique)."""
    return (np.array(_NAME_A, dtype=object)[rng.integers(0, len(_NAME_A), n)] + " "
            + np.array(_NAME_B, dtype=object)[rng.integers(0, len(_NAME_B), n)] + " "
            + np.array(_NAME_C, dtype=object)[rng.integers(0, len(_NAME_C), n)])


def customer_frame(acc: Accounts, churn_date: np.ndarray, churn_kind: np.ndarray,
                   renewal: np.ndarray) -> pd.DataFrame:
    """The ``customer`` table (store columns, dates as datetime64[s])."""
    return pd.DataFrame({
        "customer_id": acc.ids, "name": acc.name, "segment": acc.seg_names, "plan": acc.plan, "region": acc.region,
        "channel": acc.channel, "signup_date": acc.signup.astype("datetime64[s]"),
        "churn_date": churn_date.astype("datetime64[s]"), "churn_type": churn_kind,
        "renewal_date": renewal.astype("datetime64[s]")})
