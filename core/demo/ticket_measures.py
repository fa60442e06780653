"""The tickets' reopenings, agent replies and effort scores (CES, 1-7, higher = easier), drawn from their own random
stream (``default_rng([seed, SERVICE_STREAM])``) after every other table, so adding them moved no other figure.

Like the tickets' times they follow the customer's health in the month of the ticket: an unhealthy customer's ticket
takes more replies, is reopened more often and feels harder. They act on churn only through health (the demo's churn
hazard does not read them), so the Service operations page finds them associated with churn, not causing it. The
first-contact flag is left out, as in a Zendesk export: the page tells first-contact resolution from the replies."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.demo.customers import Accounts
from core.demo.timeline import Window

SERVICE_STREAM = 11
#: each ticket's measures: mean extra agent replies and reopenings at health 0, and the share of resolved tickets
#: whose customer answered the effort survey
EXTRA_REPLIES, REOPENS, EFFORT_ANSWERED = 0.7, 0.12, 0.35
#: columns the measures add to the ticket table, after ``text``
COLUMNS = ("reopens", "replies", "effort")


def _health(tickets: pd.DataFrame, acc: Accounts, win: Window, health: np.ndarray) -> np.ndarray:
    """The customer's health in the month each ticket was opened."""
    cust = pd.Index(acc.ids).get_indexer(tickets["customer_id"])
    month = np.searchsorted(win.ms, tickets["opened"].to_numpy("datetime64[D]"), side="right") - 1
    return health[cust, np.clip(month, 0, health.shape[1] - 1)]


def ticket_measures(seed: int, tickets: pd.DataFrame, acc: Accounts, win: Window, health: np.ndarray) -> pd.DataFrame:
    """``tickets`` with :data:`COLUMNS` added: replies 0 before a first response, else 1 plus a Poisson count (more
    the longer the ticket took and the lower the health); reopenings only of resolved tickets; an effort score from
    a share of the resolved tickets' customers, lower after more replies and reopenings."""
    rng = np.random.default_rng([seed, SERVICE_STREAM])
    k, h = len(tickets), _health(tickets, acc, win, health)
    resolved = tickets["resolved"].notna().to_numpy()
    days = ((tickets["resolved"] - tickets["opened"]).dt.total_seconds() / 86400).fillna(7.0).to_numpy()
    extra = rng.poisson(EXTRA_REPLIES * np.exp(0.5 * np.log1p(days) - 0.3 * h))
    replies = np.where(tickets["first_response"].notna().to_numpy(), 1 + extra, 0)
    reopens = np.where(resolved, rng.poisson(REOPENS * np.exp(-0.5 * h), k), 0)
    score = 5.3 + 0.5 * h - 0.45 * np.log1p(replies) - 0.7 * reopens + rng.normal(0, 1.1, k)
    answered = resolved & (rng.random(k) < EFFORT_ANSWERED)
    effort = np.where(answered, np.clip(np.round(score), 1, 7), np.nan)
    return tickets.assign(reopens=reopens.astype(float), replies=replies.astype(float), effort=effort)
