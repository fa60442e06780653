"""The randomised holdout of a play: which of the customers a play may reach are held out, drawn at queue time.

Permuted blocks within risk tier: a play's customers of one tier, in an order drawn at random, are cut into blocks
of ``size`` customers (15 % is 3 held out in every block of 20, :attr:`core.plays.rules.Trigger.block`), and in
each block exactly ``held`` customers, drawn at random, are held out; a last, shorter block holds out its share
rounded down plus one more with the probability of the remainder, the extras shared between tiers by systematic
sampling. So the holdout of every tier, and of the play, is its planned share to within one customer, the arms are
balanced on risk, and the sample-ratio check passes by construction.

The draw is seeded by the run's seed, the play, the tier and the day (:func:`seed_for`): the same run gives the same
arms, and another day or play draws afresh. It is recorded with the action before anyone sees the list.
"""

from __future__ import annotations

import datetime as dt
import zlib

import numpy as np
import pandas as pd

NO_TIER = "(no tier)"
#: the seed name of the draw that shares the shorter blocks' remainders between tiers
ALL_TIERS = "(all tiers)"


def seed_for(seed: int, play: str, tier: str, day: dt.date) -> np.random.SeedSequence:
    """The draw's seed: the run's ``seed``, the play, the tier and the day (stable across processes, unlike
    ``hash``)."""
    return np.random.SeedSequence([int(seed), zlib.crc32(play.encode()), zlib.crc32(tier.encode()),
                                   pd.Timestamp(day).toordinal()])


def _full_blocks(n: int, held: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """Held out (True) for the first ``n - n % size`` of ``n`` customers in a random order: ``held`` of every block
    of ``size``; the last, shorter block left to :func:`draw` (all False)."""
    out = np.zeros(n, dtype=bool)
    for start in range(0, n - n % size, size):
        out[start + rng.choice(size, size=held, replace=False)] = True
    return out


def _extras(remainders: list[float], u: float) -> list[int]:
    """Systematic sampling of the shorter blocks' fractions: tier t gets one more held out with probability
    ``remainders[t]``, and the extras add up to their sum rounded down or up, so a play's holdout is within one
    customer of its share overall as well as in each tier."""
    edges = np.concatenate([[0.0], np.cumsum(remainders)])
    return [int(np.floor(edges[i + 1] - u) - np.floor(edges[i] - u)) for i in range(len(remainders))]


def draw(customers: pd.Series, tiers: pd.Series, held: int, size: int, *, seed: int, play: str,
         day: dt.date) -> pd.Series:
    """Held out (True) or reached (False) for each customer of one play, by permuted blocks within tier.

    Parameters
    ----------
    customers, tiers : pandas.Series
        The play's customers (each once) and their churn-risk tiers (None: :data:`NO_TIER`), same index.
    held, size : int
        ``held`` of every ``size`` customers are held out.
    """
    out = pd.Series(False, index=customers.index)
    tier = tiers.astype(object).where(tiers.notna(), NO_TIER).astype(str)
    names = sorted(tier.unique())
    orders, rngs = [], []
    for name in names:
        ids = customers[tier == name].astype(str).sort_values(kind="stable")
        rng = np.random.default_rng(seed_for(seed, play, name, day))
        order = ids.index[rng.permutation(len(ids))]
        out.loc[order] = _full_blocks(len(order), held, size, rng)
        orders.append(order)
        rngs.append(rng)
    tail = [len(o) % size for o in orders]
    u = np.random.default_rng(seed_for(seed, play, ALL_TIERS, day)).random()
    for order, rng, m, extra in zip(orders, rngs, tail, _extras([m * held % size / size for m in tail], u),
                                    strict=True):
        take = m * held // size + extra
        out.loc[order[len(order) - m:][rng.choice(m, size=take, replace=False)]] = True
    return out
