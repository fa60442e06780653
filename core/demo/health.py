"""Each customer's latent health, month by month, and the usage index it drives."""

from __future__ import annotations

import numpy as np

from core.demo.customers import Accounts

HEALTH_MEAN = (0.0, 0.15, 0.3)  # by segment
#: the mean-reverting random walk of health: a step pulls ``reversion`` of the way back to the segment mean, adds
#: noise (sd ``step_sd``) and, now and then, a shock such as a champion leaving
HEALTH_WALK = {"reversion": 0.12, "step_sd": 0.3, "shock": {"monthly_prob": 0.02, "size": -1.0}}
_START_SD = 0.7  # spread of health at signup around the segment mean
#: usage index = USAGE_PER_HEALTH x health + an onboarding ramp (first two months) + noise
USAGE_PER_HEALTH = 0.8
_RAMP = (-0.5, -0.2)
_USAGE_NOISE_SD = 0.15


def latent_health(rng: np.random.Generator, acc: Accounts) -> tuple[np.ndarray, np.ndarray]:
    """Health and usage index, both (customers, months); health stays at its starting value up to signup."""
    n, M = acc.tenure.shape
    mu = np.array(HEALTH_MEAN)[acc.seg]
    h0 = mu + rng.normal(0, _START_SD, n)
    eps = rng.normal(0, HEALTH_WALK["step_sd"], (n, M))
    shock = (rng.random((n, M)) < HEALTH_WALK["shock"]["monthly_prob"]) * HEALTH_WALK["shock"]["size"]
    health = np.empty((n, M))
    prev = h0
    for m in range(M):
        walk = prev + HEALTH_WALK["reversion"] * (mu - prev) + eps[:, m] + shock[:, m]
        prev = np.where(m <= acc.sm, h0, walk)
        health[:, m] = prev
    tenure = acc.tenure
    ramp = np.select([tenure == 0, tenure == 1], list(_RAMP), 0.0)
    usage_ix = USAGE_PER_HEALTH * health + ramp + rng.normal(0, _USAGE_NOISE_SD, (n, M))
    return health, usage_ix
