"""Support tickets: how many each customer opens and which stay unresolved (both follow health), their
times, priority, category, channel, status and satisfaction, and their subject lines."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.demo.customers import Accounts
from core.demo.hazard import sigmoid
from core.demo.texts import TICKET_TEXT, TICKET_THEME, render
from core.demo.timeline import Window, days_in

_MONTHLY_RATE = (0.25, 0.5, 1.0)  # tickets per month by segment at health 0
_PRIORITIES = ("low", "normal", "high", "urgent")
_RESOLVE_HOURS = {"low": 72.0, "normal": 36.0, "high": 14.0, "urgent": 5.0}  # median at health 0
_CATEGORIES = ("bug", "billing", "how-to", "feature request", "account", "integration")
_CHANNELS = ("email", "chat", "phone", "portal")


@dataclass
class OpenedTickets:
    """Every ticket's customer and month, drawn for every month after signup (those after churn are dropped
    when the ticket table is built).

    Attributes
    ----------
    cust, month : numpy.ndarray
        Customer position and month of each ticket.
    health : numpy.ndarray
        The customer's health in that month.
    unresolved : numpy.ndarray
        The ticket is never resolved.
    per_month : numpy.ndarray
        (customers, months): unresolved tickets opened, a churn driver.
    """

    cust: np.ndarray
    month: np.ndarray
    health: np.ndarray
    unresolved: np.ndarray
    per_month: np.ndarray


def open_tickets(rng: np.random.Generator, acc: Accounts, health: np.ndarray) -> OpenedTickets:
    """Poisson ticket counts per customer-month (more when health is low); unhealthy customers' tickets are
    more often left unresolved."""
    n, M = health.shape
    lam = np.array(_MONTHLY_RATE)[acc.seg][:, None] * np.exp(-0.6 * health) * acc.exists
    n_tix = rng.poisson(lam)
    t_cust, t_month = np.nonzero(n_tix)
    reps = n_tix[t_cust, t_month]
    t_cust, t_month = np.repeat(t_cust, reps), np.repeat(t_month, reps)
    t_h = health[t_cust, t_month]
    t_unres = rng.random(len(t_cust)) < sigmoid(-2.6 - 1.2 * t_h)
    unres = np.zeros((n, M))
    np.add.at(unres, (t_cust[t_unres], t_month[t_unres]), 1)
    return OpenedTickets(cust=t_cust, month=t_month, health=t_h, unresolved=t_unres, per_month=unres)


def _times(rng, tix: OpenedTickets, acc: Accounts, win: Window, stop: np.ndarray) -> dict[str, np.ndarray]:
    """Opening time (office hours), priority, first response and resolution (slower when health is low)."""
    ms, end64, t_h = win.ms, win.end64, tix.health
    k = len(tix.cust)
    lo = np.maximum(ms[tix.month], acc.signup[tix.cust])
    hi = np.minimum(np.minimum(ms[tix.month + 1], stop[tix.cust]), end64 + 1)
    ok = hi > lo
    day = days_in(lo, np.maximum(hi, lo + 1), rng.random(k))
    opened = day.astype("datetime64[s]") + (8 * 3600 + rng.integers(0, 10 * 3600, k)).astype("timedelta64[s]")
    pri = np.array(_PRIORITIES, dtype=object)[
        np.minimum(3, rng.choice(4, size=k, p=[0.3, 0.45, 0.18, 0.07]) + (t_h < -0.8))]
    med_h = pd.Series(pri).map(_RESOLVE_HOURS).to_numpy()
    first_resp = opened + (rng.lognormal(np.log(90), 0.8, k) * np.exp(-0.3 * t_h) * 60).astype("timedelta64[s]")
    res_hours = med_h * np.exp(-0.4 * t_h) * rng.lognormal(0, 0.7, k)
    resolved = first_resp + (res_hours * 3600).astype("timedelta64[s]")
    end_s = (end64 + 1).astype("datetime64[s]")
    unres = tix.unresolved | (resolved >= end_s)
    return {"ok": ok, "opened": opened, "priority": pri, "res_hours": res_hours, "unres": unres,
            "first_response": np.where(first_resp >= end_s, np.datetime64("NaT"), first_resp),
            "resolved": np.where(unres, np.datetime64("NaT"), resolved)}


def ticket_frame(rng: np.random.Generator, tix: OpenedTickets, acc: Accounts, win: Window,
                 stop: np.ndarray) -> pd.DataFrame:
    """The ``ticket`` table without its text: tickets opened before ``stop``, ids ``T000001`` ... by time."""
    k = len(tix.cust)
    t = _times(rng, tix, acc, win, stop)
    unres = t["unres"]
    cat = np.array(_CATEGORIES, dtype=object)[rng.choice(6, size=k, p=[0.28, 0.14, 0.26, 0.12, 0.1, 0.1])]
    chan = np.array(_CHANNELS, dtype=object)[rng.choice(4, size=k, p=[.4, .3, .1, .2])]
    status = np.where(unres, np.where(rng.random(k) < 0.6, "open", "pending"),
                      np.where(rng.random(k) < 0.5, "resolved", "closed")).astype(object)
    sat = np.clip(np.round(3.7 + 0.6 * tix.health - 0.3 * np.log(np.maximum(t["res_hours"], 1) / 24)
                           + rng.normal(0, 0.9, k)), 1, 5)
    sat = np.where(~unres & (rng.random(k) < 0.55), sat, np.nan)
    out = pd.DataFrame({"ticket_id": None, "customer_id": acc.ids[tix.cust], "opened": t["opened"],
                        "first_response": t["first_response"], "resolved": t["resolved"], "priority": t["priority"],
                        "category": cat, "channel": chan, "status": status, "satisfaction": sat})[t["ok"]]
    out = out.sort_values(["opened", "customer_id"], kind="stable").reset_index(drop=True)
    out["ticket_id"] = [f"T{i:06d}" for i in range(1, len(out) + 1)]
    return out


def ticket_texts(rng: np.random.Generator, category: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A subject line per ticket, from its category; and the theme it names (or None)."""
    k = len(category)
    text = np.full(k, None, dtype=object)
    label = np.full(k, None, dtype=object)
    u = rng.random(k)
    for cat, templates in TICKET_TEXT.items():
        pool = render(list(templates))
        sel = np.nonzero(category == cat)[0]
        text[sel] = np.array(pool, dtype=object)[(u[sel] * len(pool)).astype(int)]
        label[sel] = TICKET_THEME.get(cat)
    return text, label
