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
  the last 30 days: ``truth["plays"]["Usage nudge e-mail"]`` holds the true lift by contacts (fatigue).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.errors import DataValidationError

SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
SEGMENT_SHARE = (0.6, 0.3, 0.1)
PLANS = {"SMB": ("Starter", "Growth"), "Mid-Market": ("Growth", "Pro"), "Enterprise": ("Pro", "Enterprise")}
REGIONS = ("North America", "EMEA", "APAC", "LATAM")
REGION_SHARE = (0.45, 0.3, 0.17, 0.08)
CHANNELS = ("Inbound", "Outbound sales", "Partner", "Paid search", "Referral")
CHANNEL_SHARE = (0.35, 0.2, 0.15, 0.2, 0.1)
#: usage metrics and their mean count per seat-unit per week (spread over the days by _activity)
FEATURES = {"logins": 3.0, "reports_run": 0.8, "dashboards_viewed": 1.5, "api_calls": 4.0}
SEATS = (6.0, 30.0, 150.0)  # median seats by segment
MRR_MEDIAN = (450.0, 3000.0, 16000.0)
HEALTH_MEAN = (0.0, 0.15, 0.3)
INVOLUNTARY_RATE = (0.004, 0.0015, 0.0005)  # monthly failed-payment churn by segment
PAYMENT_FAIL_RATE = 0.006  # monthly share of payments that fail and are then recovered
HOLDOUT_BLOCK = (3, 20)  # 3 of every 20 targeted customers are held out

HAZARD = {
    "intercept": -4.85,
    "segment": {"SMB": 0.0, "Mid-Market": -0.3, "Enterprise": -0.7},
    "coefficients": {"usage_trend": -1.2, "usage_level": -0.6, "open_tickets": 0.4,
                     "nps_detractor": 0.8, "renewal_month": 2.4},
    "drivers": {
        "usage_trend": "log usage index at the end of the previous month minus its value three months "
                       "earlier (0 in the first months)",
        "usage_level": "log usage index of the previous month (about 0 for a typical customer; weekly "
                       "usage per metric = base x seats^0.7 x exp(index), spread over the days)",
        "open_tickets": "tickets opened in the previous three months that were never resolved",
        "nps_detractor": "1 if the customer's latest NPS answer (before this month) was 0-6",
        "renewal_month": "1 in the month of the annual contract anniversary",
    },
}

PLAYS = {
    "Onboarding call": {"channel": "phone", "uplift_logodds": -1.0, "horizon_months": 6, "cost": 150.0,
                        "targeting": "customers in their second month whose usage index is below -0.2"},
    "Renewal save offer": {"channel": "email", "uplift_logodds": -1.2, "horizon_months": 3, "cost": None,
                           "targeting": "customers renewing next month who are NPS detractors, have an "
                                        "unresolved ticket, falling usage (trend < -0.3) or low usage (< -0.5); "
                                        "cost = 50 + 1.2 x MRR (a 10 % discount for a year)"},
}

#: a frequent, cheap play with its own random stream (``default_rng([seed, 9])``), so every other figure of the
#: demo stays as it was: weekly e-mails to low-usage customers for six months. It does not change churn; it
#: brings customers back (``responded``: used the product within 7 days, an attribute of each contact row),
#: less so the more e-mails they got lately (fatigue). Each e-mail is held out on its own (15 %).
NUDGE = {"play": "Usage nudge e-mail", "channel": "email", "cost": 0.05, "months": 6, "last_month_back": 4,
         "send_days": (2, 9, 16, 23), "send_prob": 0.5, "usage_below": -0.3, "holdout_share": 0.15,
         "response_logodds": -1.4, "response_usage": 0.5, "lift": 0.20, "fatigue": 0.5, "fatigue_days": 30,
         "targeting": "customers past their first month whose usage index last month was below -0.3, in the six "
                      "months ending four months before the end of the data; each of four weekly send days "
                      "with probability 0.5"}

THEMES = {
    "onboarding": ("onboarding", "setup", "getting started", "implementation"),
    "pricing": ("price", "pricing", "expensive", "cost"),
    "bugs": ("bug", "crash", "broken", "glitch"),
    "support_speed": ("support", "response time", "waiting", "ticket"),
    "missing_features": ("feature", "missing", "roadmap", "integration"),
    "billing_errors": ("invoice", "billing", "charged", "payment"),
}
CHURN_WORDS = ("cancel", "switching", "leave", "not renew")
#: how much more often a customer who churns (voluntarily) within the next six months names each theme
#: in a negative verbatim: added to the theme's choice weight (base weights 0.6-1.2). Pricing carries
#: the largest true churn effect; support speed is also raised by unresolved tickets (a churn driver).
THEME_CHURN_LIFT = {"onboarding": 0.0, "pricing": 4.0, "bugs": 1.0, "support_speed": 0.0,
                    "missing_features": 0.0, "billing_errors": 0.0}
#: a theme only reviews and social posts mention, and that no starter codebook rule covers: what
#: theme discovery should find
HIDDEN_THEME = "performance"
_HIDDEN_NEG = ("The app is so slow, pages take ages to load.", "Loading times are terrible since the update.",
               "Everything lags when we open big projects.", "Slow performance makes the team avoid it.",
               "Reports load slowly and often time out.")
_HIDDEN_POS = ("Pages load fast now, performance is great.", "Snappy and fast, no lag at all.")
_TICKET_TEXT = {
    "bug": ("The {thing} crashes when we open it.", "Error message in the {thing} after the update, looks like a bug.",
            "The {thing} is broken for all our users since this morning."),
    "billing": ("We were charged twice this month, please check the invoice.", "Our invoice lists seats we "
                "removed.", "The payment failed although the card is valid, billing please help."),
    "feature request": ("Please add a {feat} integration.", "Is a {feat} feature on the roadmap?",
                        "We need {feat} support, it is missing for our team."),
    "integration": ("The {feat} integration stopped syncing.", "How do we connect the {feat} integration?"),
    "how-to": ("How do I share a report with a colleague?", "Where can I change my notification settings?",
               "How can I schedule a weekly email?"),
    "account": ("Please add a new admin user to our account.", "Can you change the owner of our workspace?",
                "Please update the company address on file."),
}
_TICKET_THEME = {"bug": "bugs", "billing": "billing_errors", "feature request": "missing_features",
                 "integration": "missing_features"}
_PII = (" You can reach me at dana.fox@{co}.com.", " Call me on +1 (415) 555-0{n}.",
        " Card 4111 1111 1111 1111 was charged.", " My number is 020 7946 0{n}.")

_NEG = {
    "onboarding": ["The {ob} took far too long and nobody guided us.", "Our {ob} was confusing; we still "
                   "don't use half of it.", "{OB} was a mess, the docs did not match the product.",
                   "We needed more help with {ob}, the team felt left alone."],
    "pricing": ["The {pr} is too high for what we get.", "Way too expensive after the last {pr} change.",
                "Hard to justify the cost to our finance team.", "{PR} keeps going up every year."],
    "bugs": ["Too many bugs, the {thing} crashes every week.", "The {thing} is broken again after the update.",
             "Constant glitches in the {thing} make it unreliable.", "We hit a bug in the {thing} that "
             "lost our work."],
    "support_speed": ["Support takes days to answer a ticket.", "We are still waiting on support for a "
                      "critical issue.", "Response time from support is far too slow.",
                      "Our ticket sat open for two weeks, support never followed up."],
    "missing_features": ["The {feat} feature we need is still missing.", "No {feat} integration, which "
                         "competitors have.", "Missing basic features like {feat}.", "The {feat} feature "
                         "has been on the roadmap forever."],
    "billing_errors": ["We were charged twice on the last invoice.", "The invoice was wrong again and "
                       "billing took weeks to fix it.", "Billing errors every quarter, our payment "
                       "failed for no reason.", "We got charged for seats we removed; the invoice is a mess."],
}
_POS = {
    "onboarding": ["{OB} was smooth and quick.", "Great {ob}, the team got us live in a week."],
    "pricing": ["Fair pricing for the value.", "Good value for the price."],
    "bugs": ["The {thing} is stable, hardly any bug since we started.", "Solid {thing}, no crash in months."],
    "support_speed": ["Support answers fast and fixes things.", "Quick response time from support, "
                      "every ticket handled the same day."],
    "missing_features": ["The new {feat} feature is exactly what we needed.", "Love the {feat} integration."],
    "billing_errors": ["Billing is simple and every invoice is clear.", "Invoice and payment are painless."],
}
_FILL = {"ob": ("onboarding", "setup", "implementation"), "pr": ("price", "pricing"),
         "thing": ("dashboard", "report builder", "mobile app", "export", "editor"),
         "feat": ("Salesforce", "SSO", "custom roles", "forecasting", "API webhooks", "Slack")}
_OPENERS = ("", "", "Honestly, ", "Overall: ", "To be frank, ", "In short, ")
_CHURN_CLAUSES = ("We are considering switching to a competitor.", "If this is not fixed we will cancel.",
                  "Thinking about switching tools at renewal.", "We plan to cancel our subscription.",
                  "We will not renew unless this changes.", "Our team wants to leave for another vendor.")
_KEEP_CASE = ("SSO", "API", "Salesforce", "Slack")
_NEUTRAL = ("It does the job.", "Fine, nothing special.", "Useful product, some rough edges.")
_NAME_A = ("Blue", "North", "Bright", "Silver", "Rapid", "Green", "Summit", "Pioneer", "Atlas", "Nova",
           "Crimson", "Union", "Harbor", "Granite", "Vertex", "Lumen", "Cedar", "Orbit", "Delta", "Prime")
_NAME_B = ("Logistics", "Health", "Analytics", "Foods", "Retail", "Labs", "Systems", "Energy", "Capital",
           "Media", "Robotics", "Travel", "Legal", "Works", "Networks", "Studios")
_NAME_C = ("Inc", "LLC", "Ltd", "GmbH", "Group", "Co", "SA", "BV")


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
        status, satisfaction, text``.
    feedback : pandas.DataFrame
        ``customer_id, date, channel, score, text, status``: surveys (``nps``, ``csat``, ``ces``),
        ``review`` (1-5 stars) and ``social`` posts; ``status`` is the follow-up state of a verbatim.
    interventions : pandas.DataFrame
        ``customer_id, play, channel, date, group, cost, attributes`` (``attributes`` a dict such as
        ``{"responded": 1}`` for the usage-nudge e-mails, None otherwise).
    truth : dict
        The generating parameters: hazard model, involuntary rates, plays with true effects,
        themes (with each theme's churn lift), churn words, seed.
    verbatim_themes : pandas.DataFrame
        ``table, row, theme``: the theme the generator wrote into each verbatim (``feedback`` or
        ``ticket`` row by position; ``None`` for a verbatim about no theme, or without text).
    """

    customers: pd.DataFrame
    revenue: pd.DataFrame
    activity: pd.DataFrame
    tickets: pd.DataFrame
    feedback: pd.DataFrame
    interventions: pd.DataFrame
    truth: dict = field(default_factory=dict)
    verbatim_themes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["table", "row", "theme"]))

    def frames(self) -> dict[str, pd.DataFrame]:
        """Store table name -> frame, in load order."""
        return {"customer": self.customers, "revenue": self.revenue, "activity": self.activity,
                "ticket": self.tickets, "feedback": self.feedback, "intervention": self.interventions}


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _render(templates: list[str]) -> list[str]:
    """Expand every ``{slot}`` template with each filler (``{OB}`` is the capitalised form)."""
    out = []
    for t in templates:
        variants = [t]
        for slot, words in _FILL.items():
            nxt = []
            for v in variants:
                if "{" + slot + "}" in v or "{" + slot.upper() + "}" in v:
                    nxt += [v.replace("{" + slot + "}", w).replace("{" + slot.upper() + "}", w.capitalize())
                            for w in words]
                else:
                    nxt.append(v)
            variants = nxt
        out += variants
    return out


def _days_in(lo, hi, u):
    """Integer day in [lo, hi) from uniforms ``u`` (datetime64[D] arrays); hi > lo assumed."""
    span = (hi - lo).astype(np.int64)
    return lo + np.floor(u * span).astype(np.int64).astype("timedelta64[D]")


def make_demo(n_customers: int = 5000, months: int = 36, seed: int = 0,
              end: dt.date = dt.date(2026, 10, 31)) -> DemoData:
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
    if int(n_customers) < 50:
        raise DataValidationError(f"The demo needs at least 50 customers (got {n_customers}); use 50 or more.")
    if int(months) < 12:
        raise DataValidationError(f"The demo needs at least 12 months (got {months}) to show renewals.")
    n, M = int(n_customers), int(months)
    rng = np.random.default_rng(seed)
    end64 = np.datetime64(end, "D")
    last_ms = pd.Timestamp(end).to_period("M").start_time
    ms = pd.date_range(last_ms - pd.DateOffset(months=M - 1), periods=M + 1, freq="MS").to_numpy("datetime64[D]")
    m_idx = np.arange(M)

    # --- customers -----------------------------------------------------------------------------
    seg = rng.choice(3, size=n, p=SEGMENT_SHARE)
    seg_names = np.array(SEGMENTS, dtype=object)[seg]
    growth = np.exp(0.025 * m_idx)
    sm = np.sort(rng.choice(M, size=n, p=growth / growth.sum()))  # signup month (sorted: ids by signup)
    signup = _days_in(ms[sm], np.minimum(ms[sm + 1], end64 + 1), rng.random(n))
    plan_hi = rng.random(n) < np.array([0.35, 0.4, 0.5])[seg]
    plan = np.array([PLANS[s][int(h)] for s, h in zip(seg_names, plan_hi)], dtype=object)
    region = np.array(REGIONS, dtype=object)[rng.choice(4, size=n, p=REGION_SHARE)]
    channel = np.array(CHANNELS, dtype=object)[rng.choice(5, size=n, p=CHANNEL_SHARE)]
    seats = np.maximum(1.0, np.round(np.array(SEATS)[seg] * rng.lognormal(0, 0.5, n)))
    seat_mult = seats ** 0.7
    name = (np.array(_NAME_A, dtype=object)[rng.integers(0, len(_NAME_A), n)] + " "
            + np.array(_NAME_B, dtype=object)[rng.integers(0, len(_NAME_B), n)] + " "
            + np.array(_NAME_C, dtype=object)[rng.integers(0, len(_NAME_C), n)])
    ids = np.array([f"C{i:05d}" for i in range(1, n + 1)], dtype=object)
    tenure = m_idx[None, :] - sm[:, None]  # months since signup month (negative before signup)
    exists = tenure >= 0

    # --- latent health and usage index -----------------------------------------------------------
    mu = np.array(HEALTH_MEAN)[seg]
    h0 = mu + rng.normal(0, 0.7, n)
    eps = rng.normal(0, 0.3, (n, M))
    shock = (rng.random((n, M)) < 0.02) * -1.0
    health = np.empty((n, M))
    prev = h0
    for m in range(M):
        walk = prev + 0.12 * (mu - prev) + eps[:, m] + shock[:, m]
        prev = np.where(m <= sm, h0, walk)
        health[:, m] = prev
    ramp = np.select([tenure == 0, tenure == 1], [-0.5, -0.2], 0.0)
    usage_ix = 0.8 * health + ramp + rng.normal(0, 0.15, (n, M))

    # --- tickets (generated for every month after signup; rows after churn are dropped later) ----
    lam = np.array([0.25, 0.5, 1.0])[seg][:, None] * np.exp(-0.6 * health) * exists
    n_tix = rng.poisson(lam)
    t_cust, t_month = np.nonzero(n_tix)
    reps = n_tix[t_cust, t_month]
    t_cust, t_month = np.repeat(t_cust, reps), np.repeat(t_month, reps)
    t_h = health[t_cust, t_month]
    t_unres = rng.random(len(t_cust)) < _sigmoid(-2.6 - 1.2 * t_h)
    unres = np.zeros((n, M))
    np.add.at(unres, (t_cust[t_unres], t_month[t_unres]), 1)

    # --- NPS surveys (every 6 months from the 3rd) ------------------------------------------------
    nps_due = exists & (tenure >= 3) & ((tenure - 3) % 6 == 0) & (rng.random((n, M)) < 0.5)
    nps_score = np.clip(np.round(7.4 + 1.9 * health + rng.normal(0, 1.4, (n, M))), 0, 10)
    nps_mat = np.where(nps_due, nps_score, np.nan)
    last_nps = pd.DataFrame(nps_mat).ffill(axis=1).to_numpy()

    # --- hazard drivers for month m, observed at the end of month m-1 ---------------------------
    def lag(a, k, fill=0.0):
        out = np.full_like(a, fill, dtype=float)
        out[:, k:] = a[:, :-k]
        return out

    trend = lag(usage_ix, 1) - lag(usage_ix, 4)
    trend[~(tenure >= 4)] = 0.0
    drivers = {
        "usage_trend": trend,
        "usage_level": lag(usage_ix, 1),
        "open_tickets": lag(unres, 1) + lag(unres, 2) + lag(unres, 3),
        "nps_detractor": (lag(np.nan_to_num(last_nps, nan=99.0), 1, 99.0) <= 6).astype(float),
        "renewal_month": ((tenure > 0) & (tenure % 12 == 0)).astype(float),
    }
    seg_off = np.array([HAZARD["segment"][s] for s in SEGMENTS])[seg]
    logit = HAZARD["intercept"] + seg_off[:, None] + sum(HAZARD["coefficients"][k] * v for k, v in drivers.items())
    p_inv = np.array(INVOLUNTARY_RATE)[seg]

    # --- churn and plays, month by month ----------------------------------------------------------
    u_vol, u_inv = rng.random((n, M)), rng.random((n, M))
    adj = np.zeros((n, M))
    alive = np.ones(n, dtype=bool)
    churn_m = np.full(n, -1)
    churn_kind = np.full(n, None, dtype=object)
    k_h, k_b = HOLDOUT_BLOCK
    blocks = {p: np.concatenate([rng.permutation(np.r_[np.ones(k_h, bool), np.zeros(k_b - k_h, bool)])
                                 for _ in range(n // k_b + 2)]) for p in PLAYS}
    used = dict.fromkeys(PLAYS, 0)
    rows, effects = [], {p: [] for p in PLAYS}
    for m in range(M):
        risk = alive & (sm < m)
        inv = risk & (u_inv[:, m] < p_inv)
        vol = risk & ~inv & (u_vol[:, m] < _sigmoid(logit[:, m] + adj[:, m]))
        churn_m[inv | vol] = m
        churn_kind[inv], churn_kind[vol] = "involuntary", "voluntary"
        alive &= ~(inv | vol)
        for play, spec in PLAYS.items():
            H = spec["horizon_months"]
            if m + H > M - 1 or m < 3:
                continue
            if play == "Onboarding call":
                target = alive & (tenure[:, m] == 1) & (usage_ix[:, m] < -0.2)
            else:
                nxt = m + 1
                target = alive & (drivers["renewal_month"][:, nxt] == 1) & (
                    (drivers["nps_detractor"][:, nxt] == 1) | (drivers["open_tickets"][:, nxt] > 0)
                    | (drivers["usage_trend"][:, nxt] < -0.3) | (usage_ix[:, m] < -0.5))
            who = np.nonzero(target)[0]
            if not len(who):
                continue
            who = rng.permutation(who)
            hold = blocks[play][used[play]:used[play] + len(who)]
            used[play] += len(who)
            win = slice(m + 1, m + 1 + H)
            base = logit[who, win] + adj[who, win]
            s_inv = (1 - p_inv[who])[:, None]
            s0 = np.prod((1 - _sigmoid(base)) * s_inv, axis=1)
            s1 = np.prod((1 - _sigmoid(base + spec["uplift_logodds"])) * s_inv, axis=1)
            effects[play].append(np.c_[s0, s1])
            treated = who[~hold]
            adj[treated, win] += spec["uplift_logodds"]
            day = np.minimum(ms[m] + rng.integers(14, 27, len(who)).astype("timedelta64[D]"), end64)
            cost = np.full(len(who), np.nan if spec["cost"] is None else spec["cost"])  # save offer: below
            rows.append(pd.DataFrame({"customer_id": ids[who], "play": play, "channel": spec["channel"],
                                      "date": day, "group": np.where(hold, "holdout", "treatment"),
                                      "cost": cost, "_i": who, "_m": m}))

    # --- MRR with expansion and contraction ------------------------------------------------------
    mrr0 = np.round(np.array(MRR_MEDIAN)[seg] * rng.lognormal(0, 0.45, n), 0)
    u_e, u_c = rng.random((n, M)), rng.random((n, M))
    expand = (u_e < 0.035 * np.exp(0.6 * health)) & (tenure > 0)
    contract = ~expand & (u_c < 0.025 * np.exp(-0.6 * health)) & (tenure > 0)
    factor = np.where(expand, 1 + rng.uniform(0.05, 0.35, (n, M)), 1.0)
    factor = np.where(contract, 1 - rng.uniform(0.05, 0.3, (n, M)), factor)
    factor[tenure <= 0] = 1.0
    mrr = np.round(mrr0[:, None] * np.cumprod(factor, axis=1), 2)
    last_m = np.where(churn_m >= 0, churn_m - 1, M - 1)  # no revenue in the churn month
    paying = exists & (m_idx[None, :] <= last_m[:, None])
    r_c, r_m = np.nonzero(paying)
    revenue = pd.DataFrame({"customer_id": ids[r_c], "period": ms[r_m].astype("datetime64[s]"),
                            "mrr": mrr[r_c, r_m], "amount": np.nan})
    # failed payments, from their own random stream so every other figure of the demo stays as it was:
    # an involuntary churner's last paid month failed (90 %) and often the one before (50 %); any other
    # month fails now and then (0.6 %) and is recovered
    rng_pay = np.random.default_rng([seed, 7])
    months_left = last_m[r_c] - r_m  # 0 = the customer's last paying month
    inv = (churn_kind == "involuntary")[r_c]
    p_fail = np.where(inv & (months_left == 0), 0.9, np.where(inv & (months_left == 1), 0.5, PAYMENT_FAIL_RATE))
    revenue["payment_failed"] = rng_pay.random(len(r_c)) < p_fail

    # --- interventions -----------------------------------------------------------------------------
    iv = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
        columns=["customer_id", "play", "channel", "date", "group", "cost", "_i", "_m"])
    save = (iv["play"] == "Renewal save offer").to_numpy()
    iv.loc[save, "cost"] = np.round(50 + 1.2 * mrr[iv["_i"].to_numpy()[save], iv["_m"].to_numpy()[save]], 2)
    iv.loc[iv["group"] == "holdout", "cost"] = 0.0
    iv = iv.drop(columns=["_i", "_m"]).astype({"cost": float})
    iv["date"] = pd.to_datetime(iv["date"]).astype("datetime64[s]")

    # --- churn dates, renewal dates --------------------------------------------------------------
    churned = churn_m >= 0
    cm = np.where(churned, churn_m, 0)
    anniv = _anniversary(signup, _month_ord(signup) + np.maximum(cm - sm, 0))
    rand_day = _days_in(ms[cm], np.minimum(ms[cm + 1], end64 + 1), rng.random(n))
    at_renewal = churned & (drivers["renewal_month"][np.arange(n), cm] == 1) & (churn_kind == "voluntary")
    churn_date = np.where(at_renewal, anniv, rand_day)
    churn_date = np.where(churned, churn_date, np.datetime64("NaT"))
    # renewal date: the first contract anniversary on or after the churn date (or after ``end``)
    ref = np.where(churned, churn_date, end64 + 1)
    s_ord = _month_ord(signup)
    years = np.maximum(1, np.ceil((_month_ord(ref) - s_ord) / 12).astype(int))
    renewal = _anniversary(signup, s_ord + 12 * years)
    renewal = np.where(renewal < ref, _anniversary(signup, s_ord + 12 * (years + 1)), renewal)
    customers = pd.DataFrame({
        "customer_id": ids, "name": name, "segment": seg_names, "plan": plan, "region": region,
        "channel": channel, "signup_date": signup.astype("datetime64[s]"),
        "churn_date": churn_date.astype("datetime64[s]"), "churn_type": churn_kind,
        "renewal_date": renewal.astype("datetime64[s]")})
    stop = np.where(churned, churn_date, end64 + 1)  # events happen before this day

    activity = _activity(rng, ids, signup, stop, ms, usage_ix, seat_mult, end64)
    tickets = _tickets(rng, ids, t_cust, t_month, t_h, t_unres, seg, signup, stop, ms, end64)
    # voluntary churn within the next six months (drives which theme a churner names; see THEME_CHURN_LIFT)
    ahead = churn_m[:, None] - m_idx[None, :]
    churn_soon = (churn_kind == "voluntary")[:, None] & (ahead >= 0) & (ahead < 6)
    feedback, labels = _feedback(rng, ids, health, exists, nps_due, nps_score, unres, tenure, signup, stop, ms,
                                 churn_soon)
    # ticket texts, reviews, social posts and follow-up statuses come from their own random stream, so
    # every figure the earlier streams produce stays as it was
    rng_text = np.random.default_rng([seed, 8])
    tickets["text"], t_labels = _ticket_texts(rng_text, tickets["category"].to_numpy())
    extra, x_labels = _reviews(rng_text, ids, health, exists, churn_soon, signup, stop, ms, end64)
    feedback = pd.concat([feedback, extra], ignore_index=True)
    feedback = feedback.sort_values(["date", "customer_id", "channel"], kind="stable")
    labels = np.concatenate([labels, x_labels])[feedback.index.to_numpy()]
    feedback = feedback.reset_index(drop=True)
    feedback["status"] = _statuses(rng_text, feedback, end64)
    verbatim_themes = pd.concat([
        pd.DataFrame({"table": "feedback", "row": np.arange(len(feedback)), "theme": labels}),
        pd.DataFrame({"table": "ticket", "row": np.arange(len(tickets)), "theme": t_labels})], ignore_index=True)

    nudge, nudge_truth = _nudge(np.random.default_rng([seed, 9]), ids, signup, churn_date, usage_ix, tenure, ms,
                                iv, end64)
    iv = pd.concat([iv.assign(attributes=None), nudge], ignore_index=True)

    plays_truth = {}
    for play, spec in PLAYS.items():
        eff = np.concatenate(effects[play]) if effects[play] else np.zeros((0, 2))
        plays_truth[play] = {
            "channel": spec["channel"], "uplift_logodds": spec["uplift_logodds"],
            "horizon_months": spec["horizon_months"], "holdout_share": k_h / k_b,
            "effect_window": "voluntary-churn log-odds shift in the horizon_months calendar months after the "
                             "month of the play date",
            "targeting": spec["targeting"], "n_targeted": int(len(eff)),
            "control_churn_prob": float(np.mean(1 - eff[:, 0])) if len(eff) else None,
            "abs_reduction": float(np.mean(eff[:, 1] - eff[:, 0])) if len(eff) else None,
        }
    plays_truth[NUDGE["play"]] = nudge_truth
    truth = {
        "seed": seed, "n_customers": n, "months": M, "start": str(ms[0]), "end": str(end64),
        "hazard": {"intercept": HAZARD["intercept"], "segment": dict(HAZARD["segment"]),
                   "coefficients": dict(HAZARD["coefficients"]), "drivers": dict(HAZARD["drivers"]),
                   "link": "logistic, monthly, voluntary churn; drivers observed at the end of the previous month"},
        "involuntary_monthly_rate": dict(zip(SEGMENTS, INVOLUNTARY_RATE)),
        "failed_payments": {"recovered_monthly_rate": PAYMENT_FAIL_RATE,
                            "before_involuntary_churn": {"last_paid_month": 0.9, "month_before": 0.5}},
        "health": {"segment_mean": dict(zip(SEGMENTS, HEALTH_MEAN)), "reversion": 0.12, "step_sd": 0.3,
                   "shock": {"monthly_prob": 0.02, "size": -1.0}},
        "plays": plays_truth,
        "themes": {k: list(v) for k, v in THEMES.items()},
        "churn_words": list(CHURN_WORDS),
        "activity": {"granularity": "daily", "metrics": list(FEATURES)},
        "feedback_scales": {"nps": [0, 10], "csat": [1, 5], "ces": [1, 7], "ces_direction": "higher = easier"},
    }
    truth["theme_churn_lift"] = dict(THEME_CHURN_LIFT)
    truth["hidden_theme"] = HIDDEN_THEME
    return DemoData(customers, revenue, activity, tickets, feedback, iv, truth, verbatim_themes)


def _nudge(rng, ids, signup, churn_date, usage_ix, tenure, ms, iv, end64):
    """The usage-nudge e-mails (:data:`NUDGE`): contact rows with a ``responded`` attribute, and their truth.

    ``responded`` is 1 with probability ``logistic(a + b x usage)`` for a held-out e-mail and that plus
    ``lift x fatigue^k`` for a sent one, where ``k`` counts the other contacts (any play) actually made to the
    customer in the 30 days up to and including the e-mail's day, as :func:`core.roi.uplift.contacts_before`.
    """
    n, M = usage_ix.shape
    spec = NUDGE
    first, last = max(3, M - spec["last_month_back"] - spec["months"]), M - spec["last_month_back"]
    parts = []
    stop = np.where(pd.isna(churn_date), end64 + 1, churn_date.astype("datetime64[D]"))
    for m in range(first, last):
        low = (tenure[:, m] >= 1) & (usage_ix[:, m - 1] < spec["usage_below"])
        for d in spec["send_days"]:
            day = ms[m] + np.timedelta64(d - 1, "D")
            who = np.nonzero(low & (signup < day) & (stop > day) & (day <= end64)
                             & (rng.random(n) < spec["send_prob"]))[0]
            parts.append(pd.DataFrame({"_i": who, "_m": m, "date": day}))
    cols = ["customer_id", "play", "channel", "date", "group", "cost", "attributes"]
    if not parts or not sum(len(p) for p in parts):
        return pd.DataFrame(columns=cols), {"play_kind": "nudge", "n_targeted": 0}
    nd = pd.concat(parts, ignore_index=True)
    k_rows = len(nd)
    hold = rng.random(k_rows) < spec["holdout_share"]
    # other contacts made (every play's treatment rows, this play's sent e-mails) in the look-back
    made = pd.concat([pd.DataFrame({"customer_id": iv.loc[iv["group"] != "holdout", "customer_id"].to_numpy(),
                                    "date": pd.to_datetime(iv.loc[iv["group"] != "holdout", "date"])
                                    .to_numpy("datetime64[D]"), "_row": -1}),
                      pd.DataFrame({"customer_id": ids[nd["_i"].to_numpy()][~hold],
                                    "date": nd["date"].to_numpy()[~hold], "_row": np.nonzero(~hold)[0]})])
    q = pd.DataFrame({"customer_id": ids[nd["_i"].to_numpy()], "date": nd["date"].to_numpy(),
                      "_q": np.arange(k_rows)})
    pairs = q.merge(made, on="customer_id", suffixes=("", "_o"))
    age = (pairs["date"] - pairs["date_o"]).dt.days
    pairs = pairs[(age >= 0) & (age <= spec["fatigue_days"]) & (pairs["_row"] != pairs["_q"])]
    k = np.bincount(pairs["_q"].to_numpy(), minlength=k_rows)
    u = usage_ix[nd["_i"].to_numpy(), nd["_m"].to_numpy() - 1]
    p0 = _sigmoid(spec["response_logodds"] + spec["response_usage"] * u)
    lift = spec["lift"] * spec["fatigue"] ** k
    responded = (rng.random(k_rows) < p0 + np.where(hold, 0.0, lift)).astype(int)
    out = pd.DataFrame({"customer_id": ids[nd["_i"].to_numpy()], "play": spec["play"], "channel": spec["channel"],
                        "date": pd.to_datetime(nd["date"]).astype("datetime64[s]"),
                        "group": np.where(hold, "holdout", "treatment"),
                        "cost": np.where(hold, 0.0, spec["cost"]),
                        "attributes": [{"responded": int(r)} for r in responded]})
    out = out.sort_values(["date", "customer_id"], kind="stable").reset_index(drop=True)
    bucket = np.where(k >= 3, "3+", k.astype(str))
    truth = {"play_kind": "nudge", "channel": spec["channel"], "uplift_logodds": 0.0, "abs_reduction": 0.0,
             "horizon_months": 0, "holdout_share": spec["holdout_share"], "targeting": spec["targeting"],
             "n_targeted": int(k_rows), "outcome": "responded",
             "effect_window": "responded: used the product within 7 days of the e-mail; churn is not changed",
             "response_lift": spec["lift"], "fatigue_factor": spec["fatigue"], "fatigue_days": spec["fatigue_days"],
             # the expected difference in the response rate, sent minus held out, per bucket of other contacts
             # made in the look-back (averaged over the bucket's rows, both arms)
             "responded_lift_by_contacts": {b: float(lift[bucket == b].mean()) if (bucket == b).any() else None
                                            for b in ("0", "1", "2", "3+")},
             "responded_lift_all": float(lift.mean())}
    return out[cols], truth


def _month_ord(days):
    """Month ordinal (months since 1970-01) of datetime64[D] values."""
    return days.astype("datetime64[M]").astype(np.int64)


def _anniversary(signup, month_ord):
    """Same day-of-month as ``signup`` in month ordinal ``month_ord`` (clipped to the month's end)."""
    first = pd.PeriodIndex.from_ordinals(np.asarray(month_ord, dtype=np.int64), freq="M")
    start = first.start_time.to_numpy("datetime64[D]")
    length = first.days_in_month.to_numpy()
    dom = pd.DatetimeIndex(signup.astype("datetime64[ns]")).day.to_numpy()
    return start + (np.minimum(dom, length) - 1).astype("timedelta64[D]")


def _activity(rng, ids, signup, stop, ms, usage_ix, seat_mult, end64):
    """Daily usage per feature: weekdays carry 1.3/7 and weekend days 0.25/7 of the weekly rate
    (so a week still averages FEATURES' rate); zero days are left out. Built 1,000 customers at a
    time to bound memory."""
    days = np.arange(ms[0], end64 + 1, np.timedelta64(1, "D"))
    d_month = np.searchsorted(ms, days, side="right") - 1
    day_share = np.where(pd.DatetimeIndex(days).day_of_week.to_numpy() < 5, 1.3, 0.25) / 7
    parts = []
    for lo in range(0, len(ids), 1000):
        sl = slice(lo, lo + 1000)
        c, d = np.nonzero((days[None, :] >= signup[sl, None]) & (days[None, :] < stop[sl, None]))
        c = c + lo
        base = seat_mult[c] * np.exp(usage_ix[c, d_month[d]]) * day_share[d]
        for metric, rate in FEATURES.items():
            val = rng.poisson(rate * base * np.exp(rng.normal(0, 0.25, len(c))))
            keep = val > 0
            parts.append(pd.DataFrame({"customer_id": ids[c[keep]], "date": days[d[keep]].astype("datetime64[s]"),
                                       "metric": metric, "value": val[keep].astype(float)}))
    return pd.concat(parts, ignore_index=True)


def _tickets(rng, ids, t_cust, t_month, t_h, t_unres, seg, signup, stop, ms, end64):
    k = len(t_cust)
    lo = np.maximum(ms[t_month], signup[t_cust])
    hi = np.minimum(np.minimum(ms[t_month + 1], stop[t_cust]), end64 + 1)
    ok = hi > lo
    day = _days_in(lo, np.maximum(hi, lo + 1), rng.random(k))
    opened = day.astype("datetime64[s]") + (8 * 3600 + rng.integers(0, 10 * 3600, k)).astype("timedelta64[s]")
    pri = np.array(["low", "normal", "high", "urgent"], dtype=object)[
        np.minimum(3, rng.choice(4, size=k, p=[0.3, 0.45, 0.18, 0.07]) + (t_h < -0.8))]
    med_h = pd.Series(pri).map({"low": 72.0, "normal": 36.0, "high": 14.0, "urgent": 5.0}).to_numpy()
    first_resp = opened + (rng.lognormal(np.log(90), 0.8, k) * np.exp(-0.3 * t_h) * 60).astype("timedelta64[s]")
    res_hours = med_h * np.exp(-0.4 * t_h) * rng.lognormal(0, 0.7, k)
    resolved = first_resp + (res_hours * 3600).astype("timedelta64[s]")
    end_s = (end64 + 1).astype("datetime64[s]")
    unres = t_unres | (resolved >= end_s)
    resolved = np.where(unres, np.datetime64("NaT"), resolved)
    first_resp = np.where(first_resp >= end_s, np.datetime64("NaT"), first_resp)
    cats = np.array(["bug", "billing", "how-to", "feature request", "account", "integration"], dtype=object)
    cat = cats[rng.choice(6, size=k, p=[0.28, 0.14, 0.26, 0.12, 0.1, 0.1])]
    chan = np.array(["email", "chat", "phone", "portal"], dtype=object)[rng.choice(4, size=k, p=[.4, .3, .1, .2])]
    status = np.where(unres, np.where(rng.random(k) < 0.6, "open", "pending"),
                      np.where(rng.random(k) < 0.5, "resolved", "closed")).astype(object)
    sat = np.clip(np.round(3.7 + 0.6 * t_h - 0.3 * np.log(np.maximum(res_hours, 1) / 24) + rng.normal(0, 0.9, k)),
                  1, 5)
    sat = np.where(~unres & (rng.random(k) < 0.55), sat, np.nan)
    out = pd.DataFrame({"ticket_id": None, "customer_id": ids[t_cust], "opened": opened, "first_response": first_resp,
                        "resolved": resolved, "priority": pri, "category": cat, "channel": chan,
                        "status": status, "satisfaction": sat})[ok]
    out = out.sort_values(["opened", "customer_id"], kind="stable").reset_index(drop=True)
    out["ticket_id"] = [f"T{i:06d}" for i in range(1, len(out) + 1)]
    return out


def _feedback(rng, ids, health, exists, nps_due, nps_score, unres, tenure, signup, stop, ms, churn_soon):
    n, M = health.shape
    csat_due = exists & (rng.random((n, M)) < 0.08)
    ces_due = exists & (rng.random((n, M)) < 0.06)
    csat = np.clip(np.round(3.8 + 0.8 * health + rng.normal(0, 0.8, (n, M))), 1, 5)
    ces = np.clip(np.round(4.9 + 1.0 * health + rng.normal(0, 1.1, (n, M))), 1, 7)
    parts = []
    for chan, due, score, low, high, p_text in (("nps", nps_due, nps_score, 6, 9, 0.7),
                                                ("csat", csat_due, csat, 2, 5, 0.5),
                                                ("ces", ces_due, ces, 3, 6, 0.4)):
        c, m = np.nonzero(due)
        lo = np.maximum(ms[m], signup[c])
        hi = np.minimum(ms[m + 1], stop[c])
        ok = hi > lo
        c, m, lo, hi = c[ok], m[ok], lo[ok], hi[ok]
        s = score[c, m]
        parts.append(pd.DataFrame({"_c": c, "_m": m, "date": _days_in(lo, hi, rng.random(len(c))),
                                   "channel": chan, "score": s, "_neg": s <= low, "_pos": s >= high,
                                   "_text": rng.random(len(c)) < p_text}))
    fb = pd.concat(parts, ignore_index=True)
    fb = fb.sort_values(["date", "_c", "channel"], kind="stable").reset_index(drop=True)
    fb["text"], labels = _verbatims(rng, fb, unres, tenure, churn_soon)
    fb["customer_id"] = ids[fb["_c"].to_numpy()]
    fb["date"] = fb["date"].astype("datetime64[s]")
    return fb[["customer_id", "date", "channel", "score", "text"]], labels


def _theme_weights(k, c, m, neg, tenure, unres, churn_soon):
    names = list(THEMES)
    # themes follow the customer's situation: new customers talk onboarding, open tickets support,
    # and a customer about to leave names its reason (THEME_CHURN_LIFT) when it complains
    w = np.tile(np.array([1.0, 1.2, 1.2, 1.0, 1.0, 0.6]), (k, 1))
    w[:, 0] += 3.0 * (tenure[c, m] <= 3)
    w[:, 3] += 2.5 * (unres[c, m] > 0)
    soon = churn_soon[c, m] & neg
    for t, name in enumerate(names):
        w[:, t] += THEME_CHURN_LIFT[name] * soon
    return np.cumsum(w / w.sum(axis=1, keepdims=True), axis=1)


def _verbatims(rng, fb, unres, tenure, churn_soon):
    k = len(fb)
    names = list(THEMES)
    c, m = fb["_c"].to_numpy(), fb["_m"].to_numpy()
    u_theme = rng.random(k)
    neg, pos = fb["_neg"].to_numpy(), fb["_pos"].to_numpy()
    mixed = rng.random(k)  # passives still name a theme most of the time
    neg = neg | (~pos & (mixed < 0.4))
    pos = pos | (~neg & (mixed > 0.7))
    cum = _theme_weights(k, c, m, neg, tenure, unres, churn_soon)
    theme = np.minimum((u_theme[:, None] > cum).sum(axis=1), len(names) - 1)
    text = np.full(k, None, dtype=object)
    u = rng.random(k)
    for t, tname in enumerate(names):
        for pool, mask in ((_render(_NEG[tname]), neg), (_render(_POS[tname]), pos)):
            sel = np.nonzero((theme == t) & mask)[0]
            text[sel] = np.array(pool, dtype=object)[(u[sel] * len(pool)).astype(int)]
    mid = text == None  # noqa: E711 (elementwise)
    text[mid] = np.array(_NEUTRAL, dtype=object)[rng.integers(0, len(_NEUTRAL), int(mid.sum()))]
    opener = np.array(_OPENERS, dtype=object)[rng.integers(0, len(_OPENERS), k)]
    has = (opener != "") & ~np.isin(np.array([t.split(" ", 1)[0] for t in text], dtype=object), _KEEP_CASE)
    text[has] = np.array([t[:1].lower() + t[1:] for t in text[has]], dtype=object)
    text = opener + text
    churny = fb["_neg"].to_numpy() & (rng.random(k) < np.where(fb["score"].to_numpy() <= 3, 0.45, 0.2))
    text[churny] = text[churny] + " " + np.array(_CHURN_CLAUSES, dtype=object)[
        rng.integers(0, len(_CHURN_CLAUSES), int(churny.sum()))]
    has_text = fb["_text"].to_numpy()
    label = np.where(neg | pos, np.array(names, dtype=object)[theme], None)
    return np.where(has_text, text, None), np.where(has_text, label, None)


def _ticket_texts(rng, category):
    """A subject line per ticket, from its category; and the theme it names (or None)."""
    k = len(category)
    text = np.full(k, None, dtype=object)
    label = np.full(k, None, dtype=object)
    u = rng.random(k)
    for cat, templates in _TICKET_TEXT.items():
        pool = _render(list(templates))
        sel = np.nonzero(category == cat)[0]
        text[sel] = np.array(pool, dtype=object)[(u[sel] * len(pool)).astype(int)]
        label[sel] = _TICKET_THEME.get(cat)
    return text, label


def _reviews(rng, ids, health, exists, churn_soon, signup, stop, ms, end64):
    """Public reviews (1-5 stars) and social posts (no score): the survey themes plus HIDDEN_THEME."""
    n, M = health.shape
    due = exists & (rng.random((n, M)) < 0.025)
    c, m = np.nonzero(due)
    lo = np.maximum(ms[m], signup[c])
    hi = np.minimum(np.minimum(ms[m + 1], stop[c]), end64 + 1)
    u = rng.random((7, len(c)))
    ok = hi > lo
    c, m, lo, hi, u = c[ok], m[ok], lo[ok], hi[ok], u[:, ok]
    k = len(c)
    stars = np.clip(np.round(3.5 + 1.0 * health[c, m] + 1.1 * _norm(u[0])), 1, 5)
    review = u[1] < 0.6
    neg, pos = stars <= 2, stars >= 4
    names = list(THEMES)
    cum = _theme_weights(k, c, m, neg, np.full((n, M), 12), np.zeros((n, M)), churn_soon)
    theme = np.minimum((u[2][:, None] > cum).sum(axis=1), len(names) - 1)
    label = np.array(names, dtype=object)[theme]
    hidden = u[3] < 0.22
    label[hidden] = HIDDEN_THEME
    text = np.full(k, None, dtype=object)
    for tname in names + [HIDDEN_THEME]:
        pools = ((_HIDDEN_NEG, _HIDDEN_POS) if tname == HIDDEN_THEME else (_render(_NEG[tname]), _render(_POS[tname])))
        for pool, mask in zip(pools, (neg | ~pos, pos)):
            sel = np.nonzero((label == tname) & mask)[0]
            text[sel] = np.array(pool, dtype=object)[(u[4][sel] * len(pool)).astype(int)]
    pii = u[5] < 0.03
    idx = np.nonzero(pii)[0]
    add = np.array([_PII[i % len(_PII)].format(co="acme", n=100 + i % 900) for i in range(len(idx))], dtype=object)
    text[idx] = text[idx] + add
    out = pd.DataFrame({"customer_id": ids[c], "date": _days_in(lo, hi, u[6]).astype("datetime64[s]"),
                        "channel": np.where(review, "review", "social"),
                        "score": np.where(review, stars, np.nan), "text": text})
    return out, label


def _norm(u):
    """Standard normal quantiles of uniforms (keeps one uniform per draw, so the stream stays aligned)."""
    from scipy.stats import norm
    return norm.ppf(np.clip(u, 1e-9, 1 - 1e-9))


def _statuses(rng, feedback, end64):
    """Follow-up state of each verbatim: older ones are mostly closed (``None`` without text)."""
    k = len(feedback)
    age = (np.datetime64(end64, "D") - feedback["date"].to_numpy().astype("datetime64[D]")).astype(np.int64)
    u = rng.random(k)
    p_closed = np.where(age > 60, 0.85, np.where(age > 14, 0.55, 0.15))
    status = np.where(u < p_closed, "closed", np.where(u < p_closed + (1 - p_closed) * 0.3, "in progress", "open"))
    return np.where(feedback["text"].notna().to_numpy(), status.astype(object), None)
