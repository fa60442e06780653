"""A randomised e-mail campaign, one row per customer, as a marketing team would export it.

Modelled on the shape of the public MineThatData e-mail test (two mailings and a no-mail holdout,
visit and conversion flags, spend, last year's spend): each customer is assigned an arm at random
(equal thirds, permuted blocks), then visits, converts and spends with probabilities that depend on
the arm and on last year's spend. The headers and values are the messy kind an export has
("Customer ID", "Yes"/"No" flags, a day-first date as text), so the file exercises the importer too.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

ARMS = ("Mens E-Mail", "Womens E-Mail", "No E-Mail")
#: log-odds added to the chance of a visit and of a conversion by each arm (the no-mail arm is the holdout)
VISIT_LIFT = {"Mens E-Mail": 0.6, "Womens E-Mail": 0.4, "No E-Mail": 0.0}
CONVERT_LIFT = {"Mens E-Mail": 0.5, "Womens E-Mail": 0.3, "No E-Mail": 0.0}


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def make_campaign(n: int = 3000, seed: int = 0, sent: dt.date = dt.date(2026, 3, 16),
                  id_prefix: str = "CMP-") -> pd.DataFrame:
    """The campaign file: ``Customer ID, Arm, Sent On, Visited, Converted, Spend, Spend Last Year, Cost``.

    ``Visited`` is Yes/No text and ``Converted`` 1/0, as exports mix them; ``Spend`` is 0 for
    customers who did not convert; ``Cost`` is 0.35 per e-mail sent and 0 for the holdout.

    Examples
    --------
    >>> make_campaign(6, seed=1)["Arm"].value_counts().sort_index().tolist()
    [2, 2, 2]
    """
    rng = np.random.default_rng([seed, 20])
    k = len(ARMS)
    arm = np.concatenate([rng.permutation(k) for _ in range(n // k + 1)])[:n]
    names = np.array(ARMS, dtype=object)[arm]
    history = np.round(rng.lognormal(4.6, 0.9, n), 2)  # last year's spend
    base = -1.9 + 0.25 * (np.log(history) - 4.6)
    visit = rng.random(n) < _sigmoid(base + np.array([VISIT_LIFT[a] for a in ARMS])[arm])
    conv = visit & (rng.random(n) < _sigmoid(-2.2 + np.array([CONVERT_LIFT[a] for a in ARMS])[arm]))
    spend = np.where(conv, np.round(rng.lognormal(4.3, 0.6, n), 2), 0.0)
    return pd.DataFrame({
        "Customer ID": [f"{id_prefix}{i:06d}" for i in range(1, n + 1)], "Arm": names,
        "Sent On": sent.strftime("%d/%m/%Y"), "Visited": np.where(visit, "Yes", "No"),
        "Converted": conv.astype(int), "Spend": spend, "Spend Last Year": history,
        "Cost": np.where(names == "No E-Mail", 0.0, 0.35)})
