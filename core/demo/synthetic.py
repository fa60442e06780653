"""Deterministic demo data: a B2B subscription business whose churn mechanism is known.

:func:`make_demo` simulates about 5,000 customers over 36 months and returns frames that use
the store's column names (see :mod:`core.store.tables`) plus ``truth``, the parameters that generated
them, so tests can check that the analytics recover what was put in.

The mechanism, month by month (vectorised over customers; the only Python loop is over months):

* every customer has a latent **health** (a mean-reverting random walk around a segment mean,
  with occasional shocks such as a champion leaving);
* health drives observable signals: daily **product usage**, **support tickets** (more, slower,
  and more often left unresolved when health is low), and **survey scores** (NPS, CSAT, CES)
  with free-text verbatims;
* voluntary churn in month ``m`` has the hazard ``logistic(b0 + segment + b . drivers)`` with the
  drivers observed at the end of month ``m - 1`` (listed in ``truth["hazard"]["drivers"]``);
  churn spikes at the annual renewal. Latent health acts on churn only through these drivers,
  so a model given the data can find the real signal;
* involuntary churn (failed payment) has a small, health-independent monthly rate per segment;
* two retention plays target at-risk customers; a random 15 % of the targeted (permuted blocks
  of 20, 3 held out) get nothing. The treatment lowers the log-odds of voluntary churn for a few
  months; ``truth["plays"]`` holds that shift and the resulting true absolute reduction of the
  churn probability over the play's horizon (averaged over the targeted customers);
* a third play, weekly usage-nudge e-mails (:data:`NUDGE`, its own random stream), leaves churn alone
  but brings customers back (a ``responded`` flag on each contact), less so the more e-mails they got in
  the last 30 days: ``truth["plays"]["Usage nudge e-mail"]`` holds the true lift by contacts (fatigue);
* a fourth, trigger-driven play (:data:`~core.demo.triggered.TRIGGERED`, its own random stream): a year of the
  playbooks' own weekly runs (trigger, guards, holdout) sends a check-in call when usage falls; it leaves churn
  alone and raises a ``recovered`` flag by a known lift: ``truth["plays"]["Usage drop check-in"]``.

One module per feature of the business: :mod:`~core.demo.timeline` (the months), :mod:`~core.demo.customers`,
:mod:`~core.demo.health` (health and usage index), :mod:`~core.demo.hazard` (churn drivers and log-odds),
:mod:`~core.demo.churn` (the monthly simulation, churn and renewal dates), :mod:`~core.demo.plays`,
:mod:`~core.demo.nudge`, :mod:`~core.demo.triggered`, :mod:`~core.demo.revenue`, :mod:`~core.demo.activity`,
:mod:`~core.demo.tickets`, :mod:`~core.demo.feedback` (surveys and verbatims), :mod:`~core.demo.reviews` and
:mod:`~core.demo.texts` (the words). :func:`make_demo` calls them in a fixed order: they share the main random
stream, so that order is part of the output; failed payments, texts, the nudge e-mails and the check-ins have
streams of their own (``default_rng([seed, 7 | 8 | 9 | 10 | 11 | 12])``, 11 the tickets' reopenings, replies and
effort scores: :mod:`~core.demo.ticket_measures`; 12 the follow-ups' days: :mod:`~core.demo.follow_ups`).
tests/core/demo/test_golden.py pins every generated value.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.demo import outages
from core.demo import slow_tickets as slow
from core.demo.activity import FEATURES, daily_activity
from core.demo.churn import Churn, churn_dates, churn_soon, renewal_dates, simulate_churn, stop_days
from core.demo.customers import (
    CHANNEL_SHARE,
    CHANNELS,
    PLANS,
    REGION_SHARE,
    REGIONS,
    SEATS,
    SEGMENT_SHARE,
    SEGMENTS,
    Accounts,
    customer_frame,
    draw_accounts,
)
from core.demo.feedback import nps_surveys, statuses, survey_feedback
from core.demo.follow_ups import follow_ups
from core.demo.hazard import HAZARD, INVOLUNTARY_RATE, Hazard, hazard, hazard_drivers
from core.demo.health import HEALTH_MEAN, HEALTH_WALK, latent_health
from core.demo.nudge import NUDGE, usage_nudges
from core.demo.plays import HOLDOUT_BLOCK, PLAYS, PlayLog
from core.demo.revenue import FAILED_BEFORE_INVOLUNTARY, MRR_MEDIAN, PAYMENT_FAIL_RATE, mrr_paths, revenue_frame
from core.demo.reviews import reviews_and_posts
from core.demo.texts import CHURN_WORDS, HIDDEN_THEME, THEME_CHURN_LIFT, THEMES
from core.demo.ticket_measures import ticket_measures
from core.demo.tickets import OpenedTickets, open_tickets, ticket_frame, ticket_texts
from core.demo.timeline import Window, window
from core.demo.triggered import TRIGGERED, check_ins
from core.errors import DataValidationError

__all__ = [
    "CHANNELS", "CHANNEL_SHARE", "CHURN_WORDS", "FEATURES", "HAZARD", "HEALTH_MEAN", "HIDDEN_THEME", "HOLDOUT_BLOCK",
    "INVOLUNTARY_RATE", "MRR_MEDIAN", "NUDGE", "PAYMENT_FAIL_RATE", "PLANS", "PLAYS", "REGIONS", "REGION_SHARE",
    "SEATS", "SEGMENTS", "SEGMENT_SHARE", "THEMES", "THEME_CHURN_LIFT", "DemoData", "make_demo",
]
TEXT_STREAM = 8  # ticket texts, reviews, social posts and follow-up statuses: ``default_rng([seed, TEXT_STREAM])``


@dataclass
class DemoData:
    """The demo frames, in store column names, and the parameters that generated them.

    Attributes
    ----------
    customers : pandas.DataFrame
        ``customer_id, name, segment, plan, region, channel, signup_date, churn_date, churn_type,
        renewal_date`` (dates as datetime64, ``churn_date`` NaT while active).
    revenue : pandas.DataFrame
        ``customer_id, period, mrr, amount, payment_failed``: one row per active month, ``period`` the
        month start; ``payment_failed`` marks a failed payment (recovered, or followed by involuntary churn).
    activity : pandas.DataFrame
        ``customer_id, date, metric, value``: daily usage per metric (days without use left out).
    tickets : pandas.DataFrame
        ``ticket_id, customer_id, opened, first_response, resolved, priority, category, channel,
        status, satisfaction, text, reopens, replies, effort`` (the last three: :mod:`core.demo.ticket_measures`).
    feedback : pandas.DataFrame
        ``customer_id, date, channel, score, text, status, followed_up, closed, reopens``: surveys (``nps``,
        ``csat``, ``ces``), ``review`` (1-5 stars) and ``social`` posts; ``status`` is the follow-up state of a
        verbatim, the last three when it was followed up and closed (:mod:`core.demo.follow_ups`).
    interventions : pandas.DataFrame
        ``customer_id, play, channel, date, group, cost, attributes`` (``attributes`` a dict such as
        ``{"responded": 1}`` for the usage-nudge e-mails, None otherwise).
    truth : dict
        The generating parameters: hazard model, involuntary rates, plays with true effects,
        themes (with each theme's churn lift), churn words, seed.
    verbatim_themes : pandas.DataFrame
        ``table, row, theme``: the theme the generator wrote into each verbatim (``feedback`` or
        ``ticket`` row by position; ``None`` for a verbatim about no theme, or without text).
    incidents : pandas.DataFrame or None
        ``incident_id, customer_id, affected, start, end, severity, title`` (:mod:`core.demo.outages`), when made.
    """

    customers: pd.DataFrame
    revenue: pd.DataFrame
    activity: pd.DataFrame
    tickets: pd.DataFrame
    feedback: pd.DataFrame
    interventions: pd.DataFrame
    truth: dict = field(default_factory=dict)
    verbatim_themes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["table", "row", "theme"]))
    incidents: pd.DataFrame | None = None

    def frames(self) -> dict[str, pd.DataFrame]:
        """Store table name -> frame, in load order (the incidents only when made)."""
        out = {"customer": self.customers, "revenue": self.revenue, "activity": self.activity,
               "ticket": self.tickets, "feedback": self.feedback, "intervention": self.interventions}
        return out if self.incidents is None else {**out, "incident": self.incidents}


def make_demo(n_customers: int = 5000, months: int = 36, seed: int = 0,
              end: dt.date = dt.date(2026, 10, 31), incidents: bool = False, slow_tickets: bool = False) -> DemoData:
    """Simulate a B2B subscription business; the same seed gives identical frames.

    Activity is daily usage per feature (one row per customer, day and metric, zero days left out;
    about 5.3 M rows at 5,000 customers, loaded in about 13 s).

    Parameters
    ----------
    n_customers : int
        Customers acquired over the window (at least 50).
    months : int
        Length of the window in months, ending with the month of ``end`` (at least 12).
    seed : int
        Seed of :func:`numpy.random.default_rng`.
    end : datetime.date
        Last day of the window.
    incidents : bool
        Add the incidents of :mod:`core.demo.outages` (a region's outage makes some of its customers leave, a known
        effect); off by default, since those customers' churn moves every page's churn figures.
    slow_tickets : bool
        Make some customers of tickets resolved in 7 days or more leave (:mod:`core.demo.slow_tickets`, a known
        effect of resolution time); off by default for the same reason.

    Returns
    -------
    DemoData

    Raises
    ------
    DataValidationError
        ``n_customers`` below 50 or ``months`` below 12.

    Examples
    --------
    >>> demo = make_demo(300, seed=1)
    >>> sorted(demo.customers["segment"].unique())
    ['Enterprise', 'Mid-Market', 'SMB']
    """
    first = first_draws(n_customers, months, seed, end)
    rng, win, acc, health, usage_ix = first.rng, first.win, first.acc, first.health, first.usage_ix
    churn, churn_date = first.churn, first.churn_date
    stop = stop_days(win, churn, churn_date)  # events happen before this day
    activity = daily_activity(rng, acc, win, stop, usage_ix)
    tickets = ticket_frame(rng, first.tix, acc, win, stop)
    soon = churn_soon(churn, win)
    feedback, labels = survey_feedback(rng, acc, win, stop, health, first.nps, first.tix.per_month, soon)
    # texts from their own stream, so every figure the streams above produce stays as it was
    tickets, feedback, verbatim_themes = _texts(np.random.default_rng([seed, TEXT_STREAM]), acc, win, stop, health,
                                                soon, tickets, feedback, labels)
    tickets = ticket_measures(seed, tickets, acc, win, health)  # its own stream too: no figure above moves
    feedback = follow_ups(seed, feedback, win.end64)  # and so are the follow-ups' days
    iv = first.plays.interventions(first.mrr)
    nudge, nudge_truth = usage_nudges(seed, acc, win, churn_date, usage_ix, iv)
    checks, checks_truth = check_ins(seed, acc, win, churn_date, usage_ix)
    iv = pd.concat([iv.assign(attributes=None), nudge, checks], ignore_index=True)
    truth = _truth(seed, first.n, win, {**first.plays.truth(), NUDGE["play"]: nudge_truth,
                                        TRIGGERED["play"]: checks_truth})
    demo = DemoData(first.customers, first.revenue(), activity, tickets, feedback, iv, truth, verbatim_themes)
    demo = with_incidents(demo, seed, win.end64) if incidents else demo
    return with_slow_tickets(demo, seed) if slow_tickets else demo


def with_incidents(demo: DemoData, seed: int, end: np.datetime64) -> DemoData:
    """``demo`` with its incidents and the customers the outage made leave (:mod:`core.demo.outages`, its own
    stream)."""
    rows, leaves, truth = outages.incidents(seed, demo.customers, end)
    return _with_leavers(demo, leaves, {"incidents": truth}, rows)


def with_slow_tickets(demo: DemoData, seed: int) -> DemoData:
    """``demo`` with the customers its slow tickets made leave (:mod:`core.demo.slow_tickets`, its own stream)."""
    leaves, truth = slow.leavers(seed, demo.customers, demo.tickets)
    return _with_leavers(demo, leaves, {"slow_tickets": truth}, demo.incidents)


def _with_leavers(demo: DemoData, leaves: pd.Series, truth: dict, incidents: pd.DataFrame | None) -> DemoData:
    """``demo`` with the customers of ``leaves`` churned on their days (:func:`core.demo.outages.leave`): their rows
    from that day on removed, the verbatims' themes following their rows; ``truth`` added to the demo's."""
    f = outages.leave(demo.frames(), demo.customers, leaves)
    themes = []
    for table, kept in (("feedback", f["kept"]["feedback"]), ("ticket", f["kept"]["ticket"])):
        t = demo.verbatim_themes[demo.verbatim_themes["table"] == table]
        t = t[np.isin(t["row"].to_numpy(), kept)]
        themes.append(t.assign(row=np.searchsorted(kept, t["row"].to_numpy())))
    return DemoData(f["customer"], f["revenue"], f["activity"], f["ticket"], f["feedback"], f["intervention"],
                    {**demo.truth, **truth}, pd.concat(themes, ignore_index=True), incidents)


@dataclass
class FirstDraws:
    """The demo's first draws on the main random stream, up to its customers (:func:`first_draws`): the stream,
    left where they end, and what they made."""

    seed: int
    n: int
    rng: np.random.Generator
    win: Window
    acc: Accounts
    health: np.ndarray
    usage_ix: np.ndarray
    tix: OpenedTickets
    nps: tuple[np.ndarray, np.ndarray]
    hz: Hazard
    churn: Churn
    plays: PlayLog
    mrr: np.ndarray
    churn_date: np.ndarray
    customers: pd.DataFrame

    def revenue(self) -> pd.DataFrame:
        """The revenue frame (its own stream: the same whenever it is made)."""
        return revenue_frame(self.seed, self.acc, self.win, self.mrr, self.churn)


def first_draws(n_customers: int, months: int, seed: int, end: dt.date) -> FirstDraws:
    """The steps :func:`make_demo` takes first on the main stream, in their order, up to the customers: shared with
    the app's staged first start (:func:`core.demo.staged.first_frames`), which stops there."""
    n, M = _checked_size(n_customers, months)
    rng = np.random.default_rng(seed)  # the main stream: the steps below draw from it in this order
    win = window(M, end)
    acc = draw_accounts(rng, n, win)
    health, usage_ix = latent_health(rng, acc)
    tix = open_tickets(rng, acc, health)
    nps = nps_surveys(rng, acc, health)
    hz = hazard(acc, hazard_drivers(acc, usage_ix, tix.per_month, *nps))
    churn, plays = simulate_churn(rng, acc, win, hz, usage_ix)
    mrr = mrr_paths(rng, acc, health)
    churn_date = churn_dates(rng, acc, win, churn, hz.drivers["renewal_month"])
    customers = customer_frame(acc, churn_date, churn.kind, renewal_dates(acc, win, churn, churn_date))
    return FirstDraws(seed, n, rng, win, acc, health, usage_ix, tix, nps, hz, churn, plays, mrr, churn_date, customers)


def _checked_size(n_customers: int, months: int) -> tuple[int, int]:
    """``(n_customers, months)`` as int, or DataValidationError when too small for the demo."""
    if int(n_customers) < 50:
        raise DataValidationError(f"The demo needs at least 50 customers (got {n_customers}); use 50 or more.")
    if int(months) < 12:
        raise DataValidationError(f"The demo needs at least 12 months (got {months}) to show renewals.")
    return int(n_customers), int(months)


def _texts(rng: np.random.Generator, acc: Accounts, win: Window, stop: np.ndarray, health: np.ndarray,
           soon: np.ndarray, tickets: pd.DataFrame, feedback: pd.DataFrame,
           labels: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Ticket subjects, reviews and social posts added to the feedback, every verbatim's follow-up status, and
    the theme each verbatim was written about (``table, row, theme``)."""
    tickets["text"], t_labels = ticket_texts(rng, tickets["category"].to_numpy())
    extra, x_labels = reviews_and_posts(rng, acc, win, health, soon, stop)
    feedback = pd.concat([feedback, extra], ignore_index=True)
    feedback = feedback.sort_values(["date", "customer_id", "channel"], kind="stable")
    labels = np.concatenate([labels, x_labels])[feedback.index.to_numpy()]
    feedback = feedback.reset_index(drop=True)
    feedback["status"] = statuses(rng, feedback, win.end64)
    verbatim_themes = pd.concat([
        pd.DataFrame({"table": "feedback", "row": np.arange(len(feedback)), "theme": labels}),
        pd.DataFrame({"table": "ticket", "row": np.arange(len(tickets)), "theme": t_labels})], ignore_index=True)
    return tickets, feedback, verbatim_themes


def _truth(seed: int, n: int, win: Window, plays_truth: dict) -> dict:
    """The generating parameters (see :class:`DemoData`)."""
    return {
        "seed": seed, "n_customers": n, "months": win.n_months, "start": str(win.ms[0]), "end": str(win.end64),
        "hazard": {"intercept": HAZARD["intercept"], "segment": dict(HAZARD["segment"]),
                   "coefficients": dict(HAZARD["coefficients"]), "drivers": dict(HAZARD["drivers"]),
                   "link": "logistic, monthly, voluntary churn; drivers observed at the end of the previous month"},
        "involuntary_monthly_rate": dict(zip(SEGMENTS, INVOLUNTARY_RATE)),
        "failed_payments": {"recovered_monthly_rate": PAYMENT_FAIL_RATE,
                            "before_involuntary_churn": dict(FAILED_BEFORE_INVOLUNTARY)},
        "health": {"segment_mean": dict(zip(SEGMENTS, HEALTH_MEAN)), **copy.deepcopy(HEALTH_WALK)},
        "plays": plays_truth,
        "themes": {k: list(v) for k, v in THEMES.items()},
        "churn_words": list(CHURN_WORDS),
        "activity": {"granularity": "daily", "metrics": list(FEATURES)},
        "feedback_scales": {"nps": [0, 10], "csat": [1, 5], "ces": [1, 7], "ces_direction": "higher = easier"},
        "theme_churn_lift": dict(THEME_CHURN_LIFT),
        "hidden_theme": HIDDEN_THEME,
    }
