"""The two retention plays aimed at churn: whom they target, who is held out, and what they change.

Each month (from the fourth, while the play's horizon fits in the window) a play targets the at-risk customers
its rule picks; 3 of every 20 of them (permuted blocks, :data:`HOLDOUT_BLOCK`) get nothing. The treatment lowers
the log-odds of voluntary churn for ``horizon_months`` months; the true effect is the resulting change of the
probability to churn over that horizon.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.demo.customers import Accounts
from core.demo.hazard import Hazard, sigmoid
from core.demo.timeline import Window
from core.store.dates import datetimes

HOLDOUT_BLOCK = (3, 20)  # 3 of every 20 targeted customers are held out
PLAYS = {
    "Onboarding call": {"channel": "phone", "uplift_logodds": -1.0, "horizon_months": 6, "cost": 150.0,
                        "targeting": "customers in their second month whose usage index is below -0.2"},
    "Renewal save offer": {"channel": "email", "uplift_logodds": -1.2, "horizon_months": 3, "cost": None,
                           "targeting": "customers renewing next month who are NPS detractors, have an "
                                        "unresolved ticket, falling usage (trend < -0.3) or low usage (< -0.5); "
                                        "cost = 50 + 1.2 x MRR (a 10 % discount for a year)"},
}
_FIRST_MONTH = 3  # no play runs in the window's first three months
_COLUMNS = ["customer_id", "play", "channel", "date", "group", "cost", "_i", "_m"]


def _targets(play: str, m: int, alive: np.ndarray, acc: Accounts, usage_ix: np.ndarray,
             drivers: dict[str, np.ndarray]) -> np.ndarray:
    """Mask of the customers ``play`` targets in month ``m`` (its ``targeting`` rule in :data:`PLAYS`)."""
    if play == "Onboarding call":
        return alive & (acc.tenure[:, m] == 1) & (usage_ix[:, m] < -0.2)
    nxt = m + 1
    return alive & (drivers["renewal_month"][:, nxt] == 1) & (
        (drivers["nps_detractor"][:, nxt] == 1) | (drivers["open_tickets"][:, nxt] > 0)
        | (drivers["usage_trend"][:, nxt] < -0.3) | (usage_ix[:, m] < -0.5))


def _survival(hz: Hazard, who: np.ndarray, span: slice, uplift: float) -> np.ndarray:
    """Probability of staying through ``span`` months without (column 0) and with (column 1) the play."""
    base = hz.logit[who, span] + hz.adj[who, span]
    s_inv = (1 - hz.p_inv[who])[:, None]
    s0 = np.prod((1 - sigmoid(base)) * s_inv, axis=1)
    s1 = np.prod((1 - sigmoid(base + uplift)) * s_inv, axis=1)
    return np.c_[s0, s1]


class PlayLog:
    """The plays as they run, month by month: their contacts and the true effect on each targeted customer.

    Parameters
    ----------
    rng : numpy.random.Generator
        Draws the holdout blocks now, then the order and day of each month's contacts.
    n : int
        Number of customers (bounds the holdout blocks needed).
    """

    def __init__(self, rng: np.random.Generator, n: int):
        k_h, k_b = HOLDOUT_BLOCK
        self.rng = rng
        self.blocks = {p: np.concatenate([rng.permutation(np.r_[np.ones(k_h, bool), np.zeros(k_b - k_h, bool)])
                                          for _ in range(n // k_b + 2)]) for p in PLAYS}
        self.used = dict.fromkeys(PLAYS, 0)
        self.rows: list[pd.DataFrame] = []
        self.effects: dict[str, list[np.ndarray]] = {p: [] for p in PLAYS}

    def run_month(self, m: int, alive: np.ndarray, acc: Accounts, win: Window, hz: Hazard,
                  usage_ix: np.ndarray) -> None:
        """Run every play in month ``m`` on the customers still ``alive``; treated ones get ``hz.adj`` shifted."""
        for play, spec in PLAYS.items():
            if m + spec["horizon_months"] > win.n_months - 1 or m < _FIRST_MONTH:
                continue
            who = np.nonzero(_targets(play, m, alive, acc, usage_ix, hz.drivers))[0]
            if len(who):
                self._contact(play, m, who, acc.ids, win, hz)

    def _contact(self, play: str, m: int, who: np.ndarray, ids: np.ndarray, win: Window, hz: Hazard) -> None:
        spec = PLAYS[play]
        who = self.rng.permutation(who)
        hold = self.blocks[play][self.used[play]:self.used[play] + len(who)]
        self.used[play] += len(who)
        span = slice(m + 1, m + 1 + spec["horizon_months"])
        self.effects[play].append(_survival(hz, who, span, spec["uplift_logodds"]))
        hz.adj[who[~hold], span] += spec["uplift_logodds"]
        day = np.minimum(win.ms[m] + self.rng.integers(14, 27, len(who)).astype("timedelta64[D]"), win.end64)
        cost = np.full(len(who), np.nan if spec["cost"] is None else spec["cost"])  # save offer: see interventions
        self.rows.append(pd.DataFrame({"customer_id": ids[who], "play": play, "channel": spec["channel"],
                                       "date": day, "group": np.where(hold, "holdout", "treatment"),
                                       "cost": cost, "_i": who, "_m": m}))

    def interventions(self, mrr: np.ndarray) -> pd.DataFrame:
        """The contacts as ``intervention`` rows; a save offer costs 50 + 1.2 x that month's MRR, a holdout 0."""
        iv = pd.concat(self.rows, ignore_index=True) if self.rows else pd.DataFrame(columns=_COLUMNS)
        save = (iv["play"] == "Renewal save offer").to_numpy()
        iv.loc[save, "cost"] = np.round(50 + 1.2 * mrr[iv["_i"].to_numpy()[save], iv["_m"].to_numpy()[save]], 2)
        iv.loc[iv["group"] == "holdout", "cost"] = 0.0
        iv = iv.drop(columns=["_i", "_m"]).astype({"cost": float})
        iv["date"] = datetimes(iv["date"]).astype("datetime64[s]")
        return iv

    def truth(self) -> dict[str, dict]:
        """Each play's parameters and its true effect, averaged over the customers it targeted."""
        k_h, k_b = HOLDOUT_BLOCK
        out = {}
        for play, spec in PLAYS.items():
            eff = np.concatenate(self.effects[play]) if self.effects[play] else np.zeros((0, 2))
            out[play] = {
                "channel": spec["channel"], "uplift_logodds": spec["uplift_logodds"],
                "horizon_months": spec["horizon_months"], "holdout_share": k_h / k_b,
                "effect_window": "voluntary-churn log-odds shift in the horizon_months calendar months after the "
                                 "month of the play date",
                "targeting": spec["targeting"], "n_targeted": int(len(eff)),
                "control_churn_prob": float(np.mean(1 - eff[:, 0])) if len(eff) else None,
                "abs_reduction": float(np.mean(eff[:, 1] - eff[:, 0])) if len(eff) else None,
            }
        return out
